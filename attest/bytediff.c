/* bytediff.c - how two versions of one file differ: a bounded unified diff of text, ELF sections,
 * byte ranges. */
#include "attest/attest.h"

#include <stdlib.h>
#include <string.h>

/* ---------------- text ---------------- */

struct line {
	const char *p;
	size_t n; /* including the '\n' when there is one */
};

static int is_text(const struct kbuf *b)
{
	return memchr(b->data, 0, b->len) == NULL;
}

static struct line *split_lines(const struct kbuf *b, size_t *count)
{
	size_t cap = 16, n = 0;
	struct line *l = xmalloc(cap * sizeof(*l));
	const char *p = b->data, *end = b->data + b->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (n == cap)
			l = xrealloc(l, (cap *= 2) * sizeof(*l));
		l[n].p = p;
		l[n].n = len;
		n++;
		p += len;
	}
	*count = n;
	return l;
}

static int line_eq(const struct line *a, const struct line *b)
{
	return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

enum { OP_SAME = ' ', OP_DEL = '-', OP_ADD = '+' };

struct edit {
	char op;
	size_t ai, bi; /* line indexes (of a for ' ' and '-', of b for '+') */
};

/* LCS by dynamic programming on the part between the common prefix and
 * suffix; too large a middle is reported as replaced whole (bounded memory). */
#define LCS_MAX_CELLS (4u << 20)

static struct edit *edit_script(const struct line *a, size_t na, const struct line *b, size_t nb,
				size_t *count)
{
	size_t pre = 0, suf = 0, k = 0;
	struct edit *ed = xmalloc((na + nb + 1) * sizeof(*ed));

	while (pre < na && pre < nb && line_eq(&a[pre], &b[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre && line_eq(&a[na - 1 - suf], &b[nb - 1 - suf]))
		suf++;
	for (size_t i = 0; i < pre; i++)
		ed[k++] = (struct edit){OP_SAME, i, i};
	size_t n = na - pre - suf, m = nb - pre - suf;
	if (n && m && (n + 1) * (m + 1) <= LCS_MAX_CELLS) {
		uint32_t *t = xcalloc((n + 1) * (m + 1), sizeof(*t));
#define T(i, j) t[(i) * (m + 1) + (j)]
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				T(i, j) =
				    line_eq(&a[pre + i], &b[pre + j])
					? T(i + 1, j + 1) + 1
					: (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
		size_t i = 0, j = 0;
		while (i < n || j < m) {
			if (i < n && j < m && line_eq(&a[pre + i], &b[pre + j])) {
				ed[k++] = (struct edit){OP_SAME, pre + i, pre + j};
				i++;
				j++;
			} else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
				/* deletions first, as diff -u shows them */
				ed[k++] = (struct edit){OP_DEL, pre + i, pre + j};
				i++;
			} else {
				ed[k++] = (struct edit){OP_ADD, pre + i, pre + j};
				j++;
			}
		}
#undef T
		free(t);
	} else {
		for (size_t i = 0; i < n; i++)
			ed[k++] = (struct edit){OP_DEL, pre + i, pre};
		for (size_t j = 0; j < m; j++)
			ed[k++] = (struct edit){OP_ADD, pre + n, pre + j};
	}
	for (size_t i = 0; i < suf; i++)
		ed[k++] = (struct edit){OP_SAME, na - suf + i, nb - suf + i};
	*count = k;
	return ed;
}

static void add_line(json_t *out, char op, const struct line *l, size_t max, int *truncated)
{
	if (json_array_size(out) >= max) {
		*truncated = 1;
		return;
	}
	size_t n = l->n && l->p[l->n - 1] == '\n' ? l->n - 1 : l->n;
	char *s = xmalloc(n + 2);
	s[0] = op;
	memcpy(s + 1, l->p, n);
	s[n + 1] = 0;
	/* jansson wants UTF-8; replace anything else so that a diff of Latin-1
	 * text still shows */
	json_t *j = json_string(s);
	if (!j) {
		for (size_t i = 1; i <= n; i++)
			if ((unsigned char)s[i] >= 0x80)
				s[i] = '?';
		j = json_string(s);
	}
	json_array_append_new(out, j);
	free(s);
}

#define CONTEXT 3

json_t *text_unified_diff(const struct kbuf *a, const struct kbuf *b, size_t max_lines,
			  int *truncated)
{
	size_t na, nb, ne;
	struct line *la, *lb;
	struct edit *ed;
	json_t *out;

	*truncated = 0;
	if (!is_text(a) || !is_text(b))
		return NULL;
	la = split_lines(a, &na);
	lb = split_lines(b, &nb);
	ed = edit_script(la, na, lb, nb, &ne);
	out = json_array();
	for (size_t i = 0; i < ne;) {
		if (ed[i].op == OP_SAME) {
			i++;
			continue;
		}
		/* a hunk: CONTEXT lines before the first change; it goes on across
		 * runs of at most 2*CONTEXT unchanged lines, then CONTEXT lines after */
		size_t start = i >= CONTEXT ? i - CONTEXT : 0, stop = i;
		for (;;) {
			while (stop < ne && ed[stop].op != OP_SAME)
				stop++;
			size_t run = 0;
			while (stop + run < ne && ed[stop + run].op == OP_SAME)
				run++;
			if (stop + run == ne || run > 2 * CONTEXT) {
				stop += run < CONTEXT ? run : CONTEXT;
				break;
			}
			stop += run;
		}
		size_t a0 = 0, acount = 0, b0 = 0, bcount = 0;
		for (size_t k = start; k < stop; k++) {
			if (ed[k].op != OP_ADD && acount++ == 0)
				a0 = ed[k].ai;
			if (ed[k].op != OP_DEL && bcount++ == 0)
				b0 = ed[k].bi;
		}
		/* an empty side is numbered by the line before it, as diff -u does */
		if (!acount)
			a0 = ed[start].ai;
		if (!bcount)
			b0 = ed[start].bi;
		if (json_array_size(out) < max_lines) {
			char *h = xasprintf("@@ -%zu,%zu +%zu,%zu @@", acount ? a0 + 1 : a0, acount,
					    bcount ? b0 + 1 : b0, bcount);
			json_array_append_new(out, json_string(h));
			free(h);
		} else {
			*truncated = 1;
		}
		for (size_t k = start; k < stop; k++)
			add_line(out, (char)ed[k].op,
				 ed[k].op == OP_ADD ? &lb[ed[k].bi] : &la[ed[k].ai], max_lines,
				 truncated);
		i = stop;
	}
	free(la);
	free(lb);
	free(ed);
	return out;
}

/* ---------------- ELF ---------------- */

struct elf_section {
	char *name;
	uint64_t off, size;
	int nobits;
	char sha256[SHA256_HEX_LEN + 1];
};

static uint64_t rd(const unsigned char *p, int n, int be)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

/* every section with its name and content hash; NULL when not a sane ELF */
static struct elf_section *elf_sections(const struct kbuf *b, size_t *count)
{
	const unsigned char *p = (const unsigned char *)b->data;
	size_t len = b->len;

	if (len < 52 || memcmp(p, "\177ELF", 4) || (p[4] != 1 && p[4] != 2) ||
	    (p[5] != 1 && p[5] != 2))
		return NULL;
	int is64 = p[4] == 2, be = p[5] == 2;
	if (is64 && len < 64)
		return NULL;
	uint64_t shoff = is64 ? rd(p + 0x28, 8, be) : rd(p + 0x20, 4, be);
	uint64_t shentsize = rd(p + (is64 ? 0x3A : 0x2E), 2, be);
	uint64_t shnum = rd(p + (is64 ? 0x3C : 0x30), 2, be);
	uint64_t shstrndx = rd(p + (is64 ? 0x3E : 0x32), 2, be);
	if (shentsize < (uint64_t)(is64 ? 64 : 40) || shnum == 0 || shnum > 65535 || shoff > len ||
	    shnum * shentsize > len - shoff || shstrndx >= shnum)
		return NULL;
	const unsigned char *strh = p + shoff + shstrndx * shentsize;
	uint64_t stroff = is64 ? rd(strh + 24, 8, be) : rd(strh + 16, 4, be);
	uint64_t strsize = is64 ? rd(strh + 32, 8, be) : rd(strh + 20, 4, be);
	if (stroff > len || strsize > len - stroff)
		return NULL;
	struct elf_section *s = xcalloc(shnum, sizeof(*s));
	for (uint64_t i = 0; i < shnum; i++) {
		const unsigned char *h = p + shoff + i * shentsize;
		uint64_t nameoff = rd(h, 4, be), type = rd(h + 4, 4, be);
		s[i].off = is64 ? rd(h + 24, 8, be) : rd(h + 16, 4, be);
		s[i].size = is64 ? rd(h + 32, 8, be) : rd(h + 20, 4, be);
		s[i].nobits = type == 8 /* SHT_NOBITS */ || type == 0 /* SHT_NULL */;
		if (nameoff < strsize) {
			const char *nm = (const char *)p + stroff + nameoff;
			s[i].name = xstrndup(nm, strnlen(nm, (size_t)(strsize - nameoff)));
		} else {
			s[i].name = xasprintf("(section %llu)", (unsigned long long)i);
		}
		if (!*s[i].name) {
			free(s[i].name);
			s[i].name = xasprintf("(section %llu)", (unsigned long long)i);
		}
		if (!s[i].nobits && s[i].off <= len && s[i].size <= len - s[i].off)
			sha256_mem(p + s[i].off, (size_t)s[i].size, s[i].sha256);
		else
			s[i].nobits = 1;
	}
	*count = shnum;
	return s;
}

static void free_sections(struct elf_section *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].name);
	free(s);
}

json_t *elf_section_diff(const struct kbuf *a, const struct kbuf *b)
{
	size_t na = 0, nb = 0;
	struct elf_section *sa = elf_sections(a, &na), *sb = elf_sections(b, &nb);
	json_t *out = NULL;

	if (!sa || !sb)
		goto out;
	out = json_array();
	char *used = xcalloc(nb ? nb : 1, 1);
	for (size_t i = 0; i < na; i++) {
		size_t j;
		for (j = 0; j < nb; j++)
			if (!used[j] && !strcmp(sa[i].name, sb[j].name))
				break;
		if (j == nb) {
			json_array_append_new(out, json_pack("{s:s, s:s, s:I}", "name", sa[i].name,
							     "change", "removed", "a_size",
							     (json_int_t)sa[i].size));
			continue;
		}
		used[j] = 1;
		int differs = sa[i].size != sb[j].size || sa[i].nobits != sb[j].nobits ||
			      (!sa[i].nobits && strcmp(sa[i].sha256, sb[j].sha256));
		if (differs)
			json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:I}", "name",
							     sa[i].name, "change", "modified",
							     "a_size", (json_int_t)sa[i].size,
							     "b_size", (json_int_t)sb[j].size));
	}
	for (size_t j = 0; j < nb; j++)
		if (!used[j])
			json_array_append_new(out, json_pack("{s:s, s:s, s:I}", "name", sb[j].name,
							     "change", "added", "b_size",
							     (json_int_t)sb[j].size));
	free(used);
out:
	free_sections(sa, na);
	free_sections(sb, nb);
	return out;
}

/* ---------------- bytes ---------------- */

#define RANGE_GAP 8   /* differing bytes closer than this make one range */
#define RANGE_SHOW 32 /* ranges up to this long carry both sides in hex */

static char *hex_of(const char *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	char *s = xmalloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = hx[(unsigned char)p[i] >> 4];
		s[2 * i + 1] = hx[(unsigned char)p[i] & 15];
	}
	s[2 * n] = 0;
	return s;
}

static void add_range(json_t *out, const struct kbuf *a, const struct kbuf *b, size_t off,
		      size_t len)
{
	json_t *r = json_pack("{s:I, s:I}", "offset", (json_int_t)off, "length", (json_int_t)len);
	if (len <= RANGE_SHOW) {
		size_t la = off < a->len ? (a->len - off < len ? a->len - off : len) : 0;
		size_t lb = off < b->len ? (b->len - off < len ? b->len - off : len) : 0;
		char *ha = hex_of(a->data + off, la), *hb = hex_of(b->data + off, lb);
		json_object_set_new(r, "a", json_string(ha));
		json_object_set_new(r, "b", json_string(hb));
		free(ha);
		free(hb);
	}
	json_array_append_new(out, r);
}

json_t *byte_ranges_diff(const struct kbuf *a, const struct kbuf *b, size_t max_ranges,
			 int *truncated)
{
	size_t common = a->len < b->len ? a->len : b->len, i = 0;
	json_t *out = json_array();

	*truncated = 0;
	while (i < common) {
		if (a->data[i] == b->data[i]) {
			i++;
			continue;
		}
		size_t start = i, last = i;
		for (i++; i < common && i - last <= RANGE_GAP; i++)
			if (a->data[i] != b->data[i])
				last = i;
		if (json_array_size(out) >= max_ranges) {
			*truncated = 1;
			return out;
		}
		add_range(out, a, b, start, last - start + 1);
		i = last + 1;
	}
	if (a->len != b->len) {
		if (json_array_size(out) >= max_ranges)
			*truncated = 1;
		else
			add_range(out, a, b, common, (a->len > b->len ? a->len : b->len) - common);
	}
	return out;
}
