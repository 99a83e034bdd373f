/* apkpkg.c - one apk package's metadata: index fields, .PKGINFO, checksums, and reading a .apk
 * file. */
#include "distros/alpine/apk-private.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

void apk_pkg_free(struct apk_pkg *p)
{
	if (!p)
		return;
	free(p->checksum);
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->description);
	free(p->url);
	free(p->license);
	free(p->origin);
	free(p->maintainer);
	free(p->commit);
	strv_free(&p->depends);
	strv_free(&p->provides);
	strv_free(&p->install_if);
	strv_free(&p->replaces);
	free(p->repo_tag);
	free(p->broken);
	free(p->datahash);
	for (size_t i = 0; i < p->ndirs; i++) {
		struct apk_dir_entry *d = &p->dirs[i];
		for (size_t j = 0; j < d->nfiles; j++) {
			free(d->files[j].name);
			free(d->files[j].checksum);
		}
		free(d->files);
		free(d->path);
	}
	free(p->dirs);
	free(p->filename);
	memset(p, 0, sizeof(*p));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int decode_hex(const char *s, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n / 2; i++) {
		int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);
		if (h < 0 || l < 0)
			return -1;
		out[i] = (unsigned char)(h << 4 | l);
	}
	return 0;
}

int apk_checksum_decode(const char *s, unsigned char out[32], size_t *len)
{
	size_t n = strlen(s);
	unsigned char tmp[48];

	if (n == 30 && s[0] == 'Q' && s[1] == '1' && s[29] == '=') { /* sha1, base64 */
		if (EVP_DecodeBlock(tmp, (const unsigned char *)s + 2, 28) != 21)
			return -KILN_EPARSE;
		memcpy(out, tmp, 20);
		*len = 20;
		return 0;
	}
	if (n == 42 && s[0] == 'X' && s[1] == '1') {
		*len = 20;
		return decode_hex(s + 2, 40, out) < 0 ? -KILN_EPARSE : 0;
	}
	if (n == 32) { /* legacy md5 */
		*len = 16;
		return decode_hex(s, 32, out) < 0 ? -KILN_EPARSE : 0;
	}
	return -KILN_EPARSE;
}

void apk_checksum_encode_q1(const unsigned char sha1[20], char out[32])
{
	out[0] = 'Q';
	out[1] = '1';
	EVP_EncodeBlock((unsigned char *)out + 2, sha1, 20); /* 28 chars + NUL */
}

static int parse_u64(const char *v, uint64_t *out)
{
	char *end;
	if (!*v || *v == '-')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	if (errno || *end)
		return -1;
	*out = x;
	return 0;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

int apk_pkg_set_field(struct apk_pkg *p, char field, const char *v, const char *file, size_t line,
		      struct kerr *e)
{
	uint64_t u;

	switch (field) {
	case 'C':
		if (apk_checksum_decode(v, p->csum, &p->csum_len) < 0)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: bad checksum C:%s", file, line, v);
		set_str(&p->checksum, v);
		return 0;
	case 'P':
		set_str(&p->name, v);
		return 0;
	case 'V':
		set_str(&p->version, v);
		return 0;
	case 'A':
		set_str(&p->arch, v);
		return 0;
	case 'T':
		set_str(&p->description, v);
		return 0;
	case 'U':
		set_str(&p->url, v);
		return 0;
	case 'L':
		set_str(&p->license, v);
		return 0;
	case 'o':
		set_str(&p->origin, v);
		return 0;
	case 'm':
		set_str(&p->maintainer, v);
		return 0;
	case 'c':
		set_str(&p->commit, v);
		return 0;
	case 's':
		set_str(&p->repo_tag, v);
		return 0;
	case 'f':
		set_str(&p->broken, v);
		return 0;
	case 'D':
		strv_split(&p->depends, v, " \t");
		return 0;
	case 'p':
		strv_split(&p->provides, v, " \t");
		return 0;
	case 'i':
		strv_split(&p->install_if, v, " \t");
		return 0;
	case 'r':
		strv_split(&p->replaces, v, " \t");
		return 0;
	case 'S':
	case 'I':
	case 't':
	case 'k':
	case 'q':
		if (parse_u64(v, &u) < 0)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: %c:%s is not a number", file, line,
					field, v);
		if (field == 'S')
			p->size = u;
		else if (field == 'I')
			p->installed_size = u;
		else if (field == 't')
			p->build_time = (int64_t)u;
		else if (field == 'q')
			p->replaces_priority = (int64_t)u;
		else {
			p->provider_priority = (int64_t)u;
			p->has_provider_priority = 1;
		}
		return 0;
	}
	if (field >= 'A' && field <= 'Z')
		p->uninstallable = 1;
	return 0;
}

/* ---- .PKGINFO ---- */

static const struct {
	const char *key;
	char field;
} pkginfo_keys[] = {
    {"pkgname", 'P'},
    {"pkgver", 'V'},
    {"pkgdesc", 'T'},
    {"url", 'U'},
    {"builddate", 't'},
    {"size", 'I'},
    {"arch", 'A'},
    {"origin", 'o'},
    {"commit", 'c'},
    {"maintainer", 'm'},
    {"license", 'L'},
    {"depend", 'D'},
    {"provides", 'p'},
    {"install_if", 'i'},
    {"replaces", 'r'},
    {"provider_priority", 'k'},
    {"replaces_priority", 'q'},
};

int apk_pkginfo_parse(const char *text, size_t len, const char *file, struct apk_pkg *p,
		      struct kerr *e)
{
	const char *s = text, *end = text + len;
	size_t lineno = 0;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		char *line = xstrndup(s, (size_t)(le - s)), *eq;
		lineno++;
		s = nl ? nl + 1 : end;
		if (!line[0] || line[0] == '#') {
			free(line);
			continue;
		}
		eq = strstr(line, " = ");
		if (!eq) {
			kerr_set(e, KILN_EPARSE, "%s:%zu: expected 'key = value'", file, lineno);
			free(line);
			return -KILN_EPARSE;
		}
		*eq = '\0';
		const char *val = eq + 3;
		if (!strcmp(line, "datahash")) {
			set_str(&p->datahash, val);
		} else {
			for (size_t i = 0; i < sizeof(pkginfo_keys) / sizeof(pkginfo_keys[0]);
			     i++) {
				if (strcmp(line, pkginfo_keys[i].key))
					continue;
				if (apk_pkg_set_field(p, pkginfo_keys[i].field, val, file, lineno,
						      e) < 0) {
					free(line);
					return -KILN_EPARSE;
				}
				break;
			}
		}
		free(line);
	}
	if (!p->name || !p->version)
		return kerr_set(e, KILN_EPARSE, "%s: .PKGINFO lacks pkgname or pkgver", file);
	return 0;
}

/* ---- .apk files ---- */

struct control_ctx {
	struct apk_pkg *p;
	const char *file;
	int found;
};

static int on_control_entry(void *vctx, const char *name, const void *data, size_t len,
			    struct kerr *e)
{
	struct control_ctx *c = vctx;
	if (strcmp(name, ".PKGINFO"))
		return 0;
	c->found = 1;
	char *where = xasprintf("%s: .PKGINFO", c->file);
	int r = apk_pkginfo_parse(data, len, where, c->p, e);
	free(where);
	return r < 0 ? r : 1;
}

static int has_sign_entry(void *vctx, const char *name, const void *data, size_t len,
			  struct kerr *e)
{
	if (str_has_prefix(name, ".SIGN.")) {
		*(int *)vctx = 1;
		return 1;
	}
	return 0;
}

int apk_package_read(const char *path, const char *keys_dir, struct apk_pkg *out, struct kerr *e)
{
	struct kbuf b;
	struct gz_members g = {0};
	struct control_ctx c = {out, path, 0};
	const struct gz_member *ctl;
	unsigned char sha1[20];
	char q1[32];
	int r, signed_ = 0;

	memset(out, 0, sizeof(*out));
	kbuf_init(&b);
	if ((r = read_file(path, &b, (size_t)1 << 32, e)) < 0)
		goto out;
	if ((r = gz_split_members(b.data, b.len, 3, 2, (size_t)1 << 34, path, &g, e)) < 0)
		goto out;
	if (g.n >= 2 && (r = tar_each_file(g.m[0].data.data, g.m[0].data.len, 1 << 16, path,
					   has_sign_entry, &signed_, e)) < 0)
		goto out;
	if (g.n != (signed_ ? 3u : 2u)) {
		r = kerr_set(e, KILN_EPARSE,
			     "%s: not an apk v2 package (%zu gzip streams; expected signature, "
			     "control, data)",
			     path, g.n);
		goto out;
	}
	ctl = &g.m[signed_ ? 1 : 0];
	if (keys_dir) {
		if (!signed_) {
			r = kerr_set(e, KILN_EVERIFY, "%s: package is not signed", path);
			goto out;
		}
		if ((r = apk_verify_signature(&g.m[0], ctl->raw, ctl->raw_len, keys_dir, path, NULL,
					      e)) < 0)
			goto out;
	}
	if ((r = tar_each_file(ctl->data.data, ctl->data.len, 1 << 24, path, on_control_entry, &c,
			       e)) < 0)
		goto out;
	if (!c.found) {
		r = kerr_set(e, KILN_EPARSE, "%s: no .PKGINFO in the control stream", path);
		goto out;
	}
	if (out->datahash) {
		/* the control stream (signed) vouches for the data stream */
		const struct gz_member *data = &g.m[g.n - 1];
		char hex[SHA256_HEX_LEN + 1];
		sha256_mem(data->raw, data->raw_len, hex);
		if (strcmp(hex, out->datahash) != 0) {
			r = kerr_set(
			    e, KILN_EVERIFY,
			    "%s: datahash mismatch: .PKGINFO says %s, the data stream is %s", path,
			    out->datahash, hex);
			goto out;
		}
	}
	EVP_Digest(ctl->raw, ctl->raw_len, sha1, NULL, EVP_sha1(), NULL);
	apk_checksum_encode_q1(sha1, q1);
	out->checksum = xstrdup(q1);
	memcpy(out->csum, sha1, 20);
	out->csum_len = 20;
	out->size = b.len;
	out->filename = xstrdup(path);
	r = 0;
out:
	gz_members_free(&g);
	kbuf_free(&b);
	if (r < 0)
		apk_pkg_free(out);
	return r;
}
