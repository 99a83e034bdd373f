/* cmd_index.c - `kiln index DIR --key KEY.rsa`: a signed APKINDEX.tar.gz for a directory of .apk files. */
#include "cli/cli.h"
#include "distros/distros.h"

int cmd_index(int argc, char **argv, struct cli *c)
{
	return cli_usage_error("index", "not yet");
}
