/* sources.c - Debian source packages: find one in the verified Sources
 * indices, download the .dsc and its files, verify every hash twice (Sources
 * and .dsc), check the .dsc signature when a maintainer keyring exists. */
#include "distros/distros.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void source_pkg_free(struct source_pkg *s)
{
	if (!s)
		return;
	free(s->package);
	free(s->version);
	free(s->format);
	free(s->directory);
	free(s->architecture);
	free(s->build_depends);
	free(s->build_depends_arch);
	free(s->build_depends_indep);
	free(s->build_conflicts);
	free(s->build_conflicts_arch);
	free(s->build_conflicts_indep);
	free(s->binary);
	free(s->mirror);
	free(s->suite);
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i].name);
	free(s->files);
	memset(s, 0, sizeof(*s));
}

int source_pkg_from_para(const struct deb822_para *p, const char *file, struct source_pkg *s,
			 struct kerr *e)
{
	char *sums;
	struct strv lines = {0};
	int ret = 0;

	memset(s, 0, sizeof(*s));
	s->package = deb822_get(p, "Package");
	if (!s->package)
		s->package = deb822_get(p, "Source"); /* a .dsc names it Source */
	s->version = deb822_get(p, "Version");
	s->format = deb822_get(p, "Format");
	s->directory = deb822_get(p, "Directory");
	s->architecture = deb822_get(p, "Architecture");
	s->build_depends = deb822_get(p, "Build-Depends");
	s->build_depends_arch = deb822_get(p, "Build-Depends-Arch");
	s->build_depends_indep = deb822_get(p, "Build-Depends-Indep");
	s->build_conflicts = deb822_get(p, "Build-Conflicts");
	s->build_conflicts_arch = deb822_get(p, "Build-Conflicts-Arch");
	s->build_conflicts_indep = deb822_get(p, "Build-Conflicts-Indep");
	s->binary = deb822_get(p, "Binary");
	if (!s->package || !s->version) {
		ret = kerr_set(e, KILN_EPARSE, "%s:%zu: source paragraph without Package/Version",
			       file, p->line);
		goto out;
	}
	if ((ret = deb_version_check(s->version, e)) < 0) {
		kerr_prefix(e, "%s:%zu: %s: ", file, p->line, s->package);
		goto out;
	}
	if (!(sums = deb822_get(p, "Checksums-Sha256"))) {
		ret = kerr_set(e, KILN_EVERIFY, "%s: %s %s has no Checksums-Sha256", file,
			       s->package, s->version);
		goto out;
	}
	strv_split(&lines, sums, "\n");
	free(sums);
	s->files = xcalloc(lines.n + 1, sizeof(*s->files));
	for (size_t i = 0; i < lines.n; i++) {
		char hash[80], name[512];
		unsigned long long size;
		if (sscanf(lines.v[i], " %79s %llu %511s", hash, &size, name) != 3 ||
		    !is_sha256_hex(hash)) {
			ret = kerr_set(e, KILN_EPARSE,
				       "%s: %s: malformed Checksums-Sha256 line '%.80s'", file,
				       s->package, lines.v[i]);
			goto out;
		}
		if (!is_safe_filename(name)) {
			ret = kerr_set(e, KILN_EVERIFY, "%s: %s: unsafe file name '%s'", file,
				       s->package, name);
			goto out;
		}
		struct source_file *f = &s->files[s->nfiles++];
		f->name = xstrdup(name);
		f->size = size;
		memcpy(f->sha256, hash, sizeof(f->sha256));
	}
	if (s->directory && (s->directory[0] == '/' || strstr(s->directory, "..")))
		ret = kerr_set(e, KILN_EVERIFY, "%s: %s: unsafe Directory '%s'", file, s->package,
			       s->directory);
out:
	strv_free(&lines);
	if (ret < 0)
		source_pkg_free(s);
	return ret;
}

/* quick pre-filter: does the paragraph's Package field equal name? */
static int para_is(const struct deb822_para *p, const char *name)
{
	const struct deb822_field *f = deb822_field(p, "Package");
	return f && f->value_len == strlen(name) && memcmp(f->value, name, f->value_len) == 0;
}

int debian_find_source(const struct distro *d, const char *name, const char *version,
		       struct source_pkg *out, struct kerr *e)
{
	struct index_list idx;
	struct strv versions = {0};
	int ret, found = 0;

	memset(out, 0, sizeof(*out));
	if ((ret = debian_index_files(d, "Sources", NULL, &idx, e)) < 0)
		return ret;
	for (size_t i = 0; i < idx.n && ret == 0; i++) {
		struct kbuf b;
		struct deb822_parser ps;
		struct deb822_para p = {0};
		int r;
		kbuf_init(&b);
		if ((ret = read_file(idx.v[i].path, &b, 0, e)) < 0)
			break;
		deb822_init(&ps, b.data, b.len, idx.v[i].path);
		while ((r = deb822_next(&ps, &p, e)) > 0) {
			if (!para_is(&p, name))
				continue;
			struct source_pkg cand;
			char *where = xasprintf("Sources of %s", idx.v[i].suite);
			r = source_pkg_from_para(&p, where, &cand, e);
			free(where);
			if (r < 0)
				break;
			strv_add_owned(&versions,
				       xasprintf("%s (%s)", cand.version, idx.v[i].suite));
			int better =
			    version ? strcmp(cand.version, version) == 0
				    : (!found || deb_version_cmp(cand.version, out->version) > 0);
			if (better && !(found && version)) {
				source_pkg_free(out);
				*out = cand;
				out->mirror = xstrdup(idx.v[i].mirror);
				out->suite = xstrdup(idx.v[i].suite);
				found = 1;
			} else {
				source_pkg_free(&cand);
			}
		}
		if (r < 0)
			ret = r;
		deb822_para_free(&p);
		kbuf_free(&b);
	}
	index_list_free(&idx);
	if (ret == 0 && !found) {
		if (versions.n == 0) {
			ret = kerr_set(e, KILN_ENOTFOUND, "%s: no source package '%s'", d->name,
				       name);
		} else {
			struct kbuf l;
			kbuf_init(&l);
			for (size_t i = 0; i < versions.n; i++)
				kbuf_printf(&l, "%s%s", i ? ", " : "", versions.v[i]);
			ret = kerr_set(e, KILN_ENOTFOUND, "%s: %s has no version %s; available: %s",
				       d->name, name, version, l.data);
			kbuf_free(&l);
		}
	}
	if (ret < 0)
		source_pkg_free(out);
	strv_free(&versions);
	return ret;
}

/* the maintainer's signature on the .dsc, with libsolv's verifier, when a
 * maintainer keyring is available (Debian's debian-keyring, or --keyring) */
static void check_dsc_signature(const char *dsc_path, const char *name, const char *keyring,
				int *state)
{
	static const char *debian[] = {"/usr/share/keyrings/debian-keyring.gpg",
				       "/usr/share/keyrings/debian-maintainers.gpg",
				       "/usr/share/keyrings/debian-nonupload.gpg"};
	struct strv rings = {0};
	struct kbuf raw, text;
	struct kerr e;
	char keyid[17];

	if (keyring)
		strv_add(&rings, keyring);
	for (size_t i = 0; !keyring && i < 3; i++)
		if (access(debian[i], R_OK) == 0)
			strv_add(&rings, debian[i]);
	*state = 0;
	kbuf_init(&raw);
	kbuf_init(&text);
	if (rings.n && read_file(dsc_path, &raw, 16 << 20, &e) == 0)
		*state = pgp_verify_cleartext(raw.data, raw.len, &rings, name, keyid, &text, &e) == 0
				 ? 1
				 : -2;
	if (*state == 1)
		log_verbose("%s: good signature by key %s", name, keyid);
	kbuf_free(&raw);
	kbuf_free(&text);
	strv_free(&rings);
}

/* the .dsc's own list must agree with the Sources entry it was checked against */
static int cross_check_dsc(const struct source_pkg *s, const char *dsc_blob, const char *dsc_name,
			   int *is_signed, struct kerr *e)
{
	struct kbuf raw, text;
	struct deb822_parser ps;
	struct deb822_para p = {0};
	struct source_pkg dsc = {0};
	int ret;

	kbuf_init(&raw);
	kbuf_init(&text);
	if ((ret = read_file(dsc_blob, &raw, 16 << 20, e)) < 0)
		goto out;
	if ((ret = deb822_strip_signature(raw.data, raw.len, &text, is_signed, dsc_name, e)) < 0)
		goto out;
	deb822_init(&ps, text.data, text.len, dsc_name);
	if ((ret = deb822_next(&ps, &p, e)) <= 0) {
		if (ret == 0)
			ret = kerr_set(e, KILN_EPARSE, "%s: empty", dsc_name);
		goto out;
	}
	if ((ret = source_pkg_from_para(&p, dsc_name, &dsc, e)) < 0)
		goto out;
	if (strcmp(dsc.package, s->package) || strcmp(dsc.version, s->version)) {
		ret = kerr_set(e, KILN_EVERIFY, "%s: describes %s %s, not %s %s", dsc_name,
			       dsc.package, dsc.version, s->package, s->version);
		goto out;
	}
	for (size_t i = 0; i < dsc.nfiles; i++) {
		const struct source_file *f = NULL;
		for (size_t j = 0; j < s->nfiles; j++)
			if (!strcmp(s->files[j].name, dsc.files[i].name))
				f = &s->files[j];
		if (!f || f->size != dsc.files[i].size || strcmp(f->sha256, dsc.files[i].sha256)) {
			ret = kerr_set(e, KILN_EVERIFY,
				       "%s: %s does not match the Sources index (size or sha256)",
				       dsc_name, dsc.files[i].name);
			goto out;
		}
	}
out:
	source_pkg_free(&dsc);
	deb822_para_free(&p);
	kbuf_free(&raw);
	kbuf_free(&text);
	return ret;
}

int debian_fetch_source(const struct source_pkg *s, const char *outdir, const struct fetch_opts *fo,
			const char *keyring, int *dsc_signed, struct kerr *e)
{
	struct fetch_item *items = xcalloc(s->nfiles + 1, sizeof(*items));
	char **urls = xcalloc(s->nfiles + 1, sizeof(char *));
	const char *dsc = NULL;
	int ret = 0, is_signed = 0;

	*dsc_signed = -1;
	if (!s->directory || !s->mirror) {
		ret = kerr_set(e, KILN_EPARSE, "%s %s: no pool Directory to fetch from", s->package,
			       s->version);
		goto out;
	}
	for (size_t i = 0; i < s->nfiles; i++) {
		urls[i] = xasprintf("%s/%s/%s", s->mirror, s->directory, s->files[i].name);
		items[i].url = urls[i];
		items[i].sha256 = s->files[i].sha256;
		items[i].size = s->files[i].size;
		items[i].what = s->files[i].name;
		if (str_has_suffix(s->files[i].name, ".dsc"))
			dsc = s->files[i].name;
	}
	if (!dsc) {
		ret = kerr_set(e, KILN_EPARSE, "%s %s: no .dsc listed", s->package, s->version);
		goto out;
	}
	if ((ret = fetch_many(items, s->nfiles, fo, e)) < 0)
		goto out;
	for (size_t i = 0; i < s->nfiles; i++)
		if (items[i].sha256 && str_has_suffix(s->files[i].name, ".dsc")) {
			char *bp = blob_path(s->files[i].sha256);
			ret = cross_check_dsc(s, bp, s->files[i].name, &is_signed, e);
			if (ret == 0 && is_signed)
				check_dsc_signature(bp, s->files[i].name, keyring, dsc_signed);
			free(bp);
			if (ret < 0)
				goto out;
		}
	if (*dsc_signed == -2) {
		ret =
		    kerr_set(e, KILN_EVERIFY, "%s: the maintainer signature does not verify", dsc);
		goto out;
	}
	if (outdir) {
		if ((ret = mkdir_p(outdir, 0755, e)) < 0)
			goto out;
		for (size_t i = 0; i < s->nfiles; i++) {
			char *bp = blob_path(s->files[i].sha256);
			char *dst = xasprintf("%s/%s", outdir, s->files[i].name);
			ret = copy_file_atomic(bp, dst, 0644, e);
			free(bp);
			free(dst);
			if (ret < 0)
				goto out;
		}
	}
out:
	for (size_t i = 0; i < s->nfiles; i++)
		free(urls[i]);
	free(urls);
	free(items);
	return ret;
}
