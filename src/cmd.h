/* Subcommand entry points, each in its own file. argv[0] is the subcommand name.
 * Declared weak while the router half is being built, so the binary links without it
 * and main() reports the command as unavailable instead of pretending. */
#ifndef WG_CMD_H
#define WG_CMD_H
int cmd_genkey(int argc, char **argv);   /* src/cmd_keys.c */
int cmd_genpsk(int argc, char **argv);   /* src/cmd_keys.c */
int cmd_pubkey(int argc, char **argv);   /* src/cmd_keys.c */
int cmd_userspace(int argc, char **argv);  /* src/dataplane/cmd_userspace.c */
int cmd_daemon(int argc, char **argv) __attribute__((weak));    /* src/router/cmd_daemon.c */
int cmd_cli(int argc, char **argv) __attribute__((weak));       /* src/console/cmd_cli.c */
#endif
