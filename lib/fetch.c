/* fetch.c - HTTP downloads with libcurl into the content-addressed cache:
 * resume, retry with backoff, verify size and sha256, fsync, rename; a
 * progress bar on a terminal and plain lines otherwise. */
#include "kiln.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void fetch_opts_default(struct fetch_opts *o)
{
	const char *r = getenv("KILN_FETCH_RETRIES");
	memset(o, 0, sizeof(*o));
	o->max_retries = r ? atoi(r) : 3;
	o->parallel = 4;
	o->timeout_s = 60;
}

/* ---- progress: one shared line on a terminal ---- */
struct progress {
	pthread_mutex_t mu;
	uint64_t total_bytes, done_bytes; /* done = finished files */
	uint64_t *live;			  /* per-worker bytes of current file */
	size_t nworkers;
	size_t files_total, files_done;
	double last_draw;
	int active;
};

static void progress_draw(struct progress *p, int final)
{
	double t = now_monotonic();
	if (!p || !p->active || (!final && t - p->last_draw < 0.1))
		return;
	p->last_draw = t;
	uint64_t done = p->done_bytes;
	for (size_t i = 0; i < p->nworkers; i++)
		done += p->live[i];
	if (p->total_bytes && done > p->total_bytes)
		done = p->total_bytes;
	int width = 30,
	    fill = p->total_bytes ? (int)(width * (double)done / (double)p->total_bytes) : 0;
	char bar[64];
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\r[%s] %zu/%zu files  %.1f/%.1f MB%s", bar, p->files_done, p->files_total,
		(double)done / 1e6, (double)p->total_bytes / 1e6, final ? "\n" : "");
	fflush(stderr);
}

struct xfer {
	FILE *out;
	struct progress *prog;
	size_t worker;
	uint64_t written, limit; /* refuse bodies larger than limit (hostile server) */
	int too_big;
	char *last_modified;
};

static size_t on_body(char *data, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = sz * n;
	if (x->limit && x->written + len > x->limit) {
		x->too_big = 1;
		return 0;
	}
	x->written += len;
	return fwrite(data, 1, len, x->out);
}

static size_t on_header(char *data, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = sz * n;
	if (len > 14 && strncasecmp(data, "Last-Modified:", 14) == 0) {
		const char *v = data + 14;
		while (*v == ' ')
			v++;
		size_t l = len - (size_t)(v - data);
		while (l && (v[l - 1] == '\r' || v[l - 1] == '\n'))
			l--;
		free(x->last_modified);
		x->last_modified = xstrndup(v, l);
	}
	return len;
}

static int on_xferinfo(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ult,
		       curl_off_t ulnow)
{
	struct xfer *x = ud;
	(void)dltotal;
	(void)ult;
	(void)ulnow;
	if (x->prog && x->prog->active) {
		pthread_mutex_lock(&x->prog->mu);
		x->prog->live[x->worker] = (uint64_t)dlnow;
		progress_draw(x->prog, 0);
		pthread_mutex_unlock(&x->prog->mu);
	}
	return 0;
}

static CURL *easy_new(const char *url, struct xfer *x, const struct fetch_opts *o)
{
	CURL *c = curl_easy_init();
	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kiln/" KILN_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->timeout_s > 0 ? o->timeout_s : 60L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	return c;
}

/* classify a finished transfer; returns 0, or -code with e set; *retry says
 * whether trying again might help */
static int transfer_status(CURL *c, CURLcode rc, const char *url, struct xfer *x, int *retry,
			   struct kerr *e)
{
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	*retry = 0;
	if (x->too_big)
		return kerr_set(e, KILN_EVERIFY, "%s: larger than expected (%llu bytes), refused",
				url, (unsigned long long)x->limit);
	if (rc != CURLE_OK) {
		*retry = rc != CURLE_WRITE_ERROR && rc != CURLE_UNSUPPORTED_PROTOCOL &&
			 rc != CURLE_URL_MALFORMAT;
		if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
		    rc == CURLE_COULDNT_RESOLVE_PROXY)
			return kerr_set(e, KILN_ENET, "cannot reach mirror for %s: %s", url,
					curl_easy_strerror(rc));
		return kerr_set(e, KILN_ENET, "downloading %s: %s", url, curl_easy_strerror(rc));
	}
	if (code == 404 || code == 410)
		return kerr_set(e, KILN_ENOTFOUND, "%s: not found on the mirror (HTTP %ld)", url,
				code);
	if (code >= 500 || code == 408 || code == 429) {
		*retry = 1;
		return kerr_set(e, KILN_ENET, "%s: server error (HTTP %ld)", url, code);
	}
	if (code >= 400)
		return kerr_set(e, KILN_ENET, "%s: HTTP %ld", url, code);
	return 0;
}

static void backoff_sleep(int attempt)
{
	const char *ms = getenv("KILN_RETRY_DELAY_MS");
	long base = ms ? atol(ms) : 500;
	struct timespec ts;
	long d = base << attempt;
	ts.tv_sec = d / 1000;
	ts.tv_nsec = (d % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

int fetch_url(const char *url, const char *tmpdir, const char *ims, const struct fetch_opts *o,
	      struct fetch_result *r, struct kerr *e)
{
	int ret = 0, retry = 0;

	memset(r, 0, sizeof(*r));
	if (o->offline)
		return kerr_set(e, KILN_ENET, "%s: not fetched, --offline given", url);
	pthread_once(&curl_once, curl_init_once);
	if ((ret = mkdir_p(tmpdir, 0755, e)) < 0)
		return ret;
	for (int attempt = 0; attempt <= o->max_retries; attempt++) {
		struct xfer x = {0};
		struct curl_slist *hdr = NULL;
		char *tmp = xasprintf("%s/fetch.XXXXXX", tmpdir);
		int fd = mkstemp(tmp);
		if (fd < 0) {
			ret = kerr_errno(e, KILN_EIO, "creating temporary file in %s", tmpdir);
			free(tmp);
			return ret;
		}
		x.out = fdopen(fd, "wb");
		x.limit = 512u << 20;
		CURL *c = easy_new(url, &x, o);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 1L);
		if (ims) {
			char *h = xasprintf("If-Modified-Since: %s", ims);
			hdr = curl_slist_append(hdr, h);
			free(h);
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		}
		CURLcode rc = curl_easy_perform(c);
		int ok = fflush(x.out) == 0 && fsync(fileno(x.out)) == 0;
		fclose(x.out);
		ret = transfer_status(c, rc, url, &x, &retry, e);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->http_code);
		curl_easy_cleanup(c);
		curl_slist_free_all(hdr);
		if (ret == 0 && !ok)
			ret = kerr_errno(e, KILN_EIO, "writing %s", tmp);
		if (ret == 0) {
			if (r->http_code == 304) {
				r->not_modified = 1;
				unlink(tmp);
				free(tmp);
				free(x.last_modified);
			} else {
				r->path = tmp;
				r->validator = x.last_modified;
			}
			return 0;
		}
		unlink(tmp);
		free(tmp);
		free(x.last_modified);
		if (!retry || attempt == o->max_retries)
			break;
		log_verbose("retrying %s (%s)", url, e->msg);
		backoff_sleep(attempt);
	}
	return ret;
}

void fetch_result_free(struct fetch_result *r)
{
	if (!r)
		return;
	if (r->path) {
		unlink(r->path);
		free(r->path);
	}
	free(r->validator);
	memset(r, 0, sizeof(*r));
}

/* download one item into its blob, resuming a partial file; caller holds the lock */
static int download_item(struct fetch_item *it, const struct fetch_opts *o, struct progress *prog,
			 size_t worker, const char *part, struct kerr *e)
{
	int ret = 0, retry = 0;
	char hex[SHA256_HEX_LEN + 1];
	uint64_t got = 0;

	for (int attempt = 0; attempt <= o->max_retries; attempt++) {
		struct stat st;
		uint64_t have = stat(part, &st) == 0 ? (uint64_t)st.st_size : 0;
		if (it->size != UINT64_MAX && have > it->size) {
			unlink(part); /* longer than the file can be: start over */
			have = 0;
		}
		struct xfer x = {0};
		x.prog = prog;
		x.worker = worker;
		x.out = fopen(part, have ? "ab" : "wb");
		if (!x.out)
			return kerr_errno(e, KILN_EIO, "creating %s", part);
		x.limit = it->size != UINT64_MAX ? it->size - have : (uint64_t)8 << 30;
		CURL *c = easy_new(it->url, &x, o);
		if (have && (it->size == UINT64_MAX || have < it->size))
			curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)have);
		CURLcode rc = CURLE_OK;
		if (it->size == UINT64_MAX || have < it->size)
			rc = curl_easy_perform(c);
		long code = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		int ok = fflush(x.out) == 0 && fsync(fileno(x.out)) == 0;
		fclose(x.out);
		if (have && code == 200 && x.written) {
			/* server ignored the range: what we appended restarts the file */
			log_verbose("%s: server does not resume, starting over", it->url);
			unlink(part);
			ret = kerr_set(e, KILN_ENET, "%s: resume refused", it->url);
			retry = 1;
		} else if (have && ((it->size != UINT64_MAX && have >= it->size) || code == 416)) {
			ret = 0; /* nothing more to fetch (416: the server has no more bytes) */
		} else {
			ret = transfer_status(c, rc, it->url, &x, &retry, e);
		}
		if (ret == 0 && !ok)
			ret = kerr_errno(e, KILN_EIO, "writing %s", part);
		curl_easy_cleanup(c);
		free(x.last_modified);
		if (prog && prog->active) {
			pthread_mutex_lock(&prog->mu);
			prog->live[worker] = 0;
			pthread_mutex_unlock(&prog->mu);
		}
		if (ret == 0) {
			if ((ret = sha256_file(part, hex, &got, e)) < 0)
				return ret;
			if (it->size != UINT64_MAX && got < it->size) {
				ret = kerr_set(e, KILN_EVERIFY,
					       "%s: truncated download (%llu of %llu bytes)",
					       it->what, (unsigned long long)got,
					       (unsigned long long)it->size);
				retry = 1; /* resume */
			} else if (strcmp(hex, it->sha256) != 0) {
				unlink(part);
				return kerr_set(e, KILN_EVERIFY,
						"%s: sha256 mismatch (expected %s, got %s) from %s",
						it->what, it->sha256, hex, it->url);
			} else {
				return blob_adopt(part, it->sha256, e);
			}
		}
		if (!retry || attempt == o->max_retries)
			break;
		log_verbose("retrying %s (%s)", it->url, e->msg);
		backoff_sleep(attempt);
	}
	return ret;
}

/* an item known only by what its check function accepts: fetched whole, checked, then kept
 * under the sha256 it turns out to have */
static int fetch_checked(struct fetch_item *it, const struct fetch_opts *o, struct kerr *e)
{
	struct fetch_result res = {0};
	char *dir = xasprintf("%s/blobs/partial", kiln_home());
	uint64_t size = 0;
	int ret;

	if ((ret = fetch_url(it->url, dir, NULL, o, &res, e)) < 0)
		goto out;
	if ((ret = sha256_file(res.path, it->got_sha256, &size, e)) < 0)
		goto out;
	if (it->size != UINT64_MAX && size != it->size) {
		ret = kerr_set(e, KILN_EVERIFY,
			       "%s: size mismatch (expected %llu, got %llu) from %s", it->what,
			       (unsigned long long)it->size, (unsigned long long)size, it->url);
		goto out;
	}
	if ((ret = it->check(res.path, it->check_ud, e)) < 0)
		goto out;
	if (blob_exists(it->got_sha256, size)) {
		it->from_cache = 1;
		goto out;
	}
	if ((ret = blob_adopt(res.path, it->got_sha256, e)) == 0) {
		free(res.path);
		res.path = NULL;
		log_verbose("fetched %s", it->what);
	}
out:
	if (ret < 0)
		it->got_sha256[0] = '\0';
	fetch_result_free(&res);
	free(dir);
	return ret;
}

static int fetch_one(struct fetch_item *it, const struct fetch_opts *o, struct progress *prog,
		     size_t worker, struct kerr *e)
{
	char *dir = NULL, *lock = NULL, *part = NULL;
	int lfd = -1, ret = 0;

	it->from_cache = 0;
	if (!it->sha256 && it->check) {
		if (o->offline)
			return kerr_set(e, KILN_ENET, "%s: not in the cache and --offline given",
					it->what);
		pthread_once(&curl_once, curl_init_once);
		return fetch_checked(it, o, e);
	}
	if (!is_sha256_hex(it->sha256))
		return kerr_set(e, KILN_EVERIFY, "%s: no valid sha256 to check it against",
				it->what);
	if (blob_exists(it->sha256, it->size)) {
		it->from_cache = 1;
		return 0;
	}
	if (o->offline)
		return kerr_set(e, KILN_ENET, "%s: not in the cache and --offline given", it->what);
	pthread_once(&curl_once, curl_init_once);
	dir = xasprintf("%s/blobs/partial", kiln_home());
	if ((ret = mkdir_p(dir, 0755, e)) < 0)
		goto out;
	lock = xasprintf("%s/%s.lock", dir, it->sha256);
	part = xasprintf("%s/%s.part", dir, it->sha256);
	/* another kiln may be fetching the same file: wait for it */
	if ((lfd = lock_path(lock, 1, e)) < 0) {
		ret = -e->code;
		goto out;
	}
	if (blob_exists(it->sha256, it->size)) {
		it->from_cache = 1;
		goto out;
	}
	ret = download_item(it, o, prog, worker, part, e);
	if (ret == 0 && !(prog && prog->active))
		log_verbose("fetched %s", it->what);
out:
	if (lfd >= 0) {
		unlink(lock);
		unlock_fd(lfd);
	}
	free(dir);
	free(lock);
	free(part);
	return ret;
}

int fetch_blob(struct fetch_item *it, const struct fetch_opts *o, struct kerr *e)
{
	struct progress prog = {0};
	uint64_t live = 0;
	int ret;

	pthread_mutex_init(&prog.mu, NULL);
	prog.live = &live;
	prog.nworkers = 1;
	prog.files_total = 1;
	prog.total_bytes = it->size != UINT64_MAX ? it->size : 0;
	prog.active = log_stderr_tty() && log_level() >= LOG_NORMAL &&
		      (!it->sha256 || !blob_exists(it->sha256, it->size)) && !o->offline;
	ret = fetch_one(it, o, &prog, 0, e);
	if (prog.active) {
		prog.files_done = 1;
		prog.done_bytes = prog.total_bytes;
		live = 0;
		if (ret == 0)
			progress_draw(&prog, 1);
		else
			fputc('\n', stderr);
	}
	pthread_mutex_destroy(&prog.mu);
	it->status = ret;
	return ret;
}

struct pool_state {
	struct fetch_item *items;
	size_t n, next;
	const struct fetch_opts *o;
	struct progress *prog;
	pthread_mutex_t mu;
	int stop;
};

struct worker_arg {
	struct pool_state *st;
	size_t id;
};

static void *worker_main(void *ud)
{
	struct worker_arg *wa = ud;
	struct pool_state *st = wa->st;

	for (;;) {
		pthread_mutex_lock(&st->mu);
		size_t i = st->next < st->n && !st->stop ? st->next++ : SIZE_MAX;
		pthread_mutex_unlock(&st->mu);
		if (i == SIZE_MAX)
			break;
		struct fetch_item *it = &st->items[i];
		kerr_clear(&it->err);
		it->status = fetch_one(it, st->o, st->prog, wa->id, &it->err);
		pthread_mutex_lock(&st->prog->mu);
		st->prog->files_done++;
		if (it->size != UINT64_MAX)
			st->prog->done_bytes += it->size;
		progress_draw(st->prog, 0);
		pthread_mutex_unlock(&st->prog->mu);
		if (it->status < 0 && !st->prog->active)
			log_verbose("failed: %s", it->err.msg);
		if (it->status < 0) {
			pthread_mutex_lock(&st->mu);
			st->stop = 1; /* fail fast; partial files stay for resume */
			pthread_mutex_unlock(&st->mu);
		}
	}
	return NULL;
}

int fetch_many(struct fetch_item *items, size_t n, const struct fetch_opts *o, struct kerr *e)
{
	struct pool_state st = {0};
	struct progress prog = {0};
	size_t nw = o->parallel > 0 ? (size_t)o->parallel : 4, missing = 0;
	pthread_t th[32];
	struct worker_arg wa[32];

	if (nw > 32)
		nw = 32;
	for (size_t i = 0; i < n; i++) {
		items[i].status = 0;
		if (!items[i].sha256 || !blob_exists(items[i].sha256, items[i].size)) {
			missing++;
			if (items[i].size != UINT64_MAX)
				prog.total_bytes += items[i].size;
		} else {
			items[i].from_cache = 1;
		}
	}
	if (missing == 0)
		return 0;
	pthread_once(&curl_once, curl_init_once);
	pthread_mutex_init(&prog.mu, NULL);
	pthread_mutex_init(&st.mu, NULL);
	prog.live = xcalloc(nw, sizeof(uint64_t));
	prog.nworkers = nw;
	prog.files_total = n;
	prog.files_done = n - missing;
	prog.active = log_stderr_tty() && log_level() >= LOG_NORMAL && !o->offline;
	if (!prog.active && log_level() >= LOG_NORMAL && !o->offline)
		log_info("downloading %zu files (%.1f MB)", missing,
			 (double)prog.total_bytes / 1e6);
	st.items = items;
	st.n = n;
	st.o = o;
	st.prog = &prog;
	if (nw > missing)
		nw = missing;
	for (size_t i = 0; i < nw; i++) {
		wa[i].st = &st;
		wa[i].id = i;
		pthread_create(&th[i], NULL, worker_main, &wa[i]);
	}
	for (size_t i = 0; i < nw; i++)
		pthread_join(th[i], NULL);
	if (prog.active)
		progress_draw(&prog, 1);
	free(prog.live);
	pthread_mutex_destroy(&prog.mu);
	pthread_mutex_destroy(&st.mu);
	for (size_t i = 0; i < n; i++)
		if (items[i].status < 0) {
			*e = items[i].err;
			return items[i].status;
		}
	for (size_t i = 0; i < n; i++)
		if (!blob_exists(items[i].sha256 ? items[i].sha256 : items[i].got_sha256,
				 items[i].size))
			return kerr_set(e, KILN_EFAIL, "%s: download was stopped", items[i].what);
	return 0;
}
