/* Structures shared by the files of the protocol core. Not part of the public API. */
#ifndef WG_CORE_INTERNAL_H
#define WG_CORE_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>
#include "core/device.h"
#include "core/allowedips.h"
#include "core/replay.h"
#include "core/ratelimiter.h"

struct wg_index_entry {
	uint32_t index;            /* our receiver index, random, unique per device */
	struct wg_peer *peer;
	struct wg_keypair *keypair; /* NULL while it names a handshake in progress */
	struct wg_index_entry *next_in_bucket;
};

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

enum wg_timer {
	WG_TIMER_RETRANSMIT,
	WG_TIMER_SEND_KEEPALIVE,
	WG_TIMER_NEW_HANDSHAKE,
	WG_TIMER_ZERO_KEYS,
	WG_TIMER_PERSISTENT_KEEPALIVE,
	WG_TIMER__COUNT
};

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
	unsigned handshake_attempts;
	bool need_another_keepalive;
	bool sent_lastminute_handshake;
	uint64_t last_sent_handshake;         /* monotonic ns, 0 = never */
	uint16_t persistent_keepalive;        /* seconds, 0 = off */
	bool responder_only;
	struct wg_staged *staged;             /* ring of WG_MAX_STAGED_PACKETS, allocated on first use */
	unsigned staged_head, staged_count;
	uint64_t rx_bytes, tx_bytes, drops_source;
	uint64_t last_handshake_wall;
	void *userdata;
};

struct wg_device {
	struct wg_env env;
	bool up;
	bool has_identity;
	uint8_t private_key[WG_KEY_LEN];
	uint8_t public_key[WG_KEY_LEN];
	struct wg_dh_key *static_dh;          /* private_key prepared for es/se/ss exchanges */
	struct wg_cookie_checker checker;
	struct wg_ratelimiter *ratelimiter;
	struct wg_allowedips *aips;
	struct wg_peer *first, *last;
	size_t npeers;
	struct wg_peer **peer_buckets;        /* by public key */
	size_t peer_nbuckets;
	struct wg_index_entry **index_buckets;
	size_t index_nbuckets, nindices;
	uint64_t last_under_load;             /* monotonic ns, 0 = never */
	bool backlog_high;
	int mtu;
	struct wg_device_stats stats;
	/* No later than the earliest armed timer of any peer: arming lowers it, a tick
	 * recomputes it. A stale (early) value only costs a tick that finds nothing due,
	 * and keeps next_deadline O(1) however many peers there are. */
	uint64_t deadline_hint;
};

/* Clock and randomness of the instance. */
static inline uint64_t wg_now(const struct wg_device *dev) { return dev->env.mono_ns(dev->env.ctx); }
static inline uint64_t wg_wall(const struct wg_device *dev) { return dev->env.wall_ns(dev->env.ctx); }
static inline void wg_random(const struct wg_device *dev, void *buf, size_t len) { dev->env.random(dev->env.ctx, buf, len); }
/* Has a moment (monotonic ns, 0 = never) aged beyond `age`? */
static inline bool wg_expired(uint64_t now, uint64_t when, uint64_t age) { return !when || now >= when + age; }

void wg_log(const struct wg_device *dev, enum wg_log_level lvl, struct wg_peer *peer,
	    const char *topic, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void wg_drop(struct wg_device *dev, enum wg_drop why);

/* index.c */
int wg_index_add(struct wg_device *dev, struct wg_index_entry *e);
void wg_index_del(struct wg_device *dev, struct wg_index_entry *e);
struct wg_index_entry *wg_index_find(const struct wg_device *dev, uint32_t index);
/* Gives `to` the index that `from` held (the session inherits the handshake's index). */
void wg_index_replace(struct wg_device *dev, struct wg_index_entry *from, struct wg_index_entry *to);

/* noise.c */
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

/* cookie.c */
void wg_cookie_checker_init(struct wg_device *dev);
void wg_peer_cookie_init(struct wg_peer *peer);
void wg_cookie_add_macs(struct wg_peer *peer, void *msg, size_t len);
enum wg_mac_state { WG_MAC_INVALID, WG_MAC_OK_NO_COOKIE, WG_MAC_OK_COOKIE, WG_MAC_OK_COOKIE_RATELIMITED };
enum wg_mac_state wg_cookie_validate(struct wg_device *dev, const void *msg, size_t len,
				     const struct wg_endpoint *from, bool check_cookie);
void wg_cookie_create_reply(struct wg_device *dev, struct wg_msg_cookie *reply, const void *msg,
			    size_t len, uint32_t sender_index, const struct wg_endpoint *from);
void wg_cookie_consume_reply(struct wg_device *dev, const struct wg_msg_cookie *reply);

/* timers.c: the events of the protocol (see the kernel's timers.h). */
void wg_timers_data_sent(struct wg_peer *peer);
void wg_timers_data_received(struct wg_peer *peer);
void wg_timers_any_authenticated_packet_sent(struct wg_peer *peer);
void wg_timers_any_authenticated_packet_received(struct wg_peer *peer);
void wg_timers_any_authenticated_packet_traversal(struct wg_peer *peer);
void wg_timers_handshake_initiated(struct wg_peer *peer);
void wg_timers_handshake_complete(struct wg_peer *peer);
void wg_timers_session_derived(struct wg_peer *peer);
void wg_timers_stop(struct wg_peer *peer);
uint64_t wg_timers_next(const struct wg_peer *peer);
void wg_timers_run(struct wg_peer *peer, uint64_t now, const struct wg_sink *sink);

/* send.c */
void wg_send_handshake_initiation(struct wg_peer *peer, bool is_retry, const struct wg_sink *sink);
void wg_send_handshake_response(struct wg_peer *peer, const struct wg_sink *sink);
void wg_send_keepalive(struct wg_peer *peer, const struct wg_sink *sink);
void wg_send_staged(struct wg_peer *peer, const struct wg_sink *sink);
void wg_send_to_peer(struct wg_peer *peer, const uint8_t *buf, size_t len, const struct wg_sink *sink);
void wg_staged_purge(struct wg_peer *peer);

/* receive.c */
bool wg_device_under_load(struct wg_device *dev);
#endif
