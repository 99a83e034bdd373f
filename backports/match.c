/* match.c - where a hunk matches in a file held in memory: line comparison
 * (exact, ignoring line endings, ignoring whitespace), the search outward
 * from the expected line, and why a hunk matches nowhere. */
#include <stdlib.h>
#include <string.h>

#include "backports/apply-private.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int line_text_eq(const char *a, size_t la, const char *b, size_t lb, int mode)
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
int hunk_old_side(char kind, int rev)
{
	return kind == ' ' || kind == (rev ? '+' : '-');
}
int hunk_new_side(char kind, int rev)
{
	return kind == ' ' || kind == (rev ? '-' : '+');
}

void hunk_shape_of(const struct patch_hunk *h, int rev, struct hunk_shape *s)
{
	s->old = xmalloc((h->n + 1) * sizeof(const struct patch_line *));
	s->nold = 0;
	for (size_t i = 0; i < h->n; i++)
		if (hunk_old_side(h->lines[i].kind, rev))
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
		if (!line_text_eq(f->cur[at].s, f->cur[at].len, s->old[i]->text, s->old[i]->len,
				  mode))
			return 0;
	}
	return 1;
}

/* search outward from the expected position; -1 when nowhere */
long hunk_find_match(const struct tree_file *f, long expect, long min_pos,
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
char *hunk_explain_mismatch(const struct tree_file *f, const struct patch_hunk *h,
			    const struct hunk_shape *s, long expect)
{
	long best = -1, best_score = -1;
	for (long pos = -(long)s->nold + 1; pos < (long)f->ncur; pos++) {
		long score = 0;
		for (size_t i = 0; i < s->nold; i++) {
			long at = pos + (long)i;
			if (at >= 0 && at < (long)f->ncur &&
			    line_text_eq(f->cur[at].s, f->cur[at].len, s->old[i]->text,
					 s->old[i]->len, M_WS))
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
		if (!line_text_eq(f->cur[at].s, f->cur[at].len, s->old[i]->text, s->old[i]->len,
				  M_WS)) {
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
