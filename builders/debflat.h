/* debflat.h - builders-internal: "flat" .debs (data.tar stored uncompressed)
 * made in worker threads, so a root's packages are decompressed only once. */
#ifndef KILN_BUILDERS_DEBFLAT_H
#define KILN_BUILDERS_DEBFLAT_H

#include "builders/builders.h"

#include <stdint.h>

/* The most data.tar bytes one package may decompress to: what the 10-digit
 * size field of an ar header can hold (dpkg-deb's limit too). */
#define DEB_FLAT_MAX_DATA 9999999999ULL

/* Write out (a new file) as a .deb dpkg-deb reads like deb: an ar archive
 * with deb's debian-binary, its control.tar.* member byte for byte, and its
 * data.tar decompressed into an uncompressed "data.tar" member. More than
 * max_data decompressed bytes (0: DEB_FLAT_MAX_DATA), a corrupt or
 * truncated member, a full disk: an error naming deb, and out is removed.
 * A non-zero *stop (read atomically) ends the work early with KILN_EINTR. */
int deb_flatten(const char *deb, const char *out, uint64_t max_data, const int *stop,
		struct kerr *e);

/* One package to flatten; what names it in errors ("libc6 2.36-9"). */
struct deb_flat_job {
	const char *deb, *out, *what;
};

struct deb_flat_pool;

struct deb_flat_pool_opts {
	size_t threads; /* workers; 0: one per online CPU */
	/* the first `urgent` jobs of the order use every worker; after them
	 * only threads_after (0: one less than threads, at least 1) go on, so
	 * that a CPU is left to whoever consumes the urgent ones */
	size_t urgent, threads_after;
	uint64_t max_data; /* deb_flatten's */
	/* set by a signal handler: no job starts after it is seen, and
	 * waiting gives KILN_EINTR */
	volatile sig_atomic_t *cancel;
};

/* Start the workers flattening jobs[order[0]], jobs[order[1]], ... in that
 * order. jobs and order must outlive the pool. */
int deb_flat_pool_start(struct deb_flat_pool **pool, const struct deb_flat_job *jobs,
			const size_t *order, size_t n, const struct deb_flat_pool_opts *o,
			struct kerr *e);
/* Wait until jobs[i].out is complete. After any job failed, no new job
 * starts and waiting for one that did not finish gives the first failure,
 * which names its package. */
int deb_flat_pool_wait(struct deb_flat_pool *p, size_t i, struct kerr *e);
/* Start no more jobs; waiters for jobs that will not run return at once. */
void deb_flat_pool_stop(struct deb_flat_pool *p);
/* Stop starting jobs, wait for the running ones, free. NULL: no-op. */
void deb_flat_pool_free(struct deb_flat_pool *p);

#endif
