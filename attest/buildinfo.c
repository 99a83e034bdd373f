/* buildinfo.c - read a .buildinfo (dpkg, sbuild, Debian's buildds) into what a rebuild needs,
 * refusing what debrebuild refuses. */
#include "attest/attest.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "distros/distros.h"

void buildinfo_free(struct buildinfo *b)
{
	if (!b)
		return;
	free(b->format);
	free(b->source);
	free(b->source_version);
	free(b->version);
	strv_free(&b->binary);
	strv_free(&b->architecture);
	free(b->build_arch);
	free(b->host_arch);
	free(b->build_origin);
	free(b->build_date);
	free(b->build_path);
	free(b->binary_only_changes);
	strv_free(&b->tainted_by);
	for (size_t i = 0; i < b->nfiles; i++)
		free(b->files[i].name);
	free(b->files);
	for (size_t i = 0; i < b->ndeps; i++) {
		free(b->deps[i].name);
		free(b->deps[i].arch);
		free(b->deps[i].version);
	}
	free(b->deps);
	for (size_t i = 0; i < b->nenv; i++) {
		free(b->env[i].name);
		free(b->env[i].value);
	}
	free(b->env);
	memset(b, 0, sizeof(*b));
}

const char *buildinfo_env_get(const struct buildinfo *b, const char *name)
{
	for (size_t i = 0; i < b->nenv; i++)
		if (!strcmp(b->env[i].name, name))
			return b->env[i].value;
	return NULL;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

/* the lines of a multiline field, trimmed, empty ones dropped */
static void field_lines(const char *value, struct strv *out)
{
	char *copy = xstrdup(value ? value : ""), *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *t = trim(l);
		if (*t)
			strv_add(out, t);
	}
	free(copy);
}

static int valid_pkg_name(const char *s)
{
	if (!isalnum((unsigned char)s[0]))
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '+' ||
		      *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* "name[:arch] (= version)" with an optional trailing comma */
static int parse_dep(const char *line, struct buildinfo_dep *d)
{
	char *s = xstrdup(line), *p, *name, *colon, *ver, *close;
	size_t n = strlen(s);
	int ok = 0;

	if (n && s[n - 1] == ',')
		s[--n] = 0;
	p = strstr(s, " (= ");
	if (!p)
		goto out;
	*p = 0;
	name = trim(s);
	ver = p + 4;
	close = strchr(ver, ')');
	if (!close || close[1] || close == ver)
		goto out;
	*close = 0;
	colon = strchr(name, ':');
	if (colon)
		*colon++ = 0;
	if (!valid_pkg_name(name) || (colon && !*colon) || strchr(ver, ' ') ||
	    deb_version_check(ver, NULL) < 0)
		goto out;
	d->name = xstrdup(name);
	d->arch = colon ? xstrdup(colon) : NULL;
	d->version = xstrdup(ver);
	ok = 1;
out:
	free(s);
	return ok;
}

/* NAME="value", dpkg escaping " (and, as the manual promises, \) */
static int parse_env(const char *line, struct buildinfo_env *v)
{
	const char *eq = strchr(line, '=');
	size_t n = strlen(line);
	if (!eq || eq == line || eq[1] != '"' || n < (size_t)(eq - line) + 3 || line[n - 1] != '"')
		return 0;
	for (const char *p = line; p < eq; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return 0;
	struct kbuf b = {0};
	for (const char *p = eq + 2; p < line + n - 1; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\') && p + 1 < line + n - 1)
			p++;
		kbuf_add(&b, p, 1);
	}
	kbuf_add(&b, "", 0);
	v->name = xstrndup(line, (size_t)(eq - line));
	v->value = b.data;
	return 1;
}

static int sane_build_path(const char *p)
{
	if (p[0] != '/' || strstr(p, "/../") || str_has_suffix(p, "/..") || strlen(p) > 4096)
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("\"'`$\\;&|<>()*?[]{}~!#", *p))
			return 0;
	return 1;
}

static int parse_checksums(const char *value, const char *what, struct buildinfo *b, struct kerr *e)
{
	struct strv lines = {0};
	int ret = 0;

	field_lines(value, &lines);
	b->files = xcalloc(lines.n ? lines.n : 1, sizeof(*b->files));
	for (size_t i = 0; i < lines.n; i++) {
		struct strv w = {0};
		char *end;
		strv_split(&w, lines.v[i], " \t");
		unsigned long long size = w.n == 3 ? strtoull(w.v[1], &end, 10) : 0;
		if (w.n != 3 || strlen(w.v[0]) != SHA256_HEX_LEN || !is_sha256_hex(w.v[0]) ||
		    !isdigit((unsigned char)w.v[1][0]) || *end || !is_safe_filename(w.v[2])) {
			ret = kerr_set(e, KILN_EPARSE,
				       "%s: Checksums-Sha256 line '%s' is not 'sha256 size name'",
				       what, lines.v[i]);
			strv_free(&w);
			break;
		}
		struct buildinfo_file *f = &b->files[b->nfiles++];
		f->name = xstrdup(w.v[2]);
		f->size = size;
		memcpy(f->sha256, w.v[0], sizeof(f->sha256));
		strv_free(&w);
	}
	strv_free(&lines);
	return ret;
}

static int parse_fields(const struct deb822_para *p, const char *what, struct buildinfo *b,
			struct kerr *e)
{
	char *src = deb822_get(p, "Source"), *v;
	struct strv lines = {0};
	int ret = 0;

	b->format = deb822_get(p, "Format");
	b->version = deb822_get(p, "Version");
	b->build_arch = deb822_get(p, "Build-Architecture");
	b->host_arch = deb822_get(p, "Host-Architecture");
	b->build_origin = deb822_get(p, "Build-Origin");
	b->build_date = deb822_get(p, "Build-Date");
	b->build_path = deb822_get(p, "Build-Path");
	b->binary_only_changes = deb822_get(p, "Binary-Only-Changes");
	if (!src || !b->version) {
		ret = kerr_set(e, KILN_EPARSE, "%s: no %s field", what, src ? "Version" : "Source");
		goto out;
	}
	/* "hello" or, for a binNMU, "hello (2.10-3)" */
	char *paren = strchr(src, '(');
	if (paren) {
		char *close = strchr(paren, ')');
		if (!close || close[1]) {
			ret = kerr_set(e, KILN_EPARSE, "%s: Source '%s' is not 'name (version)'",
				       what, src);
			goto out;
		}
		b->source_version = xstrndup(paren + 1, (size_t)(close - paren - 1));
		*paren = 0;
	} else {
		b->source_version = xstrdup(b->version);
	}
	b->source = xstrdup(trim(src));
	if (!valid_pkg_name(b->source)) {
		ret = kerr_set(e, KILN_EPARSE, "%s: Source '%s' is not a package name", what,
			       b->source);
		goto out;
	}
	if (deb_version_check(b->version, NULL) < 0 ||
	    deb_version_check(b->source_version, NULL) < 0) {
		ret = kerr_set(e, KILN_EPARSE, "%s: Version '%s' is not a Debian version", what,
			       b->version);
		goto out;
	}
	if ((v = deb822_get(p, "Binary"))) {
		strv_split(&b->binary, v, " \t\n");
		free(v);
	}
	if ((v = deb822_get(p, "Architecture"))) {
		strv_split(&b->architecture, v, " \t\n");
		free(v);
	}
	if ((v = deb822_get(p, "Build-Tainted-By"))) {
		field_lines(v, &b->tainted_by);
		free(v);
	}
	if (!b->build_arch) {
		ret = kerr_set(e, KILN_EPARSE, "%s: no Build-Architecture field", what);
		goto out;
	}
	if (!b->host_arch)
		b->host_arch = xstrdup(b->build_arch);
	if (b->build_path && !sane_build_path(b->build_path)) {
		ret =
		    kerr_set(e, KILN_EPARSE,
			     "%s: Build-Path '%s' is not a plain absolute path (no '..', spaces or "
			     "shell characters)",
			     what, b->build_path);
		goto out;
	}
	v = deb822_get(p, "Checksums-Sha256");
	ret = parse_checksums(v, what, b, e);
	free(v);
	if (ret < 0)
		goto out;

	if (!(v = deb822_get(p, "Installed-Build-Depends"))) {
		ret = kerr_set(e, KILN_EPARSE, "%s: no Installed-Build-Depends field", what);
		goto out;
	}
	field_lines(v, &lines);
	free(v);
	b->deps = xcalloc(lines.n ? lines.n : 1, sizeof(*b->deps));
	int base_files = 0;
	for (size_t i = 0; i < lines.n; i++) {
		if (!parse_dep(lines.v[i], &b->deps[b->ndeps])) {
			ret = kerr_set(
			    e, KILN_EPARSE,
			    "%s: Installed-Build-Depends entry '%s' is not 'name[:arch] (= "
			    "version)'",
			    what, lines.v[i]);
			goto out;
		}
		base_files |= !strcmp(b->deps[b->ndeps].name, "base-files");
		b->ndeps++;
	}
	if (!base_files) {
		ret = kerr_set(e, KILN_EPARSE,
			       "%s: Installed-Build-Depends lacks base-files (the release it was "
			       "built on)",
			       what);
		goto out;
	}
	strv_free(&lines);

	if (!(v = deb822_get(p, "Environment"))) {
		ret = kerr_set(e, KILN_EPARSE, "%s: no Environment field", what);
		goto out;
	}
	field_lines(v, &lines);
	free(v);
	b->env = xcalloc(lines.n ? lines.n : 1, sizeof(*b->env));
	for (size_t i = 0; i < lines.n; i++) {
		if (!parse_env(lines.v[i], &b->env[b->nenv])) {
			ret = kerr_set(e, KILN_EPARSE,
				       "%s: Environment line '%s' is not NAME=\"value\"", what,
				       lines.v[i]);
			goto out;
		}
		b->nenv++;
	}
out:
	strv_free(&lines);
	free(src);
	return ret;
}

int buildinfo_parse(const char *text, size_t len, const char *what, struct buildinfo *out,
		    struct kerr *e)
{
	struct kbuf plain = {0};
	struct deb822_parser ps;
	struct deb822_para p = {0};
	int r, ret;

	memset(out, 0, sizeof(*out));
	if ((ret = deb822_strip_signature(text, len, &plain, &out->was_signed, what, e)) < 0)
		goto out;
	deb822_init(&ps, plain.data, plain.len, what);
	if ((r = deb822_next(&ps, &p, e)) <= 0) {
		ret = r < 0 ? r : kerr_set(e, KILN_EPARSE, "%s: empty .buildinfo", what);
		goto out;
	}
	ret = parse_fields(&p, what, out, e);
out:
	deb822_para_free(&p);
	kbuf_free(&plain);
	if (ret < 0)
		buildinfo_free(out);
	return ret;
}

int buildinfo_load(const char *path, struct buildinfo *out, struct kerr *e)
{
	struct kbuf b = {0};
	int r = read_file(path, &b, 16u << 20, e);
	if (r == 0)
		r = buildinfo_parse(b.data, b.len, path, out, e);
	kbuf_free(&b);
	return r;
}
