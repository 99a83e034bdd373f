/* apk-private.h - helpers shared by the files of distros/alpine/ only (tar members). */
#ifndef KILN_APK_PRIVATE_H
#define KILN_APK_PRIVATE_H

#include "distros/distros.h"


/* Call fn for each regular file of an (uncompressed, possibly cut) tar held
 * in memory; fn returns 0 to go on, 1 to stop, <0 for an error. Entries
 * larger than max_entry are an error. */
typedef int (*tar_entry_fn)(void *ctx, const char *name, const void *data, size_t len,
			    struct kerr *e);
int tar_each_file(const void *tar, size_t len, size_t max_entry, const char *file, tar_entry_fn fn,
		  void *ctx, struct kerr *e);

/* Set one index/installed-db field ("P", "V", "D"...) of p from value.
 * Unknown lower-case letters are ignored; unknown upper-case ones mark the
 * package uninstallable (as apk-tools does). where: "file:line". */
int apk_pkg_set_field(struct apk_pkg *p, char field, const char *value, const char *file,
		      size_t line, struct kerr *e);

/* one package's index lines (C: P: V: ... i:), as apk-tools writes them */
void apk_pkg_format_header(const struct apk_pkg *p, struct kbuf *o);

/* a zeroed package appended to idx */
struct apk_pkg *apk_index_new_pkg(struct apk_index *idx);

#endif
