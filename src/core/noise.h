/* The Noise IKpsk2 handshake and the sessions (keypairs) it derives. Internal to the
 * core. */
#ifndef WG_CORE_NOISE_H
#define WG_CORE_NOISE_H
#include <stdbool.h>
#include <stdint.h>
#include "core/index.h"
#include "core/messages.h"
#include "core/replay.h"

struct wg_device;
struct wg_peer;

struct wg_keypair {
	struct wg_index_entry entry;
	uint8_t send_key[WG_KEY_LEN];
	uint8_t recv_key[WG_KEY_LEN];
	uint64_t send_counter;   /* next nonce to use */
	struct wg_replay replay;
	uint32_t remote_index;
	uint64_t birth;          /* monotonic ns */
	bool initiator;
	/* Jobs of the batch API hold references while they seal or open outside the lock;
	 * a keypair retired meanwhile is only marked dead, and freed by the last put. */
	int refs;
	bool dead;
};

enum wg_hs_state {
	WG_HS_ZEROED,
	WG_HS_CREATED_INITIATION,
	WG_HS_CONSUMED_INITIATION,
	WG_HS_CREATED_RESPONSE,
	WG_HS_CONSUMED_RESPONSE,
};

struct wg_handshake {
	enum wg_hs_state state;
	struct wg_index_entry entry;      /* registered while state != ZEROED */
	uint8_t ephemeral_priv[WG_KEY_LEN];
	uint8_t remote_ephemeral[WG_KEY_LEN];
	uint8_t hash[WG_HASH_LEN];
	uint8_t chaining_key[WG_HASH_LEN];
	uint8_t latest_timestamp[WG_TAI64N_LEN];
	uint32_t remote_index;
	uint64_t last_initiation_consumption; /* monotonic ns, 0 = never */
};

bool wg_noise_create_initiation(struct wg_peer *peer, struct wg_msg_initiation *msg);
struct wg_peer *wg_noise_consume_initiation(struct wg_device *dev, const struct wg_msg_initiation *msg);
bool wg_noise_create_response(struct wg_peer *peer, struct wg_msg_response *msg);
struct wg_peer *wg_noise_consume_response(struct wg_device *dev, const struct wg_msg_response *msg);
bool wg_noise_begin_session(struct wg_peer *peer);
void wg_noise_handshake_clear(struct wg_peer *peer);
void wg_noise_keypairs_clear(struct wg_peer *peer);
void wg_noise_forget_static(struct wg_peer *peer);
void wg_keypair_free(struct wg_device *dev, struct wg_keypair *kp);
void wg_keypair_put(struct wg_keypair *kp);
bool wg_noise_received_with_keypair(struct wg_peer *peer, struct wg_keypair *kp);
void wg_tai64n_now(const struct wg_device *dev, uint8_t out[WG_TAI64N_LEN]);
#endif
