/* parse_packages.c - times kiln's deb822 parser against libsolv's
 * repo_add_debpackages on the same Packages file (best of N runs). */
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_deb.h>
#include <stdlib.h>
#include <string.h>

#include "distros/distros.h"

static double run_kiln(const char *path, size_t *count)
{
	struct kbuf b;
	struct kerr e = {0};
	double t0 = now_monotonic();
	kbuf_init(&b);
	if (read_file(path, &b, 0, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		exit(1);
	}
	struct deb822_parser ps;
	struct deb822_para p = {0};
	size_t n = 0, bytes = 0;
	deb822_init(&ps, b.data, b.len, path);
	int r;
	while ((r = deb822_next(&ps, &p, &e)) > 0) {
		/* touch what a loader needs */
		const struct deb822_field *f = deb822_field(&p, "Package");
		const struct deb822_field *v = deb822_field(&p, "Version");
		const struct deb822_field *d = deb822_field(&p, "Depends");
		bytes += (f ? f->value_len : 0) + (v ? v->value_len : 0) + (d ? d->value_len : 0);
		n++;
	}
	if (r < 0) {
		fprintf(stderr, "%s\n", e.msg);
		exit(1);
	}
	deb822_para_free(&p);
	kbuf_free(&b);
	*count = n + (bytes == 0);
	return now_monotonic() - t0;
}

static double run_libsolv(const char *path, size_t *count)
{
	double t0 = now_monotonic();
	Pool *pool = pool_create();
	pool_setdisttype(pool, DISTTYPE_DEB);
	Repo *repo = repo_create(pool, "bench");
	FILE *fp = fopen(path, "r");
	if (!fp)
		exit(1);
	repo_add_debpackages(repo, fp, 0);
	fclose(fp);
	*count = (size_t)repo->nsolvables;
	pool_free(pool);
	return now_monotonic() - t0;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	double bk = 1e9, bl = 1e9;
	size_t nk = 0, nl = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: parse_packages PACKAGES [RUNS]\n");
		return 2;
	}
	for (int i = 0; i < runs; i++) {
		double k = run_kiln(argv[1], &nk), l = run_libsolv(argv[1], &nl);
		if (k < bk)
			bk = k;
		if (l < bl)
			bl = l;
	}
	printf("stanzas: kiln %zu, libsolv %zu\n", nk, nl);
	printf("kiln deb822 parser:           %8.1f ms\n", bk * 1e3);
	printf("libsolv repo_add_debpackages: %8.1f ms\n", bl * 1e3);
	printf("ratio kiln/libsolv: %.2f\n", bk / bl);
	return 0;
}
