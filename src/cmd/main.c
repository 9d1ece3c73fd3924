/* wgrouter: one binary, a table of subcommands. Called as `wgrouter-userspace` it is
 * `wgrouter userspace` (wg-quick runs the implementation with the interface name only). */
#include <stdio.h>
#include <string.h>
#include <libgen.h>
#include "cmd/cmd.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static const struct subcommand commands[] = {
	{ "genkey", cmd_genkey, "genkey                      print a new private key (base64)" },
	{ "genpsk", cmd_genpsk, "genpsk                      print a new preshared key (base64)" },
	{ "pubkey", cmd_pubkey, "pubkey                      read a private key on stdin, print its public key" },
	{ "userspace", cmd_userspace, "userspace [-f] IFNAME       run a WireGuard interface (drop-in for wireguard-go)" },
	{ "daemon", cmd_daemon, "daemon [--state-dir DIR] [-f]  run the router" },
	{ "cli", cmd_cli, "cli [--state-dir DIR] [COMMAND ...]  RouterOS console of the running router" },
};

static int usage(FILE *f)
{
	fprintf(f, "Usage: wgrouter <command> [arguments]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].usage);
	return f == stderr ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (!strcmp(basename(argv[0]), "wgrouter-userspace"))
		return cmd_userspace(argc, argv);
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "wgrouter: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
