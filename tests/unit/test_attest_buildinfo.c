/* test_attest_buildinfo.c - reading .buildinfo files as dpkg, sbuild and the buildds write them,
 * and refusing bad ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "attest/attest.h"

/* dpkg 1.21.22's shape (shared/formats/buildinfo.md), trimmed */
static const char example[] =
    "Format: 1.0\n"
    "Source: hello-t\n"
    "Binary: hello-t\n"
    "Architecture: amd64\n"
    "Version: 1.0-1\n"
    "Checksums-Md5:\n"
    " 10676bf76ab74a8df712781addcda766 784 hello-t_1.0-1_amd64.deb\n"
    "Checksums-Sha1:\n"
    " c8f3fb37ddf4a44da5e3c3c5faa85f66310cfd69 784 hello-t_1.0-1_amd64.deb\n"
    "Checksums-Sha256:\n"
    " 9394ce3654f88a711d2f1a4180ecf342f64b4a842936b143233f3a7506bf5369 784 "
    "hello-t_1.0-1_amd64.deb\n"
    "Build-Origin: Debian\n"
    "Build-Architecture: amd64\n"
    "Build-Date: Fri, 27 Nov 2026 10:14:36 +0000\n"
    "Build-Path: /build/hello-t-1.0\n"
    "Build-Tainted-By:\n"
    " merged-usr-via-aliased-dirs\n"
    "Installed-Build-Depends:\n"
    " base-files (= 12.4+deb12u11),\n"
    " bash (= 5.2.15-2+b8),\n"
    " libgcc-s1:amd64 (= 12.2.0-14),\n"
    " zlib1g (= 1:1.2.13.dfsg-1)\n"
    "Environment:\n"
    " DEB_BUILD_OPTIONS=\"nocheck parallel=2\"\n"
    " LANG=\"C.UTF-8\"\n"
    " SOURCE_DATE_EPOCH=\"1704067200\"\n";

static int parse(const char *text, struct buildinfo *b, struct kerr *e)
{
	return buildinfo_parse(text, strlen(text), "x.buildinfo", b, e);
}

static void test_dpkg_buildinfo_is_read_whole(void **s)
{
	struct buildinfo b;
	struct kerr e = {0};
	if (parse(example, &b, &e))
		fail_msg("%s", e.msg);
	assert_string_equal(b.source, "hello-t");
	assert_string_equal(b.source_version, "1.0-1");
	assert_string_equal(b.version, "1.0-1");
	assert_int_equal(b.binary.n, 1);
	assert_string_equal(b.architecture.v[0], "amd64");
	assert_string_equal(b.build_arch, "amd64");
	assert_string_equal(b.host_arch, "amd64");
	assert_string_equal(b.build_path, "/build/hello-t-1.0");
	assert_string_equal(b.tainted_by.v[0], "merged-usr-via-aliased-dirs");
	assert_int_equal(b.nfiles, 1);
	assert_string_equal(b.files[0].name, "hello-t_1.0-1_amd64.deb");
	assert_int_equal(b.files[0].size, 784);
	assert_string_equal(b.files[0].sha256,
			    "9394ce3654f88a711d2f1a4180ecf342f64b4a842936b143233f3a7506bf5369");
	assert_int_equal(b.ndeps, 4);
	assert_string_equal(b.deps[2].name, "libgcc-s1");
	assert_string_equal(b.deps[2].arch, "amd64");
	assert_null(b.deps[1].arch);
	assert_string_equal(b.deps[3].version, "1:1.2.13.dfsg-1");
	assert_int_equal(b.nenv, 3);
	assert_string_equal(buildinfo_env_get(&b, "DEB_BUILD_OPTIONS"), "nocheck parallel=2");
	assert_string_equal(buildinfo_env_get(&b, "SOURCE_DATE_EPOCH"), "1704067200");
	assert_null(buildinfo_env_get(&b, "TZ"));
	assert_false(b.was_signed);
	buildinfo_free(&b);
}

static void test_signed_buildinfo_is_unwrapped(void **s)
{
	struct kbuf t = {0};
	struct buildinfo b;
	struct kerr e = {0};
	kbuf_adds(&t, "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n");
	kbuf_adds(&t, example);
	kbuf_adds(&t, "-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE\n=abcd\n"
		      "-----END PGP SIGNATURE-----\n");
	if (buildinfo_parse(t.data, t.len, "s.buildinfo", &b, &e))
		fail_msg("%s", e.msg);
	assert_true(b.was_signed);
	assert_string_equal(b.source, "hello-t");
	assert_int_equal(b.nenv, 3);
	buildinfo_free(&b);
	kbuf_free(&t);
}

static char *replace(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	assert_non_null(p);
	return xasprintf("%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
}

static void test_binnmu_source_version_and_escapes(void **s)
{
	char *t1 = replace(example, "Source: hello-t\n", "Source: hello-t (1.0-1)\n");
	char *t2 = replace(t1, "Version: 1.0-1\n", "Version: 1.0-1+b1\n");
	char *t3 = replace(t2, " LANG=\"C.UTF-8\"\n",
			   " DEB_CFLAGS_APPEND=\"-DX=\\\"y\\\" -DZ=a\\\\b\"\n LANG=\"C.UTF-8\"\n");
	struct buildinfo b;
	struct kerr e = {0};
	if (parse(t3, &b, &e))
		fail_msg("%s", e.msg);
	assert_string_equal(b.source, "hello-t");
	assert_string_equal(b.source_version, "1.0-1");
	assert_string_equal(b.version, "1.0-1+b1");
	assert_string_equal(buildinfo_env_get(&b, "DEB_CFLAGS_APPEND"), "-DX=\"y\" -DZ=a\\b");
	buildinfo_free(&b);
	free(t1);
	free(t2);
	free(t3);
}

static void expect_refused(const char *from, const char *to, const char *msg)
{
	char *t = replace(example, from, to);
	struct buildinfo b;
	struct kerr e = {0};
	assert_int_equal(parse(t, &b, &e), -KILN_EPARSE);
	if (!strstr(e.msg, msg))
		fail_msg("'%s' does not say '%s'", e.msg, msg);
	assert_non_null(strstr(e.msg, "x.buildinfo"));
	free(t);
}

static void test_what_debrebuild_refuses_is_refused(void **s)
{
	expect_refused(" bash (= 5.2.15-2+b8),\n", " bash (>= 5.2),\n",
		       "entry 'bash (>= 5.2),' is not 'name[:arch] (= version)'");
	expect_refused(" bash (= 5.2.15-2+b8),\n", " bash | dash (= 5.2),\n", "is not 'name");
	expect_refused(" base-files (= 12.4+deb12u11),\n", "", "lacks base-files");
	expect_refused("Build-Architecture: amd64\n", "", "no Build-Architecture");
	expect_refused("Environment:\n", "Environmentx:\n", "no Environment field");
	expect_refused(" LANG=\"C.UTF-8\"\n", " LANG=C.UTF-8\n", "is not NAME=\"value\"");
	expect_refused("Build-Path: /build/hello-t-1.0\n", "Build-Path: /build/../etc\n",
		       "Build-Path '/build/../etc'");
	expect_refused("Build-Path: /build/hello-t-1.0\n", "Build-Path: /build/$(reboot)\n",
		       "not a plain absolute path");
	expect_refused("Build-Path: /build/hello-t-1.0\n", "Build-Path: build/x\n",
		       "not a plain absolute path");
	expect_refused(" 9394ce3654f88a711d2f1a4180ecf342f64b4a842936b143233f3a7506bf5369 784 "
		       "hello-t_1.0-1_amd64.deb\n",
		       " 9394ce3654f88a711d2f1a4180ecf342f64b4a842936b143233f3a7506bf5369 784 "
		       "../../etc/passwd\n",
		       "Checksums-Sha256 line");
	expect_refused("Version: 1.0-1\n", "Version: not a version!\n", "not a Debian version");
	expect_refused("Source: hello-t\n", "Source: hello-t (1.0\n", "is not 'name (version)'");
}

static void test_empty_and_missing_files(void **s)
{
	struct buildinfo b;
	struct kerr e = {0};
	assert_int_equal(parse("", &b, &e), -KILN_EPARSE);
	assert_int_equal(buildinfo_load("/nonexistent.buildinfo", &b, &e), -KILN_ENOTFOUND);
	buildinfo_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dpkg_buildinfo_is_read_whole),
	    cmocka_unit_test(test_signed_buildinfo_is_unwrapped),
	    cmocka_unit_test(test_binnmu_source_version_and_escapes),
	    cmocka_unit_test(test_what_debrebuild_refuses_is_refused),
	    cmocka_unit_test(test_empty_and_missing_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
