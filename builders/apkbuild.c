/* apkbuild.c - one Alpine build: evaluate the APKBUILD, verify its sources,
 * resolve and prepare the root, run abuild's steps in the sandbox as the
 * build user, write signed .apk files, the log and the build record.
 *
 * SOURCE_DATE_EPOCH "from the recipe" (when --source-date-epoch is not
 * given), made reproducible: if the APKBUILD's directory is in a git work
 * tree with no local changes there, the committer date of the newest commit
 * touching that directory (its id becomes .PKGINFO's commit); otherwise the
 * APKBUILD's mtime. git runs inside the sandbox, never on the host. */
#include "builders/alpine.h"
#include "builders/buildlog.h"
#include "builders/record.h"
#include "builders/workroot.h"
#include "sandbox/sandbox.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BUILD_PATH "/home/buildozer/aports"
#define DRIVER_PATH "/.kiln-abuild"
#define META_MAX (1u << 20)

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
	char started[32];
};

/* ---- small helpers ---- */

static int name_ok(const char *s)
{
	if (!s || !*s || !isalnum((unsigned char)s[0]) || strlen(s) > 128)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("+-._", *s))
			return 0;
	return 1;
}

static int ident_ok(const char *s)
{
	if (!s || !*s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* open path (absolute inside the build's root) without leaving it and
 * without following any symlink */
static int open_in_root(const struct abuild_ctx *c, const char *path, int flags)
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

/* ---- kiln's own package signing key ---- */

/* $KILN_HOME/keys/kiln-apk.rsa (+ .pub), RSA 4096, made on first use */
static int default_signing_key(char **path, struct kerr *e)
{
	char *dir = xasprintf("%s/keys", kiln_home());
	char *priv = xasprintf("%s/kiln-apk.rsa", dir), *pub = xasprintf("%s.pub", priv);
	char *lockp = xasprintf("%s/.kiln-apk.lock", dir);
	EVP_PKEY *pk = NULL;
	BIO *bp = NULL, *bq = NULL;
	int ret = 0, lfd = -1;

	if ((ret = mkdir_p(dir, 0700, e)) < 0)
		goto out;
	if ((lfd = lock_path(lockp, 1, e)) < 0) {
		ret = -e->code;
		goto out;
	}
	if (path_exists(priv) && path_exists(pub))
		goto done;
	log_info("making kiln's package signing key %s (RSA 4096)", priv);
	if (!(pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096))) {
		ret = kerr_set(e, KILN_EFAIL, "generating an RSA key failed");
		goto out;
	}
	bp = BIO_new(BIO_s_mem());
	bq = BIO_new(BIO_s_mem());
	if (!PEM_write_bio_PrivateKey(bp, pk, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_PUBKEY(bq, pk)) {
		ret = kerr_set(e, KILN_EFAIL, "writing the RSA key failed");
		goto out;
	}
	char *p = NULL, *q = NULL;
	long np = BIO_get_mem_data(bp, &p), nq = BIO_get_mem_data(bq, &q);
	if ((ret = write_file_atomic(pub, q, (size_t)nq, 0644, e)) < 0 ||
	    (ret = write_file_atomic(priv, p, (size_t)np, 0600, e)) < 0)
		goto out;
done:
	*path = priv;
	priv = NULL;
out:
	if (lfd >= 0)
		unlock_fd(lfd);
	BIO_free(bp);
	BIO_free(bq);
	EVP_PKEY_free(pk);
	free(dir);
	free(priv);
	free(pub);
	free(lockp);
	return ret;
}

/* ---- SOURCE_DATE_EPOCH from the recipe ---- */

/* the top of the git work tree holding dir, or NULL */
static char *git_top(const char *dir)
{
	char *p = xstrdup(dir);
	for (;;) {
		char *g = xasprintf("%s/.git", p);
		int found = path_exists(g);
		free(g);
		if (found)
			return p;
		char *slash = strrchr(p, '/');
		if (!slash || slash == p) {
			free(p);
			return NULL;
		}
		*slash = '\0';
	}
}

/* run git in the sandbox (the host's / read-only, no network); its output */
static int git_in_sandbox(const char *dir, const char *const *args, struct kbuf *out)
{
	struct sandbox_opts so;
	struct sandbox_mount m[1];
	struct strv argv = {0};
	struct kerr e = {0};
	size_t nm = 0;
	int status = 0, fd = memfd_create("kiln-git", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	/* kiln's cache (and its keys) stays hidden unless the recipe is in it */
	if (path_exists(kiln_home()) && !str_has_prefix(dir, kiln_home()))
		m[nm++] = (struct sandbox_mount){SB_TMPFS, NULL, kiln_home()};
	strv_add(&argv, "git");
	strv_add(&argv, "-c");
	strv_add(&argv, "safe.directory=*");
	strv_add(&argv, "-c");
	strv_add(&argv, "core.fsmonitor=false");
	strv_add(&argv, "-C");
	strv_add(&argv, dir);
	for (size_t i = 0; args[i]; i++)
		strv_add(&argv, args[i]);
	sandbox_opts_init(&so);
	so.mounts = m;
	so.nmounts = nm;
	so.argv = argv.v;
	so.uid = BUILD_UID;
	so.gid = BUILD_GID;
	so.timeout_s = 30;
	so.max_file_bytes = 1u << 20;
	so.stdin_fd = -1;
	so.stdout_fd = fd;
	so.stderr_fd = -1;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	so.stderr_fd = devnull;
	int r = sandbox_run(&so, &status, &e);
	if (devnull >= 0)
		close(devnull);
	if (r == 0 && status == 0) {
		char buf[4096];
		ssize_t n;
		off_t off = 0;
		while ((n = pread(fd, buf, sizeof(buf), off)) > 0 && out->len < (1u << 20)) {
			kbuf_add(out, buf, (size_t)n);
			off += n;
		}
	}
	close(fd);
	strv_free(&argv);
	return r == 0 && status == 0 ? 0 : -1;
}

static int recipe_date(struct abuild_ctx *c, struct kerr *e)
{
	const char *dir = c->ab.dir;
	char *top = git_top(dir), *apkbuild = xasprintf("%s/APKBUILD", dir);
	struct kbuf st = {0}, lg = {0};
	struct stat sb;
	int ret = 0;

	if (top) {
		static const char *const status_args[] = {"status", "--porcelain", "--", ".", NULL};
		static const char *const log_args[] = {"log", "-1", "--format=%H %ct",
						       "--",  ".",  NULL};
		if (git_in_sandbox(dir, status_args, &st) == 0 && st.len == 0 &&
		    git_in_sandbox(dir, log_args, &lg) == 0 && lg.len > 42) {
			char hash[41];
			long long ts = -1;
			if (sscanf(lg.data, "%40[0-9a-f] %lld", hash, &ts) == 2 && ts > 0 &&
			    strlen(hash) == 40) {
				c->sde = ts;
				c->commit = xstrdup(hash);
				log_verbose("SOURCE_DATE_EPOCH %lld: git commit %s", ts, hash);
				goto out;
			}
		}
	}
	if (stat(apkbuild, &sb) < 0) {
		ret = kerr_errno(e, KILN_EIO, "%s", apkbuild);
		goto out;
	}
	c->sde = (int64_t)sb.st_mtime;
	log_verbose("SOURCE_DATE_EPOCH %lld: the mtime of %s", (long long)c->sde, apkbuild);
out:
	free(top);
	free(apkbuild);
	kbuf_free(&st);
	kbuf_free(&lg);
	return ret;
}

/* ---- what is built ---- */

/* abuild's architecture rules: "all", "noarch", the arch, "!arch" */
static int arch_allowed(const struct strv *arch, const char *carch)
{
	int yes = 0;
	for (size_t i = 0; i < arch->n; i++) {
		const char *a = arch->v[i];
		if (a[0] == '!' && !strcmp(a + 1, carch))
			return 0;
		if (!strcmp(a, "all") || !strcmp(a, "noarch") || !strcmp(a, carch))
			yes = 1;
	}
	return yes;
}

static const char *default_split_func(const char *name, char **owned)
{
	static const char *const completions[][2] = {{"-bash-completion", "bashcomp"},
						     {"-zsh-completion", "zshcomp"},
						     {"-fish-completion", "fishcomp"}};
	for (size_t i = 0; i < 3; i++)
		if (str_has_suffix(name, completions[i][0]))
			return completions[i][1];
	const char *dash = strrchr(name, '-');
	*owned = xstrdup(dash ? dash + 1 : name);
	return *owned;
}

static int noarch_by_default(const char *name)
{
	static const char *const sfx[] = {"-doc", "-openrc",  "-lang", "-completion",
					  "-pyc", "-systemd", "-udev", "-nftrules"};
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (str_has_suffix(name, sfx[i]))
			return 1;
	return 0;
}

static int plan_packages(struct abuild_ctx *c, const char *file, struct kerr *e)
{
	const struct apkbuild *ab = &c->ab;
	const char *pkgarch = strv_contains(&ab->arch, "noarch") ? "noarch" : c->def.arch;

	c->pkgs = xcalloc(ab->subpackages.n + 1, sizeof(*c->pkgs));
	c->pkgs[0].name = xstrdup(ab->pkgname);
	c->pkgs[0].arch = xstrdup(pkgarch);
	c->npkgs = 1;
	for (size_t i = 0; i < ab->subpackages.n; i++) {
		struct strv f = {0};
		char *owned = NULL;
		strv_split(&f, ab->subpackages.v[i], ":");
		if (f.n == 0 || f.n > 3 || !name_ok(f.v[0])) {
			strv_free(&f);
			return kerr_set(e, KILN_EPARSE, "%s: invalid subpackage '%s'", file,
					ab->subpackages.v[i]);
		}
		const char *func = f.n > 1 ? f.v[1] : default_split_func(f.v[0], &owned);
		const char *arch = f.n > 2		       ? f.v[2]
				   : noarch_by_default(f.v[0]) ? "noarch"
							       : pkgarch;
		struct apk_out *p = &c->pkgs[c->npkgs];
		p->name = xstrdup(f.v[0]);
		p->func = xstrdup(func);
		p->arch = xstrdup(arch);
		c->npkgs++;
		free(owned);
		strv_free(&f);
		if (!ident_ok(p->func) || !name_ok(p->arch))
			return kerr_set(e, KILN_EPARSE,
					"%s: subpackage %s: invalid split function or arch", file,
					p->name);
		if (!strv_contains(&ab->functions, p->func) && strcmp(p->func, "doc") &&
		    strcmp(p->func, "dev") && strcmp(p->func, "static"))
			return kerr_set(e, KILN_EPARSE, "%s: subpackage %s: no split function %s()",
					file, p->name, p->func);
		for (size_t k = 0; k + 1 < c->npkgs; k++)
			if (!strcmp(c->pkgs[k].name, p->name))
				return kerr_set(e, KILN_EPARSE, "%s: package %s is listed twice",
						file, p->name);
	}
	return 0;
}

/* ---- steps ---- */

static int run_step(struct abuild_ctx *c, const char *step, const char *arg1, const char *arg2,
		    double timeout_s, struct kerr *e)
{
	struct sandbox_opts so;
	int status = 0, ret;
	char *argv[] = {"/bin/sh",
			DRIVER_PATH,
			(char *)step,
			(char *)(arg1 ? arg1 : ""),
			(char *)(arg2 ? arg2 : ""),
			NULL};
	char *name = arg1 ? xasprintf("%s %s", step, arg1) : xstrdup(step);

	if (c->o->b.cancel && *c->o->b.cancel) {
		ret = kerr_set(e, KILN_EINTR, "interrupted before step %s", name);
		goto out;
	}
	logtee_say(&c->log, "kiln: step %s", name);
	log_verbose("step %s", name);
	sandbox_opts_init(&so);
	so.profile = SANDBOX_BUILD;
	so.root = c->wr.merged;
	so.root_writable = 1;
	so.chdir = c->startdir;
	so.argv = argv;
	so.env = c->env.v;
	so.uid = BUILD_UID;
	so.gid = BUILD_GID;
	so.hostname = c->o->b.hostname ? c->o->b.hostname : "kiln";
	so.network = c->network;
	so.timeout_s = timeout_s;
	so.stdin_fd = -1;
	so.stdout_fd = so.stderr_fd = c->log.wfd;
	ret = sandbox_run(&so, &status, e);
	if (c->o->b.cancel && *c->o->b.cancel) {
		logtee_say(&c->log, "kiln: step %s interrupted", name);
		ret = kerr_set(e, KILN_EINTR, "interrupted during step %s", name);
	} else if (ret < 0) {
		logtee_say(&c->log, "kiln: step %s failed: %s", name, e->msg);
		kerr_prefix(e, "step %s: ", name);
	} else if (status != 0) {
		logtee_say(&c->log, "kiln: step %s failed (exit status %d)", name, status);
		ret = kerr_set(e, KILN_EFAIL, "step %s failed (exit status %d)", name, status);
	}
out:
	free(name);
	return ret;
}

static void make_env(struct abuild_ctx *c)
{
	strv_add(&c->env, "LANG=C.UTF-8");
	strv_add(&c->env, "LC_ALL=C.UTF-8");
	strv_add(&c->env, "TZ=UTC");
	strv_add(&c->env, "HOME=/home/build");
	strv_add(&c->env, "USER=" BUILD_USER);
	strv_add(&c->env, "LOGNAME=" BUILD_USER);
	strv_add(&c->env, "SHELL=/bin/sh");
	strv_add(&c->env, "TERM=dumb");
	strv_add_owned(&c->env, xasprintf("SOURCE_DATE_EPOCH=%lld", (long long)c->sde));
}

/* the driver, written into the build's root (root-owned, read-only to the build) */
static int write_driver(struct abuild_ctx *c, struct kerr *e)
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
static int place_recipe(struct abuild_ctx *c, struct kerr *e)
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

/* ---- writing the packages ---- */

static int read_meta(struct abuild_ctx *c, const char *name, struct apkbuild *m, struct kerr *e)
{
	char *p = xasprintf("%s/.kiln-meta/%s", c->startdir, name);
	struct kbuf b = {0};
	char buf[65536];
	ssize_t n;
	int ret = 0, fd = open_in_root(c, p, O_RDONLY);

	memset(m, 0, sizeof(*m));
	if (fd < 0) {
		ret = kerr_errno(e, KILN_EFAIL, "%s: the package step left no metadata", name);
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0 && b.len <= META_MAX)
		kbuf_add(&b, buf, (size_t)n);
	close(fd);
	if (b.len > META_MAX) {
		ret = kerr_set(e, KILN_EPARSE, "%s: metadata larger than %u bytes", name, META_MAX);
		goto out;
	}
	ret = apkbuild_parse_vars(m, &b, p, e);
out:
	kbuf_free(&b);
	free(p);
	return ret;
}

static void strv_copy(struct strv *to, const struct strv *from)
{
	for (size_t i = 0; i < from->n; i++)
		strv_add(to, from->v[i]);
}

/* install scripts ("NAME.pre-install") and triggers ("NAME.trigger=/a:/b") of one package */
static void scripts_of(const struct abuild_ctx *c, const char *name, struct apk_script *sc,
		       size_t *nsc, struct strv *paths, struct strv *triggers)
{
	size_t nl = strlen(name);
	*nsc = 0;
	for (size_t i = 0; i < c->ab.install.n && *nsc < 8; i++) {
		const char *s = c->ab.install.v[i];
		if (strncmp(s, name, nl) || s[nl] != '.')
			continue;
		strv_add_owned(paths, xasprintf("%s/%s", c->ab.dir, s));
		sc[*nsc].name = s + nl;
		sc[*nsc].path = paths->v[paths->n - 1];
		(*nsc)++;
	}
	for (size_t i = 0; i < c->ab.triggers.n && *nsc < 8; i++) {
		const char *s = c->ab.triggers.v[i], *eq = strchr(s, '=');
		if (!eq || strncmp(s, name, nl) || strncmp(s + nl, ".trigger=", 9))
			continue;
		strv_split(triggers, eq + 1, ":");
		strv_add_owned(paths, xasprintf("%s/%.*s", c->ab.dir, (int)(eq - s), s));
		sc[*nsc].name = ".trigger";
		sc[*nsc].path = paths->v[paths->n - 1];
		(*nsc)++;
	}
}

static int write_one(struct abuild_ctx *c, const struct apk_out *p, const char *staging,
		     struct strv *names, struct kerr *e)
{
	struct apkbuild m;
	struct apk_pkg meta = {0};
	struct apk_script sc[8];
	size_t nsc = 0;
	struct strv paths = {0}, triggers = {0};
	char *dirp = xasprintf("%s/pkg/%s", c->startdir, p->name);
	char *fname = xasprintf("%s-%s-r%s.apk", p->name, c->ab.pkgver, c->ab.pkgrel);
	char *out = xasprintf("%s/%s", staging, fname);
	char *datadir = xasprintf("%s%s", c->wr.merged, dirp);
	int ret, fd = -1;

	if ((ret = read_meta(c, p->name, &m, e)) < 0)
		goto out;
	/* no symlink on the way (the build has ended: nothing changes it now) */
	fd = open_in_root(c, dirp, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		ret = kerr_errno(e, KILN_EFAIL, "%s: no package directory %s (or a symlink on its path)",
				 p->name, dirp);
		goto out;
	}
	meta.name = p->name;
	meta.version = xasprintf("%s-r%s", c->ab.pkgver, c->ab.pkgrel);
	meta.arch = p->arch;
	meta.description = m.pkgdesc ? m.pkgdesc : c->ab.pkgdesc;
	meta.url = m.url ? m.url : c->ab.url;
	meta.license = m.license ? m.license : c->ab.license;
	meta.origin = c->ab.pkgname;
	meta.maintainer = c->ab.maintainer;
	meta.commit = c->commit;
	meta.build_time = c->sde;
	strv_copy(&meta.depends, &m.depends);
	strv_copy(&meta.provides, &m.provides);
	strv_copy(&meta.install_if, &m.install_if);
	strv_copy(&meta.replaces, &m.replaces);
	if (m.provider_priority && *m.provider_priority) {
		meta.provider_priority = strtoll(m.provider_priority, NULL, 10);
		meta.has_provider_priority = 1;
	}
	if (m.replaces_priority && *m.replaces_priority)
		meta.replaces_priority = strtoll(m.replaces_priority, NULL, 10);
	scripts_of(c, p->name, sc, &nsc, &paths, &triggers);
	struct apk_write_opts wo = {
	    .meta = &meta,
	    .scripts = sc,
	    .nscripts = nsc,
	    .triggers = &triggers,
	    .source_date_epoch = c->sde,
	    .key_path = c->key_path,
	    .key_name = c->key_name,
	};
	if ((ret = apk_write_package(datadir, &wo, out, e)) < 0) {
		kerr_prefix(e, "writing %s: ", fname);
		goto out;
	}
	strv_add(names, fname);
	logtee_say(&c->log, "kiln: wrote %s", fname);
out:
	if (fd >= 0)
		close(fd);
	free(meta.version);
	strv_free(&meta.depends);
	strv_free(&meta.provides);
	strv_free(&meta.install_if);
	strv_free(&meta.replaces);
	strv_free(&paths);
	strv_free(&triggers);
	apkbuild_free(&m);
	free(dirp);
	free(datadir);
	free(fname);
	free(out);
	return ret;
}

/* the record's view of the source: the APKBUILD and every verified source */
static void record_source(const struct abuild_ctx *c, struct source_pkg *s)
{
	memset(s, 0, sizeof(*s));
	s->package = c->ab.pkgname;
	s->version = xasprintf("%s-r%s", c->ab.pkgver, c->ab.pkgrel);
	s->format = "APKBUILD";
	s->files = xcalloc(c->srcs.n + 1, sizeof(*s->files));
	char *ap = xasprintf("%s/APKBUILD", c->ab.dir);
	struct kerr e = {0};
	s->files[0].name = "APKBUILD";
	if (sha256_file(ap, s->files[0].sha256, &s->files[0].size, &e) < 0)
		s->files[0].sha256[0] = '\0';
	free(ap);
	for (size_t i = 0; i < c->srcs.n; i++) {
		s->files[i + 1].name = c->srcs.v[i].name;
		memcpy(s->files[i + 1].sha256, c->srcs.v[i].sha256, sizeof(s->files[0].sha256));
		s->files[i + 1].size = c->srcs.v[i].size;
	}
	s->nfiles = c->srcs.n + 1;
}

/* Write the packages (success) and the log and record into a staging
 * directory in outdir, then rename them in: nothing partial is left. */
static int collect(struct abuild_ctx *c, int success, struct kerr *e)
{
	const char *outdir = c->o->b.outdir;
	char *staging = xasprintf("%s/.kiln-staging-%ld", outdir, (long)getpid());
	char *stem =
	    xasprintf("%s-%s-r%s_%s", c->ab.pkgname, c->ab.pkgver, c->ab.pkgrel, c->def.arch);
	char *logname = xasprintf("%s.build", stem), *recname = xasprintf("%s.kiln.json", stem);
	char log_sha[SHA256_HEX_LEN + 1] = "", rid[SHA256_HEX_LEN + 1];
	struct strv names = {0};
	struct record_file *outs = NULL;
	struct source_pkg rs = {0};
	int ret, wfd = -1;

	if ((ret = mkdir_p(outdir, 0755, e)) < 0)
		goto out;
	rm_rf(staging);
	if (mkdir(staging, 0755) < 0) {
		ret = kerr_errno(e, KILN_EIO, "creating %s", staging);
		goto out;
	}
	for (size_t i = 0; success && i < c->npkgs; i++) {
		if (c->o->b.cancel && *c->o->b.cancel) {
			ret = kerr_set(e, KILN_EINTR, "interrupted while writing the packages");
			goto out;
		}
		c->r->failed_step = "write the packages";
		if ((ret = write_one(c, &c->pkgs[i], staging, &names, e)) < 0)
			goto out;
	}
	logtee_stop(&c->log);
	wfd = open(c->work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = wfd < 0 ? kerr_errno(e, KILN_EIO, "%s", c->work)
		      : stage_file(wfd, "build.log", staging, NULL, e);
	if (ret < 0)
		goto out;
	{
		char *a = xasprintf("%s/build.log", staging),
		     *b = xasprintf("%s/%s", staging, logname);
		if (rename(a, b) < 0 || sha256_file(b, log_sha, NULL, e) < 0)
			log_sha[0] = '\0';
		free(a);
		free(b);
	}
	if (success) {
		outs = xcalloc(names.n + 1, sizeof(*outs));
		for (size_t i = 0; i < names.n; i++) {
			char *f = xasprintf("%s/%s", staging, names.v[i]);
			outs[i].name = names.v[i];
			ret = sha256_file(f, outs[i].sha256, &outs[i].size, e);
			free(f);
			if (ret < 0)
				goto out;
		}
		record_source(c, &rs);
		apkroot_id(&c->lock, rid);
		char *bp = xasprintf("%s/src", c->startdir);
		struct record_info ri = {
		    .distro = c->o->b.distro_name ? c->o->b.distro_name : c->d->name,
		    .src = &rs,
		    .lock = &c->lock,
		    .build_path = bp,
		    .kind = "apk",
		    .env = &c->env,
		    .argv = &c->argv_all,
		    .sde = c->sde,
		    .hostname = c->o->b.hostname ? c->o->b.hostname : "kiln",
		    .outputs = outs,
		    .noutputs = names.n,
		    .log_name = logname,
		    .log_sha256 = log_sha[0] ? log_sha : NULL,
		    .started = c->started,
		    .root_id = rid,
		};
		char *recp = xasprintf("%s/%s", staging, recname);
		ret = record_write(&ri, recp, e);
		free(recp);
		free(bp);
		if (ret < 0)
			goto out;
	}
	/* everything staged and synced: move into place */
	strv_add(&names, logname);
	if (success)
		strv_add(&names, recname);
	for (size_t i = 0; i < names.n; i++) {
		char *a = xasprintf("%s/%s", staging, names.v[i]);
		char *b = xasprintf("%s/%s", outdir, names.v[i]);
		if (rename(a, b) < 0)
			ret = kerr_errno(e, KILN_EIO, "moving %s into %s", names.v[i], outdir);
		else
			strv_add(&c->r->outputs, names.v[i]);
		free(a);
		free(b);
		if (ret < 0)
			goto out;
	}
	fsync_dir_of(staging);
	c->r->log_path = xasprintf("%s/%s", outdir, logname);
	if (success)
		c->r->record_path = xasprintf("%s/%s", outdir, recname);
out:
	if (wfd >= 0)
		close(wfd);
	rm_rf(staging);
	free(outs);
	free(rs.version);
	free(rs.files);
	strv_free(&names);
	free(staging);
	free(stem);
	free(logname);
	free(recname);
	return ret;
}

static void ctx_free(struct abuild_ctx *c)
{
	for (size_t i = 0; i < c->npkgs; i++) {
		free(c->pkgs[i].name);
		free(c->pkgs[i].func);
		free(c->pkgs[i].arch);
	}
	free(c->pkgs);
	apkbuild_free(&c->ab);
	lock_free(&c->lock);
	alpine_def_free(&c->def);
	apk_sources_free(&c->srcs);
	strv_free(&c->env);
	strv_free(&c->argv_all);
	free(c->keys_dir);
	free(c->rootpath);
	free(c->work);
	free(c->startdir);
	free(c->commit);
	free(c->key_path);
	free(c->key_name);
}

/* the steps after the root is ready, in abuild's order */
static int run_steps(struct abuild_ctx *c, struct kerr *e)
{
	struct build_result *r = c->r;
	double tb = now_monotonic(), t = c->o->b.timeout_s;
	int ret;
	const char *const steps[] = {"unpack", "prepare", "build", "check", "package"};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (!strcmp(steps[i], "check") && !c->want_check) {
			logtee_say(&c->log, "kiln: step check skipped (%s)",
				   c->o->b.nocheck ? "--nocheck" : "options=!check");
			continue;
		}
		r->failed_step = steps[i];
		strv_add(&c->argv_all, steps[i]);
		if ((ret = run_step(c, steps[i], NULL, NULL, t, e)) < 0)
			return ret;
	}
	for (size_t i = 1; i < c->npkgs; i++) {
		r->failed_step = "split";
		strv_add_owned(&c->argv_all,
			       xasprintf("split %s %s", c->pkgs[i].name, c->pkgs[i].func));
		if ((ret = run_step(c, "split", c->pkgs[i].name, c->pkgs[i].func, t, e)) < 0)
			return ret;
	}
	r->seconds_build = now_monotonic() - tb;
	return 0;
}

int alpine_build(const char *dir, const struct distro *d, const struct alpine_build_opts *o,
		 struct build_result *r, struct kerr *e)
{
	struct abuild_ctx c = {.d = d, .o = o, .r = r};
	char *file = NULL;
	int ret, cached = 0, log_started = 0, root_hold = -1;
	double t0 = now_monotonic();
	time_t now = time(NULL);
	struct tm tm;

	memset(r, 0, sizeof(*r));
	c.log.wfd = -1;
	gmtime_r(&now, &tm);
	strftime(c.started, sizeof(c.started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	umask(022);
	r->outdir = xstrdup(o->b.outdir);

	r->failed_step = "evaluate the APKBUILD";
	if ((ret = apkbuild_evaluate(dir, &c.ab, e)) < 0)
		goto out;
	file = xasprintf("%s/APKBUILD", c.ab.dir);
	if ((ret = alpine_def_load(d, &c.def, e)) < 0)
		goto out;
	if (!arch_allowed(&c.ab.arch, c.def.arch)) {
		ret = kerr_set(e, KILN_EFAIL, "%s: %s is not built on %s (arch=\"%s\")", file,
			       c.ab.pkgname, c.def.arch, c.ab.arch.n ? c.ab.arch.v[0] : "");
		goto out;
	}
	if (!strv_contains(&c.ab.functions, "package")) {
		ret = kerr_set(e, KILN_EPARSE, "%s: no package() function", file);
		goto out;
	}
	c.want_check = !o->b.nocheck && !strv_contains(&c.ab.options, "!check");
	if (c.want_check && !strv_contains(&c.ab.functions, "check")) {
		ret = kerr_set(e, KILN_EPARSE,
			       "%s: no check() function (add \"!check\" to options if the "
			       "package cannot be tested)",
			       file);
		goto out;
	}
	c.network = strv_contains(&c.ab.options, "net");
	if ((ret = plan_packages(&c, file, e)) < 0)
		goto out;

	r->failed_step = "verify the sources";
	if ((ret = apk_sources_verify(&c.ab, NULL, &c.srcs, e)) < 0)
		goto out;
	r->failed_step = "find SOURCE_DATE_EPOCH";
	if (o->source_date_epoch >= 0)
		c.sde = o->source_date_epoch;
	else if ((ret = recipe_date(&c, e)) < 0)
		goto out;
	r->source_date_epoch = c.sde;

	r->failed_step = "find the signing key";
	if (o->key_path) {
		c.key_path = xstrdup(o->key_path);
	} else if ((ret = default_signing_key(&c.key_path, e)) < 0) {
		goto out;
	}
	{
		const char *slash = strrchr(c.key_path, '/');
		c.key_name = xasprintf("%s.pub", slash ? slash + 1 : c.key_path);
	}
	if (o->keys_dir) {
		c.keys_dir = xstrdup(o->keys_dir);
	} else if (!(c.keys_dir = alpine_keys_dir(d, e))) {
		ret = -e->code;
		goto out;
	}

	r->failed_step = "resolve the build dependencies";
	struct apk_resolve_opts ro = {.nocheck = !c.want_check, .offline = o->b.root.fetch.offline};
	if ((ret = apk_resolve(d, &c.ab, &ro, &c.lock, e)) < 0) {
		kerr_prefix(e, "resolving the build dependencies of %s: ", file);
		goto out;
	}

	r->failed_step = "prepare the build root";
	if ((ret = apkroot_prepare(&c.lock, c.keys_dir, &o->b.root, &c.rootpath, &cached,
				   &root_hold, e)) < 0)
		goto out;
	r->root_cached = cached;
	r->seconds_root = now_monotonic() - t0;

	r->failed_step = "make the build's copy of the root";
	c.work = xasprintf("%s/work/build-%s-%ld-%lld", kiln_home(), c.ab.pkgname, (long)getpid(),
			   (long long)now);
	rm_rf(c.work);
	if ((ret = mkdir_p(c.work, 0755, e)) < 0)
		goto out;
	if ((ret = workroot_make(&c.wr, c.rootpath, c.work, geteuid() == 0, e)) < 0)
		goto out;
	char *logp = xasprintf("%s/build.log", c.work);
	ret = logtee_start(&c.log, logp, o->b.log_to_terminal, e);
	free(logp);
	if (ret < 0)
		goto out;
	log_started = 1;
	logtee_say(&c.log, "kiln %s: building %s %s-r%s with lock %s (%s root, %s)", KILN_VERSION,
		   c.ab.pkgname, c.ab.pkgver, c.ab.pkgrel, c.lock.sha256, cached ? "cached" : "new",
		   c.wr.overlay ? "overlayfs" : "copied");
	logtee_say(&c.log, "kiln: SOURCE_DATE_EPOCH=%lld%s%s", (long long)c.sde,
		   c.commit ? " from git commit " : "", c.commit ? c.commit : "");

	r->failed_step = "place the recipe and sources";
	c.startdir =
	    xasprintf("%s/%s", d->build_path ? d->build_path : DEFAULT_BUILD_PATH, c.ab.pkgname);
	if ((ret = place_recipe(&c, e)) < 0 || (ret = write_driver(&c, e)) < 0)
		goto out;
	make_env(&c);
	log_info("build: root %s in %.2f s; building %s %s-r%s at %s",
		 cached ? "reused" : "prepared", now_monotonic() - t0, c.ab.pkgname, c.ab.pkgver,
		 c.ab.pkgrel, c.startdir);
	if ((ret = run_steps(&c, e)) < 0)
		goto out;
	r->failed_step = "collect the outputs";
	if ((ret = collect(&c, 1, e)) < 0)
		goto out;
	r->failed_step = NULL;
out:
	if (ret < 0 && log_started && c.log.wfd >= 0) {
		struct kerr le = {0};
		const char *step = r->failed_step;
		logtee_say(&c.log, "kiln: FAILED at step '%s': %s", step ? step : "?", e->msg);
		if (collect(&c, 0, &le) < 0)
			log_warn("could not keep the log: %s", le.msg);
		r->failed_step = step;
	}
	if (log_started)
		logtee_stop(&c.log);
	if (c.wr.merged)
		workroot_release(&c.wr);
	if (c.work && !getenv("KILN_KEEP_WORK"))
		rm_rf(c.work);
	if (root_hold >= 0)
		unlock_fd(root_hold);
	r->seconds_total = now_monotonic() - t0;
	free(file);
	ctx_free(&c);
	return ret;
}
