/* distros.h - the distros stage: distro definitions, and verified access to
 * their archives (Debian: Release/Packages/Sources/.dsc; deb822 parsing). */
#ifndef KILN_DISTROS_H
#define KILN_DISTROS_H

#include "lib/kiln.h"

/* ---------------- distro definitions (distros/defs/NAME.conf) ---------------- */

struct suite_def {
	char *name;	   /* bookworm, bookworm-security */
	char *mirror;	   /* effective URL, overrides applied */
	char *mirror_name; /* which override applies: "debian", "debian-security" */
	struct strv components;
};

struct distro {
	char *name;	/* debian:bookworm-security */
	char *family;	/* debian | alpine */
	char *codename; /* bookworm */
	char *version;	/* 12 */
	char *def_path; /* the definition file it came from */
	struct suite_def *suites;
	size_t nsuites;
	struct strv architectures;   /* host architectures: amd64 */
	struct strv keyrings;	     /* OpenPGP keyring files trusted for Release */
	struct strv build_essential; /* extra base-set names beyond Essential: yes */
	char *build_path;	     /* /build/reproducible-path */
	char *backport_suffix;	     /* +deb12u */
	char *security_suite;	     /* bookworm-security */
	char *next_suite;	     /* the following release's suite, for backports */
};

/* Mirror overrides, strongest first: --mirror/--security-mirror, then
 * KILN_MIRROR/KILN_SECURITY_MIRROR, then the config file ("NAME = URL" lines;
 * --config FILE, else $KILN_CONFIG, else /etc/kiln/mirrors.conf), then the
 * definition. */
struct distro_overrides {
	const char *mirror;	     /* replaces mirror_name "debian" (the main one) */
	const char *security_mirror; /* replaces "debian-security" */
	const char *config;
	const char *keyring; /* replaces the definition's keyrings */
};

/* Load a definition by name ("debian:bookworm"). Unknown: KILN_ENOTFOUND with
 * a message listing the known ones. Definitions are looked up in
 * $KILN_DISTROS_DIR, then next to the binary (distros/defs), then KILN_DATADIR. */
int distro_load(const char *name, const struct distro_overrides *ov, struct distro **out,
		struct kerr *e);
void distro_free(struct distro *d);
int distro_list(struct strv *names, struct kerr *e);
/* directory holding this distro's verified index state in the cache */
char *distro_state_dir(const struct distro *d);

/* ---------------- deb822 (Packages, Sources, Release, .dsc) ---------------- */

struct deb822_field {
	const char *name;
	size_t name_len;
	const char *value; /* raw: leading space trimmed, continuation lines kept */
	size_t value_len;
};

struct deb822_para {
	struct deb822_field *f;
	size_t n, cap;
	size_t line; /* first line of the paragraph, 1-based */
};

struct deb822_parser {
	const char *p, *end;
	size_t line;
	const char *file; /* for messages */
};

/* The text must stay alive while paragraphs are used (zero-copy). A signed
 * wrapper must be removed first with deb822_strip_signature. */
void deb822_init(struct deb822_parser *ps, const char *data, size_t len, const char *file);
/* 1: a paragraph was read; 0: end of input; <0: error (KILN_EPARSE) */
int deb822_next(struct deb822_parser *ps, struct deb822_para *para, struct kerr *e);
void deb822_para_free(struct deb822_para *para);
/* case-insensitive lookup; NULL when absent */
const struct deb822_field *deb822_field(const struct deb822_para *p, const char *name);
/* the value as a new string: CR removed, continuation lines joined with '\n'
 * (the leading space of each continuation line removed), trailing space trimmed */
char *deb822_get(const struct deb822_para *p, const char *name);
/* If data is an OpenPGP cleartext-signed message, return (malloc'd) the
 * signed text with dash-escaping undone; else a copy. *signed_ = 1 if it was. */
int deb822_strip_signature(const char *data, size_t len, struct kbuf *out, int *signed_,
			   const char *file, struct kerr *e);

/* ---------------- Debian archives ---------------- */

/* one file listed in a Release hash section */
struct release_file {
	char *path; /* relative to dists/<suite>/ */
	uint64_t size;
	char sha256[SHA256_HEX_LEN + 1];
};

struct release {
	char *suite, *codename, *origin, *label, *version;
	int64_t date, valid_until; /* -1 when absent */
	int acquire_by_hash;
	int no_arch_all_packages; /* No-Support-for-Architecture-all: Packages */
	struct strv architectures, components;
	struct release_file *files;
	size_t nfiles;
};

int release_parse(const char *text, size_t len, const char *file, struct release *r,
		  struct kerr *e);
void release_free(struct release *r);
const struct release_file *release_find(const struct release *r, const char *path);

/* Verify an OpenPGP detached signature (armored or binary; it may hold several
 * signatures) over data, with libsolv against the given keyring files. Passes
 * when at least one signature by a trusted key verifies. *keyid gets the
 * signing key id (16 hex) of the first good one. */
int pgp_verify_detached(const void *data, size_t len, const void *sig, size_t siglen,
			const struct strv *keyrings, const char *what, char keyid[17],
			struct kerr *e);

/* Verify an OpenPGP cleartext-signed message (InRelease, a signed .dsc): the
 * text (dash-escaping undone) goes to *text only after a good signature. */
int pgp_verify_cleartext(const void *msg, size_t len, const struct strv *keyrings,
			 const char *what, char keyid[17], struct kbuf *text, struct kerr *e);

struct update_opts {
	struct fetch_opts fetch;
	int64_t now;	  /* for Valid-Until checks; 0 = time(NULL) */
	int with_sources; /* default 1 */
	int no_check_valid_until; /* snapshot mirrors: warn instead of refusing */
};

struct update_report {
	size_t suites, indices_downloaded, indices_cached;
	int releases_unchanged; /* how many Release files were 304 / identical */
	double seconds;
};

/* kiln update: fetch Release+Release.gpg per suite, verify, fetch Packages
 * and Sources per component/arch (xz, by-hash), verify against the Release,
 * store in blobs, and record the verified snapshot under the state dir. */
int debian_update(const struct distro *d, const struct update_opts *o, struct update_report *rep,
		  struct kerr *e);

/* The verified, uncompressed index files of the last update, as blob paths,
 * in definition order (suite by suite). kind: "Packages" or "Sources". For
 * Packages, arch selects binary-<arch> ("all" is included with the host arch
 * when the archive lists it separately). Error KILN_ENOTFOUND when the distro
 * was never updated ("run kiln update DISTRO"). */
struct index_file {
	char *path;  /* blob path of the uncompressed file */
	char *suite; /* bookworm-security */
	char *component;
	char *mirror; /* base URL, for pool downloads */
	char sha256[SHA256_HEX_LEN + 1];
};
struct index_list {
	struct index_file *v;
	size_t n;
};
int debian_index_files(const struct distro *d, const char *kind, const char *arch,
		       struct index_list *out, struct kerr *e);
void index_list_free(struct index_list *l);

/* One line of a suite's manifest of verified indices (indices/DISTRO/SUITE/indices):
 * KIND COMPONENT ARCH SHA256 SIZE. A keep function says whether an entry is
 * wanted (1) and, if so, the mirror URL its files come from. */
struct manifest_entry {
	const char *kind, *component, *arch, *sha256;
	uint64_t size;
};
typedef int (*manifest_keep_fn)(const struct manifest_entry *m, const struct suite_def *s,
				void *ud, char **mirror);
/* the kept entries of every suite's manifest, as blob paths, under the state lock */
int distro_manifest_files(const struct distro *d, manifest_keep_fn keep, void *ud,
			  struct index_list *out, struct kerr *e);

/* ---------------- Debian source packages ---------------- */

struct source_file {
	char *name;
	uint64_t size;
	char sha256[SHA256_HEX_LEN + 1];
};

struct source_pkg {
	char *package, *version, *format, *directory, *architecture;
	char *build_depends, *build_depends_arch, *build_depends_indep;
	char *build_conflicts, *build_conflicts_arch, *build_conflicts_indep;
	char *binary; /* comma list */
	char *mirror; /* the mirror whose pool holds it */
	char *suite;
	struct source_file *files;
	size_t nfiles;
};

void source_pkg_free(struct source_pkg *s);
/* fill a source_pkg from one Sources (or .dsc) paragraph */
int source_pkg_from_para(const struct deb822_para *p, const char *file, struct source_pkg *s,
			 struct kerr *e);
/* Find SRC (version NULL = newest) in the distro's verified Sources. Absent
 * version: KILN_ENOTFOUND listing the versions there are. */
int debian_find_source(const struct distro *d, const char *name, const char *version,
		       struct source_pkg *out, struct kerr *e);
/* Download the .dsc and every file it lists into the blob store, verify them
 * against the Sources entry and the .dsc, and copy them into outdir (if not
 * NULL). *dsc_signed reports whether the .dsc signature could be checked:
 * 1 good, 0 no key available, -1 not signed. */
int debian_fetch_source(const struct source_pkg *s, const char *outdir, const struct fetch_opts *fo,
			const char *keyring, int *dsc_signed, struct kerr *e);

/* Debian version comparison (dpkg's rules): <0, 0, >0 */
int deb_version_cmp(const char *a, const char *b);
/* validate a version string as dpkg would; 0 or -KILN_EPARSE */
int deb_version_check(const char *v, struct kerr *e);

/* ---------------- Alpine ---------------- */
/* distros/alpine/: apk versions, APKINDEX, .apk packages, the installed
 * database, signatures, and loading apk packages into a libsolv pool. */

/* apk-tools generation whose rules a release follows: 2 up to v3.22, 3 from v3.23 */
enum apk_gen { APK_GEN2 = 2, APK_GEN3 = 3 };

/* Alpine-only fields of a definition (Keys-Dir, Apk-Tools, Arch), read again
 * from d->def_path. Keys-Dir is relative to the definition's directory unless
 * absolute. */
struct alpine_def {
	int apk_gen;	/* 2 or 3 */
	char *keys_dir; /* trusted *.rsa.pub files */
	char *arch;	/* x86_64 */
};
int alpine_def_load(const struct distro *d, struct alpine_def *out, struct kerr *e);
void alpine_def_free(struct alpine_def *a);
/* the generation of a distro (2 when d is not Alpine or says nothing) */
int alpine_apk_gen(const struct distro *d);

/* ---- versions (apkversion.c) ---- */
int apk_version_valid(int gen, const char *v);
/* <0, 0, >0 by apk-tools' rules (invalid versions compare as apk-tools would) */
int apk_version_cmp(int gen, const char *a, const char *b);
/* dependency "name~pattern": 2.x: either is a prefix of the other; 3.x:
 * pattern's tokens are a prefix of version's */
int apk_version_fuzzy_match(int gen, const char *version, const char *pattern);
/* Append to out a string that libsolv (DISTTYPE_DEB) orders exactly as apk
 * orders the apk versions. Invalid versions: -KILN_EPARSE. */
int apk_version_to_evr(int gen, const char *v, struct kbuf *out, struct kerr *e);

/* ---- dependency atoms (apkdep.c): [!]name[@tag][op version] ---- */
enum apk_dep_op {
	APK_DEP_ANY = 0,
	APK_DEP_EQ,
	APK_DEP_LT,
	APK_DEP_LE,
	APK_DEP_GT,
	APK_DEP_GE,
	APK_DEP_FUZZY,	  /* ~ (also =~) */
	APK_DEP_CHECKSUM, /* >< */
	APK_DEP_LT_FUZZY, /* <~ (apk 3) */
	APK_DEP_GT_FUZZY, /* >~ (apk 3) */
};
struct apk_dep {
	char *name; /* "so:libc.musl-x86_64.so.1", "cmd:curl", "zlib" */
	char *tag;  /* @tag, or NULL */
	char *version;
	enum apk_dep_op op;
	int conflict; /* leading '!' */
};
int apk_dep_parse(const char *atom, struct apk_dep *d, struct kerr *e);
void apk_dep_free(struct apk_dep *d);
const char *apk_dep_op_str(enum apk_dep_op op);

/* ---- packages: an APKINDEX stanza / installed db record / .PKGINFO ---- */
struct apk_file_entry { /* installed db R: lines */
	char *name;
	unsigned uid, gid, mode; /* a: (mode 0 = default) */
	char *checksum;		 /* Z: "Q1..." or NULL */
};
struct apk_dir_entry { /* installed db F: lines */
	char *path;
	unsigned uid, gid, mode; /* M: (mode 0 = default) */
	struct apk_file_entry *files;
	size_t nfiles;
};
struct apk_pkg {
	char *checksum; /* C: as written, "Q1<base64 sha1>" */
	unsigned char csum[32];
	size_t csum_len; /* 20 for Q1 sha1, 16 for legacy md5 */
	char *name, *version, *arch, *description, *url, *license, *origin, *maintainer, *commit;
	uint64_t size, installed_size;
	int64_t build_time;
	int64_t provider_priority; /* k: */
	int has_provider_priority;
	struct strv depends, provides, install_if; /* raw atoms, in order */
	struct strv replaces;			   /* r: (installed db) */
	int64_t replaces_priority;		   /* q: */
	char *repo_tag;				   /* s: */
	char *broken;				   /* f: */
	char *datahash;				   /* .PKGINFO datahash (sha256 hex) */
	int uninstallable;			   /* an unknown upper-case field was present */
	struct apk_dir_entry *dirs;		   /* installed db */
	size_t ndirs;
	char *filename; /* .apk it was read from (kiln index), else NULL */
};
void apk_pkg_free(struct apk_pkg *p); /* frees members, not p */

struct apk_index {
	struct apk_pkg *pkgs;
	size_t n, cap;
	char *description; /* DESCRIPTION member, if any */
	char *signer;	   /* key file name that verified the signature */
};
void apk_index_free(struct apk_index *idx);

/* "Q1<base64>" / "X1<hex>" / 32 hex (md5) -> bytes; 0 or -KILN_EPARSE */
int apk_checksum_decode(const char *s, unsigned char out[32], size_t *len);
/* 20-byte sha1 -> "Q1<base64>" (31 bytes with NUL) */
void apk_checksum_encode_q1(const unsigned char sha1[20], char out[32]);

/* Parse APKINDEX text (stanzas of "X:value", blank line between). file names
 * the source in messages. */
int apk_index_parse_text(const char *text, size_t len, const char *file, struct apk_index *idx,
			 struct kerr *e);
/* Parse an installed database (/lib/apk/db/installed). */
int apk_installed_parse(const char *text, size_t len, const char *file, struct apk_index *db,
			struct kerr *e);
/* the same, from a file (a root's lib/apk/db/installed) */
int apk_installed_read(const char *path, struct apk_index *db, struct kerr *e);
/* the installed database text for db, in apk-tools' order (index lines, r: q:
 * s: f:, then F:/M: per directory and R:/a:/Z: per file; mode 0 = default,
 * not written) */
void apk_installed_format(const struct apk_index *db, struct kbuf *out);

/* ---- signed gzip streams (apksign.c, apkgz.c) ---- */
/* the members of a concatenated gzip file: compressed and inflated bytes */
struct gz_member {
	const unsigned char *raw; /* points into the caller's buffer */
	size_t raw_len;
	struct kbuf data; /* inflated */
};
struct gz_members {
	struct gz_member *m;
	size_t n;
};
/* Inflated bytes are kept for the first `keep` members only (the rest are
 * inflated to find their ends, and counted against max_inflated). */
int gz_split_members(const void *p, size_t n, size_t max_members, size_t keep, size_t max_inflated,
		     const char *file, struct gz_members *out, struct kerr *e);
void gz_members_free(struct gz_members *g);
/* deterministic gzip (like gzip -n -9): no name, mtime 0 */
int gz_compress(const void *p, size_t n, struct kbuf *out, struct kerr *e);

/* Verify that member sig (a tar of .SIGN.* entries) signs the raw bytes of
 * signed with a key in keys_dir. *signer gets the key file name. Errors:
 * KILN_EVERIFY (bad signature, no trusted key), naming file. */
int apk_verify_signature(const struct gz_member *sig, const void *signed_data, size_t signed_len,
			 const char *keys_dir, const char *file, char **signer, struct kerr *e);
/* The gzip'd, cut signature tar for data: entry ".SIGN.RSA.<key_name>" (sha1)
 * or ".SIGN.RSA256.<key_name>" (sha256), signed with the PEM private key. */
int apk_sign_member(const void *data, size_t len, const char *private_key_path,
		    const char *key_name, int sha256, int64_t mtime, struct kbuf *out,
		    struct kerr *e);

/* ---- tar headers for apk members (apktar.c) ---- */
struct apk_tar_hdr {
	const char *name;     /* first 100 bytes kept: longer names need a pax "path" */
	const char *linkname; /* NULL or up to 100 bytes (else a pax "linkpath") */
	unsigned mode;
	char type; /* '0' file, '1' hard link, '2' symlink, '5' directory, 'x' pax */
	uint64_t size;
	int64_t mtime;
	const char *uname, *gname; /* owner names (NULL: none); ids are always 0 */
	int gnu_magic;		   /* old GNU "ustar  " magic, else POSIX "ustar\0" "00" */
};
/* one 512-byte header */
void apk_tar_header(struct kbuf *out, const struct apk_tar_hdr *h);
/* the zero bytes that complete a member of size bytes to a 512-byte record */
void apk_tar_pad(struct kbuf *out, uint64_t size);
/* Append one regular-file tar entry (header + data + padding) to out.
 * gnu_magic: old GNU "ustar  " magic and root/root names, as apk writes the
 * APKINDEX tar; else POSIX ustar with numeric owners only. */
void tar_add_file(struct kbuf *out, const char *name, const void *data, size_t len, unsigned mode,
		  int64_t mtime, int gnu_magic);
/* the two zero blocks that end a tar */
void tar_add_end(struct kbuf *out);

/* ---- APKINDEX.tar.gz (apkindex.c) ---- */
/* Read, verify against keys_dir, and parse. */
int apk_index_read(const char *path, const char *keys_dir, struct apk_index *idx, struct kerr *e);
/* same, from memory */
int apk_index_read_mem(const void *p, size_t n, const char *file, const char *keys_dir,
		       struct apk_index *idx, struct kerr *e);
/* the APKINDEX text for packages, as apk index writes it */
void apk_index_format(const struct apk_index *idx, struct kbuf *out);

/* ---- .apk packages (apkpkg.c) ---- */
/* Read a .apk: the C: checksum (sha1 of the control member), size, and the
 * .PKGINFO fields; when .PKGINFO has a datahash, the data stream must match it
 * (KILN_EVERIFY). keys_dir NULL: the signature is not checked. */
int apk_package_read(const char *path, const char *keys_dir, struct apk_pkg *out, struct kerr *e);
/* Parse .PKGINFO text into the index fields of p. */
int apk_pkginfo_parse(const char *text, size_t len, const char *file, struct apk_pkg *p,
		      struct kerr *e);

struct apk_index_opts {
	const char *private_key;  /* PEM RSA private key */
	const char *key_name;	  /* default: basename(private_key) + ".pub" */
	const char *description;  /* DESCRIPTION member, or NULL */
	const char *rewrite_arch; /* noarch packages are listed as this arch */
	int sha256;		  /* sign RSA256 instead of RSA (sha1) */
	int64_t mtime;		  /* tar mtimes: SOURCE_DATE_EPOCH, else 0 */
};
/* kiln index: a signed APKINDEX.tar.gz for every *.apk in dir, written
 * atomically to out_path. *npkgs gets the count. */
int apk_index_write_dir(const char *dir, const struct apk_index_opts *o, const char *out_path,
			size_t *npkgs, struct kerr *e);

/* ---- kiln update for Alpine (apkupdate.c) ---- */
/* the trusted keys directory: --keyring DIR (d->keyrings[0]) or Keys-Dir */
char *alpine_keys_dir(const struct distro *d, struct kerr *e);
/* Fetch <mirror>/<suite>/<repo>/<arch>/APKINDEX.tar.gz for every suite and
 * repository of d, verify its signature against the keys and parse it, keep
 * it in the blob store, and record the verified snapshot (a manifest per
 * suite) under the state dir. A mirror answering 304 reuses the cached one. */
int alpine_update(const struct distro *d, const struct update_opts *o, struct update_report *rep,
		  struct kerr *e);
/* the verified APKINDEX.tar.gz blobs of the last update (kind "APKINDEX"),
 * in definition order; KILN_ENOTFOUND when never updated */
int alpine_index_files(const struct distro *d, const char *arch, struct index_list *out,
		       struct kerr *e);

/* ---- the "# secfixes:" comment block of an APKBUILD (secfixes.c) ---- */
struct apk_secfix {
	char *version;  /* "1.2.3-r1", or "0" for IDs that never affected it */
	struct strv ids; /* CVE-2024-1234 ... in order */
};
struct apk_secfixes {
	struct apk_secfix *v;
	size_t n;
};
/* Read the block by abuild's line rules (header "# secfixes:", version lines
 * "#   VER:", item lines "#     - ID", "#" blank; it ends at the first
 * non-comment or empty line). No block: 0 entries. A malformed line inside
 * the block: KILN_EPARSE naming file:line. Pure text: the APKBUILD is never
 * run for this. */
int apk_secfixes_parse(const char *text, size_t len, const char *file, struct apk_secfixes *out,
		       struct kerr *e);
void apk_secfixes_free(struct apk_secfixes *s);

/* ---- libsolv (apksolv.c) ---- */
/* Add the packages of idx to repo (a libsolv Repo* in a pool set to
 * DISTTYPE_DEB), with versions mapped by apk_version_to_evr and provides,
 * depends (so:/cmd:/pc: names included), conflicts (!name) and install_if
 * (as supplements). Packages with versions that cannot be mapped are skipped
 * with a warning count in *skipped. Returns 0 or -code. */
struct s_Repo;
int apk_repo_add_index(struct s_Repo *repo, const struct apk_index *idx, int gen, size_t *skipped,
		       struct kerr *e);
/* the apk version of a solvable added by apk_repo_add_index (its evr is
 * the encoding; this is the version to show and to lock) */
struct s_Pool;
const char *apk_solvable_version(struct s_Pool *pool, int solvable);
/* read (verifying against keys_dir) one APKINDEX.tar.gz, e.g. a path from
 * alpine_index_files, and add its packages to repo */
int apk_repo_add_index_file(struct s_Repo *repo, const char *path, const char *keys_dir, int gen,
			    size_t *skipped, struct kerr *e);
/* apk picks among the providers of a name by provider_priority (k:): push a
 * SOLVER_FAVOR job for each package that has one, lowest first, so that
 * libsolv prefers the highest. Call after loading, before solving. */
struct s_Queue;
void apk_pool_add_provider_favors(struct s_Pool *pool, struct s_Queue *job);
/* a dependency atom as a libsolv Id (rel expression), 0 on error */
int apk_dep_to_solv_id(struct s_Repo *repo, const struct apk_dep *d, int gen, int *id,
		       struct kerr *e);

#endif
