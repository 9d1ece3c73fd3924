/* MAC1/MAC2 and cookie replies (the DoS mitigation of the protocol). Internal to the
 * core. */
#ifndef WG_CORE_COOKIE_H
#define WG_CORE_COOKIE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/endpoint.h"
#include "core/messages.h"

struct wg_device;
struct wg_peer;

/* Per-peer cookie state of the sending side (we are asked for MAC2). */
struct wg_peer_cookie {
	uint8_t mac1_key[WG_HASH_LEN];    /* HASH(LABEL_MAC1 || peer public key) */
	uint8_t cookie_key[WG_HASH_LEN];  /* HASH(LABEL_COOKIE || peer public key) */
	uint8_t cookie[WG_COOKIE_LEN];
	uint64_t cookie_birth;            /* 0 = no cookie */
	uint8_t last_mac1[WG_MAC_LEN];
	bool have_last_mac1;              /* a cookie reply is only accepted once per mac1 */
};

/* Per-device cookie state of the checking side. */
struct wg_cookie_checker {
	uint8_t mac1_key[WG_HASH_LEN];    /* HASH(LABEL_MAC1 || own public key) */
	uint8_t cookie_key[WG_HASH_LEN];  /* HASH(LABEL_COOKIE || own public key) */
	uint8_t secret[WG_HASH_LEN];
	uint64_t secret_birth;            /* 0 = not yet drawn */
};

void wg_cookie_checker_init(struct wg_device *dev);
void wg_peer_cookie_init(struct wg_peer *peer);
void wg_cookie_add_macs(struct wg_peer *peer, void *msg, size_t len);
/* MAC1 alone: the cheap check that sorts out datagrams not made for us. */
bool wg_cookie_mac1_ok(const struct wg_device *dev, const void *msg, size_t len);
/* Under load, after MAC1: does MAC2 prove the source address (it holds a cookie we
 * sent there)? */
bool wg_cookie_mac2_ok(struct wg_device *dev, const void *msg, size_t len, const struct wg_endpoint *from);
/* Is there a MAC2 at all (an initiator without a cookie sends zeros)? */
bool wg_cookie_has_mac2(const void *msg, size_t len);
/* The per-source rate limit on handshakes with a valid MAC2 (ratelimiter.h). */
bool wg_cookie_source_allowed(struct wg_device *dev, const struct wg_endpoint *from);
/* The per-source rate limit on cookie replies (the same 20/s, burst 5, its own table):
 * a flood from a few addresses gets a few replies a second each, not one per message. */
bool wg_cookie_reply_allowed(struct wg_device *dev, const struct wg_endpoint *from);
/* The reply carrying the cookie of from, encrypted under our cookie key with msg's MAC1
 * as associated data. */
void wg_cookie_create_reply(struct wg_device *dev, struct wg_msg_cookie *reply, const void *msg,
			    size_t len, uint32_t sender_index, const struct wg_endpoint *from);
/* The peer whose cookie the reply set, or NULL (dropped and counted). */
struct wg_peer *wg_cookie_consume_reply(struct wg_device *dev, const struct wg_msg_cookie *reply);
#endif
