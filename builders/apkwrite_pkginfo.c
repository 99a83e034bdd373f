/* apkwrite_pkginfo.c - a .apk's .PKGINFO: the metadata checked (one word per
 * list item, no line breaks), then written in abuild's order with the
 * so:/cmd:/pc: provides and so: depends the scanners found. */
#include "builders/apkwrite.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sort -u */
static void sort_unique(struct strv *l)
{
	size_t k = 0;
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++) {
		if (k && !strcmp(l->v[k - 1], l->v[i])) {
			free(l->v[i]);
			continue;
		}
		l->v[k++] = l->v[i];
	}
	l->n = k;
}

/* so: provides as abuild's scan_shared_objects: ET_DYN files directly in lib/,
 * usr/lib/ and the package's own rpath dirs, named *.so or *.so.N*; the
 * soname (else the file name) with the version from the file name (else 0);
 * a later non-zero version replaces a 0 */
static void so_provides(const struct apk_scan *s, struct strv *names, struct strv *vers)
{
	for (size_t i = 0; i + 2 < s->so_cands.n; i += 3) {
		const char *dir = s->so_cands.v[i], *file = s->so_cands.v[i + 1];
		const char *soname = *s->so_cands.v[i + 2] ? s->so_cands.v[i + 2] : file;
		if (strcmp(dir, "lib") && strcmp(dir, "usr/lib") && !strv_contains(&s->rpath, dir))
			continue;
		const char *so = strstr(soname, ".so");
		int shaped = str_has_suffix(soname, ".so") || str_has_suffix(soname, ".c32");
		for (; so && !shaped; so = strstr(so + 1, ".so"))
			shaped = so[3] == '.' && so[4] >= '0' && so[4] <= '9';
		if (!shaped)
			continue;
		const char *sover = "0", *p = NULL;
		for (const char *q = strstr(file, ".so."); q; q = strstr(q + 1, ".so."))
			p = q;
		if (p && p[4] >= '0' && p[4] <= '9')
			sover = p + 4;
		size_t k;
		for (k = 0; k < names->n && strcmp(names->v[k], soname); k++)
			;
		if (k == names->n) {
			strv_add(names, soname);
			strv_add(vers, sover);
		} else if (!strcmp(vers->v[k], "0")) {
			free(vers->v[k]);
			vers->v[k] = xstrdup(sover);
		}
	}
}

static int valid_value(const char *what, const char *v, struct kerr *e)
{
	if (v && strpbrk(v, "\n\r"))
		return kerr_set(e, KILN_EPARSE, "%s '%s...' holds a line break", what, v);
	return 0;
}

static int valid_list(const char *what, const struct strv *l, struct kerr *e)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (!*l->v[i] || strpbrk(l->v[i], " \t\n\r"))
			return kerr_set(e, KILN_EPARSE, "%s '%s' is not one word", what, l->v[i]);
	return 0;
}

static int valid_pkgname(const char *s)
{
	if (!s || !*s ||
	    !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("+_.-", *s)))
			return 0;
	return 1;
}

int apk_pkginfo_check(const struct apk_write_opts *o, struct kerr *e)
{
	const struct apk_pkg *m = o->meta;
	int ret;

	if (!valid_pkgname(m->name))
		return kerr_set(e, KILN_EPARSE, "'%s' is not a valid apk package name",
				m->name ? m->name : "");
	if (!m->version || !strstr(m->version, "-r") || !apk_version_valid(APK_GEN2, m->version))
		return kerr_set(e, KILN_EPARSE,
				"%s: '%s' is not a valid apk package version (pkgver-rN)", m->name,
				m->version ? m->version : "");
	if (!m->arch || !valid_pkgname(m->arch))
		return kerr_set(e, KILN_EPARSE, "%s: '%s' is not a valid architecture", m->name,
				m->arch ? m->arch : "");
	if ((ret = valid_value("pkgdesc", m->description, e)) < 0 ||
	    (ret = valid_value("url", m->url, e)) < 0 ||
	    (ret = valid_value("license", m->license, e)) < 0 ||
	    (ret = valid_value("maintainer", m->maintainer, e)) < 0 ||
	    (ret = valid_value("commit", m->commit, e)) < 0 ||
	    (ret = valid_value("packager", o->packager, e)) < 0 ||
	    (ret = valid_list("depend", &m->depends, e)) < 0 ||
	    (ret = valid_list("provides", &m->provides, e)) < 0 ||
	    (ret = valid_list("replaces", &m->replaces, e)) < 0 ||
	    (ret = valid_list("install_if", &m->install_if, e)) < 0 ||
	    (ret = valid_list("triggers", o->triggers, e)) < 0)
		return ret;
	if (m->origin && !valid_pkgname(m->origin))
		return kerr_set(e, KILN_EPARSE, "%s: '%s' is not a valid origin", m->name,
				m->origin);
	return 0;
}

/* a dependency on name, whatever its version constraint */
int apk_depends_on(const struct strv *deps, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < deps->n; i++)
		if (!strncmp(deps->v[i], name, n) && strchr("<>=~", deps->v[i][n]))
			return 1;
	return 0;
}

static void add_list(struct kbuf *b, const char *key, const struct strv *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		kbuf_printf(b, "%s = %s\n", key, l->v[i]);
}

static void add_joined(struct kbuf *b, const char *key, const struct strv *l)
{
	if (!l || !l->n)
		return;
	kbuf_printf(b, "%s =", key);
	for (size_t i = 0; i < l->n; i++)
		kbuf_printf(b, " %s", l->v[i]);
	kbuf_adds(b, "\n");
}

/* .PKGINFO, in abuild's order (prepare_metafiles, then trace_apk_deps) */
void apk_pkginfo_text(const struct apk_write_opts *o, uint64_t size, int needs_sh,
		      const struct apk_scan *s, const char *datahash, struct kbuf *b)
{
	const struct apk_pkg *m = o->meta;
	struct strv so_names = {0}, so_vers = {0}, prov = {0}, cmds = {0}, deps = {0};

	kbuf_printf(b, "# Generated by kiln %s\n", KILN_VERSION);
	kbuf_printf(b, "pkgname = %s\npkgver = %s\n", m->name, m->version);
	kbuf_printf(b, "pkgdesc = %s\nurl = %s\n", m->description ? m->description : "",
		    m->url ? m->url : "");
	kbuf_printf(b, "builddate = %lld\npackager = %s\nsize = %llu\narch = %s\norigin = %s\n",
		    (long long)o->source_date_epoch, o->packager ? o->packager : "Unknown",
		    (unsigned long long)size, m->arch, m->origin ? m->origin : m->name);
	if (m->commit && *m->commit)
		kbuf_printf(b, "commit = %s\n", m->commit);
	if (m->maintainer && *m->maintainer)
		kbuf_printf(b, "maintainer = %s\n", m->maintainer);
	if (m->replaces_priority)
		kbuf_printf(b, "replaces_priority = %lld\n", (long long)m->replaces_priority);
	if (m->has_provider_priority)
		kbuf_printf(b, "provider_priority = %lld\n", (long long)m->provider_priority);
	kbuf_printf(b, "license = %s\n", m->license ? m->license : "");
	add_list(b, "replaces", &m->replaces);
	add_list(b, "depend", &m->depends);
	if (needs_sh)
		kbuf_adds(b, "depend = /bin/sh\n");
	add_list(b, "provides", &m->provides);
	add_joined(b, "triggers", o->triggers);
	add_joined(b, "install_if", &m->install_if);

	kbuf_adds(b, "# automatically detected:\n");
	so_provides(s, &so_names, &so_vers);
	for (size_t i = 0; i < so_names.n; i++)
		strv_add_owned(&prov, xasprintf("so:%s=%s", so_names.v[i], so_vers.v[i]));
	sort_unique(&prov);
	add_list(b, "provides", &prov);
	for (size_t i = 0; i < s->cmds.n; i++)
		strv_add_owned(&cmds, xasprintf("cmd:%s=%s", s->cmds.v[i], m->version));
	sort_unique(&cmds);
	add_list(b, "provides", &cmds);
	struct strv pcs = {0};
	for (size_t i = 0; i < s->pcs.n; i++)
		strv_add(&pcs, s->pcs.v[i]);
	sort_unique(&pcs);
	add_list(b, "provides", &pcs);
	for (size_t i = 0; i < s->needed.n; i++)
		if (!strv_contains(&so_names, s->needed.v[i]))
			strv_add_owned(&deps, xasprintf("so:%s", s->needed.v[i]));
	sort_unique(&deps);
	add_list(b, "depend", &deps);
	kbuf_printf(b, "datahash = %s\n", datahash);
	strv_free(&so_names);
	strv_free(&so_vers);
	strv_free(&prov);
	strv_free(&cmds);
	strv_free(&pcs);
	strv_free(&deps);
}
