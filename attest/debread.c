/* debread.c - walk a .deb: its ar members (size, sha256) and every entry of control.tar and
 * data.tar (libarchive). */
#include "attest/attest.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define DEB_MAX_ENTRIES 1000000

/* the inner tarball is read straight from the outer ar member, hashing the
 * member's bytes on the way */
struct member_reader {
	struct archive *outer;
	EVP_MD_CTX *md;
	uint64_t size;
	char buf[65536];
};

static la_ssize_t member_read(struct archive *a, void *ctx, const void **buf)
{
	struct member_reader *m = ctx;
	la_ssize_t r = archive_read_data(m->outer, m->buf, sizeof(m->buf));
	if (r > 0) {
		EVP_DigestUpdate(m->md, m->buf, (size_t)r);
		m->size += (uint64_t)r;
	}
	*buf = m->buf;
	return r;
}

static void to_hex(const unsigned char *d, unsigned n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = 0;
}

int deb_read_data(void *reader, struct kbuf *out, size_t max)
{
	char buf[65536];
	la_ssize_t r;

	while ((r = archive_read_data(reader, buf, sizeof(buf))) > 0) {
		size_t n = (size_t)r;
		if (out->len + n > max)
			n = max > out->len ? max - out->len : 0;
		kbuf_add(out, buf, n);
	}
	if (!out->data)
		kbuf_add(out, "", 0);
	return r < 0 ? -1 : 0;
}

int deb_hash_data(void *reader, char sha256[SHA256_HEX_LEN + 1], char *sha1, uint64_t *size)
{
	EVP_MD_CTX *c1 = EVP_MD_CTX_new(), *c2 = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE], buf[65536];
	unsigned dl;
	la_ssize_t r;

	*size = 0;
	EVP_DigestInit_ex(c1, EVP_sha1(), NULL);
	EVP_DigestInit_ex(c2, EVP_sha256(), NULL);
	while ((r = archive_read_data(reader, buf, sizeof(buf))) > 0) {
		if (sha1)
			EVP_DigestUpdate(c1, buf, (size_t)r);
		EVP_DigestUpdate(c2, buf, (size_t)r);
		*size += (uint64_t)r;
	}
	EVP_DigestFinal_ex(c1, d, &dl);
	if (sha1)
		to_hex(d, dl, sha1);
	EVP_DigestFinal_ex(c2, d, &dl);
	to_hex(d, dl, sha256);
	EVP_MD_CTX_free(c1);
	EVP_MD_CTX_free(c2);
	return r < 0 ? -1 : 0;
}

static char entry_type(struct archive_entry *ent)
{
	if (archive_entry_hardlink(ent))
		return 'h';
	switch (archive_entry_filetype(ent)) {
	case AE_IFREG:
		return 'f';
	case AE_IFDIR:
		return 'd';
	case AE_IFLNK:
		return 'l';
	case AE_IFCHR:
		return 'c';
	case AE_IFBLK:
		return 'b';
	case AE_IFIFO:
		return 'p';
	case AE_IFSOCK:
		return 's';
	}
	return '?';
}

static char *dot_path(const char *name)
{
	if (str_has_prefix(name, "./"))
		return xstrdup(name);
	if (!strcmp(name, "."))
		return xstrdup("./");
	return xasprintf("./%s", name[0] == '/' ? name + 1 : name);
}

int pkg_walk_tar(struct archive *in, const char *deb, const char *member, int dot_paths,
		 const struct deb_walk_ops *ops, void *ctx, struct kerr *e)
{
	struct archive_entry *ent;
	size_t n = 0;
	int r, ret = 0;

	while ((r = archive_read_next_header(in, &ent)) == ARCHIVE_OK) {
		if (++n > DEB_MAX_ENTRIES)
			return kerr_set(e, KILN_EPARSE, "%s: %s has more than %d entries", deb,
					member, DEB_MAX_ENTRIES);
		const char *name = archive_entry_pathname(ent);
		char *path = dot_paths ? dot_path(name) : xstrdup(name ? name : "");
		char *link = NULL;
		const char *hl = archive_entry_hardlink(ent), *sl = archive_entry_symlink(ent);
		if (hl)
			link = dot_paths ? dot_path(hl) : xstrdup(hl);
		else if (sl)
			link = xstrdup(sl);
		struct deb_entry de = {
		    .member = member,
		    .path = path,
		    .type = entry_type(ent),
		    .mode = (unsigned)(archive_entry_perm(ent) & 07777),
		    .uid = archive_entry_uid(ent),
		    .gid = archive_entry_gid(ent),
		    .mtime = archive_entry_mtime(ent),
		    .uname = archive_entry_uname(ent),
		    .gname = archive_entry_gname(ent),
		    .size = (uint64_t)archive_entry_size(ent),
		    .link = link,
		};
		if (ops->entry)
			ret = ops->entry(ctx, &de, in, e);
		free(path);
		free(link);
		if (ret < 0)
			return ret;
	}
	if (r != ARCHIVE_EOF)
		return kerr_set(e, KILN_EPARSE, "%s: %s: %s", deb, member,
				archive_error_string(in));
	return 0;
}

int deb_walk(const char *deb, const struct deb_walk_ops *ops, void *ctx, struct kerr *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	struct member_reader *m = xmalloc(sizeof(*m));
	int r, ret = 0, members = 0;

	m->md = EVP_MD_CTX_new();
	archive_read_support_format_ar(a);
	if (archive_read_open_filename(a, deb, 65536) != ARCHIVE_OK) {
		ret = kerr_set(e, path_exists(deb) ? KILN_EPARSE : KILN_ENOTFOUND, "%s: %s", deb,
			       archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		char *name = xstrdup(archive_entry_pathname(ent));
		unsigned char d[EVP_MAX_MD_SIZE];
		char hex[SHA256_HEX_LEN + 1];
		unsigned dl;

		members++;
		m->outer = a;
		m->size = 0;
		EVP_DigestInit_ex(m->md, EVP_sha256(), NULL);
		if (str_has_prefix(name, "control.tar") || str_has_prefix(name, "data.tar")) {
			struct archive *in = archive_read_new();
			archive_read_support_filter_all(in);
			archive_read_support_format_tar(in);
			if (archive_read_open(in, m, NULL, member_read, NULL) != ARCHIVE_OK)
				ret = kerr_set(e, KILN_EPARSE, "%s: %s: %s", deb, name,
					       archive_error_string(in));
			else
				ret = pkg_walk_tar(in, deb, name, 1, ops, ctx, e);
			archive_read_free(in);
		}
		/* whatever the tar reader left (padding), and other members */
		const void *p;
		while (ret == 0 && member_read(NULL, m, &p) > 0)
			;
		EVP_DigestFinal_ex(m->md, d, &dl);
		to_hex(d, dl, hex);
		if (ret == 0 && ops->member)
			ret = ops->member(ctx, name, m->size, hex, e);
		free(name);
		if (ret < 0)
			goto out;
	}
	if (r != ARCHIVE_EOF)
		ret = kerr_set(e, KILN_EPARSE, "%s: %s", deb, archive_error_string(a));
	else if (!members)
		ret = kerr_set(e, KILN_EPARSE, "%s: not a .deb (an empty ar archive)", deb);
out:
	EVP_MD_CTX_free(m->md);
	free(m);
	archive_read_free(a);
	return ret;
}
