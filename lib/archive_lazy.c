/* archive_lazy.c - libarchive, loaded the first time kiln reads or writes an
 * archive.
 *
 * libarchive is built with every format and filter, so it brings libxml2,
 * ICU (with libstdc++), nettle, libacl, lz4 and more: linked, they cost each
 * kiln start some 160 page faults (6 ms on this VM; `kiln sandbox` starts in
 * ~30 ms), though most commands (`kiln sandbox`, resolve, check, vercmp)
 * never open an archive. As with libcurl (lib/curl_lazy.c), the libarchive
 * functions kiln calls are defined here and forward to libarchive.so.13,
 * dlopen()ed on the first call; the callers are unchanged and compiled
 * against <archive.h>, whose declarations these definitions must match. The
 * soname has been stable since 2011. libarchive is needed for the work in
 * hand when it is first called, so failing to load it ends kiln with an
 * error that says what to install. */
#include "kiln.h"

#include <archive.h>
#include <archive_entry.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define LIBARCHIVE_SONAME "libarchive.so.13"

/* F(return type, name, (parameters), (arguments)) for functions with a
 * result, V(name, (parameters), (arguments)) for void ones */
#define LA_FUNCS(F, V)                                                                             \
	F(struct archive *, archive_read_new, (void), ())                                          \
	F(int, archive_read_free, (struct archive * a), (a))                                       \
	F(int, archive_read_support_format_ar, (struct archive * a), (a))                          \
	F(int, archive_read_support_format_tar, (struct archive * a), (a))                         \
	F(int, archive_read_support_format_gnutar, (struct archive * a), (a))                      \
	F(int, archive_read_support_format_raw, (struct archive * a), (a))                         \
	F(int, archive_read_support_format_zip, (struct archive * a), (a))                         \
	F(int, archive_read_support_filter_all, (struct archive * a), (a))                         \
	F(int, archive_read_support_filter_gzip, (struct archive * a), (a))                        \
	F(int, archive_read_support_filter_xz, (struct archive * a), (a))                          \
	F(int, archive_read_support_filter_zstd, (struct archive * a), (a))                        \
	F(int, archive_read_support_filter_bzip2, (struct archive * a), (a))                       \
	F(int, archive_read_support_filter_lzma, (struct archive * a), (a))                        \
	F(int, archive_read_open,                                                                  \
	  (struct archive * a, void *ud, archive_open_callback *o, archive_read_callback *r,       \
	   archive_close_callback *c),                                                             \
	  (a, ud, o, r, c))                                                                        \
	F(int, archive_read_open_filename, (struct archive * a, const char *f, size_t bs),         \
	  (a, f, bs))                                                                              \
	F(int, archive_read_open_memory, (struct archive * a, const void *b, size_t n), (a, b, n)) \
	F(int, archive_read_next_header, (struct archive * a, struct archive_entry * *e), (a, e))  \
	F(la_ssize_t, archive_read_data, (struct archive * a, void *b, size_t n), (a, b, n))       \
	F(int, archive_read_data_block,                                                            \
	  (struct archive * a, const void **b, size_t *n, la_int64_t *off), (a, b, n, off))        \
	F(const char *, archive_error_string, (struct archive * a), (a))                           \
	F(struct archive *, archive_write_new, (void), ())                                         \
	F(int, archive_write_free, (struct archive * a), (a))                                      \
	F(int, archive_write_set_format_ustar, (struct archive * a), (a))                          \
	F(int, archive_write_open_filename, (struct archive * a, const char *f), (a, f))           \
	F(int, archive_write_header, (struct archive * a, struct archive_entry * e), (a, e))       \
	F(la_ssize_t, archive_write_data, (struct archive * a, const void *b, size_t n),           \
	  (a, b, n))                                                                               \
	F(int, archive_write_close, (struct archive * a), (a))                                     \
	F(struct archive_entry *, archive_entry_new, (void), ())                                   \
	V(archive_entry_free, (struct archive_entry * e), (e))                                     \
	F(const char *, archive_entry_pathname, (struct archive_entry * e), (e))                   \
	F(const char *, archive_entry_hardlink, (struct archive_entry * e), (e))                   \
	F(const char *, archive_entry_symlink, (struct archive_entry * e), (e))                    \
	F(const char *, archive_entry_uname, (struct archive_entry * e), (e))                      \
	F(const char *, archive_entry_gname, (struct archive_entry * e), (e))                      \
	F(la_int64_t, archive_entry_uid, (struct archive_entry * e), (e))                          \
	F(la_int64_t, archive_entry_gid, (struct archive_entry * e), (e))                          \
	F(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))                         \
	F(time_t, archive_entry_mtime, (struct archive_entry * e), (e))                            \
	F(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))                    \
	F(__LA_MODE_T, archive_entry_perm, (struct archive_entry * e), (e))                        \
	V(archive_entry_set_pathname, (struct archive_entry * e, const char *p), (e, p))           \
	V(archive_entry_set_filetype, (struct archive_entry * e, unsigned int t), (e, t))          \
	V(archive_entry_set_perm, (struct archive_entry * e, __LA_MODE_T m), (e, m))               \
	V(archive_entry_set_size, (struct archive_entry * e, la_int64_t s), (e, s))

/* a declarator cannot be parenthesised: */
/* NOLINTNEXTLINE(bugprone-macro-parentheses) */
#define POINTER_F(ret, name, params, args) __typeof__(name) *name;
/* NOLINTNEXTLINE(bugprone-macro-parentheses) */
#define POINTER_V(name, params, args) __typeof__(name) *name;
static struct {
	LA_FUNCS(POINTER_F, POINTER_V)
	__typeof__(archive_set_error) *archive_set_error;
} la;
static pthread_once_t la_once = PTHREAD_ONCE_INIT;

static void la_load(void)
{
	void *h = lazy_open(LIBARCHIVE_SONAME, "libarchive13");
	int bad = !h;
#define LOOKUP_F(ret, name, params, args)                                                          \
	bad = bad || lazy_sym(h, LIBARCHIVE_SONAME, #name, &la.name) < 0;
#define LOOKUP_V(name, params, args) LOOKUP_F(void, name, params, args)
	LA_FUNCS(LOOKUP_F, LOOKUP_V)
	bad = bad || lazy_sym(h, LIBARCHIVE_SONAME, "archive_set_error", &la.archive_set_error) < 0;
	if (bad) {
		/* the caller is in the middle of reading or writing an archive,
		 * with no way to report this: stop here, saying why */
		log_warn("cannot use %s: kiln needs it to read and write archives",
			 LIBARCHIVE_SONAME);
		exit(KILN_EFAIL);
	}
}

#define WRAP_F(ret, name, params, args)                                                            \
	ret name params                                                                            \
	{                                                                                          \
		pthread_once(&la_once, la_load);                                                   \
		return la.name args;                                                               \
	}
#define WRAP_V(name, params, args)                                                                 \
	void name params                                                                           \
	{                                                                                          \
		pthread_once(&la_once, la_load);                                                   \
		la.name args;                                                                      \
	}
LA_FUNCS(WRAP_F, WRAP_V)

/* libarchive has no va_list form: the message is formatted here */
void archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_once(&la_once, la_load);
	la.archive_set_error(a, err, "%s", msg);
}
