/* backports.h - the backports stage: parse a fix (unified diff, git
 * format-patch), classify it against an unpacked source tree in memory, and
 * turn it into a new source version (refreshed patch with a DEP-3 header,
 * series, changelog entry, +debNuM version) handed to builders/. */
#ifndef KILN_BACKPORTS_H
#define KILN_BACKPORTS_H

#include <jansson.h>
#include <stdint.h>

#include "distros/distros.h"
#include "lib/kiln.h"

/* ---------------- patches (patch.c) ---------------- */

struct patch_line {
	char kind;  /* ' ' context, '-' removed, '+' added */
	int nl;	    /* 1: ends with a newline; 0: "\ No newline at end of file" */
	char *text; /* without the newline; a CR before it is kept */
	size_t len;
};

struct patch_hunk {
	long old_start, old_count, new_start, new_count;
	char *section;	/* text after the closing @@ (function name), or NULL */
	size_t line_no; /* 1-based line of the @@ in the patch file */
	struct patch_line *lines;
	size_t n;
};

struct patch_file {
	char *old_path, *new_path; /* as written ("a/lib/x.c"); NULL for /dev/null */
	int is_new, is_delete, is_rename, is_binary;
	size_t line_no; /* where this file's diff starts */
	struct patch_hunk *hunks;
	size_t nhunks;
};

struct patch {
	char *name;	  /* the file name, for messages */
	char *header;	  /* text before the first diff: commit message, DEP-3 */
	char *subject;	  /* Subject (without "[PATCH n/m]") or Description's first line */
	char *body;	  /* the long description (commit message body), or NULL */
	char *author;	  /* From: / Author: */
	char *date;	  /* Date: */
	char *origin;	  /* Origin: */
	char *commit;	  /* the id on a format-patch "From <sha> ..." line */
	struct strv bugs; /* Bug:, Bug-*: values */
	struct strv cves; /* CVE ids found in the name, subject and header */
	int is_git;	  /* had "diff --git" lines */
	struct patch_file *files;
	size_t nfiles;
};

/* Parse a unified diff (plain diff -u, git diff, git format-patch, quilt
 * patch with a DEP-3 header). CRLF patches are accepted. A patch with no
 * file diff, or with a hunk whose line counts do not add up, is
 * -KILN_EPARSE naming the patch and line. */
int patch_parse(const char *data, size_t len, const char *name, struct patch *out, struct kerr *e);
int patch_load(const char *path, struct patch *out, struct kerr *e);
void patch_free(struct patch *p);
/* What the change is, ignoring paths, positions, context and whitespace (as
 * git patch-id): sha256 over the removed and added lines. */
void patch_fingerprint(const struct patch *p, char hex[SHA256_HEX_LEN + 1]);
/* Append every CVE-YYYY-NNNN in text (upper-cased, deduplicated) to l. */
void find_cve_ids(const char *text, struct strv *l);

/* ---------------- a source tree held in memory (tree.c) ---------------- */

struct tree_line {
	char *s; /* without the newline; a CR is kept */
	size_t len;
	int nl; /* ends with a newline */
};

struct tree_file {
	char *path;  /* relative to the tree root */
	int existed; /* on disk when loaded */
	int exists;  /* after the patches applied so far */
	int touched; /* a patch changed it since the last tree_commit */
	int changed; /* a patch changed it since it was loaded */
	unsigned mode;
	struct tree_line *orig; /* as on disk */
	size_t norig;
	struct tree_line *cur; /* after the patches applied so far */
	size_t ncur;
};

struct tree {
	char *root;
	struct strv paths; /* every regular file, relative, sorted (.pc/ and .git/ left out) */
	struct tree_file *files;
	size_t nfiles;
};

/* a copy of n bytes (NUL bytes included) plus a terminating NUL */
char *bp_memdup(const void *p, size_t n);

int tree_open(const char *root, struct tree *t, struct kerr *e);
void tree_free(struct tree *t);
/* The file at a relative path, loaded on first use (absent files too, with
 * exists = 0). Paths with "..", absolute ones, and paths through a symlink
 * are refused. */
int tree_get(struct tree *t, const char *path, struct tree_file **out, struct kerr *e);
/* A refreshed patch: every touched file, original against current content,
 * as a -p1 unified diff (a/PATH b/PATH, 3 lines of context). */
int tree_diff(const struct tree *t, struct kbuf *out, struct kerr *e);
/* Write changed files back to disk (files a patch deleted are removed). */
int tree_write(const struct tree *t, struct kerr *e);
/* Take the current content as the new original (the next tree_diff shows
 * only later changes); tree_write still writes everything changed. */
void tree_commit(struct tree *t);
/* Refuse a relative path that is absolute, has "..", or passes through a
 * symlink below root (for writing into an unpacked, hostile source). */
int tree_safe_path(const char *root, const char *rel, struct kerr *e);

/* A unified diff of two line arrays (Myers), hunks with `context` lines. */
int unified_diff(const struct tree_line *a, size_t na, const struct tree_line *b, size_t nb,
		 const char *old_name, const char *new_name, int context, struct kbuf *out,
		 struct kerr *e);

/* ---------------- classification (apply.c) ---------------- */

/* Ordered from best to worst for "applies"; the others are outcomes. */
enum bp_class {
	BP_APPLIES_CLEANLY = 0,
	BP_APPLIES_WITH_OFFSET,
	BP_APPLIES_IGNORING_EOL,	/* only with CR/LF differences ignored */
	BP_APPLIES_WITH_FUZZ,		/* only with outer context lines ignored */
	BP_APPLIES_IGNORING_WHITESPACE, /* only with whitespace differences ignored */
	BP_ALREADY_APPLIED,
	BP_NOT_APPLICABLE,
	BP_NEEDS_MANUAL,
};
const char *bp_class_name(enum bp_class c); /* "applies-with-offset" (JSON) */
const char *bp_class_text(enum bp_class c); /* "applies with an offset" */
int bp_class_applies(enum bp_class c);	    /* one of the BP_APPLIES_* */

struct hunk_result {
	char *file;	   /* the tree path the hunk went to */
	size_t index;	   /* 1-based, within its file */
	size_t patch_line; /* line of the @@ in the patch */
	int applied;
	enum bp_class cls; /* how it applied */
	long offset;	   /* lines away from where the patch said */
	int fuzz;
	char *why; /* when it did not apply */
};

struct patch_result {
	char *name;
	enum bp_class cls;
	int strip;     /* -pN that matched the tree */
	char *prefix;  /* directory put in front ("expat/"), or NULL */
	char *same_as; /* debian/patches/NAME carrying the same change, or NULL */
	char *why;     /* explanation for not-applicable / needs-manual */
	struct hunk_result *hunks;
	size_t nhunks;
};

struct bp_classification {
	enum bp_class cls; /* for the series as a whole */
	struct patch_result *patches;
	size_t n;
	char *summary; /* one line: what happened, the first failing patch and hunk */
};

/* Apply a series in order to the tree, in memory (nothing on disk changes),
 * and classify it. The tree keeps the patched content when it applies. A
 * patch is never reversed: "already applied" only means its reverse applies
 * (or debian/patches in the series holds the same change). */
int bp_classify(struct tree *t, struct patch *const *patches, size_t n,
		struct bp_classification *out, struct kerr *e);
/* The same with the changes already carried given by the caller (names and
 * patch_fingerprint()s, as an APKBUILD's source= patches) instead of
 * debian/patches/series; NULL for none). */
int bp_classify_known(struct tree *t, struct patch *const *patches, size_t n,
		      const struct strv *known_names, const struct strv *known_fps,
		      struct bp_classification *out, struct kerr *e);
void bp_classification_free(struct bp_classification *c);

/* ---------------- DEP-3 header (dep3.c) ---------------- */

struct dep3_info {
	const char *description; /* first line = synopsis; more lines = long text */
	const char *origin;	 /* "upstream, https://..." */
	const char *author;
	const struct strv *bugs; /* upstream bug URLs */
	const char *bug_debian;
	const struct strv *cves;
	const char *last_update; /* YYYY-MM-DD */
	const char *applied_upstream;
};
void dep3_header(const struct dep3_info *d, struct kbuf *out);
/* Origin from a patch: its Origin:, else "upstream, commit:<id>", else NULL */
char *dep3_origin_of(const struct patch *p);

/* ---------------- debian/changelog (changelog.c) ---------------- */

struct changelog_top {
	char *source, *version, *distribution, *urgency;
};
/* the first entry's title line */
int changelog_parse_top(const char *text, size_t len, const char *file, struct changelog_top *t,
			struct kerr *e);
void changelog_top_free(struct changelog_top *t);

struct changelog_entry {
	const char *source, *version, *distribution, *urgency;
	const struct strv *changes; /* each becomes "  * ..." (wrapped at 80 columns) */
	const char *maintainer;	    /* "Name <mail>" */
	int64_t date;		    /* epoch seconds, rendered RFC 2822 in UTC */
};
void changelog_entry(const struct changelog_entry *c, struct kbuf *out);
/* "Name <mail>" from DEBFULLNAME/DEBEMAIL (or NAME/EMAIL); NULL if unset */
char *maintainer_from_env(void);
/* "Sat, 26 Oct 2024 10:00:00 +0000" (malloc'd) */
char *rfc2822_date(int64_t t);

/* ---------------- version policy (version.c) ---------------- */

/* The next security version by the suite's suffix ("+deb12u"): 1.2-3 ->
 * 1.2-3+deb12u1, 1.2-3+deb12u1 -> 1.2-3+deb12u2. */
int bp_next_version(const char *current, const char *suffix, char **out, struct kerr *e);
/* new must be above current and, when next_version is known, below it (so an
 * upgrade to the next release still replaces it). Refusal: -KILN_EFAIL with
 * the reason. */
int bp_check_version_order(const char *new_version, const char *current, const char *next_version,
			   const char *next_suite, struct kerr *e);

/* ---------------- one target suite (backport.c) ---------------- */

/* One fix: a patch series (applied in order, stored as one patch) for some CVEs. */
struct bp_fix {
	struct patch *const *patches;
	size_t npatches;
	const struct strv *cves;
	const char *bug;	/* upstream bug URL */
	const char *bug_debian; /* https://bugs.debian.org/N */
	const char *summary;	/* changelog summary; default: first patch's subject */
};

struct bp_request {
	const char *source;
	const struct bp_fix *fixes; /* applied in order; each its own debian/patches file */
	size_t nfixes;
	const char *maintainer; /* "Name <mail>"; default from the environment */
	int64_t date;		/* epoch seconds */
	const char *outdir;
	const char *next_version; /* override the next suite's version (tests) */
	const struct distro_overrides *ov;
	struct fetch_opts fetch;
	/* added for Alpine targets: every DISTRO of the command, in order (the
	 * next release's aports dir, when given, bounds the new version) */
	const struct strv *targets;
	int in_place;		  /* edit the aports dir itself, not a copy in outdir */
	const char *aports;	  /* the aports directory for Alpine targets (default: source) */
	const char *apk_key;	  /* (Alpine) package signing key; NULL: kiln's own */
	const char *apk_keys_dir; /* (Alpine) trusted repository keys; NULL: the distro's */
};

struct bp_fix_result {
	const struct bp_fix *fix;
	struct bp_classification cls;
	char *patch_name; /* debian/patches/NAME when it was stored */
};

struct bp_target {
	char *distro;
	char *suite; /* where the current version came from */
	char *old_version, *new_version;
	char *format; /* debian/source/format */
	char *dir;    /* this target's work directory */
	char *dsc;    /* the new .dsc, when built */
	struct bp_fix_result *fixes;
	size_t nfixes;
	int classified;	   /* the fixes were classified (the source was there) */
	enum bp_class cls; /* all fixes together */
	char *summary;
	struct strv written; /* files written, relative to outdir */
	struct strv notes;   /* what was done, in words */
	char *version_check; /* "checked below trixie's 4.19.0-3", or why not checked */
	char *source_build;  /* "ok" or the failure */
	char *binary_build;  /* "ok", "not built: ..." or the failure */
	const char *tests;   /* "passed", "not run (nocheck)", "failed or not reached" */
	struct strv purls_old, purls_new; /* the binary (and source) packages, as purls */
	int status;			  /* 0 done, else -code with err */
	struct kerr err;
	char *apkbuild;	   /* (Alpine) the edited APKBUILD, when written */
	char *package;	   /* (Alpine) pkgname, when SRC was a directory */
	char *source_tree; /* where the unpacked, patched source is, if not work/tree */
};
/* done: classified, and nothing needs a person (the exit status) */
int bp_target_ok(const struct bp_target *t);
void bp_target_free(struct bp_target *t);
/* the purl of each "NAME ARCH" in prods at version, into out (Debian and Alpine) */
void bp_products_purls(const struct strv *prods, const char *version, const char *distro,
		       struct strv *out);
/* (target.c, shared by both families) all fixes together: any needing a
 * person wins, else how the worst applies; sets r->cls and r->summary */
void bp_target_overall_class(struct bp_target *r);
/* Classify each fix of rq against t in order (each sees the ones before;
 * known_names/known_fps as for bp_classify_known, NULL: debian/patches),
 * keeping the diff of each that applies in diffs[i]. 1: something to write;
 * 0: nothing (a note in r says why); <0: error. */
/* Start r for distro: one entry per fix of rq; returns the fixes' diff
 * buffers (rq->nfixes + 1, initialised; the caller frees them). */
struct kbuf *bp_target_start(struct bp_target *r, const struct bp_request *rq, const char *distro);
int bp_target_classify(struct tree *t, const struct bp_request *rq, struct bp_target *r,
		       const struct strv *known_names, const struct strv *known_fps,
		       struct kbuf *diffs, struct kerr *e);
/* the changelog/secfixes summary: --summary, else the first patch's subject */
char *bp_fix_summary(const struct bp_fix *f);
/* the stored patch: a DEP-3 header, then the refreshed diff */
void bp_render_patch(const struct bp_fix *f, int64_t date, const struct kbuf *diff,
		     struct kbuf *out);
/* list path in r->written, relative to outdir */
void bp_add_written(struct bp_target *r, const char *outdir, const char *path);

/* Fetch the distro's current SRC (its -security suite included), unpack
 * it, classify the fixes in order, and when they apply (none needing a
 * manual backport) write one refreshed patch per fix, the series, one
 * changelog entry and the version, and build the new source package with
 * dpkg-source -b into outdir/<suite>/. Fills r whatever happens. */
int bp_backport_debian(const char *distro, const struct bp_request *rq, struct bp_target *r);

/* Build the binaries of r->dsc in the sandbox (builders/, as kiln build
 * FILE.dsc) into r->dir/binaries; sets r->binary_build and lists the
 * outputs in r->written. profiles: DEB_BUILD_PROFILES; nocheck skips the
 * package's tests. */
int bp_build_binaries(const char *distro, const struct bp_request *rq, const char *profiles,
		      int nocheck, struct bp_target *r, struct kerr *e);
/* 1 when this kiln has the Debian builder */
int bp_can_build_binaries(void);

/* Run argv (argv[0] looked up in PATH) in dir with extra "NAME=VALUE"
 * environment entries; stdout+stderr go to log_path (appended). */
int bp_run(const char *const *argv, const char *dir, const char *const *env, const char *log_path,
	   struct kerr *e);

/* ---------------- APKBUILD text edits (apkbuild_edit.c) ---------------- */

/* Each edits *text (malloc'd; replaced) as a person would, keeping the
 * file's layout; the APKBUILD is never run. A shape that cannot be edited
 * safely is -KILN_EPARSE naming file and line. */
/* name added to the last top-level source= (multi-line: on its own line,
 * indented like the entries; one line: after a blank) */
int apkbuild_add_source(char **text, const char *file, const char *name, struct kerr *e);
/* "HEX  NAME" added to the last top-level sha512sums= in its layout */
int apkbuild_add_sha512(char **text, const char *file, const char *hex, const char *name,
			struct kerr *e);
/* pkgrel=N (one plain assignment, equal to current when given) -> N+1 */
int apkbuild_bump_pkgrel(char **text, const char *file, const char *current, char **new_rel,
			 struct kerr *e);
/* ids under "#   VERSION:" in the "# secfixes:" block (a new entry on top;
 * a new block before the first function when there is none) */
int apkbuild_add_secfixes(char **text, const char *file, const char *version,
			  const struct strv *ids, struct kerr *e);

/* ---------------- Alpine targets (alpine.c) ---------------- */

/* The aports directory (APKBUILD and its local files) for a target:
 * SRC/<suite>/ (alpine:v3.20 -> SRC/v3.20/) when it holds an APKBUILD, else
 * SRC itself. KILN_ENOTFOUND naming both places otherwise. */
int bp_aports_dir(const char *src, const struct distro *d, char **dir, struct kerr *e);

/* Evaluate the APKBUILD (in the sandbox), unpack its source= archives from
 * the sha512 source cache, apply its own patches in source= order, classify
 * the fixes, and when they apply write each refreshed patch
 * (CVE-YYYY-NNNN.patch), the APKBUILD with source=, sha512sums, pkgrel + 1
 * and the secfixes entry, into outdir/<suite>/<pkgname>/ (or the aports dir
 * with rq->in_place); the result is evaluated again and its sources
 * verified. Fills r whatever happens. */
int bp_backport_alpine(const char *distro, const struct bp_request *rq, struct bp_target *r);
/* Build r->apkbuild's directory with the Alpine builder into r->dir/binaries. */
int bp_build_alpine(const char *distro, const struct bp_request *rq, int nocheck,
		    struct bp_target *r, struct kerr *e);
/* new must be above current and below next_version when known, by apk's
 * rules (gen 2 or 3); -KILN_EFAIL with the reason */
int bp_check_apk_version_order(int gen, const char *new_version, const char *current,
			       const char *next_version, const char *next_suite, struct kerr *e);

/* The family's half: bp_backport_debian or bp_backport_alpine. */
int bp_backport_target(const char *distro, const struct bp_request *rq, struct bp_target *r);

/* ---------------- the report (report.c) ---------------- */

/* The summary for all targets (--json), one object per suite. */
json_t *bp_report_json(const struct bp_target *t, size_t n);
/* An OpenVEX 0.2.0 document (rendered by attest/): per CVE, `fixed` for the
 * new versions, `affected` for the versions they replace, `not_affected`
 * where the code is not present, `affected` with the reason where a manual
 * backport is needed. */
int bp_openvex(const struct bp_target *t, size_t n, int64_t timestamp, const char *author,
	       json_t **out, struct kerr *e);

/* ---------------- queue files (queue.c; format in backports/QUEUE.md) ---------------- */

struct bp_queue {
	char *source;
	struct strv targets;
	char *maintainer;
	char *aports; /* Aports: (Alpine targets), relative to the queue file's directory */
	struct bp_fix *fixes;
	size_t nfixes;
	/* owned storage behind fixes[] */
	struct patch **patches;
	size_t npatches;
	struct strv *cves;
	char **strings;
	size_t nstrings;
};
/* Read a queue file; patch paths are relative to the file's directory. */
int bp_queue_load(const char *path, struct bp_queue *q, struct kerr *e);
void bp_queue_free(struct bp_queue *q);

#endif
