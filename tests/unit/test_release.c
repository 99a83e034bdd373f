/* test_release.c - Release parsing, dates, Debian versions and small lib pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "distros/distros.h"

static const char good[] = "Origin: Debian\nSuite: stable\nCodename: bookworm\n"
			   "Date: Sat, 10 Feb 2024 10:04:32 UTC\n"
			   "Valid-Until: Sat, 17 Feb 2024 10:04:32 UTC\n"
			   "Acquire-By-Hash: yes\nArchitectures: all amd64\nComponents: main contrib\n"
			   "MD5Sum:\n d41d8cd98f00b204e9800998ecf8427e 0 main/binary-amd64/Packages\n"
			   "SHA256:\n"
			   " e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855        0 "
			   "main/binary-amd64/Packages\n"
			   " 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  1234567 "
			   "main/binary-amd64/Packages.xz\n";

static void test_release_fields_and_sha256_list(void **s)
{
	struct release r;
	struct kerr e = {0};
	assert_int_equal(release_parse(good, strlen(good), "Release", &r, &e), 0);
	assert_string_equal(r.codename, "bookworm");
	assert_int_equal(r.date, 1707559472);
	assert_int_equal(r.valid_until, 1707559472 + 7 * 86400);
	assert_int_equal(r.acquire_by_hash, 1);
	assert_int_equal(r.nfiles, 2);
	const struct release_file *f = release_find(&r, "main/binary-amd64/Packages.xz");
	assert_non_null(f);
	assert_int_equal(f->size, 1234567);
	assert_null(release_find(&r, "main/source/Sources"));
	assert_true(strv_contains(&r.components, "contrib"));
	release_free(&r);
}

static void test_release_without_sha256_is_refused(void **s)
{
	const char *t = "Suite: x\nDate: Sat, 10 Feb 2024 10:04:32 UTC\nMD5Sum:\n abc 1 x\n";
	struct release r;
	struct kerr e = {0};
	assert_int_equal(release_parse(t, strlen(t), "R", &r, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "no SHA256"));
}

static void test_release_with_unsafe_path_is_refused(void **s)
{
	const char *t = "Suite: x\nDate: Sat, 10 Feb 2024 10:04:32 UTC\nSHA256:\n "
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 "
			"../../etc/passwd\n";
	struct release r;
	struct kerr e = {0};
	assert_int_equal(release_parse(t, strlen(t), "R", &r, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "unsafe index path"));
}

static void test_release_with_bad_date_is_refused(void **s)
{
	const char *t = "Suite: x\nDate: yesterday\nSHA256:\n";
	struct release r;
	struct kerr e = {0};
	assert_int_equal(release_parse(t, strlen(t), "R", &r, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "bad Date"));
}

static void test_rfc2822_dates(void **s)
{
	assert_int_equal(parse_rfc2822_utc("Thu, 01 Jan 1970 00:00:00 UTC"), 0);
	assert_int_equal(parse_rfc2822_utc("Sat, 10 Feb 2024 10:04:32 +0000"), 1707559472);
	assert_int_equal(parse_rfc2822_utc("Sat, 10 Feb 2024 11:04:32 +0100"), 1707559472);
	assert_int_equal(parse_rfc2822_utc("10 Feb 2024 10:04:32 GMT"), 1707559472);
	assert_int_equal(parse_rfc2822_utc("Sat, 10 Foo 2024 10:04:32 UTC"), -1);
	assert_int_equal(parse_rfc2822_utc("Sat, 10 Feb 2024 10:04:32 PST"), -1);
	assert_int_equal(parse_rfc2822_utc(""), -1);
}

static void test_debian_version_order(void **s)
{
	/* dpkg's documented order */
	const char *v[] = {"1.0~rc1-1", "1.0-1~deb12u1", "1.0-1",	"1.0-1+b1",
			   "1.0-1+deb12u1", "1.0-1.1", "1.0-2~bpo12+1", "1.0-2",
			   "1.0a-1",	   "1.0+dfsg-1", "1.0.0-1",	 "1:0.9-1"};
	size_t n = sizeof(v) / sizeof(v[0]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = deb_version_cmp(v[i], v[j]);
			if (i < j)
				assert_true(c < 0);
			else if (i > j)
				assert_true(c > 0);
			else
				assert_int_equal(c, 0);
		}
	assert_int_equal(deb_version_cmp("1.0", "1.0-0"), 0);
}

static void test_debian_version_syntax(void **s)
{
	struct kerr e = {0};
	assert_int_equal(deb_version_check("1:2.3-4+deb12u1", &e), 0);
	assert_int_equal(deb_version_check("2.10-3", &e), 0);
	assert_int_equal(deb_version_check("a1.0", &e), -KILN_EPARSE);
	assert_int_equal(deb_version_check("x:1.0", &e), -KILN_EPARSE);
	assert_int_equal(deb_version_check("1.0-", &e), -KILN_EPARSE);
	assert_int_equal(deb_version_check("1.0 2", &e), -KILN_EPARSE);
	assert_int_equal(deb_version_check("", &e), -KILN_EPARSE);
}

static void test_safe_file_names(void **s)
{
	assert_true(is_safe_filename("hello_2.10-3.dsc"));
	assert_false(is_safe_filename("../x"));
	assert_false(is_safe_filename(".."));
	assert_false(is_safe_filename("a/b"));
	assert_false(is_safe_filename("a b"));
	assert_false(is_safe_filename(""));
}

static void test_sha256_of_memory(void **s)
{
	char hex[SHA256_HEX_LEN + 1];
	sha256_mem("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(is_sha256_hex(hex));
	assert_false(is_sha256_hex("BA78"));
}

static void test_string_lists(void **s)
{
	struct strv l = {0};
	strv_split(&l, "  b, a ,,c ", " ,");
	assert_int_equal(l.n, 3);
	strv_sort(&l);
	assert_string_equal(l.v[0], "a");
	assert_string_equal(l.v[2], "c");
	assert_null(l.v[3]);
	strv_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_fields_and_sha256_list),
		cmocka_unit_test(test_release_without_sha256_is_refused),
		cmocka_unit_test(test_release_with_unsafe_path_is_refused),
		cmocka_unit_test(test_release_with_bad_date_is_refused),
		cmocka_unit_test(test_rfc2822_dates),
		cmocka_unit_test(test_debian_version_order),
		cmocka_unit_test(test_debian_version_syntax),
		cmocka_unit_test(test_safe_file_names),
		cmocka_unit_test(test_sha256_of_memory),
		cmocka_unit_test(test_string_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
