/* render.c - write a build record's signed provenance (.intoto.jsonl) and SBOM (.spdx.json). */
#include "attest/attest.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

void attest_rendered_free(struct attest_rendered *r)
{
	if (!r)
		return;
	free(r->provenance_path);
	free(r->spdx_path);
	free(r->key_id);
	free(r->pub_path);
	memset(r, 0, sizeof(*r));
}

static char *dir_of(const char *path)
{
	char *tmp = xstrdup(path), *d = xstrdup(dirname(tmp));
	free(tmp);
	return d;
}

static int write_json_file(const char *path, const json_t *j, int pretty, struct kerr *e)
{
	char *s =
	    pretty ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS) : attest_canonical_json(j);
	char *line = xasprintf("%s\n", s);
	int r = write_file_atomic(path, line, strlen(line), 0644, e);
	free(s);
	free(line);
	return r;
}

int attest_render(const json_t *rec, const char *rec_path, const struct attest_render_opts *o,
		  struct attest_rendered *r, struct kerr *e)
{
	struct provenance_opts po = {.builder_id = o->builder_id,
				     .reproduces_name = o->reproduces_name,
				     .reproduces_sha256 = o->reproduces_sha256};
	struct attest_key *own = NULL;
	const struct attest_key *key = o->key;
	char *recdir = dir_of(rec_path ? rec_path : "./record.json");
	const char *outdir = o->outdir ? o->outdir : recdir;
	char *base = NULL, *payload = NULL;
	json_t *stmt = NULL, *env = NULL, *sbom = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	if ((ret = record_check(rec, rec_path ? rec_path : "build record", e)) < 0)
		goto out;
	if ((ret = key_for_signing(&key, &own, &r->key_created, &r->pub_path, e)) < 0)
		goto out;
	/* everything is made in memory first: nothing is written unless all of it can be */
	if ((ret = provenance_statement(rec, &po, &stmt, e)) < 0)
		goto out;
	payload = attest_canonical_json(stmt);
	if ((ret = dsse_sign(key, DSSE_INTOTO_TYPE, payload, strlen(payload), &env, e)) < 0)
		goto out;
	if ((ret = spdx_document(rec, o->outputs_dir ? o->outputs_dir : recdir, &sbom, e)) < 0)
		goto out;
	if ((ret = mkdir_p(outdir, 0755, e)) < 0)
		goto out;
	base = record_basename(rec);
	r->provenance_path = xasprintf("%s/%s.intoto.jsonl", outdir, base);
	r->spdx_path = xasprintf("%s/%s.spdx.json", outdir, base);
	r->key_id = xstrdup(key_id(key));
	if ((ret = write_json_file(r->provenance_path, env, 0, e)) < 0 ||
	    (ret = write_json_file(r->spdx_path, sbom, 1, e)) < 0)
		goto out;
out:
	if (ret < 0)
		attest_rendered_free(r);
	json_decref(stmt);
	json_decref(env);
	json_decref(sbom);
	free(payload);
	free(base);
	free(recdir);
	key_free(own);
	return ret;
}
