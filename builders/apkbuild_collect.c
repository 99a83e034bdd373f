/* apkbuild_collect.c - the outputs of one Alpine build: each package's
 * metadata read back from the build, its signed .apk written, the log and the
 * build record staged in the output directory and renamed in together. */
#include "builders/apkbuild.h"
#include "builders/record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define META_MAX (1u << 20)

/* ---- writing the packages ---- */

static int read_meta(struct abuild_ctx *c, const char *name, struct apkbuild *m, struct kerr *e)
{
	char *p = xasprintf("%s/.kiln-meta/%s", c->startdir, name);
	struct kbuf b = {0};
	char buf[65536];
	ssize_t n;
	int ret = 0, fd = apkbuild_open_in_root(c, p, O_RDONLY);

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
	fd = apkbuild_open_in_root(c, dirp, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		ret = kerr_errno(e, KILN_EFAIL,
				 "%s: no package directory %s (or a symlink on its path)", p->name,
				 dirp);
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
int apkbuild_collect(struct abuild_ctx *c, int success, struct kerr *e)
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
	int ret;

	if ((ret = stage_begin(outdir, staging, e)) < 0)
		goto out;
	for (size_t i = 0; success && i < c->npkgs; i++) {
		if (c->o->b.cancel && *c->o->b.cancel) {
			ret = kerr_set(e, KILN_EINTR, "interrupted while writing the packages");
			goto out;
		}
		c->r->failed_step = "write the packages";
		if ((ret = write_one(c, &c->pkgs[i], staging, &names, e)) < 0)
			goto out;
	}
	if ((ret = stage_log(&c->log, c->work, staging, logname, log_sha, e)) < 0)
		goto out;
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
		    .network = c->network,
		};
		char *recp = xasprintf("%s/%s", staging, recname);
		ret = record_write(&ri, recp, e);
		free(recp);
		free(bp);
		if (ret < 0)
			goto out;
	}
	/* everything staged and synced: move into place */
	ret = stage_move(staging, outdir, &names, logname, success ? recname : NULL, c->r, e);
out:
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
