/* pgp.c - OpenPGP detached-signature checks with libsolv's verifier: each
 * signature packet in the file is tried against the trusted keyrings (subkeys
 * included, as Debian signs with them); one good signature by a trusted key
 * is enough, none is a failure. */
#include "distros/distros.h"

#include <solv/chksum.h>
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_pubkey.h>
#include <solv/knownid.h>
#include <solv/util.h>
#include <stdlib.h>
#include <string.h>

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* armored -> binary; binary input is passed through */
static int dearmor(const unsigned char *in, size_t len, struct kbuf *out, const char *what,
		   struct kerr *e)
{
	static const char begin[] = "-----BEGIN PGP SIGNATURE-----";
	const char *s = memmem(in, len, begin, sizeof(begin) - 1);
	const char *end = (const char *)in + len;

	if (len && (in[0] & 0x80)) { /* a binary packet stream */
		kbuf_add(out, in, len);
		return 0;
	}
	if (!s)
		return kerr_set(e, KILN_EVERIFY, "%s: not an OpenPGP signature", what);
	s += sizeof(begin) - 1;
	/* skip armor headers up to the blank line */
	const char *blank = NULL;
	for (const char *p = s; p < end - 1; p++)
		if (p[0] == '\n' &&
		    (p[1] == '\n' || (p[1] == '\r' && p + 2 < end && p[2] == '\n'))) {
			blank = p + 1;
			break;
		}
	if (!blank)
		return kerr_set(e, KILN_EVERIFY, "%s: malformed signature armor", what);
	unsigned acc = 0;
	int bits = 0;
	for (const char *p = blank; p < end; p++) {
		if (*p == '=' && (p == blank || p[-1] == '\n'))
			break; /* CRC24 line */
		if (*p == '-')
			break; /* END line */
		if (*p == '=')
			continue;
		int v = b64val((unsigned char)*p);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			unsigned char c = (unsigned char)(acc >> bits);
			kbuf_add(out, &c, 1);
		}
	}
	if (!out->len)
		return kerr_set(e, KILN_EVERIFY, "%s: empty signature", what);
	return 0;
}

/* split a packet stream into its signature packets (tag 2), whole, header included */
static int next_packet(const unsigned char *p, size_t len, size_t *hdr, size_t *body, int *tag)
{
	if (len < 2 || !(p[0] & 0x80))
		return -1;
	if (p[0] & 0x40) { /* new format */
		*tag = p[0] & 0x3f;
		if (p[1] < 192) {
			*hdr = 2;
			*body = p[1];
		} else if (p[1] < 224) {
			if (len < 3)
				return -1;
			*hdr = 3;
			*body = ((size_t)(p[1] - 192) << 8) + p[2] + 192;
		} else if (p[1] == 255) {
			if (len < 6)
				return -1;
			*hdr = 6;
			*body = ((size_t)p[2] << 24) | ((size_t)p[3] << 16) | ((size_t)p[4] << 8) |
				p[5];
		} else {
			return -1; /* partial lengths never occur in signatures */
		}
	} else {
		*tag = (p[0] >> 2) & 0xf;
		int lt = p[0] & 3;
		if (lt == 3)
			return -1;
		size_t n = (size_t)1 << lt;
		if (len < 1 + n)
			return -1;
		*hdr = 1 + n;
		*body = 0;
		for (size_t i = 0; i < n; i++)
			*body = (*body << 8) | p[1 + i];
	}
	if (*hdr + *body > len)
		return -1;
	return 0;
}

static int load_keyrings(Repo *repo, const struct strv *keyrings, struct kerr *e)
{
	for (size_t i = 0; i < keyrings->n; i++) {
		const char *k = keyrings->v[i];
		if (str_has_suffix(k, ".asc")) {
			if (!repo_add_pubkey(repo, k, ADD_WITH_SUBKEYS | REPO_NO_INTERNALIZE))
				return kerr_set(e, KILN_EVERIFY, "keyring %s: cannot read the key",
						k);
			continue;
		}
		FILE *fp = fopen(k, "rb");
		if (!fp)
			return kerr_errno(e, KILN_EVERIFY, "keyring %s", k);
		int r = repo_add_keyring(repo, fp, ADD_WITH_SUBKEYS | REPO_NO_INTERNALIZE);
		fclose(fp);
		if (r != 0)
			return kerr_set(e, KILN_EVERIFY, "keyring %s: cannot read it", k);
	}
	repo_internalize(repo);
	if (repo->nsolvables == 0)
		return kerr_set(e, KILN_EVERIFY, "no usable keys in the trusted keyrings");
	return 0;
}

/* Build a Solvsig by hand for signature types libsolv's solvsig_create
 * refuses (0x01, canonical text: InRelease and signed .dsc files).
 * solvsig_verify itself hashes the packet's own trailer, so it is correct for
 * any type as long as the data fed to the checksum is what was signed. */
static int parse_sig_packet(unsigned char *body, size_t len, Solvsig *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (len < 6 || body[0] != 4)
		return -1; /* only v4 signatures */
	int halgo = body[3];
	size_t hl = ((size_t)body[4] << 8) | body[5];
	if (6 + hl + 2 > len)
		return -1;
	size_t ul = ((size_t)body[6 + hl] << 8) | body[7 + hl];
	if (8 + hl + ul > len)
		return -1;
	/* walk both subpacket areas for the issuer (16) or issuer fingerprint (33) */
	const unsigned char *areas[2] = {body + 6, body + 8 + hl};
	size_t alen[2] = {hl, ul};
	for (int a = 0; a < 2; a++) {
		const unsigned char *q = areas[a], *end = areas[a] + alen[a];
		while (q < end) {
			size_t sl;
			if (q[0] < 192) {
				sl = q[0];
				q += 1;
			} else if (q[0] < 255) {
				if (q + 1 >= end)
					return -1;
				sl = ((size_t)(q[0] - 192) << 8) + q[1] + 192;
				q += 2;
			} else {
				if (q + 4 >= end)
					return -1;
				sl = ((size_t)q[1] << 24) | ((size_t)q[2] << 16) | ((size_t)q[3] << 8) | q[4];
				q += 5;
			}
			if (sl == 0 || sl > (size_t)(end - q))
				return -1;
			int type = q[0] & 0x7f;
			if (type == 16 && sl == 9 && !ss->keyid[0])
				solv_bin2hex(q + 1, 8, ss->keyid);
			else if (type == 33 && sl >= 22 && !ss->keyid[0])
				solv_bin2hex(q + sl - 8, 8, ss->keyid);
			else if (type == 2 && sl == 5)
				ss->created = ((unsigned)q[1] << 24) | ((unsigned)q[2] << 16) |
					      ((unsigned)q[3] << 8) | q[4];
			q += sl;
		}
	}
	switch (halgo) {
	case 2:
		ss->htype = REPOKEY_TYPE_SHA1;
		break;
	case 8:
		ss->htype = REPOKEY_TYPE_SHA256;
		break;
	case 9:
		ss->htype = REPOKEY_TYPE_SHA384;
		break;
	case 10:
		ss->htype = REPOKEY_TYPE_SHA512;
		break;
	case 11:
		ss->htype = REPOKEY_TYPE_SHA224;
		break;
	default:
		return -1;
	}
	if (!ss->keyid[0])
		return -1;
	ss->sigpkt = body;
	ss->sigpktl = (int)len;
	return 0;
}

/* try every signature packet in bin over data; 0 when one verifies */
static int verify_packets(const void *data, size_t len, struct kbuf *bin, Repo *repo,
			  const char *what, char keyid[17], struct kerr *e)
{
	struct strv seen = {0};
	int nsigs = 0, ret;

	for (size_t off = 0; off < bin->len;) {
		size_t hdr, body;
		int tag;
		if (next_packet((unsigned char *)bin->data + off, bin->len - off, &hdr, &body, &tag) < 0) {
			ret = kerr_set(e, KILN_EVERIFY, "%s: malformed OpenPGP packet", what);
			goto out;
		}
		if (tag == 2) {
			Solvsig own;
			FILE *fp = fmemopen(bin->data + off, hdr + body, "rb");
			Solvsig *ss = fp ? solvsig_create(fp) : NULL; /* binary-document signatures */
			if (fp)
				fclose(fp);
			if (!ss && parse_sig_packet((unsigned char *)bin->data + off + hdr, body, &own) == 0)
				ss = &own; /* text signatures, which solvsig_create refuses */
			nsigs++;
			if (ss) {
				Chksum *chk = solv_chksum_create(ss->htype);
				Id key = 0;
				if (chk) {
					solv_chksum_add(chk, data, (int)len);
					key = solvsig_verify(ss, repo, chk);
					solv_chksum_free(chk, NULL);
				}
				strv_add(&seen, ss->keyid);
				if (key && keyid)
					snprintf(keyid, 17, "%s", ss->keyid);
				if (ss != &own)
					solvsig_free(ss);
				if (key) {
					ret = 0;
					goto out;
				}
			}
		}
		off += hdr + body;
	}
	if (nsigs == 0) {
		ret = kerr_set(e, KILN_EVERIFY, "%s: no signature in it", what);
	} else {
		struct kbuf ids;
		kbuf_init(&ids);
		for (size_t i = 0; i < seen.n; i++)
			kbuf_printf(&ids, "%s%s", i ? ", " : "", seen.v[i]);
		ret = kerr_set(e, KILN_EVERIFY,
			       "%s: signature check failed: none of %d signature(s) (key %s) verifies "
			       "with a trusted key",
			       what, nsigs, ids.data ? ids.data : "unknown");
		kbuf_free(&ids);
	}
out:
	strv_free(&seen);
	return ret;
}

int pgp_verify_detached(const void *data, size_t len, const void *sig, size_t siglen,
			const struct strv *keyrings, const char *what, char keyid[17],
			struct kerr *e)
{
	Pool *pool = pool_create();
	Repo *repo = repo_create(pool, "keys");
	struct kbuf bin;
	int ret;

	kbuf_init(&bin);
	if ((ret = load_keyrings(repo, keyrings, e)) == 0 &&
	    (ret = dearmor(sig, siglen, &bin, what, e)) == 0)
		ret = verify_packets(data, len, &bin, repo, what, keyid, e);
	kbuf_free(&bin);
	pool_free(pool);
	return ret;
}

int pgp_verify_cleartext(const void *msg, size_t len, const struct strv *keyrings,
			 const char *what, char keyid[17], struct kbuf *text, struct kerr *e)
{
	static const char sigbegin[] = "-----BEGIN PGP SIGNATURE-----";
	Pool *pool = pool_create();
	Repo *repo = repo_create(pool, "keys");
	struct kbuf bin, canon;
	int ret, is_signed = 0;

	kbuf_init(&bin);
	kbuf_init(&canon);
	if ((ret = deb822_strip_signature(msg, len, text, &is_signed, what, e)) < 0)
		goto out;
	if (!is_signed) {
		ret = kerr_set(e, KILN_EVERIFY, "%s: not an OpenPGP signed message", what);
		goto out;
	}
	/* RFC 4880 7.1: each line without trailing blanks, joined by CRLF, with no
	 * line break after the last line */
	for (size_t i = 0; i < text->len;) {
		const char *l = text->data + i;
		const char *nl = memchr(l, '\n', text->len - i);
		size_t n = nl ? (size_t)(nl - l) : text->len - i;
		size_t m = n;
		while (m && (l[m - 1] == ' ' || l[m - 1] == '\t' || l[m - 1] == '\r'))
			m--;
		if (i)
			kbuf_add(&canon, "\r\n", 2);
		kbuf_add(&canon, l, m);
		i += n + 1;
	}
	const char *sb = memmem(msg, len, sigbegin, sizeof(sigbegin) - 1);
	if (!sb) {
		ret = kerr_set(e, KILN_EVERIFY, "%s: no signature block", what);
		goto out;
	}
	if ((ret = load_keyrings(repo, keyrings, e)) == 0 &&
	    (ret = dearmor((const unsigned char *)sb, len - (size_t)(sb - (const char *)msg), &bin,
			   what, e)) == 0)
		ret = verify_packets(canon.data ? canon.data : "", canon.len, &bin, repo, what, keyid,
				     e);
out:
	if (ret < 0) { /* nothing unverified leaves this function */
		kbuf_free(text);
		kbuf_init(text);
	}
	kbuf_free(&bin);
	kbuf_free(&canon);
	pool_free(pool);
	return ret;
}
