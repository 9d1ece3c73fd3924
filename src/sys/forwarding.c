/* IP forwarding for the namespace the router runs in. RouterOS always routes between
 * its interfaces (its /ip/settings ip-forward defaults to yes); Linux starts with
 * forwarding off, so the router turns it on for both families. */
#include "sys/forwarding.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static int write_flag(const char *path, bool on)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int ret = write(fd, on ? "1\n" : "0\n", 2) == 2 ? 0 : -errno;
	close(fd);
	return ret;
}

int wg_sys_set_forwarding(bool on)
{
	int ret = write_flag("/proc/sys/net/ipv4/ip_forward", on);
	int ret6 = write_flag("/proc/sys/net/ipv6/conf/all/forwarding", on);
	/* A kernel without IPv6 has no such file: IPv4 alone is still a router. */
	return ret < 0 ? ret : ret6 == -ENOENT ? 0 : ret6;
}
