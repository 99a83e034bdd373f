/* queue.c - a queue file: the fixes kept for one source package and its
 * suites, replayed in order by `kiln backport --queue FILE` (QUEUE.md). */
#include <stdlib.h>
#include <string.h>

#include "backports/backports.h"

static const char *keep(struct bp_queue *q, char *s)
{
	if (!s)
		return NULL;
	q->strings = xrealloc(q->strings, (q->nstrings + 1) * sizeof(char *));
	q->strings[q->nstrings++] = s;
	return s;
}

int bp_queue_load(const char *path, struct bp_queue *q, struct kerr *e)
{
	struct kbuf b;
	struct deb822_parser ps;
	struct deb822_para p = {0};
	int ret, r;
	char *dir = xstrdup(path);
	char *sl = strrchr(dir, '/');
	size_t *firsts = NULL;

	memset(q, 0, sizeof(*q));
	if (sl)
		*sl = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	kbuf_init(&b);
	if ((ret = read_file(path, &b, 1 << 20, e)) < 0)
		goto out;
	deb822_init(&ps, b.data ? b.data : "", b.len, path);
	/* the header: Source, Targets, Maintainer */
	if ((r = deb822_next(&ps, &p, e)) <= 0) {
		ret = r < 0 ? r : kerr_set(e, KILN_EPARSE, "%s: empty queue file", path);
		goto out;
	}
	q->source = deb822_get(&p, "Source");
	q->maintainer = deb822_get(&p, "Maintainer");
	char *aports = deb822_get(&p, "Aports");
	if (aports)
		q->aports = aports[0] == '/' ? xstrdup(aports) : xasprintf("%s/%s", dir, aports);
	free(aports);
	char *targets = deb822_get(&p, "Targets");
	if (targets)
		strv_split(&q->targets, targets, ", \t\n");
	free(targets);
	if (!q->source) {
		ret = kerr_set(e, KILN_EPARSE, "%s:%zu: the first paragraph needs Source:", path,
			       p.line);
		goto out;
	}
	/* then one paragraph per fix */
	size_t cap = 0;
	while ((r = deb822_next(&ps, &p, e)) > 0) {
		char *cve = deb822_get(&p, "CVE"), *patches = deb822_get(&p, "Patches");
		struct strv files = {0};
		if (!cve || !patches) {
			free(cve);
			free(patches);
			ret = kerr_set(e, KILN_EPARSE,
				       "%s:%zu: a fix needs CVE: and Patches:", path, p.line);
			goto out;
		}
		if (q->nfixes == cap) {
			cap = cap ? cap * 2 : 8;
			q->fixes = xrealloc(q->fixes, cap * sizeof(*q->fixes));
			q->cves = xrealloc(q->cves, cap * sizeof(*q->cves));
		}
		struct strv *cves = &q->cves[q->nfixes];
		memset(cves, 0, sizeof(*cves));
		find_cve_ids(cve, cves);
		free(cve);
		strv_split(&files, patches, " \t\n");
		free(patches);
		size_t first = q->npatches;
		for (size_t i = 0; i < files.n && ret == 0; i++) {
			char *pp = files.v[i][0] == '/' ? xstrdup(files.v[i])
							: xasprintf("%s/%s", dir, files.v[i]);
			q->patches =
			    xrealloc(q->patches, (q->npatches + 1) * sizeof(struct patch *));
			q->patches[q->npatches] = xcalloc(1, sizeof(struct patch));
			if ((ret = patch_load(pp, q->patches[q->npatches], e)) < 0) {
				free(q->patches[q->npatches]);
				kerr_prefix(e, "%s:%zu: ", path, p.line);
			} else
				q->npatches++;
			free(pp);
		}
		strv_free(&files);
		q->nfixes++;
		struct bp_fix *f = &q->fixes[q->nfixes - 1];
		memset(f, 0, sizeof(*f));
		f->npatches = q->npatches - first;
		firsts = xrealloc(firsts, q->nfixes * sizeof(*firsts));
		firsts[q->nfixes - 1] = first;
		f->bug = keep(q, deb822_get(&p, "Bug"));
		f->bug_debian = keep(q, deb822_get(&p, "Bug-Debian"));
		f->summary = keep(q, deb822_get(&p, "Summary"));
		if (ret < 0)
			goto out;
		if (!q->cves[q->nfixes - 1].n) {
			ret = kerr_set(e, KILN_EPARSE, "%s:%zu: no CVE id in CVE:", path, p.line);
			goto out;
		}
	}
	if (r < 0)
		ret = r;
	else if (!q->nfixes)
		ret = kerr_set(e, KILN_EPARSE, "%s: no fixes in the queue", path);
out:
	/* the arrays moved while growing: point each fix at its slice only now */
	for (size_t i = 0; firsts && i < q->nfixes; i++) {
		q->fixes[i].patches = q->patches + firsts[i];
		q->fixes[i].cves = &q->cves[i];
	}
	free(firsts);
	deb822_para_free(&p);
	kbuf_free(&b);
	free(dir);
	if (ret < 0)
		bp_queue_free(q);
	return ret;
}

void bp_queue_free(struct bp_queue *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->npatches; i++) {
		patch_free(q->patches[i]);
		free(q->patches[i]);
	}
	free(q->patches);
	for (size_t i = 0; i < q->nfixes; i++)
		strv_free(&q->cves[i]);
	free(q->cves);
	free(q->fixes);
	for (size_t i = 0; i < q->nstrings; i++)
		free(q->strings[i]);
	free(q->strings);
	free(q->source);
	free(q->maintainer);
	free(q->aports);
	strv_free(&q->targets);
	memset(q, 0, sizeof(*q));
}
