/* debsource.c - what the build needs to know about a Debian source package:
 * a local .dsc verified, its upstream version, and SOURCE_DATE_EPOCH. */
#include "builders/builders.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

char *deb_upstream_version(const char *version)
{
	const char *colon = strchr(version, ':');
	const char *start = colon ? colon + 1 : version;
	const char *dash = strrchr(start, '-');
	return xstrndup(start, dash ? (size_t)(dash - start) : strlen(start));
}

int64_t changelog_timestamp(const char *text, size_t len, const char *file, struct kerr *e)
{
	const char *p = text, *end = text + len;
	size_t line = 0;

	/* the first entry's trailer: " -- Name <email>  Day, DD Mon YYYY HH:MM:SS +ZZZZ" */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line++;
		if (n > 4 && !strncmp(p, " -- ", 4)) {
			char buf[512];
			const char *gt = memchr(p, '>', n);
			if (!gt || n >= sizeof(buf))
				break;
			size_t off = (size_t)(gt - p) + 1;
			memcpy(buf, p + off, n - off);
			buf[n - off] = '\0';
			int64_t t = parse_rfc2822_utc(buf);
			if (t < 0)
				break;
			return t;
		}
		p = nl ? nl + 1 : end;
	}
	kerr_set(e, KILN_EPARSE,
		 "%s:%zu: no valid trailer line (' -- Name <email>  date') in the "
		 "first entry",
		 file, line);
	return -1;
}

int dsc_load(const char *dsc_path, struct source_pkg *out, struct kerr *e)
{
	struct kbuf raw = {0}, text = {0};
	struct deb822_parser ps;
	struct deb822_para para = {0};
	int ret, is_signed = 0;
	char *dircopy = xstrdup(dsc_path), *dir = dirname(dircopy);
	char *basecopy = xstrdup(dsc_path), *base = basename(basecopy);

	memset(out, 0, sizeof(*out));
	if ((ret = read_file(dsc_path, &raw, 1 << 20, e)) < 0)
		goto out;
	if ((ret = deb822_strip_signature(raw.data, raw.len, &text, &is_signed, dsc_path, e)) < 0)
		goto out;
	deb822_init(&ps, text.data, text.len, dsc_path);
	if ((ret = deb822_next(&ps, &para, e)) <= 0) {
		if (ret == 0)
			ret = kerr_set(e, KILN_EPARSE, "%s: empty .dsc", dsc_path);
		goto out;
	}
	if ((ret = source_pkg_from_para(&para, dsc_path, out, e)) < 0)
		goto out;
	for (size_t i = 0; i < out->nfiles; i++) {
		struct source_file *f = &out->files[i];
		char *p = xasprintf("%s/%s", dir, f->name);
		char hex[SHA256_HEX_LEN + 1];
		uint64_t size = 0;
		ret = sha256_file(p, hex, &size, e);
		if (ret == 0 && (size != f->size || strcmp(hex, f->sha256) != 0))
			ret = kerr_set(
			    e, KILN_EVERIFY,
			    "%s: %s does not match the .dsc (sha256 %s, size %llu; the .dsc "
			    "says %s, %llu)",
			    dsc_path, f->name, hex, (unsigned long long)size, f->sha256,
			    (unsigned long long)f->size);
		else if (ret < 0)
			kerr_prefix(e, "%s lists %s: ", dsc_path, f->name);
		free(p);
		if (ret < 0)
			goto out;
	}
	/* the .dsc itself is one of the source's files too */
	char hex[SHA256_HEX_LEN + 1];
	uint64_t size = 0;
	if ((ret = sha256_file(dsc_path, hex, &size, e)) < 0)
		goto out;
	out->files = xrealloc(out->files, (out->nfiles + 1) * sizeof(*out->files));
	memmove(&out->files[1], &out->files[0], out->nfiles * sizeof(*out->files));
	out->files[0].name = xstrdup(base);
	out->files[0].size = size;
	memcpy(out->files[0].sha256, hex, sizeof(hex));
	out->nfiles++;
out:
	if (ret < 0)
		source_pkg_free(out);
	deb822_para_free(&para);
	kbuf_free(&raw);
	kbuf_free(&text);
	free(dircopy);
	free(basecopy);
	return ret;
}
