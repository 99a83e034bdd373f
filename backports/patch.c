/* patch.c - parse unified diffs: plain diff -u, git diff / format-patch, quilt
 * patches with DEP-3 headers; CRLF tolerated; new, deleted, renamed files. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "backports/backports.h"

struct reader {
	const char *p, *end;
	size_t line; /* 1-based number of the line last read */
	const char *name;
};

/* the next line without its "\n" (a CR is kept in *len); 0 at the end */
static int next_line(struct reader *r, const char **s, size_t *len)
{
	if (r->p >= r->end)
		return 0;
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	*s = r->p;
	*len = nl ? (size_t)(nl - r->p) : (size_t)(r->end - r->p);
	r->p = nl ? nl + 1 : r->end;
	r->line++;
	return 1;
}

static void unread_line(struct reader *r, const char *s)
{
	r->p = s;
	r->line--;
}

/* header lines: drop a trailing CR */
static size_t trim_cr(const char *s, size_t len)
{
	return len && s[len - 1] == '\r' ? len - 1 : len;
}

static int starts(const char *s, size_t len, const char *pfx)
{
	size_t n = strlen(pfx);
	return len >= n && memcmp(s, pfx, n) == 0;
}

/* git quotes paths with unusual bytes: "a/foo\tbar" */
static char *unquote_path(const char *s, size_t len)
{
	if (len < 2 || s[0] != '"')
		return xstrndup(s, len);
	struct kbuf b;
	kbuf_init(&b);
	for (size_t i = 1; i < len && s[i] != '"'; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < len) {
			c = s[++i];
			if (c >= '0' && c <= '3' && i + 2 < len && s[i + 1] >= '0' &&
			    s[i + 1] <= '7' && s[i + 2] >= '0' && s[i + 2] <= '7') {
				c = (char)(((c - '0') << 6) | ((s[i + 1] - '0') << 3) |
					   (s[i + 2] - '0'));
				i += 2;
			} else if (c == 't')
				c = '\t';
			else if (c == 'n')
				c = '\n';
		}
		kbuf_add(&b, &c, 1);
	}
	kbuf_add(&b, "", 0);
	return b.data ? b.data : xstrdup("");
}

/* "--- a/x.c\t2024-01-01 ..." -> "a/x.c"; NULL for /dev/null */
static char *header_path(const char *s, size_t len)
{
	len = trim_cr(s, len);
	if (len && s[0] == '"')
		return unquote_path(s, len);
	const char *tab = memchr(s, '\t', len);
	if (tab)
		len = (size_t)(tab - s);
	else {
		/* "--- a/x.c  2024-01-01 12:00:00.000 +0000" (two spaces before a date) */
		for (size_t i = 0; i + 1 < len; i++)
			if (s[i] == ' ' && s[i + 1] == ' ' && i + 2 < len &&
			    isdigit((unsigned char)s[i + 2])) {
				len = i;
				break;
			}
	}
	while (len && s[len - 1] == ' ')
		len--;
	if (len == 9 && !memcmp(s, "/dev/null", 9))
		return NULL;
	return xstrndup(s, len);
}

static long parse_num(const char **p, int *ok)
{
	char *end;
	if (!isdigit((unsigned char)**p)) {
		*ok = 0;
		return 0;
	}
	long v = strtol(*p, &end, 10);
	if (v < 0 || v > 100000000)
		*ok = 0;
	*p = end;
	return v;
}

/* "@@ -a[,b] +c[,d] @@ section" */
static int parse_hunk_header(const char *s, size_t len, struct patch_hunk *h)
{
	char *line = xstrndup(s, trim_cr(s, len));
	const char *p = line + 3;
	int ok = 1;
	if (*p++ != '-')
		ok = 0;
	h->old_start = ok ? parse_num(&p, &ok) : 0;
	h->old_count = 1;
	if (ok && *p == ',') {
		p++;
		h->old_count = parse_num(&p, &ok);
	}
	if (ok && (p[0] != ' ' || p[1] != '+'))
		ok = 0;
	p += ok ? 2 : 0;
	h->new_start = ok ? parse_num(&p, &ok) : 0;
	h->new_count = 1;
	if (ok && *p == ',') {
		p++;
		h->new_count = parse_num(&p, &ok);
	}
	if (ok && strncmp(p, " @@", 3) != 0)
		ok = 0;
	if (ok) {
		p += 3;
		while (*p == ' ')
			p++;
		h->section = *p ? xstrdup(p) : NULL;
	}
	free(line);
	return ok;
}

static void add_line(struct patch_hunk *h, char kind, const char *s, size_t len)
{
	h->lines = xrealloc(h->lines, (h->n + 1) * sizeof(*h->lines));
	h->lines[h->n].kind = kind;
	h->lines[h->n].nl = 1;
	h->lines[h->n].text = bp_memdup(s, len);
	h->lines[h->n].len = len;
	h->n++;
}

static int read_hunk(struct reader *r, const char *hs, size_t hlen, struct patch_file *f,
		     struct kerr *e)
{
	struct patch_hunk h = {0};
	const char *s;
	size_t len;

	h.line_no = r->line;
	if (!parse_hunk_header(hs, hlen, &h))
		return kerr_set(e, KILN_EPARSE, "%s:%zu: malformed hunk header", r->name, r->line);
	long old_left = h.old_count, new_left = h.new_count;
	while ((old_left > 0 || new_left > 0) && next_line(r, &s, &len)) {
		char k = len ? s[0] : ' ';
		const char *text = s + (len ? 1 : 0);
		size_t tl = len ? len - 1 : 0;
		/* a context line whose lone space a mailer stripped (CRLF patch) */
		if (len == 1 && s[0] == '\r')
			k = ' ', text = s, tl = 1;
		if (k == ' ' && old_left > 0 && new_left > 0) {
			add_line(&h, ' ', text, tl);
			old_left--, new_left--;
		} else if (k == '-' && old_left > 0) {
			add_line(&h, '-', text, tl);
			old_left--;
		} else if (k == '+' && new_left > 0) {
			add_line(&h, '+', text, tl);
			new_left--;
		} else if (k == '\\') {
			if (h.n)
				h.lines[h.n - 1].nl = 0;
		} else {
			for (size_t i = 0; i < h.n; i++)
				free(h.lines[i].text);
			free(h.lines);
			free(h.section);
			return kerr_set(
			    e, KILN_EPARSE,
			    "%s:%zu: hunk at line %zu ends early (expected %ld more old "
			    "and %ld more new lines)",
			    r->name, r->line, h.line_no, old_left, new_left);
		}
	}
	if (old_left > 0 || new_left > 0) {
		for (size_t i = 0; i < h.n; i++)
			free(h.lines[i].text);
		free(h.lines);
		free(h.section);
		return kerr_set(e, KILN_EPARSE, "%s: hunk at line %zu is cut off at the end",
				r->name, h.line_no);
	}
	/* "\ No newline at end of file" after the last line */
	if (next_line(r, &s, &len)) {
		if (len && s[0] == '\\') {
			if (h.n)
				h.lines[h.n - 1].nl = 0;
			/* both sides can end without a newline: "-a\n\\ ...\n+b\n\\ ..." is
			 * counted above; a second marker may follow */
		} else
			unread_line(r, s);
	}
	f->hunks = xrealloc(f->hunks, (f->nhunks + 1) * sizeof(*f->hunks));
	f->hunks[f->nhunks++] = h;
	return 0;
}

static struct patch_file *new_file(struct patch *p, size_t line)
{
	p->files = xrealloc(p->files, (p->nfiles + 1) * sizeof(*p->files));
	struct patch_file *f = &p->files[p->nfiles++];
	memset(f, 0, sizeof(*f));
	f->line_no = line;
	return f;
}

/* "diff --git a/x b/y": split in the middle when both halves are equal */
static void git_paths(const char *s, size_t len, struct patch_file *f)
{
	if (len && s[0] == '"') {
		const char *q = s + 1;
		while (q < s + len && *q != '"')
			q += (*q == '\\') ? 2 : 1;
		size_t l1 = (size_t)(q + 1 - s);
		if (l1 > len)
			l1 = len;
		f->old_path = unquote_path(s, l1);
		const char *b = s + l1;
		while (b < s + len && *b == ' ')
			b++;
		f->new_path = unquote_path(b, (size_t)(s + len - b));
		return;
	}
	/* the common case: same path after a/ and b/ */
	if (len % 2 == 1) {
		size_t half = len / 2;
		if (s[half] == ' ' && len > 4 && !memcmp(s + 2, s + half + 3, half - 2)) {
			f->old_path = xstrndup(s, half);
			f->new_path = xstrndup(s + half + 1, len - half - 1);
			return;
		}
	}
	const char *sp = NULL;
	for (size_t i = 0; i + 2 < len; i++)
		if (s[i] == ' ' && s[i + 1] == 'b' && s[i + 2] == '/')
			sp = s + i;
	if (!sp)
		sp = memchr(s, ' ', len);
	if (sp) {
		f->old_path = xstrndup(s, (size_t)(sp - s));
		f->new_path = xstrndup(sp + 1, (size_t)(s + len - sp - 1));
	}
}

static char *field_value(const char *s, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (len <= n || strncasecmp(s, name, n) != 0 || s[n] != ':')
		return NULL;
	s += n + 1, len -= n + 1;
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	return xstrndup(s, len);
}

/* Subject/Description, From/Author, Date, Origin, Bug*: from the header. */
static void parse_metadata(struct patch *p)
{
	const char *h = p->header;
	struct kbuf body;
	int in_body = 0, in_mail = 0, last_subject = 0, last_desc = 0;

	kbuf_init(&body);
	if (str_has_prefix(h, "From ") && strlen(h) > 45) {
		const char *sp = strchr(h + 5, ' ');
		if (sp && sp - (h + 5) == 40) {
			p->commit = xstrndup(h + 5, 40);
			in_mail = 1;
		}
	}
	while (*h) {
		const char *nl = strchr(h, '\n');
		size_t len = nl ? (size_t)(nl - h) : strlen(h);
		char *v;
		if (!in_body && len && (h[0] == ' ' || h[0] == '\t') &&
		    (last_subject || last_desc)) {
			/* continuation of Subject (folded) or Description (long text) */
			const char *c = h + 1;
			size_t cl = len - 1;
			if (last_subject) {
				char *s = xasprintf("%s %.*s", p->subject, (int)cl, c);
				free(p->subject);
				p->subject = s;
			} else if (!(cl == 1 && c[0] == '.')) {
				kbuf_add(&body, c, cl);
				kbuf_adds(&body, "\n");
			} else
				kbuf_adds(&body, "\n");
		} else if (!in_body && (v = field_value(h, len, "Subject"))) {
			free(p->subject);
			p->subject = v;
			last_subject = 1, last_desc = 0;
		} else if (!in_body && ((v = field_value(h, len, "Description")))) {
			if (!p->subject)
				p->subject = v;
			else
				free(v);
			last_desc = 1, last_subject = 0;
		} else if (!in_body && ((v = field_value(h, len, "From")) ||
					(v = field_value(h, len, "Author")))) {
			free(p->author);
			p->author = v;
			last_subject = last_desc = 0;
		} else if (!in_body && (v = field_value(h, len, "Date"))) {
			free(p->date);
			p->date = v;
			last_subject = last_desc = 0;
		} else if (!in_body && (v = field_value(h, len, "Origin"))) {
			free(p->origin);
			p->origin = v;
			last_subject = last_desc = 0;
		} else if (!in_body && len > 4 && !strncasecmp(h, "Bug", 3) &&
			   (h[3] == ':' || h[3] == '-') && memchr(h, ':', len)) {
			const char *c = (const char *)memchr(h, ':', len) + 1;
			while (*c == ' ')
				c++;
			char *b = xstrndup(c, (size_t)(h + len - c));
			if (*b && !strv_contains(&p->bugs, b))
				strv_add(&p->bugs, b);
			free(b);
			last_subject = last_desc = 0;
		} else if (len == 0 || (len == 1 && h[0] == '\r')) {
			if (in_mail && !in_body)
				in_body = 1;
			else if (in_body)
				kbuf_adds(&body, "\n");
			last_subject = last_desc = 0;
		} else if (in_body) {
			if (len == 3 && !memcmp(h, "---", 3))
				break;
			kbuf_add(&body, h, len);
			kbuf_adds(&body, "\n");
		} else
			last_subject = last_desc = 0;
		h = nl ? nl + 1 : h + len;
	}
	/* git format-patch: "[PATCH 2/4] fix x" -> "fix x" */
	if (p->subject && p->subject[0] == '[') {
		char *close = strchr(p->subject, ']');
		if (close) {
			char *s = xstrdup(close + 1 + strspn(close + 1, " "));
			free(p->subject);
			p->subject = s;
		}
	}
	while (body.len && (body.data[body.len - 1] == '\n' || body.data[body.len - 1] == ' '))
		body.data[--body.len] = '\0';
	if (body.len)
		p->body = body.data;
	else
		kbuf_free(&body);
	find_cve_ids(p->name, &p->cves);
	if (p->subject)
		find_cve_ids(p->subject, &p->cves);
	find_cve_ids(p->header, &p->cves);
}

int patch_parse(const char *data, size_t len, const char *name, struct patch *out, struct kerr *e)
{
	struct reader r = {data, data + len, 0, name};
	struct patch_file *f = NULL;
	struct kbuf header;
	const char *s;
	size_t l;
	int in_header = 1, ret = 0;

	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	kbuf_init(&header);
	while (next_line(&r, &s, &l)) {
		size_t tl = trim_cr(s, l);
		if (starts(s, tl, "diff --git ")) {
			in_header = 0;
			out->is_git = 1;
			f = new_file(out, r.line);
			git_paths(s + 11, tl - 11, f);
			continue;
		}
		if (starts(s, tl, "--- ") || (tl == 3 && starts(s, tl, "---"))) {
			const char *s2 = NULL;
			size_t l2 = 0;
			if (next_line(&r, &s2, &l2) && starts(s2, l2, "+++ ")) {
				in_header = 0;
				/* a git file whose ---/+++ we have not seen yet, else a new file */
				if (!f || f->nhunks || f->is_binary || !out->is_git ||
				    f->line_no + 12 < r.line)
					f = new_file(out, r.line - 1);
				free(f->old_path);
				free(f->new_path);
				f->old_path = tl > 4 ? header_path(s + 4, tl - 4) : NULL;
				f->new_path = header_path(s2 + 4, l2 - 4);
				if (!f->old_path)
					f->is_new = 1;
				if (!f->new_path)
					f->is_delete = 1;
				continue;
			}
			if (s2)
				unread_line(&r, s2);
		}
		if (starts(s, tl, "@@ -") && f) {
			if ((ret = read_hunk(&r, s, l, f, e)) < 0)
				goto out;
			continue;
		}
		if (in_header) {
			kbuf_add(&header, s, tl);
			kbuf_adds(&header, "\n");
			continue;
		}
		if (!f)
			continue;
		/* git extended headers */
		if (starts(s, tl, "new file mode"))
			f->is_new = 1;
		else if (starts(s, tl, "deleted file mode"))
			f->is_delete = 1;
		else if (starts(s, tl, "rename from ")) {
			f->is_rename = 1;
			free(f->old_path);
			f->old_path = xasprintf("a/%.*s", (int)(tl - 12), s + 12);
		} else if (starts(s, tl, "rename to ")) {
			f->is_rename = 1;
			free(f->new_path);
			f->new_path = xasprintf("b/%.*s", (int)(tl - 10), s + 10);
		} else if (starts(s, tl, "GIT binary patch") || starts(s, tl, "Binary files "))
			f->is_binary = 1;
	}
	/* git: a new/deleted file header names both paths; one side is /dev/null */
	for (size_t i = 0; i < out->nfiles; i++) {
		struct patch_file *pf = &out->files[i];
		if (pf->is_new && pf->old_path) {
			free(pf->old_path);
			pf->old_path = NULL;
		}
		if (pf->is_delete && pf->new_path) {
			free(pf->new_path);
			pf->new_path = NULL;
		}
		if (!pf->old_path && !pf->new_path) {
			ret = kerr_set(e, KILN_EPARSE, "%s:%zu: a file diff without a path", name,
				       pf->line_no);
			goto out;
		}
	}
	if (out->nfiles == 0) {
		ret = kerr_set(e, KILN_EPARSE, "%s: no unified diff found in the patch", name);
		goto out;
	}
	out->header = header.data ? header.data : xstrdup("");
	kbuf_init(&header);
	parse_metadata(out);
out:
	kbuf_free(&header);
	if (ret < 0)
		patch_free(out);
	return ret;
}

int patch_load(const char *path, struct patch *out, struct kerr *e)
{
	struct kbuf b;
	int ret;
	kbuf_init(&b);
	if ((ret = read_file(path, &b, 64 << 20, e)) == 0) {
		const char *base = strrchr(path, '/');
		ret = patch_parse(b.data ? b.data : "", b.len, base ? base + 1 : path, out, e);
	}
	kbuf_free(&b);
	return ret;
}

void patch_free(struct patch *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nfiles; i++) {
		struct patch_file *f = &p->files[i];
		for (size_t j = 0; j < f->nhunks; j++) {
			for (size_t k = 0; k < f->hunks[j].n; k++)
				free(f->hunks[j].lines[k].text);
			free(f->hunks[j].lines);
			free(f->hunks[j].section);
		}
		free(f->hunks);
		free(f->old_path);
		free(f->new_path);
	}
	free(p->files);
	free(p->name);
	free(p->header);
	free(p->subject);
	free(p->body);
	free(p->author);
	free(p->date);
	free(p->origin);
	free(p->commit);
	strv_free(&p->bugs);
	strv_free(&p->cves);
	memset(p, 0, sizeof(*p));
}

void patch_fingerprint(const struct patch *p, char hex[SHA256_HEX_LEN + 1])
{
	struct kbuf b;
	kbuf_init(&b);
	for (size_t i = 0; i < p->nfiles; i++)
		for (size_t j = 0; j < p->files[i].nhunks; j++) {
			const struct patch_hunk *h = &p->files[i].hunks[j];
			for (size_t k = 0; k < h->n; k++) {
				if (h->lines[k].kind == ' ')
					continue;
				kbuf_add(&b, &h->lines[k].kind, 1);
				for (size_t c = 0; c < h->lines[k].len; c++)
					if (!isspace((unsigned char)h->lines[k].text[c]))
						kbuf_add(&b, &h->lines[k].text[c], 1);
				kbuf_adds(&b, "\n");
			}
		}
	sha256_mem(b.data ? b.data : "", b.len, hex);
	kbuf_free(&b);
}

void find_cve_ids(const char *text, struct strv *l)
{
	for (const char *s = text; s && *s; s++) {
		if (strncasecmp(s, "CVE", 3) != 0 || (s[3] != '-' && s[3] != '_'))
			continue;
		const char *y = s + 4;
		size_t ny = strspn(y, "0123456789");
		if (ny != 4 || (y[4] != '-' && y[4] != '_'))
			continue;
		size_t nn = strspn(y + 5, "0123456789");
		if (nn < 4 || nn > 8)
			continue;
		char *id = xasprintf("CVE-%.4s-%.*s", y, (int)nn, y + 5);
		if (!strv_contains(l, id))
			strv_add(l, id);
		free(id);
		s = y + 5 + nn - 1;
	}
}
