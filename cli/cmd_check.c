/* cmd_check.c - `kiln check DISTRO [--all|SRC...]`: buildability of many sources. */
#include "cli/cli.h"
#include "solver/solver.h"

int cmd_check(int argc, char **argv, struct cli *c) { return cli_usage_error("check", "not yet"); }
