/* Subcommand entry points, each in its own file. argv[0] is the subcommand name. */
#ifndef WG_CMD_H
#define WG_CMD_H
int cmd_genkey(int argc, char **argv);   /* keys.c */
int cmd_genpsk(int argc, char **argv);   /* keys.c */
int cmd_pubkey(int argc, char **argv);   /* keys.c */
int cmd_userspace(int argc, char **argv);  /* userspace.c */
int cmd_daemon(int argc, char **argv);    /* daemon.c */
int cmd_cli(int argc, char **argv);       /* cli.c */
int cmd_version(int argc, char **argv);   /* version.c */
/* systemd readiness: sends STATE (e.g. "READY=1") to $NOTIFY_SOCKET if set; 0 or -1 */
int cmd_notify(const char *state);        /* notify.c */
#endif
