/* layout.c - where a patch's files are in the tree: the -pN and a directory
 * missing in front (upstream lib/x.c, the tree expat/lib/x.c). */
#include <stdlib.h>
#include <string.h>

#include "backports/apply-private.h"

static const char *strip_components(const char *p, int n)
{
	for (int i = 0; i < n; i++) {
		const char *sl = strchr(p, '/');
		if (!sl)
			return NULL;
		p = sl + 1;
		while (*p == '/')
			p++;
	}
	return *p ? p : NULL;
}

static int tree_has(const struct tree *t, const char *path)
{
	size_t lo = 0, hi = t->paths.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(t->paths.v[mid], path);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* the one tree path ending in "/suffix": its prefix (malloc'd); NULL if none or several */
static char *unique_prefix_for(const struct tree *t, const char *suffix)
{
	size_t sl = strlen(suffix), found = 0;
	const char *hit = NULL;
	for (size_t i = 0; i < t->paths.n; i++) {
		const char *p = t->paths.v[i];
		size_t pl = strlen(p);
		if (pl > sl && p[pl - sl - 1] == '/' && !strcmp(p + pl - sl, suffix)) {
			hit = p;
			found++;
		}
	}
	if (found != 1)
		return NULL;
	return xstrndup(hit, strlen(hit) - sl);
}

struct layout {
	int strip;
	char *prefix; /* "" when none */
	int score;
};

static void layout_vote(struct layout **v, size_t *n, int strip, const char *prefix,
			struct strv *seen, size_t file)
{
	char *key = xasprintf("%zu:%d:%s", file, strip, prefix);
	if (strv_contains(seen, key)) {
		free(key);
		return;
	}
	strv_add_owned(seen, key);
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].strip == strip && !strcmp((*v)[i].prefix, prefix)) {
			(*v)[i].score++;
			return;
		}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = (struct layout){strip, xstrdup(prefix), 1};
	(*n)++;
}

void patch_resolve_layout(const struct tree *t, const struct patch *p, int *strip, char **prefix)
{
	struct layout *v = NULL;
	size_t n = 0;
	struct strv seen = {0};

	for (size_t i = 0; i < p->nfiles; i++) {
		const struct patch_file *f = &p->files[i];
		const char *cands[2] = {f->old_path, f->new_path};
		if (f->is_new)
			continue;
		for (int c = 0; c < 2; c++) {
			if (!cands[c])
				continue;
			for (int s = 0; s < 16; s++) {
				const char *rest = strip_components(cands[c], s);
				if (!rest)
					break;
				if (tree_has(t, rest)) {
					layout_vote(&v, &n, s, "", &seen, i);
					continue;
				}
				char *pre = unique_prefix_for(t, rest);
				if (pre) {
					layout_vote(&v, &n, s, pre, &seen, i);
					free(pre);
				}
			}
		}
	}
	/* the most files; then the smallest -p; then no prefix, then the shortest */
	struct layout *best = NULL;
	for (size_t i = 0; i < n; i++) {
		struct layout *l = &v[i];
		if (!best || l->score > best->score ||
		    (l->score == best->score &&
		     (l->strip < best->strip ||
		      (l->strip == best->strip && strlen(l->prefix) < strlen(best->prefix)))))
			best = l;
	}
	if (best) {
		*strip = best->strip;
		*prefix = xstrdup(best->prefix);
	} else {
		/* nothing exists: the usual a/ b/ convention decides */
		int git_like = p->nfiles && p->files[0].new_path &&
			       (str_has_prefix(p->files[0].new_path, "b/") || p->is_git);
		*strip = git_like ? 1 : 0;
		*prefix = xstrdup("");
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].prefix);
	free(v);
	strv_free(&seen);
}

char *patch_target_path(const struct patch_file *f, int strip, const char *prefix, int use_new)
{
	const char *p = use_new ? f->new_path : f->old_path;
	if (!p)
		p = use_new ? f->old_path : f->new_path;
	const char *rest = p ? strip_components(p, strip) : NULL;
	if (!rest)
		return NULL;
	return xasprintf("%s%s", prefix, rest);
}
