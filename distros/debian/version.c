/* version.c - Debian version comparison, by libsolv's Debian rules. */
#include "distros/distros.h"

#include <ctype.h>
#include <solv/evr.h>
#include <solv/pool.h>
#include <stdio.h>
#include <string.h>

/* one Debian-semantics pool per thread, created on first use */
static __thread Pool *deb_pool;

static Pool *pool_deb(void)
{
	if (!deb_pool) {
		deb_pool = pool_create();
		pool_setdisttype(deb_pool, DISTTYPE_DEB);
	}
	return deb_pool;
}

/* dpkg reads a missing revision as "0" ("1.0" == "1.0-0"); libsolv does not,
 * so both sides get an explicit revision before comparing */
static const char *with_revision(const char *v, char *buf, size_t n)
{
	const char *colon = strchr(v, ':');
	if (strchr(colon ? colon + 1 : v, '-'))
		return v;
	snprintf(buf, n, "%s-0", v);
	return buf;
}

int deb_version_cmp(const char *a, const char *b)
{
	char ba[256], bb[256];
	if (strlen(a) < 250)
		a = with_revision(a, ba, sizeof(ba));
	if (strlen(b) < 250)
		b = with_revision(b, bb, sizeof(bb));
	return pool_evrcmp_str(pool_deb(), a, b, EVRCMP_COMPARE);
}

int deb_version_check(const char *v, struct kerr *e)
{
	const char *colon = strchr(v, ':'), *up = v, *dash;

	if (!*v)
		return kerr_set(e, KILN_EPARSE, "empty version");
	if (colon) {
		for (const char *p = v; p < colon; p++)
			if (!isdigit((unsigned char)*p))
				return kerr_set(e, KILN_EPARSE,
						"version '%s': epoch is not a number", v);
		if (colon == v)
			return kerr_set(e, KILN_EPARSE, "version '%s': empty epoch", v);
		up = colon + 1;
	}
	if (!isdigit((unsigned char)*up))
		return kerr_set(e, KILN_EPARSE, "version '%s': must start with a digit", v);
	dash = strrchr(up, '-');
	for (const char *p = up; *p; p++) {
		unsigned char c = (unsigned char)*p;
		int ok = isalnum(c) || c == '.' || c == '+' || c == '~' || (c == '-' && dash) ||
			 (c == ':' && colon);
		if (p > dash && dash && c == ':')
			ok = 0;
		if (!ok)
			return kerr_set(e, KILN_EPARSE, "version '%s': invalid character '%c'", v,
					c);
	}
	if (dash && !dash[1])
		return kerr_set(e, KILN_EPARSE, "version '%s': empty revision", v);
	return 0;
}
