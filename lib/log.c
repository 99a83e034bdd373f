/* log.c - messages on stderr: quiet/normal/verbose, color only when allowed. */
#include "kiln.h"

#include <stdlib.h>
#include <unistd.h>

/* Logging settings are the one piece of process-wide state kiln keeps. */
static int g_level = LOG_NORMAL;
static int g_color;
static int g_tty;

void log_setup(int level, int color_allowed)
{
	const char *nc = getenv("NO_COLOR");

	g_level = level;
	g_tty = isatty(STDERR_FILENO);
	g_color = color_allowed && g_tty && !(nc && *nc);
}

int log_level(void)
{
	return g_level;
}
int log_color(void)
{
	return g_color;
}
int log_stderr_tty(void)
{
	return g_tty;
}

static void vlog(int min, const char *prefix, const char *color, const char *fmt, va_list ap)
{
	if (g_level < min)
		return;
	if (prefix)
		fprintf(stderr, "%s%s%s", g_color ? color : "", prefix, g_color ? "\033[0m" : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define LOGFN(name, min, prefix, color)                                                            \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		vlog(min, prefix, color, fmt, ap);                                                 \
		va_end(ap);                                                                        \
	}

LOGFN(log_info, LOG_NORMAL, NULL, "")
LOGFN(log_verbose, LOG_VERBOSE, NULL, "")
LOGFN(log_debug, LOG_DEBUG, "debug: ", "\033[2m")
/* warnings show even with -q: they are about trust or data */
LOGFN(log_warn, LOG_QUIET, "warning: ", "\033[33m")
