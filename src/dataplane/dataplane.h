/* One running WireGuard interface: TUN device + UDP sockets + the protocol core +
 * threads (tx, rx, handshake, control; see README.md) + (optionally) the UAPI socket.
 * `wgrouter userspace` runs one of these; `wgrouter daemon` runs one per configured
 * /interface/wireguard.
 *
 * Configuration goes through the UAPI text protocol, in-process or over the socket,
 * so there is exactly one configuration path and `wg` sees what the router set. */
#ifndef WG_DATAPLANE_H
#define WG_DATAPLANE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/device.h"

struct wg_dataplane;

struct wg_dataplane_opts {
	bool uapi_socket;          /* serve /var/run/wireguard/IFNAME.sock */
	const char *uapi_dir;      /* default /var/run/wireguard */
	int mtu;                   /* default 1420 */
	/* Data-plane queues, 1..8, each a TUN queue, a socket set and a tx and an rx thread;
	 * 0: WGROUTER_QUEUES if set, else 1 (one TUN queue, sockets of its own: as before).
	 * Any other value means 1. */
	int queues;
	enum wg_log_level log_level;
	/* Optional log sink (else stderr with wireguard-go's format). peer_pub is NULL
	 * for device-level messages; topic as in struct wg_env. Called from data plane
	 * threads: must be thread-safe. */
	void (*log)(void *ctx, enum wg_log_level level, const uint8_t *peer_pub,
		    const char *topic, const char *msg);
	void *log_ctx;
	/* Optional: called once, from a data plane thread, when the interface cannot go on
	 * (its link was deleted, e.g. by `wg-quick down`). The owner then stops it. */
	void (*on_lost)(void *ctx);
	void *lost_ctx;
};

/* Creates the TUN device IFNAME and starts the threads. NULL and *err = -errno. */
struct wg_dataplane *wg_dataplane_start(const char *ifname, const struct wg_dataplane_opts *opts, int *err);
/* Stops threads, removes the UAPI socket, closes the TUN (the device disappears). */
void wg_dataplane_stop(struct wg_dataplane *dp);

/* Runs one UAPI request ("get=1\n\n" or "set=1\n...\n\n") in-process. Returns the
 * errno value of the reply (0 or negative) and, for get, the reply text in *reply
 * (malloc'd, caller frees; may be NULL if not wanted). */
int wg_dataplane_uapi(struct wg_dataplane *dp, const char *request, char **reply);

int wg_dataplane_set_mtu(struct wg_dataplane *dp, int mtu);
int wg_dataplane_ifindex(const struct wg_dataplane *dp);
const char *wg_dataplane_ifname(const struct wg_dataplane *dp);
/* Administrative state of the interface (link up/down, sessions wiped when down). */
int wg_dataplane_set_up(struct wg_dataplane *dp, bool up);
/* Renames the TUN device (and its UAPI socket) in place: the link is down for the
 * rename only (Linux requires it), the WireGuard device and its sessions stay up. */
int wg_dataplane_rename(struct wg_dataplane *dp, const char *new_name);
uint16_t wg_dataplane_listen_port(const struct wg_dataplane *dp);
/* A peer that never initiates a handshake, only answers (RouterOS responder=yes); the
 * UAPI has no key for this. 0, or -ENOENT if no such peer. */
int wg_dataplane_set_responder(struct wg_dataplane *dp, const uint8_t pub[WG_KEY_LEN], bool responder);
#endif
