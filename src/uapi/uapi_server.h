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
 * set and each chunk of a get, never while waiting for the client or writing to it).
 * Replies are sent with MSG_NOSIGNAL and time out after WG_UAPI_SEND_TIMEOUT_S, so a
 * client that stops reading cannot kill the process with SIGPIPE; a client that sends
 * nothing for WG_UAPI_IDLE_TIMEOUT_S is disconnected, so idle connections cannot use up
 * the interface's connection slots (`wg` sends its request at once). */
enum { WG_UAPI_SEND_TIMEOUT_S = 5, WG_UAPI_IDLE_TIMEOUT_S = 10 };
void wg_uapi_serve(int fd, struct wg_device *dev, const struct wg_uapi_ops *ops);
/* The same with other timeouts (ms; tests). */
void wg_uapi_serve_timeouts(int fd, struct wg_device *dev, const struct wg_uapi_ops *ops,
			    unsigned idle_ms, unsigned send_ms);
#endif
