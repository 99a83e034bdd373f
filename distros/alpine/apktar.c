/* apktar.c - the small tar members of apk files: write single-file entries, read members
 * (libarchive). */
#include "distros/alpine/apk-private.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>

static void put_octal(char *field, size_t width, uint64_t v)
{
	/* width-1 zero-padded octal digits and a NUL, as GNU tar writes them */
	field[width - 1] = '\0';
	for (size_t i = width - 1; i > 0; i--) {
		field[i - 1] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

/* text into a zeroed header field (the zero bytes after it terminate it) */
static void put_text(unsigned char *field, const char *s)
{
	while (*s)
		*field++ = (unsigned char)*s++;
}

void apk_tar_header(struct kbuf *out, const struct apk_tar_hdr *t)
{
	unsigned char h[512];
	unsigned sum = 0;

	memset(h, 0, sizeof(h));
	strncpy((char *)h, t->name, 100); /* longer names go in a pax "path" record first */
	put_octal((char *)h + 100, 8, t->mode);
	put_octal((char *)h + 108, 8, 0);
	put_octal((char *)h + 116, 8, 0);
	put_octal((char *)h + 124, 12, t->size);
	put_octal((char *)h + 136, 12, t->mtime < 0 ? 0 : (uint64_t)t->mtime);
	h[156] = (unsigned char)t->type;
	if (t->linkname)
		strncpy((char *)h + 157, t->linkname, 100);
	if (t->gnu_magic)
		put_text(h + 257, "ustar  "); /* magic "ustar " + version " \0" */
	else {
		put_text(h + 257, "ustar"); /* magic "ustar\0", version "00" */
		put_text(h + 263, "00");
	}
	if (t->uname)
		strncpy((char *)h + 265, t->uname, 31);
	if (t->gname)
		strncpy((char *)h + 297, t->gname, 31);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	kbuf_add(out, h, sizeof(h));
}

void apk_tar_pad(struct kbuf *out, uint64_t size)
{
	static const unsigned char zero[512];
	kbuf_add(out, zero, (size_t)((512 - size % 512) % 512));
}

void tar_add_file(struct kbuf *out, const char *name, const void *data, size_t len, unsigned mode,
		  int64_t mtime, int gnu_magic)
{
	struct apk_tar_hdr t = {.name = name,
				.mode = mode,
				.type = '0',
				.size = len,
				.mtime = mtime,
				.gnu_magic = gnu_magic,
				.uname = gnu_magic ? "root" : NULL,
				.gname = gnu_magic ? "root" : NULL};
	apk_tar_header(out, &t);
	kbuf_add(out, data, len);
	apk_tar_pad(out, len);
}

void tar_add_end(struct kbuf *out)
{
	static const unsigned char zero[1024];
	kbuf_add(out, zero, sizeof(zero));
}

int tar_each_file(const void *tar, size_t len, size_t max_entry, const char *file, tar_entry_fn fn,
		  void *ctx, struct kerr *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	struct kbuf b;
	int r, ret = 0;

	kbuf_init(&b);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, tar, len) != ARCHIVE_OK) {
		ret = kerr_set(e, KILN_EPARSE, "%s: not a tar archive: %s", file,
			       archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent);
		if (archive_entry_filetype(ent) != AE_IFREG)
			continue;
		if (archive_entry_size(ent) < 0 || (uint64_t)archive_entry_size(ent) > max_entry) {
			ret = kerr_set(e, KILN_EPARSE, "%s: member %s is too large", file,
				       name ? name : "?");
			goto out;
		}
		b.len = 0;
		kbuf_reserve(&b, (size_t)archive_entry_size(ent) + 1);
		la_ssize_t got = archive_read_data(a, b.data, (size_t)archive_entry_size(ent));
		if (got != archive_entry_size(ent)) {
			ret = kerr_set(e, KILN_EPARSE, "%s: member %s is truncated", file,
				       name ? name : "?");
			goto out;
		}
		b.len = (size_t)got;
		b.data[b.len] = '\0';
		r = fn(ctx, name ? name : "", b.data, b.len, e);
		if (r < 0) {
			ret = r;
			goto out;
		}
		if (r > 0)
			goto out;
	}
	if (r != ARCHIVE_EOF)
		ret = kerr_set(e, KILN_EPARSE, "%s: bad tar data: %s", file,
			       archive_error_string(a) ? archive_error_string(a) : "read error");
out:
	archive_read_free(a);
	kbuf_free(&b);
	return ret;
}
