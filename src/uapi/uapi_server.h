/* The UAPI's UNIX socket, where `wg` and `wg-quick` look for a userspace WireGuard:
 * /var/run/wireguard/IFNAME.sock. Platform code; the protocol itself is in uapi.h. */
#ifndef WG_UAPI_SERVER_H
#define WG_UAPI_SERVER_H
#include <stddef.h>
#include "uapi/uapi.h"

#define WG_UAPI_DIR "/var/run/wireguard"

/* Creates dir (mode 0755, parents too) and listens on dir/IFNAME.sock, reachable by its
 * owner only: umask 077 around bind, as wireguard-go does, which leaves a socket at
 * 0700 (connecting needs write permission, so only root can configure). umask is
 * process-wide: call this before starting threads that create files. A socket left behind by a dead
 * process (connect() is refused) is replaced; one that answers is not (-EADDRINUSE);
 * a path that is not a socket is never removed (-EEXIST). Returns the listening fd
 * (close-on-exec) and the socket's path in path_out, or -errno. */
int wg_uapi_listen(const char *dir, const char *ifname, char *path_out, size_t cap);

/* Serves one accepted connection: requests until the client closes it or breaks the
 * protocol, then closes fd. Blocks, so it runs on its own thread; shutdown(fd, SHUT_RDWR)
 * from another thread ends it. Locking is ops->lock/unlock (taken around each applied
 * line and each get, never while waiting for the client). Replies are sent with
 * MSG_NOSIGNAL and time out after WG_UAPI_SEND_TIMEOUT_S, so a client that stops
 * reading neither kills the process with SIGPIPE nor holds the lock for long. */
enum { WG_UAPI_SEND_TIMEOUT_S = 5 };
void wg_uapi_serve(int fd, struct wg_device *dev, const struct wg_uapi_ops *ops);
#endif
