/* secfixes.c - the "# secfixes:" comment block of an APKBUILD: versions and the security IDs they
 * fix. */
#include "distros/distros.h"

#include <stdlib.h>
#include <string.h>

void apk_secfixes_free(struct apk_secfixes *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].version);
		strv_free(&s->v[i].ids);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int is_id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == ':';
}

static struct apk_secfix *find_or_add(struct apk_secfixes *s, const char *ver, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i].version) == n && !strncmp(s->v[i].version, ver, n))
			return &s->v[i];
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	s->v[s->n].version = xstrndup(ver, n);
	return &s->v[s->n++];
}

/* one line of the block; 1 = it ends the block */
static int block_line(const char *l, size_t n, struct apk_secfixes *s, struct apk_secfix **cur,
		      const char *file, size_t lineno, struct kerr *e)
{
	if (n == 0 || l[0] != '#')
		return 1;
	if (memchr(l, '\t', n))
		return kerr_set(e, KILN_EPARSE, "%s:%zu: secfixes: tabs are not allowed", file,
				lineno);
	if (n == 1) /* "#" */
		return 0;
	/* "#   VER:" - exactly three spaces, a digit first */
	if (n > 5 && !strncmp(l, "#   ", 4) && l[4] >= '0' && l[4] <= '9') {
		const char *v = l + 4;
		size_t vl = n - 4;
		while (vl && l[4 + vl - 1] == ' ')
			vl--;
		if (vl < 2 || v[vl - 1] != ':' || memchr(v, ' ', vl))
			return kerr_set(e, KILN_EPARSE, "%s:%zu: secfixes: bad version line", file,
					lineno);
		*cur = find_or_add(s, v, vl - 1);
		return 0;
	}
	/* "#  +- ID" */
	size_t i = 1;
	while (i < n && l[i] == ' ')
		i++;
	if (i >= 3 && i + 2 < n && l[i] == '-' && l[i + 1] == ' ') {
		size_t a = i + 2, b = a;
		size_t t;
		while (b < n && is_id_char(l[b]))
			b++;
		for (t = b; t < n && l[t] == ' '; t++)
			;
		if (b == a || t != n)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: secfixes: bad ID", file, lineno);
		if (!*cur)
			return kerr_set(e, KILN_EPARSE, "%s:%zu: secfixes: ID before any version",
					file, lineno);
		char *id = xstrndup(l + a, b - a);
		if (!strv_contains(&(*cur)->ids, id))
			strv_add_owned(&(*cur)->ids, id);
		else
			free(id);
		return 0;
	}
	/* any other comment line that is only spaces after '#' */
	if (i == n)
		return 0;
	return kerr_set(e, KILN_EPARSE, "%s:%zu: secfixes: unexpected line", file, lineno);
}

int apk_secfixes_parse(const char *text, size_t len, const char *file, struct apk_secfixes *out,
		       struct kerr *e)
{
	const char *p = text, *end = text + len;
	struct apk_secfix *cur = NULL;
	size_t lineno = 0;
	int in_block = 0, r;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		if (!in_block) {
			if (n >= 11 && !strncmp(p, "# secfixes:", 11)) {
				size_t k = 11;
				while (k < n && p[k] == ' ')
					k++;
				if (k == n)
					in_block = 1;
			}
		} else {
			r = block_line(p, n, out, &cur, file, lineno, e);
			if (r < 0) {
				apk_secfixes_free(out);
				return r;
			}
			if (r == 1)
				break; /* the first block is the block */
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}
