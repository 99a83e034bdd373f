/* debroot.c - Debian build roots from a lock, made the way mmdebstrap makes
 * them, cached read-only under $KILN_HOME/roots/<lock sha256>. */
#include "builders/debflat.h"
#include "builders/rootcache.h"
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* bookworm roots are merged-/usr: these top-level directories are symlinks
 * into /usr, made before anything is unpacked (as debootstrap/mmdebstrap do
 * for amd64) */
const char *const debroot_aliases[] = {"bin", "sbin", "lib", "lib64", NULL};

/* what the root recipe needs from each package's control file */
struct pkg_meta {
	const struct lock_pkg *lp;
	char *deb;		 /* blob path */
	struct strv depends;	 /* names from Depends + Pre-Depends (all alternatives) */
	struct strv pre_depends; /* names from Pre-Depends */
	struct strv provides;
	int essential; /* Essential: yes, or flagged so by the lock */
	int in_base;   /* part of the essential closure */
};

/* "a (>= 1) | b:any, c [amd64] <!nocheck>" -> a b c */
static void dep_names(const char *field, struct strv *out)
{
	struct strv groups = {0};
	if (!field)
		return;
	strv_split(&groups, field, ",|\n");
	for (size_t i = 0; i < groups.n; i++) {
		const char *s = groups.v[i];
		while (*s == ' ' || *s == '\t')
			s++;
		size_t n = strcspn(s, " \t(:[<");
		if (n == 0)
			continue;
		char *name = xstrndup(s, n);
		if (!strv_contains(out, name))
			strv_add_owned(out, name);
		else
			free(name);
	}
	strv_free(&groups);
}

static int read_meta(const struct lock_pkg *lp, struct pkg_meta *m, struct kerr *e)
{
	struct kbuf ctl = {0};
	struct deb822_parser ps;
	struct deb822_para para = {0};
	int ret;

	m->lp = lp;
	m->deb = blob_path(lp->sha256);
	if ((ret = deb_read_control(m->deb, &ctl, e)) < 0)
		goto out;
	deb822_init(&ps, ctl.data, ctl.len, m->deb);
	if ((ret = deb822_next(&ps, &para, e)) <= 0) {
		if (ret == 0)
			ret = kerr_set(e, KILN_EPARSE, "%s (%s): empty control file", lp->name,
				       m->deb);
		goto out;
	}
	ret = 0;
	char *pkg = deb822_get(&para, "Package");
	if (!pkg || strcmp(pkg, lp->name) != 0)
		ret = kerr_set(e, KILN_EVERIFY,
			       "%s: the .deb is package '%s', not what the lock says", lp->name,
			       pkg ? pkg : "(none)");
	free(pkg);
	char *d = deb822_get(&para, "Depends"), *pd = deb822_get(&para, "Pre-Depends");
	char *pr = deb822_get(&para, "Provides"), *es = deb822_get(&para, "Essential");
	dep_names(d, &m->depends);
	dep_names(pd, &m->depends);
	dep_names(pd, &m->pre_depends);
	dep_names(pr, &m->provides);
	m->essential = lp->essential || (es && !strcmp(es, "yes"));
	free(d);
	free(pd);
	free(pr);
	free(es);
out:
	deb822_para_free(&para);
	kbuf_free(&ctl);
	return ret;
}

static void meta_free(struct pkg_meta *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].deb);
		strv_free(&m[i].depends);
		strv_free(&m[i].pre_depends);
		strv_free(&m[i].provides);
	}
	free(m);
}

/* The essential set as mmdebstrap installs it first: Essential: yes packages
 * and everything they depend on, within the lock. */
static void mark_base(struct pkg_meta *m, size_t n)
{
	int changed = 1;
	for (size_t i = 0; i < n; i++)
		m[i].in_base = m[i].essential;
	while (changed) {
		changed = 0;
		for (size_t i = 0; i < n; i++) {
			if (!m[i].in_base)
				continue;
			for (size_t d = 0; d < m[i].depends.n; d++)
				for (size_t j = 0; j < n; j++) {
					if (m[j].in_base)
						continue;
					if (!strcmp(m[j].lp->name, m[i].depends.v[d]) ||
					    strv_contains(&m[j].provides, m[i].depends.v[d])) {
						m[j].in_base = 1;
						changed = 1;
					}
				}
		}
	}
}

static char *deb_link_name(size_t i, const struct lock_pkg *p)
{
	char *s = xasprintf("%03zu_%s_%s_%s.deb", i, p->name, p->version, p->arch);
	for (char *c = s; *c; c++)
		if (*c == ':')
			*c = '+'; /* epochs */
	return s;
}

/* The dpkg calls of a preparation: batch 0 is the essential set, installed
 * with --force-depends (its files are already there, as in mmdebstrap); then
 * the rest in lock order, split before any package whose Pre-Depends are in
 * the same dpkg call (dpkg needs them configured first). */
struct prep_batch {
	size_t *idx; /* lock indices */
	size_t n;
};

static size_t plan_batches(const struct pkg_meta *m, size_t n, struct prep_batch **out)
{
	struct prep_batch *b = xcalloc(n + 1, sizeof(*b)), *cur = NULL;
	struct strv names = {0}; /* names and provides of the current batch */
	size_t nb = 1;

	b[0].idx = xcalloc(n + 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		if (m[i].in_base)
			b[0].idx[b[0].n++] = i;
	for (size_t i = 0; i < n; i++) {
		if (m[i].in_base)
			continue;
		int cut = cur == NULL;
		for (size_t d = 0; !cut && d < m[i].pre_depends.n; d++)
			cut = strv_contains(&names, m[i].pre_depends.v[d]);
		if (cut) {
			cur = &b[nb++];
			cur->idx = xcalloc(n, sizeof(size_t));
			strv_free(&names);
		}
		cur->idx[cur->n++] = i;
		strv_add(&names, m[i].lp->name);
		for (size_t p = 0; p < m[i].provides.n; p++)
			strv_add(&names, m[i].provides.v[p]);
	}
	strv_free(&names);
	*out = b;
	return nb;
}

static void batches_free(struct prep_batch *b, size_t nb)
{
	for (size_t i = 0; b && i < nb; i++)
		free(b[i].idx);
	free(b);
}

/* Batch k > 0 may start when kiln renames "ready-k" into /kiln-debs: its
 * flat .debs are complete then. A "failed" file there says converting a
 * package failed (kiln reports which); waiting ends after 600 s. */
#define PREP_WAIT_TICKS 30000 /* of 20 ms */

/* The script the root's own dpkg runs in the ROOT_PREP sandbox. */
static void write_prep_script(const struct prep_batch *b, size_t nb,
			      const struct deb_flat_job *jobs, struct kbuf *sh)
{
	kbuf_printf(
	    sh,
	    "# kiln root preparation (generated)\n"
	    "set -e\n"
	    "export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true\n"
	    "export LC_ALL=C.UTF-8 LANG=C.UTF-8 PATH=/kiln-debs/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
	    "D='dpkg --force-unsafe-io'\n"
	    "wait_batch() {\n"
	    "  n=0\n"
	    "  while [ ! -e /kiln-debs/ready-$1 ]; do\n"
	    "    if [ -e /kiln-debs/failed ]; then\n"
	    "      echo \"kiln: converting packages failed: $(cat /kiln-debs/failed)\"; "
	    "exit 1\n"
	    "    fi\n"
	    "    n=$((n + 1))\n"
	    "    if [ $n -gt %d ]; then echo \"kiln: timed out waiting for the packages of "
	    "batch $1\"; exit 1; fi\n"
	    "    sleep 0.02\n"
	    "  done\n"
	    "}\n"
	    "echo \"kiln: [$(date +%%s.%%N)] installing the essential set\"\n"
	    "$D --install --force-depends",
	    PREP_WAIT_TICKS);
	for (size_t j = 0; j < b[0].n; j++)
		kbuf_printf(sh, " \\\n  /kiln-debs/%s", strrchr(jobs[b[0].idx[j]].out, '/') + 1);
	kbuf_adds(sh, "\n");
	/* man-db's index is never needed to build and costs much of the
	 * preparation time: say no before man-db is installed */
	kbuf_adds(sh, "if command -v debconf-set-selections >/dev/null; then\n"
		      "  echo 'man-db man-db/auto-update boolean false' | debconf-set-selections\n"
		      "fi\n");
	for (size_t k = 1; k < nb; k++) {
		kbuf_printf(sh,
			    "wait_batch %zu\n"
			    "echo \"kiln: [$(date +%%s.%%N)] installing %zu more packages\"\n"
			    "$D --install",
			    k, b[k].n);
		for (size_t j = 0; j < b[k].n; j++)
			kbuf_printf(sh, " \\\n  /kiln-debs/%s",
				    strrchr(jobs[b[k].idx[j]].out, '/') + 1);
		kbuf_adds(sh, "\n");
	}
	kbuf_adds(sh, "echo \"kiln: [$(date +%s.%N)] configuring\"\n"
		      "$D --configure --pending\n"
		      "a=$(dpkg --audit)\n"
		      "if [ -n \"$a\" ]; then echo \"$a\"; echo 'kiln: dpkg --audit reports "
		      "problems'; exit 1; fi\n"
		      "echo \"kiln: [$(date +%s.%N)] root ready\"\n");
}

/* The script, and /kiln-debs/bin first in its PATH with an ischroot that
 * says yes. The root being prepared is a chroot as debootstrap and
 * mmdebstrap make it, but in the sandbox's pid namespace /proc/1/root is the
 * root itself, so the real ischroot says no, and libc6's postinst then runs
 * "telinit u" and sleeps a second for an init that is not there. Nothing
 * else in a build root asks; the finished root is the same either way. */
static int write_prep_files(const char *debdir, const struct kbuf *sh, struct kerr *e)
{
	static const char ischroot[] = "#!/bin/sh\n"
				       "# kiln: the root being prepared is a chroot\n"
				       "exit 0\n";
	char *shp = xasprintf("%s/prep.sh", debdir), *bin = xasprintf("%s/bin", debdir),
	     *ic = xasprintf("%s/bin/ischroot", debdir);
	int ret = write_file_atomic(shp, sh->data, sh->len, 0644, e);
	if (ret == 0)
		ret = mkdir_p(bin, 0755, e);
	if (ret == 0)
		ret = write_file_atomic(ic, ischroot, sizeof(ischroot) - 1, 0755, e);
	free(shp);
	free(bin);
	free(ic);
	return ret;
}

/* a small file that appears by rename only (no fsync: nothing keeps it) */
static int put_marker(const char *dir, const char *name, const char *text, struct kerr *e)
{
	char *tmp = xasprintf("%s/.%s.tmp", dir, name), *dst = xasprintf("%s/%s", dir, name);
	int ret = 0, fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		ret = kerr_errno(e, KILN_EIO, "writing %s", tmp);
	} else if (rename(tmp, dst) < 0) {
		ret = kerr_errno(e, KILN_EIO, "renaming %s", tmp);
	}
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		unlink(tmp);
	free(tmp);
	free(dst);
	return ret;
}

/* Tells the preparation script, batch by batch, that its flat .debs are
 * complete (ready-K), or that converting one failed ("failed"). */
struct batch_notifier {
	struct deb_flat_pool *pool;
	const struct prep_batch *b;
	size_t nb;
	const char *debdir;
	struct kerr err; /* the conversion's failure, or writing a marker's */
	int ret;
};

static void *notify_batches(void *arg)
{
	struct batch_notifier *bn = arg;
	struct kerr me = {0};
	for (size_t k = 1; k < bn->nb && bn->ret == 0; k++) {
		for (size_t j = 0; j < bn->b[k].n && bn->ret == 0; j++)
			bn->ret = deb_flat_pool_wait(bn->pool, bn->b[k].idx[j], &bn->err);
		if (bn->ret == 0) {
			char name[32];
			snprintf(name, sizeof(name), "ready-%zu", k);
			bn->ret = put_marker(bn->debdir, name, "", &bn->err);
		}
	}
	/* the script stops at its next wait; best effort, the error is ours */
	if (bn->ret < 0)
		put_marker(bn->debdir, "failed", bn->err.msg, &me);
	return NULL;
}

/* the build user and the build directory, after dpkg made /etc/passwd */
static int add_build_user(const char *root, struct kerr *e)
{
	char *p = xasprintf("%s/etc/passwd", root), *g = xasprintf("%s/etc/group", root);
	char *b = xasprintf("%s/build", root), *rp = xasprintf("%s/build/reproducible-path", root);
	int ret;
	char line[256];

	snprintf(line, sizeof(line), "%s:x:%d:%d:kiln build user:/nonexistent:/bin/sh\n",
		 BUILD_USER, BUILD_UID, BUILD_GID);
	if ((ret = root_append_line(p, line, e)) < 0)
		goto out;
	snprintf(line, sizeof(line), "%s:x:%d:\n", BUILD_USER, BUILD_GID);
	if ((ret = root_append_line(g, line, e)) < 0)
		goto out;
	if (mkdir(b, 0755) < 0 && errno != EEXIST) {
		ret = kerr_errno(e, KILN_EIO, "creating %s", b);
		goto out;
	}
	if (mkdir(rp, 0755) < 0 && errno != EEXIST) {
		ret = kerr_errno(e, KILN_EIO, "creating %s", rp);
		goto out;
	}
	/* passwd and group were rewritten by kiln: hand them back */
	if ((ret = root_shift_owner(p, e)) < 0 || (ret = root_shift_owner(g, e)) < 0 ||
	    (ret = root_shift_owner(b, e)) < 0)
		goto out;
	if (geteuid() == 0 &&
	    chown(rp, sandbox_host_uid(BUILD_UID), sandbox_host_gid(BUILD_GID)) < 0)
		ret = kerr_errno(e, KILN_EIO, "chown %s", rp);
out:
	free(p);
	free(g);
	free(b);
	free(rp);
	return ret;
}

static int make_skeleton(const char *root, struct kerr *e)
{
	static const char *const dirs[] = {"usr/bin",
					   "usr/sbin",
					   "usr/lib",
					   "usr/lib64",
					   "var/lib/dpkg/info",
					   "var/lib/dpkg/updates",
					   "var/lib/dpkg/triggers",
					   "etc/dpkg/dpkg.cfg.d",
					   "proc",
					   "sys",
					   "dev",
					   "tmp",
					   "kiln-debs",
					   NULL};
	static const char *const empty[] = {"var/lib/dpkg/status", "var/lib/dpkg/available", NULL};
	int ret = 0;
	for (size_t i = 0; dirs[i] && ret == 0; i++) {
		char *d = xasprintf("%s/%s", root, dirs[i]);
		ret = mkdir_p(d, 0755, e);
		free(d);
	}
	for (size_t i = 0; debroot_aliases[i] && ret == 0; i++) {
		char *l = xasprintf("%s/%s", root, debroot_aliases[i]);
		char *t = xasprintf("usr/%s", debroot_aliases[i]);
		if (symlink(t, l) < 0)
			ret = kerr_errno(e, KILN_EIO, "creating %s", l);
		free(l);
		free(t);
	}
	for (size_t i = 0; empty[i] && ret == 0; i++) {
		char *f = xasprintf("%s/%s", root, empty[i]);
		ret = write_file_atomic(f, "", 0, 0644, e);
		free(f);
	}
	if (ret == 0) {
		char *t = xasprintf("%s/tmp", root);
		chmod(t, 01777);
		free(t);
		/* no daemon may start while the root is made */
		char *prc = xasprintf("%s/usr/sbin/policy-rc.d", root);
		ret = write_file_atomic(prc, "#!/bin/sh\nexit 101\n", 19, 0755, e);
		free(prc);
	}
	return ret;
}

static double epoch_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* make the root in tmp (a fresh directory); the caller renames it */
static int build_root(const struct lock *l, struct pkg_meta *m, const char *tmp,
		      const char *workdir, int logfd, const char *logp, const struct root_opts *o,
		      struct kerr *e)
{
	struct strv whats = {0}, outs = {0};
	struct kbuf sh = {0};
	struct prep_batch *b = NULL;
	size_t nb = plan_batches(m, l->n, &b), no = 0;
	struct deb_flat_job *jobs = xcalloc(l->n, sizeof(*jobs));
	size_t *order = xcalloc(l->n, sizeof(*order));
	struct deb_flat_pool *pool = NULL;
	struct batch_notifier bn = {0};
	pthread_t notifier;
	int ret = 0, rootfd = -1, status = 0;
	char *debdir = xasprintf("%s/debs", workdir);
	struct deb_extract_opts xo = {
	    .aliases = debroot_aliases, .set_owner = geteuid() == 0, .id_base = root_id_base()};
	double t0 = now_monotonic();

	if ((ret = mkdir_p(debdir, 0755, e)) < 0 || (ret = make_skeleton(tmp, e)) < 0 ||
	    (ret = root_shift_owner(tmp, e)) < 0)
		goto out;
	/* every package is decompressed once, into a flat .deb in WORK/debs,
	 * by worker threads: the essential set first, then batch by batch */
	for (size_t i = 0; i < l->n; i++) {
		char *name = deb_link_name(i, &l->pkgs[i]);
		strv_add_owned(&outs, xasprintf("%s/%s", debdir, name));
		free(name);
		strv_add_owned(&whats, xasprintf("%s %s", l->pkgs[i].name, l->pkgs[i].version));
		jobs[i] = (struct deb_flat_job){m[i].deb, outs.v[i], whats.v[i]};
	}
	for (size_t k = 0; k < nb; k++)
		for (size_t j = 0; j < b[k].n; j++)
			order[no++] = b[k].idx[j];
	dprintf(logfd, "kiln: [%.3f] converting %zu packages to flat .debs\n", epoch_now(), l->n);
	/* every CPU converts the essential set, which the next step waits
	 * for; then one CPU is left to dpkg while the rest is converted */
	struct deb_flat_pool_opts po = {.urgent = b[0].n, .cancel = o->cancel};
	if ((ret = deb_flat_pool_start(&pool, jobs, order, no, &po, e)) < 0)
		goto out;
	/* 1. unpack the essential set ourselves, safely, as each is converted */
	if ((rootfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ret = kerr_errno(e, KILN_EIO, "opening %s", tmp);
		goto out;
	}
	for (size_t j = 0; j < b[0].n; j++) {
		size_t i = b[0].idx[j];
		if ((ret = deb_flat_pool_wait(pool, i, e)) < 0)
			goto out;
		if ((ret = deb_extract_data(jobs[i].out, rootfd, &xo, e)) < 0) {
			kerr_prefix(e, "unpacking %s: ", jobs[i].what);
			goto out;
		}
	}
	log_info("root: unpacked the essential set (%zu packages) in %.1f s", b[0].n,
		 now_monotonic() - t0);
	dprintf(logfd, "kiln: [%.3f] unpacked the essential set (%zu packages)\n", epoch_now(),
		b[0].n);
	/* 2. let the root's own dpkg install everything; each later batch
	 * starts as soon as its packages are converted */
	write_prep_script(b, nb, jobs, &sh);
	if ((ret = write_prep_files(debdir, &sh, e)) < 0)
		goto out;
	bn = (struct batch_notifier){.pool = pool, .b = b, .nb = nb, .debdir = debdir};
	if ((ret = pthread_create(&notifier, NULL, notify_batches, &bn)) != 0) {
		errno = ret;
		ret = kerr_errno(e, KILN_EIO, "starting a thread");
		goto out;
	}
	if (o->cancel && *o->cancel) {
		ret = kerr_set(e, KILN_EINTR, "interrupted while preparing the root");
		goto out;
	}
	log_info("root: installing %zu packages with the root's dpkg (sandbox, no network)", l->n);
	ret = root_prep_run(tmp, debdir, "/kiln-debs", "prep.sh", logfd, 3600, &status, e);
	deb_flat_pool_stop(pool); /* the notifier's waits end */
	pthread_join(notifier, NULL);
	if (o->cancel && *o->cancel) { /* builders_interrupt() killed the sandbox */
		ret = kerr_set(e, KILN_EINTR, "interrupted while preparing the root");
		goto out;
	}
	if (ret < 0) {
		kerr_prefix(e, "preparing the root (log: %s): ", logp);
		goto out;
	}
	if (status != 0 && bn.ret < 0 && bn.err.code != KILN_EINTR) {
		*e = bn.err; /* converting a package failed, and the script stopped */
		ret = -e->code;
		goto out;
	}
	if (status != 0) {
		ret = kerr_set(e, KILN_EFAIL, "preparing the root: dpkg failed (exit %d); log: %s",
			       status, logp);
		goto out;
	}
	/* 3. the build user, /build, and no leftovers of the preparation */
	dprintf(logfd, "kiln: [%.3f] adding the build user\n", epoch_now());
	if ((ret = add_build_user(tmp, e)) < 0)
		goto out;
	char *prc = xasprintf("%s/usr/sbin/policy-rc.d", tmp), *kd = xasprintf("%s/kiln-debs", tmp);
	unlink(prc);
	rmdir(kd);
	free(prc);
	free(kd);
out:
	deb_flat_pool_free(pool);
	if (rootfd >= 0)
		close(rootfd);
	strv_free(&outs);
	strv_free(&whats);
	free(jobs);
	free(order);
	batches_free(b, nb);
	kbuf_free(&sh);
	free(debdir);
	return ret;
}

/* Roots are named by what is in them, not by the whole lock: the lock's own
 * sha256 also covers the source it was made for, and every source with the
 * same build environment should share one root. Hashed: the recipe version
 * and each package's name, version, arch, sha256 and essential flag, in
 * install order. */
#define ROOT_RECIPE "kiln-debroot 1"

void debroot_id(const struct lock *l, char out[SHA256_HEX_LEN + 1])
{
	struct kbuf b = {0};
	kbuf_printf(&b, "%s\n%s\n", ROOT_RECIPE, l->arch ? l->arch : "");
	for (size_t i = 0; i < l->n; i++)
		kbuf_printf(&b, "%s %s %s %s %d\n", l->pkgs[i].name, l->pkgs[i].version,
			    l->pkgs[i].arch, l->pkgs[i].sha256, l->pkgs[i].essential);
	sha256_mem(b.data, b.len, out);
	kbuf_free(&b);
}

struct debroot_make {
	const struct lock *l;
	const struct root_opts *o;
	const char *id;
};

/* download and check every package, then make the root in tmp */
static int debroot_make(void *ud, const char *tmp, const char *work, struct kerr *e)
{
	const struct debroot_make *dm = ud;
	const struct lock *l = dm->l;
	struct fetch_item *items = xcalloc(l->n, sizeof(*items));
	struct pkg_meta *m = NULL;
	char *logp = xasprintf("%s/root-prep.log", work), *dd = xasprintf("%s/debs", work);
	int ret, logfd = -1;

	for (size_t i = 0; i < l->n; i++) {
		const struct lock_pkg *p = &l->pkgs[i];
		items[i].url = xasprintf("%s/%s", p->mirror, p->filename);
		items[i].sha256 = p->sha256;
		items[i].size = p->size;
		items[i].what = p->name;
	}
	if ((ret = fetch_many(items, l->n, &dm->o->fetch, e)) < 0)
		goto out;
	if ((logfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644)) < 0) {
		ret = kerr_errno(e, KILN_EIO, "creating %s", logp);
		goto out;
	}
	dprintf(logfd, "kiln: [%.3f] reading the control files of %zu packages\n", epoch_now(),
		l->n);
	m = xcalloc(l->n, sizeof(*m));
	for (size_t i = 0; i < l->n; i++)
		if ((ret = read_meta(&l->pkgs[i], &m[i], e)) < 0)
			goto out;
	mark_base(m, l->n);
	log_info("root: preparing %s (%zu packages)", dm->id, l->n);
	ret = build_root(l, m, tmp, work, logfd, logp, dm->o, e);
out:
	/* the flat .debs go before the root is synced, on every path; the
	 * preparation log stays for diagnosis */
	rm_rf(dd);
	if (logfd >= 0) {
		dprintf(logfd, "kiln: [%.3f] %s\n", epoch_now(),
			ret < 0 ? "failed" : "removed the flat .debs; syncing the root");
		close(logfd);
	}
	for (size_t i = 0; i < l->n; i++)
		free((char *)items[i].url);
	free(items);
	meta_free(m, l->n);
	free(logp);
	free(dd);
	return ret;
}

int debroot_prepare(const struct lock *l, const struct root_opts *o, char **path, int *cached,
		    int *hold_fd, struct kerr *e)
{
	char id[SHA256_HEX_LEN + 1];
	struct debroot_make dm = {l, o, id};
	struct root_recipe rc = {id, l, debroot_make, &dm};

	*path = NULL;
	*cached = 0;
	*hold_fd = -1;
	if (!is_sha256_hex(l->sha256))
		return kerr_set(e, KILN_EPARSE, "the lock has no valid sha256");
	if (l->n == 0)
		return kerr_set(e, KILN_EPARSE, "the lock lists no packages");
	debroot_id(l, id);
	return root_cache_prepare(&rc, o, path, cached, hold_fd, e);
}
