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

#endif
