/* alpinedef.c - the Alpine-only fields of a distro definition (keys, apk-tools generation). */
#include "distros/distros.h"

#include <stdlib.h>
#include <string.h>

void alpine_def_free(struct alpine_def *a)
{
	if (!a)
		return;
	free(a->keys_dir);
	free(a->arch);
	memset(a, 0, sizeof(*a));
}

int alpine_def_load(const struct distro *d, struct alpine_def *out, struct kerr *e)
{
	struct deb822_parser ps;
	struct deb822_para para = {0};
	struct kbuf b;
	char *v;
	int r;

	memset(out, 0, sizeof(*out));
	out->apk_gen = APK_GEN2;
	if (!d->family || strcmp(d->family, "alpine") != 0)
		return kerr_set(e, KILN_EUSAGE, "%s is not an Alpine distro", d->name);
	kbuf_init(&b);
	if ((r = read_file(d->def_path, &b, 1 << 20, e)) < 0)
		goto out;
	deb822_init(&ps, b.data, b.len, d->def_path);
	if ((r = deb822_next(&ps, &para, e)) < 0)
		goto out;
	r = 0;
	if ((v = deb822_get(&para, "Apk-Tools"))) {
		if (!strcmp(v, "2") || !strcmp(v, "3")) {
			out->apk_gen = atoi(v);
		} else {
			r = kerr_set(e, KILN_EPARSE, "%s: Apk-Tools must be 2 or 3, not '%s'",
				     d->def_path, v);
		}
		free(v);
		if (r < 0)
			goto out;
	}
	if ((v = deb822_get(&para, "Keys-Dir"))) {
		if (v[0] == '/') {
			out->keys_dir = v;
		} else {
			char *dir = xstrdup(d->def_path), *slash = strrchr(dir, '/');
			if (slash)
				*slash = '\0';
			out->keys_dir = slash ? xasprintf("%s/%s", dir, v) : xstrdup(v);
			free(dir);
			free(v);
		}
	}
	out->arch = d->architectures.n ? xstrdup(d->architectures.v[0]) : xstrdup("x86_64");
out:
	deb822_para_free(&para);
	kbuf_free(&b);
	if (r < 0)
		alpine_def_free(out);
	return r < 0 ? r : 0;
}

int alpine_apk_gen(const struct distro *d)
{
	struct alpine_def a;
	struct kerr e;
	int gen;
	if (alpine_def_load(d, &a, &e) < 0)
		return APK_GEN2;
	gen = a.apk_gen;
	alpine_def_free(&a);
	return gen;
}
