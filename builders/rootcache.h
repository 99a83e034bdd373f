/* rootcache.h - builders-internal: what Debian and Alpine roots share: the
 * read-only cache under $KILN_HOME/roots/<id> (locks, meta, log) and the ids
 * of the files kiln itself makes in a root. */
#ifndef KILN_BUILDERS_ROOTCACHE_H
#define KILN_BUILDERS_ROOTCACHE_H

#include "builders/builders.h"

/* How one kind of root is made. make() fills tmp (a fresh empty directory)
 * and may write its log to workdir/root-prep.log (kept as roots/<id>.log). */
struct root_recipe {
	const char *id;		 /* the root's name: roots/<id> */
	const struct lock *lock; /* what it is made from (for roots/<id>.json) */
	int (*make)(void *ud, const char *tmp, const char *workdir, struct kerr *e);
	void *ud;
};

/* Make or reuse roots/<id>, with debroot_prepare's semantics for path,
 * cached and hold_fd: users hold the root's lock shared, the one making it
 * (or kiln cache gc) exclusive; a half-made root never becomes roots/<id>. */
int root_cache_prepare(const struct root_recipe *rc, const struct root_opts *o, char **path,
		       int *cached, int *hold_fd, struct kerr *e);

/* the host id of inside id 0 for what kiln makes in a root (0 unless kiln runs as root) */
uid_t root_id_base(void);
/* give everything under path still owned by host ids to the sandbox's ids */
int root_shift_owner(const char *path, struct kerr *e);
/* append one line to a text file (atomically rewritten) */
int root_append_line(const char *path, const char *line, struct kerr *e);

#endif
