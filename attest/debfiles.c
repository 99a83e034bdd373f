/* debfiles.c - what a built .deb holds: its control identity and every file's SHA1/SHA256
 * (libarchive). */
#include "attest/attest.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "distros/distros.h"

#define DEB_MAX_ENTRIES 1000000

/* the inner tar is read straight from the outer ar member */
struct member_reader {
	struct archive *outer;
	char buf[65536];
};

static la_ssize_t member_read(struct archive *a, void *ctx, const void **buf)
{
	struct member_reader *m = ctx;
	*buf = m->buf;
	return archive_read_data(m->outer, m->buf, sizeof(m->buf));
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

static char *entry_path(const char *name)
{
	if (str_has_prefix(name, "./"))
		return xstrdup(name);
	if (name[0] == '/')
		return xasprintf(".%s", name);
	return xasprintf("./%s", name);
}

static int hash_entry(struct archive *in, struct deb_file *f)
{
	EVP_MD_CTX *c1 = EVP_MD_CTX_new(), *c2 = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE], buf[65536];
	unsigned dl;
	la_ssize_t r;
	int ret = 0;

	EVP_DigestInit_ex(c1, EVP_sha1(), NULL);
	EVP_DigestInit_ex(c2, EVP_sha256(), NULL);
	while ((r = archive_read_data(in, buf, sizeof(buf))) > 0) {
		EVP_DigestUpdate(c1, buf, (size_t)r);
		EVP_DigestUpdate(c2, buf, (size_t)r);
		f->size += (uint64_t)r;
	}
	if (r < 0)
		ret = -1;
	EVP_DigestFinal_ex(c1, d, &dl);
	to_hex(d, dl, f->sha1);
	EVP_DigestFinal_ex(c2, d, &dl);
	to_hex(d, dl, f->sha256);
	EVP_MD_CTX_free(c1);
	EVP_MD_CTX_free(c2);
	return ret;
}

static int read_control(struct archive *in, const char *deb, struct deb_contents *c, struct kerr *e)
{
	struct archive_entry *ent;
	struct kbuf b = {0};
	int ret = 0;

	while (archive_read_next_header(in, &ent) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(ent);
		if (strcmp(n, "./control") && strcmp(n, "control"))
			continue;
		char buf[8192];
		la_ssize_t k;
		while ((k = archive_read_data(in, buf, sizeof(buf))) > 0) {
			if (b.len + (size_t)k > (1 << 20))
				break;
			kbuf_add(&b, buf, (size_t)k);
		}
		break;
	}
	if (!b.data)
		return kerr_set(e, KILN_EPARSE, "%s: control.tar has no control file", deb);
	struct deb822_parser ps;
	struct deb822_para p = {0};
	deb822_init(&ps, b.data, b.len, deb);
	if (deb822_next(&ps, &p, e) > 0) {
		c->package = deb822_get(&p, "Package");
		c->version = deb822_get(&p, "Version");
		c->arch = deb822_get(&p, "Architecture");
	}
	if (!c->package || !c->version || !c->arch)
		ret = kerr_set(e, KILN_EPARSE, "%s: control lacks Package, Version or Architecture",
			       deb);
	deb822_para_free(&p);
	kbuf_free(&b);
	return ret;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct deb_file *)a)->path, ((const struct deb_file *)b)->path);
}

static int read_data(struct archive *in, const char *deb, struct deb_contents *c, struct kerr *e)
{
	struct archive_entry *ent;
	size_t cap = 0, entries = 0;
	int r;

	while ((r = archive_read_next_header(in, &ent)) == ARCHIVE_OK) {
		const char *hl = archive_entry_hardlink(ent);
		if (++entries > DEB_MAX_ENTRIES)
			return kerr_set(e, KILN_EPARSE, "%s: more than %d entries in data.tar", deb,
					DEB_MAX_ENTRIES);
		if (!hl && archive_entry_filetype(ent) != AE_IFREG)
			continue;
		if (c->n == cap) {
			cap = cap ? 2 * cap : 64;
			c->files = xrealloc(c->files, cap * sizeof(*c->files));
		}
		struct deb_file *f = &c->files[c->n];
		memset(f, 0, sizeof(*f));
		f->path = entry_path(archive_entry_pathname(ent));
		c->n++;
		if (hl) {
			/* a hard link has the content of the file it names */
			char *target = entry_path(hl);
			size_t i;
			for (i = 0; i + 1 < c->n; i++)
				if (!strcmp(c->files[i].path, target))
					break;
			free(target);
			if (i + 1 == c->n)
				return kerr_set(e, KILN_EPARSE,
						"%s: %s links to a file not seen before", deb,
						f->path);
			memcpy(f->sha1, c->files[i].sha1, sizeof(f->sha1));
			memcpy(f->sha256, c->files[i].sha256, sizeof(f->sha256));
			f->size = c->files[i].size;
			continue;
		}
		if (hash_entry(in, f) < 0)
			return kerr_set(e, KILN_EPARSE, "%s: reading %s: %s", deb, f->path,
					archive_error_string(in));
	}
	if (r != ARCHIVE_EOF)
		return kerr_set(e, KILN_EPARSE, "%s: data.tar: %s", deb, archive_error_string(in));
	if (c->n)
		qsort(c->files, c->n, sizeof(*c->files), cmp_file);
	return 0;
}

/* open the current ar member as a (compressed) tar and run fn over it */
static int read_member(struct archive *outer, const char *deb, const char *member,
		       int (*fn)(struct archive *, const char *, struct deb_contents *,
				 struct kerr *),
		       struct deb_contents *c, struct kerr *e)
{
	struct member_reader *m = xmalloc(sizeof(*m));
	struct archive *in = archive_read_new();
	int ret;

	m->outer = outer;
	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	if (archive_read_open(in, m, NULL, member_read, NULL) != ARCHIVE_OK)
		ret = kerr_set(e, KILN_EPARSE, "%s: %s: %s", deb, member, archive_error_string(in));
	else
		ret = fn(in, deb, c, e);
	archive_read_free(in);
	free(m);
	return ret;
}

int deb_contents_read(const char *deb, struct deb_contents *c, struct kerr *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	int r, ret = 0, got_control = 0, got_data = 0;

	memset(c, 0, sizeof(*c));
	archive_read_support_format_ar(a);
	if (archive_read_open_filename(a, deb, 65536) != ARCHIVE_OK) {
		ret = kerr_set(e, path_exists(deb) ? KILN_EPARSE : KILN_ENOTFOUND, "%s: %s", deb,
			       archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(ent);
		if (str_has_prefix(n, "control.tar") && !got_control) {
			got_control = 1;
			if ((ret = read_member(a, deb, n, read_control, c, e)) < 0)
				goto out;
		} else if (str_has_prefix(n, "data.tar") && !got_data) {
			got_data = 1;
			if ((ret = read_member(a, deb, n, read_data, c, e)) < 0)
				goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		ret = kerr_set(e, KILN_EPARSE, "%s: %s", deb, archive_error_string(a));
		goto out;
	}
	if (!got_control || !got_data)
		ret = kerr_set(e, KILN_EPARSE, "%s: not a .deb (no %s member)", deb,
			       got_control ? "data.tar" : "control.tar");
out:
	archive_read_free(a);
	if (ret < 0)
		deb_contents_free(c);
	return ret;
}

void deb_contents_free(struct deb_contents *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->files[i].path);
	free(c->files);
	free(c->package);
	free(c->version);
	free(c->arch);
	memset(c, 0, sizeof(*c));
}
