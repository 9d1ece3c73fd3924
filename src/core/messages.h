/* Every wire structure and protocol constant of WireGuard, and nowhere else. */
#ifndef WG_MESSAGES_H
#define WG_MESSAGES_H
#include <stdint.h>
#include "crypto/crypto.h"

#define WG_NSEC 1000000000ULL

enum {
	WG_MSG_INITIATION = 1,
	WG_MSG_RESPONSE = 2,
	WG_MSG_COOKIE = 3,
	WG_MSG_DATA = 4,
};

/* The byte of a transport message (and of a cookie reply) that names the receiving
 * peer's lane: the top byte of the little-endian receiver index at offset 4. With lanes
 * on (wg_device_set_index_lanes), every index the core hands out for one peer has the
 * same lane, so a receiver with several sockets on one port can keep each peer's
 * datagrams on one of them, also across roaming and rekeys (src/platform/udp_bpf.c). */
#define WG_INDEX_LANE_OFFSET 7

/* Times in nanoseconds, counts in messages. */
#define WG_REKEY_AFTER_MESSAGES   (1ULL << 60)
#define WG_REJECT_AFTER_MESSAGES  (UINT64_MAX - (1ULL << 13))
#define WG_REKEY_AFTER_TIME       (120 * WG_NSEC)
#define WG_REJECT_AFTER_TIME      (180 * WG_NSEC)
#define WG_REKEY_ATTEMPT_TIME     (90 * WG_NSEC)
#define WG_REKEY_TIMEOUT          (5 * WG_NSEC)
#define WG_REKEY_TIMEOUT_JITTER   (WG_NSEC / 3)     /* up to 333 ms added per retry */
#define WG_KEEPALIVE_TIMEOUT      (10 * WG_NSEC)
#define WG_COOKIE_SECRET_LIFETIME (120 * WG_NSEC)
#define WG_MAX_TIMER_HANDSHAKES   (WG_REKEY_ATTEMPT_TIME / WG_REKEY_TIMEOUT)
#define WG_INITIATIONS_PER_SECOND 50
#define WG_UNDER_LOAD_AFTER       WG_NSEC            /* under-load state lingers 1 s */
#define WG_MAX_STAGED_PACKETS     128
/* Responder rekeys on receive when the initiator's session is about to expire. */
#define WG_REKEY_ON_RECV_AGE      (WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT)

#define WG_CONSTRUCTION "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
#define WG_IDENTIFIER   "WireGuard v1 zx2c4 Jason@zx2c4.com"
/* CK0 = HASH(CONSTRUCTION) and H0 = HASH(CK0 || IDENTIFIER): constants, so the core keeps
 * no lazily computed state (test_crypto_vectors checks them against the hash). */
#define WG_CK0_BYTES {\
	0x60, 0xe2, 0x6d, 0xae, 0xf3, 0x27, 0xef, 0xc0,\
	0x2e, 0xc3, 0x35, 0xe2, 0xa0, 0x25, 0xd2, 0xd0,\
	0x16, 0xeb, 0x42, 0x06, 0xf8, 0x72, 0x77, 0xf5,\
	0x2d, 0x38, 0xd1, 0x98, 0x8b, 0x78, 0xcd, 0x36 }
#define WG_H0_BYTES {\
	0x22, 0x11, 0xb3, 0x61, 0x08, 0x1a, 0xc5, 0x66,\
	0x69, 0x12, 0x43, 0xdb, 0x45, 0x8a, 0xd5, 0x32,\
	0x2d, 0x9c, 0x6c, 0x66, 0x22, 0x93, 0xe8, 0xb7,\
	0x0e, 0xe1, 0x9c, 0x65, 0xba, 0x07, 0x9e, 0xf3 }
#define WG_LABEL_MAC1   "mac1----"
#define WG_LABEL_COOKIE "cookie--"

enum { WG_TAI64N_LEN = 12, WG_COOKIE_LEN = 16, WG_COOKIE_NONCE_LEN = 24 };

struct wg_msg_macs {
	uint8_t mac1[WG_MAC_LEN];
	uint8_t mac2[WG_MAC_LEN];
} __attribute__((packed));

struct wg_msg_initiation {
	uint32_t type;      /* type byte + 3 zero bytes, little-endian */
	uint32_t sender;
	uint8_t ephemeral[WG_KEY_LEN];
	uint8_t static_enc[WG_KEY_LEN + WG_TAG_LEN];
	uint8_t timestamp_enc[WG_TAI64N_LEN + WG_TAG_LEN];
	struct wg_msg_macs macs;
} __attribute__((packed));

struct wg_msg_response {
	uint32_t type;
	uint32_t sender;
	uint32_t receiver;
	uint8_t ephemeral[WG_KEY_LEN];
	uint8_t empty_enc[WG_TAG_LEN];
	struct wg_msg_macs macs;
} __attribute__((packed));

struct wg_msg_cookie {
	uint32_t type;
	uint32_t receiver;
	uint8_t nonce[WG_COOKIE_NONCE_LEN];
	uint8_t cookie_enc[WG_COOKIE_LEN + WG_TAG_LEN];
} __attribute__((packed));

struct wg_msg_data {
	uint32_t type;
	uint32_t receiver;
	uint64_t counter;
	uint8_t payload[];
} __attribute__((packed));

enum {
	WG_MSG_INITIATION_LEN = sizeof(struct wg_msg_initiation), /* 148 */
	WG_MSG_RESPONSE_LEN = sizeof(struct wg_msg_response),     /* 92 */
	WG_MSG_COOKIE_LEN = sizeof(struct wg_msg_cookie),         /* 64 */
	WG_MSG_DATA_HDR_LEN = sizeof(struct wg_msg_data),          /* 16 */
	WG_MSG_DATA_MIN_LEN = WG_MSG_DATA_HDR_LEN + WG_TAG_LEN,    /* 32: keepalive */
	WG_PADDING = 16,
	/* Room the caller leaves around an inner packet so it is encrypted in place. */
	WG_HEADROOM = WG_MSG_DATA_HDR_LEN,
	WG_TAILROOM = WG_PADDING - 1 + WG_TAG_LEN,
};

_Static_assert(sizeof(struct wg_msg_initiation) == 148, "initiation size");
_Static_assert(sizeof(struct wg_msg_response) == 92, "response size");
_Static_assert(sizeof(struct wg_msg_cookie) == 64, "cookie size");
_Static_assert(sizeof(struct wg_msg_data) == 16, "data header size");

#endif
