/* test_attest_compare.c - rebuilt outputs against a record or .buildinfo: reproduced, differs,
 * missing; rebuild provenance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "attest/attest.h"

static char dir[64];
static char sha_a[SHA256_HEX_LEN + 1], sha_b[SHA256_HEX_LEN + 1];

static int setup(void **s)
{
	struct kerr e = {0};
	strcpy(dir, "/tmp/kiln-test-compare.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	char *a = xasprintf("%s/a_1_amd64.deb", dir), *b = xasprintf("%s/b_1_all.deb", dir);
	write_file_atomic(a, "AAAA", 4, 0644, &e);
	write_file_atomic(b, "BBBBBB", 6, 0644, &e);
	sha256_mem("AAAA", 4, sha_a);
	sha256_mem("BBBBBB", 6, sha_b);
	free(a);
	free(b);
	return 0;
}

static int teardown(void **s)
{
	rm_rf(dir);
	return 0;
}

static json_t *record(const char *sha_of_b, json_int_t size_of_b)
{
	return json_pack("{s:[{s:s, s:s, s:I}, {s:s, s:s, s:I}]}", "outputs", "name",
			 "a_1_amd64.deb", "sha256", sha_a, "size", (json_int_t)4, "name",
			 "b_1_all.deb", "sha256", sha_of_b, "size", size_of_b);
}

static void test_every_output_reproduced(void **s)
{
	struct output_checks c;
	struct kerr e = {0};
	json_t *r = record(sha_b, 6);
	assert_int_equal(outputs_compare_record(r, dir, &c, &e), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.reproduced, 2);
	assert_int_equal(c.v[1].status, 0);
	assert_string_equal(c.v[1].got_sha256, sha_b);
	output_checks_free(&c);
	json_decref(r);
}

static void test_a_differing_output_fails_and_is_named(void **s)
{
	struct output_checks c;
	struct kerr e = {0};
	json_t *r = record(sha_a, 6);
	assert_int_equal(outputs_compare_record(r, dir, &c, &e), -KILN_EFAIL);
	assert_int_equal(c.v[1].status, -KILN_EVERIFY);
	assert_int_equal(c.reproduced, 1);
	assert_string_equal(e.msg, "b_1_all.deb differs: 1 of 2 outputs reproduced");
	output_checks_free(&c);
	json_decref(r);
	/* the same bytes with another size recorded differ too */
	r = record(sha_b, 7);
	assert_int_equal(outputs_compare_record(r, dir, &c, &e), -KILN_EFAIL);
	output_checks_free(&c);
	json_decref(r);
}

static void test_a_missing_output_fails(void **s)
{
	struct output_checks c;
	struct kerr e = {0};
	json_t *r = record(sha_b, 6);
	json_object_set_new(json_array_get(json_object_get(r, "outputs"), 0), "name",
			    json_string("gone_1_amd64.deb"));
	assert_int_equal(outputs_compare_record(r, dir, &c, &e), -KILN_EFAIL);
	assert_int_equal(c.v[0].status, -KILN_ENOTFOUND);
	assert_non_null(strstr(e.msg, "gone_1_amd64.deb was not rebuilt"));
	output_checks_free(&c);
	/* names are never paths */
	json_object_set_new(json_array_get(json_object_get(r, "outputs"), 0), "name",
			    json_string("../a_1_amd64.deb"));
	assert_int_equal(outputs_compare_record(r, dir, &c, &e), -KILN_EPARSE);
	output_checks_free(&c);
	json_decref(r);
}

static void test_buildinfo_outputs_skip_the_dsc(void **s)
{
	char *text = xasprintf("Format: 1.0\nSource: a\nVersion: 1\nArchitecture: source amd64\n"
			       "Checksums-Sha256:\n %s 10 a_1.dsc\n %s 4 a_1_amd64.deb\n"
			       "Build-Architecture: amd64\n"
			       "Installed-Build-Depends:\n base-files (= 12.4)\n"
			       "Environment:\n LANG=\"C.UTF-8\"\n",
			       sha_b, sha_a);
	struct buildinfo b;
	struct output_checks c;
	struct kerr e = {0};
	if (buildinfo_parse(text, strlen(text), "a.buildinfo", &b, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(outputs_compare_buildinfo(&b, dir, &c, &e), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].name, "a_1_amd64.deb");
	output_checks_free(&c);
	buildinfo_free(&b);
	free(text);
}

static void test_rebuild_provenance_names_what_it_reproduces(void **s)
{
	struct kerr e = {0};
	json_t *rec = NULL, *st = NULL;
	setenv("KILN_DISTROS_DIR", "distros/defs", 1);
	assert_int_equal(record_load("tests/fixtures/record-hello.json", &rec, &e), 0);
	struct provenance_opts o = {.builder_id = "https://kiln.invalid/verifiers/local",
				    .reproduces_name = "hello_2.10-3_amd64.buildinfo",
				    .reproduces_sha256 = sha_a};
	assert_int_equal(provenance_statement(rec, &o, &st, &e), 0);
	json_t *ext =
	    json_object_get(json_object_get(json_object_get(st, "predicate"), "buildDefinition"),
			    "externalParameters");
	json_t *rp = json_object_get(ext, "reproduces");
	assert_string_equal(json_string_value(json_object_get(rp, "name")),
			    "hello_2.10-3_amd64.buildinfo");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(rp, "digest"), "sha256")), sha_a);
	json_decref(st);
	json_decref(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_output_reproduced),
	    cmocka_unit_test(test_a_differing_output_fails_and_is_named),
	    cmocka_unit_test(test_a_missing_output_fails),
	    cmocka_unit_test(test_buildinfo_outputs_skip_the_dsc),
	    cmocka_unit_test(test_rebuild_provenance_names_what_it_reproduces),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
