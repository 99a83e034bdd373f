/* apkinstalled.c - the installed database (/lib/apk/db/installed): packages, their directories and
 * files. */
#include "distros/alpine/apk-private.h"

#include <stdlib.h>
#include <string.h>

/* "uid:gid:mode" with octal mode */
static int parse_acl(const char *v, unsigned *uid, unsigned *gid, unsigned *mode)
{
	char *end;
	unsigned long a = strtoul(v, &end, 10);
	if (*end != ':')
		return -1;
	unsigned long b = strtoul(end + 1, &end, 10);
	if (*end != ':')
		return -1;
	unsigned long m = strtoul(end + 1, &end, 8);
	/* a fourth field may follow: the checksum of the extended attributes */
	if ((*end && *end != ':') || m > 07777)
		return -1;
	*uid = (unsigned)a;
	*gid = (unsigned)b;
	*mode = (unsigned)m;
	return 0;
}

static int installed_field(struct apk_pkg *p, char f, const char *v, const char *file, size_t line,
			   struct kerr *e)
{
	struct apk_dir_entry *d = p->ndirs ? &p->dirs[p->ndirs - 1] : NULL;
	struct apk_file_entry *fe = d && d->nfiles ? &d->files[d->nfiles - 1] : NULL;

	switch (f) {
	case 'F':
		p->dirs = xrealloc(p->dirs, (p->ndirs + 1) * sizeof(*p->dirs));
		d = &p->dirs[p->ndirs++];
		memset(d, 0, sizeof(*d));
		d->path = xstrdup(v);
		return 0;
	case 'M':
		if (!d)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: M: before any F:", file, line);
		if (parse_acl(v, &d->uid, &d->gid, &d->mode) < 0)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: bad M:%s", file, line, v);
		return 0;
	case 'R':
		if (!d)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: R: before any F:", file, line);
		if (!*v || strchr(v, '/'))
			return kerr_set(e, KILN_EPARSE, "%s:%zu: bad file name R:%s", file, line,
					v);
		d->files = xrealloc(d->files, (d->nfiles + 1) * sizeof(*d->files));
		fe = &d->files[d->nfiles++];
		memset(fe, 0, sizeof(*fe));
		fe->name = xstrdup(v);
		return 0;
	case 'a':
		if (!fe)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: a: before any R:", file, line);
		if (parse_acl(v, &fe->uid, &fe->gid, &fe->mode) < 0)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: bad a:%s", file, line, v);
		return 0;
	case 'Z': {
		unsigned char tmp[32];
		size_t n;
		if (!fe)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: Z: before any R:", file, line);
		if (apk_checksum_decode(v, tmp, &n) < 0)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: bad checksum Z:%s", file, line, v);
		free(fe->checksum);
		fe->checksum = xstrdup(v);
		return 0;
	}
	}
	return apk_pkg_set_field(p, f, v, file, line, e);
}

int apk_installed_parse(const char *text, size_t len, const char *file, struct apk_index *db,
			struct kerr *e)
{
	const char *s = text, *end = text + len;
	size_t lineno = 0;
	int in_pkg = 0, r = 0;

	memset(db, 0, sizeof(*db));
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		lineno++;
		s = nl ? nl + 1 : end;
		if (n == 0) {
			in_pkg = 0;
			continue;
		}
		if (n < 2 || le[-n + 1] != ':') {
			r = kerr_set(e, KILN_EPARSE, "%s:%zu: expected 'X:value'", file, lineno);
			goto fail;
		}
		if (!in_pkg) {
			apk_index_new_pkg(db);
			in_pkg = 1;
		}
		char *v = xstrndup(le - n + 2, n - 2);
		r = installed_field(&db->pkgs[db->n - 1], le[-n], v, file, lineno, e);
		free(v);
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < db->n; i++)
		if (!db->pkgs[i].name || !db->pkgs[i].version) {
			r = kerr_set(e, KILN_EPARSE, "%s: package entry %zu has no P: or V:", file,
				     i + 1);
			goto fail;
		}
	return 0;
fail:
	apk_index_free(db);
	return r;
}

int apk_installed_read(const char *path, struct apk_index *db, struct kerr *e)
{
	struct kbuf b;
	int r;
	kbuf_init(&b);
	memset(db, 0, sizeof(*db));
	if ((r = read_file(path, &b, (size_t)1 << 30, e)) == 0)
		r = apk_installed_parse(b.data ? b.data : "", b.len, path, db, e);
	kbuf_free(&b);
	return r;
}

void apk_installed_format(const struct apk_index *db, struct kbuf *o)
{
	for (size_t i = 0; i < db->n; i++) {
		const struct apk_pkg *p = &db->pkgs[i];
		apk_pkg_format_header(p, o);
		if (p->replaces.n) {
			kbuf_adds(o, "r:");
			for (size_t k = 0; k < p->replaces.n; k++)
				kbuf_printf(o, "%s%s", k ? " " : "", p->replaces.v[k]);
			kbuf_adds(o, "\n");
		}
		if (p->replaces_priority)
			kbuf_printf(o, "q:%lld\n", (long long)p->replaces_priority);
		if (p->repo_tag)
			kbuf_printf(o, "s:%s\n", p->repo_tag);
		if (p->broken)
			kbuf_printf(o, "f:%s\n", p->broken);
		for (size_t d = 0; d < p->ndirs; d++) {
			const struct apk_dir_entry *de = &p->dirs[d];
			kbuf_printf(o, "F:%s\n", de->path);
			if (de->mode)
				kbuf_printf(o, "M:%u:%u:%o\n", de->uid, de->gid, de->mode);
			for (size_t f = 0; f < de->nfiles; f++) {
				const struct apk_file_entry *fe = &de->files[f];
				kbuf_printf(o, "R:%s\n", fe->name);
				if (fe->mode)
					kbuf_printf(o, "a:%u:%u:%o\n", fe->uid, fe->gid, fe->mode);
				if (fe->checksum)
					kbuf_printf(o, "Z:%s\n", fe->checksum);
			}
		}
		kbuf_adds(o, "\n");
	}
}
