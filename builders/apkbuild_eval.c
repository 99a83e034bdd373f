/* apkbuild_eval.c - read an APKBUILD's variables by running it with a shell
 * inside the sandbox (never on the host), plus its "# secfixes:" block. */
#include "builders/alpine.h"
#include "sandbox/sandbox.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Where the APKBUILD's directory is seen during evaluation (under the
 * sandbox's fresh /tmp, so the read-only host view needs no mount point). */
#define EVAL_STARTDIR "/tmp/startdir"
#define EVAL_TIMEOUT_S 30.0
#define EVAL_MAX_OUTPUT (1u << 20) /* what the shell may print, stdout and stderr each */
#define APKBUILD_MAX_SIZE (1u << 20)

/* The evaluation script: abuild's variables as abuild sets them before it
 * sources the APKBUILD (set -e, umask 022), then every variable above as
 * "name\0value\0" and every defined function as "function\0name\0". The
 * APKBUILD's own output goes to stderr. Candidate function names come as
 * arguments. */
static const char eval_script[] =
    "set -e\n"
    "umask 022\n"
    "startdir=" EVAL_STARTDIR "\n"
    "srcdir=\"$startdir/src\"; pkgbasedir=\"$startdir/pkg\"; tmpdir=\"$startdir/tmp\"\n"
    "CBUILD=\"$CARCH-alpine-linux-musl\"; CHOST=\"$CBUILD\"; CTARGET=\"$CHOST\"\n"
    "CTARGET_ARCH=\"$CARCH\"; CLIBC=musl\n"
    "export CARCH CBUILD CHOST CTARGET\n"
    "_kiln_cands=\"$*\"\n"
    "cd \"$startdir\"\n"
    "exec 3>&1 1>&2\n"
    ". \"$startdir/APKBUILD\"\n"
    "exec 1>&3 3>&-\n"
    "set +eu\n"
    "if [ -z \"${builddir+x}\" ] && [ -n \"${pkgname+x}\" ]; then "
    "builddir=\"$srcdir/$pkgname-$pkgver\"; fi\n"
    "for _kiln_v in pkgname pkgver pkgrel pkgdesc url license builddir arch depends "
    "makedepends checkdepends subpackages source options install triggers sha512sums "
    "provides replaces install_if provider_priority replaces_priority pkgusers pkggroups; do\n"
    "  eval \"if [ -n \\\"\\${$_kiln_v+x}\\\" ]; then printf '%s\\\\0%s\\\\0' $_kiln_v "
    "\\\"\\$$_kiln_v\\\"; fi\"\n"
    "done\n"
    "for _kiln_f in $_kiln_cands; do\n"
    "  case \"$(type \"$_kiln_f\" 2>/dev/null)\" in *function*) printf 'function\\0%s\\0' "
    "\"$_kiln_f\";; esac\n"
    "done\n"
    "printf 'kiln-end\\0\\0'\n";

void apkbuild_free(struct apkbuild *ab)
{
	if (!ab)
		return;
	free(ab->dir);
	free(ab->pkgname);
	free(ab->pkgver);
	free(ab->pkgrel);
	free(ab->pkgdesc);
	free(ab->url);
	free(ab->license);
	free(ab->builddir);
	free(ab->maintainer);
	free(ab->provider_priority);
	free(ab->replaces_priority);
	struct strv *lists[] = {
	    &ab->arch,	      &ab->depends,    &ab->makedepends, &ab->checkdepends,
	    &ab->subpackages, &ab->source,     &ab->options,	 &ab->install,
	    &ab->triggers,    &ab->sha512sums, &ab->provides,	 &ab->replaces,
	    &ab->install_if,  &ab->functions,  &ab->pkgusers,	 &ab->pkggroups};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		strv_free(lists[i]);
	apk_secfixes_free(&ab->secfixes);
	memset(ab, 0, sizeof(*ab));
}

/* Alpine's name for the machine's architecture (CARCH) */
static const char *host_carch(void)
{
	static const char *const map[][2] = {
	    {"x86_64", "x86_64"}, {"aarch64", "aarch64"}, {"armv7l", "armv7"},
	    {"i686", "x86"},	  {"i386", "x86"},	  {"ppc64le", "ppc64le"},
	    {"s390x", "s390x"},	  {"riscv64", "riscv64"}, {"loongarch64", "loongarch64"}};
	static __thread char buf[65];
	struct utsname u;
	if (uname(&u) < 0)
		return "x86_64";
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(u.machine, map[i][0]))
			return map[i][1];
	snprintf(buf, sizeof(buf), "%s", u.machine);
	return buf;
}

/* Names written as "name()" anywhere in the text: the functions it may
 * define. Which of them it really defines is asked of the shell. */
static void function_candidates(const char *text, size_t len, struct strv *out)
{
	for (size_t i = 0; i < len; i++) {
		if (!(isalpha((unsigned char)text[i]) || text[i] == '_'))
			continue;
		if (i > 0 && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_'))
			continue;
		size_t j = i;
		while (j < len && (isalnum((unsigned char)text[j]) || text[j] == '_'))
			j++;
		size_t k = j;
		while (k < len && (text[k] == ' ' || text[k] == '\t'))
			k++;
		if (k + 1 < len && text[k] == '(' && text[k + 1] == ')' && j - i <= 64) {
			char *n = xstrndup(text + i, j - i);
			if (strv_contains(out, n))
				free(n);
			else
				strv_add_owned(out, n);
		}
		i = j - 1;
	}
}

/* "# Maintainer: Name <mail>" */
static char *find_maintainer(const char *text)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!str_has_prefix(l, "# Maintainer:"))
			continue;
		const char *s = l + strlen("# Maintainer:"), *end = strchr(s, '\n');
		while (*s == ' ' || *s == '\t')
			s++;
		size_t n = end ? (size_t)(end - s) : strlen(s);
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		return n ? xstrndup(s, n) : NULL;
	}
	return NULL;
}

static int memfd_output(const char *name, struct kerr *e)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		kerr_errno(e, KILN_EIO, "memfd_create");
	return fd;
}

/* the whole content of a memfd (capped) */
static void memfd_read(int fd, struct kbuf *out)
{
	char buf[65536];
	ssize_t n;
	off_t off = 0;
	while (out->len < EVAL_MAX_OUTPUT + 1 && (n = pread(fd, buf, sizeof(buf), off)) > 0) {
		kbuf_add(out, buf, (size_t)n);
		off += n;
	}
}

/* the last lines of the shell's stderr, for the message */
static const char *stderr_tail(struct kbuf *b)
{
	while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' '))
		b->data[--b->len] = '\0';
	if (!b->len)
		return "(no output)";
	return b->len > 600 ? b->data + b->len - 600 : b->data;
}

static int store_var(struct apkbuild *ab, const char *name, const char *value)
{
	char **scalars[] = {&ab->pkgname,
			    &ab->pkgver,
			    &ab->pkgrel,
			    &ab->pkgdesc,
			    &ab->url,
			    &ab->license,
			    &ab->builddir,
			    &ab->provider_priority,
			    &ab->replaces_priority};
	static const char *const scalar_names[] = {"pkgname",
						   "pkgver",
						   "pkgrel",
						   "pkgdesc",
						   "url",
						   "license",
						   "builddir",
						   "provider_priority",
						   "replaces_priority"};
	struct strv *lists[] = {
	    &ab->arch,	   &ab->depends,  &ab->makedepends, &ab->checkdepends, &ab->subpackages,
	    &ab->source,   &ab->options,  &ab->install,	    &ab->triggers,     &ab->sha512sums,
	    &ab->provides, &ab->replaces, &ab->install_if,  &ab->pkgusers,     &ab->pkggroups};
	static const char *const list_names[] = {
	    "arch",	"depends",  "makedepends", "checkdepends", "subpackages",
	    "source",	"options",  "install",	   "triggers",	   "sha512sums",
	    "provides", "replaces", "install_if",  "pkgusers",	   "pkggroups"};

	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (!strcmp(name, scalar_names[i])) {
			free(*scalars[i]);
			*scalars[i] = xstrdup(value);
			return 0;
		}
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (!strcmp(name, list_names[i])) {
			strv_free(lists[i]);
			strv_split(lists[i], value, " \t\n\r");
			return 0;
		}
	if (!strcmp(name, "function")) {
		strv_add(&ab->functions, value);
		return 0;
	}
	return -1;
}

int apkbuild_parse_vars(struct apkbuild *ab, const struct kbuf *b, const char *file, struct kerr *e)
{
	size_t i = 0;
	while (i < b->len) {
		const char *name = b->data + i;
		size_t nl = strnlen(name, b->len - i);
		if (i + nl >= b->len)
			break;
		const char *value = name + nl + 1;
		size_t vl = strnlen(value, b->len - (i + nl + 1));
		if (i + nl + 1 + vl >= b->len)
			break;
		if (!strcmp(name, "kiln-end"))
			return 0;
		if (store_var(ab, name, value) < 0)
			return kerr_set(e, KILN_EPARSE,
					"%s: the evaluation printed an unknown name '%.64s'", file,
					name);
		i += nl + 1 + vl + 1;
	}
	return kerr_set(e, KILN_EPARSE,
			"%s: the evaluation ended early (the APKBUILD exited or exec'd while "
			"being sourced)",
			file);
}

static int all_digits(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* the rules abuild's validate applies to what kiln relies on */
static int validate(const struct apkbuild *ab, const char *file, struct kerr *e)
{
	static const char *const required[] = {"pkgname", "pkgver", "pkgrel"};
	const char *vals[] = {ab->pkgname, ab->pkgver, ab->pkgrel};
	for (size_t i = 0; i < 3; i++)
		if (!vals[i] || !*vals[i])
			return kerr_set(e, KILN_EPARSE, "%s: %s is not set", file, required[i]);
	for (const char *p = ab->pkgname; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("+-._", *p))
			return kerr_set(e, KILN_EPARSE, "%s: invalid pkgname '%s'", file,
					ab->pkgname);
	if (ab->pkgname[0] == '-' || ab->pkgname[0] == '.')
		return kerr_set(e, KILN_EPARSE, "%s: invalid pkgname '%s'", file, ab->pkgname);
	if (!all_digits(ab->pkgrel))
		return kerr_set(e, KILN_EPARSE, "%s: pkgrel '%s' is not a number", file,
				ab->pkgrel);
	char *full = xasprintf("%s-r0", ab->pkgver);
	int ok = strchr(ab->pkgver, '-') == NULL && apk_version_valid(APK_GEN2, full);
	free(full);
	if (!ok)
		return kerr_set(e, KILN_EPARSE, "%s: pkgver '%s' is not a valid apk version", file,
				ab->pkgver);
	if (ab->sha512sums.n % 2)
		return kerr_set(e, KILN_EPARSE,
				"%s: sha512sums must be pairs of '<sha512>  <file name>'", file);
	for (size_t i = 0; i < ab->sha512sums.n; i += 2) {
		const char *h = ab->sha512sums.v[i];
		size_t n = strlen(h);
		int hex = n == 128;
		for (size_t k = 0; hex && k < n; k++)
			hex = isxdigit((unsigned char)h[k]) && !isupper((unsigned char)h[k]);
		if (!hex)
			return kerr_set(e, KILN_EPARSE,
					"%s: sha512sums: '%.140s' is not a sha512 in hex (for %s)",
					file, h, ab->sha512sums.v[i + 1]);
	}
	return 0;
}

/* sandbox: read-only host view, the APKBUILD dir at EVAL_STARTDIR, kiln's
 * cache and the host's home directories hidden (keys live there), no
 * network, seccomp, a timeout and a cap on what it prints */
static int run_shell(const char *dir, const struct strv *cands, double timeout_s, int outfd,
		     int errfd, int *status, struct kerr *e)
{
	struct sandbox_mount mounts[4];
	size_t nm = 0;
	struct sandbox_opts so;
	struct strv argv = {0}, env = {0};
	const char *shell = path_exists("/bin/busybox") ? "/bin/busybox" : "/bin/sh";
	int ret;

	mounts[nm++] = (struct sandbox_mount){SB_BIND_RO, dir, EVAL_STARTDIR};
	const char *hide[] = {kiln_home(), "/root", "/home"};
	for (size_t i = 0; i < 3; i++) {
		struct stat st;
		if (hide[i][0] == '/' && stat(hide[i], &st) == 0 && S_ISDIR(st.st_mode) &&
		    strcmp(hide[i], "/"))
			mounts[nm++] = (struct sandbox_mount){SB_TMPFS, NULL, hide[i]};
	}
	strv_add(&argv, shell);
	if (!strcmp(shell, "/bin/busybox"))
		strv_add(&argv, "ash");
	strv_add(&argv, "-c");
	strv_add(&argv, eval_script);
	strv_add(&argv, "kiln-apkbuild-eval");
	for (size_t i = 0; i < cands->n; i++)
		strv_add(&argv, cands->v[i]);
	strv_add_owned(&env, xasprintf("CARCH=%s", host_carch()));
	strv_add(&env, "HOME=/tmp");

	sandbox_opts_init(&so);
	so.profile = SANDBOX_BUILD;
	so.root = NULL;
	so.mounts = mounts;
	so.nmounts = nm;
	so.chdir = "/";
	so.argv = argv.v;
	so.env = env.v;
	so.uid = BUILD_UID;
	so.gid = BUILD_GID;
	so.network = 0;
	so.timeout_s = timeout_s;
	so.max_file_bytes = EVAL_MAX_OUTPUT;
	so.max_pids = 64;
	so.tmp_bytes = 64u << 20;
	so.stdin_fd = -1;
	so.stdout_fd = outfd;
	so.stderr_fd = errfd;
	ret = sandbox_run(&so, status, e);
	strv_free(&argv);
	strv_free(&env);
	return ret;
}

int apkbuild_evaluate_timeout(const char *dir, double timeout_s, struct apkbuild *out,
			      struct kerr *e)
{
	char *absdir = NULL, *file = NULL;
	struct kbuf text = {0}, so = {0}, se = {0};
	struct strv cands = {0};
	int outfd = -1, errfd = -1, status = 0, ret;

	memset(out, 0, sizeof(*out));
	if (!(absdir = realpath(dir, NULL))) {
		ret = kerr_errno(e, errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO, "%s", dir);
		goto out;
	}
	file = xasprintf("%s/APKBUILD", absdir);
	struct stat st;
	if (lstat(file, &st) < 0) {
		ret = kerr_errno(e, errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO, "%s", file);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = kerr_set(e, KILN_EPARSE, "%s: not a regular file", file);
		goto out;
	}
	if ((ret = read_file(file, &text, APKBUILD_MAX_SIZE, e)) < 0)
		goto out;
	if (memchr(text.data ? text.data : "", '\0', text.len)) {
		ret = kerr_set(e, KILN_EPARSE, "%s: contains a NUL byte", file);
		goto out;
	}
	/* the secfixes block is plain text: read on the host, never run */
	if ((ret = apk_secfixes_parse(text.data ? text.data : "", text.len, file, &out->secfixes,
				      e)) < 0)
		goto out;
	out->maintainer = find_maintainer(text.data ? text.data : "");
	function_candidates(text.data ? text.data : "", text.len, &cands);

	if ((outfd = memfd_output("kiln-eval-out", e)) < 0 ||
	    (errfd = memfd_output("kiln-eval-err", e)) < 0) {
		ret = -e->code;
		goto out;
	}
	ret = run_shell(absdir, &cands, timeout_s > 0 ? timeout_s : EVAL_TIMEOUT_S, outfd, errfd,
			&status, e);
	memfd_read(outfd, &so);
	memfd_read(errfd, &se);
	if (ret < 0) {
		if (strstr(e->msg, "timeout") || strstr(e->msg, "timed out"))
			ret = kerr_set(e, KILN_EFAIL,
				       "%s: evaluation timed out after %.0f s (the APKBUILD does "
				       "not finish when sourced)",
				       file, timeout_s > 0 ? timeout_s : EVAL_TIMEOUT_S);
		else
			kerr_prefix(e, "%s: evaluating in the sandbox: ", file);
		goto out;
	}
	if (status == 128 + SIGXFSZ || so.len > EVAL_MAX_OUTPUT || se.len > EVAL_MAX_OUTPUT) {
		ret = kerr_set(e, KILN_EPARSE, "%s: the evaluation printed more than %u bytes",
			       file, EVAL_MAX_OUTPUT);
		goto out;
	}
	if (status != 0) {
		ret = kerr_set(e, KILN_EPARSE, "%s: shell error (exit status %d): %s", file, status,
			       stderr_tail(&se));
		goto out;
	}
	if ((ret = apkbuild_parse_vars(out, &so, file, e)) < 0)
		goto out;
	if ((ret = validate(out, file, e)) < 0)
		goto out;
	if (out->builddir && str_has_prefix(out->builddir, EVAL_STARTDIR "/")) {
		char *b = xasprintf("$startdir%s", out->builddir + strlen(EVAL_STARTDIR));
		free(out->builddir);
		out->builddir = b;
	}
	strv_sort(&out->functions);
	out->dir = absdir;
	absdir = NULL;
out:
	if (ret < 0) {
		struct apkbuild tmp = *out;
		apkbuild_free(&tmp);
		memset(out, 0, sizeof(*out));
	}
	if (outfd >= 0)
		close(outfd);
	if (errfd >= 0)
		close(errfd);
	kbuf_free(&text);
	kbuf_free(&so);
	kbuf_free(&se);
	strv_free(&cands);
	free(absdir);
	free(file);
	return ret;
}

int apkbuild_evaluate(const char *dir, struct apkbuild *out, struct kerr *e)
{
	return apkbuild_evaluate_timeout(dir, EVAL_TIMEOUT_S, out, e);
}

static json_t *strv_json(const struct strv *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

char *apkbuild_to_json(const struct apkbuild *ab)
{
	json_t *o = json_object(), *sf = json_object();
	const char *scalar_names[] = {
	    "pkgname", "pkgver",   "pkgrel",	 "pkgdesc",	      "url",
	    "license", "builddir", "maintainer", "provider_priority", "replaces_priority"};
	const char *scalars[] = {ab->pkgname,	       ab->pkgver,     ab->pkgrel,
				 ab->pkgdesc,	       ab->url,	       ab->license,
				 ab->builddir,	       ab->maintainer, ab->provider_priority,
				 ab->replaces_priority};
	const struct strv *lists[] = {
	    &ab->arch,	      &ab->depends,    &ab->makedepends, &ab->checkdepends,
	    &ab->subpackages, &ab->source,     &ab->options,	 &ab->install,
	    &ab->triggers,    &ab->sha512sums, &ab->provides,	 &ab->replaces,
	    &ab->install_if,  &ab->pkgusers,   &ab->pkggroups,	 &ab->functions};
	static const char *const list_names[] = {
	    "arch",	  "depends",  "makedepends", "checkdepends", "subpackages", "source",
	    "options",	  "install",  "triggers",    "sha512sums",   "provides",    "replaces",
	    "install_if", "pkgusers", "pkggroups",   "functions"};

	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (scalars[i])
			json_object_set_new(o, scalar_names[i], json_string(scalars[i]));
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		json_object_set_new(o, list_names[i], strv_json(lists[i]));
	for (size_t i = 0; i < ab->secfixes.n; i++)
		json_object_set_new(sf, ab->secfixes.v[i].version,
				    strv_json(&ab->secfixes.v[i].ids));
	json_object_set_new(o, "secfixes", sf);
	if (ab->dir)
		json_object_set_new(o, "dir", json_string(ab->dir));
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}
