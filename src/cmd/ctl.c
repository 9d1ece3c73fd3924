/* See ctl.h. */
#include "cmd/ctl.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n) {
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

int wg_ctl_send(int fd, char type, const void *data, size_t len)
{
	uint8_t hdr[5] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, (uint8_t)type };
	if (len > WG_CTL_MAX)
		return -1;
	if (write_all(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	return len ? write_all(fd, data, len) : 0;
}

int wg_ctl_recv(int fd, char *type, char **data, size_t *len)
{
	uint8_t hdr[5];
	if (read_all(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	size_t n = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (n > WG_CTL_MAX)
		return -1;
	char *buf = malloc(n + 1);
	if (!buf || (n && read_all(fd, buf, n) < 0)) {
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
