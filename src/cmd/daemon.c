/* `wgrouter daemon [--state-dir DIR] [-f]`: owns the configuration, runs every
 * WireGuard interface and serves consoles on DIR/wgrouter.sock (root only, 0600).
 * The main thread runs an epoll loop over the listening socket, a 1 s timer (periodic
 * router work) and the signals; each console has a thread of its own (consoles.c), and
 * the router lock lets one command or one tick touch the router at a time. The data
 * planes and the DNS server for clients have threads of their own. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>
#include "cmd/cmd.h"
#include "cmd/consoles.h"
#include "cmd/netwatch.h"
#include "cmd/scheduler.h"
#include "cmd/btest.h"
#include "cmd/doors.h"
#include "cmd/ctl.h"
#include "router/router.h"

struct daemon {
	const char *dir;
	char sock_path[108];
	struct wg_router *r;
	pthread_mutex_t router_lock; /* one command or one tick at a time */
	struct wg_consoles *consoles;
	struct wg_doors *doors;      /* www, www-ssl, api, api-ssl */
	struct wg_btestd *btest;     /* /tool/bandwidth-server */
	struct wg_scheduler *scheduler; /* /system/scheduler, :execute */
	struct wg_netwatch *netwatch;   /* /tool/netwatch's probes */
	int ep, lfd, sfd, tfd;
	bool stop;
	bool restart;                /* /system/reboot: re-execute after the shutdown */
};

#define USAGE "Usage: wgrouter daemon [--state-dir DIR] [--uapi-dir DIR] [-f]\n"

static int usage(void)
{
	fputs(USAGE, stderr);
	return 1;
}

static int help(void)
{
	fputs(USAGE "\n"
	      "Runs the router: applies the configuration kept in the state directory\n"
	      "(WireGuard interfaces, addresses, routes, firewall, DNS) and serves\n"
	      "`wgrouter cli` on DIR/wgrouter.sock. Returns once it serves, leaving it in\n"
	      "the background (log in DIR/wgrouter.log).\n\n"
	      "  -s, --state-dir DIR  configuration, control socket, pid file and log\n"
	      "                       (default $WGROUTER_STATE_DIR, else /var/lib/wgrouter)\n"
	      "  -u, --uapi-dir DIR   where the interfaces' UAPI sockets go\n"
	      "                       (default /var/run/wireguard)\n"
	      "  -f, --foreground     stay in the foreground and log to stderr; tells\n"
	      "                       systemd when it is ready (wgrouter.service runs this)\n"
	      "  -h, --help           this text\n", stdout);
	return 0;
}

static int mkdirs(const char *dir)
{
	char *p = strdup(dir);
	for (char *s = p + 1; p && *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		mkdir(p, 0755);
		*s = '/';
	}
	free(p);
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

/* The pid file is also the lock that keeps two daemons off one state directory. */
static int lock_pidfile(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/" WG_CTL_PIDFILE, dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "wgrouter: %s: %s\n", path, errno == EWOULDBLOCK ? "another daemon is running" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) != n)
		perror("wgrouter: pid file");
}

/* Forks into the background; the parent exits once the child says it is serving (or
 * failed), so `wgrouter daemon && wgrouter cli ...` works without sleeping. */
static int daemonize(int *ready_fd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		char c = 1;
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			c = 1;
		_exit(c);
	}
	close(p[0]);
	setsid();
	if (fork() > 0)
		_exit(0);
	*ready_fd = p[1];
	return 0;
}

static void redirect_output(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/wgrouter.log", dir);
	int in = open("/dev/null", O_RDONLY), out = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (in >= 0)
		dup2(in, 0);
	if (out >= 0) {
		dup2(out, 1);
		dup2(out, 2);
	}
	if (in > 2)
		close(in);
	if (out > 2)
		close(out);
}

static int listen_socket(struct daemon *d)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if ((size_t)snprintf(d->sock_path, sizeof(d->sock_path), "%s/" WG_CTL_SOCKET, d->dir) >= sizeof(d->sock_path)) {
		fprintf(stderr, "wgrouter: state directory path too long for a socket\n");
		return -1;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", d->sock_path);
	unlink(d->sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	mode_t old = umask(077);
	int rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (rc < 0 || chmod(d->sock_path, 0600) < 0 || listen(fd, 16) < 0) {
		fprintf(stderr, "wgrouter: %s: %s\n", d->sock_path, strerror(errno));
		return -1;
	}
	return fd;
}

/* ---- consoles ---- */

/* Root only: the console changes the router and shows private keys on request. */
static bool peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	return !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) && (cr.uid == 0 || cr.uid == geteuid());
}

/* A refused console is told why before the connection closes (a few bytes into an
 * empty socket buffer: never blocks). */
static void refuse(int fd, const char *why)
{
	wg_ctl_send(fd, 'E', why, strlen(why));
	wg_ctl_send(fd, 'D', "1\n", 2);
	close(fd);
}

static void accept_client(struct daemon *d)
{
	int fd = accept4(d->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (!peer_allowed(fd))
		refuse(fd, "failure: permission denied (the console needs root)\n");
	else
		wg_consoles_accept(d->consoles, fd);
}

/* The router's periodic work, between two consoles' commands. */
static void tick(struct daemon *d)
{
	pthread_mutex_lock(&d->router_lock);
	wg_router_tick(d->r);
	if (wg_router_restart_requested(d->r))
		d->stop = d->restart = true;
	pthread_mutex_unlock(&d->router_lock);
}

/* ---- the loop ---- */

static int watch(struct daemon *d, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };
	return epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev);
}

static int setup_loop(struct daemon *d)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sfd = signalfd(-1, &set, SFD_CLOEXEC);
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	struct itimerspec its = { { 1, 0 }, { 1, 0 } };
	timerfd_settime(d->tfd, 0, &its, NULL);
	d->ep = epoll_create1(EPOLL_CLOEXEC);
	if (d->sfd < 0 || d->tfd < 0 || d->ep < 0)
		return -1;
	return watch(d, d->lfd, &d->lfd) | watch(d, d->sfd, &d->sfd) | watch(d, d->tfd, &d->tfd);
}

static void loop(struct daemon *d)
{
	while (!d->stop) {
		struct epoll_event ev[16];
		int n = epoll_wait(d->ep, ev, 16, -1);
		for (int i = 0; i < n; i++) {
			void *tag = ev[i].data.ptr;
			uint64_t x;
			if (tag == &d->lfd) {
				accept_client(d);
			} else if (tag == &d->sfd) {
				struct signalfd_siginfo si;
				if (read(d->sfd, &si, sizeof(si)) > 0)
					d->stop = true;
			} else if (tag == &d->tfd) {
				if (read(d->tfd, &x, sizeof(x)) > 0)
					tick(d);
			} else if (tag == &d->doors) {
				wg_doors_sync(d->doors); /* /ip/service or /certificate changed */
			} else if (tag == &d->btest) {
				wg_btestd_sync(d->btest); /* /tool/bandwidth-server changed */
			}
		}
	}
}

static void shutdown_daemon(struct daemon *d)
{
	wg_netwatch_stop(d->netwatch);
	wg_scheduler_stop(d->scheduler);
	wg_doors_free(d->doors);
	wg_btestd_free(d->btest);
	wg_consoles_free(d->consoles);
	wg_router_free(d->r);
	unlink(d->sock_path);
}

struct options { const char *dir, *uapi_dir; bool fg; };

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' }, { "uapi-dir", required_argument, NULL, 'u' },
		{ "foreground", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	o->uapi_dir = "/var/run/wireguard";
	for (int c; (c = getopt_long(argc, argv, "fhs:u:", opts, NULL)) != -1;) {
		if (c == 'h')
			return help() + 2; /* 2: done, exit status 0 */
		else if (c == 's')
			dir = optarg;
		else if (c == 'u')
			o->uapi_dir = optarg;
		else if (c == 'f')
			o->fg = true;
		else
			return usage();
	}
	o->dir = wg_ctl_state_dir(dir);
	return 0;
}

/* The socket exists before the router applies the configuration, so a cli started
 * right after `wgrouter daemon` returns always finds it. */
static int serve_forever(struct daemon *d, const struct options *o, int ready)
{
	struct wg_router_config cfg = { .state_dir = d->dir, .dp = &wg_dp_ops_real, .dp_ctx = (void *)o->uapi_dir,
					.uapi_dir = o->uapi_dir, .sys = &wg_sys_ops_real, .dns_port = 53 };
	char err[512];
	if ((d->lfd = listen_socket(d)) < 0 || setup_loop(d) < 0)
		return 1;
	if (!(d->r = wg_router_new(&cfg, err, sizeof(err)))) {
		fprintf(stderr, "wgrouter: %s\n", err);
		unlink(d->sock_path);
		return 1;
	}
	pthread_mutex_init(&d->router_lock, NULL);
	d->consoles = wg_consoles_new(d->r, &d->router_lock);
	d->doors = wg_doors_new(d->r, &d->router_lock);
	watch(d, wg_doors_fd(d->doors), &d->doors);
	d->btest = wg_btestd_new(d->r, &d->router_lock);
	watch(d, wg_btestd_fd(d->btest), &d->btest);
	d->scheduler = wg_scheduler_start(d->r, &d->router_lock);
	d->netwatch = wg_netwatch_start(d->r, &d->router_lock);
	if (ready >= 0) {
		redirect_output(d->dir);
		if (write(ready, "", 1) != 1)
			perror("wgrouter");
		close(ready);
	}
	/* under systemd (Type=notify, -f): serving, with the configuration applied */
	if (cmd_notify("READY=1\nSTATUS=serving consoles") < 0)
		perror("wgrouter: NOTIFY_SOCKET");
	loop(d);
	cmd_notify("STOPPING=1");
	shutdown_daemon(d);
	return 0;
}

/* /system/reboot: everything was stopped and removed as on SIGTERM; the same program
 * starts again in the foreground (same pid: a service manager or the shell that started
 * it keeps it) and sets up the saved configuration anew. */
static void restart(const char *dir, const char *uapi_dir)
{
	char *const argv[] = { "wgrouter", "daemon", "--state-dir", (char *)dir, "--uapi-dir", (char *)uapi_dir, "-f",
			       NULL };
	execv("/proc/self/exe", argv);
	perror("wgrouter: restart");
}

int cmd_daemon(int argc, char **argv)
{
	struct options o = { 0 };
	int rc = parse_options(argc, argv, &o);
	if (rc)
		return rc == 2 ? 0 : 1;
	struct daemon d = { .dir = o.dir };
	int ready = -1, pidfd;
	umask(077);
	/* /system/clock time-zone-name later replaces TZ's value while threads run: with
	 * the variable there from the start the environment is never reallocated then
	 * (":/etc/localtime" is what the C library reads without TZ). */
	setenv("TZ", getenv("TZ") ? getenv("TZ") : ":/etc/localtime", 0);
	if (mkdirs(d.dir) < 0) {
		fprintf(stderr, "wgrouter: cannot create %s: %s\n", d.dir, strerror(errno));
		return 1;
	}
	/* The state directory (root's, 0700) is the working directory: a crash's core file
	 * lands there, not wherever the daemon happened to be started. */
	char *dir = realpath(d.dir, NULL);
	if (!dir || chdir(dir) < 0) {
		fprintf(stderr, "wgrouter: %s: %s\n", d.dir, strerror(errno));
		return 1;
	}
	d.dir = dir;
	if (!o.fg && daemonize(&ready) < 0)
		return 1;
	if ((pidfd = lock_pidfile(d.dir)) < 0)
		return 1;
	write_pid(pidfd);
	rc = serve_forever(&d, &o, ready);
	char pidpath[4096];
	snprintf(pidpath, sizeof(pidpath), "%s/" WG_CTL_PIDFILE, d.dir);
	unlink(pidpath); /* a stale pid could name an unrelated process later */
	close(pidfd);
	if (d.restart)
		restart(dir, o.uapi_dir);
	free(dir);
	return rc;
}
