/* apkroot_try.c - drives apk_resolve and apkroot_prepare for tests/integration/alpine_root.sh
 * (built by that test against libkiln.a):
 *   apkroot_try resolve DISTRO OUT.lock ATOM...   the lock for an APKBUILD making with ATOM...
 *   apkroot_try prepare LOCK KEYS_DIR             prepare the root; prints "ROOT cached|new"
 *   apkroot_try installed ROOT                    read ROOT's lib/apk/db/installed back
 * $KILN_MIRROR and $KILN_KEYS (a keys directory) override the definition, as --mirror and
 * --keyring do. Exit status: 0, or the kiln error code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builders/alpine.h"

static int fail(const struct kerr *e)
{
	fprintf(stderr, "apkroot_try: %s\n", e->msg);
	return e->code ? e->code : 1;
}

int main(int argc, char **argv)
{
	struct kerr e = {0};
	if (argc >= 4 && !strcmp(argv[1], "resolve")) {
		struct distro_overrides ov = {0};
		struct distro *d = NULL;
		struct apkbuild ab = {0};
		struct lock l;
		ov.keyring = getenv("KILN_KEYS");
		if (distro_load(argv[2], &ov, &d, &e) < 0)
			return fail(&e);
		ab.dir = ".";
		ab.pkgname = "try";
		ab.pkgver = "1.0";
		ab.pkgrel = "0";
		for (int i = 4; i < argc; i++)
			strv_add(&ab.makedepends, argv[i]);
		int r = apk_resolve(d, &ab, NULL, &l, &e);
		strv_free(&ab.makedepends);
		distro_free(d);
		if (r < 0)
			return fail(&e);
		r = lock_write(&l, argv[3], &e);
		lock_free(&l);
		return r < 0 ? fail(&e) : 0;
	}
	if (argc == 4 && !strcmp(argv[1], "prepare")) {
		struct lock l;
		struct root_opts o = {0};
		char *path = NULL;
		int cached = 0, hold = -1;
		fetch_opts_default(&o.fetch);
		if (lock_read(argv[2], &l, &e) < 0)
			return fail(&e);
		int r = apkroot_prepare(&l, argv[3], &o, &path, &cached, &hold, &e);
		lock_free(&l);
		if (r < 0)
			return fail(&e);
		printf("%s %s\n", path, cached ? "cached" : "new");
		free(path);
		close(hold);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "installed")) {
		struct apk_index db;
		char *p = NULL;
		if (asprintf(&p, "%s/lib/apk/db/installed", argv[2]) < 0)
			return 1;
		int r = apk_installed_read(p, &db, &e);
		free(p);
		if (r < 0)
			return fail(&e);
		for (size_t i = 0; i < db.n; i++) {
			size_t nf = 0;
			for (size_t k = 0; k < db.pkgs[i].ndirs; k++)
				nf += db.pkgs[i].dirs[k].nfiles;
			printf("%s %s %zu dirs %zu files\n", db.pkgs[i].name, db.pkgs[i].version,
			       db.pkgs[i].ndirs, nf);
		}
		apk_index_free(&db);
		return 0;
	}
	fprintf(stderr,
		"usage: apkroot_try resolve DISTRO OUT.lock ATOM... | prepare LOCK KEYS_DIR "
		"| installed ROOT\n");
	return 2;
}
