/* resolve.c - one source's build dependencies -> libsolv jobs -> the lock, or
 * the reasons no environment exists, in plain words. */
#include "solver/internal.h"

#include <solv/poolarch.h>
#include <solv/problems.h>
#include <solv/solver.h>
#include <solv/transaction.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- requirements -> jobs ---------------- */

static Id rel_flags(enum dep_op op)
{
	switch (op) {
	case DEP_LT:
		return REL_LT;
	case DEP_LE:
		return REL_LT | REL_EQ;
	case DEP_EQ:
		return REL_EQ;
	case DEP_GE:
		return REL_GT | REL_EQ;
	case DEP_GT:
		return REL_GT;
	default:
		return 0;
	}
}

static Id atom_dep(Pool *pool, const struct dep_atom *a)
{
	Id d = pool_str2id(pool, a->name, 1);
	if (a->op != DEP_NONE)
		d = pool_rel2id(pool, d, pool_str2id(pool, a->version, 1), rel_flags(a->op), 1);
	return d;
}

/* Does the qualifier restrict which providers count? Unqualified, ":native"
 * and the host's own name behave alike in a pool of one architecture. */
static int atom_is_plain(const struct kiln_pool *kp, const struct dep_atom *a)
{
	return !a->qual || !strcmp(a->qual, "native") || !strcmp(a->qual, kp->host_arch);
}

/* Providers of a qualified atom, by dpkg's rules: ":any" takes a package of
 * that name only when it is Multi-Arch: allowed; ":ARCH" only that
 * architecture; packages that merely Provide the name count either way. */
static void atom_candidates(struct kiln_pool *kp, const struct dep_atom *a, Id dep, Queue *out)
{
	Pool *pool = kp->pool;
	Id p, pp, name = pool_str2id(pool, a->name, 1);
	Id allowed = pool_str2id(pool, "allowed", 1);
	FOR_PROVIDES(p, pp, dep)
	{
		Solvable *s = pool->solvables + p;
		int ok = 1;
		if (!atom_is_plain(kp, a) && s->name == name) {
			if (!strcmp(a->qual, "any"))
				ok = solvable_lookup_id(s, SOLVABLE_MULTIARCH) == allowed;
			else
				ok = !strcmp(pool_id2str(pool, s->arch), a->qual);
		}
		if (ok)
			queue_pushunique(out, p);
	}
}

static char *atom_text(const struct dep_atom *a)
{
	struct dep_group g = {(struct dep_atom *)a, 1};
	struct dep_list l = {&g, 1};
	return depends_format(&l);
}

/* "libfoo-dev (>= 2.0) is needed by the source (Build-Depends), but bookworm
 * has 1.8-2": why one unsatisfied requirement has no candidate at all. */
static void explain_missing(struct kiln_pool *kp, const struct dep_group *g, const char *field,
			    const char *distro, struct kbuf *out)
{
	Pool *pool = kp->pool;
	struct dep_list l = {(struct dep_group *)g, 1};
	char *want = depends_format(&l);

	kbuf_printf(out, "%s is needed by the %s, but ", want, field);
	for (size_t i = 0; i < g->n; i++) {
		const struct dep_atom *a = &g->alts[i];
		Id name = pool_str2id(pool, a->name, 0), p, pp;
		struct kbuf have, virt;
		kbuf_init(&have);
		kbuf_adds(&have, "");
		kbuf_init(&virt);
		kbuf_adds(&virt, "");
		int nreal = 0, nvirt = 0;
		if (!name)
			name =
			    pool_str2id(pool, a->name, 1); /* nothing provides it: an empty list */
		FOR_PROVIDES(p, pp, name)
		{
			Solvable *s = pool->solvables + p;
			if (s->name == name) {
				kbuf_printf(&have, "%s%s", nreal++ ? ", " : "",
					    pool_id2str(pool, s->evr));
				if (a->qual && !strcmp(a->qual, "any") &&
				    solvable_lookup_id(s, SOLVABLE_MULTIARCH) !=
					pool_str2id(pool, "allowed", 1))
					kbuf_adds(&have, " (not Multi-Arch: allowed)");
			} else if (nvirt++ < 3) {
				/* which provide of that name it carries, with its version
				 */
				for (Id *pr = s->repo->idarraydata + s->provides;
				     s->provides && *pr; pr++) {
					Id pn = *pr;
					while (ISRELDEP(pn))
						pn = GETRELDEP(pool, pn)->name;
					if (pn == name) {
						kbuf_printf(&virt, "%s%s %s provides %s",
							    nvirt > 1 ? ", " : "",
							    pool_id2str(pool, s->name),
							    pool_id2str(pool, s->evr),
							    pool_dep2str(pool, *pr));
						break;
					}
				}
			}
		}
		if (i)
			kbuf_adds(out, "; ");
		if (nreal)
			kbuf_printf(out, "%s has %s %s", distro, a->name, have.data);
		else if (nvirt)
			kbuf_printf(out, "%s has %s only as a virtual package: %s%s", distro,
				    a->name, virt.data, nvirt > 3 ? ", ..." : "");
		else
			kbuf_printf(out, "%s has no package named %s", distro, a->name);
		kbuf_free(&have);
		kbuf_free(&virt);
	}
	kbuf_adds(out, "\n");
	free(want);
}

/* Turn one reduced group into a requirement job. Returns 0, or 1 when no
 * package can satisfy it (explained into missing). */
static int add_group(struct kiln_pool *kp, struct jobset *js, const struct dep_group *g,
		     const char *field, enum alt_rule rule, const char *distro)
{
	Pool *pool = kp->pool;
	size_t first = 0, last = g->n;
	int plain = 1;

	if (rule == ALT_FIRST && g->n > 1) {
		/* sbuild: the first alternative that exists, and later ones on the same name */
		size_t i;
		for (i = 0; i < g->n; i++) {
			Id n = pool_str2id(pool, g->alts[i].name, 0);
			if (n && pool->whatprovidesdata[pool_whatprovides(pool, n)])
				break;
		}
		first = i < g->n ? i : 0;
		struct dep_atom *keep = xcalloc(g->n, sizeof(*keep));
		size_t nk = 0;
		for (i = first; i < g->n; i++)
			if (!strcmp(g->alts[i].name, g->alts[first].name))
				keep[nk++] = g->alts[i];
		struct dep_group sub = {keep, nk};
		int r = add_group(kp, js, &sub, field, ALT_ALL, distro);
		free(keep);
		return r;
	}
	for (size_t i = first; i < last; i++)
		plain &= atom_is_plain(kp, &g->alts[i]);
	Queue cand;
	queue_init(&cand);
	Id dep = 0;
	for (size_t i = first; i < last; i++) {
		Id d = atom_dep(pool, &g->alts[i]);
		dep = dep ? pool_rel2id(pool, dep, d, REL_OR, 1) : d;
		atom_candidates(kp, &g->alts[i], d, &cand);
	}
	struct dep_list l = {(struct dep_group *)g, 1};
	char *text = depends_format(&l);
	int missing = 0;
	if (!cand.count) {
		explain_missing(kp, g, field, distro, &js->missing);
		js->nmissing++;
		missing = 1;
	}
	if (plain)
		queue_push2(&js->job, SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES, dep);
	else
		queue_push2(&js->job, SOLVER_INSTALL | SOLVER_SOLVABLE_ONE_OF,
			    pool_queuetowhatprovides(pool, &cand));
	strv_add_owned(&js->what, xasprintf("%s (%s)", text, field));
	free(text);
	queue_free(&cand);
	return missing;
}

static int add_field(struct kiln_pool *kp, struct jobset *js, const char *text, const char *field,
		     int conflicts, const struct resolve_request *rq, struct kerr *e)
{
	struct dep_list parsed, red;
	Pool *pool = kp->pool;

	if (!text)
		return 0;
	if (depends_parse(text, DEP_PARSE_SOURCE | (conflicts ? DEP_PARSE_NO_ALTS : 0), &parsed,
			  e) < 0)
		return kerr_prefix(e, "%s %s: %s: ", rq->source ? rq->source : "source",
				   rq->source_version ? rq->source_version : "", field);
	depends_reduce(&parsed, kp->host_arch, rq->profiles, &red);
	dep_list_free(&parsed);
	for (size_t i = 0; i < red.n; i++) {
		if (conflicts) {
			/* conflicts hold against every architecture: qualifiers ignored */
			const struct dep_atom *a = &red.groups[i].alts[0];
			queue_push2(&js->job, SOLVER_LOCK | SOLVER_SOLVABLE_PROVIDES,
				    atom_dep(pool, a));
			char *t = atom_text(a);
			strv_add_owned(&js->what, xasprintf("%s (%s)", t, field));
			free(t);
			continue;
		}
		add_group(kp, js, &red.groups[i], field, rq->alternatives,
			  rq->distro ? rq->distro : "the archive");
	}
	dep_list_free(&red);
	return 0;
}

void jobset_free(struct jobset *js)
{
	queue_free(&js->job);
	strv_free(&js->what);
	kbuf_free(&js->missing);
}

int jobset_build(struct kiln_pool *kp, const struct resolve_request *rq, int with_base,
		 struct jobset *js, struct kerr *e)
{
	Pool *pool = kp->pool;
	int ret = 0;

	memset(js, 0, sizeof(*js));
	queue_init(&js->job);
	kbuf_init(&js->missing);
	if (with_base) {
		for (int i = 0; i < kp->essential.count; i++) {
			queue_push2(&js->job, SOLVER_INSTALL | SOLVER_SOLVABLE_NAME,
				    kp->essential.elements[i]);
			strv_add_owned(&js->what,
				       xasprintf("%s (Essential: yes)",
						 pool_id2str(pool, kp->essential.elements[i])));
		}
		for (size_t i = 0; rq->base && i < rq->base->n; i++)
			if ((ret = add_field(kp, js, rq->base->v[i], "distro's build-essential set",
					     0, rq, e)) < 0)
				goto out;
	}
	const char *bd[3] = {rq->build_depends, rq->indep_only ? NULL : rq->build_depends_arch,
			     rq->arch_only ? NULL : rq->build_depends_indep};
	const char *bc[3] = {rq->build_conflicts, rq->indep_only ? NULL : rq->build_conflicts_arch,
			     rq->arch_only ? NULL : rq->build_conflicts_indep};
	static const char *bdn[3] = {"Build-Depends", "Build-Depends-Arch", "Build-Depends-Indep"};
	static const char *bcn[3] = {"Build-Conflicts", "Build-Conflicts-Arch",
				     "Build-Conflicts-Indep"};
	for (int i = 0; i < 3; i++)
		if ((ret = add_field(kp, js, bd[i], bdn[i], 0, rq, e)) < 0)
			goto out;
	for (int i = 0; i < 3; i++)
		if ((ret = add_field(kp, js, bc[i], bcn[i], 1, rq, e)) < 0)
			goto out;
	/* Where the archive offers a choice, choose as apt does on a buildd: the
	 * real package over others that Provide its name (libsystemd0, not
	 * libelogind0), and (the later job weighs more) what a buildd chroot
	 * already has, the Priority: required packages (awk: mawk, not gawk).
	 * They go last and have no words in js->what: never a problem's cause. */
	for (int i = 0; i < kp->real.count; i++) {
		queue_push2(&js->job, SOLVER_FAVOR | SOLVER_SOLVABLE, kp->real.elements[i]);
	}
	for (int i = 0; i < kp->required.count; i++) {
		queue_push2(&js->job, SOLVER_FAVOR | SOLVER_SOLVABLE, kp->required.elements[i]);
	}
out:
	if (ret < 0)
		jobset_free(js);
	return ret;
}

/* ---------------- problems in plain words ---------------- */

static const char *solv_str(Pool *pool, Id p)
{
	return pool_solvid2str(pool, p);
}

static const struct explain_names deb_names = {solv_str, pool_dep2str};

static const char *job_what(const struct jobset *js, Solver *solv, Id rid)
{
	int idx = solver_rule2jobidx(solv, rid);
	if (idx >= 0 && (size_t)(idx / 2) < js->what.n)
		return js->what.v[idx / 2];
	return "a requirement";
}

static void explain_rule(Solver *solv, const struct jobset *js, Id rid, const char *distro,
			 const struct explain_names *nm, struct kbuf *out)
{
	Pool *pool = solv->pool;
	Id source = 0, target = 0, dep = 0;
	SolverRuleinfo type = solver_ruleinfo(solv, rid, &source, &target, &dep);

	switch (type) {
	case SOLVER_RULE_JOB_NOTHING_PROVIDES_DEP:
	case SOLVER_RULE_JOB_UNKNOWN_PACKAGE:
		kbuf_printf(out, "%s is needed, but %s has nothing that provides %s",
			    job_what(js, solv, rid), distro, nm->dep(pool, dep));
		break;
	case SOLVER_RULE_JOB:
		kbuf_printf(out, "%s cannot be met together with the rest",
			    job_what(js, solv, rid));
		break;
	case SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP:
		kbuf_printf(out, "%s needs %s, but %s has nothing that provides it",
			    nm->solvable(pool, source), nm->dep(pool, dep), distro);
		break;
	case SOLVER_RULE_PKG_REQUIRES:
		kbuf_printf(
		    out, "%s needs %s, but none of the packages that provide it can be installed",
		    nm->solvable(pool, source), nm->dep(pool, dep));
		break;
	case SOLVER_RULE_PKG_CONFLICTS:
		kbuf_printf(out, "%s conflicts with %s (Conflicts/Breaks: %s)",
			    nm->solvable(pool, source), nm->solvable(pool, target),
			    nm->dep(pool, dep));
		break;
	case SOLVER_RULE_PKG_SAME_NAME:
		kbuf_printf(out, "%s and %s cannot both be installed", nm->solvable(pool, source),
			    nm->solvable(pool, target));
		break;
	case SOLVER_RULE_PKG_NOT_INSTALLABLE:
		kbuf_printf(out, "%s cannot be installed on %s", nm->solvable(pool, source),
			    pool->solvables[source].arch
				? pool_id2str(pool, pool->solvables[source].arch)
				: "?");
		break;
	default:
		kbuf_adds(out, solver_problemruleinfo2str(solv, type, source, target, dep));
		break;
	}
}

void solver_explain_problems(Solver *solv, const struct jobset *js, int nproblems,
			     const char *distro, const struct explain_names *nm, struct kbuf *out)
{
	if (!nm)
		nm = &deb_names;
	Pool *pool = solv->pool;
	Queue rules;
	queue_init(&rules);
	for (Id pr = 1; pr <= (Id)nproblems; pr++) {
		kbuf_printf(out, "problem %d: ", (int)pr);
		explain_rule(solv, js, solver_findproblemrule(solv, pr), distro, nm, out);
		kbuf_adds(out, "\n");
		/* the chain that leads there, when it says more */
		solver_findallproblemrules(solv, pr, &rules);
		for (int i = 0; i < rules.count && i < 8; i++) {
			Id type = solver_ruleinfo(solv, rules.elements[i], NULL, NULL, NULL);
			if (type == SOLVER_RULE_PKG_REQUIRES || type == SOLVER_RULE_PKG_CONFLICTS ||
			    type == SOLVER_RULE_JOB ||
			    type == SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP) {
				kbuf_adds(out, "  because ");
				explain_rule(solv, js, rules.elements[i], distro, nm, out);
				kbuf_adds(out, "\n");
			}
		}
		unsigned int ns = solver_solution_count(solv, pr);
		for (Id s = 1; s <= (Id)ns && s <= 3; s++) {
			kbuf_printf(out, "  solution %d:", (int)s);
			Id p, rp, el = 0;
			while ((el = solver_next_solutionelement(solv, pr, s, el, &p, &rp)) != 0) {
				if (p == SOLVER_SOLUTION_JOB || p == SOLVER_SOLUTION_POOLJOB) {
					size_t k = (size_t)rp / 2;
					kbuf_printf(out, " drop the requirement %s;",
						    k < js->what.n ? js->what.v[k] : "?");
				} else {
					kbuf_printf(out, " %s;",
						    solver_solutionelement2str(solv, p, rp));
				}
			}
			kbuf_adds(out, "\n");
		}
	}
	queue_free(&rules);
	(void)pool;
}

/* ---------------- the solution -> the lock ---------------- */

/* Essential packages and everything they need (Depends and Pre-Depends,
 * within the environment) go first, each part in transaction order. */
static void essential_first(struct kiln_pool *kp, Queue *order)
{
	Pool *pool = kp->pool;
	Map in, base;
	Queue todo;
	map_init(&in, pool->nsolvables);
	map_init(&base, pool->nsolvables);
	queue_init(&todo);
	for (int i = 0; i < order->count; i++)
		MAPSET(&in, order->elements[i]);
	for (int i = 0; i < order->count; i++) {
		Id p = order->elements[i];
		if (solvable_lookup_void(pool->solvables + p, kp->essential_key)) {
			MAPSET(&base, p);
			queue_push(&todo, p);
		}
	}
	while (todo.count) {
		Solvable *s = pool->solvables + queue_pop(&todo);
		if (!s->requires)
			continue;
		for (Id *dp = s->repo->idarraydata + s->requires; *dp; dp++) {
			Id d = *dp, q, qq;
			if (d == SOLVABLE_PREREQMARKER)
				continue;
			FOR_PROVIDES(q, qq, d)
			if (MAPTST(&in, q) && !MAPTST(&base, q)) {
				MAPSET(&base, q);
				queue_push(&todo, q);
			}
		}
	}
	Queue sorted;
	queue_init(&sorted);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < order->count; i++)
			if (!!MAPTST(&base, order->elements[i]) == !pass)
				queue_push(&sorted, order->elements[i]);
	queue_free(order);
	*order = sorted;
	map_free(&in);
	map_free(&base);
	queue_free(&todo);
}

int lock_fill(struct kiln_pool *kp, const Queue *order, const struct resolve_request *rq,
	      struct lock *out, struct kerr *e)
{
	Pool *pool = kp->pool;
	memset(out, 0, sizeof(*out));
	out->distro = xstrdup(rq->distro ? rq->distro : "");
	out->source = xstrdup(rq->source ? rq->source : "");
	out->source_version = xstrdup(rq->source_version ? rq->source_version : "");
	out->arch = xstrdup(kp->host_arch);
	out->n = (size_t)order->count;
	out->pkgs = xcalloc(out->n ? out->n : 1, sizeof(*out->pkgs));
	for (int i = 0; i < order->count; i++) {
		Solvable *s = pool->solvables + order->elements[i];
		struct lock_pkg *k = &out->pkgs[i];
		struct pkg_meta m;
		k->name = xstrdup(pool_id2str(pool, s->name));
		k->version = xstrdup(pool_id2str(pool, s->evr));
		k->arch = xstrdup(pool_id2str(pool, s->arch));
		if (kiln_pool_meta(kp, order->elements[i], &m, e) < 0) {
			out->n = (size_t)i + 1;
			lock_free(out);
			return -e->code;
		}
		k->sha256 = m.sha256;
		k->size = m.size;
		k->filename = m.filename;
		k->mirror = xstrdup(kiln_repo_of(s)->mirror);
		k->essential = solvable_lookup_void(s, kp->essential_key);
	}
	lock_seal(out);
	return 0;
}

Solver *solver_for(struct kiln_pool *kp)
{
	Solver *solv = solver_create(kp->pool);
	/* a build root gets no Recommends (sbuild and apt build-dep agree) */
	solver_set_flag(solv, SOLVER_FLAG_IGNORE_RECOMMENDED, 1);
	return solv;
}

/* Where a package depends on "a | b" and neither is there yet, apt installs
 * a, the first alternative that can be installed (init-system-helpers'
 * "usrmerge | usr-is-merged" gives usrmerge in sbuild's and mmdebstrap's
 * chroots); libsolv instead takes the candidate that sorts best among all of
 * them (usr-is-merged). After a solve, favour the first alternative of each
 * or-dependency of an installed package that only a later alternative
 * satisfied; the caller solves again while this adds favours. Returns how
 * many it added. */
static int favour_first_alternatives(Solver *solv, Queue *job)
{
	Pool *pool = solv->pool;
	Queue deps;
	int added = 0;

	queue_init(&deps);
	for (Id p = 2; p < pool->nsolvables; p++) {
		if (solver_get_decisionlevel(solv, p) <= 0)
			continue;
		solvable_lookup_deparray(pool->solvables + p, SOLVABLE_REQUIRES, &deps, 0);
		for (int i = 0; i < deps.count; i++) {
			Id d = deps.elements[i], q, qq;
			if (!ISRELDEP(d) || GETRELDEP(pool, d)->flags != REL_OR)
				continue;
			Id first = GETRELDEP(pool, d)->name;
			int there = 0, any = 0;
			FOR_PROVIDES(q, qq, first)
			{
				any = 1;
				there |= solver_get_decisionlevel(solv, q) > 0;
			}
			for (int j = 0; any && !there && j < job->count; j += 2)
				there =
				    job->elements[j] == (SOLVER_FAVOR | SOLVER_SOLVABLE_PROVIDES) &&
				    job->elements[j + 1] == first;
			if (any && !there) {
				queue_push2(job, SOLVER_FAVOR | SOLVER_SOLVABLE_PROVIDES, first);
				added++;
			}
		}
	}
	queue_free(&deps);
	return added;
}

/* the packages a successful solve installs, in transaction order */
void solver_install_order(Solver *solv, Queue *order)
{
	Transaction *t = solver_create_transaction(solv);
	transaction_order(t, 0);
	queue_init(order);
	for (int i = 0; i < t->steps.count; i++) {
		Id p = t->steps.elements[i];
		if (transaction_type(t, p, SOLVER_TRANSACTION_SHOW_ACTIVE) ==
		    SOLVER_TRANSACTION_INSTALL)
			queue_push(order, p);
	}
	transaction_free(t);
}

int solver_resolve(struct kiln_pool *kp, const struct resolve_request *rq, struct lock *out,
		   struct kerr *e)
{
	struct jobset js;
	const char *distro = rq->distro ? rq->distro : "the archive";
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = jobset_build(kp, rq, 1, &js, e)) < 0)
		return ret;
	if (js.nmissing) {
		ret = kerr_set(e, KILN_EFAIL, "%s %s cannot be built on %s %s:\n%s",
			       rq->source ? rq->source : "source",
			       rq->source_version ? rq->source_version : "", distro, kp->host_arch,
			       js.missing.data);
		goto out;
	}
	Solver *solv = solver_for(kp);
	int np = solver_solve(solv, &js.job);
	/* apt's choice among alternatives; each round only adds favours, and a
	 * chain of them is short (a few rounds at most) */
	for (int round = 0; !np && round < 8 && favour_first_alternatives(solv, &js.job); round++) {
		solver_free(solv);
		solv = solver_for(kp);
		np = solver_solve(solv, &js.job);
	}
	if (np) {
		struct kbuf why;
		kbuf_init(&why);
		solver_explain_problems(solv, &js, np, distro, NULL, &why);
		ret = kerr_set(e, KILN_EFAIL, "%s %s cannot be built on %s %s:\n%s",
			       rq->source ? rq->source : "source",
			       rq->source_version ? rq->source_version : "", distro, kp->host_arch,
			       why.data);
		kbuf_free(&why);
		solver_free(solv);
		goto out;
	}
	Queue order;
	solver_install_order(solv, &order);
	solver_free(solv);
	essential_first(kp, &order);
	ret = lock_fill(kp, &order, rq, out, e);
	queue_free(&order);
out:
	jobset_free(&js);
	return ret;
}

void resolve_request_from_source(struct resolve_request *rq, const struct source_pkg *s)
{
	rq->source = s->package;
	rq->source_version = s->version;
	rq->build_depends = s->build_depends;
	rq->build_depends_arch = s->build_depends_arch;
	rq->build_depends_indep = s->build_depends_indep;
	rq->build_conflicts = s->build_conflicts;
	rq->build_conflicts_arch = s->build_conflicts_arch;
	rq->build_conflicts_indep = s->build_conflicts_indep;
}

int solver_lock_for_source(const struct distro *d, const struct source_pkg *src,
			   const struct strv *profiles, int flags, struct lock *out, struct kerr *e)
{
	struct kiln_pool *kp = NULL;
	const char *arch = d->architectures.n ? d->architectures.v[0] : "amd64";
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = solver_pool_for_distro(d, arch, &kp, e)) < 0)
		return r;
	struct resolve_request rq = {0};
	resolve_request_from_source(&rq, src);
	rq.distro = d->name;
	rq.base = &d->build_essential;
	rq.profiles = profiles;
	rq.arch_only = !!(flags & SOLVER_ARCH_ONLY);
	rq.indep_only = !!(flags & SOLVER_INDEP_ONLY);
	rq.alternatives = (flags & SOLVER_RESOLVE_ALTERNATIVES) ? ALT_ALL : ALT_FIRST;
	r = solver_resolve(kp, &rq, out, e);
	kiln_pool_free(kp);
	return r;
}
