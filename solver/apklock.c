/* apklock.c - an APKBUILD's build dependencies against a distro's verified APKINDEX files ->
 * libsolv -> the lock (apk_resolve), or why no environment exists, in plain words. */
#include "builders/alpine.h"
#include "solver/internal.h"

#include <solv/poolarch.h>
#include <solv/problems.h>
#include <solv/repodata.h>
#include <solv/solver.h>
#include <solv/transaction.h>
#include <stdlib.h>
#include <string.h>

/* where each repository's packages come from */
struct apk_repo_src {
	char *mirror; /* the suite's base URL */
	char *dir;    /* "<suite>/<repo>/<arch>" under it */
};

struct apk_world {
	Pool *pool;
	struct apk_repo_src *src;
	size_t nsrc;
	int gen;
	const char *distro;
	Repo *first; /* any repo: dependency atoms are made through one */
	Queue job;
	struct strv what;    /* what.v[i] describes job.elements[2i..2i+1] */
	struct kbuf missing; /* requirements nothing in the indices satisfies */
	int nmissing;
};

static void world_free(struct apk_world *w)
{
	for (size_t i = 0; i < w->nsrc; i++) {
		free(w->src[i].mirror);
		free(w->src[i].dir);
	}
	free(w->src);
	if (w->pool)
		pool_free(w->pool);
	queue_free(&w->job);
	strv_free(&w->what);
	kbuf_free(&w->missing);
}

/* "pkg-1.2-r0": the apk version, not libsolv's encoding of it */
static const char *apk_solv_str(Pool *pool, Id p)
{
	const char *v = apk_solvable_version(pool, (int)p);
	Solvable *s = pool_id2solvable(pool, p);
	if (!v)
		return pool_solvid2str(pool, p);
	return pool_tmpjoin(pool, pool_id2str(pool, s->name), "-", v);
}

static const char *suite_mirror(const struct distro *d, const char *suite)
{
	for (size_t i = 0; i < d->nsuites; i++)
		if (!strcmp(d->suites[i].name, suite))
			return d->suites[i].mirror;
	return NULL;
}

/* the verified indices of the last kiln update, each its own libsolv repo */
static int load_indices(const struct distro *d, const char *arch, const char *keys,
			struct apk_world *w, const struct apk_resolve_opts *o, struct kerr *e)
{
	struct index_list il = {0};
	int r;

	(void)o; /* the indices are always the verified local snapshot */
	if ((r = alpine_index_files(d, arch, &il, e)) < 0)
		return r;
	if (il.n == 0) {
		index_list_free(&il);
		return kerr_set(e, KILN_ENOTFOUND,
				"%s: no verified APKINDEX for %s; run kiln update %s", d->name,
				arch, d->name);
	}
	w->src = xcalloc(il.n, sizeof(*w->src));
	for (size_t i = 0; i < il.n && r == 0; i++) {
		const struct index_file *f = &il.v[i];
		const char *m = suite_mirror(d, f->suite);
		Repo *repo = repo_create(w->pool, f->mirror);
		size_t skipped = 0;
		w->src[i].mirror = xstrdup(m ? m : f->mirror);
		w->src[i].dir =
		    m ? xasprintf("%s/%s/%s", f->suite, f->component, arch) : xstrdup("");
		w->nsrc++;
		repo->appdata = &w->src[i];
		if (!w->first)
			w->first = repo;
		r = apk_repo_add_index_file(repo, f->path, keys, w->gen, &skipped, e);
		if (r < 0)
			kerr_prefix(e, "%s %s/%s: ", d->name, f->suite, f->component);
		else if (skipped)
			log_verbose(
			    "%s %s/%s: %zu packages apk could not install either were skipped",
			    d->name, f->suite, f->component, skipped);
	}
	index_list_free(&il);
	return r;
}

/* why one requirement has no candidate at all: "foo>=2 is needed by the APKBUILD
 * (makedepends), but alpine:v3.20 has foo 1.0-r0" */
static void explain_missing(struct apk_world *w, const struct apk_dep *dp, const char *atom,
			    const char *field)
{
	Pool *pool = w->pool;
	Id name = pool_str2id(pool, dp->name, 1), p, pp;
	struct kbuf have;
	int n = 0;

	kbuf_init(&have);
	FOR_PROVIDES(p, pp, name)
	{
		if (n++ < 5)
			kbuf_printf(&have, "%s%s", n > 1 ? ", " : "", apk_solv_str(pool, p));
	}
	kbuf_printf(&w->missing, "%s is needed by the %s, but ", atom, field);
	if (n)
		kbuf_printf(&w->missing, "%s has only %s%s\n", w->distro, have.data,
			    n > 5 ? ", ..." : "");
	else
		kbuf_printf(&w->missing, "%s has no package named or providing %s\n", w->distro,
			    dp->name);
	kbuf_free(&have);
}

/* apk refuses a name that only packages without provider_priority provide,
 * when more than one does: it will not guess */
static int ambiguous_virtual(struct apk_world *w, Id name, Id dep, const char *atom,
			     const char *field)
{
	Pool *pool = w->pool;
	Id key = pool_str2id(pool, "kiln:apk:provider_priority", 0), p, pp;
	Queue names;
	int real = 0, prio = 0;

	queue_init(&names);
	FOR_PROVIDES(p, pp, dep)
	{
		Solvable *s = pool_id2solvable(pool, p);
		real |= s->name == name;
		prio |= key && solvable_lookup_num(s, key, 0) > 0;
		queue_pushunique(&names, s->name);
	}
	int bad = !real && !prio && names.count > 1;
	if (bad) {
		kbuf_printf(&w->missing, "%s is needed by the %s, but %s is a virtual name that ",
			    atom, field, pool_id2str(pool, name));
		for (int i = 0; i < names.count; i++)
			kbuf_printf(&w->missing, "%s%s",
				    i ? (i + 1 == names.count ? " and " : ", ") : "",
				    pool_id2str(pool, names.elements[i]));
		kbuf_adds(&w->missing,
			  " provide, none with a provider_priority: name one of them\n");
	}
	queue_free(&names);
	return bad;
}

/* one dependency atom of the APKBUILD (or the base set) as a job */
static int add_atom(struct apk_world *w, Repo *any, const char *atom, const char *field,
		    struct kerr *e)
{
	Pool *pool = w->pool;
	struct apk_dep dp;
	int id, r;

	if (apk_dep_parse(atom, &dp, e) < 0)
		return kerr_prefix(e, "%s: ", field);
	if ((r = apk_dep_to_solv_id(any, &dp, w->gen, &id, e)) < 0) {
		kerr_prefix(e, "%s: dependency '%s': ", field, atom);
		apk_dep_free(&dp);
		return r;
	}
	if (dp.conflict) {
		queue_push2(&w->job, SOLVER_LOCK | SOLVER_SOLVABLE_PROVIDES, id);
	} else {
		Id name = pool_str2id(pool, dp.name, 1);
		if (!pool->whatprovidesdata[pool_whatprovides(pool, id)]) {
			explain_missing(w, &dp, atom, field);
			w->nmissing++;
		} else if (ambiguous_virtual(w, name, id, atom, field)) {
			w->nmissing++;
		}
		queue_push2(&w->job, SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES, id);
	}
	strv_add_owned(&w->what, xasprintf("%s (%s)", atom, field));
	apk_dep_free(&dp);
	return 0;
}

/* abuild leaves out the package itself and its subpackages ("name:func:arch") */
static int is_own_package(const struct apkbuild *ab, const char *atom)
{
	const char *a = atom[0] == '!' ? atom + 1 : atom;
	size_t n = strcspn(a, "@<>=~");
	if (ab->pkgname && strlen(ab->pkgname) == n && !strncmp(ab->pkgname, a, n))
		return 1;
	for (size_t i = 0; i < ab->subpackages.n; i++) {
		const char *s = ab->subpackages.v[i];
		if (strcspn(s, ":") == n && !strncmp(s, a, n))
			return 1;
	}
	return 0;
}

/* ---------------- problems in plain words ---------------- */

static const char *job_what(const struct apk_world *w, Solver *solv, Id rid)
{
	int idx = solver_rule2jobidx(solv, rid);
	if (idx >= 0 && (size_t)(idx / 2) < w->what.n)
		return w->what.v[idx / 2];
	return "a requirement";
}

static void explain_rule(Solver *solv, const struct apk_world *w, Id rid, struct kbuf *out)
{
	Pool *pool = solv->pool;
	Id source = 0, target = 0, dep = 0;
	SolverRuleinfo type = solver_ruleinfo(solv, rid, &source, &target, &dep);

	switch (type) {
	case SOLVER_RULE_JOB_NOTHING_PROVIDES_DEP:
	case SOLVER_RULE_JOB_UNKNOWN_PACKAGE:
		kbuf_printf(out, "%s is needed, but %s has nothing that provides it",
			    job_what(w, solv, rid), w->distro);
		break;
	case SOLVER_RULE_JOB:
		kbuf_printf(out, "%s cannot be met together with the rest", job_what(w, solv, rid));
		break;
	case SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP:
		kbuf_printf(out, "%s depends on %s, but %s has nothing that provides it",
			    apk_solv_str(pool, source), pool_id2str(pool, dep), w->distro);
		break;
	case SOLVER_RULE_PKG_REQUIRES:
		kbuf_printf(out,
			    "%s depends on %s, but none of the packages that provide it can be "
			    "installed",
			    apk_solv_str(pool, source),
			    pool_id2str(pool, ISRELDEP(dep) ? GETRELDEP(pool, dep)->name : dep));
		break;
	case SOLVER_RULE_PKG_CONFLICTS:
		kbuf_printf(out, "%s conflicts with %s", apk_solv_str(pool, source),
			    apk_solv_str(pool, target));
		break;
	case SOLVER_RULE_PKG_SAME_NAME:
		kbuf_printf(out, "%s and %s cannot both be installed", apk_solv_str(pool, source),
			    apk_solv_str(pool, target));
		break;
	default:
		kbuf_adds(out, solver_problemruleinfo2str(solv, type, source, target, dep));
		break;
	}
}

static void explain_problems(Solver *solv, const struct apk_world *w, int nproblems,
			     struct kbuf *out)
{
	Queue rules;
	queue_init(&rules);
	for (Id pr = 1; pr <= (Id)nproblems; pr++) {
		kbuf_printf(out, "problem %d: ", (int)pr);
		explain_rule(solv, w, solver_findproblemrule(solv, pr), out);
		kbuf_adds(out, "\n");
		solver_findallproblemrules(solv, pr, &rules);
		for (int i = 0; i < rules.count && i < 8; i++) {
			Id type = solver_ruleinfo(solv, rules.elements[i], NULL, NULL, NULL);
			if (type == SOLVER_RULE_PKG_REQUIRES || type == SOLVER_RULE_PKG_CONFLICTS ||
			    type == SOLVER_RULE_JOB ||
			    type == SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP) {
				kbuf_adds(out, "  because ");
				explain_rule(solv, w, rules.elements[i], out);
				kbuf_adds(out, "\n");
			}
		}
	}
	queue_free(&rules);
}

/* ---------------- the solution -> the lock ---------------- */

static void fill_lock(struct apk_world *w, const Queue *order, const char *arch,
		      const struct apkbuild *ab, struct lock *out)
{
	Pool *pool = w->pool;
	memset(out, 0, sizeof(*out));
	out->distro = xstrdup(w->distro);
	out->source = xstrdup(ab->pkgname ? ab->pkgname : "");
	out->source_version =
	    xasprintf("%s-r%s", ab->pkgver ? ab->pkgver : "", ab->pkgrel ? ab->pkgrel : "0");
	out->arch = xstrdup(arch);
	out->n = (size_t)order->count;
	out->pkgs = xcalloc(out->n ? out->n : 1, sizeof(*out->pkgs));
	for (int i = 0; i < order->count; i++) {
		Id p = order->elements[i], type = 0;
		Solvable *s = pool_id2solvable(pool, p);
		const struct apk_repo_src *src = s->repo->appdata;
		struct lock_pkg *k = &out->pkgs[i];
		const char *v = apk_solvable_version(pool, (int)p);
		const unsigned char *sum =
		    solvable_lookup_bin_checksum(s, SOLVABLE_CHECKSUM, &type);
		k->name = xstrdup(pool_id2str(pool, s->name));
		k->version = xstrdup(v ? v : pool_id2str(pool, s->evr));
		k->arch = xstrdup(s->arch == ARCH_ALL ? "noarch" : pool_id2str(pool, s->arch));
		if (sum && type == REPOKEY_TYPE_SHA1) {
			char q1[32];
			apk_checksum_encode_q1(sum, q1);
			k->checksum = xstrdup(q1);
		}
		k->size = solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
		k->filename = xasprintf("%s/%s-%s.apk", src->dir, k->name, k->version);
		k->mirror = xstrdup(src->mirror);
	}
	lock_seal(out);
}

int apk_resolve(const struct distro *d, const struct apkbuild *ab, const struct apk_resolve_opts *o,
		struct lock *out, struct kerr *e)
{
	struct apk_world w = {0};
	struct alpine_def def = {0};
	char *keys = NULL;
	Solver *solv = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	queue_init(&w.job);
	kbuf_init(&w.missing);
	if ((r = alpine_def_load(d, &def, e)) < 0)
		goto out;
	if (!(keys = alpine_keys_dir(d, e))) {
		r = -e->code;
		goto out;
	}
	w.gen = def.apk_gen;
	w.distro = d->name;
	w.pool = pool_create();
	pool_setdisttype(w.pool, DISTTYPE_DEB);
	pool_setarch(w.pool, def.arch);
	if ((r = load_indices(d, def.arch, keys, &w, o, e)) < 0)
		goto out;
	pool_addfileprovides(w.pool);
	pool_createwhatprovides(w.pool);

	Repo *any = w.first;
	const struct {
		const struct strv *l;
		const char *field;
	} fields[] = {
	    {&d->build_essential, "distro's base set (Build-Essential)"},
	    {&ab->depends, "APKBUILD (depends)"},
	    {&ab->makedepends, "APKBUILD (makedepends)"},
	    {o && o->nocheck ? NULL : &ab->checkdepends, "APKBUILD (checkdepends)"},
	};
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
		for (size_t i = 0; fields[f].l && i < fields[f].l->n; i++) {
			const char *atom = fields[f].l->v[i];
			if (f > 0 && is_own_package(ab, atom))
				continue;
			if ((r = add_atom(&w, any, atom, fields[f].field, e)) < 0) {
				kerr_prefix(e, "%s/APKBUILD: ", ab->dir ? ab->dir : ".");
				goto out;
			}
		}
	if (w.nmissing) {
		r = kerr_set(e, KILN_EFAIL, "%s %s-r%s cannot be built on %s %s:\n%s",
			     ab->pkgname ? ab->pkgname : "APKBUILD", ab->pkgver ? ab->pkgver : "",
			     ab->pkgrel ? ab->pkgrel : "0", d->name, def.arch, w.missing.data);
		goto out;
	}
	/* apk's choice among providers: the highest provider_priority (after
	 * the requirements: these are preferences, never a problem's cause) */
	apk_pool_add_provider_favors(w.pool, &w.job);
	solv = solver_create(w.pool);
	int np = solver_solve(solv, &w.job);
	if (np) {
		struct kbuf why;
		kbuf_init(&why);
		explain_problems(solv, &w, np, &why);
		r = kerr_set(e, KILN_EFAIL, "%s %s-r%s cannot be built on %s %s:\n%s",
			     ab->pkgname ? ab->pkgname : "APKBUILD", ab->pkgver ? ab->pkgver : "",
			     ab->pkgrel ? ab->pkgrel : "0", d->name, def.arch, why.data);
		kbuf_free(&why);
		goto out;
	}
	Queue order;
	solver_install_order(solv, &order);
	fill_lock(&w, &order, def.arch, ab, out);
	queue_free(&order);
	r = 0;
out:
	if (solv)
		solver_free(solv);
	world_free(&w);
	alpine_def_free(&def);
	free(keys);
	return r < 0 ? r : 0;
}
