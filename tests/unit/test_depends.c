/* test_depends.c - the Build-Depends grammar: every form it takes, every
 * malformed input it refuses, and reduction by architecture and profile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "solver/solver.h"

/* parse with flags, then format: the canonical text */
static char *roundtrip(const char *text, int flags)
{
	struct dep_list l;
	struct kerr e = {0};
	int r = depends_parse(text, flags, &l, &e);
	if (r < 0) {
		char *m = xasprintf("ERROR %s", e.msg);
		return m;
	}
	char *s = depends_format(&l);
	dep_list_free(&l);
	return s;
}

static void assert_roundtrip(const char *text, int flags, const char *want)
{
	char *got = roundtrip(text, flags);
	assert_string_equal(got, want);
	free(got);
}

/* the error message of a parse that must fail */
static void assert_parse_error(const char *text, int flags, const char *want_substring)
{
	struct dep_list l;
	struct kerr e = {0};
	assert_int_equal(depends_parse(text, flags, &l, &e), -KILN_EPARSE);
	assert_int_equal(e.code, KILN_EPARSE);
	if (!strstr(e.msg, want_substring))
		fail_msg("'%s': message '%s' lacks '%s'", text, e.msg, want_substring);
	assert_int_equal(l.n, 0);
	assert_null(l.groups);
}

static void test_plain_names_and_all_version_relations(void **s)
{
	assert_roundtrip("a, b (<< 1), c (<= 1), d (= 1:2.0-1), e (>= 1~rc1), f (>> 2+dfsg)", 0,
			 "a, b (<< 1), c (<= 1), d (= 1:2.0-1), e (>= 1~rc1), f (>> 2+dfsg)");
}

static void test_version_whitespace_is_optional(void **s)
{
	assert_roundtrip("a(>=1.0),b ( >>  2 ) ,c (=3)", 0, "a (>= 1.0), b (>> 2), c (= 3)");
}

static void test_obsolete_less_and_greater_mean_or_equal(void **s)
{
	struct dep_list l;
	struct kerr e = {0};
	assert_int_equal(depends_parse("a (< 1), b (> 2)", 0, &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.groups[0].alts[0].op, DEP_LE);
	assert_int_equal(l.groups[1].alts[0].op, DEP_GE);
	assert_string_equal(l.groups[1].alts[0].version, "2");
	dep_list_free(&l);
}

static void test_alternatives_make_one_group(void **s)
{
	struct dep_list l;
	struct kerr e = {0};
	assert_int_equal(depends_parse("libc6-dev | libc-dev, gcc|clang | tcc", 0, &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.groups[0].n, 2);
	assert_string_equal(l.groups[0].alts[1].name, "libc-dev");
	assert_int_equal(l.groups[1].n, 3);
	assert_string_equal(l.groups[1].alts[2].name, "tcc");
	dep_list_free(&l);
}

static void test_arch_qualifiers_any_native_and_named(void **s)
{
	struct dep_list l;
	struct kerr e = {0};
	assert_int_equal(depends_parse("python3:any, perl:native (>= 5), libc6:amd64", 0, &l, &e),
			 0);
	assert_string_equal(l.groups[0].alts[0].qual, "any");
	assert_string_equal(l.groups[1].alts[0].qual, "native");
	assert_string_equal(l.groups[1].alts[0].version, "5");
	assert_string_equal(l.groups[2].alts[0].qual, "amd64");
	dep_list_free(&l);
	assert_roundtrip("python3:any", 0, "python3:any");
}

static void test_arch_restrictions_plain_and_negated(void **s)
{
	struct dep_list l;
	struct kerr e = {0};
	assert_int_equal(
	    depends_parse("a [amd64 i386], b (>= 1) [!armel !armhf]", DEP_PARSE_SOURCE, &l, &e), 0);
	assert_int_equal(l.groups[0].alts[0].archs.n, 2);
	assert_int_equal(l.groups[0].alts[0].archs_negated, 0);
	assert_int_equal(l.groups[1].alts[0].archs_negated, 1);
	assert_string_equal(l.groups[1].alts[0].archs.v[1], "armhf");
	dep_list_free(&l);
	assert_roundtrip("a [ amd64  i386 ]", DEP_PARSE_SOURCE, "a [amd64 i386]");
}

static void test_mixed_negated_and_plain_archs_are_refused(void **s)
{
	assert_parse_error("a [amd64 !i386]", DEP_PARSE_SOURCE, "mixes negated and plain");
}

static void test_build_profiles_several_groups(void **s)
{
	struct dep_list l;
	struct kerr e = {0};
	assert_int_equal(depends_parse("a <!nocheck> <stage1 cross>, b [linux-any] <!stage1>",
				       DEP_PARSE_SOURCE, &l, &e),
			 0);
	assert_int_equal(l.groups[0].alts[0].nprofiles, 2);
	assert_string_equal(l.groups[0].alts[0].profiles[0].v[0], "!nocheck");
	assert_int_equal(l.groups[0].alts[0].profiles[1].n, 2);
	assert_string_equal(l.groups[0].alts[0].profiles[1].v[1], "cross");
	assert_int_equal(l.groups[1].alts[0].nprofiles, 1);
	dep_list_free(&l);
	assert_roundtrip("a<!nocheck><stage1  cross>", DEP_PARSE_SOURCE,
			 "a <!nocheck> <stage1 cross>");
}

static void test_trailing_comma_and_newlines_are_accepted(void **s)
{
	assert_roundtrip("\n a,\n b (>= 1),\n", 0, "a, b (>= 1)");
	assert_roundtrip("a ,", 0, "a");
}

static void test_empty_field_is_an_empty_list(void **s)
{
	struct dep_list l;
	struct kerr e = {0};
	assert_int_equal(depends_parse("  \n ", 0, &l, &e), 0);
	assert_int_equal(l.n, 0);
	dep_list_free(&l);
	assert_int_equal(depends_parse(NULL, 0, &l, &e), 0);
	assert_int_equal(l.n, 0);
}

static void test_full_item_in_canonical_order(void **s)
{
	assert_roundtrip("libfoo-dev:native (>= 2.0) [linux-any] <!nocheck> | bar",
			 DEP_PARSE_SOURCE,
			 "libfoo-dev:native (>= 2.0) [linux-any] <!nocheck> | bar");
}

static void test_malformed_inputs_give_clear_errors(void **s)
{
	assert_parse_error("a (", 0, "column 4: expected a relation");
	assert_parse_error("a (>= )", 0, "column 7: expected a version");
	assert_parse_error("a (>> 1", 0, "expected ')' after the version");
	assert_parse_error("a (1.0)", 0, "expected a relation");
	assert_parse_error("a (>= 1:)", 0, "column 7:");
	assert_parse_error("a (>= x1)", 0, "must start with a digit");
	assert_parse_error("a [", DEP_PARSE_SOURCE, "expected an architecture name or ']'");
	assert_parse_error("a []", DEP_PARSE_SOURCE, "empty architecture list");
	assert_parse_error("a <>", DEP_PARSE_SOURCE, "empty build profile list");
	assert_parse_error("a <!", DEP_PARSE_SOURCE, "expected a build profile name");
	assert_parse_error("a,,b", 0, "column 3: empty relation between commas");
	assert_parse_error(", a", 0, "column 1: expected a package name");
	assert_parse_error("a b", 0, "column 3: expected ',', '|' or the end of the field");
	assert_parse_error("Foo", 0, "column 1: expected a package name, found 'F'");
	assert_parse_error("a | | b", 0, "column 5: expected a package name");
	assert_parse_error("a |", 0, "found the end of the field");
	assert_parse_error("a:", 0, "expected an architecture qualifier");
	assert_parse_error("a\x01", 0, "found byte 0x01");
	assert_parse_error("a [amd64]x", DEP_PARSE_SOURCE, "expected ',', '|'");
	assert_parse_error("a [amd64,i386]", DEP_PARSE_SOURCE, "a space or ']'");
}

static void test_restrictions_outside_source_fields_are_refused(void **s)
{
	assert_parse_error("a [amd64]", 0, "only allowed in source package fields");
	assert_parse_error("a <!nocheck>", 0, "only allowed in source package fields");
}

static void test_alternatives_in_conflicts_fields_are_refused(void **s)
{
	assert_parse_error("a | b", DEP_PARSE_SOURCE | DEP_PARSE_NO_ALTS, "alternatives ('|')");
}

static void test_arch_wildcards_follow_dpkg_tuples(void **s)
{
	assert_true(arch_matches("amd64", "amd64"));
	assert_true(arch_matches("amd64", "any"));
	assert_true(arch_matches("amd64", "linux-any"));
	assert_true(arch_matches("amd64", "any-amd64"));
	assert_true(arch_matches("amd64", "gnu-linux-any"));
	assert_true(arch_matches("amd64", "any-linux-any"));
	assert_false(
	    arch_matches("amd64", "base-gnu-linux-amd64")); /* not a wildcard, not an arch */
	assert_true(arch_matches("amd64", "any-any"));
	assert_false(arch_matches("amd64", "i386"));
	assert_false(arch_matches("amd64", "x32"));
	assert_false(arch_matches("amd64", "any-i386"));
	assert_false(arch_matches("amd64", "kfreebsd-any"));
	assert_false(arch_matches("amd64", "hurd-any"));
	assert_false(arch_matches("amd64", "musl-any-any"));
	assert_false(arch_matches("amd64", "all"));
	assert_false(arch_matches("amd64", "any-any-any-any-any"));
	assert_true(arch_matches("all", "all"));
	assert_false(arch_matches("all", "linux-any"));
	assert_true(arch_matches("armhf", "any-arm"));
	assert_true(arch_matches("x32", "any-amd64"));
	assert_true(arch_matches("hurd-i386", "hurd-any"));
	assert_true(arch_list_matches("linux-any kfreebsd-any", "amd64"));
	assert_false(arch_list_matches("i386 armhf", "amd64"));
	assert_false(arch_list_matches("all", "amd64"));
}

static char *reduced(const char *text, const char *arch, const char *profiles)
{
	struct dep_list l, r;
	struct kerr e = {0};
	struct strv p = {0};
	strv_split(&p, profiles, ",");
	assert_int_equal(depends_parse(text, DEP_PARSE_SOURCE, &l, &e), 0);
	depends_reduce(&l, arch, &p, &r);
	char *s = depends_format(&r);
	dep_list_free(&l);
	dep_list_free(&r);
	strv_free(&p);
	return s;
}

static void assert_reduced(const char *text, const char *arch, const char *profiles,
			   const char *want)
{
	char *got = reduced(text, arch, profiles);
	assert_string_equal(got, want);
	free(got);
}

static void test_reduce_by_architecture(void **s)
{
	assert_reduced("a [amd64], b [i386], c [!amd64], d [!i386], e [linux-any], f [any-i386]",
		       "amd64", "", "a, d, e");
}

static void test_reduce_by_profiles(void **s)
{
	const char *t =
	    "check <!nocheck>, s1 <stage1>, both <stage1 cross>, either <stage1> <cross>";
	assert_reduced(t, "amd64", "", "check");
	assert_reduced(t, "amd64", "nocheck", "");
	assert_reduced(t, "amd64", "stage1", "check, s1, either");
	assert_reduced(t, "amd64", "stage1,cross", "check, s1, both, either");
	assert_reduced(t, "amd64", "cross", "check, either");
}

static void test_reduce_drops_alternatives_then_empty_groups(void **s)
{
	assert_reduced("a [i386] | b (>= 1), c [i386] | d <stage1>, e", "amd64", "", "b (>= 1), e");
}

static void test_formatting_keeps_qualifiers_after_reduction(void **s)
{
	assert_reduced("perl:native (>= 5) [amd64] <!nocheck>", "amd64", "", "perl:native (>= 5)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_names_and_all_version_relations),
	    cmocka_unit_test(test_version_whitespace_is_optional),
	    cmocka_unit_test(test_obsolete_less_and_greater_mean_or_equal),
	    cmocka_unit_test(test_alternatives_make_one_group),
	    cmocka_unit_test(test_arch_qualifiers_any_native_and_named),
	    cmocka_unit_test(test_arch_restrictions_plain_and_negated),
	    cmocka_unit_test(test_mixed_negated_and_plain_archs_are_refused),
	    cmocka_unit_test(test_build_profiles_several_groups),
	    cmocka_unit_test(test_trailing_comma_and_newlines_are_accepted),
	    cmocka_unit_test(test_empty_field_is_an_empty_list),
	    cmocka_unit_test(test_full_item_in_canonical_order),
	    cmocka_unit_test(test_malformed_inputs_give_clear_errors),
	    cmocka_unit_test(test_restrictions_outside_source_fields_are_refused),
	    cmocka_unit_test(test_alternatives_in_conflicts_fields_are_refused),
	    cmocka_unit_test(test_arch_wildcards_follow_dpkg_tuples),
	    cmocka_unit_test(test_reduce_by_architecture),
	    cmocka_unit_test(test_reduce_by_profiles),
	    cmocka_unit_test(test_reduce_drops_alternatives_then_empty_groups),
	    cmocka_unit_test(test_formatting_keeps_qualifiers_after_reduction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
