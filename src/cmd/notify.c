/* Readiness for systemd (Type=notify), without libsystemd: the state is one datagram to
 * the AF_UNIX socket named by $NOTIFY_SOCKET ('@' at the start names an abstract socket).
 * Nothing happens when the variable is unset, so outside systemd this costs nothing. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "cmd/cmd.h"

int cmd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t len = path ? strlen(path) : 0;
	if (!len)
		return 0;
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(a.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(a.sun_path, path, len);
	if (a.sun_path[0] == '@')
		a.sun_path[0] = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&a, alen);
	close(fd);
	return n == (ssize_t)strlen(state) ? 0 : -1;
}
