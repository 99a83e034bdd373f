/* solver.h - the solver stage: verified indices -> libsolv pool -> LOCK, the
 * exact build environment. The struct lock below is the contract builders/
 * and attest/ rely on: fields may be added, never changed in meaning. */
#ifndef KILN_SOLVER_H
#define KILN_SOLVER_H

#include "distros/distros.h"
#include "lib/kiln.h"

struct lock_pkg {
	char *name;
	char *version;
	char *arch;     /* amd64 | all */
	char *sha256;   /* of the .deb */
	uint64_t size;
	char *filename; /* pool path from the archive root (Packages Filename:) */
	char *mirror;   /* base URL of the archive holding it */
	int essential;  /* Essential: yes (unpacked first when making a root) */
};

struct lock {
	char *distro;         /* debian:bookworm */
	char *source;         /* source package name */
	char *source_version;
	char *arch;           /* build = host architecture */
	struct lock_pkg *pkgs; /* in install order (libsolv transaction order) */
	size_t n;
	char sha256[SHA256_HEX_LEN + 1]; /* of the canonical text form */
};

void lock_free(struct lock *l);

#endif
