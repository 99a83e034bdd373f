/* err.c - the error record every function fills on failure. */
#include "kiln.h"

#include <errno.h>
#include <string.h>

int kerr_set(struct kerr *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -code;
}

int kerr_errno(struct kerr *e, int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (!e)
		return -code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(saved));
	errno = saved;
	return -code;
}

int kerr_prefix(struct kerr *e, const char *fmt, ...)
{
	char pre[1024], old[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	size_t pl = strlen(pre);
	if (pl >= sizeof(e->msg))
		pl = sizeof(e->msg) - 1;
	memcpy(e->msg, pre, pl);
	size_t ol = strnlen(old, sizeof(e->msg) - 1 - pl);
	memcpy(e->msg + pl, old, ol);
	e->msg[pl + ol] = '\0';
	return -e->code;
}

void kerr_clear(struct kerr *e)
{
	if (!e)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}
