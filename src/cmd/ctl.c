/* See ctl.h. */
#include "cmd/ctl.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "util/clock.h"

/* send, not write: a client gone must not raise SIGPIPE (both ends are sockets). */
static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* deadline 0: none; else a wg_mono_ms() time by which all n bytes must have come. */
static int read_all_by(int fd, void *buf, size_t n, uint64_t deadline)
{
	char *p = buf;
	while (n) {
		if (deadline) {
			uint64_t now = wg_mono_ms();
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			if (now >= deadline || poll(&pfd, 1, (int)(deadline - now)) == 0)
				return -1;
		}
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t n)
{
	return read_all_by(fd, buf, n, 0);
}

static void frame_header(uint8_t hdr[5], char type, size_t len)
{
	hdr[0] = (uint8_t)(len >> 24), hdr[1] = (uint8_t)(len >> 16), hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len, hdr[4] = (uint8_t)type;
}

int wg_ctl_send(int fd, char type, const void *data, size_t len)
{
	uint8_t hdr[5];
	frame_header(hdr, type, len);
	if (len > WG_CTL_MAX)
		return -1;
	if (write_all(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	return len ? write_all(fd, data, len) : 0;
}

void wg_ctl_frame(struct sbuf *b, char type, const void *data, size_t len)
{
	uint8_t hdr[5];
	frame_header(hdr, type, len);
	sb_addn(b, (const char *)hdr, sizeof(hdr));
	sb_addn(b, data, len);
}

int wg_ctl_send_raw(int fd, const void *buf, size_t len)
{
	return write_all(fd, buf, len);
}

int wg_ctl_recv(int fd, char *type, char **data, size_t *len)
{
	return wg_ctl_recv_deadline(fd, type, data, len, 0);
}

/* The first byte may take as long as it takes; the deadline runs from there. */
int wg_ctl_recv_deadline(int fd, char *type, char **data, size_t *len, unsigned frame_ms)
{
	uint8_t hdr[5];
	if (read_all(fd, hdr, 1) < 0)
		return -1;
	uint64_t deadline = frame_ms ? wg_mono_ms() + frame_ms : 0;
	if (read_all_by(fd, hdr + 1, sizeof(hdr) - 1, deadline) < 0)
		return -1;
	size_t n = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (n > WG_CTL_MAX)
		return -1;
	char *buf = malloc(n + 1);
	if (!buf || (n && read_all_by(fd, buf, n, deadline) < 0)) {
		free(buf);
		return -1;
	}
	buf[n] = 0;
	*type = (char)hdr[4];
	*data = buf;
	*len = n;
	return 0;
}

const char *wg_ctl_state_dir(const char *opt)
{
	const char *env = getenv("WGROUTER_STATE_DIR");
	if (opt && *opt)
		return opt;
	return env && *env ? env : WG_DEFAULT_STATE_DIR;
}
