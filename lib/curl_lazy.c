/* curl_lazy.c - libcurl, loaded the first time kiln downloads something.
 *
 * libcurl brings some thirty shared libraries with it (TLS, Kerberos, LDAP,
 * SSH, IDN, HTTP/2, ...). Linking it made every kiln command, even one that
 * only reads the cache (`kiln resolve` reads a pool in tens of ms), spend
 * about as long again in the dynamic loader. So kiln is not linked with
 * libcurl: the few libcurl functions lib/fetch.c calls are defined here, and
 * the first call dlopen()s libcurl and forwards to it. lib/fetch.c is
 * unchanged and still compiled against <curl/curl.h> (with its type checks).
 * libcurl's interface is stable within its soname (libcurl.so.4 since 2006).
 * Without libcurl, the first download fails with an error that says so. */
#include "kiln.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

/* the functions, not typecheck-gcc.h's macros */
#undef curl_easy_setopt
#undef curl_easy_getinfo

#define LIBCURL_SONAME "libcurl.so.4"

static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} cu;
static int cu_ok;
static pthread_once_t cu_once = PTHREAD_ONCE_INIT;

int lazy_sym(void *h, const char *soname, const char *name, void *fp)
{
	void *p = dlsym(h, name);
	if (!p) {
		log_warn("%s: no %s: %s", soname, name, dlerror());
		return -1;
	}
	memcpy(fp, &p, sizeof(p)); /* object pointer -> function pointer, as POSIX allows */
	return 0;
}

void *lazy_open(const char *soname, const char *package)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		log_warn("cannot load %s (apt-get install %s): %s", soname, package, dlerror());
	return h;
}

#define sym(h, name, fp) lazy_sym(h, LIBCURL_SONAME, name, fp)

static void cu_load(void)
{
	void *h = lazy_open(LIBCURL_SONAME, "libcurl4");
	if (!h)
		return;
	if (sym(h, "curl_global_init", &cu.global_init) < 0 ||
	    sym(h, "curl_easy_init", &cu.easy_init) < 0 ||
	    sym(h, "curl_easy_setopt", &cu.easy_setopt) < 0 ||
	    sym(h, "curl_easy_perform", &cu.easy_perform) < 0 ||
	    sym(h, "curl_easy_getinfo", &cu.easy_getinfo) < 0 ||
	    sym(h, "curl_easy_cleanup", &cu.easy_cleanup) < 0 ||
	    sym(h, "curl_easy_strerror", &cu.easy_strerror) < 0 ||
	    sym(h, "curl_slist_append", &cu.slist_append) < 0 ||
	    sym(h, "curl_slist_free_all", &cu.slist_free_all) < 0)
		return; /* h stays loaded: harmless, and dlclose may not unload */
	cu_ok = 1;
}

static int loaded(void)
{
	pthread_once(&cu_once, cu_load);
	return cu_ok;
}

CURLcode curl_global_init(long flags)
{
	return loaded() ? cu.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
	return loaded() ? cu.easy_init() : NULL;
}

/* One argument follows the option; its type is given by the option's number
 * range, which is how libcurl itself reads it. */
CURLcode curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
	va_list ap;
	CURLcode rc;
	if (!loaded())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = cu.easy_setopt(c, opt, va_arg(ap, long));
	else if (opt >= CURLOPTTYPE_OFF_T && opt < CURLOPTTYPE_BLOB)
		rc = cu.easy_setopt(c, opt, va_arg(ap, curl_off_t));
	else /* object, function and blob pointers are passed alike */
		rc = cu.easy_setopt(c, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *c)
{
	return loaded() ? cu.easy_perform(c) : CURLE_FAILED_INIT;
}

/* every CURLINFO takes a pointer to where the answer goes */
CURLcode curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
	va_list ap;
	CURLcode rc;
	if (!loaded())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = cu.easy_getinfo(c, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

void curl_easy_cleanup(CURL *c)
{
	if (loaded())
		cu.easy_cleanup(c);
}

const char *curl_easy_strerror(CURLcode rc)
{
	return loaded() ? cu.easy_strerror(rc) : "libcurl could not be loaded";
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return loaded() ? cu.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (loaded())
		cu.slist_free_all(l);
}
