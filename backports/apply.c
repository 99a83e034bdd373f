/* apply.c - apply a patch series to a tree in memory, hunk by hunk, and say
 * how it applies: cleanly, with offset, ignoring line endings, with fuzz,
 * ignoring whitespace; or that it is already applied, not applicable, or
 * needs a manual backport (which hunk, and why). Never reverses a patch. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "backports/backports.h"

enum match_mode { M_EXACT = 0, M_EOL, M_WS };

struct level {
	int mode, fuzz;
};

/* tried in this order; the first that matches says how the hunk applies */
static const struct level forward_levels[] = {{M_EXACT, 0}, {M_EOL, 0}, {M_EXACT, 1},
					      {M_EXACT, 2}, {M_WS, 0},	{M_EOL, 1},
					      {M_EOL, 2},   {M_WS, 1},	{M_WS, 2}};
static const struct level strict_levels[] = {{M_EXACT, 0}};
/* "already applied": the reverse applies without fuzz, also when only
 * whitespace or line endings differ */
static const struct level reverse_levels[] = {{M_EXACT, 0}, {M_EOL, 0}, {M_WS, 0}};

const char *bp_class_name(enum bp_class c)
{
	static const char *const n[] = {
	    "applies-cleanly",	 "applies-with-offset",		"applies-ignoring-line-endings",
	    "applies-with-fuzz", "applies-ignoring-whitespace", "already-applied",
	    "not-applicable",	 "needs-manual-backport"};
	return (unsigned)c < sizeof(n) / sizeof(n[0]) ? n[c] : "unknown";
}

const char *bp_class_text(enum bp_class c)
{
	static const char *const n[] = {"applies cleanly",
					"applies with an offset",
					"applies only ignoring line endings (CR/LF)",
					"applies only with fuzz",
					"applies only ignoring whitespace",
					"already applied",
					"not applicable (the files it changes do not exist)",
					"needs a manual backport"};
	return (unsigned)c < sizeof(n) / sizeof(n[0]) ? n[c] : "unknown";
}

int bp_class_applies(enum bp_class c)
{
	return c <= BP_APPLIES_IGNORING_WHITESPACE;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int text_eq(const char *a, size_t la, const char *b, size_t lb, int mode)
{
	if (mode == M_EXACT)
		return la == lb && memcmp(a, b, la) == 0;
	if (mode == M_EOL) {
		if (la && a[la - 1] == '\r')
			la--;
		if (lb && b[lb - 1] == '\r')
			lb--;
		return la == lb && memcmp(a, b, la) == 0;
	}
	size_t i = 0, j = 0;
	while (i < la && is_ws(a[i]))
		i++;
	while (j < lb && is_ws(b[j]))
		j++;
	while (i < la && j < lb) {
		if (is_ws(a[i]) && is_ws(b[j])) {
			while (i < la && is_ws(a[i]))
				i++;
			while (j < lb && is_ws(b[j]))
				j++;
			continue;
		}
		if (a[i] != b[j])
			return 0;
		i++, j++;
	}
	while (i < la && is_ws(a[i]))
		i++;
	while (j < lb && is_ws(b[j]))
		j++;
	return i == la && j == lb;
}

/* The sides of a hunk, forward or reversed. */
static int old_side(char kind, int rev)
{
	return kind == ' ' || kind == (rev ? '+' : '-');
}
static int new_side(char kind, int rev)
{
	return kind == ' ' || kind == (rev ? '-' : '+');
}

struct hunk_shape {
	const struct patch_line **old; /* old-side lines in order */
	size_t nold, lead, trail;      /* leading/trailing context lines */
};

static void shape_of(const struct patch_hunk *h, int rev, struct hunk_shape *s)
{
	s->old = xmalloc((h->n + 1) * sizeof(const struct patch_line *));
	s->nold = 0;
	for (size_t i = 0; i < h->n; i++)
		if (old_side(h->lines[i].kind, rev))
			s->old[s->nold++] = &h->lines[i];
	s->lead = 0;
	while (s->lead < h->n && h->lines[s->lead].kind == ' ')
		s->lead++;
	s->trail = 0;
	while (s->trail < h->n && h->lines[h->n - 1 - s->trail].kind == ' ')
		s->trail++;
	if (s->lead > s->nold)
		s->lead = s->nold;
	if (s->trail > s->nold)
		s->trail = s->nold;
}

static int match_at(const struct tree_file *f, long pos, const struct hunk_shape *s, int mode,
		    size_t skipl, size_t skipt)
{
	for (size_t i = skipl; i + skipt < s->nold; i++) {
		long at = pos + (long)i;
		if (at < 0 || at >= (long)f->ncur)
			return 0;
		if (!text_eq(f->cur[at].s, f->cur[at].len, s->old[i]->text, s->old[i]->len, mode))
			return 0;
	}
	return 1;
}

/* search outward from the expected position; -1 when nowhere */
static long find_match(const struct tree_file *f, long expect, long min_pos,
		       const struct hunk_shape *s, int mode, size_t skipl, size_t skipt)
{
	long span = (long)s->nold - (long)skipt; /* pos + span <= ncur */
	long lo = min_pos - (long)skipl, hi = (long)f->ncur - span;
	if (expect < lo)
		expect = lo;
	if (expect > hi)
		expect = hi;
	for (long d = 0;; d++) {
		int in = 0;
		if (expect - d >= lo && expect - d <= hi) {
			in = 1;
			if (match_at(f, expect - d, s, mode, skipl, skipt))
				return expect - d;
		}
		if (d && expect + d >= lo && expect + d <= hi) {
			in = 1;
			if (match_at(f, expect + d, s, mode, skipl, skipt))
				return expect + d;
		}
		if (!in && (expect - d < lo && expect + d > hi))
			return -1;
	}
}

static int line_has_cr(const char *s, size_t len)
{
	return len && s[len - 1] == '\r';
}

/* Replace the matched old lines with the hunk's new side: context lines keep
 * the file's text; added lines follow the file's line endings when the match
 * ignored them. Returns the change in line count. */
static long splice(struct tree_file *f, long pos, const struct patch_hunk *h, int rev,
		   const struct hunk_shape *s, int mode, size_t skipl, size_t skipt)
{
	size_t from = (size_t)(pos + (long)skipl), to = (size_t)(pos + (long)s->nold - (long)skipt);
	int crlf = 0;
	if (mode != M_EXACT) {
		size_t cr = 0, all = 0;
		size_t a = to > from ? from : 0, b = to > from ? to : f->ncur;
		for (size_t i = a; i < b; i++, all++)
			cr += line_has_cr(f->cur[i].s, f->cur[i].len);
		crlf = all && cr * 2 > all;
	}
	struct tree_line *mid = xmalloc((h->n + 1) * sizeof(*mid));
	size_t nmid = 0, oi = 0;
	for (size_t i = 0; i < h->n; i++) {
		const struct patch_line *l = &h->lines[i];
		int o = old_side(l->kind, rev), n = new_side(l->kind, rev);
		if (o && n) { /* context */
			if (oi >= skipl && oi + skipt < s->nold) {
				struct tree_line *src = &f->cur[pos + (long)oi];
				mid[nmid++] = (struct tree_line){bp_memdup(src->s, src->len),
								 src->len, src->nl};
			}
			oi++;
		} else if (o) {
			oi++;
		} else if (n) {
			size_t len = l->len;
			char *t;
			if (mode != M_EXACT && crlf && !line_has_cr(l->text, len)) {
				t = xmalloc(len + 2);
				memcpy(t, l->text, len);
				t[len++] = '\r';
				t[len] = '\0';
			} else {
				if (mode != M_EXACT && !crlf && line_has_cr(l->text, len))
					len--;
				t = bp_memdup(l->text, len);
			}
			mid[nmid++] = (struct tree_line){t, len, l->nl};
		}
	}
	/* a line the patch adds after a last line without newline gets one */
	size_t nnew = f->ncur - (to - from) + nmid;
	struct tree_line *lines = xmalloc((nnew + 1) * sizeof(*lines));
	if (from)
		memcpy(lines, f->cur, from * sizeof(*lines));
	if (nmid)
		memcpy(lines + from, mid, nmid * sizeof(*lines));
	if (f->ncur > to)
		memcpy(lines + from + nmid, f->cur + to, (f->ncur - to) * sizeof(*lines));
	for (size_t i = from; i < to; i++)
		free(f->cur[i].s);
	for (size_t i = 0; i + 1 < nnew; i++)
		lines[i].nl = 1;
	free(f->cur);
	free(mid);
	f->cur = lines;
	f->ncur = nnew;
	return (long)nmid - (long)(to - from);
}

static struct tree_line *copy_lines(const struct tree_line *l, size_t n)
{
	struct tree_line *c = xmalloc((n + 1) * sizeof(*c));
	for (size_t i = 0; i < n; i++)
		c[i] = (struct tree_line){bp_memdup(l[i].s, l[i].len), l[i].len, l[i].nl};
	return c;
}

static void drop_lines(struct tree_line *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i].s);
	free(l);
}

/* ---- resolving patch paths in the tree: -pN and a missing/extra prefix ---- */

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

/* Pick the -pN and prefix under which most of the patch's files exist. */
static void resolve_layout(const struct tree *t, const struct patch *p, int *strip, char **prefix)
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

static char *target_path(const struct patch_file *f, int strip, const char *prefix, int use_new)
{
	const char *p = use_new ? f->new_path : f->old_path;
	if (!p)
		p = use_new ? f->old_path : f->new_path;
	const char *rest = p ? strip_components(p, strip) : NULL;
	if (!rest)
		return NULL;
	return xasprintf("%s%s", prefix, rest);
}

/* ---- one patch ---- */

struct saved {
	size_t idx; /* into t->files */
	struct tree_line *cur;
	size_t ncur;
	int exists, touched;
};

static void save_files(struct tree *t, const size_t *idx, size_t n, struct saved *sv)
{
	for (size_t i = 0; i < n; i++) {
		struct tree_file *f = &t->files[idx[i]];
		sv[i] = (struct saved){idx[i], copy_lines(f->cur, f->ncur), f->ncur, f->exists,
				       f->touched};
	}
}

static void restore_files(struct tree *t, struct saved *sv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct tree_file *f = &t->files[sv[i].idx];
		drop_lines(f->cur, f->ncur);
		f->cur = copy_lines(sv[i].cur, sv[i].ncur);
		f->ncur = sv[i].ncur;
		f->exists = sv[i].exists;
		f->touched = sv[i].touched;
	}
}

static void free_saved(struct saved *sv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		drop_lines(sv[i].cur, sv[i].ncur);
	free(sv);
}

static char *show(const char *s, size_t len)
{
	if (len && s[len - 1] == '\r')
		len--;
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	if (len > 60)
		return xasprintf("%.57s...", s);
	return xstrndup(s, len);
}

/* Why a hunk does not match: the closest place and its first differing line. */
static char *explain_mismatch(const struct tree_file *f, const struct patch_hunk *h,
			      const struct hunk_shape *s, long expect)
{
	long best = -1, best_score = -1;
	for (long pos = -(long)s->nold + 1; pos < (long)f->ncur; pos++) {
		long score = 0;
		for (size_t i = 0; i < s->nold; i++) {
			long at = pos + (long)i;
			if (at >= 0 && at < (long)f->ncur &&
			    text_eq(f->cur[at].s, f->cur[at].len, s->old[i]->text, s->old[i]->len,
				    M_WS))
				score++;
		}
		if (score > best_score ||
		    (score == best_score && labs(pos - expect) < labs(best - expect))) {
			best_score = score;
			best = pos;
		}
	}
	if (best_score <= 0)
		return xasprintf("none of its %zu context/removed lines is in %s", s->nold,
				 f->path);
	for (size_t i = 0; i < s->nold; i++) {
		long at = best + (long)i;
		if (at < 0 || at >= (long)f->ncur) {
			char *want = show(s->old[i]->text, s->old[i]->len);
			char *r = xasprintf("closest match at line %ld of %s runs past the file's "
					    "end where the patch expects \"%s\"",
					    best + 1, f->path, want);
			free(want);
			return r;
		}
		if (!text_eq(f->cur[at].s, f->cur[at].len, s->old[i]->text, s->old[i]->len, M_WS)) {
			char *want = show(s->old[i]->text, s->old[i]->len);
			char *have = show(f->cur[at].s, f->cur[at].len);
			char *r =
			    xasprintf("%ld of its %zu context/removed lines match near line "
				      "%ld of %s; line %ld differs: the patch expects \"%s\", "
				      "the file has \"%s\"",
				      best_score, s->nold, best + 1, f->path, at + 1, want, have);
			free(want);
			free(have);
			return r;
		}
	}
	(void)h;
	return xasprintf("its lines match near line %ld of %s only out of order", best + 1,
			 f->path);
}

struct pass {
	struct hunk_result *hunks;
	size_t n;
	enum bp_class worst;
	int ok;
};

static void pass_free(struct pass *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->hunks[i].file);
		free(ps->hunks[i].why);
	}
	free(ps->hunks);
	memset(ps, 0, sizeof(*ps));
}

static struct hunk_result *pass_add(struct pass *ps, const char *file, size_t index, size_t line)
{
	ps->hunks = xrealloc(ps->hunks, (ps->n + 1) * sizeof(*ps->hunks));
	struct hunk_result *r = &ps->hunks[ps->n++];
	memset(r, 0, sizeof(*r));
	r->file = xstrdup(file ? file : "?");
	r->index = index;
	r->patch_line = line;
	return r;
}

static enum bp_class level_class(const struct level *l, long offset)
{
	if (l->mode == M_WS)
		return BP_APPLIES_IGNORING_WHITESPACE;
	if (l->fuzz)
		return BP_APPLIES_WITH_FUZZ;
	if (l->mode == M_EOL)
		return BP_APPLIES_IGNORING_EOL;
	return offset ? BP_APPLIES_WITH_OFFSET : BP_APPLIES_CLEANLY;
}

static int whole_file_equals(const struct tree_file *f, const struct patch_hunk *h, char kind,
			     int mode)
{
	size_t k = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (h->lines[i].kind != kind && h->lines[i].kind != ' ')
			continue;
		if (k >= f->ncur ||
		    !text_eq(f->cur[k].s, f->cur[k].len, h->lines[i].text, h->lines[i].len, mode))
			return 0;
		k++;
	}
	return k == f->ncur;
}

/* Apply every file of p (paths already resolved to idx[]) at the given
 * levels; fills ps. The tree is changed; the caller restores on failure. */
static void run_pass(struct tree *t, const struct patch *p, char **paths, const size_t *idx,
		     int rev, const struct level *levels, size_t nlevels, struct pass *ps)
{
	ps->ok = 1;
	ps->worst = BP_APPLIES_CLEANLY;
	for (size_t fi = 0; fi < p->nfiles; fi++) {
		const struct patch_file *pf = &p->files[fi];
		struct tree_file *f = idx[fi] == (size_t)-1 ? NULL : &t->files[idx[fi]];
		int creates = rev ? pf->is_delete : pf->is_new;
		int deletes = rev ? pf->is_new : pf->is_delete;
		if (!f) {
			struct hunk_result *r = pass_add(ps, paths[fi], 1, pf->line_no);
			r->why = xasprintf("cannot map path %s into the tree",
					   pf->new_path ? pf->new_path : pf->old_path);
			ps->ok = 0;
			continue;
		}
		if (pf->is_binary || pf->is_rename) {
			struct hunk_result *r = pass_add(ps, f->path, 1, pf->line_no);
			r->why = xstrdup(pf->is_binary ? "binary diffs are not supported"
						       : "renames are not supported");
			ps->ok = 0;
			continue;
		}
		if (creates) {
			struct hunk_result *r = pass_add(ps, f->path, 1, pf->line_no);
			if (f->exists) {
				/* the content is there already: only the reverse check may use it
				 */
				r->why = xasprintf("%s is to be created but exists", f->path);
				ps->ok = 0;
				continue;
			}
			for (size_t l = 0; l < f->ncur; l++)
				free(f->cur[l].s);
			f->ncur = 0;
			for (size_t h = 0; h < pf->nhunks; h++)
				splice(f, 0, &pf->hunks[h], rev,
				       &(struct hunk_shape){NULL, 0, 0, 0}, M_EXACT, 0, 0);
			f->exists = f->touched = 1;
			r->applied = 1;
			r->cls = BP_APPLIES_CLEANLY;
			continue;
		}
		if (!f->exists) {
			struct hunk_result *r = pass_add(ps, f->path, 1, pf->line_no);
			r->why = xasprintf("%s does not exist in this version", f->path);
			ps->ok = 0;
			continue;
		}
		if (deletes) {
			struct hunk_result *r = pass_add(ps, f->path, 1, pf->line_no);
			int same = 0;
			for (size_t l = 0; l < nlevels && !same && pf->nhunks == 1; l++)
				same = whole_file_equals(f, &pf->hunks[0], rev ? '+' : '-',
							 levels[l].mode) &&
				       levels[l].fuzz == 0;
			if (same || pf->nhunks == 0) {
				drop_lines(f->cur, f->ncur);
				f->cur = NULL;
				f->ncur = 0;
				f->exists = 0;
				f->touched = 1;
				r->applied = 1;
			} else {
				r->why = xasprintf("%s is to be deleted but its content differs",
						   f->path);
				ps->ok = 0;
			}
			continue;
		}
		long delta = 0, last_offset = 0, min_pos = 0;
		for (size_t h = 0; h < pf->nhunks; h++) {
			const struct patch_hunk *hk = &pf->hunks[h];
			struct hunk_result *r = pass_add(ps, f->path, h + 1, hk->line_no);
			struct hunk_shape s;
			shape_of(hk, rev, &s);
			long start = rev ? hk->new_start : hk->old_start;
			long count = (long)s.nold;
			long expect = (count ? start - 1 : start) + delta + last_offset;
			long pos = -1;
			const struct level *hit = NULL;
			size_t skl = 0, skt = 0;
			for (size_t l = 0; l < nlevels && pos < 0; l++) {
				size_t fz = (size_t)levels[l].fuzz;
				skl = fz < s.lead ? fz : s.lead;
				skt = fz < s.trail ? fz : s.trail;
				if (levels[l].fuzz && !skl && !skt)
					continue;
				/* never fuzz away every context line */
				if (skl + skt >= s.nold && s.nold)
					continue;
				pos = find_match(f, expect, min_pos, &s, levels[l].mode, skl, skt);
				if (pos >= 0)
					hit = &levels[l];
			}
			if (pos < 0) {
				/* a hunk whose change is there already says so */
				struct hunk_shape rs;
				shape_of(hk, !rev, &rs);
				long at = find_match(f, expect, 0, &rs, M_WS, 0, 0);
				free(rs.old);
				r->why = at >= 0
					     ? xasprintf("this hunk's change is already there (at "
							 "line %ld of %s)",
							 at + 1, f->path)
					     : explain_mismatch(f, hk, &s, expect);
				ps->ok = 0;
				free(s.old);
				continue;
			}
			r->offset = pos - expect + last_offset;
			r->fuzz = hit->fuzz ? (int)(skl > skt ? skl : skt) : 0;
			r->cls = level_class(hit, r->offset);
			r->applied = 1;
			if (r->cls > ps->worst)
				ps->worst = r->cls;
			last_offset = pos - (expect - last_offset);
			long d = splice(f, pos, hk, rev, &s, hit->mode, skl, skt);
			min_pos = pos + (long)s.nold - (long)skt + d;
			delta += d;
			f->touched = 1;
			free(s.old);
		}
	}
}

static void take_pass(struct patch_result *pr, struct pass *ps)
{
	pr->hunks = ps->hunks;
	pr->nhunks = ps->n;
	ps->hunks = NULL;
	ps->n = 0;
}

/* the fingerprints of the patches debian/patches/series lists */
static void series_fingerprints(struct tree *t, struct strv *names, struct strv *fps)
{
	char *series = xasprintf("%s/debian/patches/series", t->root);
	struct kbuf b;
	struct kerr e = {0};
	struct strv lines = {0};
	kbuf_init(&b);
	if (tree_safe_path(t->root, "debian/patches/series", &e) == 0 &&
	    read_file(series, &b, 1 << 20, &e) == 0 && b.data)
		strv_split(&lines, b.data, "\n");
	for (size_t i = 0; i < lines.n; i++) {
		char *name = lines.v[i];
		name[strcspn(name, " \t#")] = '\0';
		if (!name[0])
			continue;
		char *rel = xasprintf("debian/patches/%s", name);
		char *full = xasprintf("%s/%s", t->root, rel);
		struct patch p;
		if (tree_safe_path(t->root, rel, &e) == 0 && patch_load(full, &p, &e) == 0) {
			char hex[SHA256_HEX_LEN + 1];
			patch_fingerprint(&p, hex);
			strv_add(names, rel);
			strv_add(fps, hex);
			patch_free(&p);
		}
		free(rel);
		free(full);
	}
	strv_free(&lines);
	kbuf_free(&b);
	free(series);
}

static int classify_one(struct tree *t, const struct patch *p, const struct strv *sn,
			const struct strv *sfp, struct patch_result *pr, struct kerr *e)
{
	char hex[SHA256_HEX_LEN + 1];
	char *prefix = NULL;
	int strip, ret = 0;
	char **paths = xcalloc(p->nfiles + 1, sizeof(char *));
	size_t *idx = xcalloc(p->nfiles + 1, sizeof(size_t));
	struct saved *sv = NULL;
	struct pass ps = {0};
	size_t present = 0, changes_existing = 0;

	pr->name = xstrdup(p->name);
	patch_fingerprint(p, hex);
	for (size_t i = 0; i < sfp->n; i++)
		if (!strcmp(sfp->v[i], hex)) {
			pr->cls = BP_ALREADY_APPLIED;
			pr->same_as = xstrdup(sn->v[i]);
			pr->why = xasprintf("the same change is already in %s", sn->v[i]);
			goto out;
		}
	resolve_layout(t, p, &strip, &prefix);
	pr->strip = strip;
	pr->prefix = prefix[0] ? xstrdup(prefix) : NULL;
	for (size_t i = 0; i < p->nfiles; i++) {
		struct tree_file *f;
		struct kerr pe = {0};
		paths[i] = target_path(&p->files[i], strip, prefix, !p->files[i].is_delete);
		idx[i] = (size_t)-1;
		if (paths[i] && tree_get(t, paths[i], &f, &pe) == 0) {
			idx[i] = (size_t)(f - t->files);
			if (!p->files[i].is_new) {
				changes_existing++;
				present += f->exists;
			}
		} else if (paths[i] && pe.code == KILN_EVERIFY) {
			ret = kerr_set(e, KILN_EVERIFY, "%s: %s", p->name, pe.msg);
			goto out;
		}
	}
	if (changes_existing && !present) {
		struct kbuf l;
		kbuf_init(&l);
		for (size_t i = 0; i < p->nfiles; i++)
			if (!p->files[i].is_new)
				kbuf_printf(&l, "%s%s", l.len ? ", " : "",
					    paths[i] ? paths[i] : "?");
		pr->cls = BP_NOT_APPLICABLE;
		pr->why =
		    xasprintf("none of the files it changes exists in this version: %s", l.data);
		kbuf_free(&l);
		goto out;
	}
	size_t nidx = 0;
	size_t *uniq = xcalloc(p->nfiles + 1, sizeof(size_t));
	for (size_t i = 0; i < p->nfiles; i++) {
		int dup = idx[i] == (size_t)-1;
		for (size_t j = 0; j < nidx && !dup; j++)
			dup = uniq[j] == idx[i];
		if (!dup)
			uniq[nidx++] = idx[i];
	}
	sv = xcalloc(nidx + 1, sizeof(*sv));
	save_files(t, uniq, nidx, sv);
	free(uniq);

	/* 1: forward, exact (offsets allowed) */
	run_pass(t, p, paths, idx, 0, strict_levels, 1, &ps);
	if (ps.ok) {
		pr->cls = ps.worst;
		take_pass(pr, &ps);
		goto out_saved;
	}
	restore_files(t, sv, nidx);
	pass_free(&ps);
	/* 2: is it there already? (the reverse applies; nothing is kept) */
	run_pass(t, p, paths, idx, 1, reverse_levels, 3, &ps);
	restore_files(t, sv, nidx);
	if (ps.ok) {
		pr->cls = BP_ALREADY_APPLIED;
		pr->why = xstrdup(ps.worst == BP_APPLIES_IGNORING_WHITESPACE
				      ? "its reverse applies (ignoring whitespace): the change is "
					"already there"
				      : "its reverse applies cleanly: the change is already there");
		take_pass(pr, &ps);
		goto out_saved;
	}
	pass_free(&ps);
	/* 3: forward with line endings, fuzz and whitespace tolerated */
	run_pass(t, p, paths, idx, 0, forward_levels,
		 sizeof(forward_levels) / sizeof(forward_levels[0]), &ps);
	if (ps.ok) {
		pr->cls = ps.worst;
		take_pass(pr, &ps);
		goto out_saved;
	}
	restore_files(t, sv, nidx);
	pr->cls = BP_NEEDS_MANUAL;
	take_pass(pr, &ps);
	for (size_t i = 0; i < pr->nhunks; i++)
		if (!pr->hunks[i].applied) {
			struct hunk_result *h = &pr->hunks[i];
			pr->why = xasprintf("hunk %zu of %s (patch line %zu) fails: %s", h->index,
					    h->file, h->patch_line, h->why);
			break;
		}
out_saved:
	free_saved(sv, nidx);
out:
	for (size_t i = 0; i < p->nfiles; i++)
		free(paths[i]);
	free(paths);
	free(idx);
	free(prefix);
	pass_free(&ps);
	return ret;
}

int bp_classify(struct tree *t, struct patch *const *patches, size_t n,
		struct bp_classification *out, struct kerr *e)
{
	struct strv sn = {0}, sfp = {0};
	int ret = 0;
	size_t applied = 0, already = 0, na = 0, failed = (size_t)-1;
	enum bp_class worst = BP_APPLIES_CLEANLY;

	memset(out, 0, sizeof(*out));
	out->patches = xcalloc(n + 1, sizeof(*out->patches));
	out->n = n;
	series_fingerprints(t, &sn, &sfp);
	for (size_t i = 0; i < n; i++) {
		struct patch_result *pr = &out->patches[i];
		if (failed != (size_t)-1) {
			pr->name = xstrdup(patches[i]->name);
			pr->cls = BP_NEEDS_MANUAL;
			pr->why = xasprintf("not tried: %s before it fails", patches[failed]->name);
			continue;
		}
		if ((ret = classify_one(t, patches[i], &sn, &sfp, pr, e)) < 0)
			goto out;
		if (pr->cls == BP_NEEDS_MANUAL)
			failed = i;
		else if (pr->cls == BP_ALREADY_APPLIED)
			already++;
		else if (pr->cls == BP_NOT_APPLICABLE)
			na++;
		else {
			applied++;
			if (pr->cls > worst)
				worst = pr->cls;
		}
	}
	if (failed != (size_t)-1) {
		out->cls = BP_NEEDS_MANUAL;
		out->summary = xasprintf("needs a manual backport: %s: %s", patches[failed]->name,
					 out->patches[failed].why);
	} else if (applied && na) {
		/* part of the fix has nowhere to go: a person must decide */
		out->cls = BP_NEEDS_MANUAL;
		for (size_t i = 0; i < n; i++)
			if (out->patches[i].cls == BP_NOT_APPLICABLE) {
				out->summary =
				    xasprintf("needs a manual backport: %s applies but %s "
					      "does not: %s",
					      n > 1 ? "the rest of the series" : "it",
					      patches[i]->name, out->patches[i].why);
				break;
			}
	} else if (applied) {
		out->cls = worst;
		out->summary = already ? xasprintf("%s (%zu of %zu patches already applied, "
						   "skipped)",
						   bp_class_text(worst), already, n)
				       : xstrdup(bp_class_text(worst));
	} else if (already) {
		out->cls = BP_ALREADY_APPLIED;
		for (size_t i = 0; i < n; i++)
			if (out->patches[i].cls == BP_ALREADY_APPLIED) {
				out->summary =
				    xasprintf("already applied: %s", out->patches[i].why);
				break;
			}
	} else {
		out->cls = BP_NOT_APPLICABLE;
		out->summary =
		    xasprintf("not applicable: %s", n ? out->patches[0].why : "no patches");
	}
out:
	strv_free(&sn);
	strv_free(&sfp);
	if (ret < 0)
		bp_classification_free(out);
	return ret;
}

void bp_classification_free(struct bp_classification *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		struct patch_result *pr = &c->patches[i];
		for (size_t j = 0; j < pr->nhunks; j++) {
			free(pr->hunks[j].file);
			free(pr->hunks[j].why);
		}
		free(pr->hunks);
		free(pr->name);
		free(pr->prefix);
		free(pr->same_as);
		free(pr->why);
	}
	free(c->patches);
	free(c->summary);
	memset(c, 0, sizeof(*c));
}
