/* test_buildenv.c - the fixed environment of Debian and Alpine builds: the exact variables, in
 * order, that each builder gave its steps before they shared builders/buildenv.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "builders/buildenv.h"

static void assert_env(const struct strv *env, const char *const *want, size_t n)
{
	assert_int_equal(env->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(env->v[i], want[i]);
	assert_null(env->v[n]); /* execve's terminator */
}

/* build_env_fixed(home, sde) gives exactly want */
static void expect_fixed(const char *home, int64_t sde, const char *const *want, size_t n)
{
	struct strv env = {0};
	build_env_fixed(&env, home, sde);
	assert_env(&env, want, n);
	strv_free(&env);
}

static void test_debian_build_environment_is_buildd_like(void **s)
{
	static const char *const want[] = {
	    "LANG=C.UTF-8",	 "LC_ALL=C.UTF-8", "TZ=UTC",
	    "HOME=/nonexistent", "USER=kiln",	   "LOGNAME=kiln",
	    "SHELL=/bin/sh",	 "TERM=dumb",	   "SOURCE_DATE_EPOCH=1664534866"};
	(void)s;
	expect_fixed("/nonexistent", 1664534866, want, sizeof(want) / sizeof(want[0]));
}

static void test_alpine_build_environment_has_the_build_users_home(void **s)
{
	static const char *const want[] = {
	    "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC",	   "HOME=/home/build",	 "USER=kiln",
	    "LOGNAME=kiln", "SHELL=/bin/sh",  "TERM=dumb", "SOURCE_DATE_EPOCH=0"};
	(void)s;
	expect_fixed("/home/build", 0, want, sizeof(want) / sizeof(want[0]));
}

static void test_unpack_step_gets_only_locale_timezone_and_home(void **s)
{
	static const char *const want[] = {"LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC",
					   "HOME=/nonexistent"};
	struct strv env = {0};
	(void)s;
	build_env_locale(&env, "/nonexistent");
	assert_env(&env, want, sizeof(want) / sizeof(want[0]));
	strv_free(&env);
}

static void test_variables_are_appended_after_what_the_builder_put_first(void **s)
{
	struct strv env = {0};
	(void)s;
	strv_add(&env, "DEB_BUILD_OPTIONS=nocheck parallel=1");
	build_env_fixed(&env, "/nonexistent", 4102444800LL); /* past 2038 */
	assert_int_equal(env.n, 10);
	assert_string_equal(env.v[0], "DEB_BUILD_OPTIONS=nocheck parallel=1");
	assert_string_equal(env.v[1], "LANG=C.UTF-8");
	assert_string_equal(env.v[9], "SOURCE_DATE_EPOCH=4102444800");
	strv_free(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_debian_build_environment_is_buildd_like),
	    cmocka_unit_test(test_alpine_build_environment_has_the_build_users_home),
	    cmocka_unit_test(test_unpack_step_gets_only_locale_timezone_and_home),
	    cmocka_unit_test(test_variables_are_appended_after_what_the_builder_put_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
