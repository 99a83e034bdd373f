/* keys.c - signing keys: generate, load and save PEM keys, key ids, raw sign/verify. */
#include "attest/attest.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct attest_key {
	EVP_PKEY *pkey;
	enum key_type type;
	int priv;
	char id[SHA256_HEX_LEN + 1];
};

/* the last OpenSSL error as text, for messages */
static const char *ossl_reason(void)
{
	static __thread char buf[256];
	unsigned long code = ERR_get_error();

	if (!code)
		return "unknown OpenSSL error";
	ERR_error_string_n(code, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

int key_type_parse(const char *s, enum key_type *t, struct kerr *e)
{
	if (!strcmp(s, "ed25519"))
		*t = KEY_ED25519;
	else if (!strcmp(s, "ecdsa-p256") || !strcmp(s, "p256") || !strcmp(s, "ecdsa"))
		*t = KEY_ECDSA_P256;
	else
		return kerr_set(e, KILN_EUSAGE, "unknown key type '%s' (ed25519 or ecdsa-p256)", s);
	return 0;
}

const char *key_type_name(enum key_type t)
{
	return t == KEY_ED25519 ? "ed25519" : "ecdsa-p256";
}

/* Wrap a loaded EVP_PKEY: only Ed25519 and P-256 are accepted. */
static int key_wrap(EVP_PKEY *pkey, int priv, const char *what, struct attest_key **out,
		    struct kerr *e)
{
	struct attest_key *k;
	unsigned char *der = NULL;
	enum key_type t;
	int len;

	int base = EVP_PKEY_get_base_id(pkey);

	if (base == EVP_PKEY_ED25519) {
		t = KEY_ED25519;
	} else if (base == EVP_PKEY_EC) {
		char group[64] = "";
		size_t gl = 0;
		if (!EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof(group), &gl) ||
		    (strcmp(group, "prime256v1") && strcmp(group, "P-256"))) {
			EVP_PKEY_free(pkey);
			return kerr_set(e, KILN_EPARSE,
					"%s: EC key on curve '%s', only P-256 is supported", what,
					group);
		}
		t = KEY_ECDSA_P256;
	} else {
		EVP_PKEY_free(pkey);
		return kerr_set(e, KILN_EPARSE,
				"%s: unsupported key type (only Ed25519 and ECDSA P-256)", what);
	}
	len = i2d_PUBKEY(pkey, &der);
	if (len <= 0) {
		EVP_PKEY_free(pkey);
		return kerr_set(e, KILN_EPARSE, "%s: cannot encode public key: %s", what,
				ossl_reason());
	}
	k = xcalloc(1, sizeof(*k));
	k->pkey = pkey;
	k->type = t;
	k->priv = priv;
	sha256_mem(der, (size_t)len, k->id);
	OPENSSL_free(der);
	*out = k;
	return 0;
}

static int key_load(const char *path, int priv, struct attest_key **out, struct kerr *e)
{
	struct kbuf b = {0};
	EVP_PKEY *pkey;
	BIO *bio;
	int r;

	if ((r = read_file(path, &b, 1 << 20, e)) < 0)
		return r;
	bio = BIO_new_mem_buf(b.data, (int)b.len);
	pkey = priv ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
		    : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!pkey && !priv) {
		/* a private key file given where a public one is expected works too */
		bio = BIO_new_mem_buf(b.data, (int)b.len);
		pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
		if (pkey)
			ERR_clear_error();
	}
	kbuf_free(&b);
	if (!pkey)
		return kerr_set(e, KILN_EPARSE, "%s: not a PEM %s key: %s", path,
				priv ? "private" : "public", ossl_reason());
	return key_wrap(pkey, priv, path, out, e);
}

int key_load_private(const char *path, struct attest_key **out, struct kerr *e)
{
	return key_load(path, 1, out, e);
}

int key_load_public(const char *path, struct attest_key **out, struct kerr *e)
{
	return key_load(path, 0, out, e);
}

char *key_public_pem(const struct attest_key *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *s;
	long n;

	PEM_write_bio_PUBKEY(bio, k->pkey);
	n = BIO_get_mem_data(bio, &p);
	s = xstrndup(p, (size_t)n);
	BIO_free(bio);
	return s;
}

static char *key_private_pem(const struct attest_key *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *s;
	long n;

	/* OpenSSL 3 writes PKCS#8 ("BEGIN PRIVATE KEY") for every key type */
	PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(bio, &p);
	s = xstrndup(p, (size_t)n);
	BIO_free(bio);
	return s;
}

int key_generate(enum key_type t, const char *prefix, int force, struct attest_key **out,
		 struct kerr *e)
{
	char *keypath = xasprintf("%s.key", prefix), *pubpath = xasprintf("%s.pub", prefix);
	char *priv_pem = NULL, *pub_pem = NULL;
	struct attest_key *k = NULL;
	EVP_PKEY *pkey;
	int ret;

	if (!force && path_exists(keypath)) {
		ret = kerr_set(e, KILN_EIO, "%s exists; not replacing a signing key (use --force)",
			       keypath);
		goto out;
	}
	pkey = t == KEY_ED25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
				: EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!pkey) {
		ret = kerr_set(e, KILN_EFAIL, "generating a %s key: %s", key_type_name(t),
			       ossl_reason());
		goto out;
	}
	if ((ret = key_wrap(pkey, 1, keypath, &k, e)) < 0 || !k)
		goto out;
	priv_pem = key_private_pem(k);
	pub_pem = key_public_pem(k);
	/* the public half first: a .key without its .pub is never left behind */
	if ((ret = write_file_atomic(pubpath, pub_pem, strlen(pub_pem), 0644, e)) < 0)
		goto out;
	if ((ret = write_file_atomic(keypath, priv_pem, strlen(priv_pem), 0600, e)) < 0)
		goto out;
	if (out) {
		*out = k;
		k = NULL;
	}
out:
	if (priv_pem)
		OPENSSL_cleanse(priv_pem, strlen(priv_pem));
	free(priv_pem);
	free(pub_pem);
	free(keypath);
	free(pubpath);
	key_free(k);
	return ret;
}

char *key_default_prefix(void)
{
	return xasprintf("%s/keys/kiln", kiln_home());
}

int key_default(struct attest_key **out, int *created, struct kerr *e)
{
	char *prefix = key_default_prefix();
	char *dir = xasprintf("%s/keys", kiln_home());
	char *keypath = xasprintf("%s.key", prefix), *lockp = xasprintf("%s/.lock", dir);
	int ret, fd = -1;

	*created = 0;
	if ((ret = mkdir_p(dir, 0700, e)) < 0)
		goto out;
	chmod(dir, 0700);
	/* two kilns starting at once must not make two different keys */
	if ((fd = lock_path(lockp, 1, e)) < 0) {
		ret = -KILN_EIO;
		goto out;
	}
	if (path_exists(keypath)) {
		struct stat st;
		if (stat(keypath, &st) == 0 && (st.st_mode & 077)) {
			ret = kerr_set(e, KILN_EVERIFY,
				       "%s is readable by others (mode %03o); chmod 600 it",
				       keypath, (unsigned)(st.st_mode & 0777));
			goto out;
		}
		ret = key_load_private(keypath, out, e);
		goto out;
	}
	if ((ret = key_generate(KEY_ED25519, prefix, 0, out, e)) == 0)
		*created = 1;
out:
	if (fd >= 0)
		unlock_fd(fd);
	free(prefix);
	free(dir);
	free(keypath);
	free(lockp);
	return ret;
}

int key_for_signing(const struct attest_key **key, struct attest_key **own, int *created,
		    char **pub_path, struct kerr *e)
{
	int ret;
	if (!*key) {
		if ((ret = key_default(own, created, e)) < 0)
			return ret;
		*key = *own;
		char *prefix = key_default_prefix();
		*pub_path = xasprintf("%s.pub", prefix);
		free(prefix);
	}
	if (!key_is_private(*key))
		return kerr_set(e, KILN_EUSAGE, "signing needs a private key, not a public one");
	return 0;
}

const char *key_id(const struct attest_key *k)
{
	return k->id;
}

enum key_type key_type(const struct attest_key *k)
{
	return k->type;
}

int key_is_private(const struct attest_key *k)
{
	return k->priv;
}

void key_free(struct attest_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int key_sign(const struct attest_key *k, const void *msg, size_t n, struct kbuf *sig,
	     struct kerr *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = k->type == KEY_ED25519 ? NULL : EVP_sha256();
	size_t len = 0;
	int ret = 0;

	if (!k->priv) {
		ret = kerr_set(e, KILN_EUSAGE, "a public key cannot sign; give the private key");
		goto out;
	}
	if (EVP_DigestSignInit(ctx, NULL, md, NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, NULL, &len, msg, n) != 1) {
		ret = kerr_set(e, KILN_EFAIL, "signing: %s", ossl_reason());
		goto out;
	}
	kbuf_reserve(sig, len);
	if (EVP_DigestSign(ctx, (unsigned char *)sig->data + sig->len, &len, msg, n) != 1) {
		ret = kerr_set(e, KILN_EFAIL, "signing: %s", ossl_reason());
		goto out;
	}
	sig->len += len;
	sig->data[sig->len] = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

int key_verify(const struct attest_key *k, const void *msg, size_t n, const void *sig,
	       size_t siglen, struct kerr *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = k->type == KEY_ED25519 ? NULL : EVP_sha256();
	int ok;

	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, msg, n) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		return kerr_set(e, KILN_EVERIFY, "signature does not verify with key %.16s…",
				k->id);
	return 0;
}
