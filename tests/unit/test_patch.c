/* test_patch.c - the unified-diff parser, the in-memory classifier (every
 * class), -pN and prefix detection, series order, and refreshed patches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "backports/backports.h"

/* ---- helpers: a scratch tree of small files ---- */

static char *mktree(void)
{
	char tmpl[] = "/tmp/kiln-patch-test.XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return xstrdup(d);
}

static void put(const char *root, const char *rel, const char *content)
{
	struct kerr e = {0};
	char *full = xasprintf("%s/%s", root, rel);
	char *dir = xstrdup(full);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(mkdir_p(dir, 0755, &e), 0);
	assert_int_equal(write_file_atomic(full, content, strlen(content), 0644, &e), 0);
	free(dir);
	free(full);
}

static const char base_c[] = "#include <stdio.h>\n"
			     "\n"
			     "int parse(const char *s, size_t n)\n"
			     "{\n"
			     "\tchar buf[16];\n"
			     "\tsize_t i;\n"
			     "\n"
			     "\tfor (i = 0; i < n; i++)\n"
			     "\t\tbuf[i] = s[i];\n"
			     "\treturn buf[0];\n"
			     "}\n"
			     "\n"
			     "int main(void)\n"
			     "{\n"
			     "\treturn parse(\"x\", 1);\n"
			     "}\n";

/* the fix: bound the copy */
static const char fix_patch[] =
    "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
    "From: Jane Upstream <jane@example.org>\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
    "Subject: [PATCH 1/2] parse: bound the copy (CVE-2024-1234)\n"
    "\n"
    "The length came from the input.\n"
    "---\n"
    " lib/x.c | 2 ++\n"
    " 1 file changed, 2 insertions(+)\n"
    "\n"
    "diff --git a/lib/x.c b/lib/x.c\n"
    "index 1111111..2222222 100644\n"
    "--- a/lib/x.c\n"
    "+++ b/lib/x.c\n"
    "@@ -5,6 +5,8 @@ int parse(const char *s, size_t n)\n"
    " \tchar buf[16];\n"
    " \tsize_t i;\n"
    " \n"
    "+\tif (n > sizeof(buf))\n"
    "+\t\treturn -1;\n"
    " \tfor (i = 0; i < n; i++)\n"
    " \t\tbuf[i] = s[i];\n"
    " \treturn buf[0];\n"
    "-- \n"
    "2.39.2\n";

static struct patch *parse_ok(const char *text, const char *name)
{
	struct patch *p = xcalloc(1, sizeof(*p));
	struct kerr e = {0};
	int r = patch_parse(text, strlen(text), name, p, &e);
	if (r)
		fprintf(stderr, "# %s\n", e.msg);
	assert_int_equal(r, 0);
	return p;
}

static void drop_patch(struct patch *p)
{
	patch_free(p);
	free(p);
}

static enum bp_class classify(const char *root, struct patch *p, struct tree *t,
			      struct bp_classification *c)
{
	struct kerr e = {0};
	assert_int_equal(tree_open(root, t, &e), 0);
	struct patch *ps[] = {p};
	assert_int_equal(bp_classify(t, ps, 1, c, &e), 0);
	return c->cls;
}

/* classify and throw everything away */
static enum bp_class class_of(const char *root, const char *patch_text)
{
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(patch_text, "fix.patch");
	enum bp_class r = classify(root, p, &t, &c);
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	return r;
}

/* ---- parsing ---- */

static void test_format_patch_metadata_is_read(void **s)
{
	struct patch *p = parse_ok(fix_patch, "0001-fix.patch");
	assert_string_equal(p->subject, "parse: bound the copy (CVE-2024-1234)");
	assert_string_equal(p->author, "Jane Upstream <jane@example.org>");
	assert_string_equal(p->date, "Mon, 1 Jan 2024 10:00:00 +0000");
	assert_string_equal(p->commit, "0123456789abcdef0123456789abcdef01234567");
	assert_string_equal(p->body, "The length came from the input.");
	assert_int_equal(p->cves.n, 1);
	assert_string_equal(p->cves.v[0], "CVE-2024-1234");
	assert_int_equal(p->nfiles, 1);
	assert_string_equal(p->files[0].old_path, "a/lib/x.c");
	assert_string_equal(p->files[0].new_path, "b/lib/x.c");
	assert_int_equal(p->files[0].nhunks, 1);
	assert_int_equal(p->files[0].hunks[0].old_start, 5);
	assert_int_equal(p->files[0].hunks[0].new_count, 8);
	assert_int_equal(p->files[0].hunks[0].n, 8);
	/* the "-- " signature after the hunk is not a removed line */
	assert_int_equal(p->files[0].hunks[0].lines[7].kind, ' ');
	drop_patch(p);
}

static void test_plain_diff_with_timestamps_and_dep3_header(void **s)
{
	const char *t = "Description: fix a crash\n"
			" Longer text.\n"
			"Origin: upstream, https://example.org/commit/abc\n"
			"Bug: https://example.org/bugs/7\n"
			"Bug-Debian: https://bugs.debian.org/1000\n"
			"---\n"
			"--- foo-1.0.orig/src/a.c\t2024-01-01 00:00:00.000000000 +0000\n"
			"+++ foo-1.0/src/a.c\t2024-01-02 00:00:00.000000000 +0000\n"
			"@@ -1 +1 @@\n"
			"-old\n"
			"+new\n";
	struct patch *p = parse_ok(t, "CVE-2023-0001.patch");
	assert_string_equal(p->subject, "fix a crash");
	assert_string_equal(p->origin, "upstream, https://example.org/commit/abc");
	assert_int_equal(p->bugs.n, 2);
	assert_string_equal(p->files[0].old_path, "foo-1.0.orig/src/a.c");
	assert_string_equal(p->files[0].new_path, "foo-1.0/src/a.c");
	assert_int_equal(p->files[0].hunks[0].old_count, 1);
	assert_string_equal(p->cves.v[0], "CVE-2023-0001");
	drop_patch(p);
}

static void test_crlf_patch_and_new_and_deleted_files(void **s)
{
	const char *t = "diff --git a/new.txt b/new.txt\r\n"
			"new file mode 100644\r\n"
			"--- /dev/null\r\n"
			"+++ b/new.txt\r\n"
			"@@ -0,0 +1,2 @@\r\n"
			"+one\r\n"
			"+two\r\n"
			"diff --git a/old.txt b/old.txt\r\n"
			"deleted file mode 100644\r\n"
			"--- a/old.txt\r\n"
			"+++ /dev/null\r\n"
			"@@ -1 +0,0 @@\r\n"
			"-gone\r\n";
	struct patch *p = parse_ok(t, "x.patch");
	assert_int_equal(p->nfiles, 2);
	assert_true(p->files[0].is_new);
	assert_null(p->files[0].old_path);
	assert_string_equal(p->files[0].new_path, "b/new.txt");
	assert_true(p->files[1].is_delete);
	assert_null(p->files[1].new_path);
	/* content lines keep their CR; header lines do not */
	assert_int_equal(p->files[0].hunks[0].lines[0].len, 4);
	drop_patch(p);
}

static void test_no_newline_marker_is_kept(void **s)
{
	const char *t = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n";
	struct patch *p = parse_ok(t, "x.patch");
	assert_int_equal(p->files[0].hunks[0].lines[0].nl, 0);
	assert_int_equal(p->files[0].hunks[0].lines[1].nl, 1);
	drop_patch(p);
}

static void test_truncated_hunk_is_a_parse_error(void **s)
{
	const char *t = "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n";
	struct patch p;
	struct kerr e = {0};
	assert_int_equal(patch_parse(t, strlen(t), "cut.patch", &p, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "cut.patch"));
	assert_non_null(strstr(e.msg, "cut off"));
}

static void test_text_without_a_diff_is_a_parse_error(void **s)
{
	const char *t = "just some words\n";
	struct patch p;
	struct kerr e = {0};
	assert_int_equal(patch_parse(t, strlen(t), "words.patch", &p, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "no unified diff"));
}

static void test_cve_ids_are_found_and_normalised(void **s)
{
	struct strv l = {0};
	find_cve_ids("fix cve-2024-12345 and CVE_2023_0001, again CVE-2024-12345; CVE-99-1", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "CVE-2024-12345");
	assert_string_equal(l.v[1], "CVE-2023-0001");
	strv_free(&l);
}

/* ---- classification ---- */

static void test_patch_applies_cleanly(void **s)
{
	char *root = mktree();
	put(root, "lib/x.c", base_c);
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(fix_patch, "fix.patch");
	assert_int_equal(classify(root, p, &t, &c), BP_APPLIES_CLEANLY);
	assert_int_equal(c.patches[0].strip, 1);
	assert_null(c.patches[0].prefix);
	assert_int_equal(c.patches[0].nhunks, 1);
	assert_int_equal(c.patches[0].hunks[0].offset, 0);
	/* the tree holds the patched content in memory; nothing on disk changed */
	struct kbuf d;
	struct kerr e = {0};
	kbuf_init(&d);
	assert_int_equal(tree_diff(&t, &d, &e), 0);
	assert_non_null(strstr(
	    d.data,
	    "--- a/lib/x.c\n+++ b/lib/x.c\n@@ -5,6 +5,8 @@ int parse(const char *s, size_t n)\n"));
	assert_non_null(strstr(d.data, "+\tif (n > sizeof(buf))\n"));
	struct kbuf disk;
	kbuf_init(&disk);
	char *f = xasprintf("%s/lib/x.c", root);
	assert_int_equal(read_file(f, &disk, 0, &e), 0);
	assert_string_equal(disk.data, base_c);
	free(f);
	kbuf_free(&disk);
	kbuf_free(&d);
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	rm_rf(root);
	free(root);
}

static void test_patch_applies_with_offset(void **s)
{
	char *root = mktree();
	char *moved = xasprintf("/* a licence header\n * of three lines\n */\n%s", base_c);
	put(root, "lib/x.c", moved);
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(fix_patch, "fix.patch");
	assert_int_equal(classify(root, p, &t, &c), BP_APPLIES_WITH_OFFSET);
	assert_int_equal(c.patches[0].hunks[0].offset, 3);
	assert_string_equal(c.summary, "applies with an offset");
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	free(moved);
	rm_rf(root);
	free(root);
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	assert_non_null(at);
	return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

static void test_outer_context_difference_needs_fuzz_and_is_refreshed(void **s)
{
	char *root = mktree();
	/* the last context line differs (not only in whitespace) */
	char *changed = replace(base_c, "\treturn buf[0];\n", "\treturn (int)buf[0];\n");
	put(root, "lib/x.c", changed);
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(fix_patch, "fix.patch");
	assert_int_equal(classify(root, p, &t, &c), BP_APPLIES_WITH_FUZZ);
	assert_int_equal(c.patches[0].hunks[0].fuzz, 1);
	/* the refreshed patch applies to the original tree without fuzz */
	struct kbuf d;
	struct kerr e = {0};
	kbuf_init(&d);
	assert_int_equal(tree_diff(&t, &d, &e), 0);
	assert_non_null(strstr(d.data, " \treturn (int)buf[0];\n"));
	assert_int_equal(class_of(root, d.data), BP_APPLIES_CLEANLY);
	kbuf_free(&d);
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	free(changed);
	rm_rf(root);
	free(root);
}

static void test_inner_whitespace_difference_applies_ignoring_whitespace(void **s)
{
	char *root = mktree();
	/* the line right before the insertion differs in spacing only */
	char *changed = replace(base_c, "\tsize_t i;\n\n\tfor", "\tsize_t  i;\n\n\tfor");
	char *changed2 =
	    replace(changed, "\tfor (i = 0; i < n; i++)\n", "\tfor (i = 0;  i < n; i++)\n");
	put(root, "lib/x.c", changed2);
	assert_int_equal(class_of(root, fix_patch), BP_APPLIES_IGNORING_WHITESPACE);
	free(changed);
	free(changed2);
	rm_rf(root);
	free(root);
}

static char *to_crlf(const char *s)
{
	struct kbuf b;
	kbuf_init(&b);
	for (; *s; s++) {
		if (*s == '\n')
			kbuf_adds(&b, "\r");
		kbuf_add(&b, s, 1);
	}
	return b.data;
}

static void test_crlf_file_with_lf_patch_applies_ignoring_line_endings(void **s)
{
	char *root = mktree();
	char *crlf = to_crlf(base_c);
	put(root, "lib/x.c", crlf);
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(fix_patch, "fix.patch");
	assert_int_equal(classify(root, p, &t, &c), BP_APPLIES_IGNORING_EOL);
	/* the added lines follow the file's CRLF endings */
	struct kbuf d;
	struct kerr e = {0};
	kbuf_init(&d);
	assert_int_equal(tree_diff(&t, &d, &e), 0);
	assert_non_null(strstr(d.data, "+\tif (n > sizeof(buf))\r\n"));
	assert_int_equal(class_of(root, d.data), BP_APPLIES_CLEANLY);
	kbuf_free(&d);
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	free(crlf);
	rm_rf(root);
	free(root);
}

static const char fixed_c_lines[] = "\tif (n > sizeof(buf))\n\t\treturn -1;\n";

static void test_reverse_applying_patch_is_already_applied(void **s)
{
	char *root = mktree();
	char *with = xasprintf("\n%s\tfor (i", fixed_c_lines);
	char *fixed = replace(base_c, "\n\tfor (i", with);
	put(root, "lib/x.c", fixed);
	assert_int_equal(class_of(root, fix_patch), BP_ALREADY_APPLIED);
	free(with);
	free(fixed);
	rm_rf(root);
	free(root);
}

static void test_already_applied_with_other_whitespace_is_detected(void **s)
{
	char *root = mktree();
	char *fixed = replace(base_c, "\n\tfor (i",
			      "\n    if (n > sizeof(buf))\n        return -1;\n\tfor (i");
	put(root, "lib/x.c", fixed);
	assert_int_equal(class_of(root, fix_patch), BP_ALREADY_APPLIED);
	free(fixed);
	rm_rf(root);
	free(root);
}

static void test_same_change_in_debian_patches_is_already_applied(void **s)
{
	char *root = mktree();
	put(root, "lib/x.c", base_c);
	/* the series carries the change (context differs); the tree is unpatched
	 * as with dpkg-source -x --skip-patches */
	char *other = replace(fix_patch, "@@ -5,6 +5,8 @@", "@@ -50,6 +50,8 @@");
	put(root, "debian/patches/series", "# security\nupstream-bound.patch\n");
	put(root, "debian/patches/upstream-bound.patch", other);
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(fix_patch, "fix.patch");
	assert_int_equal(classify(root, p, &t, &c), BP_ALREADY_APPLIED);
	assert_string_equal(c.patches[0].same_as, "debian/patches/upstream-bound.patch");
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	free(other);
	rm_rf(root);
	free(root);
}

static void test_patch_for_absent_files_is_not_applicable(void **s)
{
	char *root = mktree();
	put(root, "src/other.c", "int x;\n");
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(fix_patch, "fix.patch");
	assert_int_equal(classify(root, p, &t, &c), BP_NOT_APPLICABLE);
	assert_non_null(strstr(c.summary, "lib/x.c"));
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	rm_rf(root);
	free(root);
}

static void test_failing_hunk_needs_manual_backport_and_is_named(void **s)
{
	char *root = mktree();
	char *changed = replace(
	    base_c,
	    "\tchar buf[16];\n\tsize_t i;\n\n\tfor (i = 0; i < n; i++)\n\t\tbuf[i] = s[i];\n",
	    "\tchar *buf = malloc(n);\n\tmemcpy(buf, s, n);\n");
	put(root, "lib/x.c", changed);
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(fix_patch, "fix.patch");
	assert_int_equal(classify(root, p, &t, &c), BP_NEEDS_MANUAL);
	assert_int_equal(c.patches[0].nhunks, 1);
	assert_false(c.patches[0].hunks[0].applied);
	assert_non_null(strstr(c.summary, "fix.patch: hunk 1 of lib/x.c (patch line 15) fails"));
	assert_non_null(strstr(c.summary, "the patch expects"));
	/* nothing was changed in memory either */
	struct kbuf d;
	struct kerr e = {0};
	kbuf_init(&d);
	assert_int_equal(tree_diff(&t, &d, &e), 0);
	assert_int_equal(d.len, 0);
	kbuf_free(&d);
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	free(changed);
	rm_rf(root);
	free(root);
}

static void test_hunk_already_there_is_said_when_another_fails(void **s)
{
	char *root = mktree();
	/* hunk 1's change is in the file; hunk 2 cannot apply */
	char *with = xasprintf("\n%s\tfor (i", fixed_c_lines);
	char *fixed = replace(base_c, "\n\tfor (i", with);
	put(root, "lib/x.c", fixed);
	const char *two =
	    "--- a/lib/x.c\n+++ b/lib/x.c\n@@ -5,6 +5,8 @@\n \tchar buf[16];\n \tsize_t i;\n \n"
	    "+\tif (n > sizeof(buf))\n+\t\treturn -1;\n \tfor (i = 0; i < n; i++)\n"
	    " \t\tbuf[i] = s[i];\n \treturn buf[0];\n@@ -13,3 +15,3 @@\n int main(void)\n {\n"
	    "-\treturn parse(\"y\", 1);\n+\treturn parse(\"z\", 1);\n";
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(two, "two.patch");
	assert_int_equal(classify(root, p, &t, &c), BP_NEEDS_MANUAL);
	assert_non_null(strstr(c.patches[0].hunks[0].why, "this hunk's change is already there"));
	assert_non_null(strstr(c.patches[0].hunks[1].why, "the patch expects"));
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	free(with);
	free(fixed);
	rm_rf(root);
	free(root);
}

static void test_path_prefix_is_detected(void **s)
{
	char *root = mktree();
	put(root, "expat/lib/x.c", base_c);
	put(root, "expat/lib/y.c", "int y;\n");
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(fix_patch, "fix.patch");
	assert_int_equal(classify(root, p, &t, &c), BP_APPLIES_CLEANLY);
	assert_int_equal(c.patches[0].strip, 1);
	assert_string_equal(c.patches[0].prefix, "expat/");
	struct kbuf d;
	struct kerr e = {0};
	kbuf_init(&d);
	assert_int_equal(tree_diff(&t, &d, &e), 0);
	assert_non_null(strstr(d.data, "--- a/expat/lib/x.c\n+++ b/expat/lib/x.c\n"));
	kbuf_free(&d);
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	rm_rf(root);
	free(root);
}

static void test_p0_patch_is_detected(void **s)
{
	char *root = mktree();
	put(root, "lib/x.c", base_c);
	char *p0 =
	    replace(fix_patch, "--- a/lib/x.c\n+++ b/lib/x.c\n", "--- lib/x.c\n+++ lib/x.c\n");
	char *p0b = replace(p0, "diff --git a/lib/x.c b/lib/x.c\n", "");
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(p0b, "fix.patch");
	assert_int_equal(classify(root, p, &t, &c), BP_APPLIES_CLEANLY);
	assert_int_equal(c.patches[0].strip, 0);
	bp_classification_free(&c);
	tree_free(&t);
	drop_patch(p);
	free(p0);
	free(p0b);
	rm_rf(root);
	free(root);
}

static void test_series_applies_in_order_and_names_first_failure(void **s)
{
	char *root = mktree();
	put(root, "lib/x.c", base_c);
	/* the second patch builds on the first's line; the third cannot apply */
	const char *second = "--- a/lib/x.c\n+++ b/lib/x.c\n@@ -7,4 +7,4 @@\n \n"
			     "-\tif (n > sizeof(buf))\n+\tif (n >= sizeof(buf))\n \t\treturn -1;\n"
			     " \tfor (i = 0; i < n; i++)\n";
	const char *third = "--- a/lib/x.c\n+++ b/lib/x.c\n@@ -1,2 +1,2 @@\n-#include <nothere.h>\n"
			    "+#include <stdlib.h>\n \n";
	struct patch *ps[3] = {parse_ok(fix_patch, "1.patch"), parse_ok(second, "2.patch"),
			       parse_ok(third, "3.patch")};
	struct tree t;
	struct bp_classification c;
	struct kerr e = {0};
	assert_int_equal(tree_open(root, &t, &e), 0);
	assert_int_equal(bp_classify(&t, ps, 2, &c, &e), 0);
	assert_int_equal(c.cls, BP_APPLIES_CLEANLY);
	bp_classification_free(&c);
	tree_free(&t);
	assert_int_equal(tree_open(root, &t, &e), 0);
	struct patch *rev[3] = {ps[1], ps[0], ps[2]};
	assert_int_equal(bp_classify(&t, rev, 3, &c, &e), 0);
	assert_int_equal(c.cls, BP_NEEDS_MANUAL);
	assert_non_null(strstr(c.summary, "2.patch: hunk 1 of lib/x.c"));
	assert_non_null(strstr(c.patches[2].why, "not tried"));
	bp_classification_free(&c);
	tree_free(&t);
	for (int i = 0; i < 3; i++)
		drop_patch(ps[i]);
	rm_rf(root);
	free(root);
}

static void test_new_file_is_created_and_existing_copy_is_already_applied(void **s)
{
	const char *t = "--- /dev/null\n+++ b/tests/poc.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n";
	char *root = mktree();
	put(root, "lib/x.c", base_c);
	assert_int_equal(class_of(root, t), BP_APPLIES_CLEANLY);
	put(root, "tests/poc.txt", "one\ntwo\n");
	assert_int_equal(class_of(root, t), BP_ALREADY_APPLIED);
	rm_rf(root);
	free(root);
}

static void test_refreshed_patch_marks_missing_final_newline(void **s)
{
	char *root = mktree();
	put(root, "f.txt", "a\nb");
	const char *t = "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,3 @@\n a\n b\n+c\n";
	struct tree tr;
	struct bp_classification c;
	struct patch *p = parse_ok(t, "x.patch");
	/* "b" has no newline in the file: the patch still applies */
	assert_true(bp_class_applies(classify(root, p, &tr, &c)));
	struct kbuf d;
	struct kerr e = {0};
	kbuf_init(&d);
	assert_int_equal(tree_diff(&tr, &d, &e), 0);
	assert_string_equal(d.data, "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,3 @@\n a\n-b\n"
				    "\\ No newline at end of file\n+b\n+c\n");
	kbuf_free(&d);
	bp_classification_free(&c);
	tree_free(&tr);
	drop_patch(p);
	rm_rf(root);
	free(root);
}

static void test_paths_escaping_the_tree_are_refused(void **s)
{
	struct kerr e = {0};
	assert_int_equal(tree_safe_path("/tmp", "../etc/passwd", &e), -KILN_EVERIFY);
	assert_int_equal(tree_safe_path("/tmp", "/etc/passwd", &e), -KILN_EVERIFY);
	char *root = mktree();
	char *link = xasprintf("%s/debian", root);
	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(tree_safe_path(root, "debian/changelog", &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "symlink"));
	free(link);
	rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_patch_metadata_is_read),
	    cmocka_unit_test(test_plain_diff_with_timestamps_and_dep3_header),
	    cmocka_unit_test(test_crlf_patch_and_new_and_deleted_files),
	    cmocka_unit_test(test_no_newline_marker_is_kept),
	    cmocka_unit_test(test_truncated_hunk_is_a_parse_error),
	    cmocka_unit_test(test_text_without_a_diff_is_a_parse_error),
	    cmocka_unit_test(test_cve_ids_are_found_and_normalised),
	    cmocka_unit_test(test_patch_applies_cleanly),
	    cmocka_unit_test(test_patch_applies_with_offset),
	    cmocka_unit_test(test_outer_context_difference_needs_fuzz_and_is_refreshed),
	    cmocka_unit_test(test_inner_whitespace_difference_applies_ignoring_whitespace),
	    cmocka_unit_test(test_crlf_file_with_lf_patch_applies_ignoring_line_endings),
	    cmocka_unit_test(test_reverse_applying_patch_is_already_applied),
	    cmocka_unit_test(test_already_applied_with_other_whitespace_is_detected),
	    cmocka_unit_test(test_same_change_in_debian_patches_is_already_applied),
	    cmocka_unit_test(test_patch_for_absent_files_is_not_applicable),
	    cmocka_unit_test(test_failing_hunk_needs_manual_backport_and_is_named),
	    cmocka_unit_test(test_hunk_already_there_is_said_when_another_fails),
	    cmocka_unit_test(test_path_prefix_is_detected),
	    cmocka_unit_test(test_p0_patch_is_detected),
	    cmocka_unit_test(test_series_applies_in_order_and_names_first_failure),
	    cmocka_unit_test(test_new_file_is_created_and_existing_copy_is_already_applied),
	    cmocka_unit_test(test_refreshed_patch_marks_missing_final_newline),
	    cmocka_unit_test(test_paths_escaping_the_tree_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
