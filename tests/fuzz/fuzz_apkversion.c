/* fuzz_apkversion.c - libFuzzer: apk version comparison never crashes, is antisymmetric, and its
 * libsolv encoding keeps the order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <solv/evr.h>
#include <solv/pool.h>

#include "distros/distros.h"

/* the comparison the solver relies on: libsolv's own, in DISTTYPE_DEB mode
 * (deb_version_cmp adds dpkg's missing-revision rule on top) */
static int solv_cmp(const char *a, const char *b)
{
	static Pool *pool;
	if (!pool) {
		pool = pool_create();
		pool_setdisttype(pool, DISTTYPE_DEB);
	}
	return pool_evrcmp_str(pool, a, b, EVRCMP_COMPARE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* "A\0B": two versions */
	const uint8_t *nul = memchr(data, 0, size);
	if (!nul || size > 4096)
		return 0;
	char *a = xstrndup((const char *)data, (size_t)(nul - data));
	char *b = xstrndup((const char *)nul + 1, size - (size_t)(nul - data) - 1);
	for (int gen = APK_GEN2; gen <= APK_GEN3; gen++) {
		int ab = apk_version_cmp(gen, a, b), ba = apk_version_cmp(gen, b, a);
		apk_version_fuzzy_match(gen, a, b);
		if (!apk_version_valid(gen, a) || !apk_version_valid(gen, b))
			continue;
		if ((ab < 0) != (ba > 0) || (ab == 0) != (ba == 0))
			abort();
		struct kbuf ea, eb;
		struct kerr e;
		kbuf_init(&ea);
		kbuf_init(&eb);
		if (apk_version_to_evr(gen, a, &ea, &e) == 0 &&
		    apk_version_to_evr(gen, b, &eb, &e) == 0) {
			int m = solv_cmp(ea.data, eb.data);
			if ((m < 0) != (ab < 0) || (m > 0) != (ab > 0))
				abort();
		}
		kbuf_free(&ea);
		kbuf_free(&eb);
	}
	free(a);
	free(b);
	return 0;
}
