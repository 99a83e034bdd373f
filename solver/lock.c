/* lock.c - the lock's canonical text form (written, read back, hashed) and
 * its JSON form. Same lock => byte-identical text => same sha256. */
#include "solver/solver.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_MAGIC "kiln-lock 1"

void lock_free(struct lock *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		struct lock_pkg *p = &l->pkgs[i];
		free(p->name);
		free(p->version);
		free(p->arch);
		free(p->sha256);
		free(p->filename);
		free(p->mirror);
		free(p->checksum);
	}
	free(l->pkgs);
	free(l->distro);
	free(l->source);
	free(l->source_version);
	free(l->arch);
	memset(l, 0, sizeof(*l));
}

/* Text form:
 *   kiln-lock 1
 *   Distro: debian:bookworm
 *   Source: hello 2.10-3
 *   Arch: amd64
 *   Packages: 2
 *   <empty line>
 *   mirror http://deb.debian.org/debian
 *   base-files 12.4+deb12u5 amd64 <sha256> 70732
 * pool/main/b/base-files/base-files_12.4+deb12u5_amd64.deb essential libc6 2.36-9+deb12u7 amd64
 * <sha256> 2757932 pool/main/g/glibc/libc6_2.36-9+deb12u7_amd64.deb One package per line in install
 * order; a "mirror URL" line precedes each run of packages from the same mirror. */
char *lock_to_text(const struct lock *l)
{
	struct kbuf b;
	const char *mirror = NULL;

	kbuf_init(&b);
	kbuf_printf(&b, "%s\nDistro: %s\nSource: %s %s\nArch: %s\nPackages: %zu\n\n", LOCK_MAGIC,
		    l->distro ? l->distro : "-", l->source ? l->source : "-",
		    l->source_version ? l->source_version : "-", l->arch ? l->arch : "-", l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct lock_pkg *p = &l->pkgs[i];
		const char *m = p->mirror && *p->mirror ? p->mirror : "-";
		if (!mirror || strcmp(mirror, m)) {
			kbuf_printf(&b, "mirror %s\n", m);
			mirror = m;
		}
		kbuf_printf(&b, "%s %s %s %s %llu %s%s", p->name, p->version, p->arch,
			    p->sha256 && *p->sha256 ? p->sha256 : "-", (unsigned long long)p->size,
			    p->filename && *p->filename ? p->filename : "-",
			    p->essential ? " essential" : "");
		/* apk: the index's checksum of the package's control part */
		if (p->checksum && *p->checksum)
			kbuf_printf(&b, " C:%s", p->checksum);
		kbuf_adds(&b, "\n");
	}
	return b.data;
}

void lock_seal(struct lock *l)
{
	char *t = lock_to_text(l);
	sha256_mem(t, strlen(t), l->sha256);
	free(t);
}

void *lock_to_json(const struct lock *l)
{
	json_t *o = json_object(), *a = json_array();
	json_object_set_new(o, "format", json_string(LOCK_MAGIC));
	json_object_set_new(o, "distro", json_string(l->distro ? l->distro : ""));
	json_object_set_new(o, "source", json_string(l->source ? l->source : ""));
	json_object_set_new(o, "version", json_string(l->source_version ? l->source_version : ""));
	json_object_set_new(o, "arch", json_string(l->arch ? l->arch : ""));
	json_object_set_new(o, "sha256", json_string(l->sha256));
	for (size_t i = 0; i < l->n; i++) {
		const struct lock_pkg *p = &l->pkgs[i];
		json_t *j = json_object();
		json_object_set_new(j, "name", json_string(p->name));
		json_object_set_new(j, "version", json_string(p->version));
		json_object_set_new(j, "arch", json_string(p->arch));
		json_object_set_new(j, "sha256", json_string(p->sha256 ? p->sha256 : ""));
		json_object_set_new(j, "size", json_integer((json_int_t)p->size));
		json_object_set_new(j, "filename", json_string(p->filename ? p->filename : ""));
		json_object_set_new(j, "mirror", json_string(p->mirror ? p->mirror : ""));
		json_object_set_new(j, "essential", json_boolean(p->essential));
		if (p->checksum)
			json_object_set_new(j, "checksum", json_string(p->checksum));
		json_object_set_new(j, "order", json_integer((json_int_t)i + 1));
		json_array_append_new(a, j);
	}
	json_object_set_new(o, "packages", a);
	return o;
}

int lock_write(const struct lock *l, const char *path, struct kerr *e)
{
	char *t = lock_to_text(l);
	int r = write_file_atomic(path, t, strlen(t), 0644, e);
	free(t);
	return r;
}

static char *dash_null(const char *s, size_t n)
{
	return (n == 1 && s[0] == '-') ? xstrdup("") : xstrndup(s, n);
}

/* next line of [*p, end) without its '\n'; NULL at the end */
static const char *next_line(const char **p, const char *end, size_t *len)
{
	if (*p >= end)
		return NULL;
	const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl) {
		*len = (size_t)(end - s);
		*p = end;
		return s; /* no final newline: caught by the canonical check */
	}
	*len = (size_t)(nl - s);
	*p = nl + 1;
	return s;
}

static int header(const char *line, size_t len, const char *key, char **val)
{
	size_t k = strlen(key);
	if (len < k + 2 || strncmp(line, key, k) || line[k] != ':' || line[k + 1] != ' ')
		return 0;
	*val = xstrndup(line + k + 2, len - k - 2);
	return 1;
}

int lock_parse(const char *text, size_t len, const char *what, struct lock *out, struct kerr *e)
{
	const char *p = text, *end = text + len, *line;
	size_t ll, lineno = 0, cap = 0;
	char *mirror = NULL, *srcline = NULL, *count = NULL;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len))
		return kerr_set(e, KILN_EPARSE, "%s: not a kiln lock (NUL byte)", what);
#define BAD(...)                                                                                   \
	do {                                                                                       \
		ret = kerr_set(e, KILN_EPARSE, __VA_ARGS__);                                       \
		goto out;                                                                          \
	} while (0)
	line = next_line(&p, end, &ll), lineno++;
	if (!line || ll != strlen(LOCK_MAGIC) || strncmp(line, LOCK_MAGIC, ll))
		BAD("%s:1: not a kiln lock (expected '%s')", what, LOCK_MAGIC);
	line = next_line(&p, end, &ll), lineno++;
	if (!line || !header(line, ll, "Distro", &out->distro))
		BAD("%s:%zu: expected 'Distro: NAME'", what, lineno);
	line = next_line(&p, end, &ll), lineno++;
	if (!line || !header(line, ll, "Source", &srcline) || !strchr(srcline, ' '))
		BAD("%s:%zu: expected 'Source: NAME VERSION'", what, lineno);
	*strchr(srcline, ' ') = 0;
	out->source = xstrdup(srcline);
	out->source_version = xstrdup(srcline + strlen(srcline) + 1);
	line = next_line(&p, end, &ll), lineno++;
	if (!line || !header(line, ll, "Arch", &out->arch))
		BAD("%s:%zu: expected 'Arch: ARCH'", what, lineno);
	line = next_line(&p, end, &ll), lineno++;
	if (!line || !header(line, ll, "Packages", &count))
		BAD("%s:%zu: expected 'Packages: N'", what, lineno);
	line = next_line(&p, end, &ll), lineno++;
	if (!line || ll)
		BAD("%s:%zu: expected an empty line after the header", what, lineno);
	while ((line = next_line(&p, end, &ll))) {
		lineno++;
		if (ll > 7 && !strncmp(line, "mirror ", 7)) {
			free(mirror);
			mirror = dash_null(line + 7, ll - 7);
			continue;
		}
		if (!mirror)
			BAD("%s:%zu: a package before any 'mirror URL' line", what, lineno);
		const char *f[9];
		size_t fl[9], nf = 0;
		for (const char *q = line, *le = line + ll; q < le && nf < 9;) {
			const char *sp = memchr(q, ' ', (size_t)(le - q));
			f[nf] = q;
			fl[nf++] = sp ? (size_t)(sp - q) : (size_t)(le - q);
			q = sp ? sp + 1 : le;
		}
		/* optional after FILENAME: "essential", then "C:CHECKSUM" (apk) */
		size_t nopt = nf > 6 ? nf - 6 : 0;
		size_t ess = nopt && fl[6] == 9 && !strncmp(f[6], "essential", 9);
		size_t csum = nopt && fl[nf - 1] > 2 && !strncmp(f[nf - 1], "C:", 2);
		if (nf < 6 || nf > 8 || nopt != ess + csum)
			BAD("%s:%zu: expected 'NAME VERSION ARCH SHA256 SIZE FILENAME [essential]' "
			    "(apk packages: then 'C:CHECKSUM')",
			    what, lineno);
		char *sha = dash_null(f[3], fl[3]);
		if (*sha && !is_sha256_hex(sha)) {
			free(sha);
			BAD("%s:%zu: '%.*s' is not a sha256", what, lineno, (int)fl[3], f[3]);
		}
		char *endp, *sz = xstrndup(f[4], fl[4]);
		unsigned long long size = strtoull(sz, &endp, 10);
		int badsize = !*sz || *endp || (sz[0] == '0' && sz[1]);
		free(sz);
		if (badsize) {
			free(sha);
			BAD("%s:%zu: '%.*s' is not a size", what, lineno, (int)fl[4], f[4]);
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->pkgs = xrealloc(out->pkgs, cap * sizeof(*out->pkgs));
		}
		struct lock_pkg *k = &out->pkgs[out->n++];
		memset(k, 0, sizeof(*k));
		k->name = xstrndup(f[0], fl[0]);
		k->version = xstrndup(f[1], fl[1]);
		k->arch = xstrndup(f[2], fl[2]);
		k->sha256 = sha;
		k->size = size;
		k->filename = dash_null(f[5], fl[5]);
		k->mirror = xstrdup(mirror);
		k->essential = ess != 0;
		if (csum)
			k->checksum = xstrndup(f[nf - 1] + 2, fl[nf - 1] - 2);
	}
	/* only the canonical text is a lock: re-render and compare */
	char *again = lock_to_text(out);
	int same = strlen(again) == len && !memcmp(again, text, len);
	free(again);
	if (!same)
		BAD("%s: not in canonical form (package count, spacing or final newline differ)",
		    what);
	sha256_mem(text, len, out->sha256);
#undef BAD
out:
	free(mirror);
	free(srcline);
	free(count);
	if (ret < 0)
		lock_free(out);
	return ret;
}

int lock_read(const char *path, struct lock *out, struct kerr *e)
{
	struct kbuf b;
	int r;
	kbuf_init(&b);
	memset(out, 0, sizeof(*out));
	if ((r = read_file(path, &b, 64 << 20, e)) < 0)
		return r;
	r = lock_parse(b.data ? b.data : "", b.len, path, out, e);
	kbuf_free(&b);
	return r;
}
