/* dsse.c - DSSE envelopes: PAE encoding, base64, signing and verifying. */
#include "attest/attest.h"

#include <string.h>

void dsse_pae(const char *type, const void *body, size_t n, struct kbuf *out)
{
	kbuf_printf(out, "DSSEv1 %zu %s %zu ", strlen(type), type, n);
	kbuf_add(out, body, n);
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *p, size_t n)
{
	const unsigned char *s = p;
	char *out = xmalloc(4 * ((n + 2) / 3) + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*o++ = b64_alphabet[v >> 18 & 63];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = b64_alphabet[v >> 6 & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
		*o++ = b64_alphabet[v >> 18 & 63];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = i + 1 < n ? b64_alphabet[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = 0;
	return out;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int base64_decode(const char *s, struct kbuf *out)
{
	size_t len = strlen(s), pad = 0;
	uint32_t acc = 0;
	int bits = 0;

	while (len > 0 && s[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	if (len % 4 == 1 || (pad && (len + pad) % 4))
		return -KILN_EPARSE;
	kbuf_reserve(out, len * 3 / 4 + 1);
	for (size_t i = 0; i < len; i++) {
		int v = b64_value(s[i]);
		if (v < 0)
			return -KILN_EPARSE;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			char c = (char)(acc >> bits & 0xff);
			kbuf_add(out, &c, 1);
		}
	}
	/* leftover bits must be zero (canonical encoding) */
	if (bits && (acc & ((1u << bits) - 1)))
		return -KILN_EPARSE;
	if (!out->data)
		kbuf_add(out, "", 0);
	return 0;
}

int dsse_sign(const struct attest_key *k, const char *type, const void *body, size_t n,
	      json_t **envelope, struct kerr *e)
{
	struct kbuf pae = {0}, sig = {0};
	char *payload, *sigb64;
	json_t *env, *s;
	int ret;

	dsse_pae(type, body, n, &pae);
	ret = key_sign(k, pae.data, pae.len, &sig, e);
	kbuf_free(&pae);
	if (ret < 0) {
		kbuf_free(&sig);
		return ret;
	}
	payload = base64_encode(body, n);
	sigb64 = base64_encode(sig.data, sig.len);
	s = json_pack("{s:s, s:s}", "keyid", key_id(k), "sig", sigb64);
	env = json_pack("{s:s, s:s, s:[o]}", "payloadType", type, "payload", payload, "signatures",
			s);
	free(payload);
	free(sigb64);
	kbuf_free(&sig);
	*envelope = env;
	return 0;
}

int dsse_verify(const json_t *env, const struct attest_key *pub, const char *want_type,
		const char *what, struct kbuf *payload, struct kerr *e)
{
	const char *type, *pl;
	json_t *sigs, *s;
	struct kbuf body = {0}, pae = {0};
	size_t i, tried = 0;
	int ret = -KILN_EVERIFY;

	if (!json_is_object(env))
		return kerr_set(e, KILN_EPARSE, "%s: not a DSSE envelope (not a JSON object)",
				what);
	type = json_string_value(json_object_get(env, "payloadType"));
	pl = json_string_value(json_object_get(env, "payload"));
	sigs = json_object_get(env, "signatures");
	if (!type || !pl || !json_is_array(sigs))
		return kerr_set(e, KILN_EPARSE,
				"%s: not a DSSE envelope (needs payloadType, payload, signatures)",
				what);
	if (base64_decode(pl, &body) < 0) {
		kbuf_free(&body);
		return kerr_set(e, KILN_EPARSE, "%s: payload is not valid base64", what);
	}
	dsse_pae(type, body.data, body.len, &pae);
	/* any signature that verifies with this key will do; keyid is only a hint */
	for (i = 0; (s = json_array_get(sigs, i)); i++) {
		const char *sb = json_string_value(json_object_get(s, "sig"));
		struct kbuf sig = {0};
		if (sb && base64_decode(sb, &sig) == 0) {
			tried++;
			if (key_verify(pub, pae.data, pae.len, sig.data, sig.len, NULL) == 0)
				ret = 0;
		}
		kbuf_free(&sig);
		if (ret == 0)
			break;
	}
	kbuf_free(&pae);
	if (ret < 0) {
		if (!tried)
			kerr_set(e, KILN_EVERIFY, "%s: no signature in the envelope", what);
		else
			kerr_set(e, KILN_EVERIFY,
				 "%s: signature does not verify with key %s (%zu signature%s "
				 "tried): wrong key, or the attestation was altered",
				 what, key_id(pub), tried, tried == 1 ? "" : "s");
		kbuf_free(&body);
		return ret;
	}
	/* checked only after the signature: the type is covered by PAE */
	if (want_type && strcmp(type, want_type)) {
		kbuf_free(&body);
		return kerr_set(e, KILN_EVERIFY, "%s: payloadType is '%s', expected '%s'", what,
				type, want_type);
	}
	kbuf_add(payload, body.data, body.len);
	kbuf_free(&body);
	return 0;
}
