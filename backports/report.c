/* report.c - what a backport did, per suite, as JSON; and the OpenVEX 0.2.0
 * document that states it (a small renderer of kiln's own). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/attest.h"
#include "backports/backports.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *strv_json(const struct strv *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static json_t *patch_json(const struct patch_result *p)
{
	json_t *o = json_object(), *hunks = json_array();
	json_object_set_new(o, "patch", json_string(p->name));
	json_object_set_new(o, "class", json_string(bp_class_name(p->cls)));
	json_object_set_new(o, "strip", json_integer(p->strip));
	if (p->prefix)
		json_object_set_new(o, "prefix", json_string(p->prefix));
	if (p->same_as)
		json_object_set_new(o, "same_as", json_string(p->same_as));
	if (p->why)
		json_object_set_new(o, "why", json_string(p->why));
	for (size_t i = 0; i < p->nhunks; i++) {
		const struct hunk_result *h = &p->hunks[i];
		json_t *j = json_object();
		json_object_set_new(j, "file", json_string(h->file));
		json_object_set_new(j, "hunk", json_integer((json_int_t)h->index));
		json_object_set_new(j, "patch_line", json_integer((json_int_t)h->patch_line));
		json_object_set_new(j, "applied", json_boolean(h->applied));
		if (h->applied) {
			json_object_set_new(j, "class", json_string(bp_class_name(h->cls)));
			json_object_set_new(j, "offset", json_integer(h->offset));
			json_object_set_new(j, "fuzz", json_integer(h->fuzz));
		} else
			json_object_set_new(j, "why", str_or_null(h->why));
		json_array_append_new(hunks, j);
	}
	json_object_set_new(o, "hunks", hunks);
	return o;
}

json_t *bp_report_json(const struct bp_target *t, size_t n)
{
	json_t *root = json_object(), *targets = json_array(), *all_cves = json_array();
	size_t ok = 0;
	for (size_t i = 0; i < n; i++) {
		const struct bp_target *r = &t[i];
		json_t *o = json_object(), *patches = json_array(), *fixes = json_array();
		json_object_set_new(o, "distro", json_string(r->distro));
		json_object_set_new(o, "suite", str_or_null(r->suite));
		json_object_set_new(o, "old_version", str_or_null(r->old_version));
		json_object_set_new(o, "new_version",
				    str_or_null(r->dsc || r->apkbuild ? r->new_version : NULL));
		json_object_set_new(o, "format", str_or_null(r->format));
		json_object_set_new(
		    o, "class", r->classified ? json_string(bp_class_name(r->cls)) : json_null());
		json_object_set_new(o, "summary", str_or_null(r->summary));
		for (size_t f = 0; r->classified && f < r->nfixes; f++) {
			const struct bp_fix_result *fr = &r->fixes[f];
			json_t *fo = json_object(), *fp = json_array();
			json_object_set_new(
			    fo, "cves", fr->fix->cves ? strv_json(fr->fix->cves) : json_array());
			json_object_set_new(fo, "class", json_string(bp_class_name(fr->cls.cls)));
			json_object_set_new(fo, "summary", str_or_null(fr->cls.summary));
			json_object_set_new(fo, "patch_file", str_or_null(fr->patch_name));
			for (size_t p = 0; p < fr->cls.n; p++) {
				json_array_append_new(patches, patch_json(&fr->cls.patches[p]));
				json_array_append_new(fp, patch_json(&fr->cls.patches[p]));
			}
			json_object_set_new(fo, "patches", fp);
			json_array_append_new(fixes, fo);
		}
		json_object_set_new(o, "fixes", fixes);
		json_object_set_new(o, "patches", patches);
		json_object_set_new(o, "version_check", str_or_null(r->version_check));
		json_object_set_new(o, "source_build", str_or_null(r->source_build));
		json_object_set_new(o, "binary_build", str_or_null(r->binary_build));
		json_object_set_new(o, "tests", str_or_null(r->tests));
		json_object_set_new(o, "dsc", str_or_null(r->dsc));
		json_object_set_new(o, "apkbuild", str_or_null(r->apkbuild));
		if (r->package)
			json_object_set_new(o, "package", json_string(r->package));
		json_object_set_new(o, "files_written", strv_json(&r->written));
		json_object_set_new(o, "notes", strv_json(&r->notes));
		json_object_set_new(o, "ok", json_boolean(bp_target_ok(r)));
		if (r->status != 0)
			json_object_set_new(o, "error", json_string(r->err.msg));
		ok += bp_target_ok(r);
		json_array_append_new(targets, o);
	}
	for (size_t f = 0; n && f < t[0].nfixes; f++)
		for (size_t c = 0; t[0].fixes[f].fix->cves && c < t[0].fixes[f].fix->cves->n; c++)
			json_array_append_new(all_cves, json_string(t[0].fixes[f].fix->cves->v[c]));
	json_object_set_new(root, "cves", all_cves);
	json_object_set_new(root, "targets", targets);
	json_object_set_new(root, "succeeded", json_integer((json_int_t)ok));
	json_object_set_new(root, "failed", json_integer((json_int_t)(n - ok)));
	return root;
}

/* the statements, gathered before attest/ renders them */
struct vex_list {
	struct vex_statement *v;
	size_t n;
	struct strv owned; /* strings the statements point to */
	const char ***arrays;
	size_t narrays;
};

static const char *own(struct vex_list *l, char *s)
{
	if (!s)
		return NULL;
	strv_add_owned(&l->owned, s);
	return s;
}

static void statement(struct vex_list *l, const char *cve, const struct strv *products,
		      enum vex_status status, const char *justification, const char *action,
		      const char *notes)
{
	if (!products->n)
		return;
	const char **prods = xcalloc(products->n + 1, sizeof(char *));
	for (size_t i = 0; i < products->n; i++)
		prods[i] = products->v[i];
	l->arrays = xrealloc(l->arrays, (l->narrays + 1) * sizeof(*l->arrays));
	l->arrays[l->narrays++] = prods;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = (struct vex_statement){.vulnerability = cve,
					      .products = prods,
					      .status = status,
					      .justification = justification,
					      .action_statement = action,
					      .status_notes = notes};
}

int bp_openvex(const struct bp_target *t, size_t n, int64_t timestamp, const char *author,
	       json_t **out, struct kerr *e)
{
	struct vex_list l = {0};
	struct kbuf idsrc;
	int ret;

	kbuf_init(&idsrc);
	for (size_t i = 0; i < n; i++) {
		const struct bp_target *r = &t[i];
		if (r->status != 0 || !r->classified)
			continue;
		kbuf_printf(&idsrc, "%s %s %s\n", r->distro, r->old_version,
			    r->new_version ? r->new_version : "");
		for (size_t f = 0; f < r->nfixes; f++) {
			const struct bp_fix_result *fr = &r->fixes[f];
			enum bp_class c = fr->cls.cls;
			for (size_t k = 0; fr->fix->cves && k < fr->fix->cves->n; k++) {
				const char *cve = fr->fix->cves->v[k];
				kbuf_printf(&idsrc, "%s\n", cve);
				if (bp_class_applies(c) && r->purls_new.n) {
					statement(&l, cve, &r->purls_new, VEX_FIXED, NULL, NULL,
						  own(&l, xasprintf("fixed in %s by %s (%s)",
								    r->new_version, fr->patch_name,
								    bp_class_text(c))));
					statement(&l, cve, &r->purls_old, VEX_AFFECTED, NULL,
						  own(&l, xasprintf("Update to %s or later.",
								    r->new_version)),
						  NULL);
				} else if (c == BP_ALREADY_APPLIED) {
					statement(&l, cve, &r->purls_old, VEX_FIXED, NULL, NULL,
						  fr->cls.summary);
				} else if (c == BP_NOT_APPLICABLE) {
					statement(&l, cve, &r->purls_old, VEX_NOT_AFFECTED,
						  "vulnerable_code_not_present", NULL,
						  fr->cls.summary);
				} else {
					/* needs a manual backport, or applies but was not built */
					statement(
					    &l, cve, &r->purls_old, VEX_AFFECTED, NULL,
					    c == BP_NEEDS_MANUAL
						? "No update yet: the upstream fix needs a "
						  "manual backport."
						: "No update yet: the fixed package was not built.",
					    c == BP_NEEDS_MANUAL ? fr->cls.summary : r->summary);
				}
			}
		}
	}
	char hex[SHA256_HEX_LEN + 1];
	sha256_mem(idsrc.data ? idsrc.data : "", idsrc.len, hex);
	char *id = xasprintf("https://kiln.invalid/vex/backport-%.16s", hex);
	struct vex_document d = {.id = id,
				 .author = author ? author : "kiln",
				 .timestamp = timestamp,
				 .version = 1,
				 .statements = l.v,
				 .n = l.n};
	ret = openvex_document(&d, out, e);
	free(id);
	kbuf_free(&idsrc);
	for (size_t i = 0; i < l.narrays; i++)
		free(l.arrays[i]);
	free(l.arrays);
	free(l.v);
	strv_free(&l.owned);
	return ret;
}
