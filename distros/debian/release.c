/* release.c - a Debian Release file: header fields and the SHA256 file list. */
#include "distros/distros.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void release_free(struct release *r)
{
	if (!r)
		return;
	free(r->suite);
	free(r->codename);
	free(r->origin);
	free(r->label);
	free(r->version);
	strv_free(&r->architectures);
	strv_free(&r->components);
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->files);
	memset(r, 0, sizeof(*r));
}

static int parse_sha256_section(const char *v, const char *file, struct release *r, struct kerr *e)
{
	struct strv lines = {0};
	int ret = 0;

	strv_split(&lines, v, "\n");
	r->files = xcalloc(lines.n + 1, sizeof(*r->files));
	for (size_t i = 0; i < lines.n; i++) {
		char hash[80], path[1024];
		unsigned long long size;
		if (sscanf(lines.v[i], " %79s %llu %1023s", hash, &size, path) != 3 ||
		    !is_sha256_hex(hash)) {
			ret = kerr_set(e, KILN_EPARSE, "%s: malformed SHA256 line '%.80s'", file,
				       lines.v[i]);
			break;
		}
		/* a hostile Release must not point outside dists/<suite>/ */
		if (path[0] == '/' || strstr(path, "..")) {
			ret = kerr_set(e, KILN_EVERIFY, "%s: unsafe index path '%s'", file, path);
			break;
		}
		struct release_file *f = &r->files[r->nfiles++];
		f->path = xstrdup(path);
		f->size = size;
		memcpy(f->sha256, hash, SHA256_HEX_LEN + 1);
	}
	strv_free(&lines);
	return ret;
}

int release_parse(const char *text, size_t len, const char *file, struct release *r, struct kerr *e)
{
	struct deb822_parser ps;
	struct deb822_para p = {0};
	char *v;
	int ret;

	memset(r, 0, sizeof(*r));
	r->date = r->valid_until = -1;
	deb822_init(&ps, text, len, file);
	ret = deb822_next(&ps, &p, e);
	if (ret == 0)
		ret = kerr_set(e, KILN_EPARSE, "%s: empty Release file", file);
	if (ret < 0)
		goto out;
	ret = 0;
	r->suite = deb822_get(&p, "Suite");
	r->codename = deb822_get(&p, "Codename");
	r->origin = deb822_get(&p, "Origin");
	r->label = deb822_get(&p, "Label");
	r->version = deb822_get(&p, "Version");
	if ((v = deb822_get(&p, "Date"))) {
		r->date = parse_rfc2822_utc(v);
		if (r->date < 0)
			ret = kerr_set(e, KILN_EPARSE, "%s: bad Date '%s'", file, v);
		free(v);
	} else {
		ret = kerr_set(e, KILN_EPARSE, "%s: no Date field", file);
	}
	if (ret == 0 && (v = deb822_get(&p, "Valid-Until"))) {
		r->valid_until = parse_rfc2822_utc(v);
		if (r->valid_until < 0)
			ret = kerr_set(e, KILN_EPARSE, "%s: bad Valid-Until '%s'", file, v);
		free(v);
	}
	if ((v = deb822_get(&p, "Acquire-By-Hash"))) {
		r->acquire_by_hash = strcasecmp(v, "yes") == 0;
		free(v);
	}
	if ((v = deb822_get(&p, "No-Support-for-Architecture-all"))) {
		r->no_arch_all_packages = strcasecmp(v, "Packages") == 0;
		free(v);
	}
	if ((v = deb822_get(&p, "Architectures"))) {
		strv_split(&r->architectures, v, " \t\n");
		free(v);
	}
	if ((v = deb822_get(&p, "Components"))) {
		strv_split(&r->components, v, " \t\n");
		free(v);
	}
	if (ret == 0) {
		if (!(v = deb822_get(&p, "SHA256")))
			ret = kerr_set(e, KILN_EVERIFY, "%s: no SHA256 section", file);
		else
			ret = parse_sha256_section(v, file, r, e);
		free(v);
	}
out:
	deb822_para_free(&p);
	if (ret < 0)
		release_free(r);
	return ret;
}

const struct release_file *release_find(const struct release *r, const char *path)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].path, path) == 0)
			return &r->files[i];
	return NULL;
}
