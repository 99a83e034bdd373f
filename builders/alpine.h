/* alpine.h - the Alpine half of the builders stage (contract between the
 * files below; fields may be added, never changed in meaning):
 *
 *   APKBUILD dir --apkbuild_evaluate (in the sandbox)--> struct apkbuild
 *   struct apkbuild + verified APKINDEX --apk_resolve--> struct lock
 *   struct lock --apkroot_prepare--> roots/<id> (read-only, cached)
 *   sources (next to the APKBUILD, or the sha512 source cache)
 *   --alpine_build: prepare/build/check/package + split functions in the
 *     sandbox as the build user--> $pkgdir trees
 *   --apk_write_package--> signed .apk v2 files + build record
 */
#ifndef KILN_BUILDERS_ALPINE_H
#define KILN_BUILDERS_ALPINE_H

#include "builders/builders.h"

/* ---------------- APKBUILD evaluation (apkbuild_eval.c) ---------------- */

/* What an APKBUILD sets, read by running it with a shell inside the sandbox
 * (network off, seccomp on, the APKBUILD's directory bound read-only); the
 * host never sources it. Lists are split on white space, in order. */
struct apkbuild {
	char *dir; /* absolute path of the directory holding APKBUILD */
	char *pkgname, *pkgver, *pkgrel, *pkgdesc, *url, *license, *builddir;
	struct strv arch, depends, makedepends, checkdepends, subpackages, source, options,
		install, triggers;
	struct strv sha512sums; /* "HEX  NAME" pairs flattened: HEX, NAME, HEX, NAME... */
	struct strv provides, replaces, install_if; /* used when writing packages */
	struct apk_secfixes secfixes;		    /* from the "# secfixes:" block */
	struct strv functions; /* shell functions it defines (prepare build check package
				  and the split functions), sorted */
	/* added: */
	char *maintainer; /* "# Maintainer:" comment, or NULL */
	char *provider_priority, *replaces_priority;
	struct strv pkgusers, pkggroups;
};
void apkbuild_free(struct apkbuild *ab);

/* Evaluate dir/APKBUILD in the sandbox. Errors name the file: a missing
 * pkgname/pkgver/pkgrel, a shell error, a timeout (KILN_EPARSE/KILN_EFAIL). */
int apkbuild_evaluate(const char *dir, struct apkbuild *out, struct kerr *e);
/* (added) Read "name\0value\0" pairs up to "kiln-end\0\0" (what the
 * evaluation and the build's metadata step print) into ab: the variables
 * above by name, "function" into functions. Anything else: KILN_EPARSE. */
int apkbuild_parse_vars(struct apkbuild *ab, const struct kbuf *b, const char *file,
			struct kerr *e);
/* (added, builders-internal) Run argv in the sandbox over the host's /
 * read-only (network off, seccomp, the build uid, mounts added), stdout and
 * stderr each capped at max_out bytes (more: SIGXFSZ) into out and err. */
struct sandbox_mount;
int apk_host_view_run(char *const *argv, char *const *env, const struct sandbox_mount *mounts,
		      size_t nmounts, double timeout_s, size_t max_out, struct kbuf *out,
		      struct kbuf *err, int *status, struct kerr *e);
/* the same with another timeout than the default 30 s */
int apkbuild_evaluate_timeout(const char *dir, double timeout_s, struct apkbuild *out,
			      struct kerr *e);

/* The JSON object `kiln info --json` prints (caller frees). */
char *apkbuild_to_json(const struct apkbuild *ab);

/* ---------------- the sha512 source cache (apksource.c) ----------------
 * $KILN_HOME/sources/sha512/<2 hex>/<128 hex>: remote source= URLs are
 * looked up here by the sha512 the APKBUILD's sha512sums give. */
int apk_source_cache_add(const char *file, char sha512_hex[129], struct kerr *e);
/* path of the cached file (malloc'd), or KILN_ENOTFOUND */
int apk_source_cache_path(const char *sha512_hex, char **path, struct kerr *e);

/* (added) The sources of an APKBUILD, each verified against sha512sums: a
 * local file next to the APKBUILD, or a URL ("name::url" too) found in the
 * cache by its sha512sums entry. A missing entry, a missing file or a
 * mismatch is an error naming the file (KILN_EVERIFY / KILN_ENOTFOUND).
 * With dest, each is copied there under its file name, in source= order. */
struct apk_source {
	char *name;   /* file name in $srcdir */
	char *origin; /* the source= entry */
	char sha256[SHA256_HEX_LEN + 1];
	char sha512[129];
	uint64_t size;
	int remote;
};
struct apk_sources {
	struct apk_source *v;
	size_t n;
};
int apk_sources_verify(const struct apkbuild *ab, const char *dest, struct apk_sources *out,
		       struct kerr *e);
void apk_sources_free(struct apk_sources *s);

/* ---------------- solving (solver side: apk_resolve) ----------------
 * The lock for an APKBUILD: makedepends, depends and (unless nocheck)
 * checkdepends, plus the distro's base set (build_essential of the
 * definition, e.g. busybox), against the verified indices of d. lock_pkg:
 * name, version (apk form), arch, checksum (the index's C: "Q1..."), size,
 * filename (path under mirror: "<suite>/<repo>/<arch>/<name>-<ver>.apk"),
 * mirror; sha256 is the .apk file's sha256 once known (NULL in a fresh
 * lock). Order: libsolv's transaction order. */
struct apk_resolve_opts {
	int nocheck; /* leave checkdepends out */
	int offline;
};
int apk_resolve(const struct distro *d, const struct apkbuild *ab, const struct apk_resolve_opts *o,
		struct lock *out, struct kerr *e);

/* ---------------- roots (apkroot.c) ---------------- */

/* Download the lock's .apk files into the blob store, check each one's
 * signature (keys_dir) and datahash, extract safely (no absolute paths, no
 * "..", no writes through symlinks, no device nodes), run their install
 * scripts in the sandbox's root-preparation profile, write
 * lib/apk/db/installed, create the build user (BUILD_USER/BUILD_UID) and
 * /home/build, and keep the result read-only as roots/<id>. Nothing is
 * installed when any package fails a check. Same semantics as
 * debroot_prepare for path/cached/hold_fd. */
int apkroot_prepare(const struct lock *l, const char *keys_dir, const struct root_opts *o,
		    char **path, int *cached, int *hold_fd, struct kerr *e);
void apkroot_id(const struct lock *l, char out[SHA256_HEX_LEN + 1]);

/* ---------------- writing .apk v2 (apkwrite.c) ---------------- */

struct apk_script {
	const char *name; /* ".pre-install", ".post-install", ".trigger", ... */
	const char *path; /* file with its text */
};

struct apk_write_opts {
	/* .PKGINFO: pkgname pkgver pkgdesc url builddate packager size arch
	 * origin commit maintainer license replaces provider_priority
	 * install_if depend provides triggers datahash, as abuild writes them.
	 * size and datahash are computed; so:/cmd:/pc: provides and so:
	 * depends are added from the tree as abuild's scanners do. */
	const struct apk_pkg *meta;
	const struct apk_script *scripts;
	size_t nscripts;
	const struct strv *triggers;
	int64_t source_date_epoch; /* builddate, and every mtime is clamped to it */
	const char *key_path;	   /* PEM RSA private key */
	const char *key_name;	   /* "name.rsa.pub": the signature entry name */
	const char *packager;	   /* .PKGINFO packager; NULL: "Unknown", as abuild */
	/* the kiln owners file: lines "PATH OWNER GROUP" (PATH relative to
	 * datadir, names as in /etc/passwd); other entries are root:root. NULL:
	 * none. Ids in the tar are always 0: apk maps names at install. */
	const char *owners_path;
};

/* Write the signed .apk for the tree at datadir (its files become root:root
 * unless the tree says otherwise through a kiln owners file; sorted
 * entries, per-file APK-TOOLS.checksum.SHA1 PAX headers, deterministic
 * gzip), atomically to out_path. */
int apk_write_package(const char *datadir, const struct apk_write_opts *o, const char *out_path,
		      struct kerr *e);

/* ---------------- ELF dynamic sections (elfscan.c) ---------------- */

struct elf_dyninfo {
	int type;	    /* e_type: 2 ET_EXEC, 3 ET_DYN */
	int dynamic;	    /* has a PT_DYNAMIC segment */
	char *soname;	    /* DT_SONAME or NULL */
	struct strv needed; /* DT_NEEDED, in order, without repeats */
	struct strv rpath;  /* DT_RPATH and DT_RUNPATH entries, split on ':' */
};
/* Read the dynamic section of the ELF image p[0..n). 1: not ELF; 0: read
 * (dynamic 0 for static files); -KILN_EPARSE naming `what` when an offset
 * or a string lies outside the file or a name is not printable. */
int elf_dyninfo_read(const void *p, size_t n, const char *what, struct elf_dyninfo *out,
		     struct kerr *e);
void elf_dyninfo_free(struct elf_dyninfo *d);

/* ---------------- the build (apkbuild.c) ---------------- */

struct alpine_build_opts {
	struct build_opts b;	     /* outdir, timeout, parallel, cancel, root, ... */
	int64_t source_date_epoch;   /* -1: from the recipe (see apkbuild_plan.c) */
	const char *key_path;	     /* package signing key; NULL: kiln's own */
	const char *keys_dir;	     /* trusted repository keys; NULL: the distro's */
};

/* kiln build alpine:vX.YY DIR */
int alpine_build(const char *dir, const struct distro *d, const struct alpine_build_opts *o,
		 struct build_result *r, struct kerr *e);

#endif
