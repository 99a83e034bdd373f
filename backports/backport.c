/* backport.c - one Debian target suite, in the order it happens: fetch the
 * current source, unpack it, classify the fix, version it, write the
 * refreshed patch + series + changelog, build the new source package. */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attest/attest.h"
#include "backports/backports.h"

static const char *no_epoch(const char *v)
{
	const char *c = strchr(v, ':');
	return c ? c + 1 : v;
}

static char *read_text(const char *root, const char *rel, int required, struct kerr *e, int *ret)
{
	struct kbuf b;
	char *full = xasprintf("%s/%s", root, rel);
	*ret = 0;
	kbuf_init(&b);
	if ((*ret = tree_safe_path(root, rel, e)) == 0 &&
	    (*ret = read_file(full, &b, 16 << 20, e)) < 0 && !required &&
	    e->code == KILN_ENOTFOUND) {
		*ret = 0;
		kerr_clear(e);
	}
	free(full);
	if (*ret < 0 || !b.data) {
		kbuf_free(&b);
		return NULL;
	}
	return b.data;
}

static int write_text(const char *root, const char *rel, const char *text, size_t len,
		      struct kerr *e)
{
	int ret;
	if ((ret = tree_safe_path(root, rel, e)) < 0)
		return ret;
	char *full = xasprintf("%s/%s", root, rel);
	char *dir = xstrdup(full);
	*strrchr(dir, '/') = '\0';
	if ((ret = mkdir_p(dir, 0755, e)) == 0)
		ret = write_file_atomic(full, text, len, 0644, e);
	free(dir);
	free(full);
	return ret;
}

/* The binary packages debian/control declares, as "name arch" (the host
 * architecture for arch-dependent ones), plus the source itself. */
static void control_products(const struct distro *d, const char *tree_dir, struct strv *out)
{
	struct kerr e = {0};
	int ret;
	const char *host = d->architectures.n ? d->architectures.v[0] : "amd64";
	char *text = read_text(tree_dir, "debian/control", 1, &e, &ret);
	struct deb822_parser ps;
	struct deb822_para p = {0};
	if (!text)
		return;
	deb822_init(&ps, text, strlen(text), "debian/control");
	while (deb822_next(&ps, &p, &e) > 0) {
		char *pkg = deb822_get(&p, "Package"), *arch = deb822_get(&p, "Architecture");
		char *src = deb822_get(&p, "Source");
		if (src)
			strv_add_owned(out, xasprintf("%s source", src));
		if (pkg && arch) {
			struct strv archs = {0};
			strv_split(&archs, arch, " \t\n");
			int all = strv_contains(&archs, "all") && archs.n == 1;
			int any = 0;
			for (size_t i = 0; i < archs.n; i++)
				any |= !strcmp(archs.v[i], "any") || !strcmp(archs.v[i], host) ||
				       (str_has_suffix(archs.v[i], "-any") &&
					str_has_prefix(archs.v[i], "linux"));
			/* udebs do not reach users' systems */
			char *type = deb822_get(&p, "Package-Type");
			if ((all || any) && !(type && !strcmp(type, "udeb")))
				strv_add_owned(out, xasprintf("%s %s", pkg, all ? "all" : host));
			free(type);
			strv_free(&archs);
		}
		free(pkg);
		free(arch);
		free(src);
	}
	deb822_para_free(&p);
	free(text);
}

void bp_products_purls(const struct strv *prods, const char *version, const char *distro,
		       struct strv *out)
{
	for (size_t i = 0; i < prods->n; i++) {
		char *name = xstrdup(prods->v[i]);
		char *arch = strchr(name, ' ');
		*arch++ = '\0';
		strv_add_owned(out, purl_package(distro, name, version, arch));
		free(name);
	}
}

/* The newest version of SRC in the next release, when that is in the cache. */
static void next_suite_version(const struct distro *d, const struct bp_request *rq, char **ver,
			       char **note)
{
	struct distro *nd = NULL;
	struct source_pkg s = {0};

	*ver = NULL;
	*note = NULL;
	if (rq->next_version) {
		*ver = xstrdup(rq->next_version);
		*note = xasprintf("checked below %s (given with --next-version)", rq->next_version);
		return;
	}
	if (!d->next_suite || !d->next_suite[0]) {
		*note = xstrdup("not checked against a next suite: the definition names none");
		return;
	}
	/* the next release as such, else its -security view (which includes it) */
	char *names[2] = {xasprintf("%s:%s", d->family, d->next_suite),
			  xasprintf("%s:%s-security", d->family, d->next_suite)};
	for (int i = 0; i < 2 && !*ver; i++) {
		struct kerr ne = {0};
		if (distro_load(names[i], rq->ov, &nd, &ne) == 0 &&
		    debian_find_source(nd, rq->source, NULL, &s, &ne) == 0) {
			*ver = xstrdup(s.version);
			free(*note);
			*note = xasprintf("checked below %s's %s (%s)", d->next_suite, s.version,
					  s.suite);
		} else if (i == 0 || ne.code != KILN_ENOTFOUND || !strstr(ne.msg, "kiln update")) {
			/* keep the first reason; a missing -security definition says less */
			if (!*note)
				*note =
				    xasprintf("not checked against %s: %s", d->next_suite, ne.msg);
		}
		source_pkg_free(&s);
		distro_free(nd);
		nd = NULL;
	}
	free(names[0]);
	free(names[1]);
}

/* "CVE-2024-1234.patch", or "CVE-2024-1234-2.patch" when taken */
static char *patch_file_name(const char *tree, const struct strv *cves, const char *source)
{
	const char *base = cves && cves->n ? cves->v[0] : NULL;
	char *stem = base ? xstrdup(base) : xasprintf("%s-security-fix", source);
	for (int i = 1; i < 100; i++) {
		char *name =
		    i == 1 ? xasprintf("%s.patch", stem) : xasprintf("%s-%d.patch", stem, i);
		char *full = xasprintf("%s/debian/patches/%s", tree, name);
		int taken = path_exists(full);
		free(full);
		if (!taken) {
			free(stem);
			return name;
		}
		free(name);
	}
	free(stem);
	return xasprintf("%s-security-fix-%ld.patch", source, (long)time(NULL));
}

static char *debian_bug_number(const char *bug)
{
	if (!bug)
		return NULL;
	const char *p = bug + strlen(bug);
	while (p > bug && isdigit((unsigned char)p[-1]))
		p--;
	return *p ? xstrdup(p) : NULL;
}

static int copy_dsc_files(const char *work, const char *dsc_name, const char *dest,
			  struct bp_target *r, const char *outdir, struct kerr *e)
{
	struct kbuf raw, text;
	struct deb822_parser ps;
	struct deb822_para para = {0};
	struct source_pkg s = {0};
	int ret, sig = 0;
	char *dsc = xasprintf("%s/%s", work, dsc_name);

	kbuf_init(&raw);
	kbuf_init(&text);
	if ((ret = read_file(dsc, &raw, 1 << 20, e)) < 0 ||
	    (ret = deb822_strip_signature(raw.data, raw.len, &text, &sig, dsc, e)) < 0)
		goto out;
	deb822_init(&ps, text.data, text.len, dsc);
	if ((ret = deb822_next(&ps, &para, e)) <= 0) {
		if (ret == 0)
			ret = kerr_set(e, KILN_EPARSE, "%s: empty", dsc);
		goto out;
	}
	if ((ret = source_pkg_from_para(&para, dsc, &s, e)) < 0)
		goto out;
	if ((ret = mkdir_p(dest, 0755, e)) < 0)
		goto out;
	for (size_t i = 0; i <= s.nfiles && ret == 0; i++) {
		const char *n = i < s.nfiles ? s.files[i].name : dsc_name;
		if (!is_safe_filename(n)) {
			ret = kerr_set(e, KILN_EVERIFY, "%s: unsafe file name '%s'", dsc, n);
			break;
		}
		char *from = xasprintf("%s/%s", work, n), *to = xasprintf("%s/%s", dest, n);
		if ((ret = copy_file_atomic(from, to, 0644, e)) == 0)
			bp_add_written(r, outdir, to);
		free(from);
		free(to);
	}
out:
	source_pkg_free(&s);
	deb822_para_free(&para);
	kbuf_free(&raw);
	kbuf_free(&text);
	free(dsc);
	return ret < 0 ? ret : 0;
}

/* "  * Fix CVE-1, CVE-2: summary (Closes: #N)" */
static char *changelog_line(const struct bp_fix *f)
{
	struct kbuf line;
	kbuf_init(&line);
	kbuf_adds(&line, "Fix ");
	for (size_t i = 0; f->cves && i < f->cves->n; i++)
		kbuf_printf(&line, "%s%s", i ? ", " : "", f->cves->v[i]);
	char *summary = bp_fix_summary(f);
	kbuf_printf(&line, ": %s", summary);
	free(summary);
	char *bugno = debian_bug_number(f->bug_debian);
	if (bugno)
		kbuf_printf(&line, " (Closes: #%s)", bugno);
	free(bugno);
	return line.data;
}

int bp_backport_debian(const char *distro, const struct bp_request *rq, struct bp_target *r)
{
	struct distro *d = NULL;
	struct source_pkg s = {0};
	struct tree t = {0};
	struct changelog_top top = {0};
	struct kbuf entry, series_add;
	struct kerr *e = &r->err;
	struct kbuf *diffs = NULL;
	char *work = NULL, *tree_dir = NULL, *log = NULL, *format = NULL, *changelog = NULL;
	char *series = NULL, *next = NULL, *maint = NULL;
	struct strv prods = {0}, changes = {0};
	int ret, signed_state = -1;

	kbuf_init(&entry);
	kbuf_init(&series_add);
	diffs = bp_target_start(r, rq, distro);
	/* 1. the suite's current source, its -security suite included */
	if ((ret = distro_load(distro, rq->ov, &d, e)) < 0)
		goto out;
	if (strcmp(d->family, "debian") != 0) {
		ret = kerr_set(e, KILN_EUSAGE,
			       "%s: not a Debian distro (Alpine targets go through "
			       "bp_backport_alpine)",
			       distro);
		goto out;
	}
	if ((ret = debian_find_source(d, rq->source, NULL, &s, e)) < 0)
		goto out;
	r->suite = xstrdup(s.suite);
	r->old_version = xstrdup(s.version);
	const char *dname = strchr(distro, ':') ? strchr(distro, ':') + 1 : distro;
	r->dir = xasprintf("%s/%s", rq->outdir, dname);
	work = xasprintf("%s/work", r->dir);
	log = xasprintf("%s/backport.log", r->dir);
	rm_rf(work);
	if ((ret = mkdir_p(work, 0755, e)) < 0)
		goto out;
	unlink(log);
	if ((ret = debian_fetch_source(&s, work, &rq->fetch, NULL, &signed_state, e)) < 0)
		goto out;
	/* 2. unpack with the series applied, as a build would see it */
	char *dsc_name = xasprintf("%s_%s.dsc", s.package, no_epoch(s.version));
	const char *x_argv[] = {"dpkg-source", "--no-check", "-x", dsc_name, "tree", NULL};
	ret = bp_run(x_argv, work, NULL, log, e);
	free(dsc_name);
	if (ret < 0)
		goto out;
	tree_dir = xasprintf("%s/tree", work);
	control_products(d, tree_dir, &prods);
	bp_products_purls(&prods, s.version, distro, &r->purls_old);
	/* 3. classify each fix before changing anything; each sees the ones before */
	if ((ret = tree_open(tree_dir, &t, e)) < 0)
		goto out;
	if ((ret = bp_target_classify(&t, rq, r, NULL, NULL, diffs, e)) <= 0)
		goto out;
	ret = 0;
	/* 4. the version, by the suite's convention and the next suite's order */
	maint = rq->maintainer ? xstrdup(rq->maintainer) : maintainer_from_env();
	if (!maint) {
		ret = kerr_set(
		    e, KILN_EUSAGE,
		    "no maintainer for the changelog entry: set DEBEMAIL and DEBFULLNAME, or "
		    "give --maintainer \"Name <mail>\"");
		goto out;
	}
	format = read_text(tree_dir, "debian/source/format", 0, e, &ret);
	if (ret < 0)
		goto out;
	r->format = xstrdup(format ? format : "1.0");
	r->format[strcspn(r->format, "\n")] = '\0';
	if (!(changelog = read_text(tree_dir, "debian/changelog", 1, e, &ret)))
		goto out;
	if ((ret = changelog_parse_top(changelog, strlen(changelog), "debian/changelog", &top, e)) <
	    0)
		goto out;
	if (strcmp(top.version, s.version) != 0)
		strv_add_owned(&r->notes,
			       xasprintf("debian/changelog says %s but the archive has %s",
					 top.version, s.version));
	/* a security version whose entry names another release's suite (as
	 * libarchive 3.6.2-1+deb12u5 named bullseye-security) */
	if (d->backport_suffix && strstr(top.version, d->backport_suffix) && d->codename &&
	    !str_has_prefix(top.distribution, d->codename))
		strv_add_owned(&r->notes,
			       xasprintf("note: the current entry %s is for %s, not a %s suite",
					 top.version, top.distribution, d->codename));
	if ((ret = bp_next_version(s.version, d->backport_suffix, &r->new_version, e)) < 0)
		goto out;
	next_suite_version(d, rq, &next, &r->version_check);
	if ((ret = bp_check_version_order(r->new_version, s.version, next,
					  rq->next_version ? "the next suite" : d->next_suite, e)) <
	    0)
		goto out;
	/* 5. one refreshed patch per fix, the series, the changelog */
	int quilt = !strcmp(r->format, "3.0 (quilt)");
	for (size_t i = 0; i < rq->nfixes; i++) {
		struct bp_fix_result *fr = &r->fixes[i];
		if (!bp_class_applies(fr->cls.cls))
			continue;
		struct kbuf stored;
		kbuf_init(&stored);
		bp_render_patch(fr->fix, rq->date, &diffs[i], &stored);
		fr->patch_name = patch_file_name(tree_dir, fr->fix->cves, s.package);
		char *prel = xasprintf("debian/patches/%s", fr->patch_name);
		ret = write_text(tree_dir, prel, stored.data, stored.len, e);
		free(prel);
		/* a copy next to the results, for review */
		char *pcopy = xasprintf("%s/%s", r->dir, fr->patch_name);
		if (ret == 0 &&
		    (ret = write_file_atomic(pcopy, stored.data, stored.len, 0644, e)) == 0)
			bp_add_written(r, rq->outdir, pcopy);
		free(pcopy);
		kbuf_free(&stored);
		if (ret < 0)
			goto out;
		kbuf_printf(&series_add, "%s\n", fr->patch_name);
		strv_add_owned(&changes, changelog_line(fr->fix));
		strv_add_owned(
		    &r->notes,
		    quilt ? xasprintf("debian/patches/%s added to the series (applies with "
				      "fuzz 0)",
				      fr->patch_name)
			  : xasprintf("debian/patches/%s written for reference", fr->patch_name));
	}
	if (quilt) {
		series = read_text(tree_dir, "debian/patches/series", 0, e, &ret);
		if (ret < 0)
			goto out;
		struct kbuf sb;
		kbuf_init(&sb);
		if (series) {
			kbuf_adds(&sb, series);
			if (sb.len && sb.data[sb.len - 1] != '\n')
				kbuf_adds(&sb, "\n");
		}
		kbuf_add(&sb, series_add.data, series_add.len);
		ret = write_text(tree_dir, "debian/patches/series", sb.data, sb.len, e);
		kbuf_free(&sb);
		if (ret < 0)
			goto out;
	} else {
		/* 1.0 and native: the change goes into the files themselves */
		if ((ret = tree_write(&t, e)) < 0)
			goto out;
		strv_add_owned(&r->notes, xasprintf("source format %s has no patch series: the "
						    "change is made in the files directly",
						    r->format));
	}
	struct changelog_entry ce = {.source = top.source,
				     .version = r->new_version,
				     .distribution =
					 d->security_suite ? d->security_suite : d->codename,
				     .urgency = "high",
				     .changes = &changes,
				     .maintainer = maint,
				     .date = rq->date};
	changelog_entry(&ce, &entry);
	kbuf_adds(&entry, changelog);
	if ((ret = write_text(tree_dir, "debian/changelog", entry.data, entry.len, e)) < 0)
		goto out;
	strv_add_owned(&r->notes, xasprintf("debian/changelog: %s (%s) %s; urgency=high",
					    top.source, r->new_version, ce.distribution));
	/* 6. the new source package (dpkg-source applies the series with fuzz 0) */
	char *sde = xasprintf("SOURCE_DATE_EPOCH=%lld", (long long)rq->date);
	const char *env[] = {sde, NULL};
	const char *b_argv[] = {"dpkg-source", "-b", "tree", NULL};
	ret = bp_run(b_argv, work, env, log, e);
	free(sde);
	if (ret < 0) {
		r->source_build = xstrdup(e->msg);
		goto out;
	}
	char *new_dsc = xasprintf("%s_%s.dsc", s.package, no_epoch(r->new_version));
	ret = copy_dsc_files(work, new_dsc, r->dir, r, rq->outdir, e);
	if (ret == 0) {
		r->dsc = xasprintf("%s/%s", r->dir, new_dsc);
		r->source_build = xstrdup("ok");
		bp_products_purls(&prods, r->new_version, distro, &r->purls_new);
	} else
		r->source_build = xstrdup(e->msg);
	free(new_dsc);
out:
	r->status = ret;
	if (ret == 0)
		kerr_clear(e);
	changelog_top_free(&top);
	tree_free(&t);
	source_pkg_free(&s);
	distro_free(d);
	for (size_t i = 0; diffs && i < rq->nfixes; i++)
		kbuf_free(&diffs[i]);
	free(diffs);
	kbuf_free(&entry);
	kbuf_free(&series_add);
	free(work);
	free(tree_dir);
	free(log);
	free(format);
	free(changelog);
	free(series);
	free(next);
	free(maint);
	strv_free(&prods);
	strv_free(&changes);
	return ret;
}
