/* test_apkversion.c - apk version ordering (both apk-tools generations) and its libsolv encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <solv/evr.h>
#include <solv/pool.h>

#include "distros/distros.h"

/* the comparison the solver relies on: libsolv's own, in DISTTYPE_DEB mode
 * (deb_version_cmp adds dpkg's missing-revision rule on top) */
static int solv_cmp(const char *a, const char *b)
{
	static Pool *pool;
	if (!pool) {
		pool = pool_create();
		pool_setdisttype(pool, DISTTYPE_DEB);
	}
	return pool_evrcmp_str(pool, a, b, EVRCMP_COMPARE);
}

static int sign(int x)
{
	return x < 0 ? -1 : x > 0 ? 1 : 0;
}

static char *evr(int gen, const char *v)
{
	struct kbuf b;
	struct kerr e = {0};
	kbuf_init(&b);
	if (apk_version_to_evr(gen, v, &b, &e) < 0) {
		kbuf_free(&b);
		return NULL;
	}
	return b.data;
}

/* every element strictly greater than the previous, directly and mapped */
static void assert_strictly_increasing(int gen, const char *const *v, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			char *a = evr(gen, v[i]), *b = evr(gen, v[j]);
			if (apk_version_cmp(gen, v[i], v[j]) >= 0 ||
			    apk_version_cmp(gen, v[j], v[i]) <= 0)
				fail_msg("gen %d: expected %s < %s", gen, v[i], v[j]);
			assert_non_null(a);
			assert_non_null(b);
			if (solv_cmp(a, b) >= 0)
				fail_msg("gen %d: encoding %s (%s) not below %s (%s)", gen, a, v[i],
					 b, v[j]);
			free(a);
			free(b);
		}
	}
}

/* apk-version.md's verified table for apk-tools 3, with its encodings */
static const char *const v3_table[][2] = {
    {"1.0_alpha", "1.0~alpha"},
    {"1.0_alpha1", "1.0~alphaN1"},
    {"1.0_alpha_p1", "1.0~alphaPepN1"},
    {"1.0_beta2", "1.0~betaN2"},
    {"1.0_pre1", "1.0~preN1"},
    {"1.0_rc1", "1.0~rcN1"},
    {"1.0_rc1-r1", "1.0~rcN1-1"},
    {"1.0", "1.0"},
    {"1.0-r0", "1.0-0"},
    {"1.0-r1", "1.0-1"},
    {"1.0~0a-r0", "1.0Hak-0"},
    {"1.0~10", "1.0Hba"},
    {"1.0~9", "1.0Hj"},
    {"1.0_cvs", "1.0Pacvs"},
    {"1.0_svn1", "1.0PbsvnN1"},
    {"1.0_git2024", "1.0PcgitN2024"},
    {"1.0_hg", "1.0Pdhg"},
    {"1.0_p", "1.0Pep"},
    {"1.0_p0", "1.0PepN0"},
    {"1.0_p1", "1.0PepN1"},
    {"1.0_p1_p", "1.0PepN1Pep"},
    {"1.0a", "1.0a"},
    {"1.0b", "1.0b"},
    {"1.0.0", "1.0.0"},
    {"1.00", "1.0.a~"},
    {"1.001", "1.0.ab~"},
    {"1.01", "1.0.b~"},
    {"1.010", "1.0.ba~"},
    {"1.09", "1.0.j~"},
    {"1.1", "1.1"},
    {"1.10", "1.10"},
};

static void test_v3_table_is_strictly_ordered_and_encoded_as_documented(void **s)
{
	size_t n = sizeof(v3_table) / sizeof(v3_table[0]);
	const char **v = calloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		char *e = evr(APK_GEN3, v3_table[i][0]);
		assert_non_null(e);
		if (strcmp(e, v3_table[i][1]))
			fail_msg("E(%s) = %s, wanted %s", v3_table[i][0], e, v3_table[i][1]);
		free(e);
		v[i] = v3_table[i][0];
	}
	assert_strictly_increasing(APK_GEN3, v, n);
	free(v);
}

static void test_v2_leading_zeros_order_as_apk_tools_2(void **s)
{
	static const char *const v[] = {"1.000", "1.00", "1.001", "1.0", "1.0.0",
					"1.01",	 "1.09", "1.010", "1.1"};
	assert_strictly_increasing(APK_GEN2, v, sizeof(v) / sizeof(v[0]));
	assert_true(apk_version_cmp(APK_GEN2, "8.2.001", "8.2.0") < 0);
	assert_true(apk_version_cmp(APK_GEN3, "8.2.001", "8.2.0") > 0);
	assert_true(apk_version_cmp(APK_GEN2, "1.0", "1.00") > 0);
	assert_true(apk_version_cmp(APK_GEN3, "1.0", "1.00") < 0);
	assert_true(apk_version_cmp(APK_GEN2, "1.05", "1.5") < 0);
	assert_true(apk_version_cmp(APK_GEN2, "2.15.05", "2.15.4") < 0);
}

static void test_both_generations_agree_on_ordinary_versions(void **s)
{
	static const char *const v[] = {"0.9",
					"1",
					"1.0_alpha",
					"1.0_alpha1",
					"1.0_alpha2",
					"1.0_alpha10",
					"1.0_beta",
					"1.0_pre1",
					"1.0_rc1",
					"1.0_rc1-r3",
					"1.0",
					"1.0-r0",
					"1.0-r1",
					"1.0-r10",
					"1.0_cvs1",
					"1.0_svn1",
					"1.0_git20240101",
					"1.0_hg1",
					"1.0_p1",
					"1.0_p1-r1",
					"1.0_p2",
					"1.0a",
					"1.0a_p1",
					"1.0b",
					"1.0.1",
					"1.0.1.1",
					"1.1_rc1",
					"1.1",
					"1.2",
					"1.10",
					"2.0",
					"10.0",
					"2024.1"};
	assert_strictly_increasing(APK_GEN2, v, sizeof(v) / sizeof(v[0]));
	assert_strictly_increasing(APK_GEN3, v, sizeof(v) / sizeof(v[0]));
}

static void test_equal_spellings_compare_and_encode_equal(void **s)
{
	static const char *const eq[][2] = {
	    {"01.0", "1.0"}, {"1.0_p01", "1.0_p1"}, {"1.0-r00", "1.0-r0"}, {"1.2.3", "1.2.3"}};
	for (int gen = APK_GEN2; gen <= APK_GEN3; gen++)
		for (size_t i = 0; i < sizeof(eq) / sizeof(eq[0]); i++) {
			assert_int_equal(apk_version_cmp(gen, eq[i][0], eq[i][1]), 0);
			char *a = evr(gen, eq[i][0]), *b = evr(gen, eq[i][1]);
			assert_string_equal(a, b);
			free(a);
			free(b);
		}
}

static void test_validity_differs_between_generations(void **s)
{
	assert_true(apk_version_valid(APK_GEN2, "1.2a1"));
	assert_false(apk_version_valid(APK_GEN3, "1.2a1"));
	assert_true(apk_version_valid(APK_GEN3, "1.0~abc-r1"));
	assert_false(apk_version_valid(APK_GEN2, "1.0~abc-r1"));
	assert_false(apk_version_valid(APK_GEN2, "123456789012345678.1"));
	assert_true(apk_version_valid(APK_GEN3, "123456789012345678.1"));
	static const char *const bad[] = {"abc",     "1.0-foo", "1.0_foo", "1.0-r1_p1",
					  "1.0_p1a", "1.0a.1",	"1.0~XYZ", "-r1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kbuf b;
		struct kerr e = {0};
		kbuf_init(&b);
		if (apk_version_valid(APK_GEN3, bad[i]))
			fail_msg("gen 3 accepted %s", bad[i]);
		assert_int_equal(apk_version_to_evr(APK_GEN3, bad[i], &b, &e), -KILN_EPARSE);
		assert_non_null(strstr(e.msg, bad[i]));
		kbuf_free(&b);
	}
	for (size_t i = 0; i < 6; i++)
		if (apk_version_valid(APK_GEN2, bad[i]))
			fail_msg("gen 2 accepted %s", bad[i]);
}

static void test_v2_letter_digits_are_ordered_and_encoded(void **s)
{
	static const char *const v[] = {"3.3.3p1_rc1", "3.3.3p1",    "3.3.3p1-r2",
					"3.3.3p1-r3",  "3.3.3p1_p1", "3.3.3p1a",
					"3.3.3p1.1",   "3.3.3p2",    "3.3.3p10"};
	assert_strictly_increasing(APK_GEN2, v, sizeof(v) / sizeof(v[0]));
	assert_true(apk_version_cmp(APK_GEN2, "3.3.3p1", "3.3.3p_p1") > 0);
}

static void test_v2_invalid_tails_compare_as_apk_tools_2(void **s)
{
	assert_true(apk_version_cmp(APK_GEN2, "1.0", "1.0-foo") < 0);
	assert_true(apk_version_cmp(APK_GEN2, "1.0", "1.0_foo") > 0);
}

/* found by fuzz_apkversion: hundreds of tokens overflowed the token list */
static void test_very_long_versions_are_invalid_not_a_crash(void **s)
{
	struct kbuf a, b;
	kbuf_init(&a);
	kbuf_init(&b);
	kbuf_adds(&a, "1");
	kbuf_adds(&b, "1");
	for (int i = 0; i < 300; i++) {
		kbuf_adds(&a, "_rc0");
		kbuf_adds(&b, i % 2 ? "_p1" : ".0");
	}
	for (int gen = APK_GEN2; gen <= APK_GEN3; gen++) {
		assert_false(apk_version_valid(gen, a.data));
		assert_false(apk_version_valid(gen, b.data));
		assert_int_equal(apk_version_cmp(gen, a.data, a.data), 0);
		apk_version_cmp(gen, a.data, b.data);
		apk_version_fuzzy_match(gen, a.data, b.data);
		char *e = evr(gen, a.data);
		assert_null(e);
	}
	kbuf_free(&a);
	kbuf_free(&b);
}

static void test_fuzzy_matching_per_generation(void **s)
{
	assert_true(apk_version_fuzzy_match(APK_GEN2, "3.6.1", "3.6"));
	assert_true(apk_version_fuzzy_match(APK_GEN2, "3.6", "3.6.1"));
	assert_true(apk_version_fuzzy_match(APK_GEN3, "3.6.1", "3.6"));
	assert_false(apk_version_fuzzy_match(APK_GEN3, "3.6", "3.6.1"));
	assert_false(apk_version_fuzzy_match(APK_GEN2, "3.7", "3.6"));
	assert_false(apk_version_fuzzy_match(APK_GEN3, "3.60", "3.6"));
	assert_true(apk_version_fuzzy_match(APK_GEN3, "3.6-r2", "3.6"));
}

/* ---- property test: mapped order == direct order over random pairs ---- */

static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static void rnd_digits(struct kbuf *b, int allow_lead_zero)
{
	static const char pool[] = "0001123999";
	unsigned n = 1 + rnd(3);
	for (unsigned i = 0; i < n; i++) {
		char c = pool[rnd(sizeof(pool) - 1)];
		if (i == 0 && !allow_lead_zero && c == '0')
			c = '1';
		kbuf_add(b, &c, 1);
	}
}

static void random_version(int gen, struct kbuf *b)
{
	static const char *const sfx[] = {"alpha", "beta", "pre", "rc", "cvs",
					  "svn",   "git",  "hg",  "p"};
	b->len = 0;
	b->data[0] = '\0';
	rnd_digits(b, 1);
	for (unsigned i = rnd(4); i > 0; i--) {
		kbuf_adds(b, ".");
		rnd_digits(b, 1);
	}
	if (rnd(4) == 0) {
		char c = (char)('a' + rnd(3));
		kbuf_add(b, &c, 1);
		if (gen == APK_GEN2 && rnd(3) == 0) {
			rnd_digits(b, 1);
			if (rnd(3) == 0) {
				kbuf_adds(b, ".");
				rnd_digits(b, 1);
			}
		}
	}
	for (unsigned i = rnd(3); i > 0 && rnd(2); i--) {
		kbuf_adds(b, "_");
		kbuf_adds(b, sfx[rnd(9)]);
		if (rnd(2))
			rnd_digits(b, 1);
	}
	if (gen == APK_GEN3 && rnd(4) == 0) {
		static const char hex[] = "019af";
		unsigned n = 1 + rnd(3);
		kbuf_adds(b, "~");
		for (unsigned i = 0; i < n; i++)
			kbuf_add(b, &hex[rnd(5)], 1);
	}
	if (rnd(2)) {
		kbuf_adds(b, "-r");
		rnd_digits(b, 1);
	}
}

static void property_mapped_order_equals_direct_order(int gen, unsigned pairs)
{
	struct kbuf a, b, ea, eb;
	struct kerr e = {0};
	unsigned mismatches = 0;

	rng_state = 0x6b696c6e + (uint64_t)gen;
	kbuf_init(&a);
	kbuf_init(&b);
	kbuf_init(&ea);
	kbuf_init(&eb);
	kbuf_reserve(&a, 64);
	kbuf_reserve(&b, 64);
	for (unsigned i = 0; i < pairs; i++) {
		random_version(gen, &a);
		/* half the time, a near neighbour: same prefix, different tail */
		if (rnd(2)) {
			random_version(gen, &b);
		} else {
			b.len = 0;
			kbuf_add(&b, a.data, rnd((unsigned)a.len) + 1);
			while (b.len && (b.data[b.len - 1] == '.' || b.data[b.len - 1] == '_' ||
					 b.data[b.len - 1] == '-' || b.data[b.len - 1] == '~' ||
					 b.data[b.len - 1] == 'r'))
				b.data[--b.len] = '\0';
			if (!apk_version_valid(gen, b.data))
				random_version(gen, &b);
		}
		if (!apk_version_valid(gen, a.data) || !apk_version_valid(gen, b.data))
			fail_msg("generator made an invalid version: %s / %s", a.data, b.data);
		ea.len = eb.len = 0;
		assert_int_equal(apk_version_to_evr(gen, a.data, &ea, &e), 0);
		assert_int_equal(apk_version_to_evr(gen, b.data, &eb, &e), 0);
		int direct = sign(apk_version_cmp(gen, a.data, b.data));
		int mapped = sign(solv_cmp(ea.data, eb.data));
		assert_int_equal(direct, -sign(apk_version_cmp(gen, b.data, a.data)));
		if (direct != mapped && mismatches++ < 10)
			print_message("gen %d: %s vs %s: apk %d, libsolv(%s, %s) %d\n", gen, a.data,
				      b.data, direct, ea.data, eb.data, mapped);
	}
	kbuf_free(&a);
	kbuf_free(&b);
	kbuf_free(&ea);
	kbuf_free(&eb);
	assert_int_equal(mismatches, 0);
}

static void test_v3_random_pairs_map_in_order(void **s)
{
	property_mapped_order_equals_direct_order(APK_GEN3, 100000);
}

static void test_v2_random_pairs_map_in_order(void **s)
{
	property_mapped_order_equals_direct_order(APK_GEN2, 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v3_table_is_strictly_ordered_and_encoded_as_documented),
	    cmocka_unit_test(test_v2_leading_zeros_order_as_apk_tools_2),
	    cmocka_unit_test(test_both_generations_agree_on_ordinary_versions),
	    cmocka_unit_test(test_equal_spellings_compare_and_encode_equal),
	    cmocka_unit_test(test_validity_differs_between_generations),
	    cmocka_unit_test(test_v2_letter_digits_are_ordered_and_encoded),
	    cmocka_unit_test(test_v2_invalid_tails_compare_as_apk_tools_2),
	    cmocka_unit_test(test_fuzzy_matching_per_generation),
	    cmocka_unit_test(test_very_long_versions_are_invalid_not_a_crash),
	    cmocka_unit_test(test_v3_random_pairs_map_in_order),
	    cmocka_unit_test(test_v2_random_pairs_map_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
