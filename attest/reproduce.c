/* reproduce.c - kiln verify: rebuild from a record, a .buildinfo or the archive's current
 * source in the sandbox, compare every output, diff what differs, sign what was reproduced. */
#include "attest/attest.h"

#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void verify_result_free(struct verify_result *r)
{
	if (!r)
		return;
	output_checks_free(&r->checks);
	json_decref(r->diffs);
	json_decref(r->plan);
	strv_free(&r->not_compared);
	strv_free(&r->added);
	free(r->rebuilt_dir);
	free(r->attestation_path);
	free(r->key_id);
	free(r->pub_path);
	memset(r, 0, sizeof(*r));
}

/* ---- the archive as the rebuild sees it: the release, its -security and
 * -updates suites, each updated once if it never was ---- */

struct archive_view {
	struct distro *d[3];
	size_t nd;
	struct index_list il[3];
	struct pool_index *ix;
	size_t nix;
};

static void archive_view_free(struct archive_view *v)
{
	for (size_t i = 0; i < v->nd; i++) {
		distro_free(v->d[i]);
		index_list_free(&v->il[i]);
	}
	free(v->ix);
	memset(v, 0, sizeof(*v));
}

static int indices_of(struct distro *d, const char *arch, const struct verify_opts *o,
		      struct index_list *il, struct kerr *e)
{
	int r = debian_index_files(d, "Packages", arch, il, e);
	if (r != -KILN_ENOTFOUND || o->fetch.offline)
		return r;
	struct update_opts uo = {.fetch = o->fetch, .with_sources = 1};
	struct update_report rep;
	log_info("%s was never updated: fetching and verifying its indices", d->name);
	if ((r = debian_update(d, &uo, &rep, e)) < 0)
		return r;
	return debian_index_files(d, "Packages", arch, il, e);
}

static int archive_view_open(const char *distro, const char *arch, const struct verify_opts *o,
			     struct archive_view *v, struct kerr *e)
{
	static const char *const extra[] = {"", "-security", "-updates"};
	int r;

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < 3; i++) {
		char *name = xasprintf("%s%s", distro, extra[i]);
		struct kerr e2 = {0};
		struct distro *d = NULL;
		r = distro_load(name, &o->ov, &d, i ? &e2 : e);
		free(name);
		if (r < 0) {
			if (i == 0)
				goto fail;
			continue; /* no such definition: nothing to add */
		}
		v->d[v->nd] = d;
		r = indices_of(d, arch, o, &v->il[v->nd], i ? &e2 : e);
		v->nd++;
		if (r < 0) {
			if (i == 0)
				goto fail;
			log_warn("%s: %s (its packages are not looked at)", d->name, e2.msg);
			continue;
		}
		for (size_t k = 0; k < v->il[v->nd - 1].n; k++) {
			const struct index_file *f = &v->il[v->nd - 1].v[k];
			int dup = 0;
			for (size_t j = 0; j < v->nix && !dup; j++)
				dup = !strcmp(v->ix[j].sha256, f->sha256);
			if (dup)
				continue;
			v->ix = xrealloc(v->ix, (v->nix + 1) * sizeof(*v->ix));
			v->ix[v->nix++] = (struct pool_index){.path = f->path,
							      .mirror = f->mirror,
							      .name = f->suite,
							      .sha256 = f->sha256};
		}
	}
	return 0;
fail:
	archive_view_free(v);
	return r;
}

/* the source at exactly this version, from whichever suite has it */
static int find_source(const struct archive_view *v, const char *name, const char *version,
		       struct source_pkg *out, struct kerr *e)
{
	int r = -KILN_ENOTFOUND;
	for (size_t i = v->nd; i-- > 0;) {
		struct kerr e2 = {0};
		if ((r = debian_find_source(v->d[i], name, version, out, i ? &e2 : e)) == 0)
			return 0;
	}
	if (r == -KILN_ENOTFOUND && version)
		kerr_prefix(e,
			    "the configured mirrors no longer carry source %s %s (use --mirror "
			    "with a snapshot of the archive, then kiln update with it): ",
			    name, version);
	return r;
}

/* ---- steps ---- */

static int same_dir(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];
	return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

static char *dir_of(const char *path)
{
	char *tmp = xstrdup(path), *d = xstrdup(dirname(tmp));
	free(tmp);
	return d;
}

/* a record's lock packages that are neither in the blob store nor in the
 * configured indices cannot be had: say which, before any work starts */
static int check_record_lock(struct rebuild_plan *p, const struct archive_view *v, struct kerr *e)
{
	struct pkg_want *w = xcalloc(p->lock.n + 1, sizeof(*w));
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < p->lock.n; i++) {
		const struct lock_pkg *l = &p->lock.pkgs[i];
		if (blob_exists(l->sha256, l->size))
			continue;
		w[n].name = l->name;
		w[n].arch = l->arch;
		w[n].version = l->version;
		n++;
	}
	if (n && (r = packages_find(v->ix, v->nix, p->arch, w, n, e)) > 0) {
		struct kbuf m = {0};
		size_t shown = 0;
		for (size_t i = 0; i < n; i++)
			if (!w[i].found.sha256 && shown++ < 10)
				kbuf_printf(&m, "%s%s %s", shown > 1 ? ", " : "", w[i].name,
					    w[i].version);
		r = kerr_set(e, KILN_ENOTFOUND,
			     "%d package version%s of the record's lock %s not in the cache nor on "
			     "the configured mirrors (they no longer carry %s): %s; use --mirror "
			     "with a snapshot of the archive from the day it was built, then kiln "
			     "update with it",
			     r, r == 1 ? "" : "s", r == 1 ? "is" : "are", r == 1 ? "it" : "them",
			     m.data);
		kbuf_free(&m);
	}
	/* found: fetch from where the configured indices say, if the bytes agree */
	for (size_t i = 0; r == 0 && i < n; i++)
		for (size_t k = 0; k < p->lock.n; k++) {
			struct lock_pkg *l = &p->lock.pkgs[k];
			if (!w[i].found.sha256 || strcmp(l->name, w[i].name) ||
			    strcmp(l->arch, w[i].arch))
				continue;
			if (strcmp(l->sha256, w[i].found.sha256)) {
				r = kerr_set(
				    e, KILN_EVERIFY,
				    "%s %s: the record's sha256 %s is not the archive's %s",
				    l->name, l->version, l->sha256, w[i].found.sha256);
				break;
			}
			free(l->mirror);
			l->mirror = xstrdup(w[i].found.mirror);
		}
	if (r == 0 && n)
		lock_seal(&p->lock);
	pkg_wants_free(w, n);
	free(w);
	return r < 0 ? r : 0;
}

/* a record names its source files: the archive's must be those */
static int check_source_files(const struct rebuild_plan *p, const struct source_pkg *s,
			      struct kerr *e)
{
	for (size_t i = 0; i < p->nsrc_files; i++) {
		int ok = 0;
		for (size_t k = 0; k < s->nfiles && !ok; k++)
			ok = !strcmp(s->files[k].name, p->src_files[i].name) &&
			     !strcmp(s->files[k].sha256, p->src_files[i].sha256);
		if (!ok)
			return kerr_set(
			    e, KILN_EVERIFY,
			    "%s: source file %s (sha256 %s) is not what the archive's %s "
			    "%s has",
			    p->input_name, p->src_files[i].name, p->src_files[i].sha256, s->package,
			    s->version);
	}
	return 0;
}

static int is_wall_clock_output(const char *name)
{
	return str_has_suffix(name, ".buildinfo") || str_has_suffix(name, ".changes");
}

static int compare_outputs(const struct rebuild_plan *p, const json_t *rec,
			   const struct buildinfo *b, const char *dir, struct verify_result *r,
			   struct kerr *e)
{
	if (b)
		return outputs_compare_buildinfo(b, dir, &r->checks, e);
	/* .buildinfo and .changes carry the wall clock (Build-Date): never equal */
	json_t *outs = json_array(), *x;
	for (size_t i = 0; (x = json_array_get(json_object_get(rec, "outputs"), i)); i++) {
		const char *n = json_string_value(json_object_get(x, "name"));
		if (n && is_wall_clock_output(n))
			strv_add_owned(&r->not_compared,
				       xasprintf("%s (dpkg writes the wall clock into it)", n));
		else
			json_array_append(outs, x);
	}
	json_t *only = json_pack("{s:o}", "outputs", outs);
	int ret = outputs_compare_record(only, dir, &r->checks, e);
	json_decref(only);
	(void)p;
	return ret;
}

/* kiln diff of each output that differs, against the file the input describes */
static void diff_differing(const char *originals, const char *rebuilt, const struct verify_opts *o,
			   struct verify_result *r)
{
	r->diffs = json_object();
	for (size_t i = 0; i < r->checks.n; i++) {
		const struct output_check *c = &r->checks.v[i];
		if (c->status != -KILN_EVERIFY)
			continue;
		char *a = xasprintf("%s/%s", originals, c->name);
		char *bp = xasprintf("%s/%s", rebuilt, c->name);
		char have[SHA256_HEX_LEN + 1] = "";
		struct kerr e2 = {0};
		json_t *rep = NULL;
		if (!path_exists(a) || sha256_file(a, have, NULL, &e2) < 0 ||
		    strcmp(have, c->want_sha256))
			rep =
			    json_pack("{s:s}", "unavailable",
				      have[0] ? "the file next to the input is not the one it names"
					      : "the file it names is not next to the input "
						"(--originals DIR)");
		else if (deb_diff(a, bp, &o->diff, &rep, &e2) < 0)
			rep = json_pack("{s:s}", "unavailable", e2.msg);
		json_object_set_new(r->diffs, c->name, rep);
		free(a);
		free(bp);
	}
}

static char *now_rfc3339(void)
{
	return rfc3339_utc((int64_t)time(NULL));
}

static int sign_rebuild(const struct rebuild_plan *p, const struct lock *l,
			const struct verify_opts *o, const char *started, struct verify_result *r,
			struct kerr *e)
{
	struct attest_key *own = NULL;
	const struct attest_key *key = o->key;
	json_t *stmt = NULL, *env = NULL, *rrec = NULL;
	char *finished = now_rfc3339(), *payload = NULL, *line = NULL;
	int ret;

	struct rebuild_facts f = {.plan = p,
				  .lock = l,
				  .checks = &r->checks,
				  .added = &r->added,
				  .not_compared = &r->not_compared,
				  .started = started,
				  .finished = finished,
				  .builder_id = o->builder_id};
	int created = 0;
	if ((ret = key_for_signing(&key, &own, &created, &r->pub_path, e)) < 0)
		goto out;
	/* the rebuild's own record: named (with its digest) and its source files listed */
	const char *v0 = strchr(p->source_version, ':');
	char *recname =
	    xasprintf("%s_%s_%s.kiln.json", p->source, v0 ? v0 + 1 : p->source_version, p->arch);
	char *recpath = xasprintf("%s/%s", r->rebuilt_dir, recname), rsha[SHA256_HEX_LEN + 1];
	struct kerr e2 = {0};
	if (record_load(recpath, &rrec, &e2) == 0 && sha256_file(recpath, rsha, NULL, &e2) == 0) {
		f.rebuild_record = rrec;
		f.rebuild_record_name = recname;
		f.rebuild_record_sha256 = rsha;
	}
	ret = rebuild_statement(&f, &stmt, e);
	free(recpath);
	free(recname);
	if (ret < 0)
		goto out;
	payload = attest_canonical_json(stmt);
	if ((ret = dsse_sign(key, DSSE_INTOTO_TYPE, payload, strlen(payload), &env, e)) < 0)
		goto out;
	char *envtext = attest_canonical_json(env);
	line = xasprintf("%s\n", envtext);
	free(envtext);
	const char *v = strchr(p->source_version, ':');
	r->attestation_path = xasprintf("%s/%s_%s_%s.rebuild.intoto.jsonl", r->rebuilt_dir,
					p->source, v ? v + 1 : p->source_version, p->arch);
	if ((ret = write_file_atomic(r->attestation_path, line, strlen(line), 0644, e)) < 0)
		goto out;
	r->key_id = xstrdup(key_id(key));
out:
	json_decref(stmt);
	json_decref(env);
	json_decref(rrec);
	free(payload);
	free(line);
	free(finished);
	key_free(own);
	return ret;
}

static int run_build(const struct rebuild_plan *p, const struct lock *l, const struct distro *d,
		     const struct source_pkg *s, const char *srcdir, const struct verify_opts *o,
		     struct build_result *br, struct kerr *e)
{
	struct build_opts bo = {0};
	const char *dsc = NULL;

	for (size_t i = 0; i < s->nfiles; i++)
		if (str_has_suffix(s->files[i].name, ".dsc"))
			dsc = s->files[i].name;
	bo.outdir = o->outdir;
	bo.kind = p->kind;
	bo.profiles = p->profiles;
	bo.parallel = 1;
	bo.log_to_terminal = o->log_to_terminal;
	bo.hostname = p->hostname;
	bo.root.fetch = o->fetch;
	bo.distro_name = d->name;
	bo.cancel = o->cancel;
	bo.build_path = p->build_path;
	bo.environment = &p->env;
	struct build_source bs = {.pkg = s, .srcdir = srcdir, .dsc_name = dsc};
	int ret = debian_build(&bs, l, &bo, br, e);
	if (ret < 0)
		kerr_prefix(e, "the rebuild failed at step '%s'%s%s: ",
			    br->failed_step ? br->failed_step : "?", br->log_path ? " (log " : "",
			    br->log_path ? br->log_path : "");
	return ret;
}

/* fetch the source, build, collect: shared by both kinds of verify */
static int rebuild(struct rebuild_plan *p, const struct lock *l, const struct archive_view *v,
		   const struct verify_opts *o, struct verify_result *r, struct kerr *e)
{
	struct source_pkg s = {0};
	struct build_result br = {0};
	char *srcdir =
	    xasprintf("%s/work/verify-source-%s-%ld", kiln_home(), p->source, (long)getpid());
	int ret, dsc_signed = -1;

	if ((ret = find_source(v, p->source, p->source_version, &s, e)) < 0 ||
	    (ret = check_source_files(p, &s, e)) < 0)
		goto out;
	rm_rf(srcdir);
	if ((ret = debian_fetch_source(&s, srcdir, &o->fetch, NULL, &dsc_signed, e)) < 0)
		goto out;
	log_info("verify: rebuilding %s %s with lock %.12s (%zu packages) at %s", s.package,
		 s.version, l->sha256, l->n,
		 p->build_path ? p->build_path : "the default build path");
	ret = run_build(p, l, v->d[0], &s, srcdir, o, &br, e);
	r->rebuilt_dir = xstrdup(o->outdir);
out:
	rm_rf(srcdir);
	free(srcdir);
	build_result_free(&br);
	source_pkg_free(&s);
	return ret;
}

/* the package set of a lock, one "name version arch sha256" line each, sorted */
static void lock_set(const struct lock *l, struct strv *out)
{
	for (size_t i = 0; i < l->n; i++)
		strv_add_owned(out, xasprintf("%s %s %s %s", l->pkgs[i].name, l->pkgs[i].version,
					      l->pkgs[i].arch, l->pkgs[i].sha256));
	strv_sort(out);
}

static int same_lock(const struct lock *a, const struct lock *b, int any_order)
{
	if (!any_order)
		return !strcmp(a->sha256, b->sha256);
	struct strv x = {0}, y = {0};
	lock_set(a, &x);
	lock_set(b, &y);
	int same = x.n == y.n;
	for (size_t i = 0; same && i < x.n; i++)
		same = !strcmp(x.v[i], y.v[i]);
	strv_free(&x);
	strv_free(&y);
	return same;
}

/* --rebuilt DIR: is DIR's build record a rebuild with exactly this plan? */
static int check_rebuilt(const struct rebuild_plan *p, const char *dir, struct kerr *e)
{
	const char *v = strchr(p->source_version, ':');
	char *path = xasprintf("%s/%s_%s_%s.kiln.json", dir, p->source,
			       v ? v + 1 : p->source_version, p->arch);
	struct rebuild_plan q = {0};
	json_t *rec = NULL;
	const char *why = NULL;
	int ret;

	if ((ret = record_load(path, &rec, e)) < 0 ||
	    (ret = rebuild_plan_from_record(rec, path, &q, e)) < 0)
		goto out;
	json_t *env = record_field(rec, "environment");
	if (strcmp(q.source, p->source) || strcmp(q.source_version, p->source_version))
		why = "another source";
	/* a .buildinfo's "arch" build and kiln's "binary" one make the same
	 * packages when there is nothing arch:all to build: the outputs decide */
	else if (q.kind != p->kind &&
		 !(p->from_buildinfo && q.kind == BUILD_BINARY && p->kind == BUILD_ARCH))
		why = "another build kind";
	else if (!q.build_path ||
		 strcmp(q.build_path, p->build_path ? p->build_path : q.build_path))
		why = "another build path";
	else if (!same_lock(&q.lock, &p->lock, p->from_buildinfo))
		why = "another lock";
	for (size_t i = 0; !why && i < p->nsrc_files; i++) {
		int found = 0;
		for (size_t k = 0; k < q.nsrc_files && !found; k++)
			found = !strcmp(q.src_files[k].name, p->src_files[i].name) &&
				!strcmp(q.src_files[k].sha256, p->src_files[i].sha256);
		if (!found)
			why = "other source files";
	}
	for (size_t i = 0; !why && i < p->env.n; i++) {
		const char *kv = p->env.v[i], *eq = strchr(kv, '=');
		char *k = eq ? xstrndup(kv, (size_t)(eq - kv)) : xstrdup(kv);
		const char *have = json_string_value(json_object_get(env, k));
		if (eq ? !have || strcmp(have, eq + 1) : have != NULL)
			why = "another environment";
		free(k);
	}
	if (why)
		ret = kerr_set(e, KILN_EUSAGE, "%s: not a rebuild of %s (%s)", path, p->input_name,
			       why);
out:
	rebuild_plan_free(&q);
	json_decref(rec);
	free(path);
	return ret;
}

static json_t *plan_json(const struct rebuild_plan *p)
{
	static const char *const kinds[] = {"binary", "arch", "indep", "full"};
	json_t *env = json_object(), *unset = json_array(), *added = json_array();
	for (size_t i = 0; i < p->env.n; i++) {
		const char *eq = strchr(p->env.v[i], '=');
		if (!eq) {
			json_array_append_new(unset, json_string(p->env.v[i]));
			continue;
		}
		char *k = xstrndup(p->env.v[i], (size_t)(eq - p->env.v[i]));
		json_object_set_new(env, k, json_string(eq + 1));
		free(k);
	}
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:I}", "input",
			      p->input_name ? p->input_name : "", "distro", p->distro, "source",
			      p->source, "version", p->source_version, "arch", p->arch, "kind",
			      kinds[p->kind], "environment", env, "unset", unset, "lock_sha256",
			      p->lock.sha256, "npackages", (json_int_t)p->lock.n);
	json_object_set_new(j, "build_path",
			    p->build_path ? json_string(p->build_path) : json_null());
	for (size_t i = 0; i < p->lock.n; i++) {
		int named = !p->from_buildinfo;
		for (size_t k = 0; k < p->nwants && !named; k++)
			named = !strcmp(p->wants[k].name, p->lock.pkgs[i].name);
		if (!named)
			json_array_append_new(added, json_sprintf("%s %s", p->lock.pkgs[i].name,
								  p->lock.pkgs[i].version));
	}
	json_object_set_new(j, "added", added);
	char rid[SHA256_HEX_LEN + 1];
	debroot_id(&p->lock, rid);
	json_object_set_new(j, "root_id", json_string(rid));
	json_t *pk = json_array();
	for (size_t i = 0; i < p->lock.n; i++)
		json_array_append_new(pk,
				      json_sprintf("%s %s %s", p->lock.pkgs[i].name,
						   p->lock.pkgs[i].version, p->lock.pkgs[i].arch));
	json_object_set_new(j, "lock", pk);
	return j;
}

int verify_rebuild(const char *input, const struct verify_opts *o, struct verify_result *r,
		   struct kerr *e)
{
	struct rebuild_plan p = {0};
	struct buildinfo b = {0};
	struct archive_view v = {0};
	json_t *rec = NULL;
	int is_bi = str_has_suffix(input, ".buildinfo"), ret;
	double t0 = now_monotonic();
	char *started = now_rfc3339(), *indir = dir_of(input);
	const char *originals = o->originals_dir ? o->originals_dir : indir;

	memset(r, 0, sizeof(*r));
	if (is_bi) {
		if ((ret = buildinfo_load(input, &b, e)) < 0 ||
		    (ret = rebuild_plan_from_buildinfo(&b, input, o->distro, &p, e)) < 0)
			goto out;
	} else if ((ret = record_load(input, &rec, e)) < 0 ||
		   (ret = rebuild_plan_from_record(rec, input, &p, e)) < 0) {
		goto out;
	}
	{
		char *tmp = xstrdup(input);
		p.input_name = xstrdup(basename(tmp));
		p.input_format = is_bi ? "buildinfo" : "kiln-build-record";
		free(tmp);
	}
	if ((ret = sha256_file(input, p.input_sha256, NULL, e)) < 0)
		goto out;
	if (path_exists(o->outdir) && same_dir(o->outdir, indir)) {
		ret = kerr_set(e, KILN_EUSAGE,
			       "the rebuild would replace the files %s describes: choose another "
			       "output directory (-o)",
			       input);
		goto out;
	}
	if ((ret = archive_view_open(p.distro, p.arch, o, &v, e)) < 0)
		goto out;
	if (is_bi) {
		/* the .solv caches kiln resolve made for these indices */
		char *state = distro_state_dir(v.d[0]), *solv = xasprintf("%s/solv", state);
		ret = rebuild_lock_for_buildinfo(&p, v.ix, v.nix, solv, &r->added, e);
		free(state);
		free(solv);
	} else
		ret = check_record_lock(&p, &v, e);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < r->added.n; i++)
		log_info("verify: %s is not in the .buildinfo; added as sbuild and kiln add it "
			 "(dpkg-buildpackage's gain-root command)",
			 r->added.v[i]);
	memcpy(r->lock_sha256, p.lock.sha256, sizeof(r->lock_sha256));
	r->plan = plan_json(&p);
	if (o->dry_run)
		goto out;
	if (o->rebuilt_dir) {
		if ((ret = check_rebuilt(&p, o->rebuilt_dir, e)) < 0)
			goto out;
		r->rebuilt_dir = xstrdup(o->rebuilt_dir);
	} else if ((ret = rebuild(&p, &p.lock, &v, o, r, e)) < 0) {
		goto out;
	}
	ret = compare_outputs(&p, rec, is_bi ? &b : NULL, r->rebuilt_dir, r, e);
	if (ret == -KILN_EFAIL) {
		diff_differing(originals, r->rebuilt_dir, o, r);
		goto out;
	}
	if (ret < 0)
		goto out;
	ret = sign_rebuild(&p, &p.lock, o, started, r, e);
out:
	r->seconds = now_monotonic() - t0;
	archive_view_free(&v);
	rebuild_plan_free(&p);
	buildinfo_free(&b);
	json_decref(rec);
	free(started);
	free(indir);
	return ret;
}

/* ---- against the archive ---- */

/* the rebuilt package files: .deb and .udeb (what the archive's Packages list) */
static int archive_compare(const struct archive_view *v, const char *arch, const char *dir,
			   const struct strv *names, const struct verify_opts *o,
			   struct verify_result *r, struct kerr *e)
{
	int ret = 0;
	r->diffs = json_object();
	for (size_t i = 0; i < names->n; i++) {
		const char *n = names->v[i];
		if (!str_has_suffix(n, ".deb") && !str_has_suffix(n, ".udeb"))
			continue;
		char *path = xasprintf("%s/%s", dir, n);
		struct kbuf ctl = {0};
		struct deb822_parser ps;
		struct deb822_para para = {0};
		struct pkg_want w = {0};
		char *pkg = NULL, *ver = NULL, *parch = NULL;
		if ((ret = deb_read_control(path, &ctl, e)) < 0)
			goto next;
		deb822_init(&ps, ctl.data, ctl.len, path);
		if ((ret = deb822_next(&ps, &para, e)) <= 0) {
			ret = ret < 0 ? ret : kerr_set(e, KILN_EPARSE, "%s: no control", path);
			goto next;
		}
		pkg = deb822_get(&para, "Package");
		ver = deb822_get(&para, "Version");
		parch = deb822_get(&para, "Architecture");
		if (!pkg || !ver || !parch) {
			ret = kerr_set(e, KILN_EPARSE,
				       "%s: control lacks Package/Version/Architecture", path);
			goto next;
		}
		w.name = pkg;
		w.version = ver;
		w.arch = parch;
		if ((ret = packages_find(v->ix, v->nix, arch, &w, 1, e)) < 0)
			goto next;
		if (ret > 0) {
			ret = 0;
			strv_add_owned(
			    &r->not_compared,
			    xasprintf("%s (%s %s is not in the archive's Packages)", n, pkg, ver));
			goto next;
		}
		char *url = xasprintf("%s/%s", w.found.mirror, w.found.filename);
		struct fetch_item it = {.url = url,
					.sha256 = w.found.sha256,
					.size = w.found.size,
					.what = w.found.filename};
		ret = fetch_blob(&it, &o->fetch, e);
		free(url);
		if (ret < 0)
			goto next;
		r->checks.v = xrealloc(r->checks.v, (r->checks.n + 1) * sizeof(*r->checks.v));
		struct output_check *c = &r->checks.v[r->checks.n++];
		memset(c, 0, sizeof(*c));
		c->name = xstrdup(n);
		memcpy(c->want_sha256, w.found.sha256, sizeof(c->want_sha256));
		c->want_size = w.found.size;
		if ((ret = sha256_file(path, c->got_sha256, &c->got_size, e)) < 0)
			goto next;
		c->status = strcmp(c->got_sha256, c->want_sha256) ? -KILN_EVERIFY : 0;
		r->checks.reproduced += c->status == 0;
		if (c->status) {
			char *blob = blob_path(w.found.sha256);
			json_t *rep = NULL;
			struct kerr e2 = {0};
			if (deb_diff(blob, path, &o->diff, &rep, &e2) < 0)
				rep = json_pack("{s:s}", "unavailable", e2.msg);
			json_object_set_new(
			    rep, "archive_url",
			    json_sprintf("%s/%s", w.found.mirror, w.found.filename));
			json_object_set_new(r->diffs, n, rep);
			free(blob);
		}
	next:
		pkg_wants_free(&w, 1);
		free(pkg);
		free(ver);
		free(parch);
		deb822_para_free(&para);
		kbuf_free(&ctl);
		free(path);
		if (ret < 0)
			return ret;
	}
	if (!r->checks.n)
		return kerr_set(e, KILN_ENOTFOUND,
				"none of the rebuilt packages is in the archive");
	for (size_t i = 0; i < r->checks.n; i++)
		if (r->checks.v[i].status)
			return kerr_set(e, KILN_EFAIL,
					"%zu of %zu packages reproduced what the archive ships",
					r->checks.reproduced, r->checks.n);
	return 0;
}

/* the package files in an earlier rebuild's directory */
static int list_packages(const char *dir, struct strv *out, struct kerr *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d)
		return kerr_errno(e, KILN_EIO, "opening %s", dir);
	while ((de = readdir(d)))
		if (str_has_suffix(de->d_name, ".deb") || str_has_suffix(de->d_name, ".udeb"))
			strv_add(out, de->d_name);
	closedir(d);
	strv_sort(out);
	return 0;
}

int verify_against_archive(const char *distro, const char *src, const struct verify_opts *o,
			   struct verify_result *r, struct kerr *e)
{
	struct rebuild_plan p = {0};
	struct archive_view v = {0};
	struct source_pkg s = {0};
	struct build_result br = {0};
	char *srcdir = NULL, *started = now_rfc3339();
	double t0 = now_monotonic();
	int ret, dsc_signed = -1;

	memset(r, 0, sizeof(*r));
	p.distro = xstrdup(distro);
	p.kind = BUILD_BINARY;
	{
		struct distro *d = NULL;
		if ((ret = distro_load(distro, &o->ov, &d, e)) < 0)
			goto out;
		p.arch = xstrdup(d->architectures.n ? d->architectures.v[0] : "amd64");
		distro_free(d);
	}
	if ((ret = archive_view_open(distro, p.arch, o, &v, e)) < 0 ||
	    (ret = find_source(&v, src, NULL, &s, e)) < 0)
		goto out;
	p.source = xstrdup(s.package);
	p.source_version = xstrdup(s.version);
	p.input_name = xasprintf("%s %s %s", distro, s.package, s.version);
	p.input_format = "archive";
	{
		struct build_opts bo = {.kind = BUILD_BINARY};
		if ((ret = debian_build_lock(v.d[0], &s, &bo, &p.lock, e)) < 0)
			goto out;
		p.have_lock = 1;
	}
	memcpy(r->lock_sha256, p.lock.sha256, sizeof(r->lock_sha256));
	r->plan = plan_json(&p);
	if (o->dry_run)
		goto out;
	if (o->rebuilt_dir) {
		if ((ret = check_rebuilt(&p, o->rebuilt_dir, e)) < 0 ||
		    (ret = list_packages(o->rebuilt_dir, &br.outputs, e)) < 0)
			goto out;
		r->rebuilt_dir = xstrdup(o->rebuilt_dir);
		goto compare;
	}
	srcdir = xasprintf("%s/work/verify-source-%s-%ld", kiln_home(), s.package, (long)getpid());
	rm_rf(srcdir);
	if ((ret = debian_fetch_source(&s, srcdir, &o->fetch, NULL, &dsc_signed, e)) < 0)
		goto out;
	log_info("verify: rebuilding %s %s from %s with lock %.12s (%zu packages)", s.package,
		 s.version, distro, p.lock.sha256, p.lock.n);
	if ((ret = run_build(&p, &p.lock, v.d[0], &s, srcdir, o, &br, e)) < 0)
		goto out;
	r->rebuilt_dir = xstrdup(o->outdir);
compare:
	if ((ret = archive_compare(&v, p.arch, r->rebuilt_dir, &br.outputs, o, r, e)) < 0)
		goto out;
	ret = sign_rebuild(&p, &p.lock, o, started, r, e);
out:
	r->seconds = now_monotonic() - t0;
	if (srcdir)
		rm_rf(srcdir);
	free(srcdir);
	free(started);
	build_result_free(&br);
	source_pkg_free(&s);
	archive_view_free(&v);
	rebuild_plan_free(&p);
	return ret;
}
