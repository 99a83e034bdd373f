/* version.c - the version a security fix gets (+debNuM after the current one)
 * and the ordering checks that keep upgrades to the next release working. */
#include <stdlib.h>
#include <string.h>

#include "backports/backports.h"

int bp_next_version(const char *current, const char *suffix, char **out, struct kerr *e)
{
	if (!suffix || !suffix[0])
		return kerr_set(e, KILN_ENOTFOUND,
				"the distro definition has no Backport-Suffix (such as +deb12u)");
	if (deb_version_check(current, e) < 0)
		return -KILN_EPARSE;
	/* 1.2-3+deb12u1 -> 1.2-3+deb12u2: bump the number after the last suffix;
	 * a newer version rebuilt for the suite (590-2.1~deb12u1) keeps its "~" */
	char *tilde = xstrdup(suffix);
	if (tilde[0] == '+')
		tilde[0] = '~';
	const char *at = NULL;
	for (const char *p = strstr(current, suffix); p; p = strstr(p + 1, suffix))
		at = p;
	for (const char *p = strstr(current, tilde); p; p = strstr(p + 1, tilde))
		at = at && at > p ? at : p;
	free(tilde);
	if (at) {
		const char *num = at + strlen(suffix);
		size_t nd = strspn(num, "0123456789");
		if (nd > 0 && nd < 9 && num[nd] == '\0') {
			long n = strtol(num, NULL, 10);
			*out = xasprintf("%.*s%ld", (int)(at - current) + (int)strlen(suffix),
					 current, n + 1);
			return 0;
		}
	}
	*out = xasprintf("%s%s1", current, suffix);
	return 0;
}

int bp_check_version_order(const char *new_version, const char *current, const char *next_version,
			   const char *next_suite, struct kerr *e)
{
	if (deb_version_check(new_version, e) < 0)
		return -KILN_EFAIL;
	if (deb_version_cmp(new_version, current) <= 0)
		return kerr_set(e, KILN_EFAIL,
				"refusing version %s: it is not above the current version %s",
				new_version, current);
	if (next_version && deb_version_cmp(new_version, next_version) >= 0)
		return kerr_set(e, KILN_EFAIL,
				"refusing version %s: it is not below %s's version %s, so an "
				"upgrade to %s would not replace it (fix %s first, or choose the "
				"version by hand)",
				new_version, next_suite ? next_suite : "the next suite",
				next_version, next_suite ? next_suite : "the next suite",
				next_suite ? next_suite : "the next suite");
	return 0;
}

int bp_check_apk_version_order(int gen, const char *new_version, const char *current,
			       const char *next_version, const char *next_suite, struct kerr *e)
{
	const char *next = next_suite ? next_suite : "the next release";
	if (!apk_version_valid(gen, new_version))
		return kerr_set(e, KILN_EFAIL, "refusing version %s: not a valid apk version",
				new_version);
	if (apk_version_cmp(gen, new_version, current) <= 0)
		return kerr_set(e, KILN_EFAIL,
				"refusing version %s: it is not above the current version %s",
				new_version, current);
	if (next_version && apk_version_cmp(gen, new_version, next_version) >= 0)
		return kerr_set(e, KILN_EFAIL,
				"refusing version %s: it is not below %s's version %s, so an "
				"upgrade to %s would not replace it (fix %s first, or state its "
				"version with --next-version)",
				new_version, next, next_version, next, next);
	return 0;
}
