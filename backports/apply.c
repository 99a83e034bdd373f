/* apply.c - classify a patch series against a tree in memory: applied in
 * order, it applies cleanly, with offset, ignoring line endings, with fuzz,
 * ignoring whitespace; or it is already applied, not applicable, or needs a
 * manual backport (which hunk, and why). Never reverses a patch. Matching is
 * in match.c, applying hunks in hunks.c, paths in layout.c. */
#include <stdlib.h>
#include <string.h>

#include "backports/apply-private.h"

/* tried in this order; the first that matches says how the hunk applies */
static const struct level forward_levels[] = {{M_EXACT, 0}, {M_EOL, 0}, {M_EXACT, 1},
					      {M_EXACT, 2}, {M_WS, 0},	{M_EOL, 1},
					      {M_EOL, 2},   {M_WS, 1},	{M_WS, 2}};
static const struct level strict_levels[] = {{M_EXACT, 0}};
/* "already applied": the reverse applies without fuzz, also when only
 * whitespace or line endings differ */
static const struct level reverse_levels[] = {{M_EXACT, 0}, {M_EOL, 0}, {M_WS, 0}};

const char *bp_class_name(enum bp_class c)
{
	static const char *const n[] = {
	    "applies-cleanly",	 "applies-with-offset",		"applies-ignoring-line-endings",
	    "applies-with-fuzz", "applies-ignoring-whitespace", "already-applied",
	    "not-applicable",	 "needs-manual-backport"};
	return (unsigned)c < sizeof(n) / sizeof(n[0]) ? n[c] : "unknown";
}

const char *bp_class_text(enum bp_class c)
{
	static const char *const n[] = {"applies cleanly",
					"applies with an offset",
					"applies only ignoring line endings (CR/LF)",
					"applies only with fuzz",
					"applies only ignoring whitespace",
					"already applied",
					"not applicable (the files it changes do not exist)",
					"needs a manual backport"};
	return (unsigned)c < sizeof(n) / sizeof(n[0]) ? n[c] : "unknown";
}

int bp_class_applies(enum bp_class c)
{
	return c <= BP_APPLIES_IGNORING_WHITESPACE;
}

static void series_fingerprints(struct tree *t, struct strv *names, struct strv *fps)
{
	char *series = xasprintf("%s/debian/patches/series", t->root);
	struct kbuf b;
	struct kerr e = {0};
	struct strv lines = {0};
	kbuf_init(&b);
	if (tree_safe_path(t->root, "debian/patches/series", &e) == 0 &&
	    read_file(series, &b, 1 << 20, &e) == 0 && b.data)
		strv_split(&lines, b.data, "\n");
	for (size_t i = 0; i < lines.n; i++) {
		char *name = lines.v[i];
		name[strcspn(name, " \t#")] = '\0';
		if (!name[0])
			continue;
		char *rel = xasprintf("debian/patches/%s", name);
		char *full = xasprintf("%s/%s", t->root, rel);
		struct patch p;
		if (tree_safe_path(t->root, rel, &e) == 0 && patch_load(full, &p, &e) == 0) {
			char hex[SHA256_HEX_LEN + 1];
			patch_fingerprint(&p, hex);
			strv_add(names, rel);
			strv_add(fps, hex);
			patch_free(&p);
		}
		free(rel);
		free(full);
	}
	strv_free(&lines);
	kbuf_free(&b);
	free(series);
}

static int classify_one(struct tree *t, const struct patch *p, const struct strv *sn,
			const struct strv *sfp, struct patch_result *pr, struct kerr *e)
{
	char hex[SHA256_HEX_LEN + 1];
	char *prefix = NULL;
	int strip, ret = 0;
	char **paths = xcalloc(p->nfiles + 1, sizeof(char *));
	size_t *idx = xcalloc(p->nfiles + 1, sizeof(size_t));
	struct saved *sv = NULL;
	struct pass ps = {0};
	size_t present = 0, changes_existing = 0;

	pr->name = xstrdup(p->name);
	patch_fingerprint(p, hex);
	for (size_t i = 0; sfp && i < sfp->n; i++)
		if (!strcmp(sfp->v[i], hex)) {
			pr->cls = BP_ALREADY_APPLIED;
			pr->same_as = xstrdup(sn->v[i]);
			pr->why = xasprintf("the same change is already in %s", sn->v[i]);
			goto out;
		}
	patch_resolve_layout(t, p, &strip, &prefix);
	pr->strip = strip;
	pr->prefix = prefix[0] ? xstrdup(prefix) : NULL;
	for (size_t i = 0; i < p->nfiles; i++) {
		struct tree_file *f;
		struct kerr pe = {0};
		paths[i] = patch_target_path(&p->files[i], strip, prefix, !p->files[i].is_delete);
		idx[i] = (size_t)-1;
		if (paths[i] && tree_get(t, paths[i], &f, &pe) == 0) {
			idx[i] = (size_t)(f - t->files);
			if (!p->files[i].is_new) {
				changes_existing++;
				present += f->exists;
			}
		} else if (paths[i] && pe.code == KILN_EVERIFY) {
			ret = kerr_set(e, KILN_EVERIFY, "%s: %s", p->name, pe.msg);
			goto out;
		}
	}
	if (changes_existing && !present) {
		struct kbuf l;
		kbuf_init(&l);
		for (size_t i = 0; i < p->nfiles; i++)
			if (!p->files[i].is_new)
				kbuf_printf(&l, "%s%s", l.len ? ", " : "",
					    paths[i] ? paths[i] : "?");
		pr->cls = BP_NOT_APPLICABLE;
		pr->why =
		    xasprintf("none of the files it changes exists in this version: %s", l.data);
		kbuf_free(&l);
		goto out;
	}
	size_t nidx = 0;
	size_t *uniq = xcalloc(p->nfiles + 1, sizeof(size_t));
	for (size_t i = 0; i < p->nfiles; i++) {
		int dup = idx[i] == (size_t)-1;
		for (size_t j = 0; j < nidx && !dup; j++)
			dup = uniq[j] == idx[i];
		if (!dup)
			uniq[nidx++] = idx[i];
	}
	sv = xcalloc(nidx + 1, sizeof(*sv));
	tree_save_files(t, uniq, nidx, sv);
	free(uniq);

	/* 1: forward, exact (offsets allowed) */
	pass_run(t, p, paths, idx, 0, strict_levels, 1, &ps);
	if (ps.ok) {
		pr->cls = ps.worst;
		pass_take(pr, &ps);
		goto out_saved;
	}
	tree_restore_files(t, sv, nidx);
	pass_free(&ps);
	/* 2: is it there already? (the reverse applies; nothing is kept) */
	pass_run(t, p, paths, idx, 1, reverse_levels, 3, &ps);
	tree_restore_files(t, sv, nidx);
	if (ps.ok) {
		pr->cls = BP_ALREADY_APPLIED;
		pr->why = xstrdup(ps.worst == BP_APPLIES_IGNORING_WHITESPACE
				      ? "its reverse applies (ignoring whitespace): the change is "
					"already there"
				      : "its reverse applies cleanly: the change is already there");
		pass_take(pr, &ps);
		goto out_saved;
	}
	pass_free(&ps);
	/* 3: forward with line endings, fuzz and whitespace tolerated */
	pass_run(t, p, paths, idx, 0, forward_levels,
		 sizeof(forward_levels) / sizeof(forward_levels[0]), &ps);
	if (ps.ok) {
		pr->cls = ps.worst;
		pass_take(pr, &ps);
		goto out_saved;
	}
	tree_restore_files(t, sv, nidx);
	pr->cls = BP_NEEDS_MANUAL;
	pass_take(pr, &ps);
	for (size_t i = 0; i < pr->nhunks; i++)
		if (!pr->hunks[i].applied) {
			struct hunk_result *h = &pr->hunks[i];
			pr->why = xasprintf("hunk %zu of %s (patch line %zu) fails: %s", h->index,
					    h->file, h->patch_line, h->why);
			break;
		}
out_saved:
	saved_free(sv, nidx);
out:
	for (size_t i = 0; i < p->nfiles; i++)
		free(paths[i]);
	free(paths);
	free(idx);
	free(prefix);
	pass_free(&ps);
	return ret;
}

int bp_classify_known(struct tree *t, struct patch *const *patches, size_t n,
		      const struct strv *known_names, const struct strv *known_fps,
		      struct bp_classification *out, struct kerr *e)
{
	int ret = 0;
	size_t applied = 0, already = 0, na = 0, failed = (size_t)-1;
	enum bp_class worst = BP_APPLIES_CLEANLY;

	memset(out, 0, sizeof(*out));
	out->patches = xcalloc(n + 1, sizeof(*out->patches));
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		struct patch_result *pr = &out->patches[i];
		if (failed != (size_t)-1) {
			pr->name = xstrdup(patches[i]->name);
			pr->cls = BP_NEEDS_MANUAL;
			pr->why = xasprintf("not tried: %s before it fails", patches[failed]->name);
			continue;
		}
		if ((ret = classify_one(t, patches[i], known_names, known_fps, pr, e)) < 0)
			goto out;
		if (pr->cls == BP_NEEDS_MANUAL)
			failed = i;
		else if (pr->cls == BP_ALREADY_APPLIED)
			already++;
		else if (pr->cls == BP_NOT_APPLICABLE)
			na++;
		else {
			applied++;
			if (pr->cls > worst)
				worst = pr->cls;
		}
	}
	if (failed != (size_t)-1) {
		out->cls = BP_NEEDS_MANUAL;
		out->summary = xasprintf("needs a manual backport: %s: %s", patches[failed]->name,
					 out->patches[failed].why);
	} else if (applied && na) {
		/* part of the fix has nowhere to go: a person must decide */
		out->cls = BP_NEEDS_MANUAL;
		for (size_t i = 0; i < n; i++)
			if (out->patches[i].cls == BP_NOT_APPLICABLE) {
				out->summary =
				    xasprintf("needs a manual backport: %s applies but %s "
					      "does not: %s",
					      n > 1 ? "the rest of the series" : "it",
					      patches[i]->name, out->patches[i].why);
				break;
			}
	} else if (applied) {
		out->cls = worst;
		out->summary = already ? xasprintf("%s (%zu of %zu patches already applied, "
						   "skipped)",
						   bp_class_text(worst), already, n)
				       : xstrdup(bp_class_text(worst));
	} else if (already) {
		out->cls = BP_ALREADY_APPLIED;
		for (size_t i = 0; i < n; i++)
			if (out->patches[i].cls == BP_ALREADY_APPLIED) {
				out->summary =
				    xasprintf("already applied: %s", out->patches[i].why);
				break;
			}
	} else {
		out->cls = BP_NOT_APPLICABLE;
		out->summary =
		    xasprintf("not applicable: %s", n ? out->patches[0].why : "no patches");
	}
out:
	if (ret < 0)
		bp_classification_free(out);
	return ret;
}

int bp_classify(struct tree *t, struct patch *const *patches, size_t n,
		struct bp_classification *out, struct kerr *e)
{
	struct strv sn = {0}, sfp = {0};
	series_fingerprints(t, &sn, &sfp);
	int ret = bp_classify_known(t, patches, n, &sn, &sfp, out, e);
	strv_free(&sn);
	strv_free(&sfp);
	return ret;
}

void bp_classification_free(struct bp_classification *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		struct patch_result *pr = &c->patches[i];
		for (size_t j = 0; j < pr->nhunks; j++) {
			free(pr->hunks[j].file);
			free(pr->hunks[j].why);
		}
		free(pr->hunks);
		free(pr->name);
		free(pr->prefix);
		free(pr->same_as);
		free(pr->why);
	}
	free(c->patches);
	free(c->summary);
	memset(c, 0, sizeof(*c));
}
