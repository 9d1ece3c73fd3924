/* Subcommand entry points, each in its own file. argv[0] is the subcommand name. */
#ifndef WG_CMD_H
#define WG_CMD_H
int cmd_genkey(int argc, char **argv);   /* keys.c */
int cmd_genpsk(int argc, char **argv);   /* keys.c */
int cmd_pubkey(int argc, char **argv);   /* keys.c */
int cmd_userspace(int argc, char **argv);  /* userspace.c */
int cmd_daemon(int argc, char **argv);    /* daemon.c */
int cmd_cli(int argc, char **argv);       /* cli.c */
#endif
