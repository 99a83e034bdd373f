/* check.c - the buildability of many sources against one archive: the base
 * set solved once, each source solved on top of it in a pruned pool, exact
 * full solves only when the pruned one fails, on several threads. */
#include "solver/internal.h"

#include <pthread.h>
#include <solv/bitmap.h>
#include <solv/solver.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct check_shared {
	const struct source_pkg *srcs;
	size_t n;
	const struct check_opts *o;
	struct check_result *results;
	atomic_size_t next;
	struct kiln_pool *first; /* the caller's pool; other workers load their own */
	pthread_mutex_t err_lock;
	int err;
	struct kerr e;
};

struct worker {
	struct check_shared *sh;
	struct kiln_pool *kp;
	int own_pool; /* loaded by this worker, freed by it */
	Queue base;   /* the base set's solution: solvable ids */
	Map in_base;
	Map considered;
	Queue todo;
	pthread_t thread;
	size_t full_solves;
	char *base_reason; /* set when the base set itself cannot be installed */
};

static void request_for(const struct check_shared *sh, const struct source_pkg *s,
			const char *distro, struct resolve_request *rq)
{
	memset(rq, 0, sizeof(*rq));
	if (s)
		resolve_request_from_source(rq, s);
	rq->distro = distro;
	rq->base = sh->o->base;
	rq->profiles = sh->o->profiles;
	rq->arch_only = sh->o->arch_only;
	rq->indep_only = sh->o->indep_only;
	rq->alternatives = sh->o->alternatives;
}

/* Solve the base set (Essential + build-essential) once. */
static int solve_base(struct worker *w, struct kerr *e)
{
	struct resolve_request rq;
	struct jobset js;
	Pool *pool = w->kp->pool;
	int r;

	request_for(w->sh, NULL, "the archive", &rq);
	if ((r = jobset_build(w->kp, &rq, 1, &js, e)) < 0)
		return r;
	Solver *solv = solver_for(w->kp);
	if (js.nmissing || solver_solve(solv, &js.job)) {
		/* then no source is buildable, each for this reason */
		struct lock l;
		struct kerr why = {0};
		request_for(w->sh, NULL, w->sh->o->distro, &rq);
		rq.source = "the base set";
		rq.source_version = "(Essential + build-essential)";
		if (solver_resolve(w->kp, &rq, &l, &why) == 0)
			lock_free(&l); /* cannot happen: the same request failed above */
		w->base_reason = xstrdup(why.msg[0] ? why.msg : "the base set cannot be installed");
	} else {
		solver_install_order(solv, &w->base);
		map_init(&w->in_base, pool->nsolvables);
		for (int i = 0; i < w->base.count; i++)
			MAPSET(&w->in_base, w->base.elements[i]);
	}
	solver_free(solv);
	jobset_free(&js);
	return r;
}

static void consider(struct worker *w, Id p)
{
	if (!MAPTST(&w->considered, p)) {
		MAPSET(&w->considered, p);
		queue_push(&w->todo, p);
	}
}

/* providers of a requirement: when the base set has one, the base set's
 * choice stands and no other is considered; otherwise all of them */
static void consider_providers(struct worker *w, const Id *dp)
{
	for (const Id *q = dp; *q; q++)
		if (MAPTST(&w->in_base, *q))
			return;
	for (; *dp; dp++)
		consider(w, *dp);
}

/* The pruned pool of one source: the base solution plus what its build
 * dependencies reach without passing through a requirement the base set
 * already meets. A solution in it is a solution; when there is none, the
 * full pool decides. */
static void prune(struct worker *w, const Queue *job)
{
	Pool *pool = w->kp->pool;
	MAPZERO(&w->considered);
	queue_empty(&w->todo);
	for (int i = 0; i < w->base.count; i++)
		MAPSET(&w->considered, w->base.elements[i]);
	for (int i = 0; i < job->count; i += 2) {
		Id how = job->elements[i], what = job->elements[i + 1];
		if ((how & SOLVER_JOBMASK) != SOLVER_INSTALL)
			continue;
		if ((how & SOLVER_SELECTMASK) == SOLVER_SOLVABLE_PROVIDES)
			consider_providers(w, pool_whatprovides_ptr(pool, what));
		else if ((how & SOLVER_SELECTMASK) == SOLVER_SOLVABLE_ONE_OF)
			consider_providers(w, pool->whatprovidesdata + what);
	}
	while (w->todo.count) {
		Solvable *s = pool->solvables + queue_shift(&w->todo);
		if (!s->requires)
			continue;
		for (Id *dp = s->repo->idarraydata + s->requires; *dp; dp++)
			if (*dp != SOLVABLE_PREREQMARKER)
				consider_providers(w, pool_whatprovides_ptr(pool, *dp));
	}
}

static void check_one(struct worker *w, size_t i)
{
	struct check_shared *sh = w->sh;
	const struct source_pkg *s = &sh->srcs[i];
	struct check_result *res = &sh->results[i];
	struct resolve_request rq;
	struct jobset js;
	struct kerr e = {0};
	Pool *pool = w->kp->pool;
	const char *distro = sh->o->distro ? sh->o->distro : "the archive";

	memset(res, 0, sizeof(*res));
	res->source = xstrdup(s->package);
	res->version = xstrdup(s->version);
	if (s->architecture && !arch_list_matches(s->architecture, w->kp->host_arch) &&
	    !arch_list_matches(s->architecture, "all")) {
		res->buildable = -1;
		return;
	}
	if (w->base_reason) {
		res->reason = xstrdup(w->base_reason);
		return;
	}
	request_for(sh, s, distro, &rq);
	if (jobset_build(w->kp, &rq, 0, &js, &e) < 0) {
		res->reason = xstrdup(e.msg);
		return;
	}
	if (js.nmissing) {
		res->reason = xstrdup(js.missing.data);
		jobset_free(&js);
		return;
	}
	/* fast: base solution + the build dependencies, in the pruned pool */
	prune(w, &js.job);
	Queue job;
	queue_init_clone(&job, &js.job);
	for (int k = 0; k < w->base.count; k++)
		queue_push2(&job, SOLVER_INSTALL | SOLVER_SOLVABLE, w->base.elements[k]);
	pool->considered = &w->considered;
	Solver *solv = solver_for(w->kp);
	int np = solver_solve(solv, &job);
	pool->considered = NULL;
	if (!np) {
		Queue order;
		solver_install_order(solv, &order);
		res->npkgs = (size_t)order.count;
		res->buildable = 1;
		queue_free(&order);
	}
	solver_free(solv);
	queue_free(&job);
	jobset_free(&js);
	if (np) {
		/* exact: the whole archive, from scratch, with the reasons */
		struct lock l;
		w->full_solves++;
		if (solver_resolve(w->kp, &rq, &l, &e) == 0) {
			res->buildable = 1;
			res->npkgs = l.n;
			lock_free(&l);
		} else {
			res->reason = xstrdup(e.msg);
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct check_shared *sh = w->sh;
	struct kerr e = {0};
	int r = 0;

	if (!w->kp) {
		r = kiln_pool_clone(sh->first, &w->kp, &e);
		w->own_pool = 1;
	}
	if (r == 0)
		r = solve_base(w, &e);
	if (r < 0) {
		pthread_mutex_lock(&sh->err_lock);
		if (!sh->err) {
			sh->err = r;
			sh->e = e;
		}
		pthread_mutex_unlock(&sh->err_lock);
		return NULL;
	}
	map_init(&w->considered, w->kp->pool->nsolvables);
	queue_init(&w->todo);
	for (;;) {
		size_t i = atomic_fetch_add(&sh->next, 1);
		if (i >= sh->n || sh->err)
			break;
		check_one(w, i);
	}
	return NULL;
}

int solver_check(struct kiln_pool *kp, const struct source_pkg *srcs, size_t n,
		 const struct check_opts *o, struct check_result *results, struct kerr *e)
{
	struct check_shared sh = {srcs, n, o, results, 0, kp, PTHREAD_MUTEX_INITIALIZER, 0, {0}};
	int nt = o->threads > 0 ? o->threads : 2;
	struct worker *w = xcalloc((size_t)nt, sizeof(*w));

	memset(results, 0, n * sizeof(*results));
	for (int t = 0; t < nt; t++) {
		w[t].sh = &sh;
		w[t].kp = t == 0 ? kp : NULL;
		queue_init(&w[t].base);
	}
	for (int t = 1; t < nt; t++)
		if (pthread_create(&w[t].thread, NULL, worker_main, &w[t]) != 0)
			w[t].thread = 0;
	worker_main(&w[0]);
	for (int t = 1; t < nt; t++)
		if (w[t].thread)
			pthread_join(w[t].thread, NULL);
	size_t full = 0;
	for (int t = 0; t < nt; t++) {
		full += w[t].full_solves;
		queue_free(&w[t].base);
		if (w[t].in_base.size)
			map_free(&w[t].in_base);
		if (w[t].considered.size)
			map_free(&w[t].considered);
		queue_free(&w[t].todo);
		free(w[t].base_reason);
		if (w[t].own_pool)
			kiln_pool_free(w[t].kp);
	}
	free(w);
	log_verbose("check: %zu sources, %zu needed a full solve", n, full);
	if (sh.err) {
		*e = sh.e;
		return sh.err;
	}
	return 0;
}

void check_result_free(struct check_result *r)
{
	if (!r)
		return;
	free(r->source);
	free(r->version);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}
