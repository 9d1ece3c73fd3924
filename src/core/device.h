/* The protocol core's public API: a sans-IO WireGuard device.
 *
 * The core never performs I/O, never reads a clock and never draws randomness on its
 * own: everything comes in through struct wg_env (per device) and goes out through
 * struct wg_sink (per call). The caller hands in datagrams from the network and inner
 * packets from the tunnel; the core answers by calling sink->send (a datagram for the
 * network) and sink->deliver (a decrypted packet for the tunnel), and asks to be called
 * back at wg_device_next_deadline() to run its timers.
 *
 * The core is not internally locked: one caller at a time per device (the data plane
 * serialises with its own lock; the pure crypto steps of the batch API run unlocked).
 */
#ifndef WG_DEVICE_H
#define WG_DEVICE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/endpoint.h"
#include "core/messages.h"

struct wg_device;
struct wg_peer;

enum wg_log_level { WG_LOG_SILENT = 0, WG_LOG_ERROR = 1, WG_LOG_VERBOSE = 2 };

struct wg_env {
	void *ctx;
	uint64_t (*mono_ns)(void *ctx);            /* monotonic clock, ns */
	uint64_t (*wall_ns)(void *ctx);            /* real time since the epoch, ns */
	void (*random)(void *ctx, void *buf, size_t len);
	/* Optional. topic is a short machine tag ("handshake", "endpoint", "allowedips",
	 * "mtu", ...) so the router can map messages to RouterOS log lines. */
	void (*log)(void *ctx, enum wg_log_level level, struct wg_peer *peer, const char *topic,
		    const char *msg);
};

struct wg_sink {
	void *ctx;
	/* A datagram for the network. peer is NULL for cookie replies to unknown senders. */
	void (*send)(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to,
		     const uint8_t *buf, size_t len);
	/* A decrypted inner IP packet for the tunnel (never a keepalive). */
	void (*deliver)(void *ctx, struct wg_peer *peer, uint8_t *pkt, size_t len);
};

/* Why a datagram was dropped; counted per device, reported in logs. */
enum wg_drop {
	WG_DROP_MALFORMED,      /* wrong size or type */
	WG_DROP_MAC,            /* bad MAC1 / MAC2 */
	WG_DROP_COOKIE_SENT,    /* under load without valid MAC2: answered with a cookie */
	WG_DROP_RATELIMIT,      /* per-source rate limit */
	WG_DROP_COOKIE_LIMIT,   /* under load without valid MAC2, its source over the
	                         * cookie-reply rate: dropped unanswered */
	WG_DROP_HANDSHAKE,      /* failed decryption of a handshake, unknown static key */
	WG_DROP_TIMESTAMP,      /* replayed / old timestamp or initiation flood */
	WG_DROP_UNKNOWN_INDEX,  /* no session for the receiver index */
	WG_DROP_DECRYPT,        /* transport authentication failure */
	WG_DROP_REPLAY,         /* counter outside the replay window */
	WG_DROP_EXPIRED,        /* session too old or too many messages */
	WG_DROP_SOURCE,         /* inner source not in the peer's allowed IPs */
	WG_DROP_NO_PEER,        /* outbound: no peer for the destination */
	WG_DROP_NO_ENDPOINT,    /* outbound: peer has no endpoint yet */
	WG_DROP_INNER,          /* inner packet not IPv4/IPv6 or truncated */
	WG_DROP__COUNT
};

struct wg_device_stats {
	uint64_t drops[WG_DROP__COUNT];
	uint64_t dh_received;   /* received handshake messages that cost an X25519 */
};

struct wg_device *wg_device_new(const struct wg_env *env);
void wg_device_free(struct wg_device *dev);

/* NULL clears the key. Sessions are reset; a peer whose public key equals the new
 * public key is removed (as the kernel does). */
void wg_device_set_private_key(struct wg_device *dev, const uint8_t key[WG_KEY_LEN]);
bool wg_device_private_key(const struct wg_device *dev, uint8_t key[WG_KEY_LEN]);
bool wg_device_public_key(const struct wg_device *dev, uint8_t key[WG_KEY_LEN]);

/* The data plane tells the core how full its handshake queue is (messages waiting
 * for wg_device_receive_handshake, including those in hand); at 1/8 of capacity the
 * device is "under load" (MAC2 required) until 1 s after it drops below. The core
 * also goes under load by itself when X25519s are wasted on failing handshake messages
 * faster than it budgets for (core/load.h), whatever the caller reports. */
void wg_device_set_handshake_backlog(struct wg_device *dev, size_t queued, size_t capacity);
const struct wg_device_stats *wg_device_stats(const struct wg_device *dev);
/* The tunnel MTU: padding never makes a packet exceed it. 0 = no limit. */
void wg_device_set_mtu(struct wg_device *dev, int mtu);

/* Receiver indices are random 32-bit numbers (the default). With lanes on, every index
 * handed out for one peer has the same top byte, the peer's lane (WG_INDEX_LANE_OFFSET),
 * drawn at random when the peer was added, so a receiver with several sockets on one port
 * can keep each peer's datagrams on one socket, also across roaming and rekeys. The cost:
 * 24 random bits instead of 32, and an observer can tell, 255 times in 256, that two
 * sessions are not the same peer's. Takes effect from the next index handed out. */
void wg_device_set_index_lanes(struct wg_device *dev, bool on);

/* Down: every session and handshake is wiped and no timer runs. Up (the default). */
void wg_device_set_up(struct wg_device *dev, bool up);

/* --- Peers --- */
struct wg_peer *wg_device_find_peer(const struct wg_device *dev, const uint8_t pub[WG_KEY_LEN]);
/* NULL if pub equals the device's own public key (such a peer is ignored) or on ENOMEM. */
struct wg_peer *wg_device_add_peer(struct wg_device *dev, const uint8_t pub[WG_KEY_LEN]);
void wg_device_remove_peer(struct wg_device *dev, struct wg_peer *peer);
void wg_device_remove_all_peers(struct wg_device *dev);
size_t wg_device_peer_count(const struct wg_device *dev);
/* Peers in the order they were added. */
struct wg_peer *wg_device_first_peer(const struct wg_device *dev);
struct wg_peer *wg_peer_next(const struct wg_peer *peer);

void wg_peer_public_key(const struct wg_peer *peer, uint8_t pub[WG_KEY_LEN]);
/* NULL or all-zero clears the preshared key. */
void wg_peer_set_preshared_key(struct wg_peer *peer, const uint8_t psk[WG_KEY_LEN]);
void wg_peer_preshared_key(const struct wg_peer *peer, uint8_t psk[WG_KEY_LEN]);
void wg_peer_set_endpoint(struct wg_peer *peer, const struct wg_endpoint *ep);
void wg_peer_endpoint(const struct wg_peer *peer, struct wg_endpoint *ep);
/* 0 disables. Enabling it on a running device sends a keepalive at once (via sink). */
void wg_peer_set_persistent_keepalive(struct wg_peer *peer, uint16_t seconds, const struct wg_sink *sink);
uint16_t wg_peer_persistent_keepalive(const struct wg_peer *peer);
/* A peer that only answers handshakes and never initiates (RouterOS "responder"). */
void wg_peer_set_responder(struct wg_peer *peer, bool responder);
void *wg_peer_userdata(const struct wg_peer *peer);
void wg_peer_set_userdata(struct wg_peer *peer, void *data);

int wg_peer_add_allowed_ip(struct wg_peer *peer, int family, const uint8_t *addr, uint8_t cidr);
int wg_peer_remove_allowed_ip(struct wg_peer *peer, int family, const uint8_t *addr, uint8_t cidr);
void wg_peer_clear_allowed_ips(struct wg_peer *peer);
typedef bool (*wg_peer_aip_cb)(void *ctx, int family, const uint8_t *addr, uint8_t cidr);
void wg_peer_foreach_allowed_ip(const struct wg_peer *peer, wg_peer_aip_cb cb, void *ctx);

struct wg_peer_stats {
	uint64_t rx_bytes, tx_bytes;
	uint64_t last_handshake_wall_ns; /* 0 = never */
	uint64_t drops_source;           /* inner source outside allowed IPs */
};
void wg_peer_stats(const struct wg_peer *peer, struct wg_peer_stats *st);

/* --- Packets --- */
/* A datagram from the network, decrypted in place (buf is modified). */
void wg_device_receive(struct wg_device *dev, const struct wg_endpoint *from,
		       uint8_t *buf, size_t len, const struct wg_sink *sink);
/* An inner IP packet from the tunnel at pkt[0..len); pkt - WG_HEADROOM and
 * pkt + len + WG_TAILROOM must be writable: it is encrypted in place. */
void wg_device_send(struct wg_device *dev, uint8_t *pkt, size_t len, const struct wg_sink *sink);
/* The peer whose allowed IPs hold the packet's destination (NULL: drop it). */
struct wg_peer *wg_device_route(struct wg_device *dev, const uint8_t *pkt, size_t len);
/* Sends a keepalive (or starts a handshake) to the peer now. */
void wg_peer_send_keepalive(struct wg_peer *peer, const struct wg_sink *sink);

/* --- Packets in batches, with the crypto outside the caller's lock ---
 * prepare (locked) -> seal/open (no lock, any thread) -> finish (locked), in order.
 * A job keeps its session alive until finish, even if it is replaced meanwhile. */
struct wg_tx_job {
	struct wg_peer *peer;
	struct wg_keypair *kp;
	uint8_t *pkt;       /* inner packet, room around it as for wg_device_send */
	size_t len;
	size_t out_len;     /* datagram at pkt - WG_HEADROOM after seal */
	uint64_t nonce;
};
/* true: the packet became a job; false: the core dealt with it (staged behind a
 * handshake, or dropped). */
bool wg_device_send_prepare(struct wg_device *dev, uint8_t *pkt, size_t len,
			    struct wg_tx_job *job, const struct wg_sink *sink);
void wg_tx_seal(struct wg_tx_job *job);
void wg_device_send_finish(struct wg_device *dev, struct wg_tx_job *jobs, int n, const struct wg_sink *sink);

struct wg_rx_job {
	struct wg_keypair *kp;
	uint8_t *buf;
	size_t len;
	const struct wg_endpoint *from;
	bool ok;            /* authenticated by wg_rx_open */
};
/* true: a transport message became a job; false: handled (handshake, cookie, drop). */
bool wg_device_receive_prepare(struct wg_device *dev, const struct wg_endpoint *from, uint8_t *buf,
			       size_t len, struct wg_rx_job *job, const struct wg_sink *sink);
/* The same, except that handshake work is left to the caller, so that a thread of its
 * own can do it and transport data never waits behind an X25519: */
enum wg_rx_kind {
	WG_RX_DONE,       /* dropped (and counted): malformed, bad MAC1, unknown index */
	WG_RX_JOB,        /* transport data: *job is ready for wg_rx_open */
	WG_RX_HANDSHAKE,  /* an initiation or response with a valid MAC1, or a cookie reply
			   * for one of our indices: copy it (with from) into a queue and
			   * hand it to wg_device_receive_handshake later */
	WG_RX_HANDSHAKE_MAC2, /* the same, under load and with a valid MAC2 (its sender
			   * proved it receives at its address): serve it before the others,
			   * so that a queue full of flood does not hold it back */
};
enum wg_rx_kind wg_device_receive_classify(struct wg_device *dev, const struct wg_endpoint *from, uint8_t *buf,
					   size_t len, struct wg_rx_job *job);
/* A message that wg_device_receive_classify called WG_RX_HANDSHAKE (its MAC1 is not
 * checked again), from that queue: the under-load decision (a cookie reply instead of
 * an X25519 without a valid MAC2), the per-source rate limit, then the handshake. */
void wg_device_receive_handshake(struct wg_device *dev, const struct wg_endpoint *from,
				 const uint8_t *buf, size_t len, const struct wg_sink *sink);
void wg_rx_open(struct wg_rx_job *job);
void wg_device_receive_finish(struct wg_device *dev, struct wg_rx_job *job, const struct wg_sink *sink);

/* --- Timers --- */
/* Monotonic time of the next timer event, UINT64_MAX if none. */
uint64_t wg_device_next_deadline(const struct wg_device *dev);
/* Runs every timer event that is due. */
void wg_device_tick(struct wg_device *dev, const struct wg_sink *sink);
#endif
