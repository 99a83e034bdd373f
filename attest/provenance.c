/* provenance.c - an in-toto Statement v1 with a SLSA Provenance v1 predicate from a build record.
 */
#include "attest/attest.h"

#include <stdlib.h>
#include <string.h>

char *attest_canonical_json(const json_t *j)
{
	/* jansson writes UTF-8 as is and escapes only what JSON requires, so the
	 * same object always gives the same bytes */
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static json_t *digest_sha256(const char *hex)
{
	return json_pack("{s:s}", "sha256", hex);
}

static json_t *subjects(const json_t *rec)
{
	json_t *out = json_array(), *o;
	size_t i;

	for (i = 0; (o = json_array_get(json_object_get(rec, "outputs"), i)); i++)
		json_array_append_new(
		    out, json_pack("{s:s, s:o}", "name",
				   json_string_value(json_object_get(o, "name")), "digest",
				   digest_sha256(json_string_value(json_object_get(o, "sha256")))));
	return out;
}

/* profiles: an array, or a string separated by spaces/commas */
static json_t *profiles(const json_t *rec)
{
	json_t *p = record_field(rec, "profiles"), *out = json_array(), *x;
	size_t i;

	if (!p)
		p = json_object_get(record_field(rec, "environment"), "DEB_BUILD_PROFILES");

	if (json_is_string(p)) {
		struct strv l = {0};
		strv_split(&l, json_string_value(p), " ,\t");
		for (i = 0; i < l.n; i++)
			json_array_append_new(out, json_string(l.v[i]));
		strv_free(&l);
	} else {
		for (i = 0; (x = json_array_get(p, i)); i++)
			if (json_is_string(x))
				json_array_append(out, x);
	}
	return out;
}

static json_t *patches(const json_t *rec)
{
	json_t *out = json_array(), *x;
	size_t i;

	for (i = 0;
	     (x = json_array_get(json_object_get(json_object_get(rec, "source"), "patches"), i));
	     i++) {
		const char *n = json_string_value(json_object_get(x, "name"));
		const char *h = json_string_value(json_object_get(x, "sha256"));
		if (json_is_string(x))
			n = json_string_value(x);
		if (!n)
			continue;
		json_t *p = json_pack("{s:s}", "name", n);
		if (h)
			json_object_set_new(p, "digest", digest_sha256(h));
		json_array_append_new(out, p);
	}
	return out;
}

static json_t *external_parameters(const json_t *rec, const struct provenance_opts *o)
{
	json_t *ext = json_pack("{s:s, s:{s:s, s:s}, s:s, s:o, s:o}", "distro", record_distro(rec),
				"source", "name", record_source_name(rec), "version",
				record_source_version(rec), "architecture", record_arch(rec),
				"profiles", profiles(rec), "patches", patches(rec));
	const char *kind = json_string_value(record_field(rec, "kind"));
	if (kind)
		json_object_set_new(ext, "buildKind", json_string(kind));
	if (o && o->reproduces_name && o->reproduces_sha256)
		json_object_set_new(ext, "reproduces",
				    json_pack("{s:s, s:o}", "name", o->reproduces_name, "digest",
					      digest_sha256(o->reproduces_sha256)));
	return ext;
}

static json_t *internal_parameters(const json_t *rec)
{
	json_t *in = json_object(), *env = record_field(rec, "environment"), *v;
	const char *bp = json_string_value(record_field(rec, "build_path"));
	const char *lsha =
	    json_string_value(json_object_get(json_object_get(rec, "lock"), "sha256"));

	if (bp)
		json_object_set_new(in, "buildPath", json_string(bp));
	if (json_is_object(env)) {
		/* only string values: the environment is NAME=value text */
		json_t *e2 = json_object();
		for (void *it = json_object_iter(env); it; it = json_object_iter_next(env, it)) {
			v = json_object_iter_value(it);
			if (json_is_string(v))
				json_object_set(e2, json_object_iter_key(it), v);
		}
		json_object_set_new(in, "environment", e2);
	}
	if (lsha)
		json_object_set_new(in, "lockSha256", json_string(lsha));
	return in;
}

static json_t *resolved_dependencies(const json_t *rec)
{
	const char *distro = record_distro(rec), *sname = record_source_name(rec);
	const char *sver = record_source_version(rec);
	json_t *out = json_array(), *x;
	size_t i;
	char *src_purl = purl_package(distro, sname, sver, "source");

	/* the source package's files: one descriptor each, named, with the
	 * source package's purl */
	for (i = 0;
	     (x = json_array_get(json_object_get(json_object_get(rec, "source"), "files"), i));
	     i++) {
		json_array_append_new(
		    out, json_pack("{s:s, s:s, s:o}", "uri", src_purl, "name",
				   json_string_value(json_object_get(x, "name")), "digest",
				   digest_sha256(json_string_value(json_object_get(x, "sha256")))));
	}
	free(src_purl);
	/* every package of the build environment, in the lock's order */
	for (i = 0; (x = json_array_get(record_lock_packages(rec), i)); i++) {
		const char *name = json_string_value(json_object_get(x, "name"));
		const char *ver = json_string_value(json_object_get(x, "version"));
		const char *arch = json_string_value(json_object_get(x, "arch"));
		const char *mirror = json_string_value(json_object_get(x, "mirror"));
		const char *file = json_string_value(json_object_get(x, "filename"));
		char *purl = purl_package(distro, name, ver, arch);
		json_t *d =
		    json_pack("{s:s, s:s, s:o}", "uri", purl, "name", name, "digest",
			      digest_sha256(json_string_value(json_object_get(x, "sha256"))));
		if (mirror && file) {
			char *url = xasprintf("%s/%s", mirror, file);
			json_object_set_new(d, "downloadLocation", json_string(url));
			free(url);
		}
		json_array_append_new(out, d);
		free(purl);
	}
	return out;
}

/* the log's digest: in the record's "log" object, or from its outputs entry */
static const char *log_digest(const json_t *rec, const char **name)
{
	json_t *log = record_field(rec, "log"), *o;
	const char *h = NULL;
	size_t i;

	*name = json_is_string(log) ? json_string_value(log)
				    : json_string_value(json_object_get(log, "name"));
	if (!*name)
		return NULL;
	h = json_string_value(json_object_get(log, "sha256"));
	for (i = 0; !h && (o = json_array_get(json_object_get(rec, "outputs"), i)); i++)
		if (!strcmp(json_string_value(json_object_get(o, "name")), *name))
			h = json_string_value(json_object_get(o, "sha256"));
	return h && is_sha256_hex(h) ? h : NULL;
}

static json_t *run_details(const json_t *rec, const struct provenance_opts *o)
{
	const char *kv = json_string_value(record_field(rec, "kiln_version"));
	const char *inv = json_string_value(record_field(rec, "invocation_id"));
	const char *log_name, *log_sha = log_digest(rec, &log_name);
	json_t *meta = json_object();
	char *t;

	if (inv)
		json_object_set_new(meta, "invocationId", json_string(inv));
	if ((t = record_time(rec, "started")))
		json_object_set_new(meta, "startedOn", json_string(t));
	free(t);
	if ((t = record_time(rec, "finished")))
		json_object_set_new(meta, "finishedOn", json_string(t));
	free(t);
	json_t *rd = json_pack("{s:{s:s, s:{s:s}}, s:o}", "builder", "id",
			       o && o->builder_id ? o->builder_id : KILN_BUILDER_ID_DEFAULT,
			       "version", "kiln", kv ? kv : KILN_VERSION, "metadata", meta);
	if (log_sha)
		json_object_set_new(
		    rd, "byproducts",
		    json_pack("[{s:s, s:o}]", "name", log_name, "digest", digest_sha256(log_sha)));
	return rd;
}

int provenance_statement(const json_t *rec, const struct provenance_opts *o, json_t **out,
			 struct kerr *e)
{
	int r;

	if ((r = record_check(rec, "build record", e)) < 0)
		return r;
	const char *bt = str_has_prefix(record_distro(rec), "alpine:") ? KILN_BUILDTYPE_ALPINE
								       : KILN_BUILDTYPE_DEBIAN;
	json_t *pred =
	    json_pack("{s:{s:s, s:o, s:o, s:o}, s:o}", "buildDefinition", "buildType", bt,
		      "externalParameters", external_parameters(rec, o), "internalParameters",
		      internal_parameters(rec), "resolvedDependencies", resolved_dependencies(rec),
		      "runDetails", run_details(rec, o));
	*out = json_pack("{s:s, s:o, s:s, s:o}", "_type", INTOTO_STATEMENT_V1, "subject",
			 subjects(rec), "predicateType", SLSA_PROVENANCE_V1, "predicate", pred);
	return 0;
}
