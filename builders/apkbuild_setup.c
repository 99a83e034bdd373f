/* apkbuild_setup.c - the build's root of one Alpine build: directories made
 * and files copied in without following symlinks, the recipe and its
 * verified sources placed at the start directory, and kiln's abuild driver. */
#include "builders/apkbuild.h"
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* kiln's abuild driver: one step of the APKBUILD per run, in abuild's
 * environment, with abuild's default functions defined before the APKBUILD
 * is sourced (so that it may replace them). @STARTDIR@, @CARCH@ and @JOBS@
 * are filled in. Arguments: STEP [SUBPKG SPLITFUNC]. */
static const char driver_template[] =
    "# kiln's abuild driver: one step of an APKBUILD, in abuild's order and environment\n"
    "set -e\n"
    "umask 022\n"
    "_kiln_step=$1; _kiln_sub=$2; _kiln_func=$3\n"
    "startdir='@STARTDIR@'\n"
    "srcdir=\"$startdir/src\"; pkgbasedir=\"$startdir/pkg\"; tmpdir=\"$startdir/tmp\"\n"
    "CARCH='@CARCH@'; CBUILD=\"$CARCH-alpine-linux-musl\"; CHOST=\"$CBUILD\"; "
    "CTARGET=\"$CHOST\"\n"
    "CTARGET_ARCH=\"$CARCH\"; CBUILD_ARCH=\"$CARCH\"; CHOST_ARCH=\"$CARCH\"; CLIBC=musl\n"
    "export CARCH CBUILD CHOST CTARGET CTARGET_ARCH CBUILD_ARCH CHOST_ARCH CLIBC\n"
    "export CFLAGS='-Os -fstack-clash-protection -Wformat -Werror=format-security'\n"
    "export CXXFLAGS=\"$CFLAGS\" CPPFLAGS='-Os -fstack-clash-protection'\n"
    "export LDFLAGS='-Wl,--as-needed,-O1,--sort-common'\n"
    "export JOBS=@JOBS@ MAKEFLAGS=-j@JOBS@\n"
    "msg() { printf '>>> %s: %s\\n' \"${_kiln_sub:-$pkgname}\" \"$*\" >&2; }\n"
    "warning() { msg \"WARNING: $*\"; }\n"
    "error() { msg \"ERROR: $*\"; }\n"
    "die() { error \"$@\"; exit 1; }\n"
    "filename_of() { case \"$1\" in *::*) echo \"${1%%::*}\";; *://*) echo \"${1##*/}\";; *) "
    "echo \"$1\";; esac; }\n"
    "default_unpack() {\n"
    "  local s f\n"
    "  for s in $source; do\n"
    "    f=$(filename_of \"$s\")\n"
    "    case \"$f\" in\n"
    "    *.tar.gz|*.tgz) msg \"Unpacking $f...\"; tar -C \"$srcdir\" -xzf \"$srcdir/$f\";;\n"
    "    *.tar.bz2|*.tbz2) msg \"Unpacking $f...\"; tar -C \"$srcdir\" -xjf \"$srcdir/$f\";;\n"
    "    *.tar.xz|*.txz) msg \"Unpacking $f...\"; tar -C \"$srcdir\" -xJf \"$srcdir/$f\";;\n"
    "    *.tar) msg \"Unpacking $f...\"; tar -C \"$srcdir\" -xf \"$srcdir/$f\";;\n"
    "    *.zip) msg \"Unpacking $f...\"; unzip -n -q \"$srcdir/$f\" -d \"$srcdir\";;\n"
    "    esac\n"
    "  done\n"
    "}\n"
    "unpack() { default_unpack; }\n"
    "default_prepare() {\n"
    "  local s f\n"
    "  for s in $source; do\n"
    "    f=$(filename_of \"$s\")\n"
    "    case \"$f\" in\n"
    "    *.patch) msg \"$f\"; patch ${patch_args:--p1} -i \"$srcdir/$f\";;\n"
    "    *.patch.gz) msg \"$f\"; gzip -dc \"$srcdir/$f\" | patch ${patch_args:--p1};;\n"
    "    *.patch.xz) msg \"$f\"; xz -dc \"$srcdir/$f\" | patch ${patch_args:--p1};;\n"
    "    esac\n"
    "  done\n"
    "}\n"
    "prepare() { default_prepare; }\n"
    "build() { :; }\n"
    /* amove PATTERN...: move what matches (relative to $pkgdir) into $subpkgdir */
    "amove() {\n"
    "  [ -n \"$subpkgdir\" ] || die 'amove outside a split function'\n"
    "  local p f d moved=1\n"
    "  cd \"$pkgdir\" || return 1\n"
    "  for p in \"$@\"; do\n"
    "    for f in ${p#/}; do\n"
    "      [ -e \"$f\" ] || [ -L \"$f\" ] || continue\n"
    "      case \"$f\" in */*) d=\"$subpkgdir/${f%/*}\";; *) d=\"$subpkgdir\";; esac\n"
    "      mkdir -p \"$d\"; mv \"$f\" \"$d/\"; moved=0\n"
    "      case \"$f\" in */*) rmdir -p \"${f%/*}\" 2>/dev/null || :;; esac\n"
    "    done\n"
    "  done\n"
    "  return $moved\n"
    "}\n"
    "default_doc() {\n"
    "  local d f\n"
    "  depends=\"$depends_doc\"\n"
    "  pkgdesc=\"$pkgdesc (documentation)\"\n"
    "  install_if=\"docs $pkgname=$pkgver-r$pkgrel\"\n"
    "  for d in doc man info html sgml licenses gtk-doc ri help; do\n"
    "    if [ -d \"$pkgdir/usr/share/$d\" ]; then\n"
    "      mkdir -p \"$subpkgdir/usr/share\"; mv \"$pkgdir/usr/share/$d\" "
    "\"$subpkgdir/usr/share/\"\n"
    "    fi\n"
    "  done\n"
    "  if [ -d \"$subpkgdir/usr/share/man\" ]; then\n"
    "    find \"$subpkgdir/usr/share/man\" -type f ! -name '*.gz' ! -name '*.bz2' ! -name "
    "'*.xz' | sort | while read -r f; do gzip -9n \"$f\"; done\n"
    "  fi\n"
    "  rm -f \"$subpkgdir/usr/share/info/dir\"\n"
    "  rmdir \"$pkgdir/usr/share\" \"$pkgdir/usr\" 2>/dev/null || :\n"
    "}\n"
    "doc() { default_doc; }\n"
    "default_dev() {\n"
    "  local i\n"
    "  depends=\"$depends_dev\"\n"
    "  [ -n \"$depends_dev\" ] || depends=\"$pkgname=$pkgver-r$pkgrel\"\n"
    "  pkgdesc=\"$pkgdesc (development files)\"\n"
    "  cd \"$pkgdir\" || return 0\n"
    "  for i in usr/include usr/lib/pkgconfig usr/share/pkgconfig usr/share/aclocal "
    "usr/lib/cmake usr/bin/*-config $(find usr lib -name '*.a' -o -name '*.so' -o -name "
    "'*.prl' 2>/dev/null | sort); do\n"
    "    if [ -e \"$i\" ] || [ -L \"$i\" ]; then\n"
    "      mkdir -p \"$subpkgdir/${i%/*}\"; mv \"$i\" \"$subpkgdir/${i%/*}/\"\n"
    "      rmdir -p \"${i%/*}\" 2>/dev/null || :\n"
    "    fi\n"
    "  done\n"
    "  return 0\n"
    "}\n"
    "dev() { default_dev; }\n"
    "default_static() {\n"
    "  pkgdesc=\"$pkgdesc (static library)\"\n"
    "  depends=\"\"\n"
    "  amove 'usr/lib/*.a' || :\n"
    "}\n"
    "static() { default_static; }\n"
    "cd \"$startdir\"\n"
    ". \"$startdir/APKBUILD\"\n"
    ": \"${builddir:=$srcdir/$pkgname-$pkgver}\"\n"
    "pkgdir=\"$pkgbasedir/$pkgname\"\n"
    "_kiln_meta() {\n"
    "  local v\n"
    "  mkdir -p \"$startdir/.kiln-meta\"\n"
    "  for v in pkgdesc url license arch depends provides replaces install_if "
    "provider_priority replaces_priority; do\n"
    "    eval \"if [ -n \\\"\\${$v+x}\\\" ]; then printf '%s\\\\0%s\\\\0' $v \\\"\\$$v\\\"; "
    "fi\"\n"
    "  done >\"$startdir/.kiln-meta/$1\"\n"
    "  printf 'kiln-end\\0\\0' >>\"$startdir/.kiln-meta/$1\"\n"
    "}\n"
    "case \"$_kiln_step\" in\n"
    "unpack) mkdir -p \"$srcdir\"; unpack;;\n"
    "prepare|build|check) if [ -d \"$builddir\" ]; then cd \"$builddir\"; fi; "
    "\"$_kiln_step\";;\n"
    "package) rm -rf \"$pkgdir\"; mkdir -p \"$pkgdir\"; if [ -d \"$builddir\" ]; then cd "
    "\"$builddir\"; fi; package; _kiln_meta \"$pkgname\";;\n"
    "split) subpkgname=$_kiln_sub; subpkgdir=\"$pkgbasedir/$subpkgname\"; rm -rf "
    "\"$subpkgdir\"; mkdir -p \"$subpkgdir\"\n"
    "  depends=''; provides=''; replaces=''; install_if=''; unset provider_priority "
    "replaces_priority\n"
    "  \"$_kiln_func\"; cd \"$startdir\"; _kiln_meta \"$subpkgname\";;\n"
    "*) die \"unknown step $_kiln_step\";;\n"
    "esac\n";

/* ---- files in the build's root ---- */

/* open path (absolute inside the build's root) without leaving it and
 * without following any symlink */
int apkbuild_open_in_root(const struct abuild_ctx *c, const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
			       .resolve =
				   RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	int rootfd = open(c->wr.merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	int saved = errno;
	close(rootfd);
	errno = saved;
	return fd;
}

/* mkdir -p of an absolute path inside the build's root, never through a
 * symlink; the directories made are given to the build user */
static int mkdir_in_root(const struct abuild_ctx *c, const char *path, struct kerr *e)
{
	struct strv parts = {0};
	int fd = open(c->wr.merged, O_PATH | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return kerr_errno(e, KILN_EIO, "opening %s", c->wr.merged);
	strv_split(&parts, path, "/");
	for (size_t i = 0; i < parts.n; i++) {
		int made = mkdirat(fd, parts.v[i], 0755) == 0;
		if (!made && errno != EEXIST) {
			ret = kerr_errno(e, KILN_EIO, "creating %s in the build root", path);
			break;
		}
		int nfd = openat(fd, parts.v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = nfd;
		if (fd < 0) {
			ret = kerr_errno(e, KILN_EIO, "%s in the build root is not a directory",
					 path);
			break;
		}
		if ((made || i + 1 == parts.n) && geteuid() == 0 &&
		    fchown(fd, sandbox_host_uid(BUILD_UID), sandbox_host_gid(BUILD_GID)) < 0) {
			ret = kerr_errno(e, KILN_EIO, "chown %s in the build root", path);
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	strv_free(&parts);
	return ret;
}

/* copy a host file into the build's root at path (absolute inside) */
static int copy_into_root(const struct abuild_ctx *c, const char *from, const char *path,
			  struct kerr *e)
{
	char *to = xasprintf("%s%s", c->wr.merged, path);
	int ret = copy_file_atomic(from, to, 0644, e);
	if (ret == 0 && geteuid() == 0 &&
	    chown(to, sandbox_host_uid(BUILD_UID), sandbox_host_gid(BUILD_GID)) < 0)
		ret = kerr_errno(e, KILN_EIO, "chown %s", to);
	free(to);
	return ret;
}

/* the driver, written into the build's root (root-owned, read-only to the build) */
int apkbuild_write_driver(struct abuild_ctx *c, struct kerr *e)
{
	struct kbuf b = {0};
	const char *t = driver_template;
	char jobs[16];
	snprintf(jobs, sizeof(jobs), "%d", c->o->b.parallel > 0 ? c->o->b.parallel : 1);
	while (*t) {
		const char *at = strchr(t, '@');
		if (!at) {
			kbuf_adds(&b, t);
			break;
		}
		kbuf_add(&b, t, (size_t)(at - t));
		if (str_has_prefix(at, "@STARTDIR@")) {
			kbuf_adds(&b, c->startdir);
			t = at + 10;
		} else if (str_has_prefix(at, "@CARCH@")) {
			kbuf_adds(&b, c->def.arch);
			t = at + 7;
		} else if (str_has_prefix(at, "@JOBS@")) {
			kbuf_adds(&b, jobs);
			t = at + 6;
		} else {
			kbuf_add(&b, "@", 1);
			t = at + 1;
		}
	}
	char *p = xasprintf("%s%s", c->wr.merged, DRIVER_PATH);
	int ret = write_file_atomic(p, b.data, b.len, 0644, e);
	free(p);
	kbuf_free(&b);
	return ret;
}

/* APKBUILD, install scripts and verified sources into the build's root */
int apkbuild_place_recipe(struct abuild_ctx *c, struct kerr *e)
{
	char *src = xasprintf("%s/src", c->startdir), *pkg = xasprintf("%s/pkg", c->startdir);
	int ret;

	if ((ret = mkdir_in_root(c, c->startdir, e)) < 0 || (ret = mkdir_in_root(c, src, e)) < 0 ||
	    (ret = mkdir_in_root(c, pkg, e)) < 0)
		goto out;
	char *from = xasprintf("%s/APKBUILD", c->ab.dir),
	     *to = xasprintf("%s/APKBUILD", c->startdir);
	ret = copy_into_root(c, from, to, e);
	free(from);
	free(to);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < c->ab.install.n && ret == 0; i++) {
		const char *n = c->ab.install.v[i];
		struct stat st;
		from = xasprintf("%s/%s", c->ab.dir, n);
		to = xasprintf("%s/%s", c->startdir, n);
		if (!is_safe_filename(n) || lstat(from, &st) < 0 || !S_ISREG(st.st_mode))
			ret = kerr_set(e, KILN_EPARSE,
				       "%s/APKBUILD: install script %s is not a regular file next "
				       "to it",
				       c->ab.dir, n);
		else
			ret = copy_into_root(c, from, to, e);
		free(from);
		free(to);
	}
	if (ret < 0)
		goto out;
	/* the sources again, verified as they are copied */
	char *dest = xasprintf("%s%s", c->wr.merged, src);
	apk_sources_free(&c->srcs);
	ret = apk_sources_verify(&c->ab, dest, &c->srcs, e);
	for (size_t i = 0; ret == 0 && geteuid() == 0 && i < c->srcs.n; i++) {
		char *f = xasprintf("%s/%s", dest, c->srcs.v[i].name);
		if (chown(f, sandbox_host_uid(BUILD_UID), sandbox_host_gid(BUILD_GID)) < 0)
			ret = kerr_errno(e, KILN_EIO, "chown %s", f);
		free(f);
	}
	free(dest);
out:
	free(src);
	free(pkg);
	return ret;
}
