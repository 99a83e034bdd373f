/* update.c - `kiln update` for Debian: Release + Release.gpg per suite,
 * signature and dates checked, then Packages/Sources fetched (xz, by-hash),
 * checked against the Release, decompressed, checked again and kept in the
 * blob store; a per-suite manifest records the verified snapshot. */
#include "distros/distros.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_RELEASE_BYTES (64u << 20)
#define DATE_SKEW_SECONDS (24 * 3600) /* a Date further in the future is refused */

struct wanted_index {
	char *kind; /* Packages | Sources */
	char *component;
	char *arch;	/* amd64, all, source */
	char *rel_path; /* main/binary-amd64/Packages */
	const struct release_file *plain, *packed;
	char *packed_ext;
};

static char *suite_dir(const struct distro *d, const char *suite)
{
	char *base = distro_state_dir(d);
	char *s = xasprintf("%s/%s", base, suite);
	free(base);
	return s;
}

/* decompress a .xz/.gz blob into a temp file in dir; the caller checks its hash */
static int decompress_to(const char *src, const char *dir, char **out, struct kerr *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	char *tmp = xasprintf("%s/unpack.XXXXXX", dir);
	int fd = -1, ret = 0;

	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, src, 1 << 16) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ent) != ARCHIVE_OK) {
		ret = kerr_set(e, KILN_EVERIFY, "%s: cannot decompress: %s", src,
			       archive_error_string(a));
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = kerr_errno(e, KILN_EIO, "creating %s", tmp);
		goto out;
	}
	char buf[1 << 16];
	la_ssize_t n;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			ret = kerr_errno(e, KILN_EIO, "writing %s", tmp);
			goto out;
		}
	if (n < 0) {
		ret = kerr_set(e, KILN_EVERIFY, "%s: corrupt compressed data: %s", src,
			       archive_error_string(a));
		goto out;
	}
	if (fsync(fd) < 0)
		ret = kerr_errno(e, KILN_EIO, "writing %s", tmp);
out:
	if (fd >= 0)
		close(fd);
	archive_read_free(a);
	if (ret < 0) {
		unlink(tmp);
		free(tmp);
	} else {
		*out = tmp;
	}
	return ret;
}

static void wanted_free(struct wanted_index *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(w[i].kind);
		free(w[i].component);
		free(w[i].arch);
		free(w[i].rel_path);
		free(w[i].packed_ext);
	}
	free(w);
}

static int want(struct wanted_index **w, size_t *n, const struct release *r, const char *kind,
		const char *comp, const char *arch, const char *relname, int required,
		const char *what, struct kerr *e)
{
	static const char *exts[] = {".xz", ".gz", ""};
	char *path = xasprintf("%s/%s", comp, relname);
	const struct release_file *plain = release_find(r, path), *packed = NULL;
	const char *ext = NULL;

	for (size_t i = 0; i < 3 && !packed; i++) {
		char *p = xasprintf("%s%s", path, exts[i]);
		packed = release_find(r, p);
		ext = exts[i];
		free(p);
	}
	if (!plain || !packed) {
		free(path);
		if (!required)
			return 0;
		return kerr_set(e, KILN_ENOTFOUND, "%s: the Release does not list %s/%s", what,
				comp, relname);
	}
	*w = xrealloc(*w, (*n + 1) * sizeof(**w));
	struct wanted_index *x = &(*w)[(*n)++];
	x->kind = xstrdup(kind);
	x->component = xstrdup(comp);
	x->arch = xstrdup(arch);
	x->rel_path = path;
	x->plain = plain;
	x->packed = packed;
	x->packed_ext = xstrdup(ext);
	return 0;
}

/* fetch one index unless its uncompressed blob is already cached */
static int fetch_index(const struct suite_def *s, const struct release *r,
		       const struct wanted_index *w, const struct update_opts *o,
		       const char *tmpdir, int *downloaded, struct kerr *e)
{
	char *url = NULL, *what = NULL, *plain_tmp = NULL, *packed_blob = NULL;
	char hex[SHA256_HEX_LEN + 1];
	uint64_t size = 0;
	int ret = 0;

	*downloaded = 0;
	if (blob_exists(w->plain->sha256, w->plain->size) &&
	    blob_exists(w->packed->sha256, w->packed->size))
		return 0;
	what = xasprintf("%s/dists/%s/%s%s", s->mirror, s->name, w->rel_path, w->packed_ext);
	if (r->acquire_by_hash) {
		const char *slash = strrchr(w->rel_path, '/');
		url = xasprintf("%s/dists/%s/%.*s/by-hash/SHA256/%s", s->mirror, s->name,
				(int)(slash - w->rel_path), w->rel_path, w->packed->sha256);
	} else {
		url = xstrdup(what);
	}
	struct fetch_item it = {
	    .url = url, .sha256 = w->packed->sha256, .size = w->packed->size, .what = what};
	ret = fetch_blob(&it, &o->fetch, e);
	if (ret == -KILN_ENOTFOUND && r->acquire_by_hash) {
		/* some mirrors lag behind on by-hash copies: the plain path, same checks */
		log_verbose("%s: not found by hash, trying %s", url, what);
		it.url = what;
		kerr_clear(e);
		ret = fetch_blob(&it, &o->fetch, e);
	}
	if (ret < 0)
		goto out;
	*downloaded = !it.from_cache;
	packed_blob = blob_path(w->packed->sha256);
	if (w->packed == w->plain)
		goto out; /* the mirror had it uncompressed */
	if ((ret = decompress_to(packed_blob, tmpdir, &plain_tmp, e)) < 0) {
		kerr_prefix(e, "%s: ", what);
		goto out;
	}
	if ((ret = sha256_file(plain_tmp, hex, &size, e)) < 0)
		goto out;
	if (size != w->plain->size || strcmp(hex, w->plain->sha256) != 0) {
		ret = kerr_set(e, KILN_EVERIFY,
			       "%s: decompressed content does not match the Release (sha256 %s, "
			       "size %llu; expected %s, %llu)",
			       what, hex, (unsigned long long)size, w->plain->sha256,
			       (unsigned long long)w->plain->size);
		goto out;
	}
	if ((ret = blob_adopt(plain_tmp, hex, e)) < 0)
		goto out;
	/* the compressed blob stays too: it lets a local mirror be rebuilt from the cache */
	free(plain_tmp);
	plain_tmp = NULL;
out:
	if (plain_tmp) {
		unlink(plain_tmp);
		free(plain_tmp);
	}
	free(packed_blob);
	free(url);
	free(what);
	return ret;
}

static int check_dates(const struct release *r, const char *what, int64_t now, int offline,
		       struct kerr *e)
{
	if (r->date > now + DATE_SKEW_SECONDS)
		return kerr_set(e, KILN_EVERIFY, "%s: Date is in the future; check the clock",
				what);
	if (r->valid_until >= 0 && r->valid_until < now) {
		char buf[64];
		time_t t = (time_t)r->valid_until;
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
		if (offline) {
			log_warn("%s: expired on %s; accepted because checking was turned off or --offline", what, buf);
			return 0;
		}
		return kerr_set(e, KILN_EVERIFY, "%s: expired (Valid-Until %s)", what, buf);
	}
	return 0;
}

/* read "validator" file for If-Modified-Since */
static char *read_small(const char *path)
{
	struct kbuf b;
	struct kerr e;
	kbuf_init(&b);
	if (read_file(path, &b, 4096, &e) < 0) {
		kbuf_free(&b);
		return NULL;
	}
	while (b.len && (b.data[b.len - 1] == '\n'))
		b.data[--b.len] = '\0';
	return b.data;
}

/* Fetch the suite's signed Release: InRelease first (as apt does), else
 * Release + Release.gpg. On return *raw holds what was fetched (or the cached
 * copy when unchanged), *sig the detached signature if any, *inrelease the form. */
struct signed_release {
	struct kbuf raw, sig;
	int inrelease;
	int changed; /* differs from the cached copy */
	char *validator;
};

static void signed_release_free(struct signed_release *sr)
{
	kbuf_free(&sr->raw);
	kbuf_free(&sr->sig);
	free(sr->validator);
}

static int read_cached_release(const char *dir, struct signed_release *c)
{
	struct kerr e;
	char *p = xasprintf("%s/InRelease", dir);
	int ok = read_file(p, &c->raw, MAX_RELEASE_BYTES, &e) == 0;
	free(p);
	if (ok) {
		c->inrelease = 1;
		return 1;
	}
	kbuf_free(&c->raw);
	kbuf_init(&c->raw);
	p = xasprintf("%s/Release", dir);
	char *q = xasprintf("%s/Release.gpg", dir);
	ok = read_file(p, &c->raw, MAX_RELEASE_BYTES, &e) == 0 && read_file(q, &c->sig, 1 << 20, &e) == 0;
	free(p);
	free(q);
	return ok;
}

static int fetch_release(const struct suite_def *s, const char *tmpdir, const char *ims,
			 const struct signed_release *old, const struct update_opts *o,
			 struct signed_release *out, struct kerr *e)
{
	char *base = xasprintf("%s/dists/%s", s->mirror, s->name);
	char *url = xasprintf("%s/InRelease", base);
	struct fetch_result fr = {0};
	int ret;

	/* If-Modified-Since only applies to the form we have cached */
	ret = fetch_url(url, tmpdir, old->inrelease ? ims : NULL, &o->fetch, &fr, e);
	if (ret == -KILN_ENOTFOUND) {
		free(url);
		url = xasprintf("%s/Release", base);
		ret = fetch_url(url, tmpdir, old->inrelease ? NULL : ims, &o->fetch, &fr, e);
		out->inrelease = 0;
	} else {
		out->inrelease = 1;
	}
	if (ret < 0)
		goto out;
	out->validator = fr.validator ? xstrdup(fr.validator) : NULL;
	if (fr.not_modified) {
		kbuf_add(&out->raw, old->raw.data, old->raw.len);
		kbuf_add(&out->sig, old->sig.data ? old->sig.data : "", old->sig.len);
		out->changed = 0;
		goto out;
	}
	if ((ret = read_file(fr.path, &out->raw, MAX_RELEASE_BYTES, e)) < 0)
		goto out;
	out->changed = !(old->raw.data && out->inrelease == old->inrelease &&
			 old->raw.len == out->raw.len &&
			 memcmp(old->raw.data, out->raw.data, out->raw.len) == 0);
	if (!out->inrelease) {
		struct fetch_result fs = {0};
		char *sig_url = xasprintf("%s/Release.gpg", base);
		ret = fetch_url(sig_url, tmpdir, NULL, &o->fetch, &fs, e);
		if (ret == 0)
			ret = read_file(fs.path, &out->sig, 1 << 20, e);
		fetch_result_free(&fs);
		free(sig_url);
		out->changed = 1;
	}
out:
	fetch_result_free(&fr);
	free(base);
	free(url);
	return ret;
}

static int update_suite(const struct distro *d, const struct suite_def *s,
			const struct update_opts *o, struct update_report *rep, struct kerr *e)
{
	char *dir = suite_dir(d, s->name), *tmpdir = xasprintf("%s/tmp", dir);
	char *val_path = xasprintf("%s/Last-Modified", dir), *man_path = xasprintf("%s/indices", dir);
	char *what = xasprintf("%s/dists/%s/%s", s->mirror, s->name, "Release");
	char *validator = NULL, keyid[17] = "";
	struct signed_release old = {0}, cur = {0};
	struct kbuf text, oldtext, man;
	struct release r = {0}, oldr = {0};
	struct wanted_index *w = NULL;
	size_t nw = 0;
	int ret, have_old;
	int64_t now = o->now ? o->now : (int64_t)time(NULL);

	kbuf_init(&text);
	kbuf_init(&oldtext);
	kbuf_init(&man);
	kbuf_init(&old.raw);
	kbuf_init(&old.sig);
	if ((ret = mkdir_p(dir, 0755, e)) < 0)
		goto out;
	have_old = read_cached_release(dir, &old) && path_exists(man_path);
	if (!have_old) {
		signed_release_free(&old);
		memset(&old, 0, sizeof(old));
	}
	if (o->fetch.offline) {
		if (!have_old) {
			ret = kerr_set(e, KILN_ENOTFOUND,
				       "%s: no cached copy of %s; run kiln update without --offline",
				       d->name, s->name);
			goto out;
		}
		cur.inrelease = old.inrelease;
		kbuf_add(&cur.raw, old.raw.data, old.raw.len);
		kbuf_add(&cur.sig, old.sig.data ? old.sig.data : "", old.sig.len);
	} else {
		char *vp = have_old ? read_small(val_path) : NULL;
		validator = vp;
		if ((ret = fetch_release(s, tmpdir, validator, &old, o, &cur, e)) < 0)
			goto out;
	}
	if (!cur.changed)
		rep->releases_unchanged++;
	free(what);
	what = xasprintf("%s/dists/%s/%s", s->mirror, s->name,
			 cur.inrelease ? "InRelease" : "Release");
	/* the signature is checked every time: the cache is not a trust anchor */
	if (cur.inrelease)
		ret = pgp_verify_cleartext(cur.raw.data, cur.raw.len, &d->keyrings, what, keyid,
					   &text, e);
	else if ((ret = pgp_verify_detached(cur.raw.data, cur.raw.len, cur.sig.data,
					    cur.sig.len, &d->keyrings, what, keyid, e)) == 0)
		kbuf_add(&text, cur.raw.data, cur.raw.len);
	if (ret < 0)
		goto out;
	log_verbose("%s: good signature by key %s", what, keyid);
	if ((ret = release_parse(text.data, text.len, what, &r, e)) < 0)
		goto out;
	if (!((r.suite && !strcmp(r.suite, s->name)) || (r.codename && !strcmp(r.codename, s->name)))) {
		ret = kerr_set(e, KILN_EVERIFY, "%s: is for suite '%s' (codename '%s'), not '%s'",
			       what, r.suite ? r.suite : "?", r.codename ? r.codename : "?", s->name);
		goto out;
	}
	if ((ret = check_dates(&r, what, now, o->fetch.offline || o->no_check_valid_until, e)) < 0)
		goto out;
	if (cur.changed && have_old) {
		/* the cached copy was verified when stored; only its date matters here */
		struct kerr e2 = {0};
		if (old.inrelease)
			deb822_strip_signature(old.raw.data, old.raw.len, &oldtext, &(int){0}, what, &e2);
		else
			kbuf_add(&oldtext, old.raw.data, old.raw.len);
		if (oldtext.data && release_parse(oldtext.data, oldtext.len, what, &oldr, &e2) == 0 &&
		    oldr.date > r.date) {
			ret = kerr_set(e, KILN_EVERIFY,
				       "%s: older than the cached Release (a rollback?); refusing it",
				       what);
			goto out;
		}
	}
	/* which indices */
	for (size_t c = 0; c < s->components.n; c++) {
		const char *comp = s->components.v[c];
		for (size_t a = 0; a < d->architectures.n; a++) {
			char *rn = xasprintf("binary-%s/Packages", d->architectures.v[a]);
			ret = want(&w, &nw, &r, "Packages", comp, d->architectures.v[a], rn, 1, what, e);
			free(rn);
			if (ret < 0)
				goto out;
		}
		/* binary-all only when the archive keeps arch:all packages apart */
		if (strv_contains(&r.architectures, "all") && !r.no_arch_all_packages &&
		    (ret = want(&w, &nw, &r, "Packages", comp, "all", "binary-all/Packages", 0, what,
				e)) < 0)
			goto out;
		if (o->with_sources && (ret = want(&w, &nw, &r, "Sources", comp, "source",
						   "source/Sources", 1, what, e)) < 0)
			goto out;
	}
	for (size_t i = 0; i < nw; i++) {
		int dl = 0;
		if ((ret = fetch_index(s, &r, &w[i], o, tmpdir, &dl, e)) < 0)
			goto out;
		if (dl)
			rep->indices_downloaded++;
		else
			rep->indices_cached++;
		kbuf_printf(&man, "%s %s %s %s %llu\n", w[i].kind, w[i].component, w[i].arch,
			    w[i].plain->sha256, (unsigned long long)w[i].plain->size);
	}
	/* commit: the manifest, then the signed Release that vouches for it */
	ret = write_file_atomic(man_path, man.data ? man.data : "", man.len, 0644, e);
	if (ret == 0 && cur.changed) {
		char *ir = xasprintf("%s/InRelease", dir), *rl = xasprintf("%s/Release", dir);
		char *rg = xasprintf("%s/Release.gpg", dir);
		if (cur.inrelease) {
			ret = write_file_atomic(ir, cur.raw.data, cur.raw.len, 0644, e);
			unlink(rl);
			unlink(rg);
		} else {
			ret = write_file_atomic(rg, cur.sig.data, cur.sig.len, 0644, e);
			if (ret == 0)
				ret = write_file_atomic(rl, cur.raw.data, cur.raw.len, 0644, e);
			unlink(ir);
		}
		free(ir);
		free(rl);
		free(rg);
	}
	if (ret == 0 && cur.validator)
		ret = write_file_atomic(val_path, cur.validator, strlen(cur.validator), 0644, e);
out:
	signed_release_free(&old);
	signed_release_free(&cur);
	release_free(&r);
	release_free(&oldr);
	wanted_free(w, nw);
	kbuf_free(&text);
	kbuf_free(&oldtext);
	kbuf_free(&man);
	rm_rf(tmpdir);
	free(tmpdir);
	free(validator);
	free(dir);
	free(val_path);
	free(man_path);
	free(what);
	return ret;
}

int debian_update(const struct distro *d, const struct update_opts *o, struct update_report *rep,
		  struct kerr *e)
{
	double t0 = now_monotonic();
	char *state = distro_state_dir(d), *lock = NULL;
	int ret, lfd;

	memset(rep, 0, sizeof(*rep));
	if (strcmp(d->family, "debian") != 0)
		return kerr_set(e, KILN_EUSAGE, "%s: not a Debian distro", d->name);
	if ((ret = mkdir_p(state, 0755, e)) < 0)
		goto out;
	lock = xasprintf("%s/.lock", state);
	/* one updater per distro at a time; readers take the lock shared */
	if ((lfd = lock_path(lock, 1, e)) < 0) {
		ret = -e->code;
		goto out;
	}
	for (size_t i = 0; i < d->nsuites; i++) {
		if ((ret = update_suite(d, &d->suites[i], o, rep, e)) < 0)
			break;
		rep->suites++;
	}
	unlock_fd(lfd);
out:
	rep->seconds = now_monotonic() - t0;
	free(state);
	free(lock);
	return ret;
}

struct deb_filter {
	const char *kind, *arch;
};

static int deb_keep(const struct manifest_entry *m, const struct suite_def *s, void *ud,
		    char **mirror)
{
	const struct deb_filter *f = ud;
	if (strcmp(m->kind, f->kind) != 0)
		return 0;
	if (!strcmp(f->kind, "Packages") && f->arch && strcmp(m->arch, f->arch) &&
	    strcmp(m->arch, "all"))
		return 0;
	*mirror = xstrdup(s->mirror);
	return 1;
}

int debian_index_files(const struct distro *d, const char *kind, const char *arch,
		       struct index_list *out, struct kerr *e)
{
	struct deb_filter f = {kind, arch};
	return distro_manifest_files(d, deb_keep, &f, out, e);
}
