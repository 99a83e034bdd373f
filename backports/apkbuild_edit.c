/* apkbuild_edit.c - edit the text of an APKBUILD as a person would (never
 * by running it): a file added to source= and sha512sums in the layout the
 * file already uses, pkgrel raised by one, and CVE ids under a version in
 * the "# secfixes:" block (created in abuild's format when absent). */
#include <stdlib.h>
#include <string.h>

#include "backports/backports.h"

/* a top-level "NAME=value" at the start of a line */
struct sh_assign {
	size_t line;	/* offset of the line */
	size_t vstart;	/* first byte of the value (inside the quotes) */
	size_t vend;	/* one past its last byte (the closing quote, if any) */
	char quote;	/* '"', '\'' or 0 for a bare word */
	size_t line_no; /* 1-based */
};

struct sh_scan {
	const char *t;
	size_t n, i, line_no;
	const char *file;
	struct kerr *e;
};

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static size_t line_end(const char *t, size_t n, size_t i)
{
	const char *nl = memchr(t + i, '\n', n - i);
	return nl ? (size_t)(nl - t) : n;
}

/* skip a quoted string starting at s->i (on the quote); counts lines */
static int skip_quoted(struct sh_scan *s)
{
	char q = s->t[s->i];
	size_t start_line = s->line_no;
	for (s->i++; s->i < s->n; s->i++) {
		char c = s->t[s->i];
		if (c == '\n')
			s->line_no++;
		else if (c == '\\' && q == '"' && s->i + 1 < s->n) {
			if (s->t[s->i + 1] == '\n')
				s->line_no++;
			s->i++;
		} else if (c == q) {
			s->i++;
			return 0;
		}
	}
	return kerr_set(s->e, KILN_EPARSE, "%s:%zu: a %s quote is never closed", s->file,
			start_line, q == '"' ? "double" : "single");
}

/* after "<<" at s->i: skip the rest of this line, then the here-document
 * body up to its delimiter line */
static int skip_heredoc(struct sh_scan *s)
{
	size_t i = s->i + 2, start_line = s->line_no;
	int strip_tabs = 0;
	if (i < s->n && s->t[i] == '-')
		strip_tabs = 1, i++;
	while (i < s->n && (s->t[i] == ' ' || s->t[i] == '\t'))
		i++;
	char q = i < s->n && (s->t[i] == '\'' || s->t[i] == '"') ? s->t[i] : 0;
	if (q)
		i++;
	size_t w = i;
	while (i < s->n && (is_name_char(s->t[i]) || s->t[i] == '-' || s->t[i] == '.'))
		i++;
	if (i == w) { /* "<<" not followed by a word: not a here-document */
		s->i += 2;
		return 0;
	}
	char *word = xstrndup(s->t + w, i - w);
	/* the delimiter line comes after the end of the current line */
	size_t p = line_end(s->t, s->n, i);
	int ret = kerr_set(s->e, KILN_EPARSE, "%s:%zu: here-document '%s' is never closed", s->file,
			   start_line, word);
	while (p < s->n) {
		p++; /* past '\n' */
		s->line_no++;
		size_t le = line_end(s->t, s->n, p), b = p;
		while (strip_tabs && b < le && s->t[b] == '\t')
			b++;
		if (le - b == strlen(word) && !memcmp(s->t + b, word, le - b)) {
			s->i = le;
			ret = 0;
			kerr_clear(s->e);
			break;
		}
		p = le;
	}
	free(word);
	return ret;
}

/* Every assignment NAME=... that starts a line outside quotes, comments and
 * here-documents, in order. */
static int find_assignments(const char *t, size_t n, const char *name, const char *file,
			    struct sh_assign **out, size_t *count, struct kerr *e)
{
	struct sh_scan s = {t, n, 0, 1, file, e};
	size_t nl = strlen(name);
	int ret;
	*out = NULL;
	*count = 0;
	while (s.i < n) {
		char c = t[s.i];
		int line_start = s.i == 0 || t[s.i - 1] == '\n';
		if (line_start && !strncmp(t + s.i, name, nl) && s.i + nl < n &&
		    t[s.i + nl] == '=') {
			struct sh_assign a = {.line = s.i, .line_no = s.line_no};
			s.i += nl + 1;
			if (s.i < n && (t[s.i] == '"' || t[s.i] == '\'')) {
				a.quote = t[s.i];
				a.vstart = s.i + 1;
				if ((ret = skip_quoted(&s)) < 0)
					goto fail;
				a.vend = s.i - 1;
			} else {
				/* a bare word, $(...) and ${...} included */
				int depth = 0;
				a.vstart = s.i;
				while (s.i < n && t[s.i] != '\n' &&
				       (depth > 0 || !strchr(" \t;#&|", t[s.i]))) {
					if (t[s.i] == '$' && s.i + 1 < n &&
					    (t[s.i + 1] == '(' || t[s.i + 1] == '{'))
						depth++, s.i++;
					else if (depth > 0 && (t[s.i] == ')' || t[s.i] == '}'))
						depth--;
					s.i++;
				}
				a.vend = s.i;
			}
			*out = xrealloc(*out, (*count + 1) * sizeof(**out));
			(*out)[(*count)++] = a;
			continue;
		}
		if (c == '\n') {
			s.line_no++;
			s.i++;
		} else if (c == '#' && (line_start || t[s.i - 1] == ' ' || t[s.i - 1] == '\t' ||
					t[s.i - 1] == ';')) {
			s.i = line_end(t, n, s.i);
		} else if (c == '"' || c == '\'') {
			if ((ret = skip_quoted(&s)) < 0)
				goto fail;
		} else if (c == '\\') {
			if (s.i + 1 < n && t[s.i + 1] == '\n')
				s.line_no++;
			s.i += 2;
		} else if (c == '<' && s.i + 1 < n && t[s.i + 1] == '<') {
			if ((ret = skip_heredoc(&s)) < 0)
				goto fail;
		} else
			s.i++;
	}
	return 0;
fail:
	free(*out);
	*out = NULL;
	*count = 0;
	return ret;
}

/* the one (or, with last_wins, the last) top-level assignment of name */
static int the_assignment(const char *t, const char *file, const char *name, int last_wins,
			  struct sh_assign *a, struct kerr *e)
{
	struct sh_assign *v;
	size_t n;
	int ret = find_assignments(t, strlen(t), name, file, &v, &n, e);
	if (ret < 0)
		return ret;
	if (n == 0)
		ret = kerr_set(e, KILN_EPARSE, "%s: no %s= assignment at the start of a line", file,
			       name);
	else if (n > 1 && !last_wins)
		ret = kerr_set(e, KILN_EPARSE,
			       "%s:%zu: %s= is assigned %zu times (also on line %zu); edit it by "
			       "hand",
			       file, v[n - 1].line_no, name, n, v[0].line_no);
	else
		*a = v[n - 1];
	free(v);
	return ret;
}

static void splice_text(char **text, size_t at, size_t del, const char *ins)
{
	char *r = xasprintf("%.*s%s%s", (int)at, *text, ins, *text + at + del);
	free(*text);
	*text = r;
}

/* Append entry to a list value. One line: entry after a blank (line_sep 0),
 * or on a line of its own (line_sep 1, as sha512sums). Several lines: on a
 * new line indented like the last entry, before a closing quote that has a
 * line of its own, or after the last entry when the quote follows it. */
static void list_append(char **text, const struct sh_assign *a, const char *entry, int line_sep)
{
	const char *t = *text;
	const char *v = t + a->vstart;
	size_t vl = a->vend - a->vstart;
	const char *last_nl = NULL;
	for (size_t i = 0; i < vl; i++)
		if (v[i] == '\n')
			last_nl = v + i;
	char *ins;
	size_t at;
	if (!a->quote) {
		/* a bare word becomes a quoted list */
		char *val = xstrndup(v, vl);
		ins = xasprintf("\"%s%s%s\"", val, vl ? (line_sep ? "\n" : " ") : "", entry);
		free(val);
		splice_text(text, a->vstart, vl, ins);
		free(ins);
		return;
	}
	if (!last_nl) {
		size_t k = vl;
		while (k && (v[k - 1] == ' ' || v[k - 1] == '\t'))
			k--;
		ins = xasprintf("%s%s", k ? (line_sep ? "\n" : " ") : "", entry);
		at = a->vstart + k;
	} else {
		const char *tail = last_nl + 1;
		size_t tl = (size_t)(v + vl - tail), k = 0;
		while (k < tl && (tail[k] == ' ' || tail[k] == '\t'))
			k++;
		if (k == tl) {
			/* the closing quote has its own line: indent like the entry before */
			const char *prev_end = last_nl, *prev = last_nl;
			while (prev > v && prev[-1] != '\n')
				prev--;
			size_t pk = 0;
			while (prev + pk < prev_end && (prev[pk] == ' ' || prev[pk] == '\t'))
				pk++;
			/* the first line (after the quote) has no indentation of its own */
			int first_line = prev == v;
			const char *ind = first_line ? (line_sep ? "" : "\t") : NULL;
			ins = ind ? xasprintf("%s%s\n", ind, entry)
				  : xasprintf("%.*s%s\n", (int)pk, prev, entry);
			at = (size_t)(tail - t);
		} else {
			ins = xasprintf("\n%.*s%s", (int)k, tail, entry);
			at = a->vend;
			/* keep blanks before the quote where they were */
			while (at > (size_t)(tail - t) + k &&
			       (t[at - 1] == ' ' || t[at - 1] == '\t'))
				at--;
		}
	}
	splice_text(text, at, 0, ins);
	free(ins);
}

static int list_has(const char *v, size_t vl, const char *word)
{
	size_t wl = strlen(word);
	for (size_t i = 0; i + wl <= vl; i++)
		if (!memcmp(v + i, word, wl) && (i == 0 || strchr(" \t\n", v[i - 1])) &&
		    (i + wl == vl || strchr(" \t\n", v[i + wl])))
			return 1;
	return 0;
}

static int plain_name(const char *s)
{
	if (!s[0] || s[0] == '.' || s[0] == '-')
		return 0;
	for (; *s; s++)
		if (!is_name_char(*s) && !strchr(".+-", *s))
			return 0;
	return 1;
}

int apkbuild_add_source(char **text, const char *file, const char *name, struct kerr *e)
{
	struct sh_assign a = {0};
	int ret;
	if (!plain_name(name))
		return kerr_set(e, KILN_EUSAGE, "'%s' is not a plain file name for source=", name);
	if ((ret = the_assignment(*text, file, "source", 1, &a, e)) < 0)
		return ret;
	if (list_has(*text + a.vstart, a.vend - a.vstart, name))
		return kerr_set(e, KILN_EFAIL, "%s:%zu: source= already lists %s", file, a.line_no,
				name);
	list_append(text, &a, name, 0);
	return 0;
}

int apkbuild_add_sha512(char **text, const char *file, const char *hex, const char *name,
			struct kerr *e)
{
	struct sh_assign a = {0};
	int ret;
	if (strlen(hex) != 128 || strspn(hex, "0123456789abcdef") != 128)
		return kerr_set(e, KILN_EUSAGE, "'%s' is not a sha512 in hex", hex);
	if (!plain_name(name))
		return kerr_set(e, KILN_EUSAGE,
				"'%s' is not a plain file name for sha512sums=", name);
	if ((ret = the_assignment(*text, file, "sha512sums", 1, &a, e)) < 0)
		return ret;
	const char *v = *text + a.vstart;
	size_t vl = a.vend - a.vstart;
	if (list_has(v, vl, name))
		return kerr_set(e, KILN_EFAIL, "%s:%zu: sha512sums= already has %s", file,
				a.line_no, name);
	/* the separator the file uses between hash and name (abuild: two blanks) */
	const char *sep = "  ";
	char *sep_own = NULL;
	for (size_t i = 0; i + 128 < vl; i++)
		if ((i == 0 || strchr(" \t\n", v[i - 1])) &&
		    strspn(v + i, "0123456789abcdef") == 128 &&
		    (v[i + 128] == ' ' || v[i + 128] == '\t')) {
			size_t k = i + 128;
			while (k < vl && (v[k] == ' ' || v[k] == '\t'))
				k++;
			free(sep_own);
			sep = sep_own = xstrndup(v + i + 128, k - i - 128);
		}
	char *entry = xasprintf("%s%s%s", hex, sep, name);
	list_append(text, &a, entry, 1);
	free(entry);
	free(sep_own);
	return 0;
}

int apkbuild_bump_pkgrel(char **text, const char *file, const char *current, char **new_rel,
			 struct kerr *e)
{
	struct sh_assign a = {0};
	int ret;
	if ((ret = the_assignment(*text, file, "pkgrel", 0, &a, e)) < 0)
		return ret;
	const char *v = *text + a.vstart;
	size_t vl = a.vend - a.vstart;
	if (!vl || vl > 6 || strspn(v, "0123456789") != vl)
		return kerr_set(e, KILN_EPARSE,
				"%s:%zu: pkgrel='%.*s' is not a plain number; edit it by hand",
				file, a.line_no, (int)(vl > 40 ? 40 : vl), v);
	long rel = strtol(v, NULL, 10);
	if (current && strtol(current, NULL, 10) != rel)
		return kerr_set(e, KILN_EPARSE,
				"%s:%zu: pkgrel=%ld in the text, but the APKBUILD evaluates to %s",
				file, a.line_no, rel, current);
	*new_rel = xasprintf("%ld", rel + 1);
	splice_text(text, a.vstart, vl, *new_rel);
	return 0;
}

/* "#   VER:" at p (a line of the block) */
static int is_version_line(const char *p, size_t len, const char *version)
{
	size_t vl = strlen(version);
	return len >= 4 + vl + 1 && !strncmp(p, "#   ", 4) && !strncmp(p + 4, version, vl) &&
	       p[4 + vl] == ':';
}

/* "#  +- ID": '#', at least two blanks, "- " */
static int is_item_line(const char *p, size_t len)
{
	size_t k = 1;
	if (!len || p[0] != '#')
		return 0;
	while (k < len && p[k] == ' ')
		k++;
	return k >= 3 && k + 1 < len && p[k] == '-' && p[k + 1] == ' ';
}

/* a newline in front of what is to be added at the end of a file without one */
static void kbuf_insert_nl(struct kbuf *b)
{
	char *s = xasprintf("\n%s", b->data ? b->data : "");
	kbuf_free(b);
	kbuf_init(b);
	kbuf_adds(b, s);
	free(s);
}

int apkbuild_add_secfixes(char **text, const char *file, const char *version,
			  const struct strv *ids, struct kerr *e)
{
	const char *t = *text;
	size_t n = strlen(t), hdr = (size_t)-1;
	struct kbuf add;
	if (!ids || !ids->n)
		return kerr_set(e, KILN_EUSAGE, "%s: no security ids for the secfixes block", file);
	if (!version[0] || version[0] < '0' || version[0] > '9' || strpbrk(version, " \t\n:"))
		return kerr_set(e, KILN_EUSAGE, "%s: '%s' is not a version for the secfixes block",
				file, version);
	for (size_t i = 0; i < ids->n; i++)
		if (!plain_name(ids->v[i]) || strchr(ids->v[i], '+'))
			return kerr_set(e, KILN_EUSAGE, "%s: '%s' is not a security id", file,
					ids->v[i]);
	/* the block abuild reads: the first "# secfixes:" line */
	for (size_t i = 0; i < n; i = line_end(t, n, i) + 1) {
		size_t le = line_end(t, n, i), k = i + 11;
		if (le - i >= 11 && !strncmp(t + i, "# secfixes:", 11)) {
			while (k < le && t[k] == ' ')
				k++;
			if (k == le) {
				hdr = i;
				break;
			}
		}
		if (le == n)
			break;
	}
	kbuf_init(&add);
	if (hdr == (size_t)-1) {
		/* a new block before the first function (after the variables, as in
		 * aports), else at the end */
		size_t at = n;
		for (size_t i = 0; i < n; i = line_end(t, n, i) + 1) {
			size_t k = i;
			while (k < n && is_name_char(t[k]))
				k++;
			if (k > i && k + 1 < n && t[k] == '(' && t[k + 1] == ')') {
				at = i;
				break;
			}
			if (line_end(t, n, i) == n)
				break;
		}
		int blank_before = at == 0 || (at >= 2 && t[at - 1] == '\n' && t[at - 2] == '\n');
		if (at == n && n && t[n - 1] != '\n')
			kbuf_adds(&add, "\n");
		if (!blank_before)
			kbuf_adds(&add, "\n");
		kbuf_printf(&add, "# secfixes:\n#   %s:\n", version);
		for (size_t i = 0; i < ids->n; i++)
			kbuf_printf(&add, "#     - %s\n", ids->v[i]);
		if (at < n)
			kbuf_adds(&add, "\n");
		splice_text(text, at, 0, add.data);
		kbuf_free(&add);
		return 0;
	}
	/* an existing block: the id lines' indentation as it uses it; the
	 * version's entry, else a new one on top (newest first, as aports keeps it) */
	const char *item = "#     - ";
	char *item_own = NULL;
	size_t ver_at = (size_t)-1;
	size_t first = line_end(t, n, hdr) + 1;
	for (size_t i = first; i < n; i = line_end(t, n, i) + 1) {
		size_t le = line_end(t, n, i);
		if (le == i || t[i] != '#')
			break;
		if (!item_own && is_item_line(t + i, le - i))
			item = item_own = xstrndup(t + i, strcspn(t + i, "-") + 2);
		if (ver_at == (size_t)-1 && is_version_line(t + i, le - i, version))
			ver_at = i;
	}
	if (ver_at == (size_t)-1) {
		kbuf_printf(&add, "#   %s:\n", version);
		for (size_t i = 0; i < ids->n; i++)
			kbuf_printf(&add, "%s%s\n", item, ids->v[i]);
		if (first > n) /* the header is the file's last line, without newline */
			kbuf_insert_nl(&add);
		splice_text(text, first > n ? n : first, 0, add.data);
	} else {
		/* the ids not there yet go after the version's last id */
		size_t at = line_end(t, n, ver_at);
		at = at == n ? n : at + 1;
		while (at < n && is_item_line(t + at, line_end(t, n, at) - at)) {
			size_t le = line_end(t, n, at);
			at = le == n ? n : le + 1;
		}
		for (size_t i = 0; i < ids->n; i++) {
			char *line = xasprintf("%s%s", item, ids->v[i]);
			int there = 0;
			for (size_t p = line_end(t, n, ver_at) + 1; p < at && !there;
			     p = line_end(t, n, p) + 1)
				there = line_end(t, n, p) - p == strlen(line) &&
					!strncmp(t + p, line, strlen(line));
			if (!there)
				kbuf_printf(&add, "%s\n", line);
			free(line);
		}
		if (add.len && at == n && n && t[n - 1] != '\n')
			kbuf_insert_nl(&add);
		if (add.len)
			splice_text(text, at, 0, add.data);
	}
	free(item_own);
	kbuf_free(&add);
	return 0;
}
