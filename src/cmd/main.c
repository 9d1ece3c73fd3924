/* wgrouter: one binary, a table of subcommands. Called as `wgrouter-userspace` it is
 * `wgrouter userspace` (wg-quick runs the implementation with the interface name only).
 * Every subcommand answers -h/--help itself; `wgrouter help CMD` asks it. */
#include <stdbool.h>
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
	{ "pubkey", cmd_pubkey, "pubkey                      print the public key of the private key on stdin" },
	{ "userspace", cmd_userspace, "userspace [-f] IFNAME       run a WireGuard interface (drop-in for wireguard-go)" },
	{ "daemon", cmd_daemon, "daemon [-s DIR] [-f]        run the router" },
	{ "cli", cmd_cli, "cli [-s DIR] [COMMAND ...]  the RouterOS console of the running router" },
	{ "version", cmd_version, "version                     the version of wgrouter and of its libraries" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *f)
{
	fprintf(f, "Usage: wgrouter <command> [arguments]\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\n`wgrouter <command> --help` describes a command; `wgrouter --version`.\n"
		   "Manuals: wgrouter(8), wgrouter-console(7).\n");
	return f == stderr ? 1 : 0;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help");
}

static const struct subcommand *find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (!strcmp(basename(argv[0]), "wgrouter-userspace"))
		return cmd_userspace(argc, argv);
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version(1, argv + 1);
	if (is_help(argv[1]) && argc > 2 && find(argv[2])) { /* wgrouter help CMD */
		char *help[] = { argv[2], "--help", NULL };
		return find(argv[2])->fn(2, help);
	}
	if (is_help(argv[1]))
		return usage(stdout);
	const struct subcommand *c = find(argv[1]);
	if (c)
		return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "wgrouter: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
