/* test_backport.c - version policy and ordering, changelog entries, DEP-3
 * headers, purls and the OpenVEX statements of a backport. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backports/backports.h"

static void next_is(const char *cur, const char *suffix, const char *want)
{
	char *v = NULL;
	struct kerr e = {0};
	assert_int_equal(bp_next_version(cur, suffix, &v, &e), 0);
	assert_string_equal(v, want);
	free(v);
}

static void test_first_security_update_appends_suffix(void **s)
{
	next_is("1.2-3", "+deb12u", "1.2-3+deb12u1");
	next_is("2.1.3+dfsg1-2", "+deb12u", "2.1.3+dfsg1-2+deb12u1");
	next_is("1:2.5.0-2", "+deb12u", "1:2.5.0-2+deb12u1");
}

static void test_later_security_update_bumps_the_number(void **s)
{
	next_is("1.2-3+deb12u1", "+deb12u", "1.2-3+deb12u2");
	next_is("4.5.0-6+deb12u9", "+deb12u", "4.5.0-6+deb12u10");
	/* a newer version rebuilt for the suite keeps its "~" */
	next_is("590-2.1~deb12u1", "+deb12u", "590-2.1~deb12u2");
	/* another release's suffix is not bumped */
	next_is("1.2-3+deb11u4", "+deb12u", "1.2-3+deb11u4+deb12u1");
}

static void test_version_without_suffix_in_definition_is_refused(void **s)
{
	char *v = NULL;
	struct kerr e = {0};
	assert_int_equal(bp_next_version("1.2-3", NULL, &v, &e), -KILN_ENOTFOUND);
	assert_non_null(strstr(e.msg, "Backport-Suffix"));
}

static void test_version_must_sort_between_current_and_next_suite(void **s)
{
	struct kerr e = {0};
	assert_int_equal(bp_check_version_order("1.2-3+deb12u1", "1.2-3", "1.2-4", "trixie", &e),
			 0);
	assert_int_equal(bp_check_version_order("1.2-3+deb12u1", "1.2-3", NULL, NULL, &e), 0);
	assert_int_equal(
	    bp_check_version_order("1.2-3+deb12u1", "1.2-3", "1.2-3+deb12u1", "trixie", &e),
	    -KILN_EFAIL);
	assert_non_null(strstr(e.msg, "not below trixie's version 1.2-3+deb12u1"));
	assert_int_equal(bp_check_version_order("1.2-3+deb12u1", "1.2-3", "1.2-3", "trixie", &e),
			 -KILN_EFAIL);
	assert_int_equal(bp_check_version_order("1.2-3", "1.2-3", NULL, NULL, &e), -KILN_EFAIL);
	assert_non_null(strstr(e.msg, "not above the current version"));
	/* ~ sorts before the bare version */
	assert_int_equal(
	    bp_check_version_order("1.2-3+deb12u1", "1.2-3", "1.2-3+deb12u1~1", "trixie", &e),
	    -KILN_EFAIL);
}

static void test_changelog_entry_has_debian_layout(void **s)
{
	struct strv ch = {0};
	struct kbuf b;
	kbuf_init(&b);
	strv_add(&ch, "Fix CVE-2024-1234: heap overflow in foo_parse (Closes: #1061234)");
	struct changelog_entry c = {.source = "foo",
				    .version = "1.2-3+deb12u1",
				    .distribution = "bookworm-security",
				    .urgency = "high",
				    .changes = &ch,
				    .maintainer = "Jane Doe <jane@debian.org>",
				    .date = 1729936800};
	changelog_entry(&c, &b);
	assert_string_equal(
	    b.data, "foo (1.2-3+deb12u1) bookworm-security; urgency=high\n\n"
		    "  * Fix CVE-2024-1234: heap overflow in foo_parse (Closes: #1061234)\n\n"
		    " -- Jane Doe <jane@debian.org>  Sat, 26 Oct 2024 10:00:00 +0000\n\n");
	kbuf_free(&b);
	strv_free(&ch);
}

static void test_long_changelog_line_is_wrapped(void **s)
{
	struct strv ch = {0};
	struct kbuf b;
	kbuf_init(&b);
	strv_add(&ch, "Fix CVE-2024-1234, CVE-2024-1235: a very long summary of what the fix "
		      "does that runs past eighty columns for sure");
	struct changelog_entry c = {.source = "foo",
				    .version = "1",
				    .distribution = "x",
				    .changes = &ch,
				    .maintainer = "A <a@b>",
				    .date = 0};
	changelog_entry(&c, &b);
	assert_non_null(strstr(b.data,
			       "  * Fix CVE-2024-1234, CVE-2024-1235: a very long summary of "
			       "what the fix does\n    that runs"));
	kbuf_free(&b);
	strv_free(&ch);
}

static void test_changelog_top_is_parsed(void **s)
{
	const char *t =
	    "libtasn1-6 (4.19.0-2+deb12u1) bookworm-security; urgency=medium\n\n  * x\n";
	struct changelog_top top;
	struct kerr e = {0};
	assert_int_equal(changelog_parse_top(t, strlen(t), "debian/changelog", &top, &e), 0);
	assert_string_equal(top.source, "libtasn1-6");
	assert_string_equal(top.version, "4.19.0-2+deb12u1");
	assert_string_equal(top.distribution, "bookworm-security");
	assert_string_equal(top.urgency, "medium");
	changelog_top_free(&top);
	assert_int_equal(changelog_parse_top("junk\n", 5, "debian/changelog", &top, &e),
			 -KILN_EPARSE);
}

static void test_maintainer_comes_from_debemail(void **s)
{
	setenv("DEBFULLNAME", "Jane Doe", 1);
	setenv("DEBEMAIL", "jane@debian.org", 1);
	char *m = maintainer_from_env();
	assert_string_equal(m, "Jane Doe <jane@debian.org>");
	free(m);
	setenv("DEBEMAIL", "John Roe <john@debian.org>", 1);
	m = maintainer_from_env();
	assert_string_equal(m, "John Roe <john@debian.org>");
	free(m);
	unsetenv("DEBEMAIL");
	unsetenv("EMAIL");
	assert_null(maintainer_from_env());
}

static void test_dep3_header_fields(void **s)
{
	struct strv bugs = {0}, cves = {0};
	struct kbuf b;
	kbuf_init(&b);
	strv_add(&bugs, "https://example.org/foo/issues/77");
	strv_add(&cves, "CVE-2024-1234");
	strv_add(&cves, "CVE-2024-1235");
	struct dep3_info d = {.description = "fix heap overflow in foo_parse\n\nBounds-check the "
					     "length.",
			      .origin = "upstream, https://example.org/foo/commit/0123abcd",
			      .author = "Jane Upstream <jane@example.org>",
			      .bugs = &bugs,
			      .bug_debian = "https://bugs.debian.org/1061234",
			      .cves = &cves,
			      .last_update = "2024-05-01"};
	dep3_header(&d, &b);
	assert_string_equal(b.data, "Description: fix heap overflow in foo_parse\n"
				    " .\n"
				    " Bounds-check the length.\n"
				    " .\n"
				    " Fixes CVE-2024-1234, CVE-2024-1235.\n"
				    "Author: Jane Upstream <jane@example.org>\n"
				    "Origin: upstream, https://example.org/foo/commit/0123abcd\n"
				    "Bug: https://example.org/foo/issues/77\n"
				    "Bug-Debian: https://bugs.debian.org/1061234\n"
				    "Forwarded: not-needed\n"
				    "Last-Update: 2024-05-01\n"
				    "---\n");
	kbuf_free(&b);
	strv_free(&bugs);
	strv_free(&cves);
}

static void test_openvex_states_fixed_and_affected(void **s)
{
	struct bp_target t[2] = {0};
	struct strv cves = {0};
	strv_add(&cves, "CVE-2024-1234");
	struct bp_fix fix = {.cves = &cves};
	struct bp_fix_result f0 = {.fix = &fix, .patch_name = "CVE-2024-1234.patch"};
	struct bp_fix_result f1 = {.fix = &fix};
	f0.cls.cls = BP_APPLIES_WITH_OFFSET;
	f1.cls.cls = BP_NOT_APPLICABLE;
	f1.cls.summary = "not applicable: none of the files exists";
	t[0].distro = "debian:bookworm-security";
	t[0].old_version = "1.2-3";
	t[0].new_version = "1.2-3+deb12u1";
	t[0].classified = 1;
	t[0].fixes = &f0;
	t[0].nfixes = 1;
	strv_add(&t[0].purls_old, "pkg:deb/debian/foo@1.2-3?arch=amd64&distro=debian-12");
	strv_add(&t[0].purls_new, "pkg:deb/debian/foo@1.2-3%2Bdeb12u1?arch=amd64&distro=debian-12");
	t[1].distro = "debian:bullseye-security";
	t[1].old_version = "1.1-1";
	t[1].classified = 1;
	t[1].fixes = &f1;
	t[1].nfixes = 1;
	strv_add(&t[1].purls_old, "pkg:deb/debian/foo@1.1-1?arch=amd64&distro=debian-11");
	json_t *d = NULL;
	struct kerr e = {0};
	assert_int_equal(bp_openvex(t, 2, 1729936800, "Jane <jane@debian.org>", &d, &e), 0);
	assert_string_equal(json_string_value(json_object_get(d, "@context")),
			    "https://openvex.dev/ns/v0.2.0");
	assert_string_equal(json_string_value(json_object_get(d, "timestamp")),
			    "2024-10-26T10:00:00Z");
	json_t *st = json_object_get(d, "statements");
	assert_int_equal(json_array_size(st), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(st, 0), "status")),
			    "fixed");
	assert_string_equal(json_string_value(json_object_get(json_array_get(st, 1), "status")),
			    "affected");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(st, 1), "action_statement")),
	    "Update to 1.2-3+deb12u1 or later.");
	assert_string_equal(json_string_value(json_object_get(json_array_get(st, 2), "status")),
			    "not_affected");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(st, 2), "justification")),
	    "vulnerable_code_not_present");
	json_decref(d);
	strv_free(&t[0].purls_old);
	strv_free(&t[0].purls_new);
	strv_free(&t[1].purls_old);
	strv_free(&cves);
}

static void put(const char *path, const char *text)
{
	struct kerr e = {0};
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644, &e), 0);
}

static void test_queue_file_lists_fixes_in_order(void **s)
{
	char tmpl[] = "/tmp/kiln-queue-test.XXXXXX";
	char *dir = mkdtemp(tmpl);
	char *a = xasprintf("%s/a.patch", dir), *b = xasprintf("%s/b.patch", dir);
	char *q = xasprintf("%s/x.queue", dir);
	put(a, "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-x\n+y\n");
	put(b, "Subject: second\n---\n--- a/g\n+++ b/g\n@@ -1 +1 @@\n-x\n+y\n");
	put(q, "# a comment\nSource: foo\nTargets: debian:bookworm-security, "
	       "debian:bullseye-security\n\n"
	       "CVE: CVE-2024-0001\nPatches: a.patch\n b.patch\nBug-Debian: "
	       "https://bugs.debian.org/1\n\n"
	       "CVE: CVE-2024-0002 CVE-2024-0003\nPatches: b.patch\nSummary: more\n");
	struct bp_queue bq;
	struct kerr e = {0};
	assert_int_equal(bp_queue_load(q, &bq, &e), 0);
	assert_string_equal(bq.source, "foo");
	assert_int_equal(bq.targets.n, 2);
	assert_string_equal(bq.targets.v[1], "debian:bullseye-security");
	assert_int_equal(bq.nfixes, 2);
	assert_int_equal(bq.fixes[0].npatches, 2);
	assert_string_equal(bq.fixes[0].patches[1]->subject, "second");
	assert_string_equal(bq.fixes[0].bug_debian, "https://bugs.debian.org/1");
	assert_int_equal(bq.fixes[1].cves->n, 2);
	assert_string_equal(bq.fixes[1].cves->v[1], "CVE-2024-0003");
	assert_string_equal(bq.fixes[1].summary, "more");
	bp_queue_free(&bq);
	put(q, "Source: foo\n\nCVE: CVE-2024-0001\nPatches: missing.patch\n");
	assert_int_equal(bp_queue_load(q, &bq, &e), -KILN_ENOTFOUND);
	assert_non_null(strstr(e.msg, "x.queue:3: "));
	rm_rf(dir);
	free(a);
	free(b);
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_security_update_appends_suffix),
	    cmocka_unit_test(test_later_security_update_bumps_the_number),
	    cmocka_unit_test(test_version_without_suffix_in_definition_is_refused),
	    cmocka_unit_test(test_version_must_sort_between_current_and_next_suite),
	    cmocka_unit_test(test_changelog_entry_has_debian_layout),
	    cmocka_unit_test(test_long_changelog_line_is_wrapped),
	    cmocka_unit_test(test_changelog_top_is_parsed),
	    cmocka_unit_test(test_maintainer_comes_from_debemail),
	    cmocka_unit_test(test_dep3_header_fields),
	    cmocka_unit_test(test_openvex_states_fixed_and_affected),
	    cmocka_unit_test(test_queue_file_lists_fixes_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
