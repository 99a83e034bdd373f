/* rebuildplan.c - what kiln verify rebuilds with: a build record or a .buildinfo turned into
 * a lock, build options and environment, every field checked before it is used. */
#include "attest/attest.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void pkg_wants_free(struct pkg_want *wants, size_t n)
{
	for (size_t i = 0; wants && i < n; i++) {
		struct lock_pkg *f = &wants[i].found;
		free(f->name);
		free(f->version);
		free(f->arch);
		free(f->sha256);
		free(f->filename);
		free(f->mirror);
		free(f->checksum);
		memset(f, 0, sizeof(*f));
	}
}

void rebuild_plan_free(struct rebuild_plan *p)
{
	if (!p)
		return;
	free(p->input_name);
	free(p->distro);
	free(p->source);
	free(p->source_version);
	free(p->arch);
	for (size_t i = 0; i < p->nsrc_files; i++)
		free(p->src_files[i].name);
	free(p->src_files);
	free(p->build_path);
	strv_free(&p->env);
	free(p->profiles);
	free(p->hostname);
	free(p->build_date);
	lock_free(&p->lock);
	pkg_wants_free(p->wants, p->nwants);
	free(p->wants);
	memset(p, 0, sizeof(*p));
}

/* ---- looking packages up in Packages indices ---- */

static int want_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pkg_want *const *)a)[0]->name,
		      ((const struct pkg_want *const *)b)[0]->name);
}

static int arch_fits(const struct pkg_want *w, const char *arch, const char *host_arch)
{
	if (w->arch)
		return !strcmp(w->arch, arch);
	return !strcmp(arch, host_arch) || !strcmp(arch, "all");
}

/* one paragraph: fill every want it satisfies */
static void match_para(const struct deb822_para *para, const struct pool_index *ix,
		       const char *host_arch, struct pkg_want **sorted, size_t n)
{
	char *name = deb822_get(para, "Package");
	if (!name)
		return;
	struct pkg_want key = {.name = name}, *kp = &key;
	struct pkg_want **hit = bsearch(&kp, sorted, n, sizeof(struct pkg_want *), want_cmp);
	if (!hit)
		goto out;
	while (hit > sorted && !strcmp(hit[-1]->name, name))
		hit--;
	char *ver = deb822_get(para, "Version"), *arch = deb822_get(para, "Architecture");
	for (; hit < sorted + n && !strcmp((*hit)->name, name); hit++) {
		struct pkg_want *w = *hit;
		if (w->found.sha256 || !ver || !arch || strcmp(ver, w->version) ||
		    !arch_fits(w, arch, host_arch))
			continue;
		char *sha = deb822_get(para, "SHA256"), *size = deb822_get(para, "Size");
		char *file = deb822_get(para, "Filename"), *ess = deb822_get(para, "Essential");
		char *end = NULL;
		unsigned long long sz = size ? strtoull(size, &end, 10) : 0;
		/* an index entry without a usable hash or path is no answer */
		if (sha && is_sha256_hex(sha) && strlen(sha) == SHA256_HEX_LEN && file && *file &&
		    file[0] != '/' && !strstr(file, "..") && size && end && !*end) {
			w->found.name = xstrdup(name);
			w->found.version = xstrdup(ver);
			w->found.arch = xstrdup(arch);
			w->found.sha256 = sha;
			w->found.size = sz;
			w->found.filename = file;
			w->found.mirror = xstrdup(ix->mirror ? ix->mirror : "");
			w->found.essential = ess && !strcmp(ess, "yes");
			w->index = ix;
			sha = file = NULL;
		}
		free(sha);
		free(size);
		free(file);
		free(ess);
	}
	free(ver);
	free(arch);
out:
	free(name);
}

int packages_find(const struct pool_index *idx, size_t nidx, const char *host_arch,
		  struct pkg_want *wants, size_t n, struct kerr *e)
{
	struct pkg_want **sorted = xcalloc(n ? n : 1, sizeof(struct pkg_want *));
	size_t missing = n;
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		sorted[i] = &wants[i];
	qsort(sorted, n, sizeof(struct pkg_want *), want_cmp);
	for (size_t k = 0; k < nidx && missing; k++) {
		struct kbuf text = {0};
		struct deb822_parser ps;
		struct deb822_para para = {0};
		int r;
		if ((ret = read_file(idx[k].path, &text, (size_t)1 << 32, e)) < 0)
			break;
		deb822_init(&ps, text.data, text.len, idx[k].path);
		while ((r = deb822_next(&ps, &para, e)) > 0) {
			match_para(&para, &idx[k], host_arch, sorted, n);
			deb822_para_free(&para);
		}
		deb822_para_free(&para);
		kbuf_free(&text);
		if (r < 0) {
			ret = r;
			break;
		}
		missing = 0;
		for (size_t i = 0; i < n; i++)
			missing += !wants[i].found.sha256;
	}
	free(sorted);
	return ret < 0 ? ret : (int)missing;
}

/* ---- a .buildinfo ---- */

/* dpkg-genbuildinfo's allow-list (deb-buildinfo(5)), plus DEB_<FLAG>_SET */
static int env_allowed(const char *name)
{
	static const char *const names[] = {"CC",
					    "CPP",
					    "CXX",
					    "OBJC",
					    "OBJCXX",
					    "PC",
					    "FC",
					    "M2C",
					    "AS",
					    "LD",
					    "AR",
					    "RANLIB",
					    "MAKE",
					    "AWK",
					    "LEX",
					    "YACC",
					    "ASFLAGS",
					    "CFLAGS",
					    "CPPFLAGS",
					    "CXXFLAGS",
					    "OBJCFLAGS",
					    "OBJCXXFLAGS",
					    "GCJFLAGS",
					    "DFLAGS",
					    "FFLAGS",
					    "LDFLAGS",
					    "ARFLAGS",
					    "MAKEFLAGS",
					    "LD_LIBRARY_PATH",
					    "LANG",
					    "LC_ALL",
					    "LC_ADDRESS",
					    "LC_COLLATE",
					    "LC_CTYPE",
					    "LC_IDENTIFICATION",
					    "LC_MEASUREMENT",
					    "LC_MESSAGES",
					    "LC_MONETARY",
					    "LC_NAME",
					    "LC_NUMERIC",
					    "LC_PAPER",
					    "LC_TELEPHONE",
					    "LC_TIME",
					    "DEB_BUILD_OPTIONS",
					    "DEB_BUILD_PROFILES",
					    "DEB_VENDOR",
					    "DPKG_ROOT",
					    "DPKG_ADMINDIR",
					    "DPKG_DATADIR",
					    "DPKG_ORIGINS_DIR",
					    "DPKG_GENSYMBOLS_CHECK_LEVEL",
					    "SOURCE_DATE_EPOCH",
					    NULL};
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	if (str_has_prefix(name, "DEB_") && str_has_suffix(name, "_SET") && strlen(name) > 8) {
		for (const char *p = name + 4; p < name + strlen(name) - 4; p++)
			if (!isupper((unsigned char)*p))
				return 0;
		return 1;
	}
	return 0;
}

/* values go into the build's environment: printable, one line */
static int env_value_ok(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

static int kind_from_architecture(const struct buildinfo *b, const char *what,
				  enum build_kind *kind, struct kerr *e)
{
	int any = 0, all = 0;
	for (size_t i = 0; i < b->architecture.n; i++) {
		const char *a = b->architecture.v[i];
		if (!strcmp(a, "source"))
			continue;
		if (!strcmp(a, "all"))
			all = 1;
		else if (!strcmp(a, b->host_arch))
			any = 1;
		else
			return kerr_set(e, KILN_EPARSE,
					"%s: Architecture names '%s', not the host architecture %s",
					what, a, b->host_arch);
	}
	if (!any && !all)
		return kerr_set(e, KILN_EPARSE,
				"%s: Architecture lists no binary build (a source-only build has "
				"nothing to rebuild)",
				what);
	*kind = any && all ? BUILD_BINARY : any ? BUILD_ARCH : BUILD_INDEP;
	return 0;
}

/* the Debian release base-files comes from: 12.4+deb12u11 -> the definition with Version 12 */
static int distro_from_base_files(const struct buildinfo *b, const char *what, char **out,
				  struct kerr *e)
{
	const char *v = NULL;
	struct strv names = {0};
	int ret;

	for (size_t i = 0; i < b->ndeps; i++)
		if (!strcmp(b->deps[i].name, "base-files"))
			v = b->deps[i].version;
	if (!v || !isdigit((unsigned char)*v))
		return kerr_set(e, KILN_EPARSE, "%s: base-files has no release number", what);
	char *major = xstrndup(v, strspn(v, "0123456789"));
	if ((ret = distro_list(&names, e)) < 0)
		goto out;
	ret = kerr_set(e, KILN_ENOTFOUND,
		       "%s: built on Debian %s (base-files %s), which kiln has no definition for; "
		       "name one with --distro",
		       what, major, v);
	for (size_t i = 0; i < names.n; i++) {
		struct distro *d = NULL;
		struct kerr ignored;
		if (distro_load(names.v[i], NULL, &d, &ignored) == 0 && d->family &&
		    !strcmp(d->family, "debian") && d->version && !strcmp(d->version, major) &&
		    d->codename && !strcmp(names.v[i] + strlen("debian:"), d->codename)) {
			*out = xstrdup(names.v[i]);
			ret = 0;
			kerr_clear(e);
		}
		distro_free(d);
		if (ret == 0)
			break;
	}
out:
	free(major);
	strv_free(&names);
	return ret;
}

int rebuild_plan_from_buildinfo(const struct buildinfo *b, const char *what, const char *distro,
				struct rebuild_plan *p, struct kerr *e)
{
	static const char *const kiln_sets[] = {"LANG", "LC_ALL", "DEB_BUILD_OPTIONS",
						"DEB_BUILD_PROFILES", NULL};
	int ret;

	memset(p, 0, sizeof(*p));
	p->from_buildinfo = 1;
	if (strcmp(b->build_arch, b->host_arch)) {
		ret = kerr_set(e, KILN_EPARSE,
			       "%s: a cross build (%s for %s) cannot be rebuilt by kiln", what,
			       b->build_arch, b->host_arch);
		goto out;
	}
	if ((ret = kind_from_architecture(b, what, &p->kind, e)) < 0)
		goto out;
	if (b->build_path && build_path_check(b->build_path, e) < 0) {
		e->code = KILN_EPARSE;
		ret = kerr_prefix(e, "%s: Build-Path: ", what);
		goto out;
	}
	for (size_t i = 0; i < b->nenv; i++) {
		if (!env_allowed(b->env[i].name)) {
			ret = kerr_set(e, KILN_EPARSE,
				       "%s: Environment names %s, which dpkg never records", what,
				       b->env[i].name);
			goto out;
		}
		if (!env_value_ok(b->env[i].value)) {
			ret = kerr_set(e, KILN_EPARSE, "%s: Environment %s has a control character",
				       what, b->env[i].name);
			goto out;
		}
		if (!strcmp(b->env[i].name, "SOURCE_DATE_EPOCH") &&
		    (!*b->env[i].value ||
		     strspn(b->env[i].value, "0123456789") != strlen(b->env[i].value) ||
		     strlen(b->env[i].value) > 18)) {
			ret = kerr_set(e, KILN_EPARSE,
				       "%s: SOURCE_DATE_EPOCH '%s' is not a number of seconds",
				       what, b->env[i].value);
			goto out;
		}
		strv_add_owned(&p->env, xasprintf("%s=%s", b->env[i].name, b->env[i].value));
	}
	/* what dpkg did not record was not set: kiln must not set it either */
	for (size_t i = 0; kiln_sets[i]; i++)
		if (!buildinfo_env_get(b, kiln_sets[i]))
			strv_add(&p->env, kiln_sets[i]);
	const char *prof = buildinfo_env_get(b, "DEB_BUILD_PROFILES");
	if (prof && *prof)
		p->profiles = xstrdup(prof);
	if (distro)
		p->distro = xstrdup(distro);
	else if ((ret = distro_from_base_files(b, what, &p->distro, e)) < 0)
		goto out;
	p->source = xstrdup(b->source);
	p->source_version = xstrdup(b->source_version);
	p->arch = xstrdup(b->host_arch);
	p->build_path = b->build_path ? xstrdup(b->build_path) : NULL;
	p->build_date = b->build_date ? xstrdup(b->build_date) : NULL;
	p->wants = xcalloc(b->ndeps ? b->ndeps : 1, sizeof(*p->wants));
	p->nwants = b->ndeps;
	for (size_t i = 0; i < b->ndeps; i++) {
		p->wants[i].name = b->deps[i].name;
		p->wants[i].arch = b->deps[i].arch;
		p->wants[i].version = b->deps[i].version;
	}
	ret = 0;
out:
	if (ret < 0)
		rebuild_plan_free(p);
	return ret;
}

/* a snapshot.debian.org suggestion for the day the file says it was built */
static char *mirror_hint(const char *build_date)
{
	int64_t t = build_date ? parse_rfc2822_utc(build_date) : -1;
	if (t < 0)
		return xstrdup(
		    "--mirror http://snapshot.debian.org/archive/debian/YYYYMMDDT000000Z/ "
		    "(a snapshot from the day it was built)");
	char *iso = rfc3339_utc(t);
	char *s =
	    xasprintf("--mirror http://snapshot.debian.org/archive/debian/%.4s%.2s%.2sT%.2s%.2s"
		      "%.2sZ/ (a snapshot from the day it was built)",
		      iso, iso + 5, iso + 8, iso + 11, iso + 14, iso + 17);
	free(iso);
	return s;
}

/* the missing wants as one message, up to 10 named */
static int report_missing(const struct rebuild_plan *p, const struct pool_index *idx, size_t nidx,
			  const char *build_date, struct kerr *e)
{
	struct kbuf m = {0}, suites = {0};
	size_t shown = 0, total = 0;
	for (size_t i = 0; i < p->nwants; i++) {
		if (p->wants[i].found.sha256)
			continue;
		total++;
		if (shown++ < 10)
			kbuf_printf(&m, "%s%s%s%s %s", shown > 1 ? ", " : "", p->wants[i].name,
				    p->wants[i].arch ? ":" : "",
				    p->wants[i].arch ? p->wants[i].arch : "", p->wants[i].version);
	}
	if (total > 10)
		kbuf_printf(&m, " and %zu more", total - 10);
	for (size_t i = 0; i < nidx; i++)
		if (!strstr(suites.data ? suites.data : "", idx[i].name ? idx[i].name : "?"))
			kbuf_printf(&suites, "%s%s", suites.len ? ", " : "",
				    idx[i].name ? idx[i].name : "?");
	char *hint = mirror_hint(build_date);
	int r = kerr_set(e, KILN_ENOTFOUND,
			 "%zu package version%s the rebuild needs %s not in %s (the configured "
			 "mirrors no longer carry %s): %s; use %s, then kiln update with it",
			 total, total == 1 ? "" : "s", total == 1 ? "is" : "are",
			 suites.len ? suites.data : "any index", total == 1 ? "it" : "them",
			 m.data ? m.data : "", hint);
	free(hint);
	kbuf_free(&m);
	kbuf_free(&suites);
	return r;
}

static int lock_has(const struct lock *l, const struct lock_pkg *f)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->pkgs[i].name, f->name) && !strcmp(l->pkgs[i].arch, f->arch))
			return !strcmp(l->pkgs[i].version, f->version) &&
			       !strcmp(l->pkgs[i].sha256, f->sha256);
	return 0;
}

int rebuild_lock_for_buildinfo(struct rebuild_plan *p, const struct pool_index *idx, size_t nidx,
			       const char *solv_cache_dir, struct strv *added, struct kerr *e)
{
	struct kiln_pool *pool = NULL;
	struct kbuf pins = {0};
	struct strv base = {0};
	struct resolve_request rq = {0};
	struct pool_index *used = NULL;
	size_t nused = 0;
	int ret, has_fakeroot = 0;

	if ((ret = packages_find(idx, nidx, p->arch, p->wants, p->nwants, e)) < 0)
		return ret;
	if (ret > 0)
		return report_missing(p, idx, nidx, p->build_date, e);
	/* exact pins for the solver: it only orders them (and adds fakeroot) */
	for (size_t i = 0; i < p->nwants; i++) {
		const struct lock_pkg *f = &p->wants[i].found;
		kbuf_printf(&pins, "%s%s%s%s (= %s)", i ? ", " : "", f->name,
			    p->wants[i].arch ? ":" : "", p->wants[i].arch ? p->wants[i].arch : "",
			    f->version);
		has_fakeroot |= !strcmp(f->name, "fakeroot");
	}
	if (!has_fakeroot)
		strv_add(&base, "fakeroot");
	/* the solver sees only the indices that hold what the file names (and
	 * the release itself, for fakeroot): the order it gives then matches a
	 * kiln build's lock from the same suites, so their cached root is shared */
	used = xcalloc(nidx + 1, sizeof(*used));
	for (size_t k = 0; k < nidx; k++) {
		int hit = k == 0;
		for (size_t i = 0; i < p->nwants && !hit; i++)
			hit = p->wants[i].index == &idx[k];
		if (hit)
			used[nused++] = idx[k];
	}
	if ((ret = kiln_pool_load(used, nused, p->arch, solv_cache_dir, &pool, e)) < 0)
		goto out;
	rq.distro = p->distro;
	rq.source = p->source;
	rq.source_version = p->source_version;
	rq.build_depends = pins.data;
	rq.base = &base;
	if ((ret = solver_resolve(pool, &rq, &p->lock, e)) < 0) {
		kerr_prefix(e, "the packages of %s do not make an installable environment: ",
			    p->input_name ? p->input_name : "the .buildinfo");
		goto out;
	}
	p->have_lock = 1;
	for (size_t i = 0; i < p->nwants; i++)
		if (!lock_has(&p->lock, &p->wants[i].found)) {
			ret =
			    kerr_set(e, KILN_EFAIL, "the solver did not keep %s %s %s as pinned",
				     p->wants[i].name, p->wants[i].version, p->wants[i].found.arch);
			goto out;
		}
	/* what the lock has beyond the file: fakeroot and what it needs only */
	for (size_t i = 0; i < p->lock.n; i++) {
		const struct lock_pkg *l = &p->lock.pkgs[i];
		int named = 0;
		for (size_t k = 0; k < p->nwants && !named; k++)
			named = !strcmp(p->wants[k].found.name, l->name) &&
				!strcmp(p->wants[k].found.arch, l->arch);
		if (named)
			continue;
		if (strcmp(l->name, "fakeroot") && strcmp(l->name, "libfakeroot")) {
			ret =
			    kerr_set(e, KILN_EFAIL,
				     "the packages the .buildinfo names need %s %s, which it does "
				     "not name: not the environment it records",
				     l->name, l->version);
			goto out;
		}
		strv_add_owned(added, xasprintf("%s %s", l->name, l->version));
	}
out:
	kbuf_free(&pins);
	strv_free(&base);
	kiln_pool_free(pool);
	free(used);
	return ret;
}

/* ---- a kiln build record ---- */

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int url_ok(const char *u)
{
	if (!u || !(str_has_prefix(u, "http://") || str_has_prefix(u, "https://") ||
		    str_has_prefix(u, "file:/")))
		return 0;
	for (; *u; u++)
		if ((unsigned char)*u <= 0x20 || *u == 0x7f)
			return 0;
	return 1;
}

static int lock_from_record(const json_t *rec, const char *what, struct lock *l, struct kerr *e)
{
	json_t *pk = record_lock_packages(rec), *x;
	json_t *lj = json_object_get(rec, "lock");
	const char *want = jstr(lj, "sha256");
	size_t i;

	memset(l, 0, sizeof(*l));
	l->distro = xstrdup(jstr(lj, "distro") ? jstr(lj, "distro") : record_distro(rec));
	l->source = xstrdup(record_source_name(rec));
	l->source_version = xstrdup(record_source_version(rec));
	l->arch = xstrdup(jstr(lj, "arch") ? jstr(lj, "arch") : record_arch(rec));
	l->n = json_array_size(pk);
	l->pkgs = xcalloc(l->n ? l->n : 1, sizeof(*l->pkgs));
	for (i = 0; (x = json_array_get(pk, i)); i++) {
		struct lock_pkg *p = &l->pkgs[i];
		json_t *size = json_object_get(x, "size");
		const char *file = jstr(x, "filename"), *mirror = jstr(x, "mirror");
		/* record_check vetted name, version, arch and sha256 */
		p->name = xstrdup(jstr(x, "name"));
		p->version = xstrdup(jstr(x, "version"));
		p->arch = xstrdup(jstr(x, "arch"));
		p->sha256 = xstrdup(jstr(x, "sha256"));
		if (!json_is_integer(size) || json_integer_value(size) < 0 || !file || !*file ||
		    file[0] == '/' || strstr(file, "..") || !url_ok(mirror)) {
			lock_free(l);
			return kerr_set(e, KILN_EPARSE,
					"%s: lock.packages[%zu] (%s) lacks a size, a relative "
					"filename or a mirror URL",
					what, i, jstr(x, "name"));
		}
		p->size = (uint64_t)json_integer_value(size);
		p->filename = xstrdup(file);
		p->mirror = xstrdup(mirror);
		p->essential = json_is_true(json_object_get(x, "essential"));
	}
	lock_seal(l);
	if (want && strcmp(want, l->sha256)) {
		int r = kerr_set(e, KILN_EVERIFY,
				 "%s: lock.packages give a lock with sha256 %s, the record says %s "
				 "(the package list was changed)",
				 what, l->sha256, want);
		lock_free(l);
		return r;
	}
	return 0;
}

static int kind_parse(const char *k, enum build_kind *out)
{
	static const char *const names[] = {"binary", "arch", "indep", "full"};
	for (int i = 0; i < 4; i++)
		if (k && !strcmp(k, names[i])) {
			*out = (enum build_kind)i;
			return 0;
		}
	return -1;
}

static int hostname_ok(const char *h)
{
	if (!h || !*h || strlen(h) > 64)
		return 0;
	for (; *h; h++)
		if (!(isalnum((unsigned char)*h) || *h == '-' || *h == '.'))
			return 0;
	return 1;
}

int rebuild_plan_from_record(const json_t *rec, const char *what, struct rebuild_plan *p,
			     struct kerr *e)
{
	json_t *env = record_field(rec, "environment"), *files, *x;
	const char *kind = json_string_value(record_field(rec, "kind"));
	const char *bp = json_string_value(record_field(rec, "build_path"));
	const char *host = json_string_value(record_field(rec, "hostname"));
	int ret;

	memset(p, 0, sizeof(*p));
	if ((ret = record_check(rec, what, e)) < 0)
		return ret;
	if (kind_parse(kind ? kind : "binary", &p->kind) < 0) {
		ret =
		    kerr_set(e, KILN_EPARSE,
			     "%s: build.kind '%s' is not binary, arch, indep or full", what, kind);
		goto out;
	}
	if (bp && build_path_check(bp, e) < 0) {
		e->code = KILN_EPARSE;
		ret = kerr_prefix(e, "%s: build.build_path: ", what);
		goto out;
	}
	if (host && !hostname_ok(host)) {
		ret = kerr_set(e, KILN_EPARSE, "%s: build.hostname '%s' is not a host name", what,
			       host);
		goto out;
	}
	for (void *it = json_object_iter(env); it; it = json_object_iter_next(env, it)) {
		const char *k = json_object_iter_key(it);
		const char *v = json_string_value(json_object_iter_value(it));
		int name_ok = *k && !isdigit((unsigned char)*k);
		for (const char *c = k; *c; c++)
			name_ok &= isalnum((unsigned char)*c) || *c == '_';
		if (!name_ok || !v || !env_value_ok(v) || !strcmp(k, "PATH")) {
			ret = kerr_set(e, KILN_EPARSE,
				       "%s: build.environment %s is not NAME: \"value\" kiln sets",
				       what, k);
			goto out;
		}
		strv_add_owned(&p->env, xasprintf("%s=%s", k, v));
	}
	const char *prof = json_string_value(json_object_get(env, "DEB_BUILD_PROFILES"));
	if (prof && *prof)
		p->profiles = xstrdup(prof);
	if ((ret = lock_from_record(rec, what, &p->lock, e)) < 0)
		goto out;
	p->have_lock = 1;
	files = json_object_get(json_object_get(rec, "source"), "files");
	p->src_files = xcalloc(json_array_size(files) + 1, sizeof(*p->src_files));
	for (size_t i = 0; (x = json_array_get(files, i)); i++) {
		struct source_file *f = &p->src_files[p->nsrc_files++];
		json_t *sz = json_object_get(x, "size");
		f->name = xstrdup(jstr(x, "name"));
		memcpy(f->sha256, jstr(x, "sha256"), SHA256_HEX_LEN + 1);
		f->size = json_is_integer(sz) ? (uint64_t)json_integer_value(sz) : UINT64_MAX;
	}
	p->distro = xstrdup(record_distro(rec));
	p->source = xstrdup(record_source_name(rec));
	p->source_version = xstrdup(record_source_version(rec));
	p->arch = xstrdup(record_arch(rec));
	p->build_path = bp ? xstrdup(bp) : NULL;
	p->hostname = host ? xstrdup(host) : NULL;
out:
	if (ret < 0)
		rebuild_plan_free(p);
	return ret;
}
