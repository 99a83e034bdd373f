/* apkupdate.c - `kiln update` for Alpine: APKINDEX.tar.gz per repository, signature checked, kept
 * in the blob store with a per-suite manifest. */
#include "distros/distros.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *alpine_keys_dir(const struct distro *d, struct kerr *e)
{
	struct alpine_def a;
	struct stat st;
	char *dir;

	/* --keyring DIR replaces the definition's keys, as for Debian keyrings */
	if (d->keyrings.n && stat(d->keyrings.v[0], &st) == 0 && S_ISDIR(st.st_mode))
		return xstrdup(d->keyrings.v[0]);
	if (alpine_def_load(d, &a, e) < 0)
		return NULL;
	dir = a.keys_dir ? xstrdup(a.keys_dir) : xstrdup("/etc/apk/keys");
	alpine_def_free(&a);
	return dir;
}

static char *suite_dir(const struct distro *d, const char *suite)
{
	char *base = distro_state_dir(d), *s = xasprintf("%s/%s", base, suite);
	free(base);
	return s;
}

/* the manifest line of a previous update for repo/arch, if its blob is still there */
static int cached_entry(const char *manifest, const char *repo, const char *arch, char hex[65],
			unsigned long long *size)
{
	struct kbuf b;
	struct kerr e;
	int found = 0;
	kbuf_init(&b);
	if (read_file(manifest, &b, 1 << 20, &e) == 0) {
		for (char *line = strtok(b.data, "\n"); line && !found; line = strtok(NULL, "\n")) {
			char k[32], r[128], a[64], h[80];
			unsigned long long sz;
			if (sscanf(line, "%31s %127s %63s %79s %llu", k, r, a, h, &sz) == 5 &&
			    !strcmp(k, "APKINDEX") && !strcmp(r, repo) && !strcmp(a, arch) &&
			    is_sha256_hex(h) && blob_exists(h, sz)) {
				memcpy(hex, h, 65);
				*size = sz;
				found = 1;
			}
		}
	}
	kbuf_free(&b);
	return found;
}

static char *read_small(const char *path)
{
	struct kbuf b;
	struct kerr e;
	kbuf_init(&b);
	if (read_file(path, &b, 4096, &e) < 0) {
		kbuf_free(&b);
		return NULL;
	}
	return b.data;
}

static int update_repo(const struct suite_def *s, const char *repo, const char *arch,
		       const char *keys_dir, const char *dir, const struct update_opts *o,
		       struct kbuf *man, struct update_report *rep, struct kerr *e)
{
	char *url = xasprintf("%s/%s/%s/%s/APKINDEX.tar.gz", s->mirror, s->name, repo, arch);
	char *val_path = xasprintf("%s/%s_%s.Last-Modified", dir, repo, arch);
	char *man_path = xasprintf("%s/indices", dir), *tmpdir = xasprintf("%s/tmp", dir);
	char *ims = NULL, hex[65];
	unsigned long long size = 0;
	struct fetch_result res = {0};
	struct apk_index idx = {0};
	int ret = 0, have = cached_entry(man_path, repo, arch, hex, &size);

	if (o->fetch.offline) {
		if (!have) {
			ret = kerr_set(
			    e, KILN_ENOTFOUND,
			    "%s: no verified copy cached; run kiln update without --offline", url);
			goto out;
		}
		rep->indices_cached++;
		goto record;
	}
	ims = have ? read_small(val_path) : NULL;
	if ((ret = fetch_url(url, tmpdir, ims, &o->fetch, &res, e)) < 0)
		goto out;
	if (res.not_modified && have) {
		rep->indices_cached++;
		goto record;
	}
	if (res.not_modified) {
		ret = kerr_set(e, KILN_ENET, "%s: server says not modified, but nothing is cached",
			       url);
		goto out;
	}
	/* verified (signature, then every field parsed) before it is kept */
	{
		struct kbuf b;
		kbuf_init(&b);
		ret = read_file(res.path, &b, (size_t)1 << 30, e);
		if (ret == 0)
			ret = apk_index_read_mem(b.data, b.len, url, keys_dir, &idx, e);
		kbuf_free(&b);
		if (ret < 0)
			goto out;
	}
	log_verbose("%s: %zu packages, signed by %s", url, idx.n, idx.signer);
	{
		uint64_t sz;
		if ((ret = sha256_file(res.path, hex, &sz, e)) < 0)
			goto out;
		size = sz;
	}
	if (blob_exists(hex, size)) {
		rep->indices_cached++;
	} else {
		if ((ret = blob_adopt(res.path, hex, e)) < 0)
			goto out;
		free(res.path);
		res.path = NULL;
		rep->indices_downloaded++;
	}
	if (res.validator)
		write_file_atomic(val_path, res.validator, strlen(res.validator), 0644, e);
	else
		unlink(val_path);
record:
	kbuf_printf(man, "APKINDEX %s %s %s %llu\n", repo, arch, hex, size);
out:
	apk_index_free(&idx);
	fetch_result_free(&res);
	free(ims);
	free(url);
	free(val_path);
	free(man_path);
	rm_rf(tmpdir);
	free(tmpdir);
	return ret;
}

int alpine_update(const struct distro *d, const struct update_opts *o, struct update_report *rep,
		  struct kerr *e)
{
	double t0 = now_monotonic();
	char *state = distro_state_dir(d), *lock = xasprintf("%s/.lock", state), *keys = NULL;
	struct alpine_def a = {0};
	int ret, lfd = -1;

	memset(rep, 0, sizeof(*rep));
	if (strcmp(d->family, "alpine") != 0) {
		ret = kerr_set(e, KILN_EUSAGE, "%s: not an Alpine distro", d->name);
		goto out;
	}
	if ((ret = alpine_def_load(d, &a, e)) < 0 || !(keys = alpine_keys_dir(d, e))) {
		ret = ret < 0 ? ret : -e->code;
		goto out;
	}
	if ((ret = mkdir_p(state, 0755, e)) < 0)
		goto out;
	if ((lfd = lock_path(lock, 1, e)) < 0) {
		ret = -e->code;
		goto out;
	}
	for (size_t i = 0; i < d->nsuites && ret == 0; i++) {
		const struct suite_def *s = &d->suites[i];
		char *dir = suite_dir(d, s->name), *man_path = xasprintf("%s/indices", dir);
		struct kbuf man;
		kbuf_init(&man);
		ret = mkdir_p(dir, 0755, e);
		for (size_t c = 0; c < s->components.n && ret == 0; c++)
			for (size_t k = 0; k < d->architectures.n && ret == 0; k++)
				ret = update_repo(s, s->components.v[c], d->architectures.v[k],
						  keys, dir, o, &man, rep, e);
		/* the manifest only after every repository of the suite verified */
		if (ret == 0)
			ret =
			    write_file_atomic(man_path, man.data ? man.data : "", man.len, 0644, e);
		if (ret == 0)
			rep->suites++;
		kbuf_free(&man);
		free(man_path);
		free(dir);
	}
out:
	if (lfd >= 0)
		unlock_fd(lfd);
	rep->seconds = now_monotonic() - t0;
	alpine_def_free(&a);
	free(keys);
	free(state);
	free(lock);
	return ret;
}

static int apk_keep(const struct manifest_entry *m, const struct suite_def *s, void *ud,
		    char **mirror)
{
	const char *arch = ud;
	if (arch && strcmp(m->arch, arch))
		return 0;
	*mirror = xasprintf("%s/%s/%s/%s", s->mirror, s->name, m->component, m->arch);
	return 1;
}

int alpine_index_files(const struct distro *d, const char *arch, struct index_list *out,
		       struct kerr *e)
{
	return distro_manifest_files(d, apk_keep, (void *)arch, out, e);
}
