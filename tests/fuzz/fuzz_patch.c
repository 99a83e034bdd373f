/* fuzz_patch.c - libFuzzer target: the unified-diff parser on arbitrary bytes,
 * and, when it parses, classifying and refreshing it against a tiny tree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backports/backports.h"

static char *root;

static void make_tree(void)
{
	struct kerr e = {0};
	char tmpl[] = "/tmp/kiln-fuzz-patch.XXXXXX";
	root = xstrdup(mkdtemp(tmpl));
	char *d = xasprintf("%s/lib", root);
	mkdir_p(d, 0755, &e);
	free(d);
	const char *x = "int f(int n)\n{\n\tif (n)\n\t\treturn 1;\n\treturn 0;\n}\n";
	const char *w = "a\r\nb\r\nc\r\n";
	char *p = xasprintf("%s/lib/x.c", root);
	write_file_atomic(p, x, strlen(x), 0644, &e);
	free(p);
	p = xasprintf("%s/w.txt", root);
	write_file_atomic(p, w, strlen(w), 0644, &e);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct patch p;
	struct kerr e = {0};
	char hex[SHA256_HEX_LEN + 1];

	if (!root)
		make_tree();
	if (patch_parse((const char *)data, size, "fuzz.patch", &p, &e) < 0)
		return 0;
	patch_fingerprint(&p, hex);
	struct tree t;
	struct bp_classification c;
	struct patch *ps[] = {&p};
	if (tree_open(root, &t, &e) == 0) {
		if (bp_classify(&t, ps, 1, &c, &e) == 0) {
			struct kbuf d;
			kbuf_init(&d);
			tree_diff(&t, &d, &e);
			kbuf_free(&d);
			bp_classification_free(&c);
		}
		tree_free(&t);
	}
	patch_free(&p);
	return 0;
}
