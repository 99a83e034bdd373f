/* kiln.h - shared pieces every stage uses: errors, logging, buffers, hashing,
 * safe file operations, the content-addressed cache and HTTP fetching. */
#ifndef KILN_LIB_H
#define KILN_LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define KILN_VERSION "0.1.0"

/* Error codes double as the process exit status chosen by cli/. */
enum kiln_code {
	KILN_OK = 0,
	KILN_EFAIL = 1,	    /* the work failed (unbuildable, build failed, mismatch) */
	KILN_EUSAGE = 2,    /* bad command line */
	KILN_EVERIFY = 3,   /* a signature, hash, size or date check failed */
	KILN_ENET = 4,	    /* mirror unreachable / download failed */
	KILN_ENOTFOUND = 5, /* unknown distro, package, version, file */
	KILN_EIO = 6,	    /* local file system error */
	KILN_EPARSE = 7,    /* malformed input file */
	KILN_EINTR = 130,   /* interrupted */
};

/* The one error record: a code and a message naming the file/package and the
 * reason. Functions return 0 or -code and fill it; only cli/ prints it. */
struct kerr {
	int code;
	char msg[2048];
};

int kerr_set(struct kerr *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* like kerr_set, with ": strerror(errno)" appended */
int kerr_errno(struct kerr *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* prepend context ("Release of bookworm: ") to an existing message */
int kerr_prefix(struct kerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kerr_clear(struct kerr *e);

/* ---- logging (the only global mutable state) ---- */
enum log_level { LOG_QUIET = 0, LOG_NORMAL = 1, LOG_VERBOSE = 2, LOG_DEBUG = 3 };
void log_setup(int level, int color_allowed);
int log_level(void);
int log_color(void);	  /* colored output allowed on stderr */
int log_stderr_tty(void); /* progress bars only on a terminal */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- memory / strings ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int str_has_prefix(const char *s, const char *prefix);
int str_has_suffix(const char *s, const char *suffix);

/* a growable byte buffer, always NUL-terminated */
struct kbuf {
	char *data;
	size_t len, cap;
};
void kbuf_init(struct kbuf *b);
void kbuf_free(struct kbuf *b);
void kbuf_reserve(struct kbuf *b, size_t extra);
void kbuf_add(struct kbuf *b, const void *p, size_t n);
void kbuf_adds(struct kbuf *b, const char *s);
void kbuf_printf(struct kbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* a list of owned strings */
struct strv {
	char **v;
	size_t n, cap;
};
void strv_add(struct strv *l, const char *s);
void strv_add_owned(struct strv *l, char *s);
void strv_free(struct strv *l);
int strv_contains(const struct strv *l, const char *s);
/* split on runs of any char in seps; empty fields dropped */
void strv_split(struct strv *l, const char *s, const char *seps);
void strv_sort(struct strv *l);

/* ---- hashing (OpenSSL) ---- */
#define SHA256_HEX_LEN 64
void sha256_mem(const void *p, size_t n, char hex[SHA256_HEX_LEN + 1]);
int sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1], uint64_t *size, struct kerr *e);
int sha256_fd(int fd, char hex[SHA256_HEX_LEN + 1], uint64_t *size, struct kerr *e);
int is_sha256_hex(const char *s);
/* n bytes as 2n lower-case hex digits and a NUL */
void hex_encode(const unsigned char *d, size_t n, char *hex);

/* ---- safe file operations ---- */
int mkdir_p(const char *path, mode_t mode, struct kerr *e);
int read_file(const char *path, struct kbuf *out, size_t max, struct kerr *e);
/* write to path.tmp.PID, fsync, rename: never a half-written file */
int write_file_atomic(const char *path, const void *p, size_t n, mode_t mode, struct kerr *e);
int copy_file_atomic(const char *src, const char *dst, mode_t mode, struct kerr *e);
int fsync_dir_of(const char *path);
int rm_rf(const char *path);
int path_exists(const char *path);
/* a file lock on path (created if needed); returns fd or -1 with e set */
int lock_path(const char *path, int exclusive, struct kerr *e);
void unlock_fd(int fd);
/* a safe file-name component: no '/', not "." or "..", no NUL, printable */
int is_safe_filename(const char *name);

/* ---- kiln's home: cache and state ---- */
/* $KILN_HOME, else /var/cache/kiln for root, else $XDG_CACHE_HOME/kiln or ~/.cache/kiln */
const char *kiln_home(void);
void kiln_home_set(const char *path);	/* tests and --home */
char *blob_path(const char *sha256hex); /* $KILN_HOME/blobs/sha256/xx/hex, malloc'd */
int blob_exists(const char *sha256hex, uint64_t size);
/* adopt a verified temporary file into the blob store (rename) */
int blob_adopt(const char *tmp_path, const char *sha256hex, struct kerr *e);
/* store bytes as a blob (atomically) */
int blob_put(const void *p, size_t n, char hex_out[SHA256_HEX_LEN + 1], struct kerr *e);

/* ---- libraries loaded on first use (lib/curl_lazy.c, lib/solvext_lazy.c) ---- */
/* dlopen(soname) or NULL, having warned (naming the Debian package to install) */
void *lazy_open(const char *soname, const char *package);
/* *fp = the function `name` of h; -1 (warned) when it is missing */
int lazy_sym(void *h, const char *soname, const char *name, void *fp);

/* ---- HTTP fetch (libcurl) ---- */
struct fetch_opts {
	int offline;	 /* never touch the network */
	int max_retries; /* default 3 */
	int parallel;	 /* fetch_many workers, default 4 */
	long timeout_s;	 /* per transfer stall timeout; default 60 */
};
void fetch_opts_default(struct fetch_opts *o);

/* Fetch a URL whose content we cannot know beforehand (InRelease) into a
 * temporary file under dir. If etag_path exists and the server answers 304,
 * *not_modified is set and nothing is written. Returns path in *out. */
struct fetch_result {
	char *path;	  /* temp file holding the body (caller renames/unlinks) */
	int not_modified; /* 304 */
	long http_code;
	char *validator; /* Last-Modified header value, for If-Modified-Since */
};
int fetch_url(const char *url, const char *tmpdir, const char *if_modified_since,
	      const struct fetch_opts *o, struct fetch_result *r, struct kerr *e);
void fetch_result_free(struct fetch_result *r);

/* One file known by its sha256 and size: the blob store is checked first;
 * otherwise it is downloaded (resuming a partial download), verified, fsynced
 * and renamed into place. `what` names the file in messages. */
struct fetch_item {
	const char *url;
	const char *sha256;
	uint64_t size; /* UINT64_MAX: unknown */
	const char *what;
	/* results */
	int status; /* 0 or -code */
	struct kerr err;
	int from_cache;
	/* A file whose sha256 is not known beforehand (an APKINDEX gives only a
	 * sha1 of a package's control part): sha256 NULL and check set. The whole
	 * download (size checked when known) goes to check, which must approve
	 * it; only then is it stored under the sha256 computed, in got_sha256. */
	int (*check)(const char *path, void *ud, struct kerr *e);
	void *check_ud;
	char got_sha256[SHA256_HEX_LEN + 1];
};
int fetch_blob(struct fetch_item *it, const struct fetch_opts *o, struct kerr *e);
/* many at once on o->parallel threads; returns 0 if all succeeded, else the
 * first failure's code with e filled from it */
int fetch_many(struct fetch_item *items, size_t n, const struct fetch_opts *o, struct kerr *e);

/* ---- time ---- */
double now_monotonic(void);
/* parse an RFC 2822 UTC date ("Sat, 10 Feb 2024 10:04:32 UTC"); -1 on error */
int64_t parse_rfc2822_utc(const char *s);

#endif
