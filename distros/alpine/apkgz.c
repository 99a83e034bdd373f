/* apkgz.c - concatenated gzip streams (.apk, APKINDEX.tar.gz): split them at member boundaries,
 * write deterministic ones. */
#include "distros/distros.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void gz_members_free(struct gz_members *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		kbuf_free(&g->m[i].data);
	free(g->m);
	g->m = NULL;
	g->n = 0;
}

/* Inflate member after member, noting where each one's compressed bytes end:
 * signatures cover exactly those bytes, so they must be known. */
int gz_split_members(const void *p, size_t n, size_t max_members, size_t keep, size_t max_inflated,
		     const char *file, struct gz_members *out, struct kerr *e)
{
	const unsigned char *in = p;
	size_t off = 0, total = 0;
	unsigned char buf[65536];
	z_stream zs;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return kerr_set(e, KILN_EIO, "%s: cannot initialise zlib", file);
	if (n == 0) {
		ret = kerr_set(e, KILN_EPARSE, "%s: empty file, expected gzip data", file);
		goto out;
	}
	while (off < n) {
		struct gz_member m = {0};
		int zr;
		if (out->n >= max_members) {
			ret = kerr_set(e, KILN_EPARSE, "%s: more than %zu gzip streams", file,
				       max_members);
			goto out;
		}
		if (n - off < 2 || in[off] != 0x1f || in[off + 1] != 0x8b) {
			ret =
			    kerr_set(e, KILN_EPARSE, "%s: not gzip data at offset %zu", file, off);
			goto out;
		}
		kbuf_init(&m.data);
		m.raw = in + off;
		inflateReset(&zs);
		zs.next_in = (unsigned char *)in + off;
		zs.avail_in = 0;
		do {
			if (zs.avail_in == 0) { /* zlib counts in uInt: feed 1 GiB at a time */
				size_t left = n - (size_t)(zs.next_in - in);
				zs.avail_in = (uInt)(left > 0x40000000 ? 0x40000000 : left);
			}
			zs.next_out = buf;
			zs.avail_out = sizeof(buf);
			zr = inflate(&zs, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END) {
				kbuf_free(&m.data);
				ret = kerr_set(e, KILN_EPARSE, "%s: gzip stream %zu is %s", file,
					       out->n + 1,
					       zr == Z_BUF_ERROR ? "truncated"
					       : zs.msg		 ? zs.msg
								 : "corrupt");
				goto out;
			}
			size_t got = sizeof(buf) - zs.avail_out;
			total += got;
			if (total > max_inflated) {
				kbuf_free(&m.data);
				ret =
				    kerr_set(e, KILN_EPARSE, "%s: inflates to more than %zu bytes",
					     file, max_inflated);
				goto out;
			}
			if (out->n < keep)
				kbuf_add(&m.data, buf, got);
		} while (zr != Z_STREAM_END);
		size_t used = (size_t)(zs.next_in - (in + off));
		m.raw_len = used;
		off += used;
		out->m = xrealloc(out->m, (out->n + 1) * sizeof(*out->m));
		out->m[out->n++] = m;
	}
out:
	inflateEnd(&zs);
	if (ret < 0)
		gz_members_free(out);
	return ret;
}

int gz_compress(const void *p, size_t n, struct kbuf *out, struct kerr *e)
{
	z_stream zs;
	unsigned char buf[65536];
	int zr;

	memset(&zs, 0, sizeof(zs));
	/* windowBits 31: gzip wrapper with mtime 0 and no name, like gzip -n */
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return kerr_set(e, KILN_EIO, "cannot initialise zlib");
	zs.next_in = (unsigned char *)p;
	zs.avail_in = (uInt)n;
	do {
		zs.next_out = buf;
		zs.avail_out = sizeof(buf);
		zr = deflate(&zs, Z_FINISH);
		if (zr == Z_STREAM_ERROR) {
			deflateEnd(&zs);
			return kerr_set(e, KILN_EIO, "gzip compression failed");
		}
		kbuf_add(out, buf, sizeof(buf) - zs.avail_out);
	} while (zr != Z_STREAM_END);
	deflateEnd(&zs);
	return 0;
}
