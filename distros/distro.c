/* distro.c - distro definitions: find, parse and apply mirror overrides. */
#include "distros/distros.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* candidate directories holding *.conf definitions, strongest first */
static void definition_dirs(struct strv *dirs)
{
	const char *env = getenv("KILN_DISTROS_DIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env)
		strv_add(dirs, env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			strv_add_owned(dirs, xasprintf("%s/distros/defs", exe)); /* source tree */
			strv_add_owned(dirs,
				       xasprintf("%s/../share/kiln/distros", exe)); /* installed */
		}
	}
	strv_add(dirs, KILN_DATADIR "/distros");
}

/* definition file name for a distro name: "debian:bookworm" -> debian-bookworm.conf */
static char *def_filename(const char *name)
{
	char *f = xasprintf("%s.conf", name);
	for (char *p = f; *p; p++)
		if (*p == ':')
			*p = '-';
	return f;
}

int distro_list(struct strv *names, struct kerr *e)
{
	struct strv dirs = {0};
	definition_dirs(&dirs);
	for (size_t i = 0; i < dirs.n; i++) {
		DIR *d = opendir(dirs.v[i]);
		struct dirent *de;
		if (!d)
			continue;
		while ((de = readdir(d))) {
			if (!str_has_suffix(de->d_name, ".conf"))
				continue;
			char *n = xstrndup(de->d_name, strlen(de->d_name) - 5);
			char *dash = strchr(n, '-');
			if (dash)
				*dash = ':';
			if (!strv_contains(names, n))
				strv_add(names, n);
			free(n);
		}
		closedir(d);
	}
	strv_free(&dirs);
	strv_sort(names);
	if (names->n == 0)
		return kerr_set(
		    e, KILN_ENOTFOUND,
		    "no distro definitions found (set KILN_DISTROS_DIR or run make install)");
	return 0;
}

void distro_free(struct distro *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->family);
	free(d->codename);
	free(d->version);
	free(d->def_path);
	for (size_t i = 0; i < d->nsuites; i++) {
		free(d->suites[i].name);
		free(d->suites[i].mirror);
		free(d->suites[i].mirror_name);
		strv_free(&d->suites[i].components);
	}
	free(d->suites);
	strv_free(&d->architectures);
	strv_free(&d->keyrings);
	strv_free(&d->build_essential);
	free(d->build_path);
	free(d->backport_suffix);
	free(d->security_suite);
	free(d->next_suite);
	free(d);
}

/* "NAME = URL" lines from the mirrors config file */
static char *config_mirror(const char *config, const char *mirror_name)
{
	struct kbuf b;
	struct kerr e;
	char *found = NULL;

	kbuf_init(&b);
	if (!config || read_file(config, &b, 1 << 20, &e) < 0) {
		kbuf_free(&b);
		return NULL;
	}
	for (char *line = strtok(b.data, "\n"); line; line = strtok(NULL, "\n")) {
		char *eq = strchr(line, '=');
		if (*line == '#' || !eq)
			continue;
		char *k = line, *v = eq + 1;
		*eq = '\0';
		while (*k == ' ' || *k == '\t')
			k++;
		for (char *t = eq - 1; t >= k && (*t == ' ' || *t == '\t'); t--)
			*t = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		for (char *t = v + strlen(v) - 1; t >= v && (*t == ' ' || *t == '\t' || *t == '\r');
		     t--)
			*t = '\0';
		if (strcmp(k, mirror_name) == 0) {
			free(found);
			found = xstrdup(v);
		}
	}
	kbuf_free(&b);
	return found;
}

static char *effective_mirror(const char *mirror_name, const char *def_url,
			      const struct distro_overrides *ov)
{
	const char *cfg = ov && ov->config ? ov->config : getenv("KILN_CONFIG");
	const char *env;
	char *c;

	if (!cfg)
		cfg = "/etc/kiln/mirrors.conf";
	if (!strcmp(mirror_name, "debian") || !strcmp(mirror_name, "alpine")) {
		if (ov && ov->mirror)
			return xstrdup(ov->mirror);
		if ((env = getenv("KILN_MIRROR")) && *env)
			return xstrdup(env);
	} else if (!strcmp(mirror_name, "debian-security")) {
		if (ov && ov->security_mirror)
			return xstrdup(ov->security_mirror);
		if ((env = getenv("KILN_SECURITY_MIRROR")) && *env)
			return xstrdup(env);
	}
	if ((c = config_mirror(cfg, mirror_name)))
		return c;
	return xstrdup(def_url);
}

static void strip_trailing_slash(char *s)
{
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

static int parse_definition(const char *path, const char *text, size_t len,
			    const struct distro_overrides *ov, struct distro *d, struct kerr *e)
{
	struct deb822_parser ps;
	struct deb822_para para = {0};
	int r, first = 1, ret = 0;

	deb822_init(&ps, text, len, path);
	while ((r = deb822_next(&ps, &para, e)) > 0) {
		if (first) {
			char *v;
			first = 0;
			d->name = deb822_get(&para, "Distro");
			d->family = deb822_get(&para, "Family");
			d->codename = deb822_get(&para, "Codename");
			d->version = deb822_get(&para, "Version");
			d->build_path = deb822_get(&para, "Build-Path");
			d->backport_suffix = deb822_get(&para, "Backport-Suffix");
			d->security_suite = deb822_get(&para, "Security-Suite");
			d->next_suite = deb822_get(&para, "Next-Suite");
			if ((v = deb822_get(&para, "Architectures"))) {
				strv_split(&d->architectures, v, " \t\n,");
				free(v);
			}
			if ((v = deb822_get(&para, "Keyrings"))) {
				strv_split(&d->keyrings, v, " \t\n,");
				free(v);
			}
			if ((v = deb822_get(&para, "Build-Essential"))) {
				strv_split(&d->build_essential, v, " \t\n,");
				free(v);
			}
			if (!d->name || !d->family || !d->codename) {
				ret = kerr_set(
				    e, KILN_EPARSE,
				    "%s: the first paragraph needs Distro, Family and Codename",
				    path);
				goto out;
			}
			continue;
		}
		char *suite = deb822_get(&para, "Suite");
		char *url = deb822_get(&para, "Mirror");
		char *mname = deb822_get(&para, "Mirror-Name");
		char *comps = deb822_get(&para, "Components");
		if (!suite || !url || !mname || !comps) {
			free(suite);
			free(url);
			free(mname);
			free(comps);
			ret = kerr_set(
			    e, KILN_EPARSE,
			    "%s:%zu: a suite needs Suite, Mirror, Mirror-Name and Components", path,
			    para.line);
			goto out;
		}
		d->suites = xrealloc(d->suites, (d->nsuites + 1) * sizeof(*d->suites));
		struct suite_def *s = &d->suites[d->nsuites++];
		memset(s, 0, sizeof(*s));
		s->name = suite;
		s->mirror_name = mname;
		s->mirror = effective_mirror(mname, url, ov);
		strip_trailing_slash(s->mirror);
		strv_split(&s->components, comps, " \t\n,");
		free(url);
		free(comps);
	}
	if (r < 0)
		ret = r;
	else if (first)
		ret = kerr_set(e, KILN_EPARSE, "%s: empty definition", path);
out:
	deb822_para_free(&para);
	return ret;
}

int distro_load(const char *name, const struct distro_overrides *ov, struct distro **out,
		struct kerr *e)
{
	struct strv dirs = {0};
	char *fname;
	int ret = -KILN_ENOTFOUND;

	*out = NULL;
	if (!strchr(name, ':') || strchr(name, '/') || strstr(name, "..")) {
		kerr_set(e, KILN_ENOTFOUND, "'%s' is not a distro name (like debian:bookworm)",
			 name);
		goto unknown;
	}
	fname = def_filename(name);
	definition_dirs(&dirs);
	for (size_t i = 0; i < dirs.n; i++) {
		char *path = xasprintf("%s/%s", dirs.v[i], fname);
		struct kbuf b;
		kbuf_init(&b);
		if (read_file(path, &b, 1 << 20, e) == 0) {
			struct distro *d = xcalloc(1, sizeof(*d));
			ret = parse_definition(path, b.data, b.len, ov, d, e);
			d->def_path = path;
			path = NULL;
			if (ret == 0 && strcmp(d->name, name) != 0)
				ret = kerr_set(e, KILN_EPARSE, "%s: defines %s, not %s",
					       d->def_path, d->name, name);
			if (ret == 0 && ov && ov->keyring) {
				strv_free(&d->keyrings);
				strv_add(&d->keyrings, ov->keyring);
			}
			if (ret == 0)
				*out = d;
			else
				distro_free(d);
			kbuf_free(&b);
			free(path);
			break;
		}
		kbuf_free(&b);
		free(path);
	}
	free(fname);
	strv_free(&dirs);
	if (ret != -KILN_ENOTFOUND)
		return ret;
	kerr_set(e, KILN_ENOTFOUND, "unknown distro '%s'", name);
unknown : {
	struct strv names = {0};
	struct kerr e2;
	if (distro_list(&names, &e2) == 0) {
		struct kbuf b;
		kbuf_init(&b);
		for (size_t i = 0; i < names.n; i++)
			kbuf_printf(&b, "%s%s", i ? ", " : "", names.v[i]);
		size_t l = strlen(e->msg);
		snprintf(e->msg + l, sizeof(e->msg) - l, "; known distros: %s", b.data);
		kbuf_free(&b);
	}
	strv_free(&names);
}
	return -KILN_ENOTFOUND;
}

char *distro_state_dir(const struct distro *d)
{
	char *s = xasprintf("%s/indices/%s", kiln_home(), d->name);
	for (char *p = s + strlen(kiln_home()); *p; p++)
		if (*p == ':')
			*p = '_';
	return s;
}

void index_list_free(struct index_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].suite);
		free(l->v[i].component);
		free(l->v[i].mirror);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int distro_manifest_files(const struct distro *d, manifest_keep_fn keep, void *ud,
			  struct index_list *out, struct kerr *e)
{
	char *state = distro_state_dir(d), *lock = xasprintf("%s/.lock", state);
	int ret = 0, lfd;

	memset(out, 0, sizeof(*out));
	if (!path_exists(state)) {
		ret = kerr_set(e, KILN_ENOTFOUND, "%s has no verified indices yet; run: kiln update %s",
			       d->name, d->name);
		goto out;
	}
	/* shared: an update holds it exclusively while it rewrites the manifests */
	if ((lfd = lock_path(lock, 0, e)) < 0) {
		ret = -e->code;
		goto out;
	}
	for (size_t i = 0; i < d->nsuites && ret == 0; i++) {
		char *man = xasprintf("%s/%s/indices", state, d->suites[i].name);
		struct kbuf b;
		kbuf_init(&b);
		if (read_file(man, &b, 1 << 20, e) < 0)
			ret = kerr_set(e, KILN_ENOTFOUND,
				       "%s: suite %s has no verified indices; run: kiln update %s",
				       d->name, d->suites[i].name, d->name);
		for (char *line = ret ? NULL : strtok(b.data, "\n"); line;
		     line = strtok(NULL, "\n")) {
			char k[32], comp[128], a[64], hex[80], *mirror = NULL;
			unsigned long long size;
			if (sscanf(line, "%31s %127s %63s %79s %llu", k, comp, a, hex, &size) != 5 ||
			    !is_sha256_hex(hex)) {
				ret = kerr_set(e, KILN_EPARSE, "%s: malformed line", man);
				break;
			}
			struct manifest_entry m = {k, comp, a, hex, size};
			if (!keep(&m, &d->suites[i], ud, &mirror))
				continue;
			if (!blob_exists(hex, size)) {
				free(mirror);
				ret = kerr_set(e, KILN_ENOTFOUND,
					       "%s: cached index %s is missing; run: kiln update %s",
					       d->name, hex, d->name);
				break;
			}
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			struct index_file *f = &out->v[out->n++];
			memset(f, 0, sizeof(*f));
			f->path = blob_path(hex);
			f->suite = xstrdup(d->suites[i].name);
			f->component = xstrdup(comp);
			f->mirror = mirror;
			memcpy(f->sha256, hex, sizeof(f->sha256));
		}
		free(man);
		kbuf_free(&b);
	}
	unlock_fd(lfd);
out:
	if (ret < 0)
		index_list_free(out);
	free(state);
	free(lock);
	return ret;
}
