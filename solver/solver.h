/* solver.h - the solver stage: verified indices -> libsolv pool -> LOCK, the
 * exact build environment. The struct lock below is the contract builders/
 * and attest/ rely on: fields may be added, never changed in meaning. */
#ifndef KILN_SOLVER_H
#define KILN_SOLVER_H

#include "distros/distros.h"
#include "lib/kiln.h"

struct lock_pkg {
	char *name;
	char *version;
	char *arch;   /* amd64 | all */
	char *sha256; /* of the .deb */
	uint64_t size;
	char *filename; /* pool path from the archive root (Packages Filename:) */
	char *mirror;	/* base URL of the archive holding it */
	int essential;	/* Essential: yes (unpacked first when making a root) */
	char *checksum; /* apk: the index's C: ("Q1..."); NULL for Debian */
};

struct lock {
	char *distro; /* debian:bookworm */
	char *source; /* source package name */
	char *source_version;
	char *arch;	       /* build = host architecture */
	struct lock_pkg *pkgs; /* in install order (libsolv transaction order) */
	size_t n;
	char sha256[SHA256_HEX_LEN + 1]; /* of the canonical text form */
};

void lock_free(struct lock *l);

/* ---------------- dependency relations (solver/depends.c) ----------------
 * The Build-Depends grammar (see shared/formats/debian-archive.md):
 *   list  = group *("," group)       trailing comma allowed
 *   group = item *("|" item)
 *   item  = name [":" qual] ["(" op version ")"] ["[" archlist "]"] *("<" terms ">")
 * Obsolete "<" and ">" are read as "<=" and ">=" (as dpkg does). */

enum dep_op { DEP_NONE = 0, DEP_LT, DEP_LE, DEP_EQ, DEP_GE, DEP_GT };

struct dep_atom {
	char *name;
	char *qual; /* after ':' ("any", "native", "amd64") or NULL */
	enum dep_op op;
	char *version;	       /* NULL when op == DEP_NONE */
	struct strv archs;     /* [..] terms without '!'; empty = no restriction */
	int archs_negated;     /* 1 when the terms were all written with '!' */
	struct strv *profiles; /* each <..> group: terms, "!name" for negated */
	size_t nprofiles;
};

struct dep_group {
	struct dep_atom *alts;
	size_t n;
};

struct dep_list {
	struct dep_group *groups;
	size_t n;
};

enum {
	DEP_PARSE_SOURCE = 1 << 0,  /* allow [arch] and <profile> restrictions */
	DEP_PARSE_NO_ALTS = 1 << 1, /* Conflicts-like field: '|' is an error */
};

/* Parse a relation field. On error returns -KILN_EPARSE with e naming the
 * column and what was expected ("column 12: expected ')'"); *out is then
 * empty. An empty or all-whitespace field is an empty list. */
int depends_parse(const char *text, int flags, struct dep_list *out, struct kerr *e);
void dep_list_free(struct dep_list *l);
/* canonical one-line text ("a (>= 1) [amd64] <!nocheck> | b, c") */
char *depends_format(const struct dep_list *l);
const char *dep_op_str(enum dep_op op);

/* Keep what applies to host_arch and the active build profiles, dropping
 * restrictions; groups left empty are dropped (dpkg's order: arch and profile
 * reduction first, then empty groups). */
void depends_reduce(const struct dep_list *in, const char *host_arch, const struct strv *profiles,
		    struct dep_list *out);
/* Does a Debian architecture match a pattern ("any", "linux-any",
 * "any-amd64", "amd64", "all")? dpkg-architecture's tuple rules. */
int arch_matches(const char *arch, const char *pattern);
/* Is the package (Sources Architecture: list) built on host_arch at all? */
int arch_list_matches(const char *archlist, const char *host_arch);

/* ---------------- the pool (solver/pool.c) ---------------- */

struct kiln_pool; /* a libsolv pool with Debian semantics for one host arch */

struct pool_index {
	const char *path;   /* uncompressed Packages file */
	const char *mirror; /* base URL its Filename: paths are relative to */
	const char *name;   /* suite, for messages ("bookworm") */
	const char *sha256; /* of the file, NULL: computed */
};

/* Load Packages files for host_arch (arch:all packages included). Each file
 * is cached as cache_dir/<sha256 of file + arch + format>.solv; cache_dir NULL
 * means no cache. All files have equal priority: the highest version wins. */
int kiln_pool_load(const struct pool_index *idx, size_t n, const char *host_arch,
		   const char *cache_dir, struct kiln_pool **out, struct kerr *e);
void kiln_pool_free(struct kiln_pool *p);
/* the pool of a distro's verified Packages indices (from the last kiln
 * update), cached under its state dir (indices/<distro>/solv/) */
int solver_pool_for_distro(const struct distro *d, const char *arch, struct kiln_pool **out,
			   struct kerr *e);
/* The pool for explicit Packages files (--packages, tests, offline use), or
 * the distro's verified indices when files is empty. */
int solver_pool_for_files(const struct distro *d, const char *arch, const struct strv *files,
			  struct kiln_pool **kp, struct kerr *e);
size_t kiln_pool_size(const struct kiln_pool *p);    /* number of binary packages */
int kiln_pool_from_cache(const struct kiln_pool *p); /* all repos came from .solv */

/* ---------------- resolution (solver/resolve.c) ---------------- */

/* How a group with alternatives is turned into a requirement.
 * FIRST (default, sbuild's rule): keep the first alternative whose name is
 *   in the archive (as a package or a Provides) plus later alternatives on the
 *   same name; the others are dropped. A group none of whose names exist keeps
 *   its first alternative, so the error names it.
 * ALL (--resolve-alternatives): the group as written; libsolv chooses. */
enum alt_rule { ALT_FIRST = 0, ALT_ALL = 1 };

struct resolve_request {
	const char *distro; /* debian:bookworm, for the lock */
	const char *source, *source_version;
	const char *build_depends, *build_depends_arch, *build_depends_indep;
	const char *build_conflicts, *build_conflicts_arch, *build_conflicts_indep;
	const struct strv *base;     /* extra base names (distro build_essential) */
	const struct strv *profiles; /* active build profiles */
	int arch_only;		     /* drop -Indep fields */
	int indep_only;		     /* drop -Arch fields */
	enum alt_rule alternatives;
};

/* Solve one source's build environment. On success *out is the lock (install
 * order). When no environment exists: -KILN_EFAIL and e->msg holds every
 * problem with its solutions in plain words, one per line. */
int solver_resolve(struct kiln_pool *p, const struct resolve_request *rq, struct lock *out,
		   struct kerr *e);

/* The one call builders need: the lock of a source (from debian_find_source,
 * solver_find_source or solver_source_from_dsc) against the distro's verified
 * indices of the last `kiln update`, base set from the distro definition. */
enum { SOLVER_ARCH_ONLY = 1, SOLVER_INDEP_ONLY = 2, SOLVER_RESOLVE_ALTERNATIVES = 4 };
int solver_lock_for_source(const struct distro *d, const struct source_pkg *src,
			   const struct strv *profiles, int flags, struct lock *out,
			   struct kerr *e);

/* fill a request from a parsed source package (fields only, no copies) */
void resolve_request_from_source(struct resolve_request *rq, const struct source_pkg *s);

/* ---------------- source packages to resolve (solver/sources.c) ---------------- */

/* the source a .dsc describes (signature, if any, stripped, not checked) */
int solver_source_from_dsc(const char *path, struct source_pkg *out, struct kerr *e);
/* append every stanza of a Sources file to *v (*n entries, grown as needed) */
int solver_sources_load(const char *path, const char *mirror, const char *suite,
			struct source_pkg **v, size_t *n, struct kerr *e);
/* sort by name and keep the newest version of each */
void solver_sources_newest(struct source_pkg *v, size_t *n);
/* every stanza of a distro's verified Sources (all versions, as dose checks them) */
int solver_sources_for_distro(const struct distro *d, struct source_pkg **v, size_t *n,
			      struct kerr *e);
void solver_sources_free(struct source_pkg *v, size_t n);
/* debian_find_source's answer, fast: through a name index of each Sources file
 * cached under the distro's state dir (built on first use) */
int solver_find_source(const struct distro *d, const char *name, const char *version,
		       struct source_pkg *out, struct kerr *e);

/* ---------------- whole-archive check (solver/check.c) ---------------- */

struct check_result {
	char *source, *version;
	int buildable; /* 1 yes, 0 no, -1 not built on this arch (skipped) */
	char *reason;  /* when not buildable */
	size_t npkgs;  /* size of the environment when buildable */
};

struct check_opts {
	const char *distro; /* for messages */
	int threads;	    /* 0 = 2; each thread beyond the first loads its own pool */
	const struct strv *base;
	const struct strv *profiles;
	int arch_only, indep_only;
	enum alt_rule alternatives;
};

/* Check many sources against one pool: the base set is solved once and
 * shared; sources are solved on opts->threads threads. results[i] belongs to
 * srcs[i]. */
int solver_check(struct kiln_pool *p, const struct source_pkg *srcs, size_t n,
		 const struct check_opts *o, struct check_result *results, struct kerr *e);
void check_result_free(struct check_result *r);

/* ---------------- the lock's text form (solver/lock.c) ----------------
 *   kiln-lock 1
 *   Distro: debian:bookworm
 *   Source: hello 2.10-3
 *   Arch: amd64
 *   Packages: 161
 *   (empty line)
 *   mirror http://deb.debian.org/debian
 *   NAME VERSION ARCH SHA256 SIZE FILENAME [essential] [C:CHECKSUM]   one per package
 *   (C: only for apk packages: the index's checksum; SHA256 "-" until known)
 * Packages in install order; a "mirror URL" line starts each run of packages
 * from one mirror; FILENAME is relative to it. lock_parse accepts only this
 * canonical text, and the lock's sha256 is the sha256 of exactly this text
 * (so `sha256sum FILE.lock` gives it too). */
char *lock_to_text(const struct lock *l);
void *lock_to_json(const struct lock *l); /* json_t* */
/* compute l->sha256 from the canonical text */
void lock_seal(struct lock *l);
int lock_write(const struct lock *l, const char *path, struct kerr *e);
/* read a lock text; checks the format and recomputes the sha256 */
int lock_read(const char *path, struct lock *out, struct kerr *e);
int lock_parse(const char *text, size_t len, const char *what, struct lock *out, struct kerr *e);

#endif
