/* apkbuild_plan.c - what one Alpine build makes, decided on the host before
 * any root exists: the packages (main and split) with their functions and
 * archs, SOURCE_DATE_EPOCH and the commit from the recipe, the signing key.
 *
 * SOURCE_DATE_EPOCH "from the recipe" (when --source-date-epoch is not
 * given), made reproducible: if the APKBUILD's directory is in a git work
 * tree with no local changes there, the committer date of the newest commit
 * touching that directory (its id becomes .PKGINFO's commit); otherwise the
 * APKBUILD's mtime. git runs inside the sandbox, never on the host. */
#include "builders/apkbuild.h"
#include "sandbox/sandbox.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- names in subpackages= ---- */

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

/* ---- kiln's own package signing key ---- */

/* $KILN_HOME/keys/kiln-apk.rsa (+ .pub), RSA 4096, made on first use */
int apkbuild_signing_key(char **path, struct kerr *e)
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
	struct sandbox_mount m[1];
	struct strv argv = {0};
	struct kerr e = {0};
	size_t nm = 0;
	int status = 0;

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
	int r = apk_host_view_run(argv.v, NULL, m, nm, 30, 1u << 20, out, NULL, &status, &e);
	strv_free(&argv);
	return r == 0 && status == 0 ? 0 : -1;
}

int apkbuild_recipe_date(struct abuild_ctx *c, struct kerr *e)
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
int apkbuild_arch_allowed(const struct strv *arch, const char *carch)
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

int apkbuild_plan_packages(struct abuild_ctx *c, const char *file, struct kerr *e)
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
