/* test_attest_dsse.c - keys and DSSE envelopes: the spec's PAE and Ed25519 vector, round trips,
 * tampering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "attest/attest.h"

/* the vector in shared/formats/attestations.md: seed = 32 bytes of 0x01 */
static const char seed_pem[] = "-----BEGIN PRIVATE KEY-----\n"
			       "MC4CAQAwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n"
			       "-----END PRIVATE KEY-----\n";
static const char seed_pub_pem[] = "-----BEGIN PUBLIC KEY-----\n"
				   "MCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=\n"
				   "-----END PUBLIC KEY-----\n";
static const char body[] = "{\"_type\":\"https://in-toto.io/Statement/v1\"}";
static const char want_sig[] =
    "na4KUAOU273e7aNiTfRtScPbVeszIazKO/KWoTvTVFB5Ph1fGHweyiDDVyPTHs25wKlH4aFAeAaH8wlTN0zpBw==";

static char tmpdir[64];

static int setup(void **s)
{
	strcpy(tmpdir, "/tmp/kiln-test-dsse.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	char *home = xasprintf("%s/home", tmpdir);
	kiln_home_set(home);
	free(home);
	return 0;
}

static int teardown(void **s)
{
	rm_rf(tmpdir);
	kiln_home_set(NULL);
	return 0;
}

static struct attest_key *load_pem(const char *pem, int priv)
{
	char *path = xasprintf("%s/k%d.pem", tmpdir, priv);
	struct attest_key *k = NULL;
	struct kerr e = {0};
	assert_int_equal(write_file_atomic(path, pem, strlen(pem), 0600, &e), 0);
	int r = priv ? key_load_private(path, &k, &e) : key_load_public(path, &k, &e);
	if (r)
		fail_msg("%s", e.msg);
	free(path);
	return k;
}

static void test_pae_matches_the_spec_example(void **s)
{
	struct kbuf b = {0};
	char hex[SHA256_HEX_LEN + 1];
	dsse_pae(DSSE_INTOTO_TYPE, body, strlen(body), &b);
	assert_string_equal(b.data, "DSSEv1 28 application/vnd.in-toto+json 43 "
				    "{\"_type\":\"https://in-toto.io/Statement/v1\"}");
	sha256_mem(b.data, b.len, hex);
	assert_string_equal(hex,
			    "57dd565335c70baa2e9fc48a46e80907434e3c6ea2342ef806dad983891349cd");
	kbuf_free(&b);
}

static void test_pae_of_empty_body_and_binary_bytes(void **s)
{
	struct kbuf b = {0};
	dsse_pae("t", "", 0, &b);
	assert_int_equal(b.len, strlen("DSSEv1 1 t 0 "));
	assert_memory_equal(b.data, "DSSEv1 1 t 0 ", b.len);
	kbuf_free(&b);
	dsse_pae("x", "a\0b", 3, &b);
	assert_int_equal(b.len, strlen("DSSEv1 1 x 3 ") + 3);
	assert_memory_equal(b.data + b.len - 3, "a\0b", 3);
	kbuf_free(&b);
}

static void test_ed25519_signature_matches_the_spec_vector(void **s)
{
	struct attest_key *k = load_pem(seed_pem, 1);
	struct kerr e = {0};
	json_t *env = NULL;
	assert_int_equal(key_type(k), KEY_ED25519);
	assert_int_equal(dsse_sign(k, DSSE_INTOTO_TYPE, body, strlen(body), &env, &e), 0);
	assert_string_equal(json_string_value(json_object_get(env, "payload")),
			    "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==");
	json_t *sig = json_array_get(json_object_get(env, "signatures"), 0);
	assert_string_equal(json_string_value(json_object_get(sig, "sig")), want_sig);
	assert_string_equal(json_string_value(json_object_get(sig, "keyid")), key_id(k));
	json_decref(env);
	key_free(k);
}

static void test_key_id_is_sha256_of_the_spki_der(void **s)
{
	struct attest_key *pub = load_pem(seed_pub_pem, 0), *priv = load_pem(seed_pem, 1);
	assert_string_equal(key_id(pub),
			    "fd110d301d2f077de1414b8f99f441b1403fab207b2052fbd2c065e4ee8e7dc2");
	assert_string_equal(key_id(priv), key_id(pub));
	char *pem = key_public_pem(priv);
	assert_string_equal(pem, seed_pub_pem);
	free(pem);
	key_free(pub);
	key_free(priv);
}

static void test_spec_envelope_verifies_with_the_public_key(void **s)
{
	struct attest_key *pub = load_pem(seed_pub_pem, 0);
	struct kbuf payload = {0};
	struct kerr e = {0};
	/* cosign-style: empty keyid, and URL-safe base64 without padding */
	json_t *env =
	    json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payloadType", DSSE_INTOTO_TYPE, "payload",
		      "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ", "signatures",
		      "keyid", "", "sig",
		      "na4KUAOU273e7aNiTfRtScPbVeszIazKO_"
		      "KWoTvTVFB5Ph1fGHweyiDDVyPTHs25wKlH4aFAeAaH8wlTN0zpBw");
	assert_int_equal(dsse_verify(env, pub, DSSE_INTOTO_TYPE, "env", &payload, &e), 0);
	assert_string_equal(payload.data, body);
	kbuf_free(&payload);
	json_decref(env);
	key_free(pub);
}

static void round_trip(enum key_type t)
{
	char *prefix = xasprintf("%s/rt-%s", tmpdir, key_type_name(t));
	char *pubp = xasprintf("%s.pub", prefix), *keyp = xasprintf("%s.key", prefix);
	struct attest_key *k = NULL, *pub = NULL;
	struct kbuf payload = {0};
	struct kerr e = {0};
	struct stat st;
	json_t *env = NULL;

	assert_int_equal(key_generate(t, prefix, 0, &k, &e), 0);
	assert_int_equal(stat(keyp, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(key_load_public(pubp, &pub, &e), 0);
	assert_int_equal(key_type(pub), t);
	assert_false(key_is_private(pub));
	assert_string_equal(key_id(pub), key_id(k));
	assert_int_equal(dsse_sign(k, "text/plain", "hello", 5, &env, &e), 0);
	assert_int_equal(dsse_verify(env, pub, "text/plain", "env", &payload, &e), 0);
	assert_string_equal(payload.data, "hello");
	kbuf_free(&payload);
	/* a public key cannot sign */
	json_t *env2 = NULL;
	assert_int_equal(dsse_sign(pub, "text/plain", "x", 1, &env2, &e), -KILN_EUSAGE);
	json_decref(env);
	key_free(k);
	key_free(pub);
	free(prefix);
	free(pubp);
	free(keyp);
}

static void test_ed25519_round_trip(void **s)
{
	round_trip(KEY_ED25519);
}

static void test_ecdsa_p256_round_trip(void **s)
{
	round_trip(KEY_ECDSA_P256);
}

static json_t *signed_env(struct attest_key *k, const char *type, const char *text)
{
	json_t *env = NULL;
	struct kerr e = {0};
	assert_int_equal(dsse_sign(k, type, text, strlen(text), &env, &e), 0);
	return env;
}

static void test_tampered_payload_is_rejected(void **s)
{
	struct attest_key *k = load_pem(seed_pem, 1), *pub = load_pem(seed_pub_pem, 0);
	json_t *env = signed_env(k, DSSE_INTOTO_TYPE, body);
	struct kbuf payload = {0};
	struct kerr e = {0};
	char *other = base64_encode("{\"_type\":\"https://in-toto.io/Statement/v2\"}", 43);
	json_object_set_new(env, "payload", json_string(other));
	assert_int_equal(dsse_verify(env, pub, DSSE_INTOTO_TYPE, "att.json", &payload, &e),
			 -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "att.json: signature does not verify"));
	assert_int_equal(payload.len, 0);
	free(other);
	json_decref(env);
	key_free(k);
	key_free(pub);
}

static void test_changed_payload_type_is_rejected(void **s)
{
	struct attest_key *k = load_pem(seed_pem, 1), *pub = load_pem(seed_pub_pem, 0);
	json_t *env = signed_env(k, DSSE_INTOTO_TYPE, body);
	struct kbuf payload = {0};
	struct kerr e = {0};
	/* the type is covered by PAE: changing it breaks the signature */
	json_object_set_new(env, "payloadType", json_string("application/json"));
	assert_int_equal(dsse_verify(env, pub, NULL, "x", &payload, &e), -KILN_EVERIFY);
	json_decref(env);
	/* a correctly signed envelope of another type fails the type check */
	env = signed_env(k, "application/json", body);
	assert_int_equal(dsse_verify(env, pub, DSSE_INTOTO_TYPE, "x", &payload, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "payloadType is 'application/json'"));
	kbuf_free(&payload);
	json_decref(env);
	key_free(k);
	key_free(pub);
}

static void test_wrong_key_is_rejected_and_keyid_is_only_a_hint(void **s)
{
	char *prefix = xasprintf("%s/other", tmpdir);
	struct attest_key *k = load_pem(seed_pem, 1), *other = NULL;
	struct kbuf payload = {0};
	struct kerr e = {0};
	assert_int_equal(key_generate(KEY_ED25519, prefix, 0, &other, &e), 0);
	json_t *env = signed_env(k, DSSE_INTOTO_TYPE, body);
	assert_int_equal(dsse_verify(env, other, DSSE_INTOTO_TYPE, "x", &payload, &e),
			 -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, key_id(other)));
	/* a lying keyid does not stop a good signature, nor help a bad one */
	json_t *sig = json_array_get(json_object_get(env, "signatures"), 0);
	json_object_set_new(sig, "keyid", json_string(key_id(other)));
	assert_int_equal(dsse_verify(env, k, DSSE_INTOTO_TYPE, "x", &payload, &e), 0);
	kbuf_free(&payload);
	json_decref(env);
	key_free(k);
	key_free(other);
	free(prefix);
}

static void test_envelope_without_signatures_is_rejected(void **s)
{
	struct attest_key *pub = load_pem(seed_pub_pem, 0);
	struct kbuf payload = {0};
	struct kerr e = {0};
	json_t *env = json_pack("{s:s, s:s, s:[]}", "payloadType", DSSE_INTOTO_TYPE, "payload",
				"e30=", "signatures");
	assert_int_equal(dsse_verify(env, pub, NULL, "x", &payload, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "no signature"));
	json_decref(env);
	env = json_pack("{s:s}", "payload", "e30=");
	assert_int_equal(dsse_verify(env, pub, NULL, "x", &payload, &e), -KILN_EPARSE);
	json_decref(env);
	key_free(pub);
}

static void test_base64_both_alphabets_and_bad_input(void **s)
{
	struct kbuf b = {0};
	char *enc = base64_encode("\xfb\xff\xfe", 3);
	assert_string_equal(enc, "+//+");
	free(enc);
	assert_int_equal(base64_decode("-__-", &b), 0);
	assert_memory_equal(b.data, "\xfb\xff\xfe", 3);
	kbuf_free(&b);
	assert_int_equal(base64_decode("YQ", &b), 0);
	assert_string_equal(b.data, "a");
	kbuf_free(&b);
	assert_int_equal(base64_decode("YQ==", &b), 0);
	kbuf_free(&b);
	assert_int_equal(base64_decode("Y", &b), -KILN_EPARSE);
	kbuf_free(&b);
	assert_int_equal(base64_decode("Y*==", &b), -KILN_EPARSE);
	kbuf_free(&b);
	enc = base64_encode("ab", 2);
	assert_string_equal(enc, "YWI=");
	free(enc);
}

static void test_keygen_does_not_replace_a_key(void **s)
{
	char *prefix = xasprintf("%s/once", tmpdir);
	struct kerr e = {0};
	assert_int_equal(key_generate(KEY_ED25519, prefix, 0, NULL, &e), 0);
	assert_int_equal(key_generate(KEY_ED25519, prefix, 0, NULL, &e), -KILN_EIO);
	assert_non_null(strstr(e.msg, "not replacing"));
	assert_int_equal(key_generate(KEY_ECDSA_P256, prefix, 1, NULL, &e), 0);
	free(prefix);
}

static void test_default_key_is_made_once_and_private(void **s)
{
	struct attest_key *a = NULL, *b = NULL;
	struct kerr e = {0};
	struct stat st;
	int created = 0;
	assert_int_equal(key_default(&a, &created, &e), 0);
	assert_true(created);
	assert_int_equal(key_default(&b, &created, &e), 0);
	assert_false(created);
	assert_string_equal(key_id(a), key_id(b));
	char *p = xasprintf("%s/keys/kiln.key", kiln_home());
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a key others can read is refused, not used */
	chmod(p, 0644);
	key_free(b);
	b = NULL;
	assert_int_equal(key_default(&b, &created, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "chmod 600"));
	free(p);
	key_free(a);
}

static void test_non_key_file_is_a_clear_error(void **s)
{
	char *path = xasprintf("%s/junk.pem", tmpdir);
	struct attest_key *k = NULL;
	struct kerr e = {0};
	assert_int_equal(write_file_atomic(path, "hello\n", 6, 0600, &e), 0);
	assert_int_equal(key_load_public(path, &k, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(key_load_private("/nonexistent/k.key", &k, &e), -KILN_ENOTFOUND);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pae_matches_the_spec_example),
	    cmocka_unit_test(test_pae_of_empty_body_and_binary_bytes),
	    cmocka_unit_test(test_ed25519_signature_matches_the_spec_vector),
	    cmocka_unit_test(test_key_id_is_sha256_of_the_spki_der),
	    cmocka_unit_test(test_spec_envelope_verifies_with_the_public_key),
	    cmocka_unit_test(test_ed25519_round_trip),
	    cmocka_unit_test(test_ecdsa_p256_round_trip),
	    cmocka_unit_test(test_tampered_payload_is_rejected),
	    cmocka_unit_test(test_changed_payload_type_is_rejected),
	    cmocka_unit_test(test_wrong_key_is_rejected_and_keyid_is_only_a_hint),
	    cmocka_unit_test(test_envelope_without_signatures_is_rejected),
	    cmocka_unit_test(test_base64_both_alphabets_and_bad_input),
	    cmocka_unit_test(test_keygen_does_not_replace_a_key),
	    cmocka_unit_test(test_default_key_is_made_once_and_private),
	    cmocka_unit_test(test_non_key_file_is_a_clear_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
