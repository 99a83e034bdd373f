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

/* ---- the fixture of the classification tests: a scratch tree, the patch
 * classified against it, what that left in memory; teardown frees it all ---- */

struct fx {
	char *root;
	struct tree t;
	struct bp_classification c;
	struct patch *p;
	int classified;
	struct kbuf diff;  /* fx_diff's text */
	struct strv owned; /* strings the test made (fx_keep) */
};

static int fx_setup(void **s)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	f->root = mktree();
	kbuf_init(&f->diff);
	*s = f;
	return 0;
}

static int fx_teardown(void **s)
{
	struct fx *f = *s;
	if (f->classified) {
		bp_classification_free(&f->c);
		tree_free(&f->t);
	}
	if (f->p)
		drop_patch(f->p);
	kbuf_free(&f->diff);
	strv_free(&f->owned);
	rm_rf(f->root);
	free(f->root);
	free(f);
	return 0;
}

/* keep a string the test made until teardown */
static const char *fx_keep(struct fx *f, char *text)
{
	strv_add_owned(&f->owned, text);
	return text;
}

/* the tree at root, and p classified against it */
static enum bp_class classify_into(const char *root, struct patch *p, struct tree *t,
				   struct bp_classification *c)
{
	struct kerr e = {0};
	assert_int_equal(tree_open(root, t, &e), 0);
	struct patch *ps[] = {p};
	assert_int_equal(bp_classify(t, ps, 1, c, &e), 0);
	return c->cls;
}

/* f->p parsed from patch_text (as name), classified against f->root */
static enum bp_class fx_classify(struct fx *f, const char *patch_text, const char *name)
{
	f->p = parse_ok(patch_text, name);
	f->classified = 1;
	return classify_into(f->root, f->p, &f->t, &f->c);
}

/* what the classification changed in memory, as a diff */
static const char *fx_diff(struct fx *f)
{
	struct kerr e = {0};
	f->diff.len = 0;
	assert_int_equal(tree_diff(&f->t, &f->diff, &e), 0);
	return f->diff.data ? f->diff.data : "";
}

/* classify and throw everything away */
static enum bp_class class_of(const char *root, const char *patch_text)
{
	struct tree t;
	struct bp_classification c;
	struct patch *p = parse_ok(patch_text, "fix.patch");
	enum bp_class r = classify_into(root, p, &t, &c);
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
	struct fx *f = *s;
	put(f->root, "lib/x.c", base_c);
	assert_int_equal(fx_classify(f, fix_patch, "fix.patch"), BP_APPLIES_CLEANLY);
	assert_int_equal(f->c.patches[0].strip, 1);
	assert_null(f->c.patches[0].prefix);
	assert_int_equal(f->c.patches[0].nhunks, 1);
	assert_int_equal(f->c.patches[0].hunks[0].offset, 0);
	/* the tree holds the patched content in memory; nothing on disk changed */
	const char *d = fx_diff(f);
	assert_non_null(strstr(
	    d,
	    "--- a/lib/x.c\n+++ b/lib/x.c\n@@ -5,6 +5,8 @@ int parse(const char *s, size_t n)\n"));
	assert_non_null(strstr(d, "+\tif (n > sizeof(buf))\n"));
	struct kbuf disk;
	struct kerr e = {0};
	kbuf_init(&disk);
	char *file = xasprintf("%s/lib/x.c", f->root);
	assert_int_equal(read_file(file, &disk, 0, &e), 0);
	assert_string_equal(disk.data, base_c);
	free(file);
	kbuf_free(&disk);
}

static void test_patch_applies_with_offset(void **s)
{
	struct fx *f = *s;
	put(f->root, "lib/x.c",
	    fx_keep(f, xasprintf("/* a licence header\n * of three lines\n */\n%s", base_c)));
	assert_int_equal(fx_classify(f, fix_patch, "fix.patch"), BP_APPLIES_WITH_OFFSET);
	assert_int_equal(f->c.patches[0].hunks[0].offset, 3);
	assert_string_equal(f->c.summary, "applies with an offset");
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	assert_non_null(at);
	return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

/* base_c with from replaced by to, kept until teardown */
static const char *fx_base_with(struct fx *f, const char *from, const char *to)
{
	return fx_keep(f, replace(base_c, from, to));
}

static void test_outer_context_difference_needs_fuzz_and_is_refreshed(void **s)
{
	struct fx *f = *s;
	/* the last context line differs (not only in whitespace) */
	put(f->root, "lib/x.c", fx_base_with(f, "\treturn buf[0];\n", "\treturn (int)buf[0];\n"));
	assert_int_equal(fx_classify(f, fix_patch, "fix.patch"), BP_APPLIES_WITH_FUZZ);
	assert_int_equal(f->c.patches[0].hunks[0].fuzz, 1);
	/* the refreshed patch applies to the original tree without fuzz */
	const char *d = fx_diff(f);
	assert_non_null(strstr(d, " \treturn (int)buf[0];\n"));
	assert_int_equal(class_of(f->root, d), BP_APPLIES_CLEANLY);
}

static void test_inner_whitespace_difference_applies_ignoring_whitespace(void **s)
{
	struct fx *f = *s;
	/* the line right before the insertion differs in spacing only */
	const char *changed = fx_base_with(f, "\tsize_t i;\n\n\tfor", "\tsize_t  i;\n\n\tfor");
	put(f->root, "lib/x.c",
	    fx_keep(f, replace(changed, "\tfor (i = 0; i < n; i++)\n",
			       "\tfor (i = 0;  i < n; i++)\n")));
	assert_int_equal(class_of(f->root, fix_patch), BP_APPLIES_IGNORING_WHITESPACE);
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
	struct fx *f = *s;
	put(f->root, "lib/x.c", fx_keep(f, to_crlf(base_c)));
	assert_int_equal(fx_classify(f, fix_patch, "fix.patch"), BP_APPLIES_IGNORING_EOL);
	/* the added lines follow the file's CRLF endings */
	const char *d = fx_diff(f);
	assert_non_null(strstr(d, "+\tif (n > sizeof(buf))\r\n"));
	assert_int_equal(class_of(f->root, d), BP_APPLIES_CLEANLY);
}

static const char fixed_c_lines[] = "\tif (n > sizeof(buf))\n\t\treturn -1;\n";

/* base_c with the fix's lines in place, kept until teardown */
static const char *fx_base_fixed(struct fx *f)
{
	char *with = xasprintf("\n%s\tfor (i", fixed_c_lines);
	const char *fixed = fx_base_with(f, "\n\tfor (i", with);
	free(with);
	return fixed;
}

static void test_reverse_applying_patch_is_already_applied(void **s)
{
	struct fx *f = *s;
	put(f->root, "lib/x.c", fx_base_fixed(f));
	assert_int_equal(class_of(f->root, fix_patch), BP_ALREADY_APPLIED);
}

static void test_already_applied_with_other_whitespace_is_detected(void **s)
{
	struct fx *f = *s;
	put(f->root, "lib/x.c",
	    fx_base_with(f, "\n\tfor (i",
			 "\n    if (n > sizeof(buf))\n        return -1;\n\tfor (i"));
	assert_int_equal(class_of(f->root, fix_patch), BP_ALREADY_APPLIED);
}

static void test_same_change_in_debian_patches_is_already_applied(void **s)
{
	struct fx *f = *s;
	put(f->root, "lib/x.c", base_c);
	/* the series carries the change (context differs); the tree is unpatched
	 * as with dpkg-source -x --skip-patches */
	put(f->root, "debian/patches/series", "# security\nupstream-bound.patch\n");
	put(f->root, "debian/patches/upstream-bound.patch",
	    fx_keep(f, replace(fix_patch, "@@ -5,6 +5,8 @@", "@@ -50,6 +50,8 @@")));
	assert_int_equal(fx_classify(f, fix_patch, "fix.patch"), BP_ALREADY_APPLIED);
	assert_string_equal(f->c.patches[0].same_as, "debian/patches/upstream-bound.patch");
}

static void test_patch_for_absent_files_is_not_applicable(void **s)
{
	struct fx *f = *s;
	put(f->root, "src/other.c", "int x;\n");
	assert_int_equal(fx_classify(f, fix_patch, "fix.patch"), BP_NOT_APPLICABLE);
	assert_non_null(strstr(f->c.summary, "lib/x.c"));
}

static void test_failing_hunk_needs_manual_backport_and_is_named(void **s)
{
	struct fx *f = *s;
	put(f->root, "lib/x.c",
	    fx_base_with(f,
			 "\tchar buf[16];\n\tsize_t i;\n\n\tfor (i = 0; i < n; i++)\n\t\tbuf[i] = "
			 "s[i];\n",
			 "\tchar *buf = malloc(n);\n\tmemcpy(buf, s, n);\n"));
	assert_int_equal(fx_classify(f, fix_patch, "fix.patch"), BP_NEEDS_MANUAL);
	assert_int_equal(f->c.patches[0].nhunks, 1);
	assert_false(f->c.patches[0].hunks[0].applied);
	assert_non_null(strstr(f->c.summary, "fix.patch: hunk 1 of lib/x.c (patch line 15) fails"));
	assert_non_null(strstr(f->c.summary, "the patch expects"));
	/* nothing was changed in memory either */
	fx_diff(f);
	assert_int_equal(f->diff.len, 0);
}

static void test_hunk_already_there_is_said_when_another_fails(void **s)
{
	struct fx *f = *s;
	/* hunk 1's change is in the file; hunk 2 cannot apply */
	put(f->root, "lib/x.c", fx_base_fixed(f));
	const char *two =
	    "--- a/lib/x.c\n+++ b/lib/x.c\n@@ -5,6 +5,8 @@\n \tchar buf[16];\n \tsize_t i;\n \n"
	    "+\tif (n > sizeof(buf))\n+\t\treturn -1;\n \tfor (i = 0; i < n; i++)\n"
	    " \t\tbuf[i] = s[i];\n \treturn buf[0];\n@@ -13,3 +15,3 @@\n int main(void)\n {\n"
	    "-\treturn parse(\"y\", 1);\n+\treturn parse(\"z\", 1);\n";
	assert_int_equal(fx_classify(f, two, "two.patch"), BP_NEEDS_MANUAL);
	assert_non_null(
	    strstr(f->c.patches[0].hunks[0].why, "this hunk's change is already there"));
	assert_non_null(strstr(f->c.patches[0].hunks[1].why, "the patch expects"));
}

static void test_path_prefix_is_detected(void **s)
{
	struct fx *f = *s;
	put(f->root, "expat/lib/x.c", base_c);
	put(f->root, "expat/lib/y.c", "int y;\n");
	assert_int_equal(fx_classify(f, fix_patch, "fix.patch"), BP_APPLIES_CLEANLY);
	assert_int_equal(f->c.patches[0].strip, 1);
	assert_string_equal(f->c.patches[0].prefix, "expat/");
	assert_non_null(strstr(fx_diff(f), "--- a/expat/lib/x.c\n+++ b/expat/lib/x.c\n"));
}

static void test_p0_patch_is_detected(void **s)
{
	struct fx *f = *s;
	put(f->root, "lib/x.c", base_c);
	const char *p0 = fx_keep(
	    f, replace(fix_patch, "--- a/lib/x.c\n+++ b/lib/x.c\n", "--- lib/x.c\n+++ lib/x.c\n"));
	const char *p0b = fx_keep(f, replace(p0, "diff --git a/lib/x.c b/lib/x.c\n", ""));
	assert_int_equal(fx_classify(f, p0b, "fix.patch"), BP_APPLIES_CLEANLY);
	assert_int_equal(f->c.patches[0].strip, 0);
}

static void test_series_applies_in_order_and_names_first_failure(void **s)
{
	struct fx *f = *s;
	put(f->root, "lib/x.c", base_c);
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
	assert_int_equal(tree_open(f->root, &t, &e), 0);
	assert_int_equal(bp_classify(&t, ps, 2, &c, &e), 0);
	assert_int_equal(c.cls, BP_APPLIES_CLEANLY);
	bp_classification_free(&c);
	tree_free(&t);
	/* the same three in another order: the fixture's classification */
	f->classified = 1;
	assert_int_equal(tree_open(f->root, &f->t, &e), 0);
	struct patch *rev[3] = {ps[1], ps[0], ps[2]};
	assert_int_equal(bp_classify(&f->t, rev, 3, &f->c, &e), 0);
	for (int i = 0; i < 3; i++)
		drop_patch(ps[i]);
	assert_int_equal(f->c.cls, BP_NEEDS_MANUAL);
	assert_non_null(strstr(f->c.summary, "2.patch: hunk 1 of lib/x.c"));
	assert_non_null(strstr(f->c.patches[2].why, "not tried"));
}

static void test_new_file_is_created_and_existing_copy_is_already_applied(void **s)
{
	struct fx *f = *s;
	const char *t = "--- /dev/null\n+++ b/tests/poc.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n";
	put(f->root, "lib/x.c", base_c);
	assert_int_equal(class_of(f->root, t), BP_APPLIES_CLEANLY);
	put(f->root, "tests/poc.txt", "one\ntwo\n");
	assert_int_equal(class_of(f->root, t), BP_ALREADY_APPLIED);
}

static void test_refreshed_patch_marks_missing_final_newline(void **s)
{
	struct fx *f = *s;
	put(f->root, "f.txt", "a\nb");
	const char *t = "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,3 @@\n a\n b\n+c\n";
	/* "b" has no newline in the file: the patch still applies */
	assert_true(bp_class_applies(fx_classify(f, t, "x.patch")));
	assert_string_equal(fx_diff(f), "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,3 @@\n a\n-b\n"
					"\\ No newline at end of file\n+b\n+c\n");
}

static void test_paths_escaping_the_tree_are_refused(void **s)
{
	struct fx *f = *s;
	struct kerr e = {0};
	assert_int_equal(tree_safe_path("/tmp", "../etc/passwd", &e), -KILN_EVERIFY);
	assert_int_equal(tree_safe_path("/tmp", "/etc/passwd", &e), -KILN_EVERIFY);
	char *link = xasprintf("%s/debian", f->root);
	assert_int_equal(symlink("/etc", link), 0);
	free(link);
	assert_int_equal(tree_safe_path(f->root, "debian/changelog", &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "symlink"));
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
	    cmocka_unit_test_setup_teardown(test_patch_applies_cleanly, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_patch_applies_with_offset, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(
		test_outer_context_difference_needs_fuzz_and_is_refreshed, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(
		test_inner_whitespace_difference_applies_ignoring_whitespace, fx_setup,
		fx_teardown),
	    cmocka_unit_test_setup_teardown(
		test_crlf_file_with_lf_patch_applies_ignoring_line_endings, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reverse_applying_patch_is_already_applied,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_already_applied_with_other_whitespace_is_detected,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_same_change_in_debian_patches_is_already_applied,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_patch_for_absent_files_is_not_applicable, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_failing_hunk_needs_manual_backport_and_is_named,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_hunk_already_there_is_said_when_another_fails,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_path_prefix_is_detected, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_p0_patch_is_detected, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_series_applies_in_order_and_names_first_failure,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(
		test_new_file_is_created_and_existing_copy_is_already_applied, fx_setup,
		fx_teardown),
	    cmocka_unit_test_setup_teardown(test_refreshed_patch_marks_missing_final_newline,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_paths_escaping_the_tree_are_refused, fx_setup,
					    fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
