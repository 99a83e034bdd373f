/* hunks.c - apply one patch's hunks to the tree in memory at given match
 * levels (a "pass"), keeping what each hunk did; save and restore the files
 * a pass may change. */
#include <stdlib.h>
#include <string.h>

#include "backports/apply-private.h"

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
		int o = hunk_old_side(l->kind, rev), n = hunk_new_side(l->kind, rev);
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

void tree_save_files(struct tree *t, const size_t *idx, size_t n, struct saved *sv)
{
	for (size_t i = 0; i < n; i++) {
		struct tree_file *f = &t->files[idx[i]];
		sv[i] = (struct saved){idx[i], copy_lines(f->cur, f->ncur), f->ncur, f->exists,
				       f->touched};
	}
}

void tree_restore_files(struct tree *t, struct saved *sv, size_t n)
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

void saved_free(struct saved *sv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		drop_lines(sv[i].cur, sv[i].ncur);
	free(sv);
}

void pass_free(struct pass *ps)
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
		if (k >= f->ncur || !line_text_eq(f->cur[k].s, f->cur[k].len, h->lines[i].text,
						  h->lines[i].len, mode))
			return 0;
		k++;
	}
	return k == f->ncur;
}

/* Apply every file of p (paths already resolved to idx[]) at the given
 * levels; fills ps. The tree is changed; the caller restores on failure. */
void pass_run(struct tree *t, const struct patch *p, char **paths, const size_t *idx, int rev,
	      const struct level *levels, size_t nlevels, struct pass *ps)
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
			hunk_shape_of(hk, rev, &s);
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
				pos = hunk_find_match(f, expect, min_pos, &s, levels[l].mode, skl,
						      skt);
				if (pos >= 0)
					hit = &levels[l];
			}
			if (pos < 0) {
				/* a hunk whose change is there already says so */
				struct hunk_shape rs;
				hunk_shape_of(hk, !rev, &rs);
				long at = hunk_find_match(f, expect, 0, &rs, M_WS, 0, 0);
				free(rs.old);
				r->why = at >= 0
					     ? xasprintf("this hunk's change is already there (at "
							 "line %ld of %s)",
							 at + 1, f->path)
					     : hunk_explain_mismatch(f, hk, &s, expect);
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

void pass_take(struct patch_result *pr, struct pass *ps)
{
	pr->hunks = ps->hunks;
	pr->nhunks = ps->n;
	ps->hunks = NULL;
	ps->n = 0;
}
