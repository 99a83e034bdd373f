/* pool.c - Packages indices -> a libsolv pool with Debian semantics, each
 * index cached as a .solv file named by its content hash. */
#include "solver/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <solv/repo_deb.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/repodata.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* bump when what we store in a .solv changes */
#define SOLV_FORMAT "kiln-solv-5"

/* The value of field `name` in the stanza [p, end), or NULL; *len set. */
static const char *stanza_field(const char *p, const char *end, const char *name, size_t *len)
{
	size_t n = strlen(name);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > n && p[n] == ':' && !strncasecmp(p, name, n)) {
			const char *v = p + n + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			const char *ve = eol;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
				ve--;
			*len = (size_t)(ve - v);
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

/* libsolv's reader keeps neither Essential: nor Size:. Walk the stanzas the
 * way it does (a stanza ends at an empty line; stanzas without Package: are
 * dropped) and add both to the solvables, checking names stay in step. */
static int annotate(struct kiln_pool *kp, Repo *repo, Repodata *data, const char *path,
		    struct kbuf *meta, struct kerr *e)
{
	struct kbuf lines;
	uint32_t nrec = 0;
	kbuf_init(&lines);
	kbuf_adds(&lines, "");
	Pool *pool = kp->pool;
	struct kbuf b;
	Id sid = repo->start;
	int ret = 0;

	kbuf_init(&b);
	if (read_file(path, &b, (size_t)1 << 34, e) < 0)
		return -e->code;
	const char *p = b.data, *end = b.data + b.len;
	while (p < end) {
		const char *se = strstr(p, "\n\n");
		se = se ? se + 1 : end;
		size_t nl, el, zl;
		const char *name = stanza_field(p, se, "Package", &nl);
		if (name && nl) {
			while (sid < repo->end && pool->solvables[sid].repo != repo)
				sid++;
			Solvable *s = sid < repo->end ? &pool->solvables[sid] : NULL;
			const char *sn = s ? pool_id2str(pool, s->name) : "";
			if (!s || strlen(sn) != nl || strncmp(sn, name, nl)) {
				ret = kerr_set(e, KILN_EPARSE,
					       "%s: stanza for %.*s out of step with libsolv", path,
					       (int)nl, name);
				goto out;
			}
			const char *ess = stanza_field(p, se, "Essential", &el);
			if (ess && el == 3 && !strncasecmp(ess, "yes", 3))
				repodata_set_void(data, sid, kp->essential_key);
			const char *prio = stanza_field(p, se, "Priority", &el);
			if (prio && el == 8 && !strncasecmp(prio, "required", 8))
				repodata_set_void(data, sid, kp->required_key);
			/* what only the lock needs goes to the side file */
			size_t vl = 0, hl = 0, fl = 0;
			const char *ver = stanza_field(p, se, "Version", &vl);
			const char *sha = stanza_field(p, se, "SHA256", &hl);
			const char *size = stanza_field(p, se, "Size", &zl);
			const char *file = stanza_field(p, se, "Filename", &fl);
			uint32_t off = (uint32_t)lines.len;
			kbuf_add(meta, &off, sizeof(off));
			kbuf_printf(&lines, "%.*s %.*s %.*s %.*s %.*s\n", (int)nl, name, (int)vl,
				    ver ? ver : "", (int)hl, sha ? sha : "-", size ? (int)zl : 1,
				    size ? size : "0", file ? (int)fl : 1, file ? file : "-");
			nrec++;
			sid++;
		}
		p = se;
		while (p < end && *p == '\n')
			p++;
	}
	uint32_t end_off = (uint32_t)lines.len;
	kbuf_add(meta, &end_off, sizeof(end_off));
	kbuf_add(meta, lines.data, lines.len);
	/* header: magic and record count, in front of the offsets */
	char head[16] = "kiln-meta-1\n";
	memcpy(head + 12, &nrec, sizeof(nrec));
	struct kbuf m;
	kbuf_init(&m);
	kbuf_add(&m, head, sizeof(head));
	kbuf_add(&m, meta->data, meta->len);
	kbuf_free(meta);
	*meta = m;
out:
	kbuf_free(&lines);
	kbuf_free(&b);
	return ret;
}

/* What a build environment never needs is not cached: descriptions, and the
 * weak dependencies (a build root gets no Recommends or Suggests). */
static int keep_key(Repo *repo, Repokey *key, void *kfdata)
{
	switch (key->name) {
	case SOLVABLE_DESCRIPTION:
	case SOLVABLE_SUMMARY:
	case SOLVABLE_URL:
	case SOLVABLE_INSTALLSIZE:
	case SOLVABLE_SOURCENAME:
	case SOLVABLE_MEDIADIR: /* location, checksum: in the side file */
	case SOLVABLE_MEDIAFILE:
	case SOLVABLE_MEDIANR:
	case SOLVABLE_CHECKSUM:
	case SOLVABLE_RECOMMENDS:
	case SOLVABLE_SUGGESTS:
	case SOLVABLE_SUPPLEMENTS:
	case SOLVABLE_ENHANCES:
		return 0;
	default:
		return repo_write_stdkeyfilter(repo, key, kfdata);
	}
}

/* Parse a Packages file in a scratch pool and write it as .solv to fp. Going
 * through .solv every time makes the pool, and so every tie the solver and
 * the transaction order break by Id, the same whether the cache was warm. */
static int parse_to_solv(struct kiln_pool *kp, const char *path, FILE *out, struct kbuf *meta,
			 struct kerr *e)
{
	struct kiln_pool scratch = {0};
	FILE *fp = NULL;
	int ret = 0;

	scratch.pool = pool_create();
	pool_setdisttype(scratch.pool, DISTTYPE_DEB);
	scratch.essential_key = pool_str2id(scratch.pool, "kiln:essential", 1);
	scratch.required_key = pool_str2id(scratch.pool, "kiln:required", 1);
	Repo *repo = repo_create(scratch.pool, "scratch");
	if (!(fp = fopen(path, "r"))) {
		ret = kerr_errno(e, errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO, "cannot open %s",
				 path);
		goto out;
	}
	if (repo_add_debpackages(repo, fp, REPO_NO_INTERNALIZE) != 0) {
		ret = kerr_set(e, KILN_EPARSE, "%s: %s", path, pool_errstr(scratch.pool));
		goto out;
	}
	Repodata *data = repo_last_repodata(repo);
	if ((ret = annotate(&scratch, repo, data, path, meta, e)) < 0)
		goto out;
	repodata_internalize(data);
	Repowriter *w = repowriter_create(repo);
	repowriter_set_keyfilter(w, keep_key, NULL);
	int wr = repowriter_write(w, out);
	repowriter_free(w);
	if (wr != 0 || fflush(out) != 0)
		ret = kerr_errno(e, KILN_EIO, "cannot write the pool of %s", path);
out:
	if (fp)
		fclose(fp);
	pool_free(scratch.pool);
	return ret;
}

static int add_solv(struct kiln_pool *kp, Repo *repo, FILE *fp, const char *what, struct kerr *e)
{
	if (repo_add_solv(repo, fp, 0) == 0)
		return 0;
	return kerr_set(e, KILN_EPARSE, "%s: %s", what, pool_errstr(kp->pool));
}

/* the side file of a cached pool, mapped: only a few records are read */
static int map_meta(struct kiln_repo *kr, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size >= 16) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			kr->map = m;
			kr->map_len = (size_t)st.st_size;
		}
	}
	close(fd);
	return kr->map != NULL;
}

static int load_one(struct kiln_pool *kp, struct kiln_repo *kr, struct pool_index *ix,
		    const char *cache_dir, int *cached, struct kerr *e)
{
	char sha[SHA256_HEX_LEN + 1], key[SHA256_HEX_LEN + 1];
	char *cache = NULL, *keytext = NULL, *tmp = NULL;
	FILE *fp = NULL;
	int ret = 0;

	*cached = 0;
	kr->repo = repo_create(kp->pool, ix->name ? ix->name : ix->path);
	kr->repo->appdata = kr;
	if (cache_dir) {
		if (ix->sha256 && is_sha256_hex(ix->sha256))
			memcpy(sha, ix->sha256, sizeof(sha));
		else if (sha256_file(ix->path, sha, NULL, e) < 0)
			return -e->code;
		else
			ix->sha256 = xstrdup(sha); /* for clones */
		keytext = xasprintf("%s\n%s\n%s\n", sha, kp->host_arch, SOLV_FORMAT);
		sha256_mem(keytext, strlen(keytext), key);
		cache = xasprintf("%s/%s.solv", cache_dir, key);
		char *metapath = xasprintf("%s.meta", cache);
		int have_meta = map_meta(kr, metapath);
		free(metapath);
		if (have_meta && (fp = fopen(cache, "r"))) {
			if (repo_add_solv(kr->repo, fp, 0) == 0) {
				*cached = 1;
				goto out;
			}
			log_warn("ignoring unreadable cache %s: %s", cache, pool_errstr(kp->pool));
			repo_empty(kr->repo, 1);
			fclose(fp);
			fp = NULL;
		}
	}
	if (cache && mkdir_p(cache_dir, 0755, e) == 0) {
		tmp = xasprintf("%s.tmp.%d", cache, (int)getpid());
		fp = fopen(tmp, "w+");
	}
	if (!fp) /* no cache, or it cannot be written: an anonymous temporary file */
		fp = tmpfile();
	if (!fp) {
		ret = kerr_errno(e, KILN_EIO, "cannot create a temporary file");
		goto out;
	}
	kbuf_free(&kr->meta);
	if ((ret = parse_to_solv(kp, ix->path, fp, &kr->meta, e)) < 0)
		goto out;
	if (tmp) {
		/* the side file first: a .solv in the cache always has its .meta */
		char *metapath = xasprintf("%s.meta", cache);
		struct kerr we = {0};
		if (write_file_atomic(metapath, kr->meta.data, kr->meta.len, 0644, &we) < 0 ||
		    fsync(fileno(fp)) != 0 || rename(tmp, cache) != 0)
			log_warn("cannot keep the pool cache %s", cache); /* costs time only */
		free(metapath);
	}
	rewind(fp);
	ret = add_solv(kp, kr->repo, fp, ix->path, e);
out:
	if (fp)
		fclose(fp);
	if (tmp) {
		unlink(tmp); /* gone already when the rename worked */
		free(tmp);
	}
	free(cache);
	free(keytext);
	return ret;
}

static int cmp_id_str(const void *a, const void *b, void *dp)
{
	Pool *pool = dp;
	return strcmp(pool_id2str(pool, *(const Id *)a), pool_id2str(pool, *(const Id *)b));
}

/* A pool of the whole archive is some 40 MB of small and large blocks that
 * libsolv allocates, grows and frees while it loads. Page by page, that is
 * thousands of page faults, and on a virtual machine each costs several
 * microseconds: more than the loading itself. So, once per process, keep
 * large blocks on the heap (not in mmaps of their own that every free
 * returns), grow the heap in large steps, and ask for transparent huge pages
 * there, as glibc's glibc.malloc.hugetlb=1 tunable does: a few hundred
 * faults instead. Only the memory's placement changes, never its contents;
 * without huge pages (or with another allocator) nothing is lost. */
static void heap_for_pool(void)
{
	static int done;
	const size_t huge = (size_t)2 << 20, grow = (size_t)16 << 20;
	if (done)
		return;
	done = 1;
	mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's largest */
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	mallopt(M_TOP_PAD, 64 << 20);
	uintptr_t start = (uintptr_t)sbrk(0);
	void *volatile p = malloc(grow); /* volatile: kept, not optimized away */
	free(p);
	uintptr_t end = (uintptr_t)sbrk(0);
	start = (start + huge - 1) & ~(huge - 1);
	end &= ~(huge - 1);
	if (start != (uintptr_t)-1 && end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}

/* pool_createwhatprovides frees the string hash, and the first name looked
 * up after it (every request does) builds it anew over all the archive's
 * strings. It adds no string, so the hash stays valid: keep it across. */
static void create_whatprovides(Pool *pool)
{
	Hashtable sh = pool->ss.stringhashtbl;
	Hashval sm = pool->ss.stringhashmask;
	Id nstrings = pool->ss.nstrings;
	pool->ss.stringhashtbl = NULL;
	pool->ss.stringhashmask = 0;
	pool_createwhatprovides(pool);
	if (pool->ss.nstrings != nstrings || pool->ss.stringhashtbl) {
		solv_free(sh); /* not as expected: libsolv builds it again */
		return;
	}
	pool->ss.stringhashtbl = sh;
	pool->ss.stringhashmask = sm;
}

int kiln_pool_load(const struct pool_index *idx, size_t n, const char *host_arch,
		   const char *cache_dir, struct kiln_pool **out, struct kerr *e)
{
	struct kiln_pool *kp = xcalloc(1, sizeof(*kp));
	int ret = 0, cached;

	*out = NULL;
	heap_for_pool();
	kp->pool = pool_create();
	pool_setdisttype(kp->pool, DISTTYPE_DEB);
	kp->host_arch = xstrdup(host_arch);
	kp->essential_key = pool_str2id(kp->pool, "kiln:essential", 1);
	kp->required_key = pool_str2id(kp->pool, "kiln:required", 1);
	queue_init(&kp->essential);
	queue_init(&kp->required);
	queue_init(&kp->real);
	kp->repos = xcalloc(n ? n : 1, sizeof(*kp->repos));
	kp->all_cached = 1;
	kp->src = xcalloc(n ? n : 1, sizeof(*kp->src));
	kp->nsrc = n;
	kp->cache_dir = cache_dir ? xstrdup(cache_dir) : NULL;
	for (size_t i = 0; i < n; i++) {
		kp->src[i].path = xstrdup(idx[i].path);
		kp->src[i].mirror = idx[i].mirror ? xstrdup(idx[i].mirror) : NULL;
		kp->src[i].name = idx[i].name ? xstrdup(idx[i].name) : NULL;
		kp->src[i].sha256 = idx[i].sha256 ? xstrdup(idx[i].sha256) : NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct kiln_repo *kr = &kp->repos[kp->nrepos++];
		kr->mirror = xstrdup(idx[i].mirror ? idx[i].mirror : "");
		kr->name = xstrdup(idx[i].name ? idx[i].name : idx[i].path);
		if ((ret = load_one(kp, kr, &kp->src[i], cache_dir, &cached, e)) < 0)
			goto out;
		kp->all_cached &= cached;
	}
	/* A build root never gets Recommends or Suggests; libsolv would still walk
	 * them (and, through Suggests, most of the archive) on every solve. */
	for (Id sid = 2; sid < kp->pool->nsolvables; sid++) {
		Solvable *s = kp->pool->solvables + sid;
		s->recommends = s->suggests = s->supplements = s->enhances = 0;
	}
	create_whatprovides(kp->pool);
	/* the Essential: yes names, once each, sorted for a stable job order */
	Pool *pool = kp->pool;
	Id p;
	Solvable *s;
	FOR_POOL_SOLVABLES(p)
	{
		s = pool->solvables + p;
		if (solvable_lookup_void(s, kp->essential_key))
			queue_push(&kp->essential, s->name);
		if (solvable_lookup_void(s, kp->required_key))
			queue_push(&kp->required, p);
		/* a real package whose name other packages also Provide */
		Id q, qq;
		FOR_PROVIDES(q, qq, s->name)
		if (pool->solvables[q].name != s->name) {
			queue_push(&kp->real, p);
			break;
		}
	}
	if (kp->essential.count) {
		solv_sort(kp->essential.elements, (size_t)kp->essential.count, sizeof(Id),
			  cmp_id_str, pool);
		int j = 1;
		for (int i = 1; i < kp->essential.count; i++)
			if (kp->essential.elements[i] != kp->essential.elements[j - 1])
				kp->essential.elements[j++] = kp->essential.elements[i];
		queue_truncate(&kp->essential, j);
	}
out:
	if (ret < 0)
		kiln_pool_free(kp);
	else
		*out = kp;
	return ret;
}

void kiln_pool_free(struct kiln_pool *kp)
{
	if (!kp)
		return;
	for (size_t i = 0; i < kp->nrepos; i++) {
		kbuf_free(&kp->repos[i].meta);
		if (kp->repos[i].map)
			munmap(kp->repos[i].map, kp->repos[i].map_len);
		free(kp->repos[i].mirror);
		free(kp->repos[i].name);
	}
	free(kp->repos);
	for (size_t i = 0; i < kp->nsrc; i++) {
		free((char *)kp->src[i].path);
		free((char *)kp->src[i].mirror);
		free((char *)kp->src[i].name);
		free((char *)kp->src[i].sha256);
	}
	free(kp->src);
	free(kp->cache_dir);
	queue_free(&kp->essential);
	queue_free(&kp->required);
	queue_free(&kp->real);
	pool_free(kp->pool);
	free(kp->host_arch);
	free(kp);
}

size_t kiln_pool_size(const struct kiln_pool *kp)
{
	size_t n = 0;
	for (size_t i = 0; i < kp->nrepos; i++)
		n += (size_t)kp->repos[i].repo->nsolvables;
	return n;
}

int kiln_pool_from_cache(const struct kiln_pool *kp)
{
	return kp->all_cached;
}

int solver_pool_for_distro(const struct distro *d, const char *arch, struct kiln_pool **out,
			   struct kerr *e)
{
	struct index_list il;
	int r;

	*out = NULL;
	if ((r = debian_index_files(d, "Packages", arch, &il, e)) < 0)
		return r;
	if (!il.n) {
		index_list_free(&il);
		return kerr_set(e, KILN_ENOTFOUND, "%s has no Packages index for %s", d->name,
				arch);
	}
	struct pool_index *ix = xcalloc(il.n, sizeof(*ix));
	for (size_t i = 0; i < il.n; i++) {
		ix[i].path = il.v[i].path;
		ix[i].mirror = il.v[i].mirror;
		ix[i].name = il.v[i].suite;
		ix[i].sha256 = il.v[i].sha256;
	}
	char *state = distro_state_dir(d), *cache = xasprintf("%s/solv", state);
	r = kiln_pool_load(ix, il.n, arch, cache, out, e);
	free(state);
	free(cache);
	free(ix);
	index_list_free(&il);
	return r;
}

int kiln_pool_clone(const struct kiln_pool *kp, struct kiln_pool **out, struct kerr *e)
{
	return kiln_pool_load(kp->src, kp->nsrc, kp->host_arch, kp->cache_dir, out, e);
}

int kiln_pool_meta(struct kiln_pool *kp, Id p, struct pkg_meta *m, struct kerr *e)
{
	Pool *pool = kp->pool;
	Solvable *s = pool->solvables + p;
	struct kiln_repo *kr = kiln_repo_of(s);
	const char *d = kr->map ? kr->map : kr->meta.data;
	size_t len = kr->map ? kr->map_len : kr->meta.len;
	uint32_t n, i = (uint32_t)(p - s->repo->start), a, b;

	if (!d || len < 16 || memcmp(d, "kiln-meta-1\n", 12))
		return kerr_set(e, KILN_EIO, "%s: no package details in the pool cache", kr->name);
	memcpy(&n, d + 12, sizeof(n));
	size_t base = 16 + ((size_t)n + 1) * sizeof(uint32_t);
	if (i >= n || base > len)
		goto stale;
	memcpy(&a, d + 16 + (size_t)i * 4, 4);
	memcpy(&b, d + 16 + ((size_t)i + 1) * 4, 4);
	if (b <= a || base + b > len)
		goto stale;
	char *line = xstrndup(d + base + a, b - a - 1), *f[5], *save = NULL;
	int nf = 0;
	for (char *t = strtok_r(line, " ", &save); t && nf < 5; t = strtok_r(NULL, " ", &save))
		f[nf++] = t;
	if (nf != 5 || strcmp(f[0], pool_id2str(pool, s->name)) ||
	    strcmp(f[1], pool_id2str(pool, s->evr))) {
		free(line);
		goto stale;
	}
	m->sha256 = xstrdup(strcmp(f[2], "-") ? f[2] : "");
	m->size = strtoull(f[3], NULL, 10);
	m->filename = xstrdup(strcmp(f[4], "-") ? f[4] : "");
	free(line);
	return 0;
stale:
	return kerr_set(e, KILN_EIO, "%s: pool cache out of step for %s; remove %s", kr->name,
			pool_solvid2str(pool, p), kp->cache_dir ? kp->cache_dir : "the cache");
}

int solver_pool_for_files(const struct distro *d, const char *arch, const struct strv *files,
			  struct kiln_pool **kp, struct kerr *e)
{
	if (!files || !files->n)
		return solver_pool_for_distro(d, arch, kp, e);
	struct pool_index *ix = xcalloc(files->n, sizeof(*ix));
	for (size_t i = 0; i < files->n; i++) {
		ix[i].path = files->v[i];
		ix[i].mirror = d->nsuites ? d->suites[0].mirror : "";
		ix[i].name = d->codename;
	}
	char *cache = xasprintf("%s/indices/local-solv", kiln_home());
	int r = kiln_pool_load(ix, files->n, arch, cache, kp, e);
	free(cache);
	free(ix);
	return r;
}
