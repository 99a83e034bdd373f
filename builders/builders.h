/* builders.h - the builders stage: LOCK -> cached build root -> source
 * unpacked -> build in the sandbox -> outputs + BUILD RECORD. */
#ifndef KILN_BUILDERS_H
#define KILN_BUILDERS_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "distros/distros.h"
#include "lib/kiln.h"
#include "solver/solver.h"

/* The build user every Debian build runs as (fixed: uids/gids and names can
 * end up in build logs, .buildinfo and, without fakeroot, in data.tar). HOME
 * is /nonexistent, as on Debian's buildds. */
#define BUILD_USER "kiln"
#define BUILD_UID 1000
#define BUILD_GID 1000

/* ---------------- .deb files (debextract.c) ---------------- */

/* The ./control file of a .deb's control.tar, as text. */
int deb_read_control(const char *deb, struct kbuf *out, struct kerr *e);

struct deb_extract_opts {
	/* Top-level symlinks of the root that entries may pass through (the
	 * merged-/usr aliases kiln made itself: "bin", "lib", ...). Every other
	 * symlink in an entry's parent path is refused. NULL-terminated. */
	const char *const *aliases;
	int set_owner; /* chown to the archive's numeric ids (needs privilege) */
	uid_t id_base; /* added to those ids: the host id of the sandbox's root */
};

/* Unpack a .deb's data.tar into the directory root_fd, refusing absolute
 * paths, "..", writes through symlinks, device nodes, fifos and sockets. On
 * error the message names the .deb and the member; the caller discards the
 * half-made tree. */
int deb_extract_data(const char *deb, int root_fd, const struct deb_extract_opts *o,
		     struct kerr *e);
/* The same rules for any tar stream open in libarchive (an .apk's data
 * stream): what names the file, stream the part of it, in messages. */
struct archive;
int tar_extract_safe(struct archive *a, const char *what, const char *stream, int root_fd,
		     const struct deb_extract_opts *o, struct kerr *e);
/* Unpack a source archive (tar, compressed or not, or zip) into root_fd with
 * the same refusals (owners are not kept); the caller discards a half-made
 * tree on error. */
int source_archive_extract(const char *path, int root_fd, struct kerr *e);

/* ---------------- build roots (debroot.c) ---------------- */

struct root_opts {
	struct fetch_opts fetch;
	int rebuild;	 /* ignore a cached root and make it again */
	int cached_only; /* never prepare: KILN_ENOTFOUND when not cached */
	/* set by a signal handler: stop preparing (KILN_EINTR), leave nothing */
	volatile sig_atomic_t *cancel;
};

/* Download every package of the lock (verified), and make or reuse the root
 * $KILN_HOME/roots/<root id>. *path gets the root directory (malloc'd),
 * *cached whether it already existed, *hold_fd a shared lock on it that keeps
 * kiln cache gc away until closed. Two kilns never prepare one root at once:
 * the second waits for the first and reuses its result. */
int debroot_prepare(const struct lock *l, const struct root_opts *o, char **path, int *cached,
		    int *hold_fd, struct kerr *e);

/* The root's name in the cache: sha256 of the package set (and kiln's root
 * recipe version), so sources with one build environment share a root. */
void debroot_id(const struct lock *l, char out[SHA256_HEX_LEN + 1]);

/* The merged-/usr aliases a bookworm root has at its top (NULL-terminated). */
extern const char *const debroot_aliases[];

/* ---------------- the cache (cache.c) ---------------- */

struct cache_item {
	char *kind; /* "root" | "blob" | "work" */
	char *name; /* lock sha256, blob sha256, work dir name */
	char *path;
	uint64_t bytes;
	int64_t mtime;
	int busy; /* a kiln holds it right now */
};

struct cache_list {
	struct cache_item *v;
	size_t n;
};

int cache_list(struct cache_list *out, struct kerr *e);
void cache_list_free(struct cache_list *l);

struct cache_gc_opts {
	int roots;	      /* remove prepared roots */
	int blobs;	      /* remove blobs not named by any index or kept root */
	int64_t older_than_s; /* only items unused for this long; 0 = all */
	int dry_run;
};

/* Remove what the options select, never anything in use; stale work dirs of
 * dead builds always go. Removed items are listed in *removed. */
int cache_gc(const struct cache_gc_opts *o, struct cache_list *removed, struct kerr *e);

/* ---------------- the build (debbuild.c) ---------------- */

enum build_kind {
	BUILD_BINARY = 0, /* dpkg-buildpackage -b (default) */
	BUILD_ARCH,	  /* -B */
	BUILD_INDEP,	  /* -A */
	BUILD_FULL,	  /* source + binary */
};

struct build_opts {
	const char *outdir; /* where outputs go (created) */
	enum build_kind kind;
	const char *profiles; /* DEB_BUILD_PROFILES, comma or space separated */
	int nocheck;
	int parallel;	      /* DEB_BUILD_OPTIONS parallel=N; 0: 1 */
	int log_to_terminal;  /* stream the log (else only the log file) */
	double timeout_s;     /* 0: none */
	const char *hostname; /* default "kiln" */
	struct root_opts root;
	const char *distro_name;
	volatile sig_atomic_t *cancel; /* set by a signal handler: stop, clean up */
	/* kiln verify: the unpacked source tree's path (a .buildinfo's
	 * Build-Path, under /build/); NULL: /build/reproducible-path/SRC-UPSTREAM */
	const char *build_path;
	/* kiln verify: NAME=value variables replacing kiln's value of NAME, or
	 * added (a .buildinfo's Environment); a bare NAME unsets kiln's;
	 * SOURCE_DATE_EPOCH among them replaces the changelog's date. NULL: none */
	const struct strv *environment;
};

/* Is path usable as build_opts.build_path: absolute, under /build/, at least
 * two levels below it, only [A-Za-z0-9._+~-] in its components, no "." or
 * ".." component? 0 or -KILN_EUSAGE naming what is wrong. */
int build_path_check(const char *path, struct kerr *e);

/* A source package whose files (the .dsc first) sit in srcdir, already
 * verified against their hashes. */
struct build_source {
	const struct source_pkg *pkg;
	const char *srcdir;
	const char *dsc_name;
};

struct build_result {
	char *outdir;
	struct strv outputs; /* file names in outdir (log and record included) */
	char *log_path;	     /* where the log is (outdir, or the work dir on failure) */
	char *record_path;
	const char *failed_step; /* static string naming the step, NULL on success */
	int64_t source_date_epoch;
	double seconds_root, seconds_build, seconds_total;
	int root_cached;
};

void build_result_free(struct build_result *r);

/* Make the root for the lock, unpack the source at the Debian build path with
 * the root's dpkg-source, run dpkg-buildpackage in the sandbox as the build
 * user, and move the outputs, log and build record into o->outdir. */
int debian_build(const struct build_source *src, const struct lock *l, const struct build_opts *o,
		 struct build_result *r, struct kerr *e);

/* Async-signal-safe: kill the sandbox a build (or root preparation) is
 * running in; the interrupted step then fails and the build cleans up. */
void builders_interrupt(void);

/* Verify the files a .dsc lists (in the .dsc's directory) and describe it. */
int dsc_load(const char *dsc_path, struct source_pkg *out, struct kerr *e);

/* ---------------- helpers shared with tests ---------------- */

/* SOURCE_DATE_EPOCH as dpkg derives it: the date of the first trailer line
 * of debian/changelog. -1 with e set when there is none. */
int64_t changelog_timestamp(const char *text, size_t len, const char *file, struct kerr *e);

/* The upstream part of a Debian version: no epoch, no -revision. malloc'd. */
char *deb_upstream_version(const char *version);

/* The build environment of a source for this build (kind, profiles): the
 * distro's base set, fakeroot (for packages that need root) and the build
 * dependencies, resolved by the solver over the last verified indices. */
int debian_build_lock(const struct distro *d, const struct source_pkg *s,
		      const struct build_opts *o, struct lock *out, struct kerr *e);

#endif
