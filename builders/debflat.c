/* debflat.c - "flat" .debs for a root's dpkg: each package's data.tar is
 * decompressed exactly once, by worker threads, and both kiln's own
 * extraction and dpkg then read it uncompressed. */
#include "builders/debflat.h"
#include "builders/debreader.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- writing an ar archive as dpkg-deb does ---- */

#define AR_MAGIC "!<arch>\n"
#define AR_HDR_LEN 60
#define AR_SIZE_OFF 48 /* name 16, mtime 12, uid 6, gid 6, mode 8, then size 10 */

struct ar_out {
	int fd;
	const char *deb, *out; /* for messages */
	uint64_t hdr_off;      /* where the open member's header starts */
	uint64_t len;	       /* bytes of it so far */
};

static int out_write(struct ar_out *w, const void *p, size_t n, struct kerr *e)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(w->fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return kerr_errno(e, KILN_EIO, "%s: writing %s", w->deb, w->out);
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

/* a member header whose size is filled in by ar_end; fields are
 * space-padded decimal text (name 16, mtime 12, uid 6, gid 6, mode 8) */
static int ar_begin(struct ar_out *w, const char *name, int64_t mtime, struct kerr *e)
{
	char h[AR_HDR_LEN + 1], mt[24];
	off_t at = lseek(w->fd, 0, SEEK_CUR);
	if (at < 0)
		return kerr_errno(e, KILN_EIO, "%s: writing %s", w->deb, w->out);
	if (mtime < 0 || mtime > 999999999999LL)
		mtime = 0;
	snprintf(mt, sizeof(mt), "%lld", (long long)mtime);
	/* the size (10 wide, at AR_SIZE_OFF) is blank until ar_end */
	snprintf(h, sizeof(h), "%-16.16s%-12.12s%-6s%-6s%-8s%-10s`\n", name, mt, "0", "0", "100644",
		 "");
	w->hdr_off = (uint64_t)at;
	w->len = 0;
	return out_write(w, h, AR_HDR_LEN, e);
}

static int ar_data(struct ar_out *w, const void *p, size_t n, struct kerr *e)
{
	w->len += n;
	return out_write(w, p, n, e);
}

/* the member's size into its header, and the padding to an even offset */
static int ar_end(struct ar_out *w, struct kerr *e)
{
	char sz[11];
	snprintf(sz, sizeof(sz), "%-10llu", (unsigned long long)w->len);
	if (pwrite(w->fd, sz, 10, (off_t)(w->hdr_off + AR_SIZE_OFF)) != 10)
		return kerr_errno(e, KILN_EIO, "%s: writing %s", w->deb, w->out);
	return w->len % 2 ? out_write(w, "\n", 1, e) : 0;
}

/* ---- one package ---- */

static int is_stopped(const int *stop)
{
	return stop && __atomic_load_n(stop, __ATOMIC_RELAXED);
}

/* copy the current member's bytes (from outer: as stored; from inner: as
 * decompressed) into the open ar member */
static int copy_member(struct deb_reader *r, struct archive *from, struct ar_out *w, uint64_t max,
		       const int *stop, struct kerr *e)
{
	static __thread char buf[1 << 18];
	la_ssize_t k;
	int ret;
	while ((k = archive_read_data(from, buf, sizeof(buf))) > 0) {
		if (w->len + (uint64_t)k > max)
			return kerr_set(e, KILN_EVERIFY,
					"%s: %s is larger than %llu bytes (decompressed): refused",
					r->path, r->member, (unsigned long long)max);
		if (is_stopped(stop))
			return kerr_set(e, KILN_EINTR, "%s: interrupted", r->path);
		if ((ret = ar_data(w, buf, (size_t)k, e)) < 0)
			return ret;
	}
	if (k < 0)
		return kerr_set(e, KILN_EPARSE, "%s: %s: %s", r->path, r->member,
				archive_error_string(from) ? archive_error_string(from)
							   : "unreadable");
	return 0;
}

int deb_flatten(const char *deb, const char *out, uint64_t max_data, const int *stop,
		struct kerr *e)
{
	struct deb_reader r;
	struct archive_entry *ae;
	struct ar_out w = {.fd = -1, .deb = deb, .out = out};
	int ret, created = 0;

	if (max_data == 0 || max_data > DEB_FLAT_MAX_DATA)
		max_data = DEB_FLAT_MAX_DATA;
	if ((ret = deb_reader_open(deb, &r, e)) < 0)
		return ret;
	if ((w.fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		ret = kerr_errno(e, KILN_EIO, "%s: creating %s", deb, out);
		goto out;
	}
	created = 1;
	if ((ret = out_write(&w, AR_MAGIC, strlen(AR_MAGIC), e)) < 0 ||
	    (ret = ar_begin(&w, "debian-binary", r.version_mtime, e)) < 0 ||
	    (ret = ar_data(&w, r.version, r.version_len, e)) < 0 || (ret = ar_end(&w, e)) < 0)
		goto out;
	/* control.tar.*: as it is */
	if ((ret = deb_reader_next(&r, "control.tar", e)) < 0 ||
	    (ret = ar_begin(&w, r.member, r.member_mtime, e)) < 0 ||
	    (ret = copy_member(&r, r.outer, &w, max_data, stop, e)) < 0 ||
	    (ret = ar_end(&w, e)) < 0)
		goto out;
	/* data.tar.*: decompressed, once */
	if ((ret = deb_reader_next(&r, "data.tar", e)) < 0 ||
	    (ret = deb_reader_open_inner(&r, 1, e)) < 0)
		goto out;
	if (archive_read_next_header(r.inner, &ae) != ARCHIVE_OK) {
		ret = kerr_set(e, KILN_EPARSE, "%s: %s: %s", deb, r.member,
			       archive_error_string(r.inner) ? archive_error_string(r.inner)
							     : "unreadable");
		goto out;
	}
	if ((ret = ar_begin(&w, "data.tar", r.member_mtime, e)) < 0 ||
	    (ret = copy_member(&r, r.inner, &w, max_data, stop, e)) < 0 ||
	    (ret = ar_end(&w, e)) < 0)
		goto out;
	if (close(w.fd) < 0) {
		w.fd = -1;
		ret = kerr_errno(e, KILN_EIO, "%s: writing %s", deb, out);
		goto out;
	}
	w.fd = -1;
out:
	if (w.fd >= 0)
		close(w.fd);
	if (ret < 0 && created)
		unlink(out);
	deb_reader_close(&r);
	return ret;
}

/* ---- worker threads ---- */

enum { JOB_PENDING, JOB_RUNNING, JOB_DONE, JOB_FAILED };

struct deb_flat_pool {
	pthread_mutex_t mu;
	pthread_cond_t done; /* a job finished */
	const struct deb_flat_job *jobs;
	const size_t *order;
	size_t n, next; /* order[next] is the next job to start */
	int *state;
	int stop;		 /* read by running jobs: atomically */
	struct kerr first_error; /* of the first job that failed */
	int failed;
	uint64_t max_data;
	volatile sig_atomic_t *cancel;
	size_t urgent, threads_after; /* see deb_flat_pool_opts */
	size_t ids;		      /* workers that started */
	pthread_t *threads;
	size_t nthreads;
};

static void *worker(void *arg)
{
	struct deb_flat_pool *p = arg;
	struct kerr e = {0};
	pthread_mutex_lock(&p->mu);
	size_t id = p->ids++;
	pthread_mutex_unlock(&p->mu);
	for (;;) {
		pthread_mutex_lock(&p->mu);
		if (p->cancel && *p->cancel && !p->failed) {
			kerr_set(&p->first_error, KILN_EINTR, "interrupted while converting .debs");
			p->failed = 1;
			__atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
			pthread_cond_broadcast(&p->done);
		}
		if (__atomic_load_n(&p->stop, __ATOMIC_RELAXED) || p->next == p->n ||
		    (p->next >= p->urgent && id >= p->threads_after)) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		size_t k = p->order[p->next++];
		p->state[k] = JOB_RUNNING;
		pthread_mutex_unlock(&p->mu);

		const struct deb_flat_job *j = &p->jobs[k];
		int r = deb_flatten(j->deb, j->out, p->max_data, &p->stop, &e);

		pthread_mutex_lock(&p->mu);
		p->state[k] = r < 0 ? JOB_FAILED : JOB_DONE;
		if (r < 0 && !p->failed) {
			kerr_prefix(&e, "converting %s: ", j->what);
			p->first_error = e;
			p->failed = 1;
			__atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
		}
		pthread_cond_broadcast(&p->done);
		pthread_mutex_unlock(&p->mu);
	}
}

int deb_flat_pool_start(struct deb_flat_pool **pool, const struct deb_flat_job *jobs,
			const size_t *order, size_t n, const struct deb_flat_pool_opts *o,
			struct kerr *e)
{
	struct deb_flat_pool *p = xcalloc(1, sizeof(*p));
	size_t nthreads = o->threads;
	if (nthreads == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		nthreads = c > 0 ? (size_t)c : 1;
	}
	if (nthreads > n)
		nthreads = n ? n : 1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->done, NULL);
	p->jobs = jobs;
	p->order = order;
	p->n = n;
	p->state = xcalloc(n ? n : 1, sizeof(*p->state));
	p->max_data = o->max_data;
	p->cancel = o->cancel;
	p->urgent = o->urgent;
	p->threads_after = o->threads_after ? o->threads_after : nthreads > 1 ? nthreads - 1 : 1;
	p->threads = xcalloc(nthreads, sizeof(*p->threads));
	*pool = NULL;
	for (size_t i = 0; i < nthreads; i++) {
		int rc = pthread_create(&p->threads[i], NULL, worker, p);
		if (rc != 0) {
			deb_flat_pool_free(p);
			errno = rc;
			return kerr_errno(e, KILN_EIO, "starting a thread to convert .debs");
		}
		p->nthreads++;
	}
	*pool = p;
	return 0;
}

int deb_flat_pool_wait(struct deb_flat_pool *p, size_t i, struct kerr *e)
{
	int ret = 0;
	pthread_mutex_lock(&p->mu);
	/* a pending job never starts once the pool stopped */
	while (p->state[i] == JOB_RUNNING || (p->state[i] == JOB_PENDING && !p->stop))
		pthread_cond_wait(&p->done, &p->mu);
	if (p->state[i] != JOB_DONE) {
		if (p->failed)
			*e = p->first_error;
		else
			kerr_set(e, KILN_EINTR, "converting %s: stopped", p->jobs[i].what);
		ret = -e->code;
	}
	pthread_mutex_unlock(&p->mu);
	return ret;
}

void deb_flat_pool_stop(struct deb_flat_pool *p)
{
	pthread_mutex_lock(&p->mu);
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->mu);
}

void deb_flat_pool_free(struct deb_flat_pool *p)
{
	if (!p)
		return;
	deb_flat_pool_stop(p);
	for (size_t i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p->threads);
	free(p->state);
	free(p);
}
