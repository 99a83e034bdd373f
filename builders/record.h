/* record.h - builders-internal: kiln's build record (JSON), the input of attest/. */
#ifndef KILN_BUILDERS_RECORD_H
#define KILN_BUILDERS_RECORD_H

#include "builders/builders.h"

struct record_file {
	char *name;
	char sha256[SHA256_HEX_LEN + 1];
	uint64_t size;
};

struct record_info {
	const char *distro;
	const struct source_pkg *src;
	const struct lock *lock;
	const char *build_path; /* the unpacked source tree */
	const char *kind;
	const struct strv *env;	 /* K=V, as the build saw them (besides the fixed PATH) */
	const struct strv *argv; /* the build command */
	int64_t sde;
	const char *hostname;
	const struct record_file *outputs;
	size_t noutputs;
	const char *log_name;
	const char *log_sha256; /* NULL when unknown */
	const char *started;	/* UTC, ISO 8601 */
	const char *root_id;	/* the root's id; NULL: debroot_id of the lock */
};

/* write the record atomically; keys sorted, so equal builds give equal records
 * apart from the metadata timestamps */
int record_write(const struct record_info *ri, const char *path, struct kerr *e);

#endif
