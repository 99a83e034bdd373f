/* apksolv.c - apk packages into a libsolv pool (DISTTYPE_DEB semantics) with order-preserving
 * versions, like libsolv's ext/repo_*.c. */
#include "distros/distros.h"

#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repodata.h>
#include <solv/solver.h>
#include <stdlib.h>
#include <string.h>

/* where the original apk version is kept */
#define APK_VERSION_KEY "kiln:apk:version"
/* and its provider_priority (k:) */
#define APK_PRIORITY_KEY "kiln:apk:provider_priority"

const char *apk_solvable_version(struct s_Pool *pool, int solvable)
{
	Id key = pool_str2id(pool, APK_VERSION_KEY, 0);
	return key ? solvable_lookup_str(pool_id2solvable(pool, solvable), key) : NULL;
}

static Id evr_id(Pool *pool, int gen, const char *version, const char *suffix, struct kerr *e)
{
	struct kbuf b;
	Id id = 0;
	kbuf_init(&b);
	if (apk_version_to_evr(gen, version, &b, e) == 0) {
		if (suffix)
			kbuf_adds(&b, suffix);
		id = pool_str2id(pool, b.data, 1);
	}
	kbuf_free(&b);
	return id;
}

/* "name~X" matches versions whose tokens start with X's: >= E(X)~ and < E(X)T,
 * T = '{' after anything but a ~HEX, 'A' after one (see apk-version.md) */
static Id fuzzy_id(Pool *pool, Id name, int gen, const char *version, int op, struct kerr *e)
{
	const char *tilde = strrchr(version, '~');
	Id lo = evr_id(pool, gen, version, "~", e);
	Id hi = evr_id(pool, gen, version, tilde ? "A" : "{", e);
	if (!lo || !hi)
		return 0;
	Id ge = pool_rel2id(pool, name, lo, REL_GT | REL_EQ, 1);
	Id lt = pool_rel2id(pool, name, hi, REL_LT, 1);
	if (op == APK_DEP_LT_FUZZY) /* <~X: below, or fuzzy-equal */
		return pool_rel2id(pool, name, hi, REL_LT, 1);
	if (op == APK_DEP_GT_FUZZY)
		return ge;
	return pool_rel2id(pool, ge, lt, REL_WITH, 1);
}

int apk_dep_to_solv_id(struct s_Repo *repo, const struct apk_dep *d, int gen, int *id,
		       struct kerr *e)
{
	Pool *pool = repo->pool;
	Id name = pool_str2id(pool, d->name, 1), evr;
	int flags = 0;

	*id = 0;
	switch (d->op) {
	case APK_DEP_ANY:
	case APK_DEP_CHECKSUM: /* ><: a specific build; the name is what libsolv can use */
		*id = name;
		return 0;
	case APK_DEP_FUZZY:
	case APK_DEP_LT_FUZZY:
	case APK_DEP_GT_FUZZY:
		*id = fuzzy_id(pool, name, gen, d->version, d->op, e);
		return *id ? 0 : -KILN_EPARSE;
	case APK_DEP_EQ:
		flags = REL_EQ;
		break;
	case APK_DEP_LT:
		flags = REL_LT;
		break;
	case APK_DEP_LE:
		flags = REL_LT | REL_EQ;
		break;
	case APK_DEP_GT:
		flags = REL_GT;
		break;
	case APK_DEP_GE:
		flags = REL_GT | REL_EQ;
		break;
	}
	if (!(evr = evr_id(pool, gen, d->version, NULL, e)))
		return -KILN_EPARSE;
	*id = pool_rel2id(pool, name, evr, flags, 1);
	return 0;
}

/* add each atom of l as a requires/conflicts (or provides) of s */
static void add_deps(Repo *repo, Solvable *s, const struct strv *l, int provides, int gen,
		     size_t *bad)
{
	for (size_t i = 0; i < l->n; i++) {
		struct apk_dep d;
		struct kerr e;
		int id;
		if (apk_dep_parse(l->v[i], &d, &e) < 0) {
			(*bad)++;
			continue;
		}
		if (apk_dep_to_solv_id(repo, &d, gen, &id, &e) < 0) {
			/* a provided version apk cannot order: keep the name */
			(*bad)++;
			id = pool_str2id(repo->pool, d.name, 1);
		}
		if (provides) {
			s->provides = repo_addid_dep(repo, s->provides, id, 0);
			/* a versioned provide is an alternate package name: it
			 * conflicts with every other package of that name or
			 * providing it (libsolv ignores the self-conflict) */
			if (d.op == APK_DEP_EQ)
				s->conflicts = repo_addid_dep(
				    repo, s->conflicts, pool_str2id(repo->pool, d.name, 1), 0);
		} else if (d.conflict) {
			s->conflicts = repo_addid_dep(repo, s->conflicts, id, 0);
		} else {
			s->requires = repo_addid_dep(repo, s->requires, id, 0);
		}
		apk_dep_free(&d);
	}
}

/* install_if "a b=1": supplements (a AND b=1) */
static void add_install_if(Repo *repo, Solvable *s, const struct strv *l, int gen, size_t *bad)
{
	Id all = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct apk_dep d;
		struct kerr e;
		int id;
		if (apk_dep_parse(l->v[i], &d, &e) < 0 ||
		    apk_dep_to_solv_id(repo, &d, gen, &id, &e) < 0) {
			if (d.name)
				apk_dep_free(&d);
			(*bad)++;
			return;
		}
		apk_dep_free(&d);
		all = all ? pool_rel2id(repo->pool, all, id, REL_AND, 1) : id;
	}
	if (all)
		s->supplements = repo_addid_dep(repo, s->supplements, all, 0);
}

int apk_repo_add_index(struct s_Repo *repo, const struct apk_index *idx, int gen, size_t *skipped,
		       struct kerr *e)
{
	Pool *pool = repo->pool;
	Repodata *data = repo_add_repodata(repo, 0);
	Id version_key = pool_str2id(pool, APK_VERSION_KEY, 1);
	Id priority_key = pool_str2id(pool, APK_PRIORITY_KEY, 1);
	size_t skip = 0, bad = 0;

	for (size_t i = 0; i < idx->n; i++) {
		const struct apk_pkg *p = &idx->pkgs[i];
		struct kerr ve;
		Id evr;
		if (p->uninstallable || !(evr = evr_id(pool, gen, p->version, NULL, &ve))) {
			skip++;
			continue;
		}
		Id sid = repo_add_solvable(repo);
		Solvable *s = pool_id2solvable(pool, sid);
		s->name = pool_str2id(pool, p->name, 1);
		s->evr = evr;
		s->arch =
		    pool_str2id(pool, !p->arch || !strcmp(p->arch, "noarch") ? "all" : p->arch, 1);
		s->provides = repo_addid_dep(repo, s->provides,
					     pool_rel2id(pool, s->name, s->evr, REL_EQ, 1), 0);
		add_deps(repo, s, &p->provides, 1, gen, &bad);
		add_deps(repo, s, &p->depends, 0, gen, &bad);
		add_install_if(repo, s, &p->install_if, gen, &bad);
		repodata_set_str(data, sid, version_key, p->version);
		if (p->provider_priority > 0)
			repodata_set_num(data, sid, priority_key,
					 (unsigned long long)p->provider_priority);
		if (p->csum_len == 20)
			repodata_set_bin_checksum(data, sid, SOLVABLE_CHECKSUM, REPOKEY_TYPE_SHA1,
						  p->csum);
		repodata_set_num(data, sid, SOLVABLE_DOWNLOADSIZE, p->size);
		repodata_set_num(data, sid, SOLVABLE_INSTALLSIZE, p->installed_size);
		if (p->build_time)
			repodata_set_num(data, sid, SOLVABLE_BUILDTIME,
					 (unsigned long long)p->build_time);
		if (p->origin)
			repodata_set_poolstr(data, sid, SOLVABLE_SOURCENAME, p->origin);
		if (p->description)
			repodata_set_str(data, sid, SOLVABLE_SUMMARY, p->description);
		if (p->url)
			repodata_set_str(data, sid, SOLVABLE_URL, p->url);
		if (p->license)
			repodata_set_poolstr(data, sid, SOLVABLE_LICENSE, p->license);
		/* the .apk file name in the repository's arch directory */
		char *file = xasprintf("%s-%s.apk", p->name, p->version);
		repodata_set_location(data, sid, 0, NULL, file);
		free(file);
	}
	repo_internalize(repo);
	if (skipped)
		*skipped = skip;
	if (bad)
		log_debug("apk index: %zu dependency atoms could not be mapped exactly", bad);
	return 0;
}

int apk_repo_add_index_file(struct s_Repo *repo, const char *path, const char *keys_dir, int gen,
			    size_t *skipped, struct kerr *e)
{
	struct apk_index idx;
	int r;
	if ((r = apk_index_read(path, keys_dir, &idx, e)) < 0)
		return r;
	r = apk_repo_add_index(repo, &idx, gen, skipped, e);
	apk_index_free(&idx);
	return r;
}

struct prio {
	Id p;
	unsigned long long prio;
};

static int prio_order(const void *a, const void *b)
{
	const struct prio *x = a, *y = b;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->p < y->p ? -1 : x->p > y->p;
}

void apk_pool_add_provider_favors(struct s_Pool *pool, struct s_Queue *job)
{
	Id key = pool_str2id(pool, APK_PRIORITY_KEY, 0);
	struct prio *v = NULL;
	size_t n = 0, cap = 0;
	Id p;

	if (!key)
		return;
	FOR_POOL_SOLVABLES(p)
	{
		unsigned long long pr = solvable_lookup_num(pool_id2solvable(pool, p), key, 0);
		if (!pr)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n].p = p;
		v[n++].prio = pr;
	}
	/* libsolv lets a later favor job win over an earlier one */
	if (n)
		qsort(v, n, sizeof(*v), prio_order);
	for (size_t i = 0; i < n; i++)
		queue_push2(job, SOLVER_FAVOR | SOLVER_SOLVABLE, v[i].p);
	free(v);
}
