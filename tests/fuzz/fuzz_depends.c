/* fuzz_depends.c - libFuzzer target: the relation parser, formatter and reducer
 * must never crash, and formatting what they parse must parse again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "solver/solver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int flags = data[0] & 3;
	char *text = xstrndup((const char *)data + 1, size - 1);
	struct dep_list l, r, again;
	struct kerr e = {0};
	struct strv profiles = {0};

	strv_add(&profiles, "nocheck");
	if (depends_parse(text, flags, &l, &e) == 0) {
		char *s = depends_format(&l);
		if (depends_parse(s, flags, &again, &e) != 0)
			abort(); /* the canonical form must parse */
		char *s2 = depends_format(&again);
		if (strcmp(s, s2) != 0)
			abort(); /* and format to itself */
		depends_reduce(&l, "amd64", &profiles, &r);
		dep_list_free(&r);
		dep_list_free(&again);
		free(s);
		free(s2);
		dep_list_free(&l);
	} else if (e.code != KILN_EPARSE || !e.msg[0]) {
		abort();
	}
	strv_free(&profiles);
	free(text);
	return 0;
}
