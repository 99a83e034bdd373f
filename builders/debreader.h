/* debreader.h - builders-internal: walking a .deb's ar members in dpkg's
 * order (debextract.c), shared by extraction and flattening (debflat.c). */
#ifndef KILN_BUILDERS_DEBREADER_H
#define KILN_BUILDERS_DEBREADER_H

#include "builders/builders.h"

#include <stdint.h>

struct deb_reader {
	struct archive *outer; /* ar */
	struct archive *inner; /* control.tar or data.tar, as tar or raw bytes */
	const char *path;
	char member[64];      /* the current member's name ("data.tar.xz") */
	int64_t member_mtime; /* and its ar mtime */
	char version[16];     /* debian-binary's bytes ("2.0\n") */
	size_t version_len;
	int64_t version_mtime;
};

/* Open deb and read its debian-binary member (which must say 2.x). */
int deb_reader_open(const char *deb, struct deb_reader *r, struct kerr *e);
/* Move to the next member, skipping "_"-reserved ones; it must be `which`
 * ("control.tar" or "data.tar", compressed or not). Its bytes are then read
 * with archive_read_data(r->outer) or through deb_reader_open_inner. */
int deb_reader_next(struct deb_reader *r, const char *which, struct kerr *e);
/* Open the current member's decompressed stream as r->inner: a tar archive,
 * or (raw) one entry holding the decompressed bytes. */
int deb_reader_open_inner(struct deb_reader *r, int raw, struct kerr *e);
void deb_reader_close(struct deb_reader *r);

#endif
