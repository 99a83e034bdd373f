/* depends.c - the Debian relation grammar (Build-Depends and friends): parse,
 * format, reduce by host architecture and build profiles. */
#include "solver/solver.h"

#include <stdlib.h>
#include <string.h>

/* ---------------- parsing ---------------- */

struct cursor {
	const char *start, *p;
	int flags;
	struct kerr *e;
};

static void skip_ws(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')
		c->p++;
}

static int col(const struct cursor *c)
{
	return (int)(c->p - c->start) + 1;
}

/* "found 'x'" or "found the end of the field", for messages */
static const char *found(const struct cursor *c, char buf[32])
{
	unsigned char ch = (unsigned char)*c->p;
	if (!ch)
		return "the end of the field";
	if (ch < 0x20 || ch >= 0x7f)
		snprintf(buf, 32, "byte 0x%02x", ch);
	else
		snprintf(buf, 32, "'%c'", ch);
	return buf;
}

static int fail(struct cursor *c, const char *expected)
{
	char b[32];
	return kerr_set(c->e, KILN_EPARSE, "column %d: expected %s, found %s", col(c), expected,
			found(c, b));
}

static int is_lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

/* package names: dpkg's rule (lowercase alphanumerics first, then also - + . _) */
static size_t name_len(const char *p)
{
	size_t n = 0;
	if (!is_lower_alnum(p[0]))
		return 0;
	while (is_lower_alnum(p[n]) || p[n] == '-' || p[n] == '+' || p[n] == '.' || p[n] == '_')
		n++;
	return n;
}

/* architecture names, qualifiers and profile names */
static size_t word_len(const char *p)
{
	size_t n = 0;
	while (is_lower_alnum(p[n]) || p[n] == '-' || p[n] == '+' || p[n] == '.' || p[n] == '_')
		n++;
	return n;
}

static int parse_op(struct cursor *c, enum dep_op *op)
{
	const char *p = c->p;
	if (p[0] == '<' && p[1] == '<')
		*op = DEP_LT, c->p += 2;
	else if (p[0] == '<' && p[1] == '=')
		*op = DEP_LE, c->p += 2;
	else if (p[0] == '>' && p[1] == '>')
		*op = DEP_GT, c->p += 2;
	else if (p[0] == '>' && p[1] == '=')
		*op = DEP_GE, c->p += 2;
	else if (p[0] == '=')
		*op = DEP_EQ, c->p += 1;
	else if (p[0] == '<') /* obsolete: means <= */
		*op = DEP_LE, c->p += 1;
	else if (p[0] == '>') /* obsolete: means >= */
		*op = DEP_GE, c->p += 1;
	else
		return fail(c, "a relation (<< <= = >= >>)");
	return 0;
}

static int parse_version(struct cursor *c, struct dep_atom *a)
{
	enum dep_op op = DEP_NONE;
	int r;

	c->p++; /* '(' */
	skip_ws(c);
	if ((r = parse_op(c, &op)) < 0)
		return r;
	skip_ws(c);
	const char *v = c->p;
	while (*c->p && *c->p != ')' && *c->p != ' ' && *c->p != '\t' && *c->p != '\n' &&
	       *c->p != '\r' && *c->p != '(' && *c->p != ',' && *c->p != '|')
		c->p++;
	if (c->p == v)
		return fail(c, "a version");
	a->version = xstrndup(v, (size_t)(c->p - v));
	a->op = op;
	struct kerr ve = {0};
	if (deb_version_check(a->version, &ve) < 0) {
		int at = (int)(v - c->start) + 1;
		return kerr_set(c->e, KILN_EPARSE, "column %d: %s", at, ve.msg);
	}
	skip_ws(c);
	if (*c->p != ')')
		return fail(c, "')' after the version");
	c->p++;
	return 0;
}

static int parse_archs(struct cursor *c, struct dep_atom *a)
{
	int neg = -1;
	const char *open = c->p;

	if (!(c->flags & DEP_PARSE_SOURCE))
		return kerr_set(c->e, KILN_EPARSE,
				"column %d: architecture restrictions are only allowed in source "
				"package fields",
				col(c));
	c->p++;
	for (;;) {
		skip_ws(c);
		if (*c->p == ']')
			break;
		int this_neg = 0;
		if (*c->p == '!')
			this_neg = 1, c->p++;
		size_t n = word_len(c->p);
		if (!n)
			return fail(c, "an architecture name or ']'");
		if (neg >= 0 && neg != this_neg)
			return kerr_set(
			    c->e, KILN_EPARSE,
			    "column %d: architecture list mixes negated and plain names", col(c));
		neg = this_neg;
		strv_add_owned(&a->archs, xstrndup(c->p, n));
		c->p += n;
		if (*c->p && *c->p != ' ' && *c->p != '\t' && *c->p != '\n' && *c->p != '\r' &&
		    *c->p != ']')
			return fail(c, "a space or ']' after the architecture name");
	}
	if (!a->archs.n)
		return kerr_set(c->e, KILN_EPARSE, "column %d: empty architecture list",
				(int)(open - c->start) + 1);
	a->archs_negated = neg == 1;
	c->p++;
	return 0;
}

static int parse_profiles(struct cursor *c, struct dep_atom *a)
{
	const char *open = c->p;
	struct strv terms = {0};

	if (!(c->flags & DEP_PARSE_SOURCE))
		return kerr_set(
		    c->e, KILN_EPARSE,
		    "column %d: build profiles are only allowed in source package fields", col(c));
	c->p++;
	for (;;) {
		skip_ws(c);
		if (*c->p == '>')
			break;
		const char *t = c->p;
		if (*c->p == '!')
			c->p++;
		size_t n = word_len(c->p);
		if (!n) {
			strv_free(&terms);
			return fail(c, "a build profile name or '>'");
		}
		c->p += n;
		strv_add_owned(&terms, xstrndup(t, (size_t)(c->p - t)));
		if (*c->p && *c->p != ' ' && *c->p != '\t' && *c->p != '\n' && *c->p != '\r' &&
		    *c->p != '>') {
			strv_free(&terms);
			return fail(c, "a space or '>' after the profile name");
		}
	}
	c->p++;
	if (!terms.n)
		return kerr_set(c->e, KILN_EPARSE, "column %d: empty build profile list",
				(int)(open - c->start) + 1);
	a->profiles = xrealloc(a->profiles, (a->nprofiles + 1) * sizeof(*a->profiles));
	a->profiles[a->nprofiles++] = terms;
	return 0;
}

static void atom_free(struct dep_atom *a)
{
	free(a->name);
	free(a->qual);
	free(a->version);
	strv_free(&a->archs);
	for (size_t i = 0; i < a->nprofiles; i++)
		strv_free(&a->profiles[i]);
	free(a->profiles);
	memset(a, 0, sizeof(*a));
}

static int parse_atom(struct cursor *c, struct dep_atom *a)
{
	int r;
	size_t n;

	skip_ws(c);
	if (!(n = name_len(c->p)))
		return fail(c, "a package name");
	a->name = xstrndup(c->p, n);
	c->p += n;
	if (*c->p == ':') {
		c->p++;
		if (!(n = word_len(c->p)))
			return fail(c, "an architecture qualifier after ':'");
		a->qual = xstrndup(c->p, n);
		c->p += n;
	}
	skip_ws(c);
	if (*c->p == '(') {
		if ((r = parse_version(c, a)) < 0)
			return r;
		skip_ws(c);
	}
	if (*c->p == '[') {
		if ((r = parse_archs(c, a)) < 0)
			return r;
		skip_ws(c);
	}
	while (*c->p == '<') {
		if ((r = parse_profiles(c, a)) < 0)
			return r;
		skip_ws(c);
	}
	return 0;
}

int depends_parse(const char *text, int flags, struct dep_list *out, struct kerr *e)
{
	struct cursor c = {text ? text : "", text ? text : "", flags, e};
	size_t gcap = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	skip_ws(&c);
	if (!*c.p)
		return 0;
	for (;;) {
		struct dep_group g = {0};
		size_t acap = 0;
		for (;;) {
			if (g.n == acap) {
				acap = acap ? acap * 2 : 2;
				g.alts = xrealloc(g.alts, acap * sizeof(*g.alts));
			}
			memset(&g.alts[g.n], 0, sizeof(g.alts[g.n]));
			r = parse_atom(&c, &g.alts[g.n]);
			g.n++;
			if (r < 0)
				break;
			if (*c.p == '|') {
				if (flags & DEP_PARSE_NO_ALTS) {
					r = kerr_set(
					    e, KILN_EPARSE,
					    "column %d: alternatives ('|') are not allowed "
					    "in this field",
					    col(&c));
					break;
				}
				c.p++;
				continue;
			}
			break;
		}
		if (out->n == gcap) {
			gcap = gcap ? gcap * 2 : 8;
			out->groups = xrealloc(out->groups, gcap * sizeof(*out->groups));
		}
		out->groups[out->n++] = g;
		if (r < 0)
			goto out;
		if (*c.p == ',') {
			c.p++;
			skip_ws(&c);
			if (!*c.p)
				break; /* trailing comma */
			if (*c.p == ',') {
				r = kerr_set(e, KILN_EPARSE,
					     "column %d: empty relation between commas", col(&c));
				goto out;
			}
			continue;
		}
		if (!*c.p)
			break;
		r = fail(&c, "',', '|' or the end of the field");
		goto out;
	}
out:
	if (r < 0)
		dep_list_free(out);
	return r;
}

void dep_list_free(struct dep_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		for (size_t j = 0; j < l->groups[i].n; j++)
			atom_free(&l->groups[i].alts[j]);
		free(l->groups[i].alts);
	}
	free(l->groups);
	l->groups = NULL;
	l->n = 0;
}

const char *dep_op_str(enum dep_op op)
{
	switch (op) {
	case DEP_LT:
		return "<<";
	case DEP_LE:
		return "<=";
	case DEP_EQ:
		return "=";
	case DEP_GE:
		return ">=";
	case DEP_GT:
		return ">>";
	default:
		return "";
	}
}

static void format_atom(struct kbuf *b, const struct dep_atom *a)
{
	kbuf_adds(b, a->name);
	if (a->qual)
		kbuf_printf(b, ":%s", a->qual);
	if (a->op != DEP_NONE)
		kbuf_printf(b, " (%s %s)", dep_op_str(a->op), a->version);
	if (a->archs.n) {
		kbuf_adds(b, " [");
		for (size_t i = 0; i < a->archs.n; i++)
			kbuf_printf(b, "%s%s%s", i ? " " : "", a->archs_negated ? "!" : "",
				    a->archs.v[i]);
		kbuf_adds(b, "]");
	}
	for (size_t i = 0; i < a->nprofiles; i++) {
		kbuf_adds(b, " <");
		for (size_t j = 0; j < a->profiles[i].n; j++)
			kbuf_printf(b, "%s%s", j ? " " : "", a->profiles[i].v[j]);
		kbuf_adds(b, ">");
	}
}

char *depends_format(const struct dep_list *l)
{
	struct kbuf b;
	kbuf_init(&b);
	kbuf_adds(&b, "");
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			kbuf_adds(&b, ", ");
		for (size_t j = 0; j < l->groups[i].n; j++) {
			if (j)
				kbuf_adds(&b, " | ");
			format_atom(&b, &l->groups[i].alts[j]);
		}
	}
	return b.data;
}

/* ---------------- architectures (dpkg-architecture's tuples) ---------------- */

/* Debian architecture -> abi, libc, os, cpu (dpkg's tupletable + cputable,
 * the architectures a host can be; wildcards are matched against these). */
static const struct arch_tuple {
	const char *arch, *abi, *libc, *os, *cpu;
} arch_tuples[] = {
    {"amd64", "base", "gnu", "linux", "amd64"},
    {"arm64", "base", "gnu", "linux", "arm64"},
    {"armel", "eabi", "gnu", "linux", "arm"},
    {"armhf", "eabihf", "gnu", "linux", "arm"},
    {"i386", "base", "gnu", "linux", "i386"},
    {"mips64el", "abi64", "gnu", "linux", "mips64el"},
    {"mipsel", "base", "gnu", "linux", "mipsel"},
    {"ppc64el", "base", "gnu", "linux", "ppc64el"},
    {"s390x", "base", "gnu", "linux", "s390x"},
    {"riscv64", "base", "gnu", "linux", "riscv64"},
    {"loong64", "base", "gnu", "linux", "loong64"},
    {"alpha", "base", "gnu", "linux", "alpha"},
    {"hppa", "base", "gnu", "linux", "hppa"},
    {"ia64", "base", "gnu", "linux", "ia64"},
    {"m68k", "base", "gnu", "linux", "m68k"},
    {"powerpc", "base", "gnu", "linux", "powerpc"},
    {"ppc64", "base", "gnu", "linux", "ppc64"},
    {"sh4", "base", "gnu", "linux", "sh4"},
    {"sparc64", "base", "gnu", "linux", "sparc64"},
    {"x32", "x32", "gnu", "linux", "amd64"},
    {"hurd-i386", "base", "gnu", "hurd", "i386"},
    {"hurd-amd64", "base", "gnu", "hurd", "amd64"},
    {"kfreebsd-amd64", "base", "gnu", "kfreebsd", "amd64"},
    {"kfreebsd-i386", "base", "gnu", "kfreebsd", "i386"},
    {"musl-linux-amd64", "base", "musl", "linux", "amd64"},
    {"musl-linux-arm64", "base", "musl", "linux", "arm64"},
};

static const struct arch_tuple *arch_tuple(const char *arch)
{
	for (size_t i = 0; i < sizeof(arch_tuples) / sizeof(arch_tuples[0]); i++)
		if (!strcmp(arch_tuples[i].arch, arch))
			return &arch_tuples[i];
	return NULL;
}

static int part_eq(const char *pat, size_t n, const char *val)
{
	return (n == 3 && !strncmp(pat, "any", 3)) || (strlen(val) == n && !strncmp(pat, val, n));
}

int arch_matches(const char *arch, const char *pattern)
{
	if (!strcmp(pattern, arch) || !strcmp(pattern, "any"))
		return 1;
	if (!strcmp(arch, "all") || !strcmp(pattern, "all"))
		return 0;
	const struct arch_tuple *t = arch_tuple(arch);
	if (!t)
		return 0;
	/* wildcards have "any" as a part: os-cpu, libc-os-cpu, abi-libc-os-cpu */
	const char *parts[4];
	size_t lens[4], n = 0;
	int has_any = 0;
	for (const char *p = pattern;; n++) {
		if (n == 4)
			return 0;
		const char *dash = strchr(p, '-');
		parts[n] = p;
		lens[n] = dash ? (size_t)(dash - p) : strlen(p);
		if (lens[n] == 3 && !strncmp(p, "any", 3))
			has_any = 1;
		if (!dash) {
			n++;
			break;
		}
		p = dash + 1;
	}
	if (!has_any) {
		/* a concrete architecture: equal only when its tuple is */
		const struct arch_tuple *u = arch_tuple(pattern);
		return u && !strcmp(u->abi, t->abi) && !strcmp(u->libc, t->libc) &&
		       !strcmp(u->os, t->os) && !strcmp(u->cpu, t->cpu);
	}
	const char *want[4] = {t->abi, t->libc, t->os, t->cpu};
	size_t skip = 4 - n; /* missing leading parts are "any" */
	for (size_t i = 0; i < n; i++)
		if (!part_eq(parts[i], lens[i], want[skip + i]))
			return 0;
	return 1;
}

int arch_list_matches(const char *archlist, const char *host_arch)
{
	struct strv l = {0};
	int m = 0;
	strv_split(&l, archlist ? archlist : "", " \t\n");
	for (size_t i = 0; i < l.n && !m; i++)
		m = arch_matches(host_arch, l.v[i]);
	strv_free(&l);
	return m;
}

/* ---------------- reduction ---------------- */

static int archs_apply(const struct dep_atom *a, const char *host)
{
	if (!a->archs.n)
		return 1;
	int any = 0;
	for (size_t i = 0; i < a->archs.n && !any; i++)
		any = arch_matches(host, a->archs.v[i]);
	return a->archs_negated ? !any : any;
}

static int profiles_apply(const struct dep_atom *a, const struct strv *active)
{
	if (!a->nprofiles)
		return 1;
	for (size_t i = 0; i < a->nprofiles; i++) {
		int all = 1;
		for (size_t j = 0; j < a->profiles[i].n && all; j++) {
			const char *t = a->profiles[i].v[j];
			int neg = t[0] == '!';
			int on = active && strv_contains(active, t + neg);
			all = neg ? !on : on;
		}
		if (all)
			return 1;
	}
	return 0;
}

void depends_reduce(const struct dep_list *in, const char *host_arch, const struct strv *profiles,
		    struct dep_list *out)
{
	memset(out, 0, sizeof(*out));
	out->groups = xcalloc(in->n ? in->n : 1, sizeof(*out->groups));
	for (size_t i = 0; i < in->n; i++) {
		struct dep_group g = {xcalloc(in->groups[i].n, sizeof(struct dep_atom)), 0};
		for (size_t j = 0; j < in->groups[i].n; j++) {
			const struct dep_atom *a = &in->groups[i].alts[j];
			if (!archs_apply(a, host_arch) || !profiles_apply(a, profiles))
				continue;
			struct dep_atom *b = &g.alts[g.n++];
			b->name = xstrdup(a->name);
			b->qual = a->qual ? xstrdup(a->qual) : NULL;
			b->op = a->op;
			b->version = a->version ? xstrdup(a->version) : NULL;
		}
		if (g.n)
			out->groups[out->n++] = g;
		else
			free(g.alts);
	}
}
