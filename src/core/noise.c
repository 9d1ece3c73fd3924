/* Noise_IKpsk2 as WireGuard uses it: the four handshake steps and the session keys.
 * Each step is computed on local copies and committed to the peer only once every
 * check passed; every path leaves through `out:` which wipes the secrets. */
#include "core/noise.h"
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include "core/device_state.h"
#include "core/index.h"
#include "util/secmem.h"

static const uint8_t CK0[WG_HASH_LEN] = WG_CK0_BYTES;
static const uint8_t H0[WG_HASH_LEN] = WG_H0_BYTES;

/* ck = CK0; h = HASH(H0 || responder static). */
static void handshake_init(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN], const uint8_t responder_pub[WG_KEY_LEN])
{
	memcpy(ck, CK0, WG_HASH_LEN);
	wg_hash(h, H0, WG_HASH_LEN, responder_pub, WG_KEY_LEN);
}

static void mix_hash(uint8_t h[WG_HASH_LEN], const void *data, size_t len)
{
	wg_hash(h, h, WG_HASH_LEN, data, len);
}

/* ck = KDF1(ck, e); h = HASH(h || e) */
static void mix_ephemeral(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN], const uint8_t e[WG_KEY_LEN])
{
	wg_kdf(ck, NULL, NULL, ck, e, WG_KEY_LEN);
	mix_hash(h, e, WG_KEY_LEN);
}

/* ck, k = KDF2(ck, DH(priv, pub)); false on a low-order result (or a missing key). */
static bool mix_dh(uint8_t ck[WG_HASH_LEN], uint8_t k[WG_KEY_LEN], struct wg_dh_key *priv, const uint8_t pub[WG_KEY_LEN])
{
	uint8_t dh[WG_KEY_LEN];
	bool ok = priv && wg_dh(dh, priv, pub);
	if (ok)
		wg_kdf(ck, k, NULL, ck, dh, WG_KEY_LEN);
	wg_wipe(dh, sizeof(dh));
	return ok;
}

static void mix_precomputed(uint8_t ck[WG_HASH_LEN], uint8_t k[WG_KEY_LEN], const uint8_t ss[WG_KEY_LEN])
{
	wg_kdf(ck, k, NULL, ck, ss, WG_KEY_LEN);
}

/* ck, tau, k = KDF3(ck, psk); h = HASH(h || tau) */
static void mix_psk(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN], uint8_t k[WG_KEY_LEN], const uint8_t psk[WG_KEY_LEN])
{
	uint8_t tau[WG_HASH_LEN];
	wg_kdf(ck, tau, k, ck, psk, WG_KEY_LEN);
	mix_hash(h, tau, WG_HASH_LEN);
	wg_wipe(tau, sizeof(tau));
}

static void encrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t len, uint8_t h[WG_HASH_LEN], const uint8_t k[WG_KEY_LEN])
{
	wg_aead_seal(dst, src, len, h, WG_HASH_LEN, 0, k);
	mix_hash(h, dst, len + WG_TAG_LEN);
}

static bool decrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t len, uint8_t h[WG_HASH_LEN], const uint8_t k[WG_KEY_LEN])
{
	if (!wg_aead_open(dst, src, len + WG_TAG_LEN, h, WG_HASH_LEN, 0, k))
		return false;
	mix_hash(h, src, len + WG_TAG_LEN);
	return true;
}

void wg_tai64n_now(const struct wg_device *dev, uint8_t out[WG_TAI64N_LEN])
{
	uint64_t ns = wg_wall(dev);
	uint64_t secs = 0x400000000000000aULL + ns / WG_NSEC;
	/* Rounded down to ~16 ms (a power of two below 1 s / 50) to avoid a timing oracle,
	 * as the Linux implementation does. */
	uint32_t nsec = (uint32_t)(ns % WG_NSEC) & ~((1u << 24) - 1);
	uint64_t be_secs = htobe64(secs);
	uint32_t be_nsec = htobe32(nsec);
	memcpy(out, &be_secs, 8);
	memcpy(out + 8, &be_nsec, 4);
}

/* The static-static secret is computed at a peer's first handshake, not when the peer
 * or the private key is set: one X25519 per peer would otherwise dominate configuring
 * 100,000 peers (3 s of it), and most of them may never handshake. */
void wg_noise_forget_static(struct wg_peer *peer)
{
	wg_wipe(peer->static_static, WG_KEY_LEN);
	peer->static_static_done = false;
	peer->static_static_ok = false;
}

static bool static_static(struct wg_peer *peer)
{
	struct wg_device *dev = peer->dev;
	if (!peer->static_static_done) {
		peer->static_static_ok = dev->has_identity &&
					 wg_dh(peer->static_static, dev->static_dh, peer->public_key);
		peer->static_static_done = dev->has_identity;
	}
	return peer->static_static_ok;
}

void wg_noise_handshake_clear(struct wg_peer *peer)
{
	struct wg_handshake *hs = &peer->hs;
	if (hs->state != WG_HS_ZEROED)
		wg_index_del(peer->dev, &hs->entry);
	uint8_t ts[WG_TAI64N_LEN];
	uint64_t last = hs->last_initiation_consumption;
	memcpy(ts, hs->latest_timestamp, sizeof(ts)); /* replay protection outlives a reset */
	wg_wipe(hs, sizeof(*hs));
	memcpy(hs->latest_timestamp, ts, sizeof(ts));
	hs->last_initiation_consumption = last;
	hs->entry.peer = peer;
}

static bool new_local_index(struct wg_peer *peer)
{
	struct wg_handshake *hs = &peer->hs;
	if (hs->state != WG_HS_ZEROED)
		wg_index_del(peer->dev, &hs->entry);
	hs->entry.peer = peer;
	hs->entry.keypair = NULL;
	return wg_index_add(peer->dev, &hs->entry) == 0;
}

/* A created message's secrets move into the handshake only when all steps passed. */
static void commit_created(struct wg_handshake *hs, enum wg_hs_state state, const uint8_t e_priv[WG_KEY_LEN],
			   const uint8_t h[WG_HASH_LEN], const uint8_t ck[WG_HASH_LEN])
{
	memcpy(hs->ephemeral_priv, e_priv, WG_KEY_LEN);
	memcpy(hs->hash, h, WG_HASH_LEN);
	memcpy(hs->chaining_key, ck, WG_HASH_LEN);
	hs->state = state;
}

/* The one exit of every step: the symmetric state and the ephemeral key are wiped. */
static void wipe_step(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN], uint8_t k[WG_KEY_LEN], uint8_t e[WG_KEY_LEN],
		      struct wg_dh_key *e_key)
{
	wg_wipe(ck, WG_HASH_LEN);
	wg_wipe(h, WG_HASH_LEN);
	wg_wipe(k, WG_KEY_LEN);
	if (e)
		wg_wipe(e, WG_KEY_LEN);
	wg_dh_key_free(e_key);
}

/* A fresh ephemeral key: its public half goes to pub; it is prepared for the one or
 * two exchanges of this step. NULL if memory ran out. */
static struct wg_dh_key *new_ephemeral(struct wg_device *dev, uint8_t e_priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN])
{
	wg_random(dev, e_priv, WG_KEY_LEN);
	wg_x25519_clamp(e_priv);
	return wg_dh_key_new(e_priv, pub);
}

bool wg_noise_create_initiation(struct wg_peer *peer, struct wg_msg_initiation *msg)
{
	struct wg_device *dev = peer->dev;
	struct wg_handshake *hs = &peer->hs;
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], k[WG_KEY_LEN], e_priv[WG_KEY_LEN];
	uint8_t ts[WG_TAI64N_LEN];
	struct wg_dh_key *e_key = NULL;
	bool ok = false;

	if (!dev->has_identity || !static_static(peer))
		goto out;
	memset(msg, 0, sizeof(*msg));
	msg->type = htole32(WG_MSG_INITIATION);
	handshake_init(ck, h, peer->public_key);

	/* e */
	if (!(e_key = new_ephemeral(dev, e_priv, msg->ephemeral)))
		goto out;
	mix_ephemeral(ck, h, msg->ephemeral);
	/* es */
	if (!mix_dh(ck, k, e_key, peer->public_key))
		goto out;
	/* s */
	encrypt_and_hash(msg->static_enc, dev->public_key, WG_KEY_LEN, h, k);
	/* ss */
	mix_precomputed(ck, k, peer->static_static);
	/* {t} */
	wg_tai64n_now(dev, ts);
	encrypt_and_hash(msg->timestamp_enc, ts, WG_TAI64N_LEN, h, k);

	if (!new_local_index(peer))
		goto out;
	msg->sender = htole32(hs->entry.index);
	hs->remote_index = 0;
	commit_created(hs, WG_HS_CREATED_INITIATION, e_priv, h, ck);
	ok = true;
out:
	wipe_step(ck, h, k, e_priv, e_key);
	return ok;
}

struct wg_peer *wg_noise_consume_initiation(struct wg_device *dev, const struct wg_msg_initiation *msg)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], k[WG_KEY_LEN], s[WG_KEY_LEN], ts[WG_TAI64N_LEN];
	struct wg_peer *peer = NULL, *ret = NULL;

	if (!dev->has_identity)
		goto out;
	handshake_init(ck, h, dev->public_key);
	/* e */
	mix_ephemeral(ck, h, msg->ephemeral);
	/* es */
	dev->stats.dh_received++;
	if (!mix_dh(ck, k, dev->static_dh, msg->ephemeral))
		goto out;
	/* s */
	if (!decrypt_and_hash(s, msg->static_enc, WG_KEY_LEN, h, k))
		goto out;
	peer = wg_device_find_peer(dev, s);
	if (!peer) {
		wg_log(dev, WG_LOG_VERBOSE, NULL, "handshake", "Handshake initiation from an unknown public key");
		goto out;
	}
	if (!static_static(peer))
		goto out;
	/* ss */
	mix_precomputed(ck, k, peer->static_static);
	/* {t} */
	if (!decrypt_and_hash(ts, msg->timestamp_enc, WG_TAI64N_LEN, h, k))
		goto out;

	uint64_t now = wg_now(dev);
	bool replay = memcmp(ts, peer->hs.latest_timestamp, WG_TAI64N_LEN) <= 0;
	bool flood = !wg_expired(now, peer->hs.last_initiation_consumption, WG_NSEC / WG_INITIATIONS_PER_SECOND);
	if (replay || flood) {
		wg_drop(dev, WG_DROP_TIMESTAMP);
		wg_log(dev, WG_LOG_VERBOSE, peer, "handshake", "Handshake initiation rejected: %s",
		       replay ? "timestamp replay" : "initiation flood");
		peer = NULL;
		goto out;
	}

	struct wg_handshake *hs = &peer->hs;
	memcpy(hs->remote_ephemeral, msg->ephemeral, WG_KEY_LEN);
	memcpy(hs->latest_timestamp, ts, WG_TAI64N_LEN);
	memcpy(hs->hash, h, WG_HASH_LEN);
	memcpy(hs->chaining_key, ck, WG_HASH_LEN);
	hs->remote_index = le32toh(msg->sender);
	hs->last_initiation_consumption = now;
	if (hs->state != WG_HS_ZEROED)
		wg_index_del(dev, &hs->entry);
	hs->state = WG_HS_CONSUMED_INITIATION;
	ret = peer;
out:
	wipe_step(ck, h, k, s, NULL);
	wg_wipe(ts, sizeof(ts));
	if (!ret && !peer)
		wg_drop(dev, WG_DROP_HANDSHAKE);
	return ret;
}

bool wg_noise_create_response(struct wg_peer *peer, struct wg_msg_response *msg)
{
	struct wg_device *dev = peer->dev;
	struct wg_handshake *hs = &peer->hs;
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], k[WG_KEY_LEN], e_priv[WG_KEY_LEN];
	struct wg_dh_key *e_key = NULL;
	bool ok = false;

	if (hs->state != WG_HS_CONSUMED_INITIATION)
		goto out;
	memcpy(ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(h, hs->hash, WG_HASH_LEN);
	memset(msg, 0, sizeof(*msg));
	msg->type = htole32(WG_MSG_RESPONSE);
	msg->receiver = htole32(hs->remote_index);

	/* e */
	if (!(e_key = new_ephemeral(dev, e_priv, msg->ephemeral)))
		goto out;
	mix_ephemeral(ck, h, msg->ephemeral);
	/* ee */
	if (!mix_dh(ck, NULL, e_key, hs->remote_ephemeral))
		goto out;
	/* se */
	if (!mix_dh(ck, NULL, e_key, peer->public_key))
		goto out;
	/* psk */
	mix_psk(ck, h, k, peer->psk);
	/* {} */
	encrypt_and_hash(msg->empty_enc, (const uint8_t *)"", 0, h, k);

	if (!new_local_index(peer))
		goto out;
	msg->sender = htole32(hs->entry.index);
	commit_created(hs, WG_HS_CREATED_RESPONSE, e_priv, h, ck);
	ok = true;
out:
	wipe_step(ck, h, k, e_priv, e_key);
	return ok;
}

struct wg_peer *wg_noise_consume_response(struct wg_device *dev, const struct wg_msg_response *msg)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], k[WG_KEY_LEN];
	struct wg_dh_key *e_key = NULL;
	struct wg_peer *ret = NULL;
	struct wg_index_entry *e = wg_index_find(dev, le32toh(msg->receiver));

	if (!e || e->keypair || !dev->has_identity)
		goto out;
	struct wg_peer *peer = e->peer;
	struct wg_handshake *hs = &peer->hs;
	if (hs->state != WG_HS_CREATED_INITIATION)
		goto out;
	memcpy(ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(h, hs->hash, WG_HASH_LEN);

	/* e */
	mix_ephemeral(ck, h, msg->ephemeral);
	/* ee */
	dev->stats.dh_received++;
	e_key = wg_dh_key_new(hs->ephemeral_priv, NULL);
	if (!mix_dh(ck, NULL, e_key, msg->ephemeral))
		goto out;
	/* se */
	if (!mix_dh(ck, NULL, dev->static_dh, msg->ephemeral))
		goto out;
	/* psk */
	mix_psk(ck, h, k, peer->psk);
	/* {} */
	uint8_t nothing[1];
	if (!decrypt_and_hash(nothing, msg->empty_enc, 0, h, k))
		goto out;

	memcpy(hs->remote_ephemeral, msg->ephemeral, WG_KEY_LEN);
	memcpy(hs->hash, h, WG_HASH_LEN);
	memcpy(hs->chaining_key, ck, WG_HASH_LEN);
	hs->remote_index = le32toh(msg->sender);
	hs->state = WG_HS_CONSUMED_RESPONSE;
	ret = peer;
out:
	wipe_step(ck, h, k, NULL, e_key);
	if (!ret)
		wg_drop(dev, WG_DROP_HANDSHAKE);
	return ret;
}

void wg_keypair_free(struct wg_device *dev, struct wg_keypair *kp)
{
	if (!kp)
		return;
	wg_index_del(dev, &kp->entry);
	if (kp->refs) {
		kp->dead = true;
		return;
	}
	wg_secmem_free(kp); /* wipes */
}

void wg_keypair_put(struct wg_keypair *kp)
{
	if (--kp->refs == 0 && kp->dead) {
		wg_secmem_free(kp);
	}
}

/* Where a fresh session goes (the kernel's add_new_keypair): an initiator uses it at
 * once; a responder keeps it as `next` until the initiator proves it has it. */
static void add_new_keypair(struct wg_peer *peer, struct wg_keypair *kp)
{
	struct wg_device *dev = peer->dev;
	if (kp->initiator) {
		if (peer->kp_next) {
			wg_keypair_free(dev, peer->kp_previous);
			peer->kp_previous = peer->kp_next;
			peer->kp_next = NULL;
			wg_keypair_free(dev, peer->kp_current);
		} else {
			wg_keypair_free(dev, peer->kp_previous);
			peer->kp_previous = peer->kp_current;
		}
		peer->kp_current = kp;
	} else {
		wg_keypair_free(dev, peer->kp_next);
		peer->kp_next = kp;
		wg_keypair_free(dev, peer->kp_previous);
		peer->kp_previous = NULL;
	}
}

bool wg_noise_begin_session(struct wg_peer *peer)
{
	struct wg_handshake *hs = &peer->hs;
	struct wg_keypair *kp;
	bool initiator = hs->state == WG_HS_CONSUMED_RESPONSE;

	if (!initiator && hs->state != WG_HS_CREATED_RESPONSE)
		return false;
	kp = wg_secmem_alloc(sizeof(*kp)); /* session keys: kept out of core dumps */
	if (!kp)
		return false;
	kp->initiator = initiator;
	if (initiator)
		wg_kdf(kp->send_key, kp->recv_key, NULL, hs->chaining_key, NULL, 0);
	else
		wg_kdf(kp->recv_key, kp->send_key, NULL, hs->chaining_key, NULL, 0);
	wg_replay_init(&kp->replay);
	kp->remote_index = hs->remote_index;
	kp->birth = wg_now(peer->dev);
	kp->entry.peer = peer;
	kp->entry.keypair = kp;
	wg_index_replace(peer->dev, &hs->entry, &kp->entry);
	hs->state = WG_HS_ZEROED; /* its index now belongs to the keypair */
	wg_noise_handshake_clear(peer);
	add_new_keypair(peer, kp);
	return true;
}

/* Data arrived on kp: if it is the pending `next`, the initiator has confirmed it. */
bool wg_noise_received_with_keypair(struct wg_peer *peer, struct wg_keypair *kp)
{
	if (kp != peer->kp_next)
		return false;
	wg_keypair_free(peer->dev, peer->kp_previous);
	peer->kp_previous = peer->kp_current;
	peer->kp_current = kp;
	peer->kp_next = NULL;
	return true;
}

void wg_noise_keypairs_clear(struct wg_peer *peer)
{
	wg_keypair_free(peer->dev, peer->kp_previous);
	wg_keypair_free(peer->dev, peer->kp_current);
	wg_keypair_free(peer->dev, peer->kp_next);
	peer->kp_previous = peer->kp_current = peer->kp_next = NULL;
}
