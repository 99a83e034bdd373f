/* spdx.c - an SPDX 2.3 JSON SBOM from a build record: built packages and their files, the build
 * environment. */
#include "attest/attest.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

char *spdx_id(const char *prefix, const char *name)
{
	char *s = xasprintf("%s%s", prefix, name);
	for (char *p = s + strlen(prefix); *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			*p = '-';
	return s;
}

/* ids must be unique in the document: sanitising can make two names meet */
static char *unique_id(struct strv *used, const char *prefix, const char *name)
{
	char *id = spdx_id(prefix, name);
	for (int n = 2; strv_contains(used, id); n++) {
		char *base = spdx_id(prefix, name);
		free(id);
		id = xasprintf("%s-%d", base, n);
		free(base);
	}
	strv_add(used, id);
	return id;
}

static json_t *relationship(const char *a, const char *type, const char *b)
{
	return json_pack("{s:s, s:s, s:s}", "spdxElementId", a, "relationshipType", type,
			 "relatedSpdxElement", b);
}

static json_t *purl_ref(const char *purl)
{
	return json_pack("[{s:s, s:s, s:s}]", "referenceCategory", "PACKAGE-MANAGER",
			 "referenceType", "purl", "referenceLocator", purl);
}

static json_t *checksum(const char *algo, const char *hex)
{
	return json_pack("{s:s, s:s}", "algorithm", algo, "checksumValue", hex);
}

/* SHA1 of the ascending-sorted, concatenated file SHA1s (SPDX 2.3 7.9) */
static char *verification_code(const struct deb_contents *c)
{
	struct strv l = {0};
	struct kbuf b = {0};
	unsigned char d[20];
	char *hex = xmalloc(41);

	for (size_t i = 0; i < c->n; i++)
		strv_add(&l, c->files[i].sha1);
	strv_sort(&l);
	for (size_t i = 0; i < l.n; i++)
		kbuf_adds(&b, l.v[i]);
	kbuf_add(&b, "", 0);
	EVP_Q_digest(NULL, "SHA1", NULL, b.data, b.len, d, NULL);
	for (int i = 0; i < 20; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	strv_free(&l);
	kbuf_free(&b);
	return hex;
}

/* name-pkgver-rN.apk -> name and version; the arch is the build's */
static int split_apk_name(const char *file, const char *build_arch, char **name, char **ver,
			  char **arch)
{
	const char *dot = strrchr(file, '.'), *rel = NULL, *v = NULL;
	for (const char *p = file; p < dot; p++)
		if (*p == '-') {
			v = rel;
			rel = p;
		}
	if (!dot || !v || rel[1] != 'r')
		return -1;
	*name = xstrndup(file, (size_t)(v - file));
	*ver = xstrndup(v + 1, (size_t)(dot - v - 1));
	*arch = xstrdup(build_arch);
	return 0;
}

/* name_version_arch.deb -> its three parts (when the .deb is not on disk) */
static int split_deb_name(const char *file, char **name, char **ver, char **arch)
{
	const char *dot = strrchr(file, '.'), *u1 = strchr(file, '_'), *u2;
	if (!dot || !u1 || !(u2 = strchr(u1 + 1, '_')) || u2 > dot)
		return -1;
	*name = xstrndup(file, (size_t)(u1 - file));
	*ver = xstrndup(u1 + 1, (size_t)(u2 - u1 - 1));
	*arch = xstrndup(u2 + 1, (size_t)(dot - u2 - 1));
	return 0;
}

struct spdx_ctx {
	const json_t *rec;
	const char *distro;
	json_t *packages, *files, *rels;
	struct strv used;
	size_t nfile;
};

static int add_output(struct spdx_ctx *x, const json_t *o, const char *outputs_dir,
		      const char *source_id, struct kerr *e)
{
	const char *fname = json_string_value(json_object_get(o, "name"));
	const char *sha = json_string_value(json_object_get(o, "sha256"));
	struct deb_contents c = {0};
	char *name = NULL, *ver = NULL, *arch = NULL, *path, *id, *purl;
	int have_files = 0, ret = 0;

	if (!str_has_suffix(fname, ".deb") && !str_has_suffix(fname, ".udeb") &&
	    !str_has_suffix(fname, ".apk"))
		return 0; /* .buildinfo, .changes, logs: not packages */
	path = xasprintf("%s/%s", outputs_dir, fname);
	if (str_has_suffix(fname, "deb") && path_exists(path)) {
		char got[SHA256_HEX_LEN + 1];
		if ((ret = sha256_file(path, got, NULL, e)) < 0)
			goto out;
		if (strcmp(got, sha)) {
			ret = kerr_set(e, KILN_EVERIFY,
				       "%s: sha256 %s differs from the build record's %s", path,
				       got, sha);
			goto out;
		}
		if ((ret = deb_contents_read(path, &c, e)) < 0)
			goto out;
		name = xstrdup(c.package);
		ver = xstrdup(c.version);
		arch = xstrdup(c.arch);
		have_files = 1;
	} else if (str_has_suffix(fname, ".apk")
		       ? split_apk_name(fname, record_arch(x->rec), &name, &ver, &arch) < 0
		       : split_deb_name(fname, &name, &ver, &arch) < 0) {
		ret = kerr_set(e, KILN_EPARSE, "output %s: not named %s", fname,
			       str_has_suffix(fname, ".apk") ? "NAME-VERSION-rN.apk"
							     : "NAME_VERSION_ARCH.deb");
		goto out;
	}
	char *idname = xasprintf("%s-%s", name, arch);
	id = unique_id(&x->used, "SPDXRef-Package-", idname);
	free(idname);
	purl = purl_package(x->distro, name, ver, arch);
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:[o], s:o, s:s}", "SPDXID", id,
			      "name", name, "versionInfo", ver, "packageFileName", fname,
			      "downloadLocation", "NOASSERTION", "filesAnalyzed", have_files,
			      "checksums", checksum("SHA256", sha), "externalRefs", purl_ref(purl),
			      "primaryPackagePurpose", "INSTALL");
	free(purl);
	if (have_files && c.n) {
		char *code = verification_code(&c);
		json_object_set_new(p, "packageVerificationCode",
				    json_pack("{s:s}", "packageVerificationCodeValue", code));
		free(code);
	} else if (have_files) {
		json_object_set_new(p, "filesAnalyzed", json_false());
	}
	json_array_append_new(x->packages, p);
	json_array_append_new(x->rels, relationship("SPDXRef-DOCUMENT", "DESCRIBES", id));
	json_array_append_new(x->rels, relationship(id, "GENERATED_FROM", source_id));
	for (size_t i = 0; have_files && i < c.n; i++) {
		char *fid = xasprintf("SPDXRef-File-%zu", ++x->nfile);
		json_array_append_new(x->files, json_pack("{s:s, s:s, s:[o,o]}", "SPDXID", fid,
							  "fileName", c.files[i].path, "checksums",
							  checksum("SHA1", c.files[i].sha1),
							  checksum("SHA256", c.files[i].sha256)));
		json_array_append_new(x->rels, relationship(id, "CONTAINS", fid));
		free(fid);
	}
	free(id);
out:
	deb_contents_free(&c);
	free(path);
	free(name);
	free(ver);
	free(arch);
	return ret;
}

static void add_build_dependencies(struct spdx_ctx *x, const char *source_id)
{
	json_t *l;
	size_t i;

	for (i = 0; (l = json_array_get(record_lock_packages(x->rec), i)); i++) {
		const char *name = json_string_value(json_object_get(l, "name"));
		const char *ver = json_string_value(json_object_get(l, "version"));
		const char *arch = json_string_value(json_object_get(l, "arch"));
		const char *mirror = json_string_value(json_object_get(l, "mirror"));
		const char *file = json_string_value(json_object_get(l, "filename"));
		char *idname = xasprintf("%s-%s", name, arch);
		char *id = unique_id(&x->used, "SPDXRef-BuildDep-", idname);
		char *purl = purl_package(x->distro, name, ver, arch);
		char *dl =
		    mirror && file ? xasprintf("%s/%s", mirror, file) : xstrdup("NOASSERTION");
		json_array_append_new(
		    x->packages,
		    json_pack("{s:s, s:s, s:s, s:s, s:b, s:[o], s:o, s:s}", "SPDXID", id, "name",
			      name, "versionInfo", ver, "downloadLocation", dl, "filesAnalyzed", 0,
			      "checksums",
			      checksum("SHA256", json_string_value(json_object_get(l, "sha256"))),
			      "externalRefs", purl_ref(purl), "primaryPackagePurpose", "INSTALL"));
		json_array_append_new(x->rels, relationship(id, "BUILD_DEPENDENCY_OF", source_id));
		free(idname);
		free(id);
		free(purl);
		free(dl);
	}
}

/* the document's creation time: when the build finished; else the source's
 * date, so that the same record always gives the same document */
static char *created_time(const json_t *rec)
{
	char *t = record_time(rec, "finished");
	const char *sde;

	if (t)
		return t;
	if (json_is_integer(record_field(rec, "source_date_epoch")))
		return rfc3339_utc(json_integer_value(record_field(rec, "source_date_epoch")));
	sde = json_string_value(
	    json_object_get(record_field(rec, "environment"), "SOURCE_DATE_EPOCH"));
	return rfc3339_utc(sde ? strtoll(sde, NULL, 10) : 0);
}

/* unique per build: derived from the outputs' digests, not from a clock */
static char *namespace_uri(const json_t *rec, const char *base)
{
	struct kbuf b = {0};
	char hex[SHA256_HEX_LEN + 1];
	json_t *o;
	size_t i;

	kbuf_adds(&b, record_distro(rec));
	for (i = 0; (o = json_array_get(json_object_get(rec, "outputs"), i)); i++)
		kbuf_printf(&b, "\n%s %s", json_string_value(json_object_get(o, "sha256")),
			    json_string_value(json_object_get(o, "name")));
	sha256_mem(b.data, b.len, hex);
	kbuf_free(&b);
	return xasprintf("https://kiln.invalid/spdx/%s-%s", base, hex);
}

int spdx_document(const json_t *rec, const char *outputs_dir, json_t **out, struct kerr *e)
{
	struct spdx_ctx x = {0};
	char *base, *ns, *created, *source_id, *src_purl, *tool;
	json_t *o, *doc = NULL;
	size_t i;
	int ret;

	if ((ret = record_check(rec, "build record", e)) < 0)
		return ret;
	x.rec = rec;
	x.distro = record_distro(rec);
	x.packages = json_array();
	x.files = json_array();
	x.rels = json_array();
	base = record_basename(rec);
	ns = namespace_uri(rec, base);
	created = created_time(rec);
	tool = xasprintf("Tool: kiln-%s", KILN_VERSION);

	source_id = unique_id(&x.used, "SPDXRef-Source-", record_source_name(rec));
	src_purl =
	    purl_package(x.distro, record_source_name(rec), record_source_version(rec), "source");
	json_array_append_new(x.packages,
			      json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:s}", "SPDXID", source_id,
					"name", record_source_name(rec), "versionInfo",
					record_source_version(rec), "downloadLocation",
					"NOASSERTION", "filesAnalyzed", 0, "externalRefs",
					purl_ref(src_purl), "primaryPackagePurpose", "SOURCE"));
	free(src_purl);
	for (i = 0; (o = json_array_get(json_object_get(rec, "outputs"), i)); i++)
		if ((ret = add_output(&x, o, outputs_dir ? outputs_dir : ".", source_id, e)) < 0)
			goto out;
	add_build_dependencies(&x, source_id);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:[s]}, s:O, s:O}", "spdxVersion",
			"SPDX-2.3", "dataLicense", "CC0-1.0", "SPDXID", "SPDXRef-DOCUMENT", "name",
			base, "documentNamespace", ns, "creationInfo", "created", created,
			"creators", tool, "packages", x.packages, "relationships", x.rels);
	if (json_array_size(x.files))
		json_object_set(doc, "files", x.files);
	*out = doc;
out:
	json_decref(x.packages);
	json_decref(x.files);
	json_decref(x.rels);
	strv_free(&x.used);
	free(base);
	free(ns);
	free(created);
	free(tool);
	free(source_id);
	return ret;
}
