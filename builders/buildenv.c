/* buildenv.c - the fixed variables every build sees (see buildenv.h): part
 * of the reproducibility contract, so one list for both builders. */
#include "builders/buildenv.h"
#include "builders/builders.h"

void build_env_locale(struct strv *env, const char *home)
{
	strv_add(env, "LANG=C.UTF-8");
	strv_add(env, "LC_ALL=C.UTF-8");
	strv_add(env, "TZ=UTC");
	strv_add_owned(env, xasprintf("HOME=%s", home));
}

void build_env_fixed(struct strv *env, const char *home, int64_t sde)
{
	build_env_locale(env, home);
	strv_add(env, "USER=" BUILD_USER);
	strv_add(env, "LOGNAME=" BUILD_USER);
	strv_add(env, "SHELL=/bin/sh");
	strv_add(env, "TERM=dumb");
	strv_add_owned(env, xasprintf("SOURCE_DATE_EPOCH=%lld", (long long)sde));
}
