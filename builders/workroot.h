/* workroot.h - builders-internal: a build's writable copy of a cached root. */
#ifndef KILN_BUILDERS_WORKROOT_H
#define KILN_BUILDERS_WORKROOT_H

#include "lib/kiln.h"

struct workroot {
	char *upper, *ovwork, *merged; /* merged: the root the build sees */
	int overlay;		       /* 1: overlayfs, 0: a copy in merged */
};

/* Make workdir/root a writable view of lower. Call before any thread
 * starts (it may unshare the mount namespace). */
int workroot_make(struct workroot *w, const char *lower, const char *workdir, int allow_overlay,
		  struct kerr *e);
/* the directory where the build's new files are (upper, or the copy) */
const char *workroot_changes(const struct workroot *w);
void workroot_release(struct workroot *w);

#endif
