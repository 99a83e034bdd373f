/* alpine.c - one Alpine target, in the order it happens: find the aports
 * directory, evaluate its APKBUILD in the sandbox, unpack the sources and
 * apply the APKBUILD's own patches in memory, classify the fix, then write
 * the refreshed patch and the edited APKBUILD (source=, sha512sums, pkgrel,
 * secfixes), evaluate it again and verify its sources. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/attest.h"
#include "backports/backports.h"
#include "builders/alpine.h"

int bp_aports_dir(const char *src, const struct distro *d, char **dir, struct kerr *e)
{
	const char *suite = d->codename ? d->codename : "";
	char *per_suite = xasprintf("%s/%s", src, suite);
	char *a = xasprintf("%s/APKBUILD", per_suite), *b = xasprintf("%s/APKBUILD", src);
	int ret = 0;
	*dir = NULL;
	if (suite[0] && is_safe_filename(suite) && path_exists(a))
		*dir = xstrdup(per_suite);
	else if (path_exists(b))
		*dir = xstrdup(src);
	else
		ret = kerr_set(e, KILN_ENOTFOUND,
			       "%s: no APKBUILD for %s: looked for %s and %s (give one aports "
			       "directory per release as SRC/<release>/, e.g. a symlink to "
			       "main/<pkg> in that release's aports worktree)",
			       src, d->name, a, b);
	free(per_suite);
	free(a);
	free(b);
	return ret;
}

static void sha512_hex_of(const void *p, size_t n, char hex[129])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	EVP_Digest(p, n, d, &dl, EVP_sha512(), NULL);
	for (unsigned i = 0; i < dl && i < 64; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	hex[128] = '\0';
}

/* builddir relative to srcdir: abuild's srcdir is "$startdir/src" */
static char *builddir_rel(const struct apkbuild *ab)
{
	const char *b = ab->builddir ? ab->builddir : "";
	for (const char *p = strstr(b, "/src"); p; p = strstr(p + 1, "/src"))
		if (p[4] == '/' || p[4] == '\0')
			return xstrdup(p[4] ? p + 5 : "");
	return xasprintf("%s-%s", ab->pkgname, ab->pkgver);
}

static int is_archive_name(const char *n)
{
	static const char *const exts[] = {".tar",    ".tar.gz",   ".tgz", ".tar.bz2",
					   ".tbz2",   ".tar.xz",   ".txz", ".tar.zst",
					   ".tar.lz", ".tar.lzma", ".zip", NULL};
	for (int i = 0; exts[i]; i++)
		if (str_has_suffix(n, exts[i]))
			return 1;
	return 0;
}

/* the sources, verified against sha512sums, copied to srcdir and the
 * archives unpacked there, as abuild's fetch and unpack do */
static int unpack_sources(const struct apkbuild *ab, const char *srcdir, struct apk_sources *srcs,
			  struct kerr *e)
{
	int ret, fd;
	if ((ret = mkdir_p(srcdir, 0755, e)) < 0 ||
	    (ret = apk_sources_verify(ab, srcdir, srcs, e)) < 0)
		return ret;
	if ((fd = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return kerr_errno(e, KILN_EIO, "opening %s", srcdir);
	for (size_t i = 0; i < srcs->n && ret == 0; i++) {
		if (!is_archive_name(srcs->v[i].name))
			continue;
		char *p = xasprintf("%s/%s", srcdir, srcs->v[i].name);
		ret = source_archive_extract(p, fd, e);
		free(p);
	}
	close(fd);
	return ret;
}

/* The APKBUILD's own patches, applied in source= order as abuild's
 * default_prepare does; their fingerprints say what is already carried. */
static int apply_own_patches(struct tree *t, const struct apkbuild *ab, const char *srcdir,
			     struct strv *names, struct strv *fps, struct bp_target *r,
			     struct kerr *e)
{
	int ret = 0;
	for (size_t i = 0; i < ab->source.n && ret == 0; i++) {
		const char *entry = ab->source.v[i];
		const char *sep = strstr(entry, "::");
		const char *name = sep ? sep + 2 : entry;
		if (strrchr(name, '/'))
			name = strrchr(name, '/') + 1;
		if (str_has_suffix(name, ".patch.gz") || str_has_suffix(name, ".patch.xz"))
			return kerr_set(e, KILN_EFAIL,
					"%s/APKBUILD: compressed patch %s in source= is not "
					"supported by kiln backport",
					ab->dir, name);
		if (!str_has_suffix(name, ".patch"))
			continue;
		struct patch p = {0}, *pp = &p;
		struct bp_classification c = {0};
		char *path = xasprintf("%s/%s", srcdir, name);
		char hex[SHA256_HEX_LEN + 1];
		if ((ret = patch_load(path, &p, e)) == 0 &&
		    (ret = bp_classify_known(t, &pp, 1, NULL, NULL, &c, e)) == 0) {
			if (!bp_class_applies(c.cls))
				ret =
				    kerr_set(e, KILN_EFAIL,
					     "%s/APKBUILD: its own patch %s does not apply to the "
					     "unpacked source: %s",
					     ab->dir, name, c.summary);
			else {
				tree_commit(t);
				patch_fingerprint(&p, hex);
				strv_add(names, name);
				strv_add(fps, hex);
				if (c.n && (c.patches[0].strip != 1 || c.patches[0].prefix))
					strv_add_owned(
					    &r->notes,
					    xasprintf("note: %s applies only with -p%d%s%s, "
						      "abuild uses -p1",
						      name, c.patches[0].strip,
						      c.patches[0].prefix ? " under " : "",
						      c.patches[0].prefix ? c.patches[0].prefix
									  : ""));
			}
		}
		bp_classification_free(&c);
		patch_free(&p);
		free(path);
	}
	return ret;
}

static int names_a_source(const struct apkbuild *ab, const char *name)
{
	for (size_t i = 0; i < ab->source.n; i++) {
		const char *s = ab->source.v[i], *sl = strrchr(s, '/'), *sep = strstr(s, "::");
		if (!strcmp(sep ? sep + 2 : sl ? sl + 1 : s, name) || !strcmp(s, name))
			return 1;
	}
	return 0;
}

/* "CVE-2024-1234.patch", or "CVE-2024-1234-2.patch" when taken */
static char *new_patch_name(const struct apkbuild *ab, const struct bp_fix *f,
			    const struct strv *taken)
{
	char *stem = f->cves && f->cves->n ? xstrdup(f->cves->v[0])
					   : xasprintf("%s-security-fix", ab->pkgname);
	for (int i = 1;; i++) {
		char *name =
		    i == 1 ? xasprintf("%s.patch", stem) : xasprintf("%s-%d.patch", stem, i);
		char *full = xasprintf("%s/%s", ab->dir, name);
		int used =
		    path_exists(full) || names_a_source(ab, name) || strv_contains(taken, name);
		free(full);
		if (!used) {
			free(stem);
			return name;
		}
		free(name);
	}
}

/* the packages an APKBUILD makes, as "name arch" (abuild's default noarch
 * subpackages included) */
static void apk_products(const struct apkbuild *ab, const struct distro *d, struct strv *out)
{
	static const char *const noarch_suffixes[] = {"-doc",	     "-openrc",	  "-lang",
						      "-completion", "-pyc",	  "-systemd",
						      "-udev",	     "-nftrules", NULL};
	const char *host = d->architectures.n ? d->architectures.v[0] : "x86_64";
	int noarch = strv_contains(&ab->arch, "noarch");
	strv_add_owned(out, xasprintf("%s %s", ab->pkgname, noarch ? "noarch" : host));
	for (size_t i = 0; i < ab->subpackages.n; i++) {
		struct strv parts = {0};
		strv_split(&parts, ab->subpackages.v[i], ":");
		if (parts.n && parts.v[0][0]) {
			const char *arch = noarch ? "noarch" : host;
			if (parts.n >= 3 && parts.v[2][0])
				arch = parts.v[2];
			else
				for (int k = 0; noarch_suffixes[k]; k++)
					if (str_has_suffix(parts.v[0], noarch_suffixes[k]))
						arch = "noarch";
			strv_add_owned(out, xasprintf("%s %s", parts.v[0], arch));
		}
		strv_free(&parts);
	}
}

/* The version of the package in the next Alpine release among the targets
 * (its aports dir), or --next-version. */
static void next_release_version(const struct distro *d, const struct bp_request *rq,
				 const struct apkbuild *ab, char **ver, char **suite, char **note)
{
	int gen = alpine_apk_gen(d);
	struct distro *best = NULL;
	*ver = *suite = *note = NULL;
	if (rq->next_version) {
		*ver = xstrdup(rq->next_version);
		*note = xasprintf("checked below %s (given with --next-version)", rq->next_version);
		return;
	}
	for (size_t i = 0; rq->targets && i < rq->targets->n; i++) {
		struct distro *o = NULL;
		struct kerr ig = {0};
		if (distro_load(rq->targets->v[i], rq->ov, &o, &ig) < 0 || !o->family ||
		    strcmp(o->family, "alpine") || !o->version || !d->version ||
		    apk_version_cmp(gen, o->version, d->version) <= 0 ||
		    (best && apk_version_cmp(gen, o->version, best->version) >= 0)) {
			distro_free(o);
			continue;
		}
		distro_free(best);
		best = o;
	}
	if (!best) {
		*note = xstrdup("not checked against a next release: none is among the targets "
				"(give --next-version)");
		return;
	}
	char *dir = NULL;
	struct apkbuild nab = {0};
	struct kerr ne = {0};
	*suite = xstrdup(best->codename ? best->codename : best->name);
	if (bp_aports_dir(rq->aports ? rq->aports : rq->source, best, &dir, &ne) == 0 &&
	    apkbuild_evaluate(dir, &nab, &ne) == 0) {
		if (strcmp(nab.pkgname, ab->pkgname) != 0)
			*note = xasprintf("not checked against %s: its APKBUILD is for %s, not %s",
					  *suite, nab.pkgname, ab->pkgname);
		else {
			*ver = xasprintf("%s-r%s", nab.pkgver, nab.pkgrel);
			*note = xasprintf("checked below %s's %s (%s)", *suite, *ver, dir);
		}
	} else
		*note = xasprintf("not checked against %s: %s", *suite, ne.msg);
	apkbuild_free(&nab);
	free(dir);
	distro_free(best);
}

/* copy the aports dir's regular files into dest (created) */
static int copy_aports_dir(const char *src, const char *dest, struct bp_target *r, struct kerr *e)
{
	DIR *dh = src ? opendir(src) : NULL;
	struct dirent *de;
	int ret;
	if (!dh)
		return kerr_errno(e, KILN_EIO, "reading %s", src);
	if ((ret = mkdir_p(dest, 0755, e)) < 0) {
		closedir(dh);
		return ret;
	}
	while ((de = readdir(dh)) && ret == 0) {
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		char *from = xasprintf("%s/%s", src, de->d_name);
		if (lstat(from, &st) == 0 && S_ISREG(st.st_mode)) {
			char *to = xasprintf("%s/%s", dest, de->d_name);
			ret = copy_file_atomic(from, to, st.st_mode & 0755, e);
			free(to);
		} else
			strv_add_owned(&r->notes,
				       xasprintf("%s is not a regular file: not copied", from));
		free(from);
	}
	closedir(dh);
	return ret;
}

/* the output copy must never be the aports dir itself (that is --in-place) */
static int refuse_replacing(const char *final, const char *dir, struct kerr *e)
{
	char *a = realpath(final, NULL), *b = realpath(dir, NULL);
	int same = a && b && !strcmp(a, b);
	free(a);
	free(b);
	return same ? kerr_set(e, KILN_EUSAGE,
			       "%s is the aports directory itself: give another -o, or --in-place",
			       final)
		    : 0;
}

/* the edited recipe, checked the way abuild and the secdb read it */
static int check_edited(const char *dir, const char *text, const char *new_version,
			const char *new_rel, const struct strv *new_patches, const struct strv *ids,
			struct kerr *e)
{
	struct apk_secfixes sf = {0};
	struct apkbuild ab = {0};
	struct apk_sources srcs = {0};
	char *file = xasprintf("%s/APKBUILD", dir);
	int ret;
	if (!text)
		ret = kerr_set(e, KILN_EFAIL, "%s: nothing to check", file);
	else
		ret = apk_secfixes_parse(text, strlen(text), file, &sf, e);
	if (ret < 0)
		goto out;
	size_t found = 0;
	for (size_t i = 0; i < sf.n; i++)
		if (!strcmp(sf.v[i].version, new_version))
			for (size_t k = 0; k < ids->n; k++)
				found += strv_contains(&sf.v[i].ids, ids->v[k]);
	if (found != ids->n) {
		ret = kerr_set(e, KILN_EFAIL, "%s: the secfixes block does not read back with %s",
			       file, new_version);
		goto out;
	}
	if ((ret = apkbuild_evaluate(dir, &ab, e)) < 0)
		goto out;
	if (!ab.pkgrel || !new_rel || strcmp(ab.pkgrel, new_rel) != 0) {
		ret = kerr_set(e, KILN_EFAIL, "%s: pkgrel evaluates to %s after the edit, not %s",
			       file, ab.pkgrel ? ab.pkgrel : "nothing", new_rel ? new_rel : "?");
		goto out;
	}
	for (size_t i = 0; i < new_patches->n; i++)
		if (!names_a_source(&ab, new_patches->v[i])) {
			ret = kerr_set(e, KILN_EFAIL, "%s: source= does not list %s after the edit",
				       file, new_patches->v[i]);
			goto out;
		}
	/* every checksum, the new ones included, against the files */
	ret = apk_sources_verify(&ab, NULL, &srcs, e);
out:
	apk_sources_free(&srcs);
	apkbuild_free(&ab);
	apk_secfixes_free(&sf);
	free(file);
	return ret;
}

int bp_backport_alpine(const char *distro, const struct bp_request *rq, struct bp_target *r)
{
	struct distro *d = NULL;
	struct apkbuild ab = {0};
	struct apk_sources srcs = {0};
	struct tree t = {0};
	struct kerr *e = &r->err;
	struct kbuf *diffs = NULL, text_in;
	struct strv known_names = {0}, known_fps = {0}, prods = {0}, new_patches = {0}, ids = {0};
	char *dir = NULL, *work = NULL, *srcdir = NULL, *rel = NULL, *tree_dir = NULL;
	char *next = NULL, *next_suite = NULL, *stage = NULL, *final = NULL, *text = NULL;
	char *new_rel = NULL;
	int ret;

	kbuf_init(&text_in);
	diffs = bp_target_start(r, rq, distro);
	/* 1. the recipe: the aports dir for this release, evaluated in the sandbox */
	if ((ret = distro_load(distro, rq->ov, &d, e)) < 0)
		goto out;
	if ((ret = bp_aports_dir(rq->aports ? rq->aports : rq->source, d, &dir, e)) < 0 ||
	    (ret = apkbuild_evaluate(dir, &ab, e)) < 0)
		goto out;
	r->suite = xstrdup(dir);
	r->old_version = xasprintf("%s-r%s", ab.pkgver, ab.pkgrel);
	r->format = xstrdup("APKBUILD");
	r->package = xstrdup(ab.pkgname);
	apk_products(&ab, d, &prods);
	bp_products_purls(&prods, r->old_version, distro, &r->purls_old);
	/* 2. the source as prepare() sees it: archives unpacked, own patches applied */
	r->dir = xasprintf("%s/%s", rq->outdir, d->codename ? d->codename : "alpine");
	work = xasprintf("%s/work", r->dir);
	srcdir = xasprintf("%s/src", work);
	rm_rf(work);
	if ((ret = unpack_sources(&ab, srcdir, &srcs, e)) < 0)
		goto out;
	rel = builddir_rel(&ab);
	tree_dir = rel[0] ? xasprintf("%s/%s", srcdir, rel) : xstrdup(srcdir);
	if (!rel[0] || tree_safe_path(srcdir, rel, e) == 0) {
		struct stat st;
		if (stat(tree_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			ret = kerr_set(e, KILN_EFAIL,
				       "%s/APKBUILD: builddir %s is not there after unpacking the "
				       "sources into %s",
				       dir, ab.builddir ? ab.builddir : rel, srcdir);
			goto out;
		}
	} else {
		ret = -e->code;
		goto out;
	}
	r->source_tree = xstrdup(tree_dir);
	/* on disk too: the tree a person doing a manual backport starts from */
	if ((ret = tree_open(tree_dir, &t, e)) < 0 ||
	    (ret = apply_own_patches(&t, &ab, srcdir, &known_names, &known_fps, r, e)) < 0 ||
	    (ret = tree_write(&t, e)) < 0)
		goto out;
	/* 3. classify each fix before changing anything; each sees the ones before */
	if ((ret = bp_target_classify(&t, rq, r, &known_names, &known_fps, diffs, e)) <= 0)
		goto out;
	/* 4. the version: pkgrel + 1, above the current one, below the next release's */
	char *full = xasprintf("%s/APKBUILD", dir);
	ret = read_file(full, &text_in, 1 << 20, e);
	text = ret == 0 ? xstrdup(text_in.data ? text_in.data : "") : NULL;
	if (ret == 0)
		ret = apkbuild_bump_pkgrel(&text, full, ab.pkgrel, &new_rel, e);
	free(full);
	if (ret < 0)
		goto out;
	r->new_version = xasprintf("%s-r%s", ab.pkgver, new_rel);
	next_release_version(d, rq, &ab, &next, &next_suite, &r->version_check);
	if ((ret = bp_check_apk_version_order(
		 alpine_apk_gen(d), r->new_version, r->old_version, next,
		 rq->next_version ? "the next release" : next_suite, e)) < 0)
		goto out;
	/* 5. a copy of the aports dir with the refreshed patches and the edits */
	stage = xasprintf("%s/.%s.new", r->dir, ab.pkgname);
	rm_rf(stage);
	if ((ret = copy_aports_dir(dir, stage, r, e)) < 0)
		goto out;
	for (size_t i = 0; i < rq->nfixes; i++) {
		struct bp_fix_result *fr = &r->fixes[i];
		if (!bp_class_applies(fr->cls.cls))
			continue;
		struct kbuf stored;
		char hex[129];
		kbuf_init(&stored);
		bp_render_patch(fr->fix, rq->date, &diffs[i], &stored);
		fr->patch_name = new_patch_name(&ab, fr->fix, &new_patches);
		strv_add(&new_patches, fr->patch_name);
		char *p = xasprintf("%s/%s", stage, fr->patch_name);
		sha512_hex_of(stored.data, stored.len, hex);
		ret = write_file_atomic(p, stored.data, stored.len, 0644, e);
		free(p);
		kbuf_free(&stored);
		if (ret < 0 ||
		    (ret = apkbuild_add_source(&text, "APKBUILD", fr->patch_name, e)) < 0 ||
		    (ret = apkbuild_add_sha512(&text, "APKBUILD", hex, fr->patch_name, e)) < 0)
			goto out;
		for (size_t k = 0; fr->fix->cves && k < fr->fix->cves->n; k++)
			if (!strv_contains(&ids, fr->fix->cves->v[k]))
				strv_add(&ids, fr->fix->cves->v[k]);
		strv_add_owned(&r->notes, xasprintf("%s added to source= and sha512sums (applies "
						    "with fuzz 0)",
						    fr->patch_name));
	}
	if (ids.n && (ret = apkbuild_add_secfixes(&text, "APKBUILD", r->new_version, &ids, e)) < 0)
		goto out;
	char *ap = xasprintf("%s/APKBUILD", stage);
	ret = text ? write_file_atomic(ap, text, strlen(text), 0644, e)
		   : kerr_set(e, KILN_EIO, "%s: no text", ap);
	free(ap);
	if (ret < 0)
		goto out;
	/* 6. read back as abuild would: evaluated, checksums verified, secfixes parsed */
	if ((ret = check_edited(stage, text, r->new_version, new_rel, &new_patches, &ids, e)) < 0) {
		r->source_build = xasprintf("failed: %s", e->msg);
		goto out;
	}
	if (rq->in_place) {
		final = xstrdup(dir);
		for (size_t i = 0; i <= new_patches.n && ret == 0; i++) {
			const char *n = i < new_patches.n ? new_patches.v[i] : "APKBUILD";
			char *from = xasprintf("%s/%s", stage, n),
			     *to = xasprintf("%s/%s", final, n);
			if ((ret = copy_file_atomic(from, to, 0644, e)) == 0)
				bp_add_written(r, rq->outdir, to);
			free(from);
			free(to);
		}
		rm_rf(stage);
	} else {
		final = xasprintf("%s/%s", r->dir, ab.pkgname);
		if ((ret = refuse_replacing(final, dir, e)) < 0)
			goto out;
		rm_rf(final);
		if (rename(stage, final) < 0)
			ret = kerr_errno(e, KILN_EIO, "renaming %s to %s", stage, final);
		for (size_t i = 0; i <= new_patches.n && ret == 0; i++) {
			char *to = xasprintf("%s/%s", final,
					     i < new_patches.n ? new_patches.v[i] : "APKBUILD");
			bp_add_written(r, rq->outdir, to);
			free(to);
		}
	}
	if (ret < 0)
		goto out;
	r->apkbuild = xasprintf("%s/APKBUILD", final);
	r->source_build = xasprintf("ok: %s evaluates to %s-r%s, its sources verify", r->apkbuild,
				    ab.pkgver, new_rel);
	strv_add_owned(&r->notes, xasprintf("pkgrel %s -> %s; secfixes: %s", ab.pkgrel, new_rel,
					    r->new_version));
	bp_products_purls(&prods, r->new_version, distro, &r->purls_new);
out:
	r->status = ret;
	if (ret == 0)
		kerr_clear(e);
	if (stage && ret < 0)
		rm_rf(stage);
	tree_free(&t);
	apk_sources_free(&srcs);
	apkbuild_free(&ab);
	distro_free(d);
	for (size_t i = 0; diffs && i < rq->nfixes; i++)
		kbuf_free(&diffs[i]);
	free(diffs);
	kbuf_free(&text_in);
	strv_free(&known_names);
	strv_free(&known_fps);
	strv_free(&prods);
	strv_free(&new_patches);
	strv_free(&ids);
	free(dir);
	free(work);
	free(srcdir);
	free(rel);
	free(tree_dir);
	free(next);
	free(next_suite);
	free(stage);
	free(final);
	free(text);
	free(new_rel);
	return ret;
}

int bp_build_alpine(const char *distro, const struct bp_request *rq, int nocheck,
		    struct bp_target *r, struct kerr *e)
{
	struct distro *d = NULL;
	struct alpine_build_opts o = {0};
	struct build_result res = {0};
	char *outdir = NULL, *dir = NULL;
	int ret;

	if (!r->apkbuild)
		return kerr_set(e, KILN_EFAIL, "no APKBUILD to build");
	outdir = xasprintf("%s/binaries", r->dir);
	dir = xstrdup(r->apkbuild);
	*strrchr(dir, '/') = '\0';
	o.b.outdir = outdir;
	o.b.kind = BUILD_BINARY;
	o.b.nocheck = nocheck;
	o.b.distro_name = distro;
	o.b.root.fetch = rq->fetch;
	o.source_date_epoch = -1;
	o.key_path = rq->apk_key;
	o.keys_dir = rq->apk_keys_dir;
	if ((ret = distro_load(distro, rq->ov, &d, e)) < 0)
		goto out;
	if ((ret = alpine_build(dir, d, &o, &res, e)) < 0) {
		r->tests = nocheck ? "not run (nocheck)" : "failed or not reached (see the log)";
		kerr_prefix(e, "step '%s'%s%s: ", res.failed_step ? res.failed_step : "?",
			    res.log_path ? ", log " : "", res.log_path ? res.log_path : "");
		goto out;
	}
	for (size_t i = 0; i < res.outputs.n; i++) {
		char *p = xasprintf("%s/%s", outdir, res.outputs.v[i]);
		bp_add_written(r, rq->outdir, p);
		free(p);
	}
	r->tests = nocheck ? "not run (nocheck)" : "passed";
	r->binary_build = xasprintf(
	    "ok: %zu files in %s (%.0f s)%s", res.outputs.n, outdir, res.seconds_total,
	    nocheck ? "; tests not run (nocheck)" : "; the package's check() ran and passed");
out:
	build_result_free(&res);
	distro_free(d);
	free(outdir);
	free(dir);
	return ret;
}

int bp_backport_target(const char *distro, const struct bp_request *rq, struct bp_target *r)
{
	struct distro *d = NULL;
	struct kerr e = {0};
	int alpine =
	    distro_load(distro, rq->ov, &d, &e) == 0 && d->family && !strcmp(d->family, "alpine");
	distro_free(d);
	return alpine ? bp_backport_alpine(distro, rq, r) : bp_backport_debian(distro, rq, r);
}
