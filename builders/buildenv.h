/* buildenv.h - builders-internal: the fixed variables of a build's
 * environment, the same for Debian and Alpine builds but for HOME. */
#ifndef KILN_BUILDERS_BUILDENV_H
#define KILN_BUILDERS_BUILDENV_H

#include <stdint.h>

#include "lib/kiln.h"

/* Append LANG=C.UTF-8, LC_ALL=C.UTF-8, TZ=UTC and HOME=home to env: all a
 * step that runs before SOURCE_DATE_EPOCH is known gets (Debian's
 * dpkg-source -x). PATH is the sandbox's own. */
void build_env_locale(struct strv *env, const char *home);

/* The build's fixed variables, in this order: build_env_locale's, then
 * USER and LOGNAME (BUILD_USER), SHELL=/bin/sh, TERM=dumb and
 * SOURCE_DATE_EPOCH=sde. */
void build_env_fixed(struct strv *env, const char *home, int64_t sde);

#endif
