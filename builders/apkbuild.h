/* apkbuild.h - builders-internal: the state of one Alpine build, shared by
 * the files that make it up:
 *   apkbuild.c          alpine_build(): the order of things, the steps in the sandbox
 *   apkbuild_plan.c     what is built: packages and split functions, the arch,
 *                       SOURCE_DATE_EPOCH from the recipe, the signing key
 *   apkbuild_setup.c    the build's root: recipe, sources and kiln's abuild driver
 *   apkbuild_collect.c  the outputs: signed .apk files, the log, the build record */
#ifndef KILN_BUILDERS_APKBUILD_H
#define KILN_BUILDERS_APKBUILD_H

#include "builders/alpine.h"
#include "builders/buildlog.h"
#include "builders/workroot.h"

/* where kiln's abuild driver is in the build's root */
#define DRIVER_PATH "/.kiln-abuild"

/* one package of the build: the main one or a subpackage */
struct apk_out {
	char *name, *func, *arch;
};

struct abuild_ctx {
	struct apkbuild ab;
	const struct distro *d;
	const struct alpine_build_opts *o;
	struct build_result *r;
	struct lock lock;
	struct alpine_def def;
	struct apk_sources srcs;
	struct apk_out *pkgs;
	size_t npkgs;
	char *keys_dir, *rootpath, *work, *startdir, *commit, *key_path, *key_name;
	struct workroot wr;
	struct logtee log;
	struct strv env, argv_all;
	int64_t sde;
	int network, want_check;
	char started[BUILD_STARTED_LEN];
};

/* ---- apkbuild_plan.c ---- */

/* abuild's architecture rules: "all", "noarch", the arch, "!arch" */
int apkbuild_arch_allowed(const struct strv *arch, const char *carch);
/* c->pkgs from pkgname and subpackages= (names, split functions, archs
 * checked); errors name file */
int apkbuild_plan_packages(struct abuild_ctx *c, const char *file, struct kerr *e);
/* c->sde (and c->commit) from the recipe: see apkbuild_plan.c */
int apkbuild_recipe_date(struct abuild_ctx *c, struct kerr *e);
/* kiln's own package signing key, made on first use; *path malloc'd */
int apkbuild_signing_key(char **path, struct kerr *e);

/* ---- apkbuild_setup.c ---- */

/* open path (absolute inside the build's root) without leaving it and
 * without following any symlink */
int apkbuild_open_in_root(const struct abuild_ctx *c, const char *path, int flags);
/* APKBUILD, install scripts and verified sources into the build's root */
int apkbuild_place_recipe(struct abuild_ctx *c, struct kerr *e);
/* the driver, written into the build's root (root-owned, read-only to the build) */
int apkbuild_write_driver(struct abuild_ctx *c, struct kerr *e);

/* ---- apkbuild_collect.c ---- */

/* Write the packages (success) and the log and record into a staging
 * directory in outdir, then rename them in: nothing partial is left. */
int apkbuild_collect(struct abuild_ctx *c, int success, struct kerr *e);

#endif
