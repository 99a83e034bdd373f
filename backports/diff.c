/* diff.c - a unified diff of two line arrays (Myers' O(ND) algorithm), used to
 * write a patch refreshed from the patched content: it applies with fuzz 0. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "backports/backports.h"

/* more edits than this in one file is not a backport */
#define DIFF_MAX_EDITS 4000

static int line_eq(const struct tree_line *a, const struct tree_line *b)
{
	return a->len == b->len && a->nl == b->nl && memcmp(a->s, b->s, a->len) == 0;
}

/* ops: 'K' keep, 'D' delete from a, 'I' insert from b */
static int myers(const struct tree_line *a, size_t n, const struct tree_line *b, size_t m,
		 char **ops_out, size_t *nops, struct kerr *e)
{
	long max = (long)(n + m);
	long off = max + 1;
	long *v = xcalloc((size_t)(2 * max + 3), sizeof(long));
	long **trace = NULL;
	long d, D = -1;
	int ret = 0;

	for (d = 0; d <= max; d++) {
		if (d > DIFF_MAX_EDITS) {
			ret = kerr_set(e, KILN_EFAIL, "more than %d changed lines in one file",
				       DIFF_MAX_EDITS);
			goto out;
		}
		for (long k = -d; k <= d; k += 2) {
			long x;
			if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			long y = x - k;
			while (x < (long)n && y < (long)m && line_eq(&a[x], &b[y]))
				x++, y++;
			v[off + k] = x;
		}
		trace = xrealloc(trace, (size_t)(d + 1) * sizeof(*trace));
		trace[d] = xmalloc((size_t)(2 * d + 1) * sizeof(long));
		for (long k = -d; k <= d; k++)
			trace[d][k + d] = v[off + k];
		long k_end = (long)n - (long)m;
		if (k_end >= -d && k_end <= d && ((k_end + d) % 2 == 0) &&
		    v[off + k_end] >= (long)n) {
			D = d;
			break;
		}
	}
	/* walk back from (n, m) */
	{
		size_t cap = n + m + 1, len = 0;
		char *ops = xmalloc(cap);
		long x = (long)n, y = (long)m;
		for (d = D; d > 0; d--) {
			long k = x - y;
			long *pv = trace[d - 1];
			long pk;
			if (k == -d || (k != d && pv[k - 1 + (d - 1)] < pv[k + 1 + (d - 1)]))
				pk = k + 1;
			else
				pk = k - 1;
			long px = pv[pk + (d - 1)], py = px - pk;
			long mx = pk == k + 1 ? px : px + 1;
			long my = mx - k;
			while (x > mx && y > my)
				ops[len++] = 'K', x--, y--;
			ops[len++] = pk == k + 1 ? 'I' : 'D';
			x = px, y = py;
		}
		while (x > 0 && y > 0)
			ops[len++] = 'K', x--, y--;
		for (size_t i = 0; i < len / 2; i++) {
			char c = ops[i];
			ops[i] = ops[len - 1 - i];
			ops[len - 1 - i] = c;
		}
		*ops_out = ops;
		*nops = len;
	}
out:
	for (long i = 0; trace && i <= (D >= 0 ? D : d - 1); i++)
		free(trace[i]);
	free(trace);
	free(v);
	return ret;
}

static void emit(struct kbuf *out, char kind, const struct tree_line *l)
{
	kbuf_add(out, &kind, 1);
	kbuf_add(out, l->s, l->len);
	kbuf_adds(out, "\n");
	if (!l->nl)
		kbuf_adds(out, "\\ No newline at end of file\n");
}

static void range(struct kbuf *out, char sign, size_t start, size_t count)
{
	/* GNU diff: an empty range names the line before it; ",1" is left out */
	if (count == 1)
		kbuf_printf(out, "%c%zu", sign, start + 1);
	else
		kbuf_printf(out, "%c%zu,%zu", sign, count ? start + 1 : start, count);
}

/* diff -p: the nearest line before the hunk that starts like a function */
static void section(struct kbuf *out, const struct tree_line *a, size_t before)
{
	while (before > 0) {
		const struct tree_line *l = &a[--before];
		if (l->len &&
		    (isalpha((unsigned char)l->s[0]) || l->s[0] == '_' || l->s[0] == '$')) {
			size_t n = l->len < 40 ? l->len : 40;
			while (n && isspace((unsigned char)l->s[n - 1]))
				n--;
			kbuf_adds(out, " ");
			for (size_t i = 0; i < n; i++)
				kbuf_add(out, l->s[i] ? &l->s[i] : " ", 1);
			return;
		}
	}
}

int unified_diff(const struct tree_line *a, size_t na, const struct tree_line *b, size_t nb,
		 const char *old_name, const char *new_name, int context, struct kbuf *out,
		 struct kerr *e)
{
	char *ops = NULL;
	size_t nops = 0;
	int ret;

	if ((ret = myers(a, na, b, nb, &ops, &nops, e)) < 0)
		return ret;
	/* a position in ops -> line indices in a and b */
	size_t *ai = xmalloc((nops + 1) * sizeof(size_t)),
	       *bi = xmalloc((nops + 1) * sizeof(size_t));
	size_t x = 0, y = 0;
	for (size_t i = 0; i <= nops; i++) {
		ai[i] = x, bi[i] = y;
		if (i < nops) {
			if (ops[i] != 'I')
				x++;
			if (ops[i] != 'D')
				y++;
		}
	}
	int header = 0;
	size_t i = 0;
	while (i < nops) {
		if (ops[i] == 'K') {
			i++;
			continue;
		}
		/* a hunk: from `context` keeps before this change to `context` after
		 * the last change that is no more than 2*context keeps away */
		size_t start = i >= (size_t)context ? i - (size_t)context : 0;
		while (start < i && ops[start] != 'K')
			start++;
		size_t end = i, keeps = 0;
		for (size_t j = i; j < nops; j++) {
			if (ops[j] == 'K') {
				if (++keeps > 2 * (size_t)context)
					break;
			} else {
				keeps = 0;
				end = j + 1;
			}
		}
		size_t stop = end;
		for (size_t c = 0; c < (size_t)context && stop < nops && ops[stop] == 'K'; c++)
			stop++;
		if (!header) {
			kbuf_printf(out, "--- %s\n+++ %s\n", old_name, new_name);
			header = 1;
		}
		size_t ocount = ai[stop] - ai[start], ncount = bi[stop] - bi[start];
		kbuf_adds(out, "@@ ");
		range(out, '-', ai[start], ocount);
		kbuf_adds(out, " ");
		range(out, '+', bi[start], ncount);
		kbuf_adds(out, " @@");
		section(out, a, ai[start]);
		kbuf_adds(out, "\n");
		for (size_t j = start; j < stop; j++) {
			if (ops[j] == 'K')
				emit(out, ' ', &a[ai[j]]);
			else if (ops[j] == 'D')
				emit(out, '-', &a[ai[j]]);
			else
				emit(out, '+', &b[bi[j]]);
		}
		i = stop;
	}
	free(ai);
	free(bi);
	free(ops);
	return 0;
}
