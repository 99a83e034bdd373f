/* fuzz_apkindex.c - libFuzzer: APKINDEX text, installed db, secfixes and APKINDEX.tar.gz readers. */
#include <stdint.h>
#include <stdlib.h>

#include "distros/distros.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apk_index idx;
	struct kerr e;
	struct kbuf out;

	if (apk_index_parse_text((const char *)data, size, "fuzz", &idx, &e) == 0) {
		kbuf_init(&out);
		apk_index_format(&idx, &out);
		kbuf_free(&out);
		apk_index_free(&idx);
	}
	if (apk_installed_parse((const char *)data, size, "fuzz", &idx, &e) == 0)
		apk_index_free(&idx);
	struct apk_secfixes sf;
	if (apk_secfixes_parse((const char *)data, size, "fuzz", &sf, &e) == 0)
		apk_secfixes_free(&sf);
	if (apk_index_read_mem(data, size, "fuzz", "/nonexistent-keys", &idx, &e) == 0)
		abort(); /* nothing can verify without keys */
	return 0;
}
