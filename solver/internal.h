/* internal.h - what the solver's own files share: the pool behind the opaque
 * struct kiln_pool. Other stages include only solver/solver.h. */
#ifndef KILN_SOLVER_INTERNAL_H
#define KILN_SOLVER_INTERNAL_H

#include <solv/pool.h>
#include <solv/queue.h>
#include <solv/repo.h>

#include "solver/solver.h"

struct kiln_repo {
	Repo *repo;
	struct kbuf meta; /* side file: sha256, size, pool path per solvable */
	void *map;	  /* ... or the cached side file, mapped */
	size_t map_len;
	char *mirror;
	char *name;
};

struct kiln_pool {
	Pool *pool;
	char *host_arch;
	struct kiln_repo *repos;
	size_t nrepos;
	Id essential_key; /* void key set on Essential: yes packages */
	Queue essential;  /* names (Ids) of the Essential: yes packages, sorted */
	Id required_key;  /* void key set on Priority: required packages */
	Queue required;	  /* their solvables: favoured where the archive offers a choice */
	Queue real;	  /* packages whose name others also Provide: favoured over those */
	int all_cached;
	/* how it was loaded, so that a worker thread can load its own copy */
	struct pool_index *src;
	size_t nsrc;
	char *cache_dir;
};

/* what only the lock needs, kept out of the pool (its .solv loads faster) */
struct pkg_meta {
	char *sha256, *filename;
	uint64_t size;
};
int kiln_pool_meta(struct kiln_pool *kp, Id p, struct pkg_meta *m, struct kerr *e);

/* another pool from the same indices (through the .solv cache): libsolv
 * pools are not shared between threads */
int kiln_pool_clone(const struct kiln_pool *kp, struct kiln_pool **out, struct kerr *e);

/* the jobs for one request, and per job pair what it stands for in words */
struct jobset {
	Queue job;
	struct strv what;    /* what.v[i] describes job.elements[2i..2i+1] */
	struct kbuf missing; /* requirements nothing in the archive satisfies */
	int nmissing;
};

/* with_base: include the Essential: yes packages and rq->base */
int jobset_build(struct kiln_pool *kp, const struct resolve_request *rq, int with_base,
		 struct jobset *js, struct kerr *e);
void jobset_free(struct jobset *js);

struct s_Solver;
/* How problems name packages and dependencies (apk shows its own versions,
 * not libsolv's encoding of them). */
struct explain_names {
	const char *(*solvable)(Pool *pool, Id p);
	const char *(*dep)(Pool *pool, Id dep);
};
/* every problem of a failed solve with its solutions, in plain words, one
 * per line; nm NULL: libsolv's own names */
void solver_explain_problems(struct s_Solver *solv, const struct jobset *js, int nproblems,
			     const char *distro, const struct explain_names *nm, struct kbuf *out);
struct s_Solver *solver_for(struct kiln_pool *kp);
void solver_install_order(struct s_Solver *solv, Queue *order);
int lock_fill(struct kiln_pool *kp, const Queue *order, const struct resolve_request *rq,
	      struct lock *out, struct kerr *e);

static inline struct kiln_repo *kiln_repo_of(Solvable *s)
{
	return (struct kiln_repo *)s->repo->appdata;
}

#endif
