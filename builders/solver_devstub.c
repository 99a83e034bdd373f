/* solver_devstub.c - TEMPORARY lock_free until branch `solver` lands (then deleted). */
#include "solver/solver.h"

#include <stdlib.h>
#include <string.h>

void lock_free(struct lock *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->pkgs[i].name);
		free(l->pkgs[i].version);
		free(l->pkgs[i].arch);
		free(l->pkgs[i].sha256);
		free(l->pkgs[i].filename);
		free(l->pkgs[i].mirror);
	}
	free(l->pkgs);
	free(l->distro);
	free(l->source);
	free(l->source_version);
	free(l->arch);
	memset(l, 0, sizeof(*l));
}
