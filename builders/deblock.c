/* deblock.c - the lock a build uses: its source's build dependencies plus the
 * base set, resolved by the solver (one call through its public header). */
#include "builders/builders.h"

#include <string.h>

int debian_build_lock(const struct distro *d, const struct source_pkg *s,
		      const struct build_opts *o, struct lock *out, struct kerr *e)
{
	struct kiln_pool *pool = NULL;
	struct strv base = {0}, profiles = {0};
	struct resolve_request rq = {0};
	const char *arch = d->architectures.n ? d->architectures.v[0] : "amd64";
	int ret;

	if ((ret = solver_pool_for_distro(d, arch, &pool, e)) < 0)
		return ret;
	for (size_t i = 0; i < d->build_essential.n; i++)
		strv_add(&base, d->build_essential.v[i]);
	/* dpkg-buildpackage needs fakeroot for every package that does not say
	 * Rules-Requires-Root: no; sbuild installs it for the same reason */
	if (!strv_contains(&base, "fakeroot"))
		strv_add(&base, "fakeroot");
	if (o->profiles)
		strv_split(&profiles, o->profiles, ", ");
	resolve_request_from_source(&rq, s);
	rq.distro = d->name;
	rq.base = &base;
	rq.profiles = &profiles;
	rq.arch_only = o->kind == BUILD_ARCH;
	rq.indep_only = o->kind == BUILD_INDEP;
	rq.alternatives = ALT_FIRST;
	ret = solver_resolve(pool, &rq, out, e);
	if (ret < 0)
		kerr_prefix(e, "resolving the build dependencies of %s %s: ", s->package,
			    s->version);
	strv_free(&base);
	strv_free(&profiles);
	kiln_pool_free(pool);
	return ret;
}
