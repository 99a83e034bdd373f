/* apkdiff.c - .apk files for `kiln diff`: walk the gzip streams and their tarballs, read .PKGINFO
 * as fields. */
#include "attest/attest.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "distros/distros.h"

#define APK_MAX_BYTES ((uint64_t)4 << 30)
#define APK_MAX_INFLATED ((size_t)64 << 30) /* counted while finding the stream ends */

/* .PKGINFO as fields: "key = value" lines, comments left out, a repeated key's
 * values joined with spaces in their order */
static void pkginfo_fields(const struct kbuf *text, const char *what, struct strv *names,
			   struct strv *values)
{
	const char *s = text->data, *end = text->data ? text->data + text->len : NULL;
	while (s && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *le = nl ? nl : end;
		const char *eq = memmem(s, (size_t)(le - s), " = ", 3);
		if (*s != '#' && eq) {
			char *k = xstrndup(s, (size_t)(eq - s));
			char *v = xstrndup(eq + 3, (size_t)(le - eq - 3));
			size_t i;
			for (i = 0; i < names->n && strcmp(names->v[i], k); i++)
				;
			if (i < names->n) {
				char *joined = xasprintf("%s %s", values->v[i], v);
				free(values->v[i]);
				values->v[i] = joined;
				free(k);
				free(v);
			} else {
				strv_add_owned(names, k);
				strv_add_owned(values, v);
			}
		}
		s = nl ? nl + 1 : end;
	}
}

int apk_walk(const char *apk, const struct deb_walk_ops *ops, void *ctx, struct kerr *e)
{
	static const char *const names3[] = {"signature.tar.gz", "control.tar.gz", "data.tar.gz"};
	struct gz_members g = {0};
	struct stat st;
	void *map = MAP_FAILED;
	int fd = open(apk, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return kerr_errno(e, errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO, "%s", apk);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = kerr_set(e, KILN_EIO, "%s: not a regular file", apk);
		goto out;
	}
	if (st.st_size == 0 || (uint64_t)st.st_size > APK_MAX_BYTES) {
		ret = kerr_set(e, KILN_EPARSE, "%s: %s", apk,
			       st.st_size ? "larger than 4 GiB" : "empty file, not a .apk");
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		ret = kerr_errno(e, KILN_EIO, "%s", apk);
		goto out;
	}
	/* the stream ends first: only they say which bytes are which member */
	if ((ret = gz_split_members(map, (size_t)st.st_size, 3, 0, APK_MAX_INFLATED, apk, &g, e)) <
	    0)
		goto out;
	if (g.n < 2) {
		ret = kerr_set(e, KILN_EPARSE,
			       "%s: not an apk v2 package (%zu gzip stream; expected signature, "
			       "control, data)",
			       apk, g.n);
		goto out;
	}
	for (size_t i = 0; i < g.n && ret == 0; i++) {
		const char *member = names3[i + 3 - g.n];
		struct archive *in = archive_read_new();
		char sha[SHA256_HEX_LEN + 1];
		archive_read_support_filter_gzip(in);
		archive_read_support_format_tar(in);
		if (archive_read_open_memory(in, g.m[i].raw, g.m[i].raw_len) != ARCHIVE_OK)
			ret = kerr_set(e, KILN_EPARSE, "%s: %s: %s", apk, member,
				       archive_error_string(in));
		else
			ret = pkg_walk_tar(in, apk, member, 0, ops, ctx, e);
		archive_read_free(in);
		if (ret == 0 && ops->member) {
			sha256_mem(g.m[i].raw, g.m[i].raw_len, sha);
			ret = ops->member(ctx, member, g.m[i].raw_len, sha, e);
		}
	}
out:
	gz_members_free(&g);
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return ret;
}

const struct pkg_format apk_format = {
    "apk",
    apk_walk,
    "control:.PKGINFO",
    pkginfo_fields,
    "signature",
    "not compared in detail: a signature differs whenever what it signs does"};

int apk_diff(const char *a, const char *b, const struct diff_opts *o, json_t **report,
	     struct kerr *e)
{
	return pkg_diff(a, b, &apk_format, o, report, e);
}

const struct pkg_format *pkg_format_of(const char *path)
{
	unsigned char head[8] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, head, sizeof(head));
	if (fd >= 0)
		close(fd);
	if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		return &apk_format; /* gzip streams */
	if (n == 8 && !memcmp(head, "!<arch>\n", 8))
		return &deb_format;
	return str_has_suffix(path, ".apk") ? &apk_format : &deb_format;
}
