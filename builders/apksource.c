/* apksource.c - an APKBUILD's sources: the sha512-addressed source cache
 * ($KILN_HOME/sources/sha512/xx/<hex>) and the verified copy a build uses. */
#include "builders/alpine.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void hex_of(const unsigned char *d, unsigned n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

/* sha512 and sha256 of a regular file in one pass (never through a symlink) */
static int source_digests(const char *path, char sha512_hex[129], char sha256_hex[65],
			  uint64_t *size, struct kerr *e)
{
	EVP_MD_CTX *c512 = EVP_MD_CTX_new(), *c256 = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE], buf[1 << 16];
	unsigned dl = 0;
	uint64_t total = 0;
	struct stat st;
	ssize_t r;
	int ret = 0, fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		ret = kerr_errno(e, errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO, "%s", path);
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = kerr_set(e, KILN_EVERIFY, "%s: not a regular file", path);
		goto out;
	}
	EVP_DigestInit_ex(c512, EVP_sha512(), NULL);
	EVP_DigestInit_ex(c256, EVP_sha256(), NULL);
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = kerr_errno(e, KILN_EIO, "reading %s", path);
			goto out;
		}
		EVP_DigestUpdate(c512, buf, (size_t)r);
		EVP_DigestUpdate(c256, buf, (size_t)r);
		total += (uint64_t)r;
	}
	EVP_DigestFinal_ex(c512, d, &dl);
	hex_of(d, dl, sha512_hex);
	EVP_DigestFinal_ex(c256, d, &dl);
	if (sha256_hex)
		hex_of(d, dl, sha256_hex);
	if (size)
		*size = total;
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(c512);
	EVP_MD_CTX_free(c256);
	return ret;
}

static int is_sha512_hex(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 128;
}

static char *cache_path(const char *hex)
{
	return xasprintf("%s/sources/sha512/%.2s/%s", kiln_home(), hex, hex);
}

int apk_source_cache_add(const char *file, char sha512_hex[129], struct kerr *e)
{
	char hex[129], *dir = NULL, *tmp = NULL, *dst = NULL;
	int ret;

	/* copy first, hash the copy: what is stored is what was hashed */
	char *base = xasprintf("%s/sources/sha512", kiln_home());
	if ((ret = mkdir_p(base, 0755, e)) < 0)
		goto out;
	tmp = xasprintf("%s/.incoming.%ld", base, (long)getpid());
	if ((ret = source_digests(file, hex, NULL, NULL, e)) < 0)
		goto out; /* refuse symlinks and non-files before copying */
	if ((ret = copy_file_atomic(file, tmp, 0644, e)) < 0)
		goto out;
	if ((ret = source_digests(tmp, hex, NULL, NULL, e)) < 0)
		goto out;
	dir = xasprintf("%s/%.2s", base, hex);
	dst = cache_path(hex);
	if ((ret = mkdir_p(dir, 0755, e)) < 0)
		goto out;
	if (rename(tmp, dst) < 0) {
		ret = kerr_errno(e, KILN_EIO, "storing %s as %s", file, dst);
		goto out;
	}
	fsync_dir_of(dst);
	memcpy(sha512_hex, hex, sizeof(hex));
out:
	if (tmp)
		unlink(tmp);
	free(base);
	free(tmp);
	free(dir);
	free(dst);
	return ret;
}

int apk_source_cache_path(const char *sha512_hex, char **path, struct kerr *e)
{
	*path = NULL;
	if (!is_sha512_hex(sha512_hex))
		return kerr_set(e, KILN_EUSAGE, "'%.140s' is not a sha512 in lower-case hex",
				sha512_hex);
	char *p = cache_path(sha512_hex);
	if (!path_exists(p)) {
		kerr_set(e, KILN_ENOTFOUND,
			 "no file with sha512 %.16s... in the source cache %s/sources (add it with "
			 "kiln source --add FILE)",
			 sha512_hex, kiln_home());
		free(p);
		return -KILN_ENOTFOUND;
	}
	*path = p;
	return 0;
}

/* ---- the sources of one APKBUILD ---- */

void apk_sources_free(struct apk_sources *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].origin);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int is_url(const char *s)
{
	return str_has_prefix(s, "http://") || str_has_prefix(s, "https://") ||
	       str_has_prefix(s, "ftp://");
}

/* the file name abuild gives a source= entry: "name::url" -> name, a URL ->
 * its last path component, a local file -> itself */
static char *source_file_name(const char *entry, int *remote)
{
	const char *sep = strstr(entry, "::");
	*remote = 0;
	if (sep && is_url(sep + 2)) {
		*remote = 1;
		return xstrndup(entry, (size_t)(sep - entry));
	}
	if (is_url(entry)) {
		*remote = 1;
		const char *slash = strrchr(entry, '/');
		return xstrdup(slash + 1);
	}
	return xstrdup(entry);
}

int apk_sources_verify(const struct apkbuild *ab, const char *dest, struct apk_sources *out,
		       struct kerr *e)
{
	char *file = xasprintf("%s/APKBUILD", ab->dir);
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (ab->source.n)
		out->v = xcalloc(ab->source.n, sizeof(*out->v));
	for (size_t i = 0; i < ab->source.n && ret == 0; i++) {
		const char *entry = ab->source.v[i], *want = NULL;
		int remote;
		char *name = source_file_name(entry, &remote), *path = NULL;
		char got512[129], sha256[SHA256_HEX_LEN + 1];
		uint64_t size = 0;

		if (!is_safe_filename(name) || name[0] == '.') {
			ret = kerr_set(e, KILN_EPARSE, "%s: source '%s': unusable file name '%s'",
				       file, entry, name);
			goto next;
		}
		for (size_t k = 0; k + 1 < ab->sha512sums.n; k += 2)
			if (!strcmp(ab->sha512sums.v[k + 1], name))
				want = ab->sha512sums.v[k];
		if (!want) {
			ret = kerr_set(e, KILN_EVERIFY, "%s: source %s has no sha512sums entry",
				       file, name);
			goto next;
		}
		if (remote) {
			if (apk_source_cache_path(want, &path, e) < 0) {
				ret = kerr_set(
				    e, KILN_ENOTFOUND,
				    "%s: source %s (%s) is not in the source cache "
				    "(sha512 %.16s...); add it with kiln source --add FILE",
				    file, name, entry, want);
				goto next;
			}
		} else {
			path = xasprintf("%s/%s", ab->dir, name);
		}
		if ((ret = source_digests(path, got512, sha256, &size, e)) < 0) {
			kerr_prefix(e, "%s: source %s: ", file, name);
			goto next;
		}
		if (strcmp(got512, want) != 0) {
			ret = kerr_set(e, KILN_EVERIFY,
				       "%s: source %s: sha512 mismatch (sha512sums says %.16s..., "
				       "the file %s has %.16s...)",
				       file, name, want, path, got512);
			goto next;
		}
		if (dest) {
			char *to = xasprintf("%s/%s", dest, name);
			ret = copy_file_atomic(path, to, 0644, e);
			if (ret == 0) {
				/* the copy must be what was verified */
				char again[129];
				ret = source_digests(to, again, NULL, NULL, e);
				if (ret == 0 && strcmp(again, want))
					ret = kerr_set(e, KILN_EVERIFY,
						       "%s: source %s changed while it was copied",
						       file, name);
			}
			free(to);
			if (ret < 0)
				goto next;
		}
		out->v[out->n].name = name;
		out->v[out->n].origin = xstrdup(entry);
		memcpy(out->v[out->n].sha256, sha256, sizeof(sha256));
		memcpy(out->v[out->n].sha512, got512, sizeof(got512));
		out->v[out->n].size = size;
		out->v[out->n].remote = remote;
		out->n++;
		name = NULL;
	next:
		free(name);
		free(path);
	}
	if (ret < 0)
		apk_sources_free(out);
	free(file);
	return ret;
}
