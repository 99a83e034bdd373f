/* solvext_lazy.c - libsolvext, loaded the first time kiln needs it.
 *
 * kiln calls six functions of libsolvext (OpenPGP keys and signatures in
 * distros/debian/pgp.c, Packages files in solver/pool.c when no .solv cache
 * answers), but linking it made every command map nine more shared
 * libraries (librpm, librpmio, liblua, libgcrypt, libsqlite3, ...: libsolvext
 * is built with RPM support) and fault in their pages: about 80 page faults,
 * some 3 ms, on every start, `kiln sandbox` included. So, as with libcurl
 * (lib/curl_lazy.c), kiln defines those six functions here and the first
 * call dlopen()s libsolvext and forwards to it. libsolvext resolves its
 * libsolv symbols to the libsolv kiln is linked with (one pool, one
 * allocator). Without it, the calls fail the way libsolv reports failure. */
#include "kiln.h"

#include <pthread.h>
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_deb.h>
#include <solv/repo_pubkey.h>

#define SOLVEXT_SONAME "libsolvext.so.1"

static struct {
	__typeof__(repo_add_debpackages) *add_debpackages;
	__typeof__(repo_add_pubkey) *add_pubkey;
	__typeof__(repo_add_keyring) *add_keyring;
	__typeof__(solvsig_create) *sig_create;
	__typeof__(solvsig_free) *sig_free;
	__typeof__(solvsig_verify) *sig_verify;
} se;
static int se_ok;
static pthread_once_t se_once = PTHREAD_ONCE_INIT;

static void se_load(void)
{
	void *h = lazy_open(SOLVEXT_SONAME, "libsolvext1");
	if (!h)
		return;
	if (lazy_sym(h, SOLVEXT_SONAME, "repo_add_debpackages", &se.add_debpackages) < 0 ||
	    lazy_sym(h, SOLVEXT_SONAME, "repo_add_pubkey", &se.add_pubkey) < 0 ||
	    lazy_sym(h, SOLVEXT_SONAME, "repo_add_keyring", &se.add_keyring) < 0 ||
	    lazy_sym(h, SOLVEXT_SONAME, "solvsig_create", &se.sig_create) < 0 ||
	    lazy_sym(h, SOLVEXT_SONAME, "solvsig_free", &se.sig_free) < 0 ||
	    lazy_sym(h, SOLVEXT_SONAME, "solvsig_verify", &se.sig_verify) < 0)
		return;
	se_ok = 1;
}

static int loaded(void)
{
	pthread_once(&se_once, se_load);
	return se_ok;
}

int repo_add_debpackages(Repo *repo, FILE *fp, int flags)
{
	return loaded() ? se.add_debpackages(repo, fp, flags) : -1;
}

Id repo_add_pubkey(Repo *repo, const char *keyfile, int flags)
{
	return loaded() ? se.add_pubkey(repo, keyfile, flags) : 0;
}

int repo_add_keyring(Repo *repo, FILE *fp, int flags)
{
	return loaded() ? se.add_keyring(repo, fp, flags) : -1;
}

Solvsig *solvsig_create(FILE *fp)
{
	return loaded() ? se.sig_create(fp) : NULL;
}

void solvsig_free(Solvsig *ss)
{
	if (loaded())
		se.sig_free(ss);
}

Id solvsig_verify(Solvsig *ss, Repo *repo, Chksum *chk)
{
	return loaded() ? se.sig_verify(ss, repo, chk) : 0;
}
