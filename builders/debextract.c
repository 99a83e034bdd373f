/* debextract.c - read .deb files with libarchive and unpack their data.tar
 * into a build root without ever leaving it. */
#include "builders/debreader.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- the ar container and its two tarballs ---- */

static int deb_err(struct kerr *e, int code, const char *deb, const char *what, struct archive *a)
{
	return kerr_set(e, code, "%s: %s%s%s", deb, what, a ? ": " : "",
			a ? (archive_error_string(a) ? archive_error_string(a) : "unknown error")
			  : "");
}

/* the inner tarball is read straight out of the ar member */
static la_ssize_t inner_read(struct archive *a, void *ud, const void **buf)
{
	static __thread char block[65536];
	struct deb_reader *r = ud;
	la_ssize_t n = archive_read_data(r->outer, block, sizeof(block));
	*buf = block;
	if (n < 0)
		archive_set_error(a, EIO, "%s", archive_error_string(r->outer));
	return n;
}

void deb_reader_close(struct deb_reader *r)
{
	if (r->inner)
		archive_read_free(r->inner);
	if (r->outer)
		archive_read_free(r->outer);
	r->inner = r->outer = NULL;
}

static int is_tar_member(const char *name, const char *stem)
{
	static const char *const exts[] = {"", ".gz", ".xz", ".zst", ".bz2", ".lzma", NULL};
	size_t l = strlen(stem);
	if (strncmp(name, stem, l) != 0)
		return 0;
	for (int i = 0; exts[i]; i++)
		if (!strcmp(name + l, exts[i]))
			return 1;
	return 0;
}

/* the next ar member's name, without a GNU-style trailing '/' */
static int next_member(struct deb_reader *r, char nm[64], struct kerr *e)
{
	struct archive_entry *ae;
	int rc = archive_read_next_header(r->outer, &ae);
	if (rc == ARCHIVE_EOF)
		return 0;
	if (rc != ARCHIVE_OK)
		return deb_err(e, KILN_EPARSE, r->path, "bad ar member", r->outer);
	const char *name = archive_entry_pathname(ae);
	if (!name || strlen(name) >= 64)
		return kerr_set(e, KILN_EPARSE, "%s: bad ar member name", r->path);
	snprintf(nm, 64, "%s", name);
	size_t l = strlen(nm);
	if (l && nm[l - 1] == '/')
		nm[l - 1] = '\0';
	r->member_mtime = archive_entry_mtime(ae);
	return 1;
}

int deb_reader_open(const char *deb, struct deb_reader *r, struct kerr *e)
{
	char nm[64] = "";
	la_ssize_t n;
	int ret;

	memset(r, 0, sizeof(*r));
	r->path = deb;
	r->outer = archive_read_new();
	archive_read_support_format_ar(r->outer);
	if (archive_read_open_filename(r->outer, deb, 65536) != ARCHIVE_OK) {
		ret = deb_err(e, KILN_EPARSE, deb, "not a .deb (ar archive)", r->outer);
		goto fail;
	}
	if ((ret = next_member(r, nm, e)) <= 0) {
		if (ret == 0)
			ret = kerr_set(e, KILN_EPARSE, "%s: an empty ar archive", deb);
		goto fail;
	}
	if (strcmp(nm, "debian-binary") != 0) {
		ret = kerr_set(e, KILN_EPARSE, "%s: first member is '%s', not debian-binary", deb,
			       nm);
		goto fail;
	}
	n = archive_read_data(r->outer, r->version, sizeof(r->version) - 1);
	if (n < 4 || strncmp(r->version, "2.", 2) != 0) {
		ret = kerr_set(e, KILN_EPARSE, "%s: unsupported .deb format version", deb);
		goto fail;
	}
	r->version_len = (size_t)n;
	r->version_mtime = r->member_mtime;
	return 0;
fail:
	deb_reader_close(r);
	return ret;
}

int deb_reader_next(struct deb_reader *r, const char *which, struct kerr *e)
{
	char nm[64] = "";
	int ret;
	for (;;) {
		if ((ret = next_member(r, nm, e)) <= 0)
			return ret == 0
				   ? kerr_set(e, KILN_EPARSE, "%s: no %s member", r->path, which)
				   : ret;
		if (nm[0] != '_') /* reserved for extensions; dpkg ignores them */
			break;
	}
	if (!is_tar_member(nm, which))
		return kerr_set(e, KILN_EPARSE, "%s: expected %s, found '%s'", r->path, which, nm);
	snprintf(r->member, sizeof(r->member), "%s", nm);
	return 0;
}

int deb_reader_open_inner(struct deb_reader *r, int raw, struct kerr *e)
{
	r->inner = archive_read_new();
	if (raw) {
		archive_read_support_format_raw(r->inner);
	} else {
		archive_read_support_format_tar(r->inner);
		archive_read_support_format_gnutar(r->inner);
	}
	archive_read_support_filter_gzip(r->inner);
	archive_read_support_filter_xz(r->inner);
	archive_read_support_filter_zstd(r->inner);
	archive_read_support_filter_bzip2(r->inner);
	archive_read_support_filter_lzma(r->inner);
	if (archive_read_open(r->inner, r, NULL, inner_read, NULL) != ARCHIVE_OK)
		return kerr_set(e, KILN_EPARSE, "%s: %s: %s", r->path, r->member,
				archive_error_string(r->inner) ? archive_error_string(r->inner)
							       : "unreadable");
	return 0;
}

/* Walk the ar members in dpkg's fixed order and open `which` ("control.tar"
 * or "data.tar") as a tar stream. */
static int deb_open(const char *deb, const char *which, struct deb_reader *r, struct kerr *e)
{
	int ret;
	if ((ret = deb_reader_open(deb, r, e)) < 0)
		return ret;
	if ((ret = deb_reader_next(r, "control.tar", e)) < 0 ||
	    (strcmp(which, "data.tar") == 0 && (ret = deb_reader_next(r, "data.tar", e)) < 0) ||
	    (ret = deb_reader_open_inner(r, 0, e)) < 0)
		deb_reader_close(r);
	return ret;
}

int deb_read_control(const char *deb, struct kbuf *out, struct kerr *e)
{
	struct deb_reader r;
	struct archive_entry *ae;
	int ret, rc;

	if ((ret = deb_open(deb, "control.tar", &r, e)) < 0)
		return ret;
	ret = kerr_set(e, KILN_EPARSE, "%s: control.tar has no ./control", deb);
	while ((rc = archive_read_next_header(r.inner, &ae)) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(ae);
		if (!n || (strcmp(n, "./control") != 0 && strcmp(n, "control") != 0))
			continue;
		if (archive_entry_size(ae) > (1 << 20)) {
			ret = kerr_set(e, KILN_EPARSE, "%s: control file too large", deb);
			break;
		}
		char buf[8192];
		la_ssize_t k;
		while ((k = archive_read_data(r.inner, buf, sizeof(buf))) > 0)
			kbuf_add(out, buf, (size_t)k);
		ret = k < 0 ? deb_err(e, KILN_EPARSE, deb, "control.tar", r.inner) : 0;
		if (ret == 0)
			kerr_clear(e);
		break;
	}
	if (rc != ARCHIVE_OK && rc != ARCHIVE_EOF)
		ret = deb_err(e, KILN_EPARSE, deb, "control.tar", r.inner);
	deb_reader_close(&r);
	return ret;
}

/* ---- safe extraction ---- */

/* a member name split into components: no absolute path, no "..", no empty
 * name; "." components and a leading "./" are dropped */
static int split_member(const char *name, struct strv *comps)
{
	if (!name || !*name || name[0] == '/')
		return -1;
	if (strlen(name) >= PATH_MAX)
		return -1;
	strv_split(comps, name, "/");
	for (size_t i = 0; i < comps->n;) {
		if (!strcmp(comps->v[i], "..") || strlen(comps->v[i]) > NAME_MAX)
			return -1;
		if (!strcmp(comps->v[i], ".")) {
			free(comps->v[i]);
			memmove(&comps->v[i], &comps->v[i + 1],
				(comps->n - i - 1) * sizeof(char *));
			comps->n--;
			continue;
		}
		i++;
	}
	return 0;
}

static int is_alias(const struct deb_extract_opts *o, const char *name)
{
	for (const char *const *a = o && o->aliases ? o->aliases : NULL; a && *a; a++)
		if (!strcmp(*a, name))
			return 1;
	return 0;
}

static int openat_in_root(int root_fd, const char *path)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve =
				   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
}

struct xctx {
	const char *deb, *member;
	int root_fd;
	const struct deb_extract_opts *o;
	struct kerr *e;
};

/* Open the directory holding comps[0..n-1], creating missing directories. The
 * only symlinks followed are the root's own top-level aliases, and those
 * resolve inside the root. */
static int open_parent(struct xctx *x, const struct strv *comps, size_t n, int create)
{
	int fd = fcntl(x->root_fd, F_DUPFD_CLOEXEC, 0);
	for (size_t i = 0; i < n && fd >= 0; i++) {
		const char *c = comps->v[i];
		int nfd = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
				kerr_errno(x->e, KILN_EIO, "%s: %s: creating directory %s", x->deb,
					   x->member, c);
				close(fd);
				return -1;
			}
			nfd = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		} else if (nfd < 0 && errno == ENOTDIR) {
			struct stat st;
			if (fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
				if (i != 0 || !is_alias(x->o, c)) {
					kerr_set(
					    x->e, KILN_EVERIFY,
					    "%s: member '%s' would write through the symlink '%s'",
					    x->deb, x->member, c);
					close(fd);
					return -1;
				}
				nfd = openat_in_root(x->root_fd, c);
			} else {
				kerr_set(x->e, KILN_EVERIFY,
					 "%s: member '%s': '%s' is not a directory", x->deb,
					 x->member, c);
				close(fd);
				return -1;
			}
		}
		if (nfd < 0) {
			kerr_errno(x->e, KILN_EIO, "%s: member '%s': opening %s", x->deb, x->member,
				   c);
			close(fd);
			return -1;
		}
		close(fd);
		fd = nfd;
	}
	return fd;
}

/* make room for a new non-directory entry: an old file or symlink goes, a
 * directory stays and is an error */
static int clear_slot(struct xctx *x, int dfd, const char *name)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0
				       : kerr_errno(x->e, KILN_EIO, "%s: %s", x->deb, x->member);
	if (S_ISDIR(st.st_mode))
		return kerr_set(x->e, KILN_EVERIFY, "%s: member '%s' would replace a directory",
				x->deb, x->member);
	if (unlinkat(dfd, name, 0) < 0)
		return kerr_errno(x->e, KILN_EIO, "%s: replacing %s", x->deb, x->member);
	return 0;
}

static int write_data(struct xctx *x, struct archive *a, int fd)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int rc;
	while ((rc = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		const char *p = buf;
		while (len) {
			ssize_t w = pwrite(fd, p, len, off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return kerr_errno(x->e, KILN_EIO, "%s: writing %s", x->deb,
						  x->member);
			p += w;
			off += w;
			len -= (size_t)w;
		}
	}
	if (rc != ARCHIVE_EOF)
		return deb_err(x->e, KILN_EPARSE, x->deb, x->member, a);
	/* sparse tail: the file is as long as the entry says */
	return 0;
}

static int extract_entry(struct xctx *x, struct archive *a, struct archive_entry *ae)
{
	struct strv comps = {0};
	const char *leaf;
	int dfd = -1, fd = -1, ret = 0;
	mode_t type = archive_entry_filetype(ae);
	mode_t perm = archive_entry_perm(ae) & 07777;
	uid_t uid = (uid_t)archive_entry_uid(ae);
	gid_t gid = (gid_t)archive_entry_gid(ae);
	struct timespec ts[2] = {{archive_entry_mtime(ae), 0}, {archive_entry_mtime(ae), 0}};

	if (x->o && (uid >= 65536 || gid >= 65536)) {
		ret = kerr_set(x->e, KILN_EVERIFY,
			       "%s: member '%s' has owner %u:%u, beyond the "
			       "65536 ids a root can map",
			       x->deb, x->member, (unsigned)uid, (unsigned)gid);
		goto out;
	}
	if (x->o) {
		uid += x->o->id_base;
		gid += x->o->id_base;
	}

	if (split_member(x->member, &comps) < 0) {
		ret = kerr_set(x->e, KILN_EVERIFY,
			       "%s: member '%s' leaves the root (absolute path "
			       "or '..')",
			       x->deb, x->member);
		goto out;
	}
	if (comps.n == 0) /* "./" itself */
		goto out;
	if (archive_entry_hardlink(ae))
		type = 0;
	else if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
		ret = kerr_set(x->e, KILN_EVERIFY,
			       "%s: member '%s' is a device node, fifo or socket: refused", x->deb,
			       x->member);
		goto out;
	}
	if ((dfd = open_parent(x, &comps, comps.n - 1, 1)) < 0) {
		ret = -x->e->code;
		goto out;
	}
	leaf = comps.v[comps.n - 1];
	if (type == AE_IFDIR) {
		struct stat st;
		if (mkdirat(dfd, leaf, 0700) < 0) {
			if (errno != EEXIST || fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				ret = kerr_errno(x->e, KILN_EIO, "%s: creating %s", x->deb,
						 x->member);
				goto out;
			}
			if (S_ISLNK(st.st_mode) && comps.n == 1 && is_alias(x->o, leaf))
				goto out; /* ./bin/ over the merged-/usr alias: keep the link */
			if (!S_ISDIR(st.st_mode)) {
				ret = kerr_set(
				    x->e, KILN_EVERIFY,
				    "%s: directory member '%s' over an existing non-directory",
				    x->deb, x->member);
				goto out;
			}
		}
		if ((fd = openat(dfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			ret = kerr_errno(x->e, KILN_EIO, "%s: opening %s", x->deb, x->member);
			goto out;
		}
		if (x->o && x->o->set_owner && fchown(fd, uid, gid) < 0) {
			ret = kerr_errno(x->e, KILN_EIO, "%s: chown %s", x->deb, x->member);
			goto out;
		}
		fchmod(fd, perm);
	} else if (type == AE_IFREG) {
		if ((ret = clear_slot(x, dfd, leaf)) < 0)
			goto out;
		fd = openat(dfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			ret = kerr_errno(x->e, KILN_EIO, "%s: creating %s", x->deb, x->member);
			goto out;
		}
		if ((ret = write_data(x, a, fd)) < 0)
			goto out;
		if (ftruncate(fd, archive_entry_size(ae)) < 0) {
			ret = kerr_errno(x->e, KILN_EIO, "%s: sizing %s", x->deb, x->member);
			goto out;
		}
		/* chown first: it clears setuid bits set before it */
		if (x->o && x->o->set_owner && fchown(fd, uid, gid) < 0) {
			ret = kerr_errno(x->e, KILN_EIO, "%s: chown %s", x->deb, x->member);
			goto out;
		}
		fchmod(fd, perm);
		futimens(fd, ts);
	} else if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(ae);
		if (!target || !*target) {
			ret = kerr_set(x->e, KILN_EPARSE, "%s: symlink '%s' has no target", x->deb,
				       x->member);
			goto out;
		}
		if ((ret = clear_slot(x, dfd, leaf)) < 0)
			goto out;
		/* the link itself may point anywhere: it is only ever followed
		 * inside the sandbox, and never by this extractor */
		if (symlinkat(target, dfd, leaf) < 0) {
			ret = kerr_errno(x->e, KILN_EIO, "%s: creating symlink %s", x->deb,
					 x->member);
			goto out;
		}
		if (x->o && x->o->set_owner)
			fchownat(dfd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW);
		utimensat(dfd, leaf, ts, AT_SYMLINK_NOFOLLOW);
	} else { /* hard link to an earlier member */
		struct strv tc = {0};
		int tfd;
		struct stat st;
		const char *t = archive_entry_hardlink(ae);
		if (split_member(t, &tc) < 0 || tc.n == 0) {
			strv_free(&tc);
			ret = kerr_set(x->e, KILN_EVERIFY,
				       "%s: hard link '%s' points outside the root ('%s')", x->deb,
				       x->member, t);
			goto out;
		}
		if ((tfd = open_parent(x, &tc, tc.n - 1, 0)) < 0) {
			strv_free(&tc);
			ret = -x->e->code;
			goto out;
		}
		if (fstatat(tfd, tc.v[tc.n - 1], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode)) {
			ret = kerr_set(
			    x->e, KILN_EVERIFY,
			    "%s: hard link '%s' to '%s', which is not a file of the archive",
			    x->deb, x->member, t);
		} else if ((ret = clear_slot(x, dfd, leaf)) == 0 &&
			   linkat(tfd, tc.v[tc.n - 1], dfd, leaf, 0) < 0) {
			ret = kerr_errno(x->e, KILN_EIO, "%s: hard link %s", x->deb, x->member);
		}
		close(tfd);
		strv_free(&tc);
	}
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	strv_free(&comps);
	return ret;
}

int tar_extract_safe(struct archive *a, const char *what, const char *stream, int root_fd,
		     const struct deb_extract_opts *o, struct kerr *e)
{
	struct archive_entry *ae;
	struct xctx x = {.deb = what, .root_fd = root_fd, .o = o, .e = e};
	int ret = 0, rc;

	while ((rc = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		x.member = archive_entry_pathname(ae);
		if (!x.member) {
			ret =
			    kerr_set(e, KILN_EPARSE, "%s: %s member without a name", what, stream);
			break;
		}
		if ((ret = extract_entry(&x, a, ae)) < 0)
			break;
	}
	if (ret == 0 && rc != ARCHIVE_EOF)
		ret = deb_err(e, KILN_EPARSE, what, stream, a);
	return ret;
}

int deb_extract_data(const char *deb, int root_fd, const struct deb_extract_opts *o, struct kerr *e)
{
	struct deb_reader r;
	int ret;

	if ((ret = deb_open(deb, "data.tar", &r, e)) < 0)
		return ret;
	ret = tar_extract_safe(r.inner, deb, r.member, root_fd, o, e);
	deb_reader_close(&r);
	return ret;
}

int source_archive_extract(const char *path, int root_fd, struct kerr *e)
{
	struct archive *a = archive_read_new();
	int ret;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		ret = deb_err(e, KILN_EPARSE, path, "not an archive", a);
	else
		ret = tar_extract_safe(a, path, "archive", root_fd, NULL, e);
	archive_read_free(a);
	return ret;
}
