/* apkdep.c - apk dependency atoms: [!]name[@tag][op version]. */
#include "distros/distros.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *s;
	enum apk_dep_op op;
} ops[] = {
    {"=", APK_DEP_EQ},	      {"<", APK_DEP_LT},	{"<=", APK_DEP_LE},
    {">", APK_DEP_GT},	      {">=", APK_DEP_GE},	{"~", APK_DEP_FUZZY},
    {"=~", APK_DEP_FUZZY},    {"><", APK_DEP_CHECKSUM}, {"<~", APK_DEP_LT_FUZZY},
    {">~", APK_DEP_GT_FUZZY},
};

const char *apk_dep_op_str(enum apk_dep_op op)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == op)
			return ops[i].s;
	return "";
}

void apk_dep_free(struct apk_dep *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->tag);
	free(d->version);
	memset(d, 0, sizeof(*d));
}

int apk_dep_parse(const char *atom, struct apk_dep *d, struct kerr *e)
{
	const char *p = atom, *start;
	size_t n;

	memset(d, 0, sizeof(*d));
	if (*p == '!') {
		d->conflict = 1;
		p++;
	}
	start = p;
	n = strcspn(p, "@<>=~ \t");
	if (n == 0)
		return kerr_set(e, KILN_EPARSE, "dependency '%s': no name", atom);
	d->name = xstrndup(start, n);
	p += n;
	if (*p == '@') {
		p++;
		n = strcspn(p, "<>=~ \t");
		if (n == 0)
			goto bad;
		d->tag = xstrndup(p, n);
		p += n;
	}
	if (*p == '\0')
		return 0;
	n = strspn(p, "<>=~");
	if (n == 0)
		goto bad;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i].s) == n && !strncmp(ops[i].s, p, n))
			d->op = ops[i].op;
	if (d->op == APK_DEP_ANY || !p[n] || strpbrk(p + n, " \t<>"))
		goto bad;
	d->version = xstrdup(p + n);
	return 0;
bad:
	apk_dep_free(d);
	return kerr_set(e, KILN_EPARSE, "dependency '%s' is malformed", atom);
}
