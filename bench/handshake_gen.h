/* Shared by bench/handshake.c and bench/handshake_client.c: many initiator identities
 * made from a seed, and one protocol core that produces a real handshake initiation for
 * any of them.
 *
 * One wg_device per identity would cost ~350 KB each (its rate limiter), so a single
 * initiator device switches its private key before each initiation. Its clocks are
 * virtual: the monotonic clock jumps 10 s per initiation so REKEY_TIMEOUT never holds
 * one back, and the wall clock (the TAI64N timestamp) is whatever the caller asks for,
 * so that every identity's timestamps rise from one round to the next. The responder
 * only compares timestamps, it never checks them against its own clock. Randomness
 * (ephemeral keys, sender indices) is the operating system's. */
#ifndef BENCH_HANDSHAKE_GEN_H
#define BENCH_HANDSHAKE_GEN_H
#include "bench_clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/device.h"
#include "core/messages.h"
#include "crypto/crypto.h"

struct hs_gen {
	struct wg_device *dev;
	struct wg_peer *peer;            /* the responder, as the initiator's peer */
	struct wg_sink sink;
	uint64_t mono, wall;
	uint8_t *out;                    /* where the next initiation goes */
	int got;
};


static inline uint64_t hs_clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Identity i of a seed: a private key that is a hash of both, clamped. */
static inline void hs_identity(uint8_t priv[WG_KEY_LEN], uint32_t seed, uint32_t i)
{
	uint8_t in[12];
	memcpy(in, "wgbn", 4);
	memcpy(in + 4, &seed, 4);
	memcpy(in + 8, &i, 4);
	wg_hash(priv, in, sizeof(in), NULL, 0);
	wg_x25519_clamp(priv);
}

/* Identity i's public key in base64, as a `wg setconf` [Peer] section names it. */
static inline void hs_identity_b64(char b64[WG_KEY_B64_LEN + 1], uint32_t seed, uint32_t i)
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	hs_identity(priv, seed, i);
	wg_x25519_public(pub, priv);
	wg_wipe(priv, sizeof(priv));
	wg_key_to_base64(b64, pub);
}

static uint64_t hs_gen_mono(void *ctx) { return ((struct hs_gen *)ctx)->mono; }
static uint64_t hs_gen_wall(void *ctx) { return ((struct hs_gen *)ctx)->wall; }
static void hs_os_random(void *ctx, void *buf, size_t len) { wg_os_random(buf, len); }

static void hs_gen_send(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to,
			const uint8_t *buf, size_t len)
{
	struct hs_gen *g = ctx;
	if (len == WG_MSG_INITIATION_LEN && buf[0] == WG_MSG_INITIATION && g->out) {
		memcpy(g->out, buf, len);
		g->got = 1;
	}
}

static void hs_gen_deliver(void *ctx, struct wg_peer *peer, uint8_t *pkt, size_t len) {}

/* Returns 0, or -1 if the core would not set up (out of memory). */
static inline int hs_gen_init(struct hs_gen *g, const uint8_t responder_pub[WG_KEY_LEN],
			      const struct wg_endpoint *responder)
{
	memset(g, 0, sizeof(*g));
	g->mono = 1000ULL * 1000000000ULL;
	struct wg_env env = { .ctx = g, .mono_ns = hs_gen_mono, .wall_ns = hs_gen_wall,
			      .random = hs_os_random };
	g->sink = (struct wg_sink){ .ctx = g, .send = hs_gen_send, .deliver = hs_gen_deliver };
	g->dev = wg_device_new(&env);
	if (!g->dev)
		return -1;
	uint8_t k[WG_KEY_LEN];
	hs_identity(k, 0xffffffffu, 0xffffffffu);
	wg_device_set_private_key(g->dev, k);
	g->peer = wg_device_add_peer(g->dev, responder_pub);
	if (!g->peer)
		return -1;
	wg_peer_set_endpoint(g->peer, responder);
	return 0;
}

static inline void hs_gen_free(struct hs_gen *g)
{
	wg_device_free(g->dev);
}

/* A fresh initiation from identity priv with the given wall-clock time into
 * out[WG_MSG_INITIATION_LEN]. Returns 0, or -1 if the core produced none. */
static inline int hs_gen_initiation(struct hs_gen *g, const uint8_t priv[WG_KEY_LEN],
				    uint64_t wall_ns, uint8_t *out)
{
	wg_device_set_private_key(g->dev, priv); /* resets the session state too */
	g->mono += 10ULL * 1000000000ULL;
	g->wall = wall_ns;
	g->out = out;
	g->got = 0;
	wg_peer_send_keepalive(g->peer, &g->sink);
	g->out = NULL;
	/* The keepalive stays staged; the next key switch purges it. */
	return g->got ? 0 : -1;
}
#endif
