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
