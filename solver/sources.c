/* sources.c - the source packages a request names: from a .dsc, from a Sources
 * file, or all of a distro's (newest version of each), via distros/ parsing. */
#include "solver/solver.h"

#include <stdlib.h>
#include <string.h>

int solver_source_from_dsc(const char *path, struct source_pkg *out, struct kerr *e)
{
	struct kbuf raw, text;
	struct deb822_parser ps;
	struct deb822_para para = {0};
	int signed_ = 0, r;

	memset(out, 0, sizeof(*out));
	kbuf_init(&raw);
	kbuf_init(&text);
	if ((r = read_file(path, &raw, 64 << 20, e)) < 0)
		goto out;
	if ((r = deb822_strip_signature(raw.data ? raw.data : "", raw.len, &text, &signed_, path,
					e)) < 0)
		goto out;
	deb822_init(&ps, text.data ? text.data : "", text.len, path);
	if ((r = deb822_next(&ps, &para, e)) <= 0) {
		if (r == 0)
			r = kerr_set(e, KILN_EPARSE, "%s: empty .dsc", path);
		goto out;
	}
	r = source_pkg_from_para(&para, path, out, e);
out:
	deb822_para_free(&para);
	kbuf_free(&raw);
	kbuf_free(&text);
	return r < 0 ? r : 0;
}

static void add_source(struct source_pkg **v, size_t *n, size_t *cap, struct source_pkg *s)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = *s;
}

int solver_sources_load(const char *path, const char *mirror, const char *suite,
			struct source_pkg **v, size_t *n, struct kerr *e)
{
	struct kbuf b;
	struct deb822_parser ps;
	struct deb822_para para = {0};
	size_t cap = *n;
	int r;

	kbuf_init(&b);
	if ((r = read_file(path, &b, (size_t)1 << 34, e)) < 0)
		return r;
	deb822_init(&ps, b.data ? b.data : "", b.len, path);
	while ((r = deb822_next(&ps, &para, e)) > 0) {
		struct source_pkg s;
		if ((r = source_pkg_from_para(&para, path, &s, e)) < 0)
			break;
		s.mirror = xstrdup(mirror ? mirror : "");
		s.suite = xstrdup(suite ? suite : "");
		add_source(v, n, &cap, &s);
	}
	deb822_para_free(&para);
	kbuf_free(&b);
	return r < 0 ? r : 0;
}

static int by_name_then_newest(const void *a, const void *b)
{
	const struct source_pkg *x = a, *y = b;
	int c = strcmp(x->package, y->package);
	return c ? c : -deb_version_cmp(x->version, y->version);
}

void solver_sources_newest(struct source_pkg *v, size_t *n)
{
	size_t j = 0;
	if (*n < 2)
		return;
	qsort(v, *n, sizeof(*v), by_name_then_newest);
	for (size_t i = 0; i < *n; i++) {
		if (j && !strcmp(v[j - 1].package, v[i].package)) {
			source_pkg_free(&v[i]);
			continue;
		}
		v[j++] = v[i];
	}
	*n = j;
}

int solver_sources_for_distro(const struct distro *d, struct source_pkg **v, size_t *n,
			      struct kerr *e)
{
	struct index_list il;
	int r;

	*v = NULL;
	*n = 0;
	if ((r = debian_index_files(d, "Sources", NULL, &il, e)) < 0)
		return r;
	for (size_t i = 0; i < il.n && r == 0; i++)
		r = solver_sources_load(il.v[i].path, il.v[i].mirror, il.v[i].suite, v, n, e);
	index_list_free(&il);
	return r;
}

void solver_sources_free(struct source_pkg *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		source_pkg_free(&v[i]);
	free(v);
}

/* ---- finding one source fast: a name index per Sources file ----
 * "name offset length" lines, built once per Sources content (the file's
 * sha256 names it) next to the pool caches; a lookup then reads the index and
 * parses only the stanzas of that name. */

#define SRCIDX_FORMAT "kiln-srcidx-1"

static int build_index(const char *sources, const char *idx, struct kerr *e)
{
	struct kbuf b, out;
	struct deb822_parser ps;
	struct deb822_para para = {0};
	int r;

	kbuf_init(&b);
	kbuf_init(&out);
	if ((r = read_file(sources, &b, (size_t)1 << 34, e)) < 0)
		return r;
	deb822_init(&ps, b.data ? b.data : "", b.len, sources);
	while ((r = deb822_next(&ps, &para, e)) > 0) {
		const struct deb822_field *f = deb822_field(&para, "Package");
		if (!f || !para.n)
			continue;
		size_t off = (size_t)(para.f[0].name - b.data), len = (size_t)(ps.p - b.data) - off;
		kbuf_printf(&out, "%.*s %zu %zu\n", (int)f->value_len, f->value, off, len);
	}
	deb822_para_free(&para);
	if (r == 0)
		r = write_file_atomic(idx, out.data ? out.data : "", out.len, 0644, e);
	kbuf_free(&b);
	kbuf_free(&out);
	return r < 0 ? r : 0;
}

static int find_in_sources(const struct index_file *f, const char *cache_dir, const char *name,
			   const char *version, struct source_pkg *best, int *found,
			   struct strv *seen, struct kerr *e)
{
	char key[SHA256_HEX_LEN + 1];
	char *kt = xasprintf("%s\n%s\n", f->sha256, SRCIDX_FORMAT);
	sha256_mem(kt, strlen(kt), key);
	free(kt);
	char *idx = xasprintf("%s/%s.srcidx", cache_dir, key);
	struct kbuf ib;
	int r = 0;
	FILE *fp = NULL;
	char *pat = NULL;

	kbuf_init(&ib);
	if (!path_exists(idx) &&
	    ((r = mkdir_p(cache_dir, 0755, e)) < 0 || (r = build_index(f->path, idx, e)) < 0))
		goto out;
	if ((r = read_file(idx, &ib, (size_t)1 << 30, e)) < 0)
		goto out;
	/* the lines "NAME ...": the first line, then each "\nNAME " memmem finds
	 * (one pass over the index, not a comparison per line) */
	size_t nl = strlen(name);
	pat = xasprintf("\n%s ", name);
	const char *end = ib.data + ib.len, *from = ib.data;
	const char *line =
	    ib.len > nl && !strncmp(ib.data, name, nl) && ib.data[nl] == ' ' ? ib.data : NULL;
	for (;;) {
		if (!line) {
			const char *hit = memmem(from, (size_t)(end - from), pat, nl + 2);
			if (!hit)
				break;
			line = hit + 1;
		}
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			break;
		{
			unsigned long long off, len;
			if (sscanf(line + nl + 1, "%llu %llu", &off, &len) != 2 ||
			    len > (64u << 20)) {
				r = kerr_set(e, KILN_EPARSE, "%s: malformed line", idx);
				goto out;
			}
			if (!fp && !(fp = fopen(f->path, "r"))) {
				r = kerr_errno(e, KILN_EIO, "cannot open %s", f->path);
				goto out;
			}
			char *st = xmalloc(len + 1);
			if (fseeko(fp, (off_t)off, SEEK_SET) != 0 || fread(st, 1, len, fp) != len) {
				free(st);
				r = kerr_errno(e, KILN_EIO, "cannot read %s", f->path);
				goto out;
			}
			st[len] = 0;
			struct deb822_parser ps;
			struct deb822_para para = {0};
			struct source_pkg cand = {0};
			deb822_init(&ps, st, len, f->path);
			if ((r = deb822_next(&ps, &para, e)) > 0)
				r = source_pkg_from_para(&para, f->path, &cand, e);
			else if (r == 0)
				r = kerr_set(e, KILN_EPARSE, "%s: stale index %s", f->path, idx);
			deb822_para_free(&para);
			free(st);
			if (r >= 0 && !cand.version)
				r = kerr_set(e, KILN_EPARSE, "%s: stale index %s", f->path, idx);
			if (r < 0)
				goto out;
			strv_add_owned(seen, xasprintf("%s (%s)", cand.version, f->suite));
			int better =
			    version ? !strcmp(cand.version ? cand.version : "", version) && !*found
				    : !*found || deb_version_cmp(cand.version, best->version) > 0;
			if (better) {
				source_pkg_free(best);
				*best = cand;
				best->mirror = xstrdup(f->mirror);
				best->suite = xstrdup(f->suite);
				*found = 1;
			} else {
				source_pkg_free(&cand);
			}
		}
		from = eol;
		line = NULL;
	}
out:
	free(pat);
	if (fp)
		fclose(fp);
	kbuf_free(&ib);
	free(idx);
	return r;
}

int solver_find_source(const struct distro *d, const char *name, const char *version,
		       struct source_pkg *out, struct kerr *e)
{
	struct index_list il;
	struct strv seen = {0};
	int r, found = 0;

	memset(out, 0, sizeof(*out));
	if ((r = debian_index_files(d, "Sources", NULL, &il, e)) < 0)
		return r;
	char *state = distro_state_dir(d), *cache = xasprintf("%s/solv", state);
	for (size_t i = 0; i < il.n && r == 0; i++)
		r = find_in_sources(&il.v[i], cache, name, version, out, &found, &seen, e);
	if (r == 0 && !found) {
		if (!seen.n) {
			r = kerr_set(e, KILN_ENOTFOUND, "%s: no source package '%s'", d->name,
				     name);
		} else {
			struct kbuf l;
			kbuf_init(&l);
			for (size_t i = 0; i < seen.n; i++)
				kbuf_printf(&l, "%s%s", i ? ", " : "", seen.v[i]);
			r = kerr_set(e, KILN_ENOTFOUND,
				     "%s: no version %s of source '%s'; available: %s", d->name,
				     version, name, l.data);
			kbuf_free(&l);
		}
	}
	if (r < 0)
		source_pkg_free(out);
	strv_free(&seen);
	free(state);
	free(cache);
	index_list_free(&il);
	return r;
}
