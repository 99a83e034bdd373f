/* attest.h - the attest stage: BUILD RECORD -> signing keys, DSSE envelopes,
 * in-toto/SLSA provenance, SPDX 2.3 SBOM, OpenVEX; and verification of them. */
#ifndef KILN_ATTEST_H
#define KILN_ATTEST_H

#include <jansson.h>
#include <stdint.h>

#include "builders/builders.h"
#include "lib/kiln.h"

/*
 * The build record (builders/record.c writes it next to the outputs; one JSON
 * object) - the fields this stage reads. Unknown fields are ignored; missing
 * optional ones are left out of what is rendered. Settings may sit at the top
 * level or under "build", times and versions at the top or under "metadata".
 * A sample: tests/fixtures/record-hello.json.
 *
 *   distro            "debian:bookworm"                                 (required)
 *   source            {"name" (or "package"), "version",                (required)
 *                      "files": [{"name", "sha256", "size"?}],
 *                      "patches": [{"name", "sha256"?} | "name"]?}   applied patches
 *   lock              {"sha256", "arch", "packages": [{"name", "version", "arch",
 *                      "sha256", "size"?, "filename"?, "mirror"?}]}  (required; or
 *                      the bare packages array)
 *   outputs           [{"name": "hello_2.10-3_amd64.deb", "sha256", "size"?}] (required)
 *   arch              host architecture           (else lock.arch, else "amd64")
 *   build.kind        "binary" | "arch" | "indep" | "full"              (optional)
 *   build.build_path  "/build/reproducible-path/hello-2.10"             (optional)
 *   build.environment {"SOURCE_DATE_EPOCH": "...", "LANG": ...}         (optional)
 *   build.source_date_epoch  integer                                    (optional)
 *   profiles          ["nocheck"] or "nocheck noudeb"   (else environment's
 *                     DEB_BUILD_PROFILES)                               (optional)
 *   log               "NAME" or {"name", "sha256"}: a byproduct when its sha256
 *                     is known (from here or from outputs)              (optional)
 *   metadata.invocation_id, metadata.kiln_version                       (optional)
 *   metadata.started, metadata.finished  RFC 3339 UTC or epoch seconds (optional)
 */

/* ---------------- keys (keys.c) ---------------- */

enum key_type { KEY_ED25519 = 0, KEY_ECDSA_P256 };

struct attest_key; /* an OpenSSL key, private or public, with its key id */

/* Parse "ed25519" | "ecdsa-p256"; 0 or -KILN_EUSAGE. */
int key_type_parse(const char *s, enum key_type *t, struct kerr *e);
const char *key_type_name(enum key_type t);

/* Make a key pair: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI
 * PEM), each written atomically. Refuses to replace an existing PREFIX.key
 * unless force. *out (may be NULL) gets the new private key. */
int key_generate(enum key_type t, const char *prefix, int force, struct attest_key **out,
		 struct kerr *e);
/* Load a PEM private key (PKCS#8 or traditional) / public key (SPKI). */
int key_load_private(const char *path, struct attest_key **out, struct kerr *e);
int key_load_public(const char *path, struct attest_key **out, struct kerr *e);
/* kiln's own key, $KILN_HOME/keys/kiln.key (+ .pub), made on first use
 * (Ed25519) under a file lock. *created tells whether it was made now. */
int key_default(struct attest_key **out, int *created, struct kerr *e);
char *key_default_prefix(void); /* $KILN_HOME/keys/kiln, malloc'd */
/* The key to sign with: *key when given, else kiln's default key (made when
 * missing: *created; held in *own for the caller to free; *pub_path names its
 * public half). A public key is refused (KILN_EUSAGE). */
int key_for_signing(const struct attest_key **key, struct attest_key **own, int *created,
		    char **pub_path, struct kerr *e);

/* sha256 of the SubjectPublicKeyInfo DER, lowercase hex */
const char *key_id(const struct attest_key *k);
enum key_type key_type(const struct attest_key *k);
int key_is_private(const struct attest_key *k);
/* the public half as SPKI PEM text (malloc'd) */
char *key_public_pem(const struct attest_key *k);
void key_free(struct attest_key *k);

/* Sign / verify raw bytes: Ed25519 signs the message itself (raw 64-byte
 * signature), ECDSA P-256 signs SHA-256(message) (ASN.1 DER signature). */
int key_sign(const struct attest_key *k, const void *msg, size_t n, struct kbuf *sig,
	     struct kerr *e);
/* 0 when valid, -KILN_EVERIFY when not */
int key_verify(const struct attest_key *k, const void *msg, size_t n, const void *sig,
	       size_t siglen, struct kerr *e);

/* ---------------- DSSE (dsse.c) ---------------- */

#define DSSE_INTOTO_TYPE "application/vnd.in-toto+json"

/* PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body */
void dsse_pae(const char *type, const void *body, size_t n, struct kbuf *out);
/* base64: standard alphabet with padding out; standard or URL-safe, padded
 * or not, in. decode returns 0 or -KILN_EPARSE. */
char *base64_encode(const void *p, size_t n);
int base64_decode(const char *s, struct kbuf *out);

/* Sign body: a new envelope {payloadType, payload, signatures[{keyid, sig}]} */
int dsse_sign(const struct attest_key *k, const char *type, const void *body, size_t n,
	      json_t **envelope, struct kerr *e);
/* Check an envelope: shape, payloadType (if want_type), and that at least one
 * signature verifies with pub (the keyid hint is not trusted). The payload's
 * bytes go to *payload. Errors name `what` (the file). */
int dsse_verify(const json_t *envelope, const struct attest_key *pub, const char *want_type,
		const char *what, struct kbuf *payload, struct kerr *e);

/* ---------------- the build record (record.c) ---------------- */

int record_load(const char *path, json_t **out, struct kerr *e);
/* Check the fields every renderer needs are there and well-formed. */
int record_check(const json_t *rec, const char *what, struct kerr *e);
/* field accessors that tolerate absent/mistyped fields (NULL then) */
const char *record_distro(const json_t *rec);
const char *record_arch(const json_t *rec);
const char *record_source_name(const json_t *rec);
const char *record_source_version(const json_t *rec);
json_t *record_lock_packages(const json_t *rec); /* borrowed array or NULL */
/* a field at the top level, else under "build", else under "metadata" (borrowed) */
json_t *record_field(const json_t *rec, const char *key);
/* "hello_2.10-3_amd64": source, version without epoch, arch (malloc'd) */
char *record_basename(const json_t *rec);
/* RFC 3339 UTC of record field key (string or epoch integer); NULL if absent */
char *record_time(const json_t *rec, const char *key);

/* purl qualifier for a distro name: debian:bookworm -> "debian-12" (from the
 * distro definition when it can be loaded, else "bookworm"). malloc'd. */
char *purl_distro(const char *distro);
/* pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=DISTRO (apk for alpine),
 * name and version percent-encoded. malloc'd. */
char *purl_package(const char *distro, const char *name, const char *version, const char *arch);
/* epoch seconds -> "YYYY-MM-DDThh:mm:ssZ" (malloc'd) */
char *rfc3339_utc(int64_t t);

/* ---------------- in-toto Statement v1 + SLSA Provenance v1 (provenance.c) ---------------- */

#define INTOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"
#define SLSA_PROVENANCE_V1 "https://slsa.dev/provenance/v1"
/* The buildType URIs kiln defines; documented in attest/README.md. */
#define KILN_BUILDTYPE_DEBIAN "https://kiln.invalid/build-types/debian-package/v1"
#define KILN_BUILDTYPE_ALPINE "https://kiln.invalid/build-types/alpine-package/v1"
#define KILN_BUILDER_ID_DEFAULT "https://kiln.invalid/builders/local"

struct provenance_opts {
	const char *builder_id; /* NULL: KILN_BUILDER_ID_DEFAULT */
	/* a rebuild (kiln verify): the record or .buildinfo it reproduces, put in
	 * externalParameters.reproduces as {name, digest} */
	const char *reproduces_name, *reproduces_sha256;
};

/* The Statement for a build record (subjects = outputs with sha256). */
int provenance_statement(const json_t *rec, const struct provenance_opts *o, json_t **out,
			 struct kerr *e);
/* The statement's canonical bytes: compact JSON, keys sorted (malloc'd). */
char *attest_canonical_json(const json_t *j);

/* ---------------- files inside a .deb (debfiles.c) ---------------- */

struct deb_file {
	char *path; /* "./usr/bin/hello" */
	char sha1[41];
	char sha256[SHA256_HEX_LEN + 1];
	uint64_t size;
};

struct deb_contents {
	char *package, *version, *arch; /* from control */
	struct deb_file *files;		/* regular files of data.tar, sorted by path */
	size_t n;
};

/* Read a .deb's control fields and hash every regular file of its data.tar.
 * A corrupt archive is -KILN_EPARSE naming the .deb. */
int deb_contents_read(const char *deb, struct deb_contents *out, struct kerr *e);
void deb_contents_free(struct deb_contents *c);

/* ---------------- walking a .deb (debread.c) ---------------- */

struct deb_entry {
	const char *member; /* "control.tar.xz", "data.tar.zst", ... */
	const char *path;   /* "./usr/bin/hello" (always starting "./") */
	char type;	    /* 'f' file, 'd' dir, 'l' symlink, 'h' hard link, 'c' 'b' 'p' 's' */
	unsigned mode;	    /* permission bits incl. setuid/setgid/sticky */
	int64_t uid, gid, mtime;
	const char *uname, *gname;
	uint64_t size;
	const char *link; /* symlink or hard link target */
};

struct deb_walk_ops {
	/* each ar member, after it was read: its size and sha256 */
	int (*member)(void *ctx, const char *name, uint64_t size, const char *sha256,
		      struct kerr *e);
	/* each entry of control.tar and data.tar; read_data() gives its bytes */
	int (*entry)(void *ctx, const struct deb_entry *ent, void *reader, struct kerr *e);
};
/* read up to max bytes of the current entry's data into out; -1 on an error */
int deb_read_data(void *reader, struct kbuf *out, size_t max);
/* sha256 (and optionally sha1) of the current entry's data; -1 on an error */
int deb_hash_data(void *reader, char sha256[SHA256_HEX_LEN + 1], char *sha1_or_null,
		  uint64_t *size);
/* Walk a .deb: every ar member, and every entry of its control and data
 * tarballs. A corrupt archive is -KILN_EPARSE naming the .deb and member. */
int deb_walk(const char *deb, const struct deb_walk_ops *ops, void *ctx, struct kerr *e);

/* ---------------- comparing two packages (debdiff.c, bytediff.c) ---------------- */

struct diff_opts {
	double max_seconds;	 /* stop after this long (default 60) */
	size_t max_detailed;	 /* files whose contents are compared in detail (200) */
	uint64_t max_file_bytes; /* larger files: hashes only (64 MiB) */
	size_t max_text_lines;	 /* unified diff lines kept per file (400) */
	size_t max_ranges;	 /* byte ranges reported per file (32) */
};
void diff_opts_default(struct diff_opts *o);

/* Compare two .deb files: ar members, control fields, every file's type,
 * mode, owner, size, mtime, link target and sha256, and for files that differ
 * a unified diff (text) or the ELF sections and byte ranges that differ.
 * *report (JSON) has "identical" and, when a limit was hit, "truncated". */
int deb_diff(const char *a, const char *b, const struct diff_opts *o, json_t **report,
	     struct kerr *e);

/* A package format `kiln diff` compares: how to walk it (members, then the
 * entries of its tarballs; the member name up to ".tar" prefixes entry keys),
 * which entry is its control text, and that text as fields (names in order,
 * values; repeated names joined). */
struct pkg_format {
	const char *name; /* "deb", "apk": the report's "format" */
	int (*walk)(const char *path, const struct deb_walk_ops *ops, void *ctx, struct kerr *e);
	const char *control_key; /* "control:./control", "control:.PKGINFO" */
	void (*control_fields)(const struct kbuf *text, const char *what, struct strv *names,
			       struct strv *values);
	/* entries of this member are compared by hash only, with this note
	 * (apk: "signature", whose bytes change with every signed control) */
	const char *opaque_member, *opaque_note;
};
extern const struct pkg_format deb_format;
/* deb_diff for any format */
int pkg_diff(const char *a, const char *b, const struct pkg_format *f, const struct diff_opts *o,
	     json_t **report, struct kerr *e);

/* ---------------- .apk files (apkdiff.c) ---------------- */

/* Walk a .apk: its gzip streams as members "signature.tar.gz" (when
 * signed), "control.tar.gz", "data.tar.gz" with their compressed size and
 * sha256, and every entry of their tarballs (paths as stored: "usr/bin/x",
 * ".PKGINFO"). A file that is not three (or two) gzip streams of tar is
 * -KILN_EPARSE naming it. */
int apk_walk(const char *apk, const struct deb_walk_ops *ops, void *ctx, struct kerr *e);
extern const struct pkg_format apk_format;
/* Compare two .apk files as deb_diff compares .debs: streams, .PKGINFO
 * fields, file lists, contents. */
int apk_diff(const char *a, const char *b, const struct diff_opts *o, json_t **report,
	     struct kerr *e);
/* the format of a package file: by its first bytes (gzip: apk, "!<arch>": deb),
 * else by its name (.apk), else deb */
const struct pkg_format *pkg_format_of(const char *path);

struct archive;
/* the entries of one tarball read by libarchive, as deb_walk gives them
 * (dot_paths: "./" before every path, as dpkg stores them) */
int pkg_walk_tar(struct archive *in, const char *file, const char *member, int dot_paths,
		 const struct deb_walk_ops *ops, void *ctx, struct kerr *e);

/* two buffers: a unified diff of text (NULL when either is not text), the
 * ELF sections that differ (NULL unless both are ELF), differing byte ranges */
json_t *text_unified_diff(const struct kbuf *a, const struct kbuf *b, size_t max_lines,
			  int *truncated);
json_t *elf_section_diff(const struct kbuf *a, const struct kbuf *b);
json_t *byte_ranges_diff(const struct kbuf *a, const struct kbuf *b, size_t max_ranges,
			 int *truncated);

/* ---------------- rebuilt outputs against expected ones (compare.c) ---------------- */

struct output_check {
	char *name;
	char want_sha256[SHA256_HEX_LEN + 1];
	char got_sha256[SHA256_HEX_LEN + 1]; /* "" when missing */
	uint64_t want_size;		     /* UINT64_MAX: not known */
	uint64_t got_size;
	int status; /* 0 reproduced, -KILN_EVERIFY differs, -KILN_ENOTFOUND missing */
};

struct output_checks {
	struct output_check *v;
	size_t n;
	size_t reproduced;
};
void output_checks_free(struct output_checks *c);

/* Compare what a record (its outputs) or a .buildinfo (its Checksums-Sha256,
 * less the .dsc, as debrebuild does) says was built with the files of those
 * names in dir. Returns 0 when every one is reproduced, -KILN_EFAIL when any
 * differs or is missing (c filled either way), other errors as usual. */
int outputs_compare_record(const json_t *rec, const char *dir, struct output_checks *c,
			   struct kerr *e);
struct buildinfo;
int outputs_compare_buildinfo(const struct buildinfo *b, const char *dir, struct output_checks *c,
			      struct kerr *e);

/* ---------------- .buildinfo files (buildinfo.c) ---------------- */

struct buildinfo_file {
	char *name;
	uint64_t size;
	char sha256[SHA256_HEX_LEN + 1];
};

struct buildinfo_dep {
	char *name;
	char *arch; /* NULL unless written name:arch */
	char *version;
};

struct buildinfo_env {
	char *name, *value; /* value unescaped (\" and \\) */
};

/* A .buildinfo (deb-buildinfo(5)), as dpkg, sbuild and Debian's buildds
 * write it; checked as debrebuild checks it before a rebuild. */
struct buildinfo {
	char *format;
	char *source;	      /* source package name */
	char *source_version; /* "Source: name (ver)" for binNMUs, else = version */
	char *version;	      /* the binary version */
	struct strv binary, architecture;
	char *build_arch, *host_arch; /* host_arch: Host-Architecture, else build_arch */
	char *build_origin, *build_date, *build_path; /* build_path NULL if absent */
	char *binary_only_changes;
	struct strv tainted_by;
	struct buildinfo_file *files; /* Checksums-Sha256 */
	size_t nfiles;
	struct buildinfo_dep *deps; /* Installed-Build-Depends, in file order */
	size_t ndeps;
	struct buildinfo_env *env; /* Environment, in file order */
	size_t nenv;
	int was_signed; /* had an OpenPGP cleartext signature (not checked here) */
};

/* Parse and check: Build-Architecture, Installed-Build-Depends (each exactly
 * "name[:arch] (= version)", base-files among them) and Environment present;
 * checksums well-formed with plain file names; Build-Path absolute, without
 * "..", spaces or shell metacharacters. Errors name the file and the field. */
int buildinfo_parse(const char *text, size_t len, const char *what, struct buildinfo *out,
		    struct kerr *e);
int buildinfo_load(const char *path, struct buildinfo *out, struct kerr *e);
void buildinfo_free(struct buildinfo *b);
const char *buildinfo_env_get(const struct buildinfo *b, const char *name);

/* ---------------- SPDX 2.3 (spdx.c) ---------------- */

/* The SBOM for a build record. outputs_dir: where the record's outputs are
 * (.deb files found there are opened and their files listed with SHA1 and
 * SHA256; missing ones are described without files). */
int spdx_document(const json_t *rec, const char *outputs_dir, json_t **out, struct kerr *e);
/* SPDXRef- ids allow only [A-Za-z0-9.-]: others become '-' (malloc'd) */
char *spdx_id(const char *prefix, const char *name);

/* ---------------- OpenVEX 0.2.0 (openvex.c) ---------------- */

enum vex_status {
	VEX_NOT_AFFECTED = 0,
	VEX_AFFECTED,
	VEX_FIXED,
	VEX_UNDER_INVESTIGATION,
};

struct vex_statement {
	const char *vulnerability;   /* CVE-2024-1234 */
	const char *const *aliases;  /* NULL-terminated, optional */
	const char *const *products; /* purls, NULL-terminated, at least one */
	enum vex_status status;
	const char *justification;    /* not_affected: this or impact_statement */
	const char *impact_statement; /* optional */
	const char *action_statement; /* affected: required */
	const char *status_notes;     /* optional */
};

struct vex_document {
	const char *id; /* @id, a URI */
	const char *author;
	int64_t timestamp; /* epoch seconds */
	int version;	   /* >= 1, bumped on every change */
	const struct vex_statement *statements;
	size_t n;
};

int vex_status_parse(const char *s, enum vex_status *st, struct kerr *e);
const char *vex_status_name(enum vex_status st);
/* Render; refuses what OpenVEX forbids (unknown justification, not_affected
 * without justification or impact statement, affected without action). */
int openvex_document(const struct vex_document *d, json_t **out, struct kerr *e);

/* ---------------- rendering and verifying files (render.c, verify.c) ---------------- */

struct attest_render_opts {
	const char *outdir;	      /* NULL: the record's directory */
	const char *outputs_dir;      /* NULL: the record's directory */
	const struct attest_key *key; /* private; NULL: kiln's own key */
	const char *builder_id;
	const char *reproduces_name, *reproduces_sha256; /* see provenance_opts */
};

struct attest_rendered {
	char *provenance_path; /* BASE.intoto.jsonl: the DSSE envelope, one line */
	char *spdx_path;       /* BASE.spdx.json */
	char *key_id;
	char *pub_path; /* set when kiln's own key was used */
	int key_created;
};
void attest_rendered_free(struct attest_rendered *r);

/* Render provenance (signed) and SBOM for a parsed record (rec_path names
 * it in messages and locates defaults), writing each file atomically. */
int attest_render(const json_t *rec, const char *rec_path, const struct attest_render_opts *o,
		  struct attest_rendered *r, struct kerr *e);

struct attest_subject_check {
	char *name;
	char *sha256;
	int status; /* 0 matches, -KILN_EVERIFY differs, -KILN_ENOTFOUND missing */
};

struct attest_verified {
	char *predicate_type;
	char *key_id; /* of the key that verified */
	struct attest_subject_check *subjects;
	size_t n;
	size_t envelopes;
};
void attest_verified_free(struct attest_verified *v);

/* Verify every envelope in FILE (.intoto.jsonl: one per line, or one JSON
 * envelope) with pub, then every subject's sha256 against the file of that
 * name in dir (NULL: FILE's directory). Fills v for reporting even on a
 * subject mismatch (-KILN_EVERIFY). */
int attest_verify_file(const char *path, const struct attest_key *pub, const char *dir,
		       struct attest_verified *v, struct kerr *e);

/* ---------------- kiln verify: rebuild from a record or .buildinfo (rebuildplan.c,
 * reproduce.c, rebuildatt.c) ---------------- */

/* The predicate type of kiln's rebuild attestation (documented in attest/README.md). */
#define KILN_REBUILD_PREDICATE "https://kiln.invalid/attestations/rebuild/v1"

/* One wanted package: NAME[:ARCH] = VERSION. arch NULL: the host arch or all. */
struct pkg_want {
	const char *name, *arch, *version;
	struct lock_pkg found;		/* filled when found (sha256 NULL otherwise) */
	const struct pool_index *index; /* the index it was found in (borrowed) */
};

/* Look every want up in the Packages files idx (in order: the first that
 * holds NAME=VERSION for the arch wins) and fill found with the index's
 * SHA256, Size, Filename, Essential and the index's mirror. Returns how many
 * were not found (0: all), or a negative code for an unreadable index. */
int packages_find(const struct pool_index *idx, size_t nidx, const char *host_arch,
		  struct pkg_want *wants, size_t n, struct kerr *e);
void pkg_wants_free(struct pkg_want *wants, size_t n);

/* Everything a rebuild needs besides the source itself. */
struct rebuild_plan {
	int from_buildinfo;
	const char *input_format; /* "kiln-build-record" | "buildinfo" | "archive" */
	char *input_name;	  /* file name of the record or .buildinfo */
	char input_sha256[SHA256_HEX_LEN + 1];
	char *distro; /* debian:bookworm (a .buildinfo: from --distro or its base-files) */
	char *source, *source_version, *arch;
	struct source_file *src_files; /* a record's source files; NULL for a .buildinfo */
	size_t nsrc_files;
	enum build_kind kind;
	char *build_path; /* the unpacked tree: Build-Path or build.build_path */
	struct strv env;  /* NAME=value to reproduce, bare NAME to unset */
	char *profiles;	  /* DEB_BUILD_PROFILES, space separated; NULL: none */
	char *hostname;	  /* a record's; NULL: kiln's default */
	char *build_date; /* a .buildinfo's Build-Date (for the --mirror hint) */
	struct lock lock; /* a record's lock; for a .buildinfo see rebuild_lock_for_buildinfo */
	int have_lock;
	struct pkg_want *wants; /* a .buildinfo's Installed-Build-Depends */
	size_t nwants;
};
void rebuild_plan_free(struct rebuild_plan *p);

/* A .buildinfo's fields as a plan: kind from Architecture (host arch and all:
 * binary; host arch only: arch; all only: indep; "source" ignored as
 * debrebuild does), Build-Path (absent: the distro's default), Environment
 * (only dpkg's allow-listed variables; kiln's LANG, LC_ALL, DEB_BUILD_OPTIONS
 * and DEB_BUILD_PROFILES unset when the file does not name them), wanted
 * packages from Installed-Build-Depends. distro NULL: the Debian release
 * whose Version is base-files' major version. Errors name the file. */
int rebuild_plan_from_buildinfo(const struct buildinfo *b, const char *what, const char *distro,
				struct rebuild_plan *p, struct kerr *e);
/* A kiln build record as a plan: its lock (checked against lock.sha256),
 * source files, kind, build path, environment and hostname. */
int rebuild_plan_from_record(const json_t *rec, const char *what, struct rebuild_plan *p,
			     struct kerr *e);
/* The lock of a .buildinfo: every wanted package found in the indices
 * (-KILN_ENOTFOUND naming each one missing and suggesting --mirror), then
 * ordered for installation by the solver over the same indices, with
 * fakeroot (dpkg-buildpackage's gain-root command) added when the file does
 * not name it; other additions are refused. added gets "name version" of
 * what the lock has beyond the file. solv_cache_dir: where the indices' .solv
 * files are cached (NULL: none). */
int rebuild_lock_for_buildinfo(struct rebuild_plan *p, const struct pool_index *idx, size_t nidx,
			       const char *solv_cache_dir, struct strv *added, struct kerr *e);

struct verify_opts {
	const char *outdir;	   /* rebuilt outputs and the attestation */
	const char *originals_dir; /* files the input names, to diff (NULL: the input's dir) */
	const char *distro;	   /* .buildinfo: which release (NULL: from base-files) */
	struct distro_overrides ov;
	struct fetch_opts fetch;
	const struct attest_key *key; /* NULL: kiln's own */
	const char *builder_id;
	int log_to_terminal;
	int dry_run; /* stop once the lock and options are known (r->plan) */
	/* compare with an earlier rebuild in this directory instead of building:
	 * its build record must show the same source files, kind, build path,
	 * environment and lock (for a .buildinfo, which names no install order:
	 * the same packages) */
	const char *rebuilt_dir;
	volatile sig_atomic_t *cancel;
	struct diff_opts diff;
};

struct verify_result {
	struct output_checks checks;
	json_t *diffs;		  /* name -> kiln diff report, for outputs that differ */
	struct strv not_compared; /* outputs carrying the wall clock (.buildinfo, .changes) */
	struct strv added;	  /* lock packages a .buildinfo did not name */
	char *rebuilt_dir;
	char *attestation_path; /* on a match */
	char *key_id, *pub_path;
	char lock_sha256[SHA256_HEX_LEN + 1];
	json_t *plan; /* what is rebuilt: source, kind, build path, environment, lock */
	double seconds;
};
void verify_result_free(struct verify_result *r);

/* kiln verify RECORD.json | FILE.buildinfo: rebuild exactly as recorded in the
 * sandbox, compare every output, diff what differs, and on a match sign a
 * rebuild attestation. 0: reproduced; -KILN_EFAIL: an output differs (r
 * filled); other codes as usual. */
int verify_rebuild(const char *input, const struct verify_opts *o, struct verify_result *r,
		   struct kerr *e);
/* kiln verify --against-archive DISTRO SRC: rebuild the current source and
 * compare each binary package with the one the archive ships (fetched
 * through the verified Packages index). */
int verify_against_archive(const char *distro, const char *src, const struct verify_opts *o,
			   struct verify_result *r, struct kerr *e);

/* The rebuild attestation's statement: subjects are the reproduced outputs. */
struct rebuild_facts {
	const struct rebuild_plan *plan;
	const struct lock *lock;
	const struct output_checks *checks;
	const struct strv *added;
	const struct strv *not_compared;
	const char *started, *finished; /* RFC 3339 UTC */
	const char *builder_id;
	/* the rebuild's own build record (source files, everything else): NULL if none */
	const json_t *rebuild_record;
	const char *rebuild_record_name, *rebuild_record_sha256;
};
int rebuild_statement(const struct rebuild_facts *f, json_t **out, struct kerr *e);

#endif
