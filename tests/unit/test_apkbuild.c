/* test_apkbuild.c - APKBUILD evaluation output parsing, the sha512 source cache and the
 * verification of an APKBUILD's sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "builders/alpine.h"

static char tmpdir[] = "/tmp/kiln-test-apkbuild.XXXXXX";

static int setup(void **s)
{
	if (!mkdtemp(tmpdir))
		return -1;
	char *home = xasprintf("%s/home", tmpdir);
	kiln_home_set(home);
	free(home);
	return 0;
}

static int teardown(void **s)
{
	rm_rf(tmpdir);
	return 0;
}

static void put(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", tmpdir, name);
	struct kerr e = {0};
	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644, &e), 0);
	free(p);
}

static void vars(struct kbuf *b, const char *const *kv)
{
	for (size_t i = 0; kv[i]; i++)
		kbuf_add(b, kv[i], strlen(kv[i]) + 1);
}

static void test_parse_vars_splits_lists_and_keeps_scalars(void **s)
{
	static const char *const kv[] = {"pkgname",  "foo",
					 "pkgdesc",  "a  description\twith spaces",
					 "depends",  " so:libc.musl-x86_64.so.1\n\tzlib>=1.2 ",
					 "function", "build",
					 "function", "package",
					 "kiln-end", "",
					 NULL};
	struct kbuf b = {0};
	struct apkbuild ab = {0};
	struct kerr e = {0};
	vars(&b, kv);
	assert_int_equal(apkbuild_parse_vars(&ab, &b, "APKBUILD", &e), 0);
	assert_string_equal(ab.pkgname, "foo");
	assert_string_equal(ab.pkgdesc, "a  description\twith spaces");
	assert_int_equal(ab.depends.n, 2);
	assert_string_equal(ab.depends.v[0], "so:libc.musl-x86_64.so.1");
	assert_string_equal(ab.depends.v[1], "zlib>=1.2");
	assert_int_equal(ab.functions.n, 2);
	assert_string_equal(ab.functions.v[1], "package");
	apkbuild_free(&ab);
	kbuf_free(&b);
}

static void test_parse_vars_without_end_marker_is_an_error(void **s)
{
	static const char *const kv[] = {"pkgname", "foo", NULL};
	struct kbuf b = {0};
	struct apkbuild ab = {0};
	struct kerr e = {0};
	vars(&b, kv);
	assert_int_equal(apkbuild_parse_vars(&ab, &b, "x/APKBUILD", &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "x/APKBUILD: the evaluation ended early"));
	apkbuild_free(&ab);
	kbuf_free(&b);
}

static void test_parse_vars_refuses_unknown_names(void **s)
{
	static const char *const kv[] = {"evil", "1", "kiln-end", "", NULL};
	struct kbuf b = {0};
	struct apkbuild ab = {0};
	struct kerr e = {0};
	vars(&b, kv);
	assert_int_equal(apkbuild_parse_vars(&ab, &b, "APKBUILD", &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "unknown name 'evil'"));
	apkbuild_free(&ab);
	kbuf_free(&b);
}

/* sha512 of "hello\n" (sha512sum) */
#define HELLO_SHA512                                                                               \
	"e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e1" \
	"0f8b"                                                                                     \
	"cb8d45223e54878f5b316e7ce3b6bc019629"

static void test_cache_add_stores_the_file_under_its_sha512(void **s)
{
	char hex[129], *path = NULL;
	struct kerr e = {0};
	struct kbuf b = {0};
	put("hello.txt", "hello\n");
	char *f = xasprintf("%s/hello.txt", tmpdir);
	assert_int_equal(apk_source_cache_add(f, hex, &e), 0);
	assert_string_equal(hex, HELLO_SHA512);
	assert_int_equal(apk_source_cache_path(hex, &path, &e), 0);
	char *want = xasprintf("%s/home/sources/sha512/e7/%s", tmpdir, HELLO_SHA512);
	assert_string_equal(path, want);
	assert_int_equal(read_file(path, &b, 0, &e), 0);
	assert_string_equal(b.data, "hello\n");
	free(want);
	free(path);
	free(f);
	kbuf_free(&b);
}

static void test_cache_path_of_an_unknown_hash_is_not_found(void **s)
{
	char *path = NULL, hex[129];
	struct kerr e = {0};
	memset(hex, 'a', 128);
	hex[128] = '\0';
	assert_int_equal(apk_source_cache_path(hex, &path, &e), -KILN_ENOTFOUND);
	assert_null(path);
	assert_non_null(strstr(e.msg, "kiln source --add"));
	assert_int_equal(apk_source_cache_path("../../etc/passwd", &path, &e), -KILN_EUSAGE);
}

/* an apkbuild as the evaluation would give it, for the directory tmpdir */
static void fake_apkbuild(struct apkbuild *ab, const char *source, const char *sums)
{
	memset(ab, 0, sizeof(*ab));
	ab->dir = xstrdup(tmpdir);
	ab->pkgname = xstrdup("foo");
	strv_split(&ab->source, source, " \n");
	strv_split(&ab->sha512sums, sums, " \n");
}

static void test_sources_local_and_cached_remote_are_verified_and_copied(void **s)
{
	struct apkbuild ab;
	struct apk_sources srcs = {0};
	struct kerr e = {0};
	char hex[129];
	put("local.txt", "hello\n");
	put("up.txt", "hello\n");
	char *up = xasprintf("%s/up.txt", tmpdir), *dest = xasprintf("%s/dest", tmpdir);
	assert_int_equal(apk_source_cache_add(up, hex, &e), 0);
	unlink(up);
	assert_int_equal(mkdir_p(dest, 0755, &e), 0);
	fake_apkbuild(&ab, "local.txt renamed.txt::https://example.org/dl/up-1.0.txt",
		      HELLO_SHA512 "  local.txt\n" HELLO_SHA512 "  renamed.txt");
	assert_int_equal(apk_sources_verify(&ab, dest, &srcs, &e), 0);
	assert_int_equal(srcs.n, 2);
	assert_string_equal(srcs.v[0].name, "local.txt");
	assert_int_equal(srcs.v[0].remote, 0);
	assert_string_equal(srcs.v[1].name, "renamed.txt");
	assert_int_equal(srcs.v[1].remote, 1);
	assert_int_equal(srcs.v[1].size, 6);
	assert_string_equal(srcs.v[1].sha256,
			    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
	char *copied = xasprintf("%s/renamed.txt", dest);
	assert_true(path_exists(copied));
	free(copied);
	apk_sources_free(&srcs);
	apkbuild_free(&ab);
	free(up);
	free(dest);
}

static void test_source_with_a_different_sha512_stops_the_build(void **s)
{
	struct apkbuild ab;
	struct apk_sources srcs = {0};
	struct kerr e = {0};
	put("local.txt", "hello, changed\n");
	fake_apkbuild(&ab, "local.txt", HELLO_SHA512 "  local.txt");
	assert_int_equal(apk_sources_verify(&ab, NULL, &srcs, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "/APKBUILD: source local.txt: sha512 mismatch"));
	assert_int_equal(srcs.n, 0);
	apkbuild_free(&ab);
}

static void test_source_without_a_sha512sums_entry_is_refused(void **s)
{
	struct apkbuild ab;
	struct apk_sources srcs = {0};
	struct kerr e = {0};
	put("local.txt", "hello\n");
	fake_apkbuild(&ab, "local.txt other.patch", HELLO_SHA512 "  local.txt");
	assert_int_equal(apk_sources_verify(&ab, NULL, &srcs, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "source other.patch has no sha512sums entry"));
	apkbuild_free(&ab);
}

static void test_remote_source_missing_from_the_cache_is_not_found(void **s)
{
	struct apkbuild ab;
	struct apk_sources srcs = {0};
	struct kerr e = {0};
	char sums[200];
	snprintf(sums, sizeof(sums), "%0128d  foo-1.0.tar.gz", 0);
	fake_apkbuild(&ab, "https://example.org/foo-1.0.tar.gz", sums);
	assert_int_equal(apk_sources_verify(&ab, NULL, &srcs, &e), -KILN_ENOTFOUND);
	assert_non_null(strstr(e.msg, "source foo-1.0.tar.gz (https://example.org/foo-1.0.tar.gz) "
				      "is not in the source cache"));
	apkbuild_free(&ab);
}

static void test_source_names_that_leave_the_directory_are_refused(void **s)
{
	struct apkbuild ab;
	struct apk_sources srcs = {0};
	struct kerr e = {0};
	fake_apkbuild(&ab, "../secret", HELLO_SHA512 "  ../secret");
	assert_int_equal(apk_sources_verify(&ab, NULL, &srcs, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "unusable file name '../secret'"));
	apkbuild_free(&ab);
}

static void test_json_has_each_variable_and_secfixes_by_version(void **s)
{
	struct apkbuild ab = {0};
	ab.pkgname = xstrdup("foo");
	ab.pkgver = xstrdup("1.0");
	strv_split(&ab.makedepends, "zlib-dev openssl-dev", " ");
	ab.secfixes.v = xcalloc(1, sizeof(*ab.secfixes.v));
	ab.secfixes.n = 1;
	ab.secfixes.v[0].version = xstrdup("1.0-r1");
	strv_add(&ab.secfixes.v[0].ids, "CVE-2024-1");
	char *text = apkbuild_to_json(&ab);
	json_error_t je;
	json_t *o = json_loads(text, 0, &je);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "pkgname")), "foo");
	json_t *md = json_object_get(o, "makedepends");
	assert_int_equal(json_array_size(md), 2);
	assert_string_equal(json_string_value(json_array_get(md, 1)), "openssl-dev");
	json_t *sf = json_object_get(json_object_get(o, "secfixes"), "1.0-r1");
	assert_string_equal(json_string_value(json_array_get(sf, 0)), "CVE-2024-1");
	assert_null(json_object_get(o, "pkgdesc")); /* unset stays absent */
	assert_int_equal(json_array_size(json_object_get(o, "depends")), 0);
	json_decref(o);
	free(text);
	apkbuild_free(&ab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_vars_splits_lists_and_keeps_scalars),
	    cmocka_unit_test(test_parse_vars_without_end_marker_is_an_error),
	    cmocka_unit_test(test_parse_vars_refuses_unknown_names),
	    cmocka_unit_test(test_cache_add_stores_the_file_under_its_sha512),
	    cmocka_unit_test(test_cache_path_of_an_unknown_hash_is_not_found),
	    cmocka_unit_test(test_sources_local_and_cached_remote_are_verified_and_copied),
	    cmocka_unit_test(test_source_with_a_different_sha512_stops_the_build),
	    cmocka_unit_test(test_source_without_a_sha512sums_entry_is_refused),
	    cmocka_unit_test(test_remote_source_missing_from_the_cache_is_not_found),
	    cmocka_unit_test(test_source_names_that_leave_the_directory_are_refused),
	    cmocka_unit_test(test_json_has_each_variable_and_secfixes_by_version),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
