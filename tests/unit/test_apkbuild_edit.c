/* test_apkbuild_edit.c - the text edits kiln backport makes to an APKBUILD:
 * source= and sha512sums in each layout aports uses, pkgrel, and the
 * "# secfixes:" block, compared with the exact expected text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backports/backports.h"

#define H1                                                                                         \
	"1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111" \
	"1111111111111111111111111111111111111111"
#define H2                                                                                         \
	"2222222222222222222222222222222222222222222222222222222222222222222222222222222222222222" \
	"2222222222222222222222222222222222222222"
#define H3                                                                                         \
	"3333333333333333333333333333333333333333333333333333333333333333333333333333333333333333" \
	"3333333333333333333333333333333333333333"
#define NEWP "CVE-2026-0001.patch"

typedef int (*edit_fn)(char **text, struct kerr *e);

static void edits_to(edit_fn f, const char *in, const char *want)
{
	char *t = xstrdup(in);
	struct kerr e = {0};
	int r = f(&t, &e);
	if (r != 0)
		fail_msg("edit failed: %s", e.msg);
	assert_string_equal(t, want);
	free(t);
}

static void edit_fails(edit_fn f, const char *in, int code, const char *msg_part)
{
	char *t = xstrdup(in);
	struct kerr e = {0};
	assert_int_equal(f(&t, &e), -code);
	if (!strstr(e.msg, msg_part))
		fail_msg("message '%s' lacks '%s'", e.msg, msg_part);
	assert_string_equal(t, in); /* nothing changed */
	free(t);
}

static int add_src(char **t, struct kerr *e)
{
	return apkbuild_add_source(t, "APKBUILD", NEWP, e);
}

static int add_sum(char **t, struct kerr *e)
{
	return apkbuild_add_sha512(t, "APKBUILD", H3, NEWP, e);
}

static int bump(char **t, struct kerr *e)
{
	char *rel = NULL;
	int r = apkbuild_bump_pkgrel(t, "APKBUILD", "2", &rel, e);
	if (r == 0)
		assert_string_equal(rel, "3");
	free(rel);
	return r;
}

static int secfix(char **t, struct kerr *e)
{
	struct strv ids = {0};
	strv_add(&ids, "CVE-2026-0001");
	strv_add(&ids, "CVE-2026-0002");
	int r = apkbuild_add_secfixes(t, "APKBUILD", "1.2.3-r3", &ids, e);
	strv_free(&ids);
	return r;
}

static void test_source_multi_line_with_closing_quote_on_its_own_line(void **s)
{
	edits_to(add_src,
		 "pkgname=foo\n"
		 "source=\"https://example.org/foo-$pkgver.tar.gz\n"
		 "\tfix-build.patch\n"
		 "\t\"\n"
		 "builddir=\"$srcdir/foo\"\n",
		 "pkgname=foo\n"
		 "source=\"https://example.org/foo-$pkgver.tar.gz\n"
		 "\tfix-build.patch\n"
		 "\t" NEWP "\n"
		 "\t\"\n"
		 "builddir=\"$srcdir/foo\"\n");
}

static void test_source_multi_line_with_quote_after_the_last_entry(void **s)
{
	edits_to(add_src,
		 "source=\"https://example.org/foo-$pkgver.tar.gz\n"
		 "        fix-build.patch\"\n",
		 "source=\"https://example.org/foo-$pkgver.tar.gz\n"
		 "        fix-build.patch\n"
		 "        " NEWP "\"\n");
}

static void test_source_multi_line_with_only_the_tarball(void **s)
{
	edits_to(add_src, "source=\"https://example.org/foo-$pkgver.tar.gz\n\t\"\n",
		 "source=\"https://example.org/foo-$pkgver.tar.gz\n\t" NEWP "\n\t\"\n");
}

static void test_source_single_line(void **s)
{
	edits_to(add_src, "source=\"https://example.org/foo-$pkgver.tar.gz\"\nurl=x\n",
		 "source=\"https://example.org/foo-$pkgver.tar.gz " NEWP "\"\nurl=x\n");
	edits_to(add_src, "source='foo.tar.gz a.patch'\n",
		 "source='foo.tar.gz a.patch " NEWP "'\n");
	edits_to(add_src, "source=foo.tar.gz\n", "source=\"foo.tar.gz " NEWP "\"\n");
}

static void test_source_the_last_top_level_assignment_is_edited(void **s)
{
	/* not the ones in a comment, a here-document, another value or a function */
	edits_to(add_src,
		 "# source=\"old\"\n"
		 "source=\"foo.tar.gz\"\n"
		 "_note=\"\n"
		 "source=not-this\n"
		 "\"\n"
		 "source=\"$source a.patch\"\n"
		 "prepare() {\n"
		 "\tcat > x <<-EOF\n"
		 "\tit's \"\n"
		 "source=no\n"
		 "\tEOF\n"
		 "\tsource=\"inside\"\n"
		 "}\n",
		 "# source=\"old\"\n"
		 "source=\"foo.tar.gz\"\n"
		 "_note=\"\n"
		 "source=not-this\n"
		 "\"\n"
		 "source=\"$source a.patch " NEWP "\"\n"
		 "prepare() {\n"
		 "\tcat > x <<-EOF\n"
		 "\tit's \"\n"
		 "source=no\n"
		 "\tEOF\n"
		 "\tsource=\"inside\"\n"
		 "}\n");
}

static void test_source_refusals(void **s)
{
	edit_fails(add_src, "pkgname=foo\n", KILN_EPARSE, "APKBUILD: no source= assignment");
	edit_fails(add_src, "source=\"a.tar.gz " NEWP "\"\n", KILN_EFAIL,
		   "APKBUILD:1: source= already lists " NEWP);
	edit_fails(add_src, "pkgname=foo\nsource=\"a.tar.gz\n", KILN_EPARSE,
		   "APKBUILD:2: a double quote is never closed");
	char *t = xstrdup("source=\"a\"\n");
	struct kerr e = {0};
	assert_int_equal(apkbuild_add_source(&t, "APKBUILD", "x\"; rm -rf /", &e), -KILN_EUSAGE);
	free(t);
}

static void test_sha512sums_aports_layout(void **s)
{
	edits_to(add_sum, "sha512sums=\"\n" H1 "  foo-1.2.3.tar.gz\n" H2 "  fix-build.patch\n\"\n",
		 "sha512sums=\"\n" H1 "  foo-1.2.3.tar.gz\n" H2 "  fix-build.patch\n" H3 "  " NEWP
		 "\n\"\n");
}

static void test_sha512sums_old_layout_keeps_quote_after_last_entry(void **s)
{
	edits_to(add_sum, "sha512sums=\"" H1 "  foo-1.2.3.tar.gz\n" H2 "  fix-build.patch\"\n",
		 "sha512sums=\"" H1 "  foo-1.2.3.tar.gz\n" H2 "  fix-build.patch\n" H3 "  " NEWP
		 "\"\n");
	/* one entry on one line: the new one gets its own line */
	edits_to(add_sum, "sha512sums=\"" H1 "  foo-1.2.3.tar.gz\"\n",
		 "sha512sums=\"" H1 "  foo-1.2.3.tar.gz\n" H3 "  " NEWP "\"\n");
}

static void test_sha512sums_keeps_the_files_separator_and_indentation(void **s)
{
	edits_to(add_sum, "sha512sums=\"\n\t" H1 " foo-1.2.3.tar.gz\n\t\"\n",
		 "sha512sums=\"\n\t" H1 " foo-1.2.3.tar.gz\n\t" H3 " " NEWP "\n\t\"\n");
}

static void test_sha512sums_the_last_block_wins(void **s)
{
	/* as in expat's APKBUILD with two sha512sums= blocks: the shell keeps the last */
	edits_to(add_sum,
		 "sha512sums=\"\n" H1 "  old.tar.gz\n\"\n"
		 "sha512sums=\"\n" H2 "  foo-1.2.3.tar.gz\n\"\n",
		 "sha512sums=\"\n" H1 "  old.tar.gz\n\"\n"
		 "sha512sums=\"\n" H2 "  foo-1.2.3.tar.gz\n" H3 "  " NEWP "\n\"\n");
}

static void test_sha512sums_refusals(void **s)
{
	edit_fails(add_sum, "source=x\n", KILN_EPARSE, "no sha512sums= assignment");
	char *t = xstrdup("sha512sums=\"\"\n");
	struct kerr e = {0};
	assert_int_equal(apkbuild_add_sha512(&t, "APKBUILD", "abc", NEWP, &e), -KILN_EUSAGE);
	free(t);
}

static void test_pkgrel_is_raised_by_one(void **s)
{
	edits_to(bump, "pkgver=1.2.3\npkgrel=2\npkgdesc=\"pkgrel=9\"\n",
		 "pkgver=1.2.3\npkgrel=3\npkgdesc=\"pkgrel=9\"\n");
	edits_to(bump, "pkgrel=\"2\" # stable\n", "pkgrel=\"3\" # stable\n");
	char *t = xstrdup("pkgrel=9\n"), *rel = NULL;
	struct kerr e = {0};
	assert_int_equal(apkbuild_bump_pkgrel(&t, "APKBUILD", NULL, &rel, &e), 0);
	assert_string_equal(t, "pkgrel=10\n");
	assert_string_equal(rel, "10");
	free(rel);
	free(t);
}

static void test_pkgrel_refusals(void **s)
{
	edit_fails(bump, "pkgrel=$((1+1))\n", KILN_EPARSE,
		   "APKBUILD:1: pkgrel='$((1+1))' is not a plain number");
	edit_fails(bump, "pkgrel=1\n", KILN_EPARSE,
		   "pkgrel=1 in the text, but the APKBUILD evaluates to 2");
	edit_fails(bump, "pkgrel=2\nx=1\npkgrel=2\n", KILN_EPARSE,
		   "APKBUILD:3: pkgrel= is assigned 2 times");
}

static void parses_back(const char *text, const char *version, size_t nids)
{
	struct apk_secfixes f;
	struct kerr e = {0};
	assert_int_equal(apk_secfixes_parse(text, strlen(text), "APKBUILD", &f, &e), 0);
	size_t found = (size_t)-1;
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].version, version))
			found = i;
	assert_true(found != (size_t)-1);
	assert_int_equal(f.v[found].ids.n, nids);
	apk_secfixes_free(&f);
}

static void test_secfixes_block_created_before_the_functions(void **s)
{
	const char *in = "pkgname=foo\n"
			 "pkgrel=2\n"
			 "source=\"foo.tar.gz\"\n"
			 "\n"
			 "build() {\n"
			 "\tmake\n"
			 "}\n";
	const char *want = "pkgname=foo\n"
			   "pkgrel=2\n"
			   "source=\"foo.tar.gz\"\n"
			   "\n"
			   "# secfixes:\n"
			   "#   1.2.3-r3:\n"
			   "#     - CVE-2026-0001\n"
			   "#     - CVE-2026-0002\n"
			   "\n"
			   "build() {\n"
			   "\tmake\n"
			   "}\n";
	edits_to(secfix, in, want);
	parses_back(want, "1.2.3-r3", 2);
	/* no blank line before the function, and none at all */
	edits_to(secfix, "pkgrel=2\npackage() { :; }\n",
		 "pkgrel=2\n\n# secfixes:\n#   1.2.3-r3:\n#     - CVE-2026-0001\n#     - "
		 "CVE-2026-0002\n\npackage() { :; }\n");
	edits_to(secfix, "pkgrel=2",
		 "pkgrel=2\n\n# secfixes:\n#   1.2.3-r3:\n#     - CVE-2026-0001\n#     - "
		 "CVE-2026-0002\n");
}

static void test_secfixes_new_version_goes_on_top_of_the_block(void **s)
{
	const char *in = "# Maintainer: B <b@example.org>\n"
			 "pkgname=foo\n"
			 "\n"
			 "# secfixes:\n"
			 "#   1.2.3-r1:\n"
			 "#    - CVE-2024-1234\n"
			 "#   0:\n"
			 "#    - CVE-2019-0001\n"
			 "\n"
			 "build() { :; }\n";
	/* the ids take the block's own indentation (4 blanks here) */
	const char *want = "# Maintainer: B <b@example.org>\n"
			   "pkgname=foo\n"
			   "\n"
			   "# secfixes:\n"
			   "#   1.2.3-r3:\n"
			   "#    - CVE-2026-0001\n"
			   "#    - CVE-2026-0002\n"
			   "#   1.2.3-r1:\n"
			   "#    - CVE-2024-1234\n"
			   "#   0:\n"
			   "#    - CVE-2019-0001\n"
			   "\n"
			   "build() { :; }\n";
	edits_to(secfix, in, want);
	parses_back(want, "1.2.3-r3", 2);
	parses_back(want, "1.2.3-r1", 1);
}

static void test_secfixes_existing_version_gets_the_missing_ids(void **s)
{
	const char *in = "# secfixes:\n"
			 "#   1.2.3-r3:\n"
			 "#     - CVE-2026-0002\n"
			 "#   1.2.3-r1:\n"
			 "#     - CVE-2024-1234\n"
			 "pkgname=foo\n";
	const char *want = "# secfixes:\n"
			   "#   1.2.3-r3:\n"
			   "#     - CVE-2026-0002\n"
			   "#     - CVE-2026-0001\n"
			   "#   1.2.3-r1:\n"
			   "#     - CVE-2024-1234\n"
			   "pkgname=foo\n";
	edits_to(secfix, in, want);
	parses_back(want, "1.2.3-r3", 2);
	/* nothing to add: unchanged */
	edits_to(secfix, want, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_source_multi_line_with_closing_quote_on_its_own_line),
	    cmocka_unit_test(test_source_multi_line_with_quote_after_the_last_entry),
	    cmocka_unit_test(test_source_multi_line_with_only_the_tarball),
	    cmocka_unit_test(test_source_single_line),
	    cmocka_unit_test(test_source_the_last_top_level_assignment_is_edited),
	    cmocka_unit_test(test_source_refusals),
	    cmocka_unit_test(test_sha512sums_aports_layout),
	    cmocka_unit_test(test_sha512sums_old_layout_keeps_quote_after_last_entry),
	    cmocka_unit_test(test_sha512sums_keeps_the_files_separator_and_indentation),
	    cmocka_unit_test(test_sha512sums_the_last_block_wins),
	    cmocka_unit_test(test_sha512sums_refusals),
	    cmocka_unit_test(test_pkgrel_is_raised_by_one),
	    cmocka_unit_test(test_pkgrel_refusals),
	    cmocka_unit_test(test_secfixes_block_created_before_the_functions),
	    cmocka_unit_test(test_secfixes_new_version_goes_on_top_of_the_block),
	    cmocka_unit_test(test_secfixes_existing_version_gets_the_missing_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
