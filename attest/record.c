/* record.c - reading kiln's build record: loading, checking, field access, purls, times. */
#include "attest/attest.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "distros/distros.h"

int record_load(const char *path, json_t **out, struct kerr *e)
{
	struct kbuf b = {0};
	json_error_t je;
	json_t *j;
	int r;

	if ((r = read_file(path, &b, 64u << 20, e)) < 0)
		return r;
	j = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &je);
	kbuf_free(&b);
	if (!j)
		return kerr_set(e, KILN_EPARSE, "%s:%d: not valid JSON: %s", path, je.line,
				je.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return kerr_set(e, KILN_EPARSE, "%s: a build record is a JSON object", path);
	}
	if ((r = record_check(j, path, e)) < 0) {
		json_decref(j);
		return r;
	}
	*out = j;
	return 0;
}

static const char *obj_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

json_t *record_field(const json_t *rec, const char *key)
{
	/* builders/ nests build settings under "build" and times under
	 * "metadata"; a flat record is read the same way */
	json_t *v = json_object_get(rec, key);
	if (!v)
		v = json_object_get(json_object_get(rec, "build"), key);
	if (!v)
		v = json_object_get(json_object_get(rec, "metadata"), key);
	return v;
}

const char *record_distro(const json_t *rec)
{
	return obj_str(rec, "distro");
}

const char *record_source_name(const json_t *rec)
{
	json_t *s = json_object_get(rec, "source");
	const char *n = obj_str(s, "name");
	return n ? n : obj_str(s, "package");
}

const char *record_source_version(const json_t *rec)
{
	return obj_str(json_object_get(rec, "source"), "version");
}

json_t *record_lock_packages(const json_t *rec)
{
	json_t *l = json_object_get(rec, "lock");
	if (json_is_array(l))
		return l;
	l = json_object_get(l, "packages");
	return json_is_array(l) ? l : NULL;
}

const char *record_arch(const json_t *rec)
{
	const char *a = obj_str(rec, "arch");
	if (!a)
		a = obj_str(json_object_get(rec, "lock"), "arch");
	return a ? a : "amd64";
}

/* name, version and arch fields must be safe to put in file names and purls */
static int check_token(const char *v, const char *field, const char *what, struct kerr *e)
{
	if (!v || !*v)
		return kerr_set(e, KILN_EPARSE, "%s: build record lacks %s", what, field);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == '/' || *p == 0x7f)
			return kerr_set(e, KILN_EPARSE,
					"%s: %s '%s' has a character not allowed there", what,
					field, v);
	return 0;
}

static int check_digest(const json_t *o, const char *field, size_t i, const char *what,
			struct kerr *e)
{
	const char *h = obj_str(o, "sha256");
	if (!h || !is_sha256_hex(h))
		return kerr_set(e, KILN_EPARSE, "%s: %s[%zu] lacks a sha256 (64 lowercase hex)",
				what, field, i);
	return 0;
}

int record_check(const json_t *rec, const char *what, struct kerr *e)
{
	json_t *a, *x;
	size_t i;
	int r;

	if ((r = check_token(record_distro(rec), "distro", what, e)) < 0 ||
	    (r = check_token(record_source_name(rec), "source.name", what, e)) < 0 ||
	    (r = check_token(record_source_version(rec), "source.version", what, e)) < 0 ||
	    (r = check_token(record_arch(rec), "arch", what, e)) < 0)
		return r;
	a = json_object_get(json_object_get(rec, "source"), "files");
	for (i = 0; (x = json_array_get(a, i)); i++) {
		if ((r = check_token(obj_str(x, "name"), "source.files[].name", what, e)) < 0 ||
		    (r = check_digest(x, "source.files", i, what, e)) < 0)
			return r;
	}
	if (!(a = record_lock_packages(rec)))
		return kerr_set(e, KILN_EPARSE, "%s: build record lacks lock.packages", what);
	for (i = 0; (x = json_array_get(a, i)); i++) {
		if ((r = check_token(obj_str(x, "name"), "lock.packages[].name", what, e)) < 0 ||
		    (r = check_token(obj_str(x, "version"), "lock.packages[].version", what, e)) <
			0 ||
		    (r = check_token(obj_str(x, "arch"), "lock.packages[].arch", what, e)) < 0 ||
		    (r = check_digest(x, "lock.packages", i, what, e)) < 0)
			return r;
	}
	a = json_object_get(rec, "outputs");
	if (!json_is_array(a) || json_array_size(a) == 0)
		return kerr_set(e, KILN_EPARSE, "%s: build record lists no outputs", what);
	for (i = 0; (x = json_array_get(a, i)); i++) {
		const char *n = obj_str(x, "name");
		if (!n || !is_safe_filename(n))
			return kerr_set(e, KILN_EPARSE, "%s: outputs[%zu] has no safe file name",
					what, i);
		if ((r = check_digest(x, "outputs", i, what, e)) < 0)
			return r;
	}
	return 0;
}

char *record_basename(const json_t *rec)
{
	const char *v = record_source_version(rec), *colon = strchr(v, ':');
	return xasprintf("%s_%s_%s", record_source_name(rec), colon ? colon + 1 : v,
			 record_arch(rec));
}

char *rfc3339_utc(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char buf[32];

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

char *record_time(const json_t *rec, const char *key)
{
	json_t *v = record_field(rec, key);
	const char *s;
	struct tm tm = {0};
	char *end;

	if (json_is_integer(v))
		return rfc3339_utc(json_integer_value(v));
	if (!(s = json_string_value(v)))
		return NULL;
	/* normalise to whole seconds in UTC ("...Z"); fractions are dropped */
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (*end != 'Z' && *end != '.' && strcmp(end, "+00:00")))
		return NULL;
	return rfc3339_utc((int64_t)timegm(&tm));
}

char *purl_distro(const char *distro)
{
	struct distro *d = NULL;
	const char *colon = strchr(distro, ':');
	struct kerr ignored;
	char *s;

	if (distro_load(distro, NULL, &d, &ignored) == 0 && d->version && d->family &&
	    strcmp(d->version, "unstable")) {
		s = xasprintf("%s-%s", d->family, d->version);
		distro_free(d);
		return s;
	}
	distro_free(d);
	/* no definition: alpine:v3.20 -> alpine-3.20, debian:bookworm -> bookworm */
	if (str_has_prefix(distro, "alpine:v"))
		return xasprintf("alpine-%s", distro + strlen("alpine:v"));
	return xstrdup(colon ? colon + 1 : distro);
}

/* purl components: keep unreserved characters (and ':' in versions, as the
 * purl spec allows), percent-encode the rest ('+' becomes %2B). */
static void purl_escape(struct kbuf *b, const char *s, int keep_colon)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_' || c == '~' || (keep_colon && c == ':'))
			kbuf_add(b, s, 1);
		else
			kbuf_printf(b, "%%%02X", c);
	}
}

char *purl_package(const char *distro, const char *name, const char *version, const char *arch)
{
	int alpine = str_has_prefix(distro, "alpine");
	char *dq = purl_distro(distro);
	struct kbuf b = {0};

	kbuf_adds(&b, alpine ? "pkg:apk/alpine/" : "pkg:deb/debian/");
	purl_escape(&b, name, 0);
	kbuf_adds(&b, "@");
	purl_escape(&b, version, 1);
	/* qualifiers sorted by key */
	kbuf_adds(&b, "?arch=");
	purl_escape(&b, arch, 0);
	kbuf_adds(&b, "&distro=");
	purl_escape(&b, dq, 0);
	free(dq);
	return b.data;
}
