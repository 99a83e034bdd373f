/* apkwrite_tool.c - a test driver for apkwrite.sh: write a .apk with apk_write_package, or read
 * one back with apk_package_read (signature and datahash checked).
 *   apkwrite_tool write DATADIR OUT.apk KEY KEYNAME NAME VERSION ARCH SDE [-s SCRIPT=FILE]...
 *                 [-d DEPEND]... [-o OWNERS]
 *   apkwrite_tool read FILE.apk KEYS_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builders/alpine.h"

static int fail(const struct kerr *e)
{
	fprintf(stderr, "apkwrite_tool: %s\n", e->msg);
	return e->code ? e->code : 1;
}

int main(int argc, char **argv)
{
	struct kerr e = {0};
	if (argc == 4 && !strcmp(argv[1], "read")) {
		struct apk_pkg p;
		if (apk_package_read(argv[2], argv[3], &p, &e) < 0)
			return fail(&e);
		printf("%s %s %s %s\n", p.name, p.version, p.checksum, p.datahash);
		apk_pkg_free(&p);
		return 0;
	}
	if (argc < 10 || strcmp(argv[1], "write")) {
		fprintf(stderr, "usage: see the comment atop apkwrite_tool.c\n");
		return 2;
	}
	struct apk_pkg m = {0};
	struct apk_script sc[8];
	struct apk_write_opts o = {0};
	m.name = argv[6];
	m.version = argv[7];
	m.arch = argv[8];
	m.description = "written by apkwrite_tool";
	m.url = "https://example.org/";
	m.license = "MIT";
	o.meta = &m;
	o.scripts = sc;
	o.key_path = argv[4];
	o.key_name = argv[5];
	o.source_date_epoch = strtoll(argv[9], NULL, 10);
	for (int i = 10; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-s") && o.nscripts < 8 && strchr(argv[i + 1], '=')) {
			char *eq = strchr(argv[i + 1], '=');
			*eq = '\0';
			sc[o.nscripts++] = (struct apk_script){argv[i + 1], eq + 1};
		} else if (!strcmp(argv[i], "-d")) {
			strv_add(&m.depends, argv[i + 1]);
		} else if (!strcmp(argv[i], "-o")) {
			o.owners_path = argv[i + 1];
		} else {
			fprintf(stderr, "apkwrite_tool: bad option %s\n", argv[i]);
			return 2;
		}
	}
	int r = apk_write_package(argv[2], &o, argv[3], &e);
	strv_free(&m.depends);
	return r < 0 ? fail(&e) : 0;
}
