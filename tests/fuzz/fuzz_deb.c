/* fuzz_deb.c - libFuzzer target: reading and unpacking a hostile .deb must never crash, and nothing
 * may land outside the scratch root. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builders/builders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	struct kerr e = {0};
	struct kbuf ctl = {0};

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/kiln-fuzz-deb.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	char *deb = xasprintf("%s/in.deb", dir), *root = xasprintf("%s/root", dir);
	if (write_file_atomic(deb, data, size, 0644, &e) == 0) {
		deb_read_control(deb, &ctl, &e);
		rm_rf(root);
		mkdir(root, 0755);
		int fd = open(root, O_RDONLY | O_DIRECTORY);
		struct deb_extract_opts o = {.aliases = debroot_aliases, .set_owner = 0};
		if (fd >= 0) {
			deb_extract_data(deb, fd, &o, &e);
			close(fd);
		}
		/* the scratch dir holds only in.deb and root: anything else escaped */
		char *esc = xasprintf("%s/escaped", dir);
		if (path_exists(esc))
			abort();
		free(esc);
		rm_rf(root);
	}
	kbuf_free(&ctl);
	free(deb);
	free(root);
	return 0;
}
