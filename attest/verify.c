/* verify.c - check an attestation file: every DSSE signature, then every subject against the files
 * on disk. */
#include "attest/attest.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

void attest_verified_free(struct attest_verified *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->subjects[i].name);
		free(v->subjects[i].sha256);
	}
	free(v->subjects);
	free(v->predicate_type);
	free(v->key_id);
	memset(v, 0, sizeof(*v));
}

/* a statement's subjects, each checked against dir/NAME */
static int check_subjects(const json_t *stmt, const char *what, const char *dir,
			  struct attest_verified *v, struct kerr *e)
{
	json_t *subj = json_object_get(stmt, "subject"), *s;
	size_t i;
	int ret = 0;

	if (!json_is_array(subj) || json_array_size(subj) == 0)
		return kerr_set(e, KILN_EPARSE, "%s: the statement has no subjects", what);
	for (i = 0; (s = json_array_get(subj, i)); i++) {
		const char *name = json_string_value(json_object_get(s, "name"));
		const char *want =
		    json_string_value(json_object_get(json_object_get(s, "digest"), "sha256"));
		if (!want || !is_sha256_hex(want))
			return kerr_set(e, KILN_EPARSE, "%s: subject %zu has no sha256 digest",
					what, i);
		/* names come from the signed statement, but are still not trusted
		 * as paths: only plain file names next to the attestation */
		if (!name || !is_safe_filename(name))
			return kerr_set(e, KILN_EPARSE,
					"%s: subject %zu is not named by a plain file name", what,
					i);
		v->subjects = xrealloc(v->subjects, (v->n + 1) * sizeof(*v->subjects));
		struct attest_subject_check *c = &v->subjects[v->n++];
		c->name = xstrdup(name);
		c->sha256 = xstrdup(want);
		c->status = 0;
		char *path = xasprintf("%s/%s", dir, name);
		char got[SHA256_HEX_LEN + 1];
		if (!path_exists(path)) {
			c->status = -KILN_ENOTFOUND;
			if (!ret)
				ret = kerr_set(e, KILN_ENOTFOUND, "%s: subject %s not found in %s",
					       what, name, dir);
		} else if (sha256_file(path, got, NULL, e) < 0) {
			c->status = -KILN_EIO;
			if (!ret)
				ret = -KILN_EIO;
		} else if (strcmp(got, want)) {
			c->status = -KILN_EVERIFY;
			if (!ret || ret == -KILN_ENOTFOUND)
				ret = kerr_set(e, KILN_EVERIFY,
					       "%s: %s has sha256 %s, the attestation says %s",
					       what, path, got, want);
		}
		free(path);
	}
	return ret;
}

static int verify_envelope_text(const char *text, size_t len, const char *what,
				const struct attest_key *pub, const char *dir,
				struct attest_verified *v, struct kerr *e)
{
	json_error_t je;
	json_t *env = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), *stmt = NULL;
	struct kbuf payload = {0};
	const char *pt;
	int ret;

	if (!env)
		return kerr_set(e, KILN_EPARSE, "%s: not valid JSON: %s", what, je.text);
	if ((ret = dsse_verify(env, pub, DSSE_INTOTO_TYPE, what, &payload, e)) < 0)
		goto out;
	stmt = json_loadb(payload.data, payload.len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(stmt)) {
		ret = kerr_set(e, KILN_EPARSE, "%s: the signed payload is not a JSON object", what);
		goto out;
	}
	if (!json_string_value(json_object_get(stmt, "_type")) ||
	    strcmp(json_string_value(json_object_get(stmt, "_type")), INTOTO_STATEMENT_V1)) {
		ret = kerr_set(e, KILN_EPARSE, "%s: the payload is not an in-toto Statement v1",
			       what);
		goto out;
	}
	pt = json_string_value(json_object_get(stmt, "predicateType"));
	if (!v->predicate_type && pt)
		v->predicate_type = xstrdup(pt);
	ret = check_subjects(stmt, what, dir, v, e);
out:
	json_decref(env);
	json_decref(stmt);
	kbuf_free(&payload);
	return ret;
}

int attest_verify_file(const char *path, const struct attest_key *pub, const char *dir,
		       struct attest_verified *v, struct kerr *e)
{
	struct kbuf b = {0};
	char *tmp = xstrdup(path), *owndir = xstrdup(dirname(tmp));
	int ret;
	size_t line = 0;

	free(tmp);
	memset(v, 0, sizeof(*v));
	if ((ret = read_file(path, &b, 64u << 20, e)) < 0)
		goto out;
	v->key_id = xstrdup(key_id(pub));
	/* JSON Lines: one envelope per line; a pretty-printed single envelope
	 * (starting with '{' and spanning lines) is taken whole */
	json_error_t je;
	json_t *whole = json_loadb(b.data, b.len, 0, &je);
	if (whole) {
		json_decref(whole);
		v->envelopes = 1;
		ret = verify_envelope_text(b.data, b.len, path, pub, dir ? dir : owndir, v, e);
		goto out;
	}
	for (char *p = b.data, *nl; p < b.data + b.len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(b.data + b.len - p));
		if (!nl)
			nl = b.data + b.len;
		line++;
		if (nl == p)
			continue;
		char *what = xasprintf("%s:%zu", path, line);
		v->envelopes++;
		ret =
		    verify_envelope_text(p, (size_t)(nl - p), what, pub, dir ? dir : owndir, v, e);
		free(what);
		if (ret < 0)
			goto out;
	}
	if (!v->envelopes)
		ret = kerr_set(e, KILN_EPARSE, "%s: no envelope in the file", path);
out:
	kbuf_free(&b);
	free(owndir);
	return ret;
}
