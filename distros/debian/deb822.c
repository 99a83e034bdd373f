/* deb822.c - the one control-file parser: Packages, Sources, Release, .dsc,
 * debian/control. Zero-copy; continuation lines, comments, CRLF, a missing
 * final newline; duplicate fields and malformed lines are errors (as dpkg). */
#include "distros/distros.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void deb822_init(struct deb822_parser *ps, const char *data, size_t len, const char *file)
{
	ps->p = data;
	ps->end = data + len;
	ps->line = 1;
	ps->file = file ? file : "<input>";
}

void deb822_para_free(struct deb822_para *para)
{
	free(para->f);
	para->f = NULL;
	para->n = para->cap = 0;
}

/* the current line [p, eol) without its "\n" or "\r\n"; next = after newline */
static const char *line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end;
	*next = nl ? nl + 1 : end;
	if (e > p && e[-1] == '\r')
		e--;
	return e;
}

static int is_blank(const char *p, const char *e)
{
	for (; p < e; p++)
		if (*p != ' ' && *p != '\t')
			return 0;
	return 1;
}

static struct deb822_field *add_field(struct deb822_para *para)
{
	if (para->n == para->cap) {
		para->cap = para->cap ? para->cap * 2 : 32;
		para->f = xrealloc(para->f, para->cap * sizeof(*para->f));
	}
	return &para->f[para->n++];
}

int deb822_next(struct deb822_parser *ps, struct deb822_para *para, struct kerr *e)
{
	const char *next, *eol;
	struct deb822_field *cur = NULL;

	para->n = 0;
	/* skip separators and comments before the paragraph */
	while (ps->p < ps->end) {
		eol = line_end(ps->p, ps->end, &next);
		if (is_blank(ps->p, eol) || *ps->p == '#') {
			ps->p = next;
			ps->line++;
			continue;
		}
		break;
	}
	if (ps->p >= ps->end)
		return 0;
	para->line = ps->line;
	while (ps->p < ps->end) {
		const char *s = ps->p;
		eol = line_end(s, ps->end, &next);
		size_t linelen = eol > s ? (size_t)(eol - s) : 0;
		if (linelen && memchr(s, '\0', linelen))
			return kerr_set(e, KILN_EPARSE, "%s:%zu: NUL byte in control data",
					ps->file, ps->line);
		if (is_blank(s, eol))
			break; /* end of paragraph */
		if (*s == '#') {
			/* comment lines are dropped, also inside a paragraph */
		} else if (*s == ' ' || *s == '\t') {
			if (!cur)
				return kerr_set(e, KILN_EPARSE,
						"%s:%zu: continuation line without a field",
						ps->file, ps->line);
			cur->value_len = (size_t)(eol - cur->value);
		} else {
			const char *colon = memchr(s, ':', (size_t)(eol - s));
			if (!colon || colon == s)
				return kerr_set(
				    e, KILN_EPARSE, "%s:%zu: expected 'Field: value', got '%.*s'",
				    ps->file, ps->line, (int)(linelen < 40 ? linelen : 40), s);
			for (const char *c = s; c < colon; c++)
				if (*c == ' ' || *c == '\t' || (unsigned char)*c < 0x21)
					return kerr_set(
					    e, KILN_EPARSE,
					    "%s:%zu: invalid character in field name '%.*s'",
					    ps->file, ps->line, (int)(colon - s), s);
			size_t nl = (size_t)(colon - s);
			for (size_t i = 0; i < para->n; i++)
				if (para->f[i].name_len == nl &&
				    strncasecmp(para->f[i].name, s, nl) == 0)
					return kerr_set(
					    e, KILN_EPARSE,
					    "%s:%zu: duplicate field '%.*s' in paragraph", ps->file,
					    ps->line, (int)nl, s);
			cur = add_field(para);
			cur->name = s;
			cur->name_len = nl;
			const char *v = colon + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			cur->value = v;
			cur->value_len = (size_t)(eol - v);
		}
		ps->p = next;
		ps->line++;
	}
	/* trailing blanks of each value */
	for (size_t i = 0; i < para->n; i++) {
		struct deb822_field *f = &para->f[i];
		while (f->value_len &&
		       (f->value[f->value_len - 1] == ' ' || f->value[f->value_len - 1] == '\t' ||
			f->value[f->value_len - 1] == '\r'))
			f->value_len--;
	}
	return 1;
}

const struct deb822_field *deb822_field(const struct deb822_para *p, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < p->n; i++)
		if (p->f[i].name_len == nl && strncasecmp(p->f[i].name, name, nl) == 0)
			return &p->f[i];
	return NULL;
}

char *deb822_get(const struct deb822_para *p, const char *name)
{
	const struct deb822_field *f = deb822_field(p, name);
	struct kbuf b;
	const char *s, *end;

	if (!f)
		return NULL;
	kbuf_init(&b);
	s = f->value;
	end = f->value + f->value_len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		const char *te = e;
		while (te > s && (te[-1] == '\r' || te[-1] == ' ' || te[-1] == '\t'))
			te--;
		kbuf_add(&b, s, (size_t)(te - s));
		if (!nl)
			break;
		kbuf_add(&b, "\n", 1);
		s = nl + 1;
		if (s < end && (*s == ' ' || *s == '\t'))
			s++;
	}
	if (!b.data)
		kbuf_add(&b, "", 0);
	return b.data;
}

int deb822_strip_signature(const char *data, size_t len, struct kbuf *out, int *signed_,
			   const char *file, struct kerr *e)
{
	static const char begin[] = "-----BEGIN PGP SIGNED MESSAGE-----";
	static const char sigbegin[] = "-----BEGIN PGP SIGNATURE-----";
	static const char sigend[] = "-----END PGP SIGNATURE-----";
	const char *p = data, *end = data + len, *next, *eol;
	int headers = 1, body_lines = 0;

	*signed_ = 0;
	if (len < sizeof(begin) - 1 || memcmp(p, begin, sizeof(begin) - 1) != 0) {
		kbuf_add(out, data, len);
		return 0;
	}
	*signed_ = 1;
	line_end(p, end, &next);
	p = next;
	while (p < end) {
		eol = line_end(p, end, &next);
		size_t n = (size_t)(eol - p);
		if (headers) {
			/* armor headers ("Hash: SHA512") end at the first empty line */
			if (n == 0)
				headers = 0;
			else if (!memchr(p, ':', n))
				return kerr_set(e, KILN_EPARSE,
						"%s: malformed OpenPGP armor header", file);
		} else if (n == sizeof(sigbegin) - 1 && memcmp(p, sigbegin, n) == 0) {
			/* the signature block must be complete */
			for (const char *q = next; q < end;) {
				const char *qn, *qe = line_end(q, end, &qn);
				if ((size_t)(qe - q) == sizeof(sigend) - 1 &&
				    memcmp(q, sigend, sizeof(sigend) - 1) == 0) {
					if (!out->data)
						kbuf_add(out, "", 0);
					return 0;
				}
				q = qn;
			}
			break;
		} else {
			/* undo dash-escaping ("- -----") */
			if (n >= 2 && p[0] == '-' && p[1] == ' ') {
				p += 2;
				n -= 2;
			} else if (n >= 1 && p[0] == '-') {
				return kerr_set(
				    e, KILN_EPARSE,
				    "%s: line %d of the signed text is not dash-escaped", file,
				    body_lines + 1);
			}
			kbuf_add(out, p, n);
			kbuf_add(out, "\n", 1);
			body_lines++;
		}
		p = next;
	}
	return kerr_set(e, KILN_EPARSE, "%s: OpenPGP signed message without a complete signature",
			file);
}
