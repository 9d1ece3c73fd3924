/* `wgrouter userspace [-f] IFNAME` (and `wgrouter-userspace [-f] IFNAME`): a bare
 * WireGuard interface configured through its UAPI socket, started the way wg-quick
 * starts wireguard-go: the command returns once the interface and its socket exist,
 * leaving the interface running in the background (unless -f). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "cmd/cmd.h"
#include "dataplane/dataplane.h"

static enum wg_log_level log_level_from_env(void)
{
	const char *l = getenv("LOG_LEVEL");
	if (!l)
		return WG_LOG_ERROR;
	if (!strcmp(l, "verbose") || !strcmp(l, "debug"))
		return WG_LOG_VERBOSE;
	if (!strcmp(l, "silent"))
		return WG_LOG_SILENT;
	return WG_LOG_ERROR;
}

static int usage(void)
{
	fprintf(stderr, "Usage: wgrouter userspace [-f/--foreground] INTERFACE-NAME\n");
	return 1;
}

static int help(void)
{
	fputs("Usage: wgrouter userspace [-f/--foreground] INTERFACE-NAME\n"
	      "       wgrouter-userspace [-f/--foreground] INTERFACE-NAME\n\n"
	      "Creates the WireGuard interface INTERFACE-NAME (a TUN device) and its UAPI\n"
	      "socket /var/run/wireguard/INTERFACE-NAME.sock, for wg(8) and wg-quick(8) to\n"
	      "configure: a drop-in for wireguard-go. Returns once the interface is up and\n"
	      "keeps it running in the background until the link is deleted or SIGTERM.\n\n"
	      "  -f, --foreground  stay in the foreground (also WG_PROCESS_FOREGROUND=1)\n"
	      "  -h, --help        this text\n\n"
	      "Environment: LOG_LEVEL=verbose|error|silent. With wg-quick:\n"
	      "  WG_QUICK_USERSPACE_IMPLEMENTATION=wgrouter-userspace wg-quick up wg0\n", stdout);
	return 0;
}

/* The link was deleted (wg-quick down): end like a SIGTERM, as wireguard-go does. */
static void on_lost(void *ctx)
{
	kill(getpid(), SIGTERM);
}

/* Runs until SIGINT/SIGTERM; reports readiness (0 or -errno) on ready_fd. */
static int run(const char *ifname, int ready_fd)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by the data plane's threads */
	signal(SIGPIPE, SIG_IGN);

	struct wg_dataplane_opts opts = { .uapi_socket = true, .log_level = log_level_from_env(),
					  .on_lost = on_lost };
	int err = 0;
	struct wg_dataplane *dp = wg_dataplane_start(ifname, &opts, &err);
	if (ready_fd >= 0) {
		if (write(ready_fd, &err, sizeof(err)) < 0)
			err = err ? err : -EPIPE;
		close(ready_fd);
	}
	if (!dp) {
		fprintf(stderr, "wgrouter: cannot start interface %s: %s\n", ifname, strerror(-err));
		return 1;
	}
	int sig = 0;
	sigwait(&set, &sig);
	wg_dataplane_stop(dp);
	return 0;
}

/* Parent waits until the child says the interface is up, so that wg-quick's next
 * command finds the socket. */
static int daemonize_and_run(const char *ifname)
{
	int p[2];
	if (pipe(p))
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid > 0) {
		int err = -EIO;
		close(p[1]);
		if (read(p[0], &err, sizeof(err)) != sizeof(err))
			err = -EIO;
		return err ? 1 : 0;
	}
	close(p[0]);
	setsid();
	if (chdir("/")) { /* not fatal */ }
	/* As wireguard-go: the background process keeps the caller's stdout and stderr only
	 * when LOG_LEVEL asks for output, so a pipe reading `wg-quick up` still ends. */
	const char *lvl = getenv("LOG_LEVEL");
	bool keep_output = lvl && *lvl && log_level_from_env() != WG_LOG_SILENT;
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		if (!keep_output) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		if (null > 2)
			close(null);
	}
	_exit(run(ifname, p[1]));
}

int cmd_userspace(int argc, char **argv)
{
	bool foreground = false;
	const char *ifname = NULL;
	const char *fg = getenv("WG_PROCESS_FOREGROUND");
	if (fg && !strcmp(fg, "1"))
		foreground = true;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return help();
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--foreground"))
			foreground = true;
		else if (!ifname && argv[i][0] != '-')
			ifname = argv[i];
		else
			return usage();
	}
	if (!ifname || strlen(ifname) >= 16)
		return usage();
	return foreground ? run(ifname, -1) : daemonize_and_run(ifname);
}
