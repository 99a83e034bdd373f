/* test_attest_diff.c - the pieces of `kiln diff`: unified text diffs, byte ranges, ELF sections on
 * sane and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "attest/attest.h"

static struct kbuf buf(const char *s, size_t n)
{
	struct kbuf b = {0};
	kbuf_add(&b, s, n);
	return b;
}

static struct kbuf str(const char *s)
{
	return buf(s, strlen(s));
}

/* the diff's lines joined with '\n' */
static char *joined(json_t *a)
{
	struct kbuf b = {0};
	json_t *x;
	size_t i;
	json_array_foreach(a, i, x)
	{
		kbuf_adds(&b, json_string_value(x));
		kbuf_adds(&b, "\n");
	}
	kbuf_add(&b, "", 0);
	return b.data;
}

static char *numbered(int from, int to, int changed)
{
	struct kbuf b = {0};
	for (int i = from; i <= to; i++)
		if (i == changed)
			kbuf_printf(&b, "changed %d\n", i);
		else
			kbuf_printf(&b, "line %d\n", i);
	kbuf_add(&b, "", 0);
	return b.data;
}

static void check_diff(const char *a, const char *b, const char *want)
{
	struct kbuf ka = str(a), kb = str(b);
	int trunc = 0;
	json_t *d = text_unified_diff(&ka, &kb, 1000, &trunc);
	assert_non_null(d);
	char *got = joined(d);
	assert_string_equal(got, want);
	assert_false(trunc);
	free(got);
	json_decref(d);
	kbuf_free(&ka);
	kbuf_free(&kb);
}

static void test_one_changed_line_has_three_lines_of_context(void **s)
{
	char *a = numbered(1, 20, 0), *b = numbered(1, 20, 10);
	check_diff(a, b,
		   "@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+changed 10\n line 11\n"
		   " line 12\n line 13\n");
	free(a);
	free(b);
}

static void test_identical_text_has_no_hunks(void **s)
{
	check_diff("a\nb\n", "a\nb\n", "");
}

static void test_insertion_at_start_and_deletion_at_end(void **s)
{
	check_diff("b\nc\n", "a\nb\nc\n", "@@ -1,2 +1,3 @@\n+a\n b\n c\n");
	check_diff("", "a\n", "@@ -0,0 +1,1 @@\n+a\n");
	check_diff("a\nb\nc\n", "a\nb\n", "@@ -1,3 +1,2 @@\n a\n b\n-c\n");
}

static void test_missing_final_newline_is_a_change(void **s)
{
	check_diff("a\nb\n", "a\nb", "@@ -1,2 +1,2 @@\n a\n-b\n+b\n");
}

static void test_near_changes_share_a_hunk_far_ones_do_not(void **s)
{
	char *a = numbered(1, 40, 0);
	struct kbuf ka = str(a);
	/* lines 10 and 15 changed: 4 unchanged lines between, one hunk */
	struct kbuf kb = {0};
	for (int i = 1; i <= 40; i++)
		kbuf_printf(&kb, i == 10 || i == 15 || i == 35 ? "x%d\n" : "line %d\n", i);
	int trunc;
	json_t *d = text_unified_diff(&ka, &kb, 1000, &trunc);
	char *got = joined(d);
	assert_string_equal(json_string_value(json_array_get(d, 0)), "@@ -7,12 +7,12 @@");
	assert_non_null(strstr(got, "@@ -32,7 +32,7 @@\n"));
	int hunks = 0;
	for (char *p = got; (p = strstr(p, "@@ -")); p++)
		hunks++;
	assert_int_equal(hunks, 2);
	free(got);
	json_decref(d);
	kbuf_free(&ka);
	kbuf_free(&kb);
	free(a);
}

static void test_binary_content_is_not_diffed_as_text(void **s)
{
	struct kbuf a = buf("ab\0c", 4), b = str("abc");
	int trunc;
	assert_null(text_unified_diff(&a, &b, 100, &trunc));
	kbuf_free(&a);
	kbuf_free(&b);
}

static void test_text_diff_is_bounded(void **s)
{
	struct kbuf a = {0}, b = {0};
	for (int i = 0; i < 3000; i++) {
		kbuf_printf(&a, "a%d\n", i);
		kbuf_printf(&b, "b%d\n", i);
	}
	int trunc = 0;
	/* 3000 x 3000 lines exceeds the LCS table: replaced whole, and cut */
	json_t *d = text_unified_diff(&a, &b, 50, &trunc);
	assert_true(trunc);
	assert_int_equal(json_array_size(d), 50);
	assert_string_equal(json_string_value(json_array_get(d, 0)), "@@ -1,3000 +1,3000 @@");
	assert_string_equal(json_string_value(json_array_get(d, 1)), "-a0");
	json_decref(d);
	kbuf_free(&a);
	kbuf_free(&b);
}

static void test_byte_ranges_merge_near_bytes_and_show_both_sides(void **s)
{
	struct kbuf a = str("0123456789abcdefghijklmnopqrstuvwxyz0123456789");
	struct kbuf b = str("0123X56789abXdefghijklmnopqrstuvwxyZ0123456789++");
	int trunc;
	json_t *r = byte_ranges_diff(&a, &b, 10, &trunc);
	assert_false(trunc);
	assert_int_equal(json_array_size(r), 3);
	json_t *r0 = json_array_get(r, 0), *r1 = json_array_get(r, 1), *r2 = json_array_get(r, 2);
	assert_int_equal(json_integer_value(json_object_get(r0, "offset")), 4);
	assert_int_equal(json_integer_value(json_object_get(r0, "length")), 9);
	assert_string_equal(json_string_value(json_object_get(r0, "a")), "343536373839616263");
	assert_string_equal(json_string_value(json_object_get(r0, "b")), "583536373839616258");
	assert_int_equal(json_integer_value(json_object_get(r1, "offset")), 35);
	assert_string_equal(json_string_value(json_object_get(r1, "b")), "5a");
	/* B is longer: the tail is a range with nothing on A's side */
	assert_int_equal(json_integer_value(json_object_get(r2, "offset")), 46);
	assert_int_equal(json_integer_value(json_object_get(r2, "length")), 2);
	assert_string_equal(json_string_value(json_object_get(r2, "a")), "");
	json_decref(r);
	r = byte_ranges_diff(&a, &b, 1, &trunc);
	assert_true(trunc);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	kbuf_free(&a);
	kbuf_free(&b);
}

/* a minimal ELF64 LE: header, two sections' bytes, then section headers for
 * NULL, .text, .data and .shstrtab */
static struct kbuf make_elf(const char *text, const char *data)
{
	static const char strtab[] = "\0.text\0.data\0.shstrtab";
	unsigned char h[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	struct kbuf b = {0};
	size_t toff = 64, doff = toff + strlen(text), soff = doff + strlen(data);
	size_t shoff = soff + sizeof(strtab);
	uint64_t v;

	v = shoff;
	memcpy(h + 0x28, &v, 8);
	h[0x3A] = 64;
	h[0x3C] = 4;
	h[0x3E] = 3;
	kbuf_add(&b, h, 64);
	kbuf_adds(&b, text);
	kbuf_adds(&b, data);
	kbuf_add(&b, strtab, sizeof(strtab));
	struct {
		uint32_t name, type;
		uint64_t off, size;
	} sec[4] = {{0, 0, 0, 0},
		    {1, 1, toff, strlen(text)},
		    {7, 1, doff, strlen(data)},
		    {13, 3, soff, sizeof(strtab)}};
	for (int i = 0; i < 4; i++) {
		unsigned char sh[64] = {0};
		memcpy(sh, &sec[i].name, 4);
		memcpy(sh + 4, &sec[i].type, 4);
		memcpy(sh + 24, &sec[i].off, 8);
		memcpy(sh + 32, &sec[i].size, 8);
		kbuf_add(&b, sh, 64);
	}
	return b;
}

static void test_elf_sections_that_differ_are_named(void **s)
{
	struct kbuf a = make_elf("codecode", "data"), b = make_elf("codeCODE", "data");
	json_t *d = elf_section_diff(&a, &b);
	assert_non_null(d);
	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "name")),
			    ".text");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "change")),
			    "modified");
	json_decref(d);
	kbuf_free(&b);
	b = make_elf("codecode", "data!");
	d = elf_section_diff(&a, &b);
	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "name")),
			    ".data");
	json_decref(d);
	kbuf_free(&a);
	kbuf_free(&b);
}

static void test_hostile_elf_headers_are_not_trusted(void **s)
{
	struct kbuf good = make_elf("c", "d");
	/* section headers past the end, absurd counts, a string table out of range */
	size_t offs[] = {0x28, 0x3C, 0x3E};
	for (size_t k = 0; k < 3; k++) {
		struct kbuf bad = buf(good.data, good.len);
		memset(bad.data + offs[k], 0x7f, k == 0 ? 8 : 2);
		assert_null(elf_section_diff(&good, &bad));
		kbuf_free(&bad);
	}
	/* a section whose offset points outside the file: no hash, no crash */
	struct kbuf bad = buf(good.data, good.len);
	uint64_t far = 1u << 30;
	size_t shoff;
	memcpy(&shoff, bad.data + 0x28, 8);
	memcpy(bad.data + shoff + 64 + 24, &far, 8);
	json_t *d = elf_section_diff(&good, &bad);
	assert_non_null(d);
	json_decref(d);
	kbuf_free(&bad);
	/* truncated files and non-ELF */
	bad = buf(good.data, 40);
	assert_null(elf_section_diff(&good, &bad));
	kbuf_free(&bad);
	bad = str("not an elf file at all, just some text that is long enough......");
	assert_null(elf_section_diff(&bad, &bad));
	kbuf_free(&bad);
	kbuf_free(&good);
}

static void test_missing_package_is_an_error(void **s)
{
	json_t *r = NULL;
	struct kerr e = {0};
	assert_true(deb_diff("/nonexistent/a.deb", "/nonexistent/b.deb", NULL, &r, &e) < 0);
	assert_null(r);
	assert_non_null(strstr(e.msg, "/nonexistent/a.deb"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_changed_line_has_three_lines_of_context),
	    cmocka_unit_test(test_identical_text_has_no_hunks),
	    cmocka_unit_test(test_insertion_at_start_and_deletion_at_end),
	    cmocka_unit_test(test_missing_final_newline_is_a_change),
	    cmocka_unit_test(test_near_changes_share_a_hunk_far_ones_do_not),
	    cmocka_unit_test(test_binary_content_is_not_diffed_as_text),
	    cmocka_unit_test(test_text_diff_is_bounded),
	    cmocka_unit_test(test_byte_ranges_merge_near_bytes_and_show_both_sides),
	    cmocka_unit_test(test_elf_sections_that_differ_are_named),
	    cmocka_unit_test(test_hostile_elf_headers_are_not_trusted),
	    cmocka_unit_test(test_missing_package_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
