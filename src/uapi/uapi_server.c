/* The UAPI UNIX socket: creating it safely, and serving one connection over stdio
 * streams so the protocol code never sees a socket. */
#include "uapi/uapi_server.h"
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* An interface name becomes part of a path: no '/', no "." or "..". */
static bool valid_ifname(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && n < IFNAMSIZ && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

static int mkdir_p(const char *dir, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			return 0;
	}
}

static int bind_socket(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc, err;
	mode_t old;
	if (fd < 0)
		return -errno;
	old = umask(0077);
	rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	err = errno;
	umask(old);
	if (rc) {
		close(fd);
		return -err;
	}
	return fd;
}

/* Someone answers on the path: a live process owns the interface. (It sees the probe
 * as a connection that closes at once, which its serve loop shrugs off.) */
static bool answered(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live = fd >= 0 && !connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	if (fd >= 0)
		close(fd);
	return live;
}

/* The path is taken: replace it only if it is a socket nobody serves any more. */
static int replace_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	if (lstat(sa->sun_path, &st))
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	if (answered(sa))
		return -EADDRINUSE;
	if (unlink(sa->sun_path) && errno != ENOENT)
		return -errno;
	return bind_socket(sa);
}

int wg_uapi_listen(const char *dir, const char *ifname, char *path_out, size_t cap)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, n;
	if (!valid_ifname(ifname))
		return -EINVAL;
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", dir, ifname);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path) || (size_t)n >= cap)
		return -ENAMETOOLONG;
	if ((fd = mkdir_p(dir, 0755)) < 0)
		return fd;
	fd = bind_socket(&sa);
	if (fd == -EADDRINUSE)
		fd = replace_stale(&sa);
	if (fd < 0)
		return fd;
	if (listen(fd, SOMAXCONN)) {
		int err = errno;
		unlink(sa.sun_path);
		close(fd);
		return -err;
	}
	memcpy(path_out, sa.sun_path, (size_t)n + 1);
	return fd;
}

struct conn {
	int fd;
	bool dead; /* a send failed: fail the rest at once instead of waiting out the timeout again */
};

/* stdio writes with write(2), which raises SIGPIPE on a closed socket: send instead. */
static ssize_t send_all(void *cookie, const char *buf, size_t len)
{
	struct conn *c = cookie;
	size_t done = 0;
	while (done < len && !c->dead) {
		ssize_t n = send(c->fd, buf + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			c->dead = true; /* EAGAIN is SO_SNDTIMEO expiring: the client stopped reading */
		else
			done += (size_t)n;
	}
	return (ssize_t)done; /* fopencookie: 0 (or short) on error, never negative */
}

static void set_timeout(int fd, int opt, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

void wg_uapi_serve(int fd, struct wg_device *dev, const struct wg_uapi_ops *ops)
{
	wg_uapi_serve_timeouts(fd, dev, ops, WG_UAPI_IDLE_TIMEOUT_S * 1000, WG_UAPI_SEND_TIMEOUT_S * 1000);
}

/* An expired receive timeout reads as an I/O error: the handler drops the connection. */
void wg_uapi_serve_timeouts(int fd, struct wg_device *dev, const struct wg_uapi_ops *ops,
			    unsigned idle_ms, unsigned send_ms)
{
	cookie_io_functions_t io = { .write = send_all };
	struct conn c = { .fd = fd };
	FILE *in, *out;
	set_timeout(fd, SO_SNDTIMEO, send_ms);
	set_timeout(fd, SO_RCVTIMEO, idle_ms);
	out = fopencookie(&c, "w", io);
	in = out ? fdopen(fd, "r") : NULL;
	if (in && out)
		while (wg_uapi_handle(dev, ops, in, out) == 0)
			;
	if (out)
		fclose(out); /* before in: its cookie uses fd, which fclose(in) closes */
	if (in)
		fclose(in);
	else
		close(fd);
}
