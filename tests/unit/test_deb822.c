/* test_deb822.c - the control-file parser on every shape of input it must take or refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "distros/distros.h"

static int parse_all(const char *text, struct deb822_para *paras, int max, struct kerr *e)
{
	struct deb822_parser ps;
	int n = 0, r = 0;
	deb822_init(&ps, text, strlen(text), "test");
	while (n < max && (r = deb822_next(&ps, &paras[n], e)) > 0)
		n++;
	return r < 0 ? r : n;
}

static void test_two_paragraphs_with_continuation_lines(void **s)
{
	struct deb822_para p[3] = {0};
	struct kerr e = {0};
	const char *t =
	    "Package: hello\nDescription: short\n long line\n .\n more\n\n\nPackage: b\n";
	assert_int_equal(parse_all(t, p, 3, &e), 2);
	char *d = deb822_get(&p[0], "description");
	assert_string_equal(d, "short\nlong line\n.\nmore");
	free(d);
	d = deb822_get(&p[1], "Package");
	assert_string_equal(d, "b");
	free(d);
	assert_null(deb822_field(&p[1], "Version"));
	for (int i = 0; i < 3; i++)
		deb822_para_free(&p[i]);
}

static void test_crlf_and_missing_final_newline(void **s)
{
	struct deb822_para p[2] = {0};
	struct kerr e = {0};
	assert_int_equal(parse_all("Package: a\r\nVersion: 1.0 \r\n\r\nPackage: b", p, 2, &e), 2);
	char *v = deb822_get(&p[0], "Version");
	assert_string_equal(v, "1.0");
	free(v);
	v = deb822_get(&p[1], "Package");
	assert_string_equal(v, "b");
	free(v);
	deb822_para_free(&p[0]);
	deb822_para_free(&p[1]);
}

static void test_comments_are_skipped(void **s)
{
	struct deb822_para p[1] = {0};
	struct kerr e = {0};
	assert_int_equal(parse_all("# top\nSource: x\n# inside\nSection: y\n", p, 1, &e), 1);
	assert_int_equal(p[0].n, 2);
	deb822_para_free(&p[0]);
}

static void test_duplicate_field_is_an_error(void **s)
{
	struct deb822_para p[1] = {0};
	struct kerr e = {0};
	assert_int_equal(parse_all("Package: a\npackage: b\n", p, 1, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "duplicate field 'package'"));
	assert_non_null(strstr(e.msg, "test:2"));
	deb822_para_free(&p[0]);
}

static void test_line_without_colon_is_an_error(void **s)
{
	struct deb822_para p[1] = {0};
	struct kerr e = {0};
	assert_int_equal(parse_all("Package: a\ngarbage\n", p, 1, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "test:2: expected 'Field: value'"));
	deb822_para_free(&p[0]);
}

static void test_leading_continuation_is_an_error(void **s)
{
	struct deb822_para p[1] = {0};
	struct kerr e = {0};
	assert_int_equal(parse_all(" orphan\n", p, 1, &e), -KILN_EPARSE);
	deb822_para_free(&p[0]);
}

static void test_very_long_field(void **s)
{
	size_t n = 1 << 20;
	char *t = malloc(n + 32);
	strcpy(t, "Depends: ");
	memset(t + 9, 'a', n);
	strcpy(t + 9 + n, "\n");
	struct deb822_para p[1] = {0};
	struct kerr e = {0};
	assert_int_equal(parse_all(t, p, 1, &e), 1);
	assert_int_equal(deb822_field(&p[0], "Depends")->value_len, n);
	deb822_para_free(&p[0]);
	free(t);
}

static void test_signed_wrapper_is_removed(void **s)
{
	const char *t = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nFormat: 3.0 (quilt)\n"
			"- -dash: escaped\n-----BEGIN PGP SIGNATURE-----\n\nabc\n"
			"-----END PGP SIGNATURE-----\n";
	struct kbuf b;
	struct kerr e = {0};
	int sig = 0;
	kbuf_init(&b);
	assert_int_equal(deb822_strip_signature(t, strlen(t), &b, &sig, "x.dsc", &e), 0);
	assert_int_equal(sig, 1);
	assert_string_equal(b.data, "Format: 3.0 (quilt)\n-dash: escaped\n");
	kbuf_free(&b);
}

static void test_truncated_signature_is_an_error(void **s)
{
	const char *t = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nA: b\n"
			"-----BEGIN PGP SIGNATURE-----\n\nabc\n";
	struct kbuf b;
	struct kerr e = {0};
	int sig = 0;
	kbuf_init(&b);
	assert_int_equal(deb822_strip_signature(t, strlen(t), &b, &sig, "x.dsc", &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "x.dsc"));
	kbuf_free(&b);
}

static void test_unsigned_text_is_passed_through(void **s)
{
	struct kbuf b;
	struct kerr e = {0};
	int sig = 1;
	kbuf_init(&b);
	assert_int_equal(deb822_strip_signature("A: b\n", 5, &b, &sig, "f", &e), 0);
	assert_int_equal(sig, 0);
	assert_string_equal(b.data, "A: b\n");
	kbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_paragraphs_with_continuation_lines),
	    cmocka_unit_test(test_crlf_and_missing_final_newline),
	    cmocka_unit_test(test_comments_are_skipped),
	    cmocka_unit_test(test_duplicate_field_is_an_error),
	    cmocka_unit_test(test_line_without_colon_is_an_error),
	    cmocka_unit_test(test_leading_continuation_is_an_error),
	    cmocka_unit_test(test_very_long_field),
	    cmocka_unit_test(test_signed_wrapper_is_removed),
	    cmocka_unit_test(test_truncated_signature_is_an_error),
	    cmocka_unit_test(test_unsigned_text_is_passed_through),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
