/* test_builders.c - the builders stage's pure pieces: SOURCE_DATE_EPOCH, upstream versions, root
 * ids, .dsc checks, the build record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <unistd.h>

#include "builders/builders.h"
#include "builders/record.h"

static char scratch[64];

static int setup(void **s)
{
	snprintf(scratch, sizeof(scratch), "/tmp/kiln-test-builders.XXXXXX");
	assert_non_null(mkdtemp(scratch));
	return 0;
}

static int teardown(void **s)
{
	rm_rf(scratch);
	return 0;
}

static void test_changelog_trailer_gives_source_date_epoch(void **s)
{
	const char *t =
	    "hello (2.10-3) unstable; urgency=medium\n\n  * Fix.\n\n"
	    " -- Santiago Vila <sanvila@debian.org>  Mon, 26 Dec 2022 16:30:00 +0100\n\n"
	    "hello (2.10-2) unstable; urgency=low\n\n"
	    " -- X <x@y>  Sun, 01 Jan 2017 00:00:00 +0000\n";
	struct kerr e = {0};
	/* dpkg-parsechangelog -STimestamp gives 1672068600 for this trailer */
	assert_int_equal(changelog_timestamp(t, strlen(t), "changelog", &e), 1672068600);
}

static void test_changelog_negative_offset(void **s)
{
	const char *t = "a (1) u; urgency=low\n\n -- A <a@b>  Sun, 01 Jan 2023 07:00:00 -0500\n";
	struct kerr e = {0};
	assert_int_equal(changelog_timestamp(t, strlen(t), "changelog", &e), 1672574400);
}

static void test_changelog_without_trailer_is_an_error(void **s)
{
	const char *t = "a (1) u; urgency=low\n\n  * no trailer\n";
	struct kerr e = {0};
	assert_int_equal(changelog_timestamp(t, strlen(t), "debian/changelog", &e), -1);
	assert_int_equal(e.code, KILN_EPARSE);
	assert_non_null(strstr(e.msg, "debian/changelog"));
}

static void test_changelog_with_a_bad_date_is_an_error(void **s)
{
	const char *t = " -- A <a@b>  yesterday afternoon\n";
	struct kerr e = {0};
	assert_int_equal(changelog_timestamp(t, strlen(t), "changelog", &e), -1);
}

static void test_upstream_version_drops_epoch_and_revision(void **s)
{
	const char *cases[][2] = {{"2.10-3", "2.10"},
				  {"1:1.2.13.dfsg-1", "1.2.13.dfsg"},
				  {"1.0", "1.0"},
				  {"2:1.0-rc1-2+b1", "1.0-rc1"},
				  {"5.2.15-2+b13", "5.2.15"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *u = deb_upstream_version(cases[i][0]);
		assert_string_equal(u, cases[i][1]);
		free(u);
	}
}

static void fill_lock(struct lock *l, const char *source)
{
	static struct lock_pkg pk[2] = {
	    {"libc6", "2.36-9", "amd64",
	     "1111111111111111111111111111111111111111111111111111111111111111", 10,
	     "pool/main/g/glibc/libc6.deb", "http://deb.debian.org/debian", 0, NULL},
	    {"bash", "5.2", "amd64",
	     "2222222222222222222222222222222222222222222222222222222222222222", 20,
	     "pool/main/b/bash/bash.deb", "http://deb.debian.org/debian", 1, NULL},
	};
	memset(l, 0, sizeof(*l));
	l->distro = "debian:bookworm";
	l->source = (char *)source;
	l->source_version = "1.0";
	l->arch = "amd64";
	l->pkgs = pk;
	l->n = 2;
	memset(l->sha256, 'a', SHA256_HEX_LEN);
}

static void test_root_id_depends_on_packages_not_on_the_source(void **s)
{
	struct lock a, b;
	char ia[SHA256_HEX_LEN + 1], ib[SHA256_HEX_LEN + 1], ic[SHA256_HEX_LEN + 1];
	fill_lock(&a, "hello");
	fill_lock(&b, "other");
	debroot_id(&a, ia);
	debroot_id(&b, ib);
	assert_string_equal(ia, ib);
	assert_true(is_sha256_hex(ia));
	b.n = 1; /* another package set */
	debroot_id(&b, ic);
	assert_string_not_equal(ia, ic);
}

static void write_text(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", scratch, name);
	struct kerr e = {0};
	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644, &e), 0);
	free(p);
}

static char *make_dsc(const char *name, const char *payload, const char *claimed)
{
	char hex[SHA256_HEX_LEN + 1];
	sha256_mem(claimed, strlen(claimed), hex);
	char *tar = xasprintf("%s_1.0.tar.gz", name);
	write_text(tar, payload);
	char *dsc = xasprintf("Format: 3.0 (native)\nSource: %s\nVersion: 1.0\nChecksums-Sha256:\n"
			      " %s %zu %s\n",
			      name, hex, strlen(claimed), tar);
	char *dn = xasprintf("%s_1.0.dsc", name);
	write_text(dn, dsc);
	char *path = xasprintf("%s/%s", scratch, dn);
	free(tar);
	free(dsc);
	free(dn);
	return path;
}

static void test_dsc_with_matching_files_loads(void **s)
{
	char *p = make_dsc("good", "payload", "payload");
	struct source_pkg sp;
	struct kerr e = {0};
	assert_int_equal(dsc_load(p, &sp, &e), 0);
	assert_string_equal(sp.package, "good");
	assert_int_equal(sp.nfiles, 2); /* the .dsc itself and the tarball */
	assert_string_equal(sp.files[0].name, "good_1.0.dsc");
	assert_string_equal(sp.files[1].name, "good_1.0.tar.gz");
	source_pkg_free(&sp);
	free(p);
}

static void test_dsc_whose_file_does_not_match_is_refused(void **s)
{
	char *p = make_dsc("bad", "tampered", "original");
	struct source_pkg sp;
	struct kerr e = {0};
	assert_int_equal(dsc_load(p, &sp, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "bad_1.0.tar.gz does not match the .dsc"));
	free(p);
}

static void test_dsc_with_a_missing_file_is_refused(void **s)
{
	char *p = make_dsc("missing", "x", "x");
	char *tar = xasprintf("%s/missing_1.0.tar.gz", scratch);
	unlink(tar);
	struct source_pkg sp;
	struct kerr e = {0};
	assert_true(dsc_load(p, &sp, &e) < 0);
	assert_non_null(strstr(e.msg, "missing_1.0.tar.gz"));
	free(tar);
	free(p);
}

static void test_record_holds_source_lock_environment_and_outputs(void **s)
{
	struct lock l;
	struct source_pkg sp = {0};
	struct source_file sf = {"x_1.0.dsc", 3, ""};
	struct strv env = {0}, argv = {0};
	struct record_file out = {"x_1.0_amd64.deb", "", 42};
	struct kerr e = {0};

	fill_lock(&l, "x");
	memset(sf.sha256, 'b', SHA256_HEX_LEN);
	memset(out.sha256, 'c', SHA256_HEX_LEN);
	sp.package = "x";
	sp.version = "1.0";
	sp.files = &sf;
	sp.nfiles = 1;
	strv_add(&env, "TZ=UTC");
	strv_add(&env, "SOURCE_DATE_EPOCH=1672574400");
	strv_add(&argv, "dpkg-buildpackage");
	struct record_info ri = {.distro = "debian:bookworm",
				 .src = &sp,
				 .lock = &l,
				 .build_path = "/build/reproducible-path/x-1.0",
				 .kind = "binary",
				 .env = &env,
				 .argv = &argv,
				 .sde = 1672574400,
				 .hostname = "kiln",
				 .outputs = &out,
				 .noutputs = 1,
				 .log_name = "x_1.0_amd64.build",
				 .started = "2026-11-27T00:00:00Z"};
	char *p = xasprintf("%s/rec.json", scratch);
	assert_int_equal(record_write(&ri, p, &e), 0);
	json_error_t je;
	json_t *j = json_load_file(p, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(json_object_get(j, "build"), "environment"), "TZ")),
			    "UTC");
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "lock"), "packages")),
			 2);
	json_t *o = json_array_get(json_object_get(j, "outputs"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "x_1.0_amd64.deb");
	assert_int_equal(json_integer_value(json_object_get(o, "size")), 42);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "build"), "build_path")),
	    "/build/reproducible-path/x-1.0");
	json_decref(j);
	strv_free(&env);
	strv_free(&argv);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_changelog_trailer_gives_source_date_epoch),
	    cmocka_unit_test(test_changelog_negative_offset),
	    cmocka_unit_test(test_changelog_without_trailer_is_an_error),
	    cmocka_unit_test(test_changelog_with_a_bad_date_is_an_error),
	    cmocka_unit_test(test_upstream_version_drops_epoch_and_revision),
	    cmocka_unit_test(test_root_id_depends_on_packages_not_on_the_source),
	    cmocka_unit_test(test_dsc_with_matching_files_loads),
	    cmocka_unit_test(test_dsc_whose_file_does_not_match_is_refused),
	    cmocka_unit_test(test_dsc_with_a_missing_file_is_refused),
	    cmocka_unit_test(test_record_holds_source_lock_environment_and_outputs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
