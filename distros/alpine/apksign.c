/* apksign.c - the RSA signature stream of .apk files and APKINDEX.tar.gz: verify against trusted
 * keys, create (OpenSSL). */
#include "distros/alpine/apk-private.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

struct verify_ctx {
	const void *signed_data;
	size_t signed_len;
	const char *keys_dir;
	const char *file;
	char *signer;	     /* key that verified */
	struct strv bad;     /* trusted keys whose signature did not verify */
	struct strv unknown; /* keys we do not have */
	int entries;
};

static EVP_PKEY *load_public_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;
	if (!f)
		return NULL;
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

static int verify_with(EVP_PKEY *key, const EVP_MD *md, const void *data, size_t len,
		       const void *sig, size_t siglen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestVerifyInit(c, NULL, md, NULL, key) == 1 &&
		 EVP_DigestVerify(c, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return ok;
}

static int on_sign_entry(void *vctx, const char *name, const void *data, size_t len, struct kerr *e)
{
	struct verify_ctx *c = vctx;
	const EVP_MD *md;
	const char *key;
	EVP_PKEY *pk;
	char *path;

	if (str_has_prefix(name, ".SIGN.RSA.")) {
		md = EVP_sha1();
		key = name + 10;
	} else if (str_has_prefix(name, ".SIGN.RSA256.")) {
		md = EVP_sha256();
		key = name + 13;
	} else if (str_has_prefix(name, ".SIGN.RSA512.")) {
		md = EVP_sha512();
		key = name + 13;
	} else {
		return 0; /* DSA and unknown types: not trusted here */
	}
	c->entries++;
	if (!is_safe_filename(key)) {
		strv_add(&c->unknown, key);
		return 0;
	}
	path = xasprintf("%s/%s", c->keys_dir, key);
	pk = load_public_key(path);
	free(path);
	if (!pk) {
		strv_add(&c->unknown, key);
		return 0;
	}
	if (verify_with(pk, md, c->signed_data, c->signed_len, data, len)) {
		c->signer = xstrdup(key);
		EVP_PKEY_free(pk);
		return 1; /* first trusted good signature wins */
	}
	EVP_PKEY_free(pk);
	strv_add(&c->bad, key);
	return 0;
}

int apk_verify_signature(const struct gz_member *sig, const void *signed_data, size_t signed_len,
			 const char *keys_dir, const char *file, char **signer, struct kerr *e)
{
	struct verify_ctx c = {0};
	int r;

	c.signed_data = signed_data;
	c.signed_len = signed_len;
	c.keys_dir = keys_dir;
	c.file = file;
	if (signer)
		*signer = NULL;
	r = tar_each_file(sig->data.data, sig->data.len, 1 << 16, file, on_sign_entry, &c, e);
	if (r < 0)
		goto out;
	if (c.signer) {
		if (signer)
			*signer = c.signer;
		else
			free(c.signer);
		r = 0;
	} else if (c.bad.n) {
		r = kerr_set(e, KILN_EVERIFY,
			     "%s: BAD signature: signed by %s but the data does not match "
			     "(tampered or corrupt)",
			     file, c.bad.v[0]);
	} else if (c.unknown.n) {
		r = kerr_set(e, KILN_EVERIFY, "%s: signed by unknown key %s (not in %s)", file,
			     c.unknown.v[0], keys_dir);
	} else {
		r = kerr_set(e, KILN_EVERIFY, "%s: no .SIGN.RSA signature in the first gzip stream",
			     file);
	}
out:
	strv_free(&c.bad);
	strv_free(&c.unknown);
	return r;
}

int apk_sign_member(const void *data, size_t len, const char *private_key_path,
		    const char *key_name, int sha256, int64_t mtime, struct kbuf *out,
		    struct kerr *e)
{
	FILE *f = fopen(private_key_path, "r");
	EVP_PKEY *pk = NULL;
	EVP_MD_CTX *c = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	struct kbuf tar;
	char *entry = NULL;
	int ret = 0;

	kbuf_init(&tar);
	if (!f)
		return kerr_errno(e, KILN_EIO, "%s", private_key_path);
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!pk || EVP_PKEY_base_id(pk) != EVP_PKEY_RSA) {
		ret = kerr_set(e, KILN_EPARSE, "%s: not a PEM RSA private key", private_key_path);
		goto out;
	}
	if (!is_safe_filename(key_name) || strlen(key_name) > 80) {
		ret = kerr_set(e, KILN_EUSAGE, "'%s' cannot be a key name", key_name);
		goto out;
	}
	c = EVP_MD_CTX_new();
	if (!c || EVP_DigestSignInit(c, NULL, sha256 ? EVP_sha256() : EVP_sha1(), NULL, pk) != 1 ||
	    EVP_DigestSign(c, NULL, &siglen, data, len) != 1) {
		ret = kerr_set(e, KILN_EIO, "%s: cannot sign", private_key_path);
		goto out;
	}
	sig = xmalloc(siglen);
	if (EVP_DigestSign(c, sig, &siglen, data, len) != 1) {
		ret = kerr_set(e, KILN_EIO, "%s: cannot sign", private_key_path);
		goto out;
	}
	entry = xasprintf(".SIGN.%s.%s", sha256 ? "RSA256" : "RSA", key_name);
	/* a "cut" tar: the entry without end-of-archive blocks, so that the
	 * concatenation with the next stream reads as one tar */
	tar_add_file(&tar, entry, sig, siglen, 0644, mtime, 0);
	ret = gz_compress(tar.data, tar.len, out, e);
out:
	ERR_clear_error();
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(pk);
	free(sig);
	free(entry);
	kbuf_free(&tar);
	return ret;
}
