/* apkwrite.h - builders-internal: the pieces apk_write_package (apkwrite.c)
 * is made of:
 *   apkwrite_tree.c     the package tree, read without following symlinks,
 *                       hard links found, owners from the kiln owners file
 *   apkwrite_data.c     the data stream's tar entries and the scanners that
 *                       read each file as it is written
 *   apkwrite_pkginfo.c  .PKGINFO: the metadata checked, then written as abuild does */
#ifndef KILN_BUILDERS_APKWRITE_H
#define KILN_BUILDERS_APKWRITE_H

#include "builders/alpine.h"

struct apk_tent {
	char *path; /* relative, no "./", no trailing '/' */
	char type;  /* '0' file, '1' hard link, '2' symlink, '5' directory */
	unsigned mode;
	uint64_t size;
	dev_t dev;
	ino_t ino;
	nlink_t nlink;
	char *link; /* symlink target, or the path a hard link points at */
	const char *uname, *gname;
	char *owner_buf; /* "user\0group" from the owners file */
};

struct apk_tree {
	struct apk_tent *v;
	size_t n, cap;
	uint64_t bytes;
	const char *root;
};

/* what the scanners found while the data stream was written */
struct apk_scan {
	struct strv needed;   /* DT_NEEDED of every ELF file */
	struct strv rpath;    /* absolute rpath dirs, without the leading '/' */
	struct strv so_cands; /* ET_DYN files: "dir\0base\0soname" as three strv entries */
	struct strv cmds, pcs;
};

/* ---- apkwrite_tree.c ---- */

/* Read the tree below rootfd (t->root names it in messages): every entry
 * sorted bytewise on its path, hard links marked, owners from owners_path
 * (NULL: none). Refuses what cannot be in a package (see apkwrite.c). */
int apk_tree_read(int rootfd, const char *owners_path, struct apk_tree *t, struct kerr *e);
void apk_tree_free(struct apk_tree *t);

/* ---- apkwrite_data.c ---- */

/* One entry into tar: an optional pax header (long names, the apk
 * checksum), the ustar header, the bytes (read into content); files are
 * scanned into s. */
int apk_data_entry(int rootfd, const struct apk_tree *t, const struct apk_tent *en, int64_t mtime,
		   struct kbuf *tar, struct kbuf *content, struct apk_scan *s, struct kerr *e);
void apk_scan_free(struct apk_scan *s);

/* ---- apkwrite_pkginfo.c ---- */

/* o's metadata fits in .PKGINFO: names, version, arch, no line breaks */
int apk_pkginfo_check(const struct apk_write_opts *o, struct kerr *e);
/* a dependency on name, whatever its version constraint */
int apk_depends_on(const struct strv *deps, const char *name);
/* .PKGINFO, in abuild's order (prepare_metafiles, then trace_apk_deps) */
void apk_pkginfo_text(const struct apk_write_opts *o, uint64_t size, int needs_sh,
		      const struct apk_scan *s, const char *datahash, struct kbuf *b);

#endif
