/* apkversion.c - apk version ordering (apk-tools 2.x and 3.x rules) and its
 * order-preserving encoding onto Debian version strings for libsolv. */
#include "distros/distros.h"

#include <stdlib.h>
#include <string.h>

/*
 * Both generations are modelled as a list of tokens, each with a type and a
 * value, ending in an END or INVALID token. Comparison walks both lists:
 * same type -> compare values; different type -> a fixed rule on the types.
 * The token enums below are ordered exactly as apk-tools orders them, because
 * the "different type" rule compares the enum values.
 */

#define MAX_TOKENS 128 /* far beyond any real version; the rest is invalid */

static const char *const pre_suffixes[] = {"alpha", "beta", "pre", "rc"};
static const char *const post_suffixes[] = {"cvs", "svn", "git", "hg", "p"};
/* encodings of the suffixes; their bytes order like apk's ranks under dpkg rules */
static const char *const pre_suffix_evr[] = {"~alpha", "~beta", "~pre", "~rc"};
static const char *const post_suffix_evr[] = {"Pacvs", "Pbsvn", "Pcgit", "Pdhg", "Pep"};

struct vtok {
	int type;
	int64_t val;   /* 2.x: the value apk-tools computes for the token */
	uint64_t num;  /* 3.x: numeric value (wrapping like apk-tools 3) */
	int rank;      /* suffixes: -4..-1 pre, 0..4 post */
	const char *s; /* the token's text (digits, letter, suffix name, hex) */
	size_t len;
	int zero_run;	  /* 2.x: a run of leading zeros after '.' */
	int after_letter; /* 2.x: digits directly after a letter */
};

struct vtoks {
	struct vtok t[MAX_TOKENS];
	size_t n;
	int invalid; /* this generation's INVALID type */
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* match a suffix name at s (apk tries the pre list first, by prefix);
 * returns the rank and sets *len, or returns -100 when none matches */
static int match_suffix(const char *s, size_t avail, size_t *len)
{
	for (int i = 0; i < 4; i++) {
		size_t l = strlen(pre_suffixes[i]);
		if (l <= avail && !strncmp(s, pre_suffixes[i], l)) {
			*len = l;
			return i - 4;
		}
	}
	for (int i = 0; i < 5; i++) {
		size_t l = strlen(post_suffixes[i]);
		if (l <= avail && !strncmp(s, post_suffixes[i], l)) {
			*len = l;
			return i;
		}
	}
	return -100;
}

static struct vtok *push(struct vtoks *v, int type)
{
	struct vtok *t;
	if (v->n >= MAX_TOKENS - 1) {
		/* far too long: the last slot says invalid, whatever is pushed
		 * after it (callers may push twice before they look) */
		v->n = MAX_TOKENS;
		t = &v->t[MAX_TOKENS - 1];
		type = v->invalid;
	} else {
		t = &v->t[v->n++];
	}
	memset(t, 0, sizeof(*t));
	t->type = type;
	return t;
}

/* ------------------------------------------------------------------------ */
/* apk-tools 2.x                                                             */
/* ------------------------------------------------------------------------ */

enum {
	V2_INVALID = -1,
	V2_DIGIT_OR_ZERO, /* a component after '.' */
	V2_DIGIT,	  /* the first component, digits after a letter or a zero run */
	V2_LETTER,
	V2_SUFFIX,
	V2_SUFFIX_NO,
	V2_REVISION_NO,
	V2_END,
};

/* the type of the token starting at *p, given the previous type; consumes
 * the separator. Mirrors apk-tools 2.x's transition rules. */
static int v2_next_type(int prev, const char **p, const char *end)
{
	int n = V2_INVALID;

	if (*p >= end || **p == '\0')
		return V2_END;
	if ((prev == V2_DIGIT || prev == V2_DIGIT_OR_ZERO) && is_lower(**p)) {
		n = V2_LETTER;
	} else if (prev == V2_LETTER && is_digit(**p)) {
		n = V2_DIGIT;
	} else if (prev == V2_SUFFIX && is_digit(**p)) {
		n = V2_SUFFIX_NO;
	} else {
		if (**p == '.') {
			n = V2_DIGIT_OR_ZERO;
		} else if (**p == '_') {
			n = V2_SUFFIX;
		} else if (**p == '-') {
			if (end - *p > 1 && (*p)[1] == 'r') {
				n = V2_REVISION_NO;
				(*p)++;
			}
		}
		(*p)++;
	}
	/* types only move forward, with three exceptions */
	if (n < prev &&
	    !((n == V2_DIGIT_OR_ZERO && prev == V2_DIGIT) ||
	      (n == V2_SUFFIX && prev == V2_SUFFIX_NO) || (n == V2_DIGIT && prev == V2_LETTER)))
		n = V2_INVALID;
	return n;
}

static void v2_tokenize(const char *s, struct vtoks *v)
{
	const char *p = s, *end = s + strlen(s);
	int type = V2_DIGIT, prev_letter = 0;

	v->n = 0;
	v->invalid = V2_INVALID;
	for (;;) {
		if (type == V2_END || type == V2_INVALID) {
			push(v, type);
			return;
		}
		struct vtok *t = push(v, type);
		int next_forced = V2_INVALID;
		size_t i = 0;
		if (t->type == V2_INVALID)
			return;
		t->s = p;
		t->after_letter = prev_letter && type == V2_DIGIT;
		if (p >= end) { /* a separator ended the string: value 0 */
			push(v, V2_END);
			return;
		}
		switch (type) {
		case V2_DIGIT_OR_ZERO:
			if (*p == '0') {
				/* m leading zeros: a token worth -(m-1), then the digits
				 * from the last zero on (so "1.0" is 0,0 and "1.00" -1,0) */
				while (p + i + 1 < end && p[i + 1] == '0')
					i++;
				t->val = -(int64_t)i;
				t->zero_run = 1;
				next_forced = V2_DIGIT;
				break;
			}
			/* fall through */
		case V2_DIGIT:
		case V2_SUFFIX_NO:
		case V2_REVISION_NO:
			while (p + i < end && is_digit(p[i])) {
				t->val = t->val * 10 + (p[i] - '0');
				i++;
				if (i >= 18) { /* apk-tools 2.14 refuses 18+ digit numbers */
					t->val = -1;
					t->len = i;
					push(v, V2_INVALID);
					return;
				}
			}
			break;
		case V2_LETTER:
			t->val = (unsigned char)p[0];
			i = 1;
			break;
		case V2_SUFFIX: {
			int r = match_suffix(p, (size_t)(end - p), &i);
			if (r == -100) { /* unknown suffix: value -1, then invalid */
				t->val = -1;
				push(v, V2_INVALID);
				return;
			}
			t->val = r;
			t->rank = r;
			break;
		}
		}
		t->len = i;
		prev_letter = type == V2_LETTER;
		p += i;
		if (p >= end)
			type = V2_END;
		else if (next_forced != V2_INVALID)
			type = next_forced;
		else
			type = v2_next_type(type, &p, end);
	}
}

static int v2_compare_toks(const struct vtoks *a, const struct vtoks *b, int fuzzy)
{
	size_t i = 0;

	for (;;) {
		const struct vtok *ta = &a->t[i], *tb = &b->t[i];
		/* invariant: ta->type == tb->type and neither is terminal */
		if (ta->val != tb->val)
			return ta->val < tb->val ? -1 : 1;
		const struct vtok *na = &a->t[i + 1], *nb = &b->t[i + 1];
		if (na->type == nb->type) {
			if (na->type == V2_END || na->type == V2_INVALID)
				return 0;
			i++;
			continue;
		}
		if (fuzzy)
			return 0;
		/* equal so far: the longer one is greater, unless it goes on with a
		 * pre-release suffix (an unknown suffix counts as one) */
		if (na->type == V2_SUFFIX && na->val < 0)
			return -1;
		if (nb->type == V2_SUFFIX && nb->val < 0)
			return 1;
		return na->type > nb->type ? -1 : 1;
	}
}

/* ------------------------------------------------------------------------ */
/* apk-tools 3.x                                                             */
/* ------------------------------------------------------------------------ */

enum {
	V3_INITIAL,
	V3_DIGIT,
	V3_LETTER,
	V3_SUFFIX,
	V3_SUFFIX_NO,
	V3_HASH,
	V3_REV,
	V3_END,
	V3_INVALID,
};

static size_t span_digits(const char *p, const char *end)
{
	size_t i = 0;
	while (p + i < end && is_digit(p[i]))
		i++;
	return i;
}

static uint64_t wrap_number(const char *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(p[i] - '0');
	return v;
}

/* grammar N{.N}[a-z]{_SUF[N]}[~HEX][-rN] */
static void v3_tokenize(const char *s, struct vtoks *v)
{
	const char *p = s, *end = s + strlen(s);
	int prev = -1;

	v->n = 0;
	v->invalid = V3_INVALID;
	for (;;) {
		struct vtok *t;
		size_t n;

		if (p >= end) {
			push(v, prev == -1 ? V3_INVALID : V3_END);
			return;
		}
		if (prev == -1) {
			n = span_digits(p, end);
			if (!n)
				break;
			t = push(v, V3_INITIAL);
			t->s = p;
			t->len = n;
			t->num = wrap_number(p, n);
			p += n;
		} else if (*p == '.' && (prev == V3_INITIAL || prev == V3_DIGIT)) {
			n = span_digits(p + 1, end);
			if (!n)
				break;
			t = push(v, V3_DIGIT);
			t->s = p + 1;
			t->len = n;
			t->num = wrap_number(p + 1, n);
			p += 1 + n;
		} else if (is_lower(*p) && (prev == V3_INITIAL || prev == V3_DIGIT)) {
			t = push(v, V3_LETTER);
			t->s = p;
			t->len = 1;
			p++;
		} else if (*p == '_' && prev >= V3_INITIAL && prev <= V3_SUFFIX_NO) {
			int r = match_suffix(p + 1, (size_t)(end - p - 1), &n);
			if (r == -100)
				break;
			t = push(v, V3_SUFFIX);
			t->s = p + 1;
			t->len = n;
			t->rank = r;
			p += 1 + n;
			n = span_digits(p, end);
			if (n) {
				t = push(v, V3_SUFFIX_NO);
				t->s = p;
				t->len = n;
				t->num = wrap_number(p, n);
				p += n;
			}
		} else if (*p == '~' && prev < V3_HASH) {
			n = 0;
			while (p + 1 + n < end && is_hex(p[1 + n]))
				n++;
			if (!n)
				break;
			t = push(v, V3_HASH);
			t->s = p + 1;
			t->len = n;
			p += 1 + n;
		} else if (*p == '-' && end - p > 1 && p[1] == 'r' && prev < V3_REV) {
			n = span_digits(p + 2, end);
			if (!n)
				break;
			t = push(v, V3_REV);
			t->s = p + 2;
			t->len = n;
			t->num = wrap_number(p + 2, n);
			p += 2 + n;
		} else {
			break;
		}
		if (t->type == V3_INVALID)
			return;
		prev = t->type;
	}
	push(v, V3_INVALID);
}

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);
	if (r)
		return r < 0 ? -1 : 1;
	return al == bl ? 0 : al < bl ? -1 : 1;
}

static int v3_token_cmp(const struct vtok *a, const struct vtok *b)
{
	switch (a->type) {
	case V3_DIGIT:
		if (a->s[0] == '0' || b->s[0] == '0')
			return bytes_cmp(a->s, a->len, b->s, b->len);
		/* fall through */
	case V3_INITIAL:
	case V3_SUFFIX_NO:
	case V3_REV:
		return a->num == b->num ? 0 : a->num < b->num ? -1 : 1;
	case V3_LETTER:
		return a->s[0] == b->s[0] ? 0 : a->s[0] < b->s[0] ? -1 : 1;
	case V3_HASH:
		return bytes_cmp(a->s, a->len, b->s, b->len);
	case V3_SUFFIX:
		return a->rank == b->rank ? 0 : a->rank < b->rank ? -1 : 1;
	}
	return 0;
}

static int v3_compare_toks(const struct vtoks *a, const struct vtoks *b)
{
	for (size_t i = 0;; i++) {
		const struct vtok *ta = &a->t[i], *tb = &b->t[i];
		if (ta->type == tb->type) {
			if (ta->type >= V3_END)
				return 0;
			int r = v3_token_cmp(ta, tb);
			if (r)
				return r;
			continue;
		}
		if (ta->type == V3_SUFFIX && ta->rank < 0)
			return -1;
		if (tb->type == V3_SUFFIX && tb->rank < 0)
			return 1;
		return ta->type > tb->type ? -1 : 1;
	}
}

/* ------------------------------------------------------------------------ */
/* public API                                                                */
/* ------------------------------------------------------------------------ */

static void tokenize(int gen, const char *s, struct vtoks *v)
{
	if (gen >= APK_GEN3)
		v3_tokenize(s, v);
	else
		v2_tokenize(s, v);
}

int apk_version_valid(int gen, const char *v)
{
	struct vtoks tt, *t = &tt;
	int ok;
	tokenize(gen, v, t);
	ok = t->t[t->n - 1].type == (gen >= APK_GEN3 ? V3_END : V2_END);
	return ok;
}

int apk_version_cmp(int gen, const char *a, const char *b)
{
	struct vtoks va, vb, *ta = &va, *tb = &vb;
	int r;
	tokenize(gen, a, ta);
	tokenize(gen, b, tb);
	r = gen >= APK_GEN3 ? v3_compare_toks(ta, tb) : v2_compare_toks(ta, tb, 0);
	return r;
}

int apk_version_fuzzy_match(int gen, const char *version, const char *pattern)
{
	struct vtoks vv, vp, *tv = &vv, *tp = &vp;
	int r = 0;

	tokenize(gen, version, tv);
	tokenize(gen, pattern, tp);
	if (gen < APK_GEN3) {
		r = v2_compare_toks(tv, tp, 1) == 0;
	} else {
		/* 3.x: every token of the pattern must be there, equal */
		for (size_t i = 0;; i++) {
			if (tp->t[i].type == V3_END) {
				r = 1;
				break;
			}
			if (tp->t[i].type != tv->t[i].type || tv->t[i].type >= V3_END ||
			    v3_token_cmp(&tp->t[i], &tv->t[i]) != 0)
				break;
		}
	}

	return r;
}

/* digits without leading zeros ("0" when all zeros) */
static void add_number(struct kbuf *o, const char *s, size_t n)
{
	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	if (n == 0)
		kbuf_adds(o, "0");
	else
		kbuf_add(o, s, n);
}

/* 0-9a-f -> a-p, so hex strings compare bytewise under dpkg's letter rules */
static void add_hex_as_letters(struct kbuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c =
		    is_digit(s[i]) ? (char)('a' + (s[i] - '0')) : (char)('a' + 10 + (s[i] - 'a'));
		kbuf_add(o, &c, 1);
	}
}

/* does a 3.x number wrap (>= 2^64)? the encoding cannot follow a wrap */
static int too_big(const char *s, size_t n)
{
	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	return n > 20 || (n == 20 && memcmp(s, "18446744073709551615", 20) > 0);
}

static int encode_v3(const struct vtoks *t, struct kbuf *o)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct vtok *k = &t->t[i];
		if ((k->type == V3_INITIAL || k->type == V3_DIGIT || k->type == V3_SUFFIX_NO ||
		     k->type == V3_REV) &&
		    too_big(k->s, k->len))
			return -1;
		switch (k->type) {
		case V3_INITIAL:
			add_number(o, k->s, k->len);
			break;
		case V3_DIGIT:
			if (k->s[0] != '0') {
				kbuf_adds(o, ".");
				kbuf_add(o, k->s, k->len);
			} else if (k->len == 1) {
				kbuf_adds(o, ".0");
			} else {
				kbuf_adds(o, ".0.");
				add_hex_as_letters(o, k->s + 1, k->len - 1);
				kbuf_adds(o, "~");
			}
			break;
		case V3_LETTER:
			kbuf_add(o, k->s, 1);
			break;
		case V3_SUFFIX:
			kbuf_adds(o, k->rank < 0 ? pre_suffix_evr[k->rank + 4]
						 : post_suffix_evr[k->rank]);
			break;
		case V3_SUFFIX_NO:
			kbuf_adds(o, "N");
			add_number(o, k->s, k->len);
			break;
		case V3_HASH:
			kbuf_adds(o, "H");
			add_hex_as_letters(o, k->s, k->len);
			break;
		case V3_REV:
			kbuf_adds(o, "-");
			add_number(o, k->s, k->len);
			break;
		case V3_END:
			return 0;
		default:
			return -1;
		}
	}
	return -1;
}

static int encode_v2(const struct vtoks *t, struct kbuf *o)
{
	int seen_rev = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct vtok *k = &t->t[i];
		if (seen_rev && k->type != V2_END)
			return -1; /* "-r1-r2": nothing may follow the revision */
		switch (k->type) {
		case V2_DIGIT:
			if (i == 0 || k->after_letter) {
				if (k->len == 0)
					return -1;
			}
			if (i == 0) {
				add_number(o, k->s, k->len);
			} else if (k->after_letter) { /* "1.2a1": between suffixes and '.' */
				kbuf_adds(o, ".");
				add_number(o, k->s, k->len);
			}
			/* else: the digits after a zero run, written with it */
			break;
		case V2_DIGIT_OR_ZERO:
			if (k->zero_run) {
				/* m zeros then r: ".0" "~"x(m-1) "." r */
				const struct vtok *r = &t->t[i + 1];
				kbuf_adds(o, ".0");
				for (int64_t z = 0; z < -k->val; z++)
					kbuf_adds(o, "~");
				kbuf_adds(o, ".");
				if (r->type == V2_DIGIT && r->len > 0)
					add_number(o, r->s, r->len);
				else
					kbuf_adds(o, "0");
			} else {
				if (k->len == 0)
					return -1; /* "1..2", "1.a" */
				kbuf_adds(o, ".");
				add_number(o, k->s, k->len);
			}
			break;
		case V2_LETTER:
			kbuf_add(o, k->s, 1);
			break;
		case V2_SUFFIX:
			kbuf_adds(o, k->rank < 0 ? pre_suffix_evr[k->rank + 4]
						 : post_suffix_evr[k->rank]);
			break;
		case V2_SUFFIX_NO:
			kbuf_adds(o, "N");
			add_number(o, k->s, k->len);
			break;
		case V2_REVISION_NO:
			if (k->len == 0)
				return -1;
			kbuf_adds(o, "-");
			add_number(o, k->s, k->len);
			seen_rev = 1;
			break;
		case V2_END:
			return 0;
		default:
			return -1;
		}
	}
	return -1;
}

int apk_version_to_evr(int gen, const char *v, struct kbuf *out, struct kerr *e)
{
	struct vtoks tt, *t = &tt;
	struct kbuf o;
	int r;

	kbuf_init(&o);
	tokenize(gen, v, t);
	r = gen >= APK_GEN3 ? encode_v3(t, &o) : encode_v2(t, &o);
	if (r < 0 || o.len == 0) {
		kbuf_free(&o);
		return kerr_set(e, KILN_EPARSE,
				"'%s' is not a valid apk version (apk-tools %d rules)", v,
				gen >= APK_GEN3 ? 3 : 2);
	}
	kbuf_add(out, o.data, o.len);
	kbuf_free(&o);
	return 0;
}
