/* test_attest_render.c - provenance, SBOM and OpenVEX rendered from records: exact fields,
 * determinism, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "attest/attest.h"

#define FIXTURE "tests/fixtures/record-hello.json"

static json_t *rec;

static int setup(void **s)
{
	struct kerr e = {0};
	/* purls name the distro by version: find the definitions in the tree */
	setenv("KILN_DISTROS_DIR", "distros/defs", 1);
	if (record_load(FIXTURE, &rec, &e) < 0) {
		fprintf(stderr, "# %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **s)
{
	json_decref(rec);
	return 0;
}

static json_t *statement(void)
{
	json_t *st = NULL;
	struct kerr e = {0};
	assert_int_equal(provenance_statement(rec, NULL, &st, &e), 0);
	return st;
}

static const char *path_str(json_t *j, const char *path)
{
	char *p = xstrdup(path), *save = NULL;
	for (char *k = strtok_r(p, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, (size_t)atoi(k)) : json_object_get(j, k);
	free(p);
	return json_string_value(j);
}

static void test_statement_subjects_are_the_outputs(void **s)
{
	json_t *st = statement();
	assert_string_equal(path_str(st, "_type"), "https://in-toto.io/Statement/v1");
	assert_string_equal(path_str(st, "predicateType"), "https://slsa.dev/provenance/v1");
	json_t *subj = json_object_get(st, "subject");
	assert_int_equal(json_array_size(subj), 3);
	assert_string_equal(path_str(subj, "0.name"), "hello_2.10-3_amd64.deb");
	assert_string_equal(path_str(subj, "0.digest.sha256"),
			    "3833e140df6c4c6d1503a79981792d0525a7a510d42d5cd0bf71384f5e994164");
	json_decref(st);
}

static void test_build_definition_carries_parameters(void **s)
{
	json_t *st = statement();
	json_t *bd = json_object_get(json_object_get(st, "predicate"), "buildDefinition");
	assert_string_equal(path_str(bd, "buildType"), KILN_BUILDTYPE_DEBIAN);
	assert_string_equal(path_str(bd, "externalParameters.distro"), "debian:bookworm");
	assert_string_equal(path_str(bd, "externalParameters.source.name"), "hello");
	assert_string_equal(path_str(bd, "externalParameters.source.version"), "2.10-3");
	assert_string_equal(path_str(bd, "externalParameters.profiles.0"), "nocheck");
	assert_string_equal(path_str(bd, "externalParameters.buildKind"), "binary");
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(bd, "externalParameters"), "patches")),
	    0);
	assert_string_equal(path_str(bd, "internalParameters.buildPath"),
			    "/build/reproducible-path/hello-2.10");
	assert_string_equal(path_str(bd, "internalParameters.environment.SOURCE_DATE_EPOCH"),
			    "1664534866");
	json_decref(st);
}

static void test_resolved_dependencies_are_source_files_and_lock(void **s)
{
	json_t *st = statement();
	json_t *rd =
	    json_object_get(json_object_get(json_object_get(st, "predicate"), "buildDefinition"),
			    "resolvedDependencies");
	assert_int_equal(json_array_size(rd), 3 + 4);
	assert_string_equal(path_str(rd, "0.uri"),
			    "pkg:deb/debian/hello@2.10-3?arch=source&distro=debian-12");
	assert_string_equal(path_str(rd, "0.name"), "hello_2.10-3.dsc");
	/* '+' percent-encoded, the epoch kept */
	assert_string_equal(path_str(rd, "4.uri"),
			    "pkg:deb/debian/g%2B%2B-12@12.2.0-14?arch=amd64&distro=debian-12");
	assert_string_equal(path_str(rd, "6.uri"),
			    "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12");
	assert_string_equal(
	    path_str(rd, "6.downloadLocation"),
	    "http://deb.debian.org/debian/pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_amd64.deb");
	assert_true(is_sha256_hex(path_str(rd, "6.digest.sha256")));
	json_decref(st);
}

static void test_run_details_times_are_rfc3339_utc(void **s)
{
	json_t *st = statement();
	json_t *rd = json_object_get(json_object_get(st, "predicate"), "runDetails");
	assert_string_equal(path_str(rd, "builder.id"), KILN_BUILDER_ID_DEFAULT);
	assert_string_equal(path_str(rd, "metadata.invocationId"),
			    "kiln-build-20261127T101436Z-4242");
	assert_string_equal(path_str(rd, "metadata.startedOn"), "2026-11-27T10:14:36Z");
	/* the fixture gives finished as epoch seconds */
	assert_string_equal(path_str(rd, "metadata.finishedOn"), "2026-11-27T10:21:08Z");
	/* builders/ names the log without a digest: no byproduct then */
	assert_null(json_object_get(rd, "byproducts"));
	json_decref(st);
}

static void test_flat_record_with_log_digest(void **s)
{
	/* the same fields at the top level, the log with its digest */
	json_t *r = json_deep_copy(rec), *st = NULL, *b = json_object_get(r, "build");
	struct kerr e = {0};
	json_object_set(r, "build_path", json_object_get(b, "build_path"));
	json_object_set_new(r, "profiles", json_pack("[s]", "nodoc"));
	json_object_set_new(r, "finished", json_string("2026-11-27T10:30:00.25Z"));
	json_object_del(r, "build");
	json_object_set_new(
	    r, "log",
	    json_pack("{s:s, s:s}", "name", "x.build", "sha256",
		      "06e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5"));
	assert_int_equal(provenance_statement(r, NULL, &st, &e), 0);
	json_t *p = json_object_get(st, "predicate");
	assert_string_equal(path_str(p, "buildDefinition.internalParameters.buildPath"),
			    "/build/reproducible-path/hello-2.10");
	assert_string_equal(path_str(p, "buildDefinition.externalParameters.profiles.0"), "nodoc");
	assert_null(json_object_get(
	    json_object_get(json_object_get(p, "buildDefinition"), "externalParameters"),
	    "buildKind"));
	assert_string_equal(path_str(p, "runDetails.metadata.finishedOn"), "2026-11-27T10:30:00Z");
	assert_string_equal(path_str(p, "runDetails.byproducts.0.name"), "x.build");
	json_decref(st);
	json_decref(r);
}

static void test_statement_bytes_are_deterministic(void **s)
{
	json_t *a = statement(), *b = statement();
	char *ja = attest_canonical_json(a), *jb = attest_canonical_json(b);
	assert_string_equal(ja, jb);
	/* sorted keys: "_type" before "predicate" before "subject" */
	assert_true(strstr(ja, "\"_type\"") < strstr(ja, "\"predicate\""));
	assert_true(strstr(ja, "\"predicateType\"") < strstr(ja, "\"subject\""));
	free(ja);
	free(jb);
	json_decref(a);
	json_decref(b);
}

static void test_record_without_outputs_or_lock_is_refused(void **s)
{
	json_t *r = json_deep_copy(rec), *st = NULL;
	struct kerr e = {0};
	json_object_set_new(r, "outputs", json_array());
	assert_int_equal(provenance_statement(r, NULL, &st, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "no outputs"));
	json_decref(r);
	r = json_deep_copy(rec);
	json_object_del(r, "lock");
	assert_int_equal(provenance_statement(r, NULL, &st, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "lock.packages"));
	json_decref(r);
	r = json_deep_copy(rec);
	json_object_set_new(json_array_get(json_object_get(r, "outputs"), 0), "name",
			    json_string("../../etc/passwd"));
	assert_int_equal(provenance_statement(r, NULL, &st, &e), -KILN_EPARSE);
	json_decref(r);
	r = json_deep_copy(rec);
	json_object_set_new(json_array_get(json_object_get(r, "outputs"), 0), "sha256",
			    json_string("ABC"));
	assert_int_equal(provenance_statement(r, NULL, &st, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "outputs[0] lacks a sha256"));
	json_decref(r);
}

static void test_record_lock_may_be_a_bare_array_and_profiles_a_string(void **s)
{
	json_t *r = json_deep_copy(rec), *st = NULL;
	struct kerr e = {0};
	json_object_set(r, "lock", record_lock_packages(rec));
	json_object_set_new(r, "profiles", json_string("nocheck, nodoc"));
	assert_int_equal(provenance_statement(r, NULL, &st, &e), 0);
	json_t *ext =
	    json_object_get(json_object_get(json_object_get(st, "predicate"), "buildDefinition"),
			    "externalParameters");
	assert_string_equal(path_str(ext, "profiles.1"), "nodoc");
	json_decref(st);
	json_decref(r);
}

static void test_alpine_purls_and_build_type(void **s)
{
	char *p = purl_package("alpine:v3.20", "busybox", "1.36.1-r29", "x86_64");
	assert_string_equal(p, "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20");
	free(p);
	json_t *r = json_deep_copy(rec), *st = NULL;
	struct kerr e = {0};
	json_object_set_new(r, "distro", json_string("alpine:v3.20"));
	assert_int_equal(provenance_statement(r, NULL, &st, &e), 0);
	assert_string_equal(
	    path_str(json_object_get(json_object_get(st, "predicate"), "buildDefinition"),
		     "buildType"),
	    KILN_BUILDTYPE_ALPINE);
	json_decref(st);
	/* an Alpine output: name and version from NAME-VER-rN.apk */
	json_t *doc = NULL;
	json_object_set_new(r, "outputs",
			    json_pack("[{s:s, s:s}]", "name", "busybox-1.36.1-r29.apk", "sha256",
				      path_str(rec, "outputs.0.sha256")));
	json_object_set_new(r, "arch", json_string("x86_64"));
	assert_int_equal(spdx_document(r, "/nonexistent", &doc, &e), 0);
	json_t *pk = json_array_get(json_object_get(doc, "packages"), 1);
	assert_string_equal(path_str(pk, "name"), "busybox");
	assert_string_equal(path_str(pk, "versionInfo"), "1.36.1-r29");
	assert_string_equal(path_str(pk, "externalRefs.0.referenceLocator"),
			    "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20");
	json_decref(doc);
	json_decref(r);
	p = purl_package("debian:nosuch", "a+b", "1.0~rc1", "all");
	assert_string_equal(p, "pkg:deb/debian/a%2Bb@1.0~rc1?arch=all&distro=nosuch");
	free(p);
}

static void test_record_basename_drops_the_epoch(void **s)
{
	json_t *r = json_deep_copy(rec);
	json_object_set_new(json_object_get(r, "source"), "version", json_string("1:2.3-4"));
	char *b = record_basename(r);
	assert_string_equal(b, "hello_2.3-4_amd64");
	free(b);
	json_decref(r);
}

static void test_spdx_ids_are_sanitised(void **s)
{
	char *id = spdx_id("SPDXRef-Package-", "g++_12:x");
	assert_string_equal(id, "SPDXRef-Package-g---12-x");
	free(id);
}

static int count_rel(json_t *doc, const char *type)
{
	json_t *r;
	size_t i;
	int n = 0;
	json_array_foreach(json_object_get(doc, "relationships"), i, r) n +=
	    !strcmp(json_string_value(json_object_get(r, "relationshipType")), type);
	return n;
}

static void test_spdx_without_debs_on_disk(void **s)
{
	json_t *doc = NULL;
	struct kerr e = {0};
	assert_int_equal(spdx_document(rec, "/nonexistent", &doc, &e), 0);
	assert_string_equal(path_str(doc, "spdxVersion"), "SPDX-2.3");
	assert_string_equal(path_str(doc, "name"), "hello_2.10-3_amd64");
	assert_string_equal(path_str(doc, "creationInfo.created"), "2026-11-27T10:21:08Z");
	assert_true(str_has_prefix(path_str(doc, "documentNamespace"),
				   "https://kiln.invalid/spdx/hello_2.10-3_amd64-"));
	/* source + 2 .debs (not the .buildinfo) + 4 lock packages */
	json_t *pk = json_object_get(doc, "packages");
	assert_int_equal(json_array_size(pk), 1 + 2 + 4);
	assert_string_equal(path_str(pk, "1.SPDXID"), "SPDXRef-Package-hello-amd64");
	assert_string_equal(path_str(pk, "1.versionInfo"), "2.10-3");
	assert_false(json_is_true(json_object_get(json_array_get(pk, 1), "filesAnalyzed")));
	assert_string_equal(path_str(pk, "2.name"), "hello-dbgsym");
	assert_string_equal(path_str(pk, "4.SPDXID"), "SPDXRef-BuildDep-g---12-amd64");
	assert_string_equal(path_str(pk, "4.externalRefs.0.referenceLocator"),
			    "pkg:deb/debian/g%2B%2B-12@12.2.0-14?arch=amd64&distro=debian-12");
	assert_int_equal(count_rel(doc, "DESCRIBES"), 2);
	assert_int_equal(count_rel(doc, "GENERATED_FROM"), 2);
	assert_int_equal(count_rel(doc, "BUILD_DEPENDENCY_OF"), 4);
	assert_int_equal(count_rel(doc, "CONTAINS"), 0);
	assert_null(json_object_get(doc, "files"));
	/* the same record gives the same document */
	json_t *again = NULL;
	assert_int_equal(spdx_document(rec, "/nonexistent", &again, &e), 0);
	assert_true(json_equal(doc, again));
	json_decref(again);
	json_decref(doc);
}

static void test_missing_deb_is_not_found(void **s)
{
	struct deb_contents c;
	struct kerr e = {0};
	assert_int_equal(deb_contents_read("/nonexistent/x.deb", &c, &e), -KILN_ENOTFOUND);
	assert_non_null(strstr(e.msg, "/nonexistent/x.deb"));
	assert_int_equal(deb_contents_read(FIXTURE, &c, &e), -KILN_EPARSE);
}

/* ---- OpenVEX ---- */

static const char *const prods[] = {
    "pkg:deb/debian/hello@2.10-3%2Bdeb12u1?arch=amd64&distro=debian-12", NULL};

static void test_openvex_document_shape(void **s)
{
	const char *aliases[] = {"GHSA-xxxx-yyyy-zzzz", NULL};
	struct vex_statement st[] = {
	    {.vulnerability = "CVE-2024-1234",
	     .aliases = aliases,
	     .products = prods,
	     .status = VEX_FIXED},
	    {.vulnerability = "CVE-2024-9999",
	     .products = prods,
	     .status = VEX_NOT_AFFECTED,
	     .justification = "vulnerable_code_not_present"},
	    {.vulnerability = "CVE-2024-5555",
	     .products = prods,
	     .status = VEX_AFFECTED,
	     .action_statement = "upgrade to 2.10-3+deb12u2"},
	    {.vulnerability = "CVE-2024-7777",
	     .products = prods,
	     .status = VEX_UNDER_INVESTIGATION},
	};
	struct vex_document d = {.id = "https://kiln.invalid/vex/hello-2024-001",
				 .author = "kiln backports",
				 .timestamp = 1714557632,
				 .version = 1,
				 .statements = st,
				 .n = 4};
	json_t *doc = NULL;
	struct kerr e = {0};
	assert_int_equal(openvex_document(&d, &doc, &e), 0);
	assert_string_equal(path_str(doc, "@context"), "https://openvex.dev/ns/v0.2.0");
	assert_string_equal(path_str(doc, "timestamp"), "2024-05-01T10:00:32Z");
	assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
	json_t *sts = json_object_get(doc, "statements");
	assert_int_equal(json_array_size(sts), 4);
	assert_string_equal(path_str(sts, "0.vulnerability.name"), "CVE-2024-1234");
	assert_string_equal(path_str(sts, "0.vulnerability.aliases.0"), "GHSA-xxxx-yyyy-zzzz");
	assert_string_equal(path_str(sts, "0.products.0.@id"), prods[0]);
	assert_string_equal(path_str(sts, "0.status"), "fixed");
	assert_string_equal(path_str(sts, "1.justification"), "vulnerable_code_not_present");
	assert_string_equal(path_str(sts, "2.action_statement"), "upgrade to 2.10-3+deb12u2");
	assert_string_equal(path_str(sts, "3.status"), "under_investigation");
	assert_null(json_object_get(json_array_get(sts, 0), "justification"));
	json_decref(doc);
}

static void test_openvex_refuses_what_the_spec_forbids(void **s)
{
	struct vex_statement st = {
	    .vulnerability = "CVE-1", .products = prods, .status = VEX_NOT_AFFECTED};
	struct vex_document d = {
	    .id = "urn:x", .author = "a", .version = 1, .statements = &st, .n = 1};
	json_t *doc = NULL;
	struct kerr e = {0};
	assert_int_equal(openvex_document(&d, &doc, &e), -KILN_EUSAGE);
	assert_non_null(strstr(e.msg, "not_affected needs a justification"));
	st.impact_statement = "only reachable with a debug flag";
	assert_int_equal(openvex_document(&d, &doc, &e), 0);
	json_decref(doc);
	st.justification = "it_is_fine";
	assert_int_equal(openvex_document(&d, &doc, &e), -KILN_EUSAGE);
	assert_non_null(strstr(e.msg, "unknown justification 'it_is_fine'"));
	st.justification = NULL;
	st.status = VEX_AFFECTED;
	assert_int_equal(openvex_document(&d, &doc, &e), -KILN_EUSAGE);
	assert_non_null(strstr(e.msg, "affected needs an action statement"));
	st.status = VEX_FIXED;
	st.justification = "component_not_present";
	assert_int_equal(openvex_document(&d, &doc, &e), -KILN_EUSAGE);
	st.justification = NULL;
	st.products = NULL;
	assert_int_equal(openvex_document(&d, &doc, &e), -KILN_EUSAGE);
	st.products = prods;
	d.version = 0;
	assert_int_equal(openvex_document(&d, &doc, &e), -KILN_EUSAGE);
}

static void test_vex_status_names_round_trip(void **s)
{
	enum vex_status st;
	struct kerr e = {0};
	const char *names[] = {"not_affected", "affected", "fixed", "under_investigation"};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(vex_status_parse(names[i], &st, &e), 0);
		assert_string_equal(vex_status_name(st), names[i]);
	}
	assert_int_equal(vex_status_parse("broken", &st, &e), -KILN_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_statement_subjects_are_the_outputs),
	    cmocka_unit_test(test_build_definition_carries_parameters),
	    cmocka_unit_test(test_resolved_dependencies_are_source_files_and_lock),
	    cmocka_unit_test(test_run_details_times_are_rfc3339_utc),
	    cmocka_unit_test(test_flat_record_with_log_digest),
	    cmocka_unit_test(test_statement_bytes_are_deterministic),
	    cmocka_unit_test(test_record_without_outputs_or_lock_is_refused),
	    cmocka_unit_test(test_record_lock_may_be_a_bare_array_and_profiles_a_string),
	    cmocka_unit_test(test_alpine_purls_and_build_type),
	    cmocka_unit_test(test_record_basename_drops_the_epoch),
	    cmocka_unit_test(test_spdx_ids_are_sanitised),
	    cmocka_unit_test(test_spdx_without_debs_on_disk),
	    cmocka_unit_test(test_missing_deb_is_not_found),
	    cmocka_unit_test(test_openvex_document_shape),
	    cmocka_unit_test(test_openvex_refuses_what_the_spec_forbids),
	    cmocka_unit_test(test_vex_status_names_round_trip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
