/* fuzz_deb822.c - libFuzzer target: the control-file parser, the signed-message
 * unwrapper and the Release parser on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "distros/distros.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deb822_parser ps;
	struct deb822_para p = {0};
	struct kerr e = {0};
	struct kbuf text;
	struct release r;
	int sig = 0;

	deb822_init(&ps, (const char *)data, size, "fuzz");
	while (deb822_next(&ps, &p, &e) > 0) {
		char *v = deb822_get(&p, "Package");
		free(v);
		if (p.n) {
			char *n = xstrndup(p.f[0].name, p.f[0].name_len);
			free(deb822_get(&p, n));
			free(n);
		}
	}
	deb822_para_free(&p);
	kbuf_init(&text);
	if (deb822_strip_signature((const char *)data, size, &text, &sig, "fuzz", &e) == 0 &&
	    text.data) {
		if (release_parse(text.data, text.len, "fuzz", &r, &e) == 0)
			release_free(&r);
	}
	kbuf_free(&text);
	return 0;
}
