/* test_apksecfixes.c - the "# secfixes:" block of an APKBUILD, read as abuild's line rules say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "distros/distros.h"

static const char apkbuild[] = "# Contributor: A <a@example.org>\n"
			       "# Maintainer: B <b@example.org>\n"
			       "pkgname=foo\n"
			       "pkgver=1.2.3\n"
			       "pkgrel=1\n"
			       "\n"
			       "# secfixes:\n"
			       "#   1.2.3-r1:\n"
			       "#     - CVE-2024-1234\n"
			       "#     - CVE-2024-5678\n"
			       "#\n"
			       "#   1.2.0-r0:\n"
			       "#     - GHSA-abcd-1234-efgh\n"
			       "#   0:\n"
			       "#     - CVE-2019-0001\n"
			       "\n"
			       "build() { make; }\n"
			       "# secfixes:\n"
			       "#   9.9-r0:\n"
			       "#     - CVE-NOT-THIS-ONE\n";

static void test_block_gives_versions_and_ids_in_order(void **s)
{
	struct apk_secfixes f;
	struct kerr e = {0};
	assert_int_equal(apk_secfixes_parse(apkbuild, strlen(apkbuild), "APKBUILD", &f, &e), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.v[0].version, "1.2.3-r1");
	assert_int_equal(f.v[0].ids.n, 2);
	assert_string_equal(f.v[0].ids.v[0], "CVE-2024-1234");
	assert_string_equal(f.v[0].ids.v[1], "CVE-2024-5678");
	assert_string_equal(f.v[1].version, "1.2.0-r0");
	assert_string_equal(f.v[1].ids.v[0], "GHSA-abcd-1234-efgh");
	assert_string_equal(f.v[2].version, "0");
	assert_string_equal(f.v[2].ids.v[0], "CVE-2019-0001");
	apk_secfixes_free(&f);
}

static void test_no_block_is_empty(void **s)
{
	struct apk_secfixes f;
	struct kerr e = {0};
	const char *t = "pkgname=x\n# secfixes: later\n";
	assert_int_equal(apk_secfixes_parse(t, strlen(t), "APKBUILD", &f, &e), 0);
	assert_int_equal(f.n, 0);
	apk_secfixes_free(&f);
}

static void test_malformed_lines_are_errors_naming_the_line(void **s)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"# secfixes:\n#\t1.0-r0:\n", "APKBUILD:2: secfixes: tabs are not allowed"},
	    {"# secfixes:\n#     - CVE-1\n", "APKBUILD:2: secfixes: ID before any version"},
	    {"# secfixes:\n#   1.0-r0\n", "APKBUILD:2: secfixes: bad version line"},
	    {"# secfixes:\n#   1.0-r0:\n#     - CVE 1\n", "APKBUILD:3: secfixes: bad ID"},
	    {"# secfixes:\n#   1.0-r0:\n# fixed things\n", "APKBUILD:3: secfixes: unexpected line"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct apk_secfixes f;
		struct kerr e = {0};
		assert_int_equal(
		    apk_secfixes_parse(bad[i].text, strlen(bad[i].text), "APKBUILD", &f, &e),
		    -KILN_EPARSE);
		if (!strstr(e.msg, bad[i].msg))
			fail_msg("case %zu: '%s', wanted '%s'", i, e.msg, bad[i].msg);
		assert_int_equal(f.n, 0);
	}
}

static void test_repeated_versions_and_ids_merge(void **s)
{
	const char *t = "# secfixes:\n#   1.0-r1:\n#     - CVE-1\n#   1.0-r1:\n#     - CVE-1\n"
			"#     - CVE-2\n";
	struct apk_secfixes f;
	struct kerr e = {0};
	assert_int_equal(apk_secfixes_parse(t, strlen(t), "APKBUILD", &f, &e), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].ids.n, 2);
	apk_secfixes_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_block_gives_versions_and_ids_in_order),
	    cmocka_unit_test(test_no_block_is_empty),
	    cmocka_unit_test(test_malformed_lines_are_errors_naming_the_line),
	    cmocka_unit_test(test_repeated_versions_and_ids_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
