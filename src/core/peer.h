/* A peer: its keys, endpoint, handshake, sessions, timers and staged packets. Internal
 * to the core. */
#ifndef WG_CORE_PEER_H
#define WG_CORE_PEER_H
#include <stdbool.h>
#include <stdint.h>
#include "core/allowedips.h"
#include "core/cookie.h"
#include "core/device.h"
#include "core/noise.h"
#include "core/timers.h"

struct wg_staged {
	uint8_t *buf;   /* WG_HEADROOM + len + WG_TAILROOM bytes, packet at buf + WG_HEADROOM */
	size_t len;
};

struct wg_peer {
	struct wg_device *dev;
	struct wg_peer *next, *prev;          /* device list, insertion order */
	struct wg_peer *hash_next;            /* public key hash bucket */
	struct wg_aip_owner aip;
	uint8_t public_key[WG_KEY_LEN];
	uint8_t psk[WG_KEY_LEN];
	uint8_t static_static[WG_KEY_LEN];    /* DH(own private, peer public), once known */
	bool static_static_done;              /* computed (at the first handshake, see noise.c) */
	bool static_static_ok;                /* false for low-order keys: never handshake */
	struct wg_endpoint endpoint;
	struct wg_handshake hs;
	struct wg_peer_cookie cookie;
	struct wg_keypair *kp_current, *kp_previous, *kp_next;
	uint64_t timers[WG_TIMER__COUNT];     /* monotonic deadline, 0 = disarmed */
	size_t slot;                          /* its place in the device's timer_at and slot_peer */
	uint8_t lane;                         /* top byte of its receiver indices with lanes on, drawn when added */
	unsigned handshake_attempts;
	bool need_another_keepalive;
	bool sent_lastminute_handshake;
	uint64_t last_sent_handshake;         /* monotonic ns, 0 = never */
	uint64_t last_cookie_retry;           /* initiation resent on a cookie reply, 0 = never */
	uint16_t persistent_keepalive;        /* seconds, 0 = off */
	bool responder_only;
	struct wg_staged *staged;             /* ring of WG_MAX_STAGED_PACKETS, allocated on first use */
	unsigned staged_head, staged_count;
	uint64_t rx_bytes, tx_bytes, drops_source;
	uint64_t last_handshake_wall;
	void *userdata;
};
#endif
