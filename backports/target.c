/* target.c - what the Debian and Alpine halves share for one target suite:
 * the result record, the overall class of its fixes, the stored patch
 * (DEP-3 header + refreshed diff) and its one-line summary. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backports/backports.h"

void bp_target_free(struct bp_target *t)
{
	if (!t)
		return;
	free(t->distro);
	free(t->suite);
	free(t->old_version);
	free(t->new_version);
	free(t->format);
	free(t->dir);
	free(t->dsc);
	free(t->apkbuild);
	free(t->package);
	free(t->source_tree);
	for (size_t i = 0; i < t->nfixes; i++) {
		bp_classification_free(&t->fixes[i].cls);
		free(t->fixes[i].patch_name);
	}
	free(t->fixes);
	free(t->summary);
	free(t->version_check);
	free(t->source_build);
	free(t->binary_build);
	strv_free(&t->purls_old);
	strv_free(&t->purls_new);
	strv_free(&t->written);
	strv_free(&t->notes);
	memset(t, 0, sizeof(*t));
}

int bp_target_ok(const struct bp_target *t)
{
	return t->status == 0 && t->classified && t->cls != BP_NEEDS_MANUAL;
}

/* the changelog's one-line summary: --summary, else the first subject
 * without a "(CVE-...)" it may end with */
char *bp_fix_summary(const struct bp_fix *rq)
{
	if (rq->summary && rq->summary[0])
		return xstrdup(rq->summary);
	const char *s = rq->npatches && rq->patches[0]->subject ? rq->patches[0]->subject : NULL;
	if (!s)
		return xstrdup("security fix");
	char *t = xstrdup(s);
	char *par = strstr(t, " (CVE-");
	if (par && strchr(par, ')') && strchr(par, ')')[1] == '\0')
		*par = '\0';
	return t;
}

void bp_add_written(struct bp_target *r, const char *outdir, const char *path)
{
	size_t n = strlen(outdir);
	const char *rel = !strncmp(path, outdir, n) && path[n] == '/' ? path + n + 1 : path;
	strv_add(&r->written, rel);
}

/* the stored patch: DEP-3 header + the refreshed diff */
void bp_render_patch(const struct bp_fix *rq, int64_t date, const struct kbuf *diff,
		     struct kbuf *out)
{
	struct strv bugs = {0};
	struct kbuf desc;
	kbuf_init(&desc);
	char *summary = bp_fix_summary(rq);
	kbuf_adds(&desc, summary);
	for (size_t i = 0; i < rq->npatches; i++) {
		const struct patch *p = rq->patches[i];
		if (rq->npatches > 1)
			kbuf_printf(&desc, "\n\n%s%s%s", p->name, p->subject ? ": " : "",
				    p->subject ? p->subject : "");
		if (p->body)
			kbuf_printf(&desc, "\n%s%s", rq->npatches > 1 ? "" : "\n", p->body);
		for (size_t b = 0; b < p->bugs.n; b++)
			if (!strstr(p->bugs.v[b], "bugs.debian.org") &&
			    !strv_contains(&bugs, p->bugs.v[b]))
				strv_add(&bugs, p->bugs.v[b]);
	}
	if (rq->bug && !strv_contains(&bugs, rq->bug))
		strv_add(&bugs, rq->bug);
	char *origin = NULL;
	for (size_t i = 0; i < rq->npatches && !origin; i++)
		origin = dep3_origin_of(rq->patches[i]);
	char day[16];
	time_t t = (time_t)date;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	struct dep3_info d = {.description = desc.data,
			      .origin = origin,
			      .author = rq->npatches ? rq->patches[0]->author : NULL,
			      .bugs = &bugs,
			      .bug_debian = rq->bug_debian,
			      .cves = rq->cves,
			      .last_update = day};
	dep3_header(&d, out);
	kbuf_add(out, diff->data, diff->len);
	free(origin);
	free(summary);
	kbuf_free(&desc);
	strv_free(&bugs);
}

/* All fixes together: any needing a person wins; else how the worst applies. */
void bp_target_overall_class(struct bp_target *r)
{
	size_t applied = 0, already = 0, manual = (size_t)-1;
	enum bp_class worst = BP_APPLIES_CLEANLY;
	for (size_t i = 0; i < r->nfixes; i++) {
		enum bp_class c = r->fixes[i].cls.cls;
		if (c == BP_NEEDS_MANUAL && manual == (size_t)-1)
			manual = i;
		else if (bp_class_applies(c)) {
			applied++;
			worst = c > worst ? c : worst;
		} else if (c == BP_ALREADY_APPLIED)
			already++;
	}
	if (manual != (size_t)-1) {
		r->cls = BP_NEEDS_MANUAL;
		r->summary = r->nfixes > 1 ? xasprintf("fix %zu of %zu: %s", manual + 1, r->nfixes,
						       r->fixes[manual].cls.summary)
					   : xstrdup(r->fixes[manual].cls.summary);
	} else if (applied) {
		r->cls = worst;
		r->summary = r->nfixes == 1
				 ? xstrdup(r->fixes[0].cls.summary)
				 : xasprintf("%s (%zu of %zu fixes applied, %zu already there)",
					     bp_class_text(worst), applied, r->nfixes, already);
	} else if (already) {
		r->cls = BP_ALREADY_APPLIED;
		r->summary = r->nfixes == 1
				 ? xstrdup(r->fixes[0].cls.summary)
				 : xasprintf("already applied (%zu of %zu fixes; the others "
					     "are not applicable)",
					     already, r->nfixes);
	} else {
		r->cls = BP_NOT_APPLICABLE;
		r->summary = xstrdup(r->nfixes ? r->fixes[0].cls.summary : "no fixes");
	}
}

int bp_target_classify(struct tree *t, const struct bp_request *rq, struct bp_target *r,
		       const struct strv *known_names, const struct strv *known_fps,
		       struct kbuf *diffs, struct kerr *e)
{
	for (size_t i = 0; i < rq->nfixes; i++) {
		const struct bp_fix *f = &rq->fixes[i];
		struct bp_classification *c = &r->fixes[i].cls;
		int ret = known_names ? bp_classify_known(t, f->patches, f->npatches, known_names,
							  known_fps, c, e)
				      : bp_classify(t, f->patches, f->npatches, c, e);
		if (ret < 0)
			return ret;
		if (bp_class_applies(c->cls)) {
			if ((ret = tree_diff(t, &diffs[i], e)) < 0)
				return ret;
			tree_commit(t);
		}
	}
	r->classified = 1;
	bp_target_overall_class(r);
	if (r->cls == BP_NEEDS_MANUAL) {
		strv_add(&r->notes, "nothing written: a fix needs a manual backport");
		return 0;
	}
	if (!bp_class_applies(r->cls)) {
		strv_add(&r->notes, "nothing changed");
		return 0;
	}
	return 1;
}

struct kbuf *bp_target_start(struct bp_target *r, const struct bp_request *rq, const char *distro)
{
	struct kbuf *diffs = xcalloc(rq->nfixes + 1, sizeof(*diffs));
	memset(r, 0, sizeof(*r));
	r->distro = xstrdup(distro);
	r->fixes = xcalloc(rq->nfixes + 1, sizeof(*r->fixes));
	r->nfixes = rq->nfixes;
	for (size_t i = 0; i < rq->nfixes; i++) {
		r->fixes[i].fix = &rq->fixes[i];
		kbuf_init(&diffs[i]);
	}
	return diffs;
}
