/* MAC1/MAC2 and cookie replies: the DoS defence of the handshake. MAC1 proves the
 * sender knows our public key; under load MAC2 additionally proves it can receive at
 * its source address (it holds a cookie we sent there). */
#include "core/cookie.h"
#include <stddef.h>
#include <string.h>
#include <endian.h>
#include "core/device_state.h"
#include "core/index.h"

static void derive_key(uint8_t key[WG_HASH_LEN], const char *label, const uint8_t pub[WG_KEY_LEN])
{
	wg_hash(key, label, 8, pub, WG_KEY_LEN);
}

void wg_cookie_checker_init(struct wg_device *dev)
{
	struct wg_cookie_checker *c = &dev->checker;
	if (dev->has_identity) {
		derive_key(c->mac1_key, WG_LABEL_MAC1, dev->public_key);
		derive_key(c->cookie_key, WG_LABEL_COOKIE, dev->public_key);
	} else {
		memset(c->mac1_key, 0, WG_HASH_LEN);
		memset(c->cookie_key, 0, WG_HASH_LEN);
	}
}

void wg_peer_cookie_init(struct wg_peer *peer)
{
	struct wg_peer_cookie *c = &peer->cookie;
	memset(c, 0, sizeof(*c));
	derive_key(c->mac1_key, WG_LABEL_MAC1, peer->public_key);
	derive_key(c->cookie_key, WG_LABEL_COOKIE, peer->public_key);
}

/* The cookie is a MAC of the source address under a secret rotated every 2 minutes. */
static void make_cookie(struct wg_device *dev, uint8_t cookie[WG_COOKIE_LEN], const struct wg_endpoint *from)
{
	struct wg_cookie_checker *c = &dev->checker;
	uint64_t now = wg_now(dev);
	uint8_t input[18];
	size_t n;

	if (wg_expired(now, c->secret_birth, WG_COOKIE_SECRET_LIFETIME)) {
		wg_random(dev, c->secret, WG_HASH_LEN);
		c->secret_birth = now ? now : 1;
	}
	if (from->addr.sa.sa_family == AF_INET6) {
		memcpy(input, &from->addr.sin6.sin6_addr, 16);
		memcpy(input + 16, &from->addr.sin6.sin6_port, 2);
		n = 18;
	} else {
		memcpy(input, &from->addr.sin.sin_addr, 4);
		memcpy(input + 4, &from->addr.sin.sin_port, 2);
		n = 6;
	}
	wg_mac(cookie, WG_COOKIE_LEN, c->secret, WG_HASH_LEN, input, n);
}

static struct wg_msg_macs *macs_of(const void *msg, size_t len)
{
	return (struct wg_msg_macs *)((uint8_t *)msg + len - sizeof(struct wg_msg_macs));
}

void wg_cookie_add_macs(struct wg_peer *peer, void *msg, size_t len)
{
	struct wg_peer_cookie *c = &peer->cookie;
	struct wg_msg_macs *m = macs_of(msg, len);
	size_t mac1_off = len - sizeof(*m), mac2_off = mac1_off + WG_MAC_LEN;
	uint64_t now = wg_now(peer->dev);

	wg_mac(m->mac1, WG_MAC_LEN, c->mac1_key, WG_HASH_LEN, msg, mac1_off);
	memcpy(c->last_mac1, m->mac1, WG_MAC_LEN);
	c->have_last_mac1 = true;
	/* A cookie is used while the responder's secret that made it may still be live
	 * (minus a margin for the round trip). */
	if (c->cookie_birth && !wg_expired(now, c->cookie_birth, WG_COOKIE_SECRET_LIFETIME - 5 * WG_NSEC))
		wg_mac(m->mac2, WG_MAC_LEN, c->cookie, WG_COOKIE_LEN, msg, mac2_off);
	else
		memset(m->mac2, 0, WG_MAC_LEN);
}

bool wg_cookie_mac1_ok(const struct wg_device *dev, const void *msg, size_t len)
{
	const struct wg_msg_macs *m = macs_of(msg, len);
	uint8_t want[WG_MAC_LEN];

	wg_mac(want, WG_MAC_LEN, dev->checker.mac1_key, WG_HASH_LEN, msg, len - sizeof(*m));
	return wg_memeq(want, m->mac1, WG_MAC_LEN);
}

bool wg_cookie_mac2_ok(struct wg_device *dev, const void *msg, size_t len, const struct wg_endpoint *from)
{
	const struct wg_msg_macs *m = macs_of(msg, len);
	size_t mac2_off = len - sizeof(*m) + WG_MAC_LEN;
	uint8_t cookie[WG_COOKIE_LEN], want[WG_MAC_LEN];

	make_cookie(dev, cookie, from);
	wg_mac(want, WG_MAC_LEN, cookie, WG_COOKIE_LEN, msg, mac2_off);
	wg_wipe(cookie, sizeof(cookie));
	return wg_memeq(want, m->mac2, WG_MAC_LEN);
}

bool wg_cookie_has_mac2(const void *msg, size_t len)
{
	return !wg_is_zero(macs_of(msg, len)->mac2, WG_MAC_LEN);
}

static enum wg_ratelimit limit(struct wg_device *dev, struct wg_ratelimiter *rl, const struct wg_endpoint *from)
{
	int family = from->addr.sa.sa_family;
	const void *addr = family == AF_INET6 ? (const void *)&from->addr.sin6.sin6_addr
					      : (const void *)&from->addr.sin.sin_addr;
	return wg_ratelimiter_check(rl, family, addr, wg_now(dev));
}

bool wg_cookie_source_allowed(struct wg_device *dev, const struct wg_endpoint *from)
{
	return limit(dev, dev->ratelimiter, from) == WG_RATELIMIT_ALLOW;
}

/* A full table (a flood from more addresses than it holds) answers new sources as if
 * there were no limit: refusing them would refuse a real initiator its cookie too. */
bool wg_cookie_reply_allowed(struct wg_device *dev, const struct wg_endpoint *from)
{
	return limit(dev, dev->cookie_limiter, from) != WG_RATELIMIT_LIMITED;
}

void wg_cookie_create_reply(struct wg_device *dev, struct wg_msg_cookie *reply, const void *msg,
			    size_t len, uint32_t sender_index, const struct wg_endpoint *from)
{
	const struct wg_msg_macs *m = macs_of(msg, len);
	uint8_t cookie[WG_COOKIE_LEN];

	memset(reply, 0, sizeof(*reply));
	reply->type = htole32(WG_MSG_COOKIE);
	reply->receiver = sender_index; /* already little-endian from the message */
	wg_random(dev, reply->nonce, WG_COOKIE_NONCE_LEN);
	make_cookie(dev, cookie, from);
	wg_xaead_seal(reply->cookie_enc, cookie, WG_COOKIE_LEN, m->mac1, WG_MAC_LEN,
		      reply->nonce, dev->checker.cookie_key);
	wg_wipe(cookie, sizeof(cookie));
}

struct wg_peer *wg_cookie_consume_reply(struct wg_device *dev, const struct wg_msg_cookie *reply)
{
	struct wg_index_entry *e = wg_index_find(dev, le32toh(reply->receiver));
	uint8_t cookie[WG_COOKIE_LEN];

	if (!e) {
		wg_drop(dev, WG_DROP_UNKNOWN_INDEX);
		return NULL;
	}
	struct wg_peer_cookie *c = &e->peer->cookie;
	if (!c->have_last_mac1 ||
	    !wg_xaead_open(cookie, reply->cookie_enc, WG_COOKIE_LEN + WG_TAG_LEN, c->last_mac1,
			   WG_MAC_LEN, reply->nonce, c->cookie_key)) {
		wg_drop(dev, WG_DROP_MAC);
		return NULL;
	}
	memcpy(c->cookie, cookie, WG_COOKIE_LEN);
	c->cookie_birth = wg_now(dev) ? wg_now(dev) : 1;
	c->have_last_mac1 = false;
	wg_wipe(cookie, sizeof(cookie));
	wg_log(dev, WG_LOG_VERBOSE, e->peer, "handshake", "Received cookie reply: retrying with MAC2");
	return e->peer;
}
