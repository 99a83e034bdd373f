/* rebuildatt.c - kiln's rebuild attestation: an in-toto Statement v1 saying which outputs a
 * rebuild reproduced, from what record, with what lock and environment. */
#include "attest/attest.h"

#include <stdlib.h>
#include <string.h>

static json_t *sha256_digest(const char *hex)
{
	return json_pack("{s:s}", "sha256", hex);
}

static json_t *environment(const struct strv *env)
{
	json_t *set = json_object(), *unset = json_array();
	for (size_t i = 0; i < env->n; i++) {
		const char *eq = strchr(env->v[i], '=');
		if (!eq) {
			json_array_append_new(unset, json_string(env->v[i]));
			continue;
		}
		char *k = xstrndup(env->v[i], (size_t)(eq - env->v[i]));
		json_object_set_new(set, k, json_string(eq + 1));
		free(k);
	}
	return json_pack("{s:o, s:o}", "set", set, "unset", unset);
}

static json_t *packages(const struct lock *l, const char *distro)
{
	json_t *out = json_array();
	for (size_t i = 0; i < l->n; i++) {
		const struct lock_pkg *p = &l->pkgs[i];
		char *purl = purl_package(distro, p->name, p->version, p->arch);
		json_array_append_new(
		    out, json_pack("{s:s, s:o}", "uri", purl, "digest", sha256_digest(p->sha256)));
		free(purl);
	}
	return out;
}

static json_t *strings(const struct strv *l)
{
	json_t *out = json_array();
	for (size_t i = 0; l && i < l->n; i++)
		json_array_append_new(out, json_string(l->v[i]));
	return out;
}

int rebuild_statement(const struct rebuild_facts *f, json_t **out, struct kerr *e)
{
	static const char *const kinds[] = {"binary", "arch", "indep", "full"};
	const struct rebuild_plan *p = f->plan;
	json_t *subj = json_array(), *outs = json_array();

	for (size_t i = 0; i < f->checks->n; i++) {
		const struct output_check *c = &f->checks->v[i];
		if (c->status != 0)
			continue;
		json_array_append_new(subj, json_pack("{s:s, s:o}", "name", c->name, "digest",
						      sha256_digest(c->got_sha256)));
		json_array_append_new(outs, json_pack("{s:s, s:o, s:o, s:s}", "name", c->name,
						      "digest", sha256_digest(c->got_sha256),
						      "expected", sha256_digest(c->want_sha256),
						      "status", "reproduced"));
	}
	if (json_array_size(subj) == 0) {
		json_decref(subj);
		json_decref(outs);
		return kerr_set(e, KILN_EFAIL, "nothing was reproduced: no rebuild attestation");
	}
	json_t *repro = json_pack("{s:s, s:s}", "format", p->input_format ? p->input_format : "",
				  "name", p->input_name ? p->input_name : "");
	if (p->input_sha256[0])
		json_object_set_new(repro, "digest", sha256_digest(p->input_sha256));
	json_t *rb = json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}", "architecture", p->arch,
			       "buildKind", kinds[p->kind], "environment", environment(&p->env),
			       "lockSha256", f->lock->sha256, "packages",
			       packages(f->lock, p->distro), "addedPackages", strings(f->added));
	if (p->build_path)
		json_object_set_new(rb, "buildPath", json_string(p->build_path));
	if (p->profiles)
		json_object_set_new(rb, "profiles", json_string(p->profiles));
	json_t *src = json_pack("{s:s, s:s, s:s}", "distro", p->distro, "name", p->source,
				"version", p->source_version);
	json_t *files = json_array(), *x;
	json_t *rfiles = json_object_get(json_object_get(f->rebuild_record, "source"), "files");
	for (size_t i = 0; (x = json_array_get(rfiles, i)); i++) {
		const char *n = json_string_value(json_object_get(x, "name"));
		const char *h = json_string_value(json_object_get(x, "sha256"));
		if (n && h)
			json_array_append_new(
			    files, json_pack("{s:s, s:o}", "name", n, "digest", sha256_digest(h)));
	}
	json_object_set_new(src, "files", files);
	if (f->rebuild_record_name && f->rebuild_record_sha256)
		json_object_set_new(rb, "record",
				    json_pack("{s:s, s:o}", "name", f->rebuild_record_name,
					      "digest", sha256_digest(f->rebuild_record_sha256)));
	json_t *meta = json_object();
	if (f->started)
		json_object_set_new(meta, "startedOn", json_string(f->started));
	if (f->finished)
		json_object_set_new(meta, "finishedOn", json_string(f->finished));
	json_t *pred =
	    json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:{s:s, s:{s:s}}, s:o}", "verdict",
		      "reproduced", "reproduces", repro, "source", src, "rebuild", rb, "outputs",
		      outs, "notCompared", strings(f->not_compared), "verifier", "id",
		      f->builder_id ? f->builder_id : KILN_BUILDER_ID_DEFAULT, "version", "kiln",
		      KILN_VERSION, "metadata", meta);
	*out = json_pack("{s:s, s:o, s:s, s:o}", "_type", INTOTO_STATEMENT_V1, "subject", subj,
			 "predicateType", KILN_REBUILD_PREDICATE, "predicate", pred);
	return *out ? 0 : kerr_set(e, KILN_EFAIL, "cannot assemble the rebuild attestation");
}
