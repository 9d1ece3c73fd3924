/* Reading a "get" reply (the text wg_uapi_handle writes), for in-process callers that
 * show runtime state: the router's print of peers. One parse per reply, then lookups by
 * public key, so printing 10,000 peers reads the reply once, not once per peer. */
#ifndef WG_UAPI_REPLY_H
#define WG_UAPI_REPLY_H
#include <stddef.h>
#include <stdint.h>
#include "core/endpoint.h"
#include "crypto/crypto.h"

struct uapi_peer_state {
	uint8_t public_key[WG_KEY_LEN];
	struct wg_endpoint endpoint;    /* family 0: none known */
	uint64_t last_handshake_sec;    /* unix time, 0 = never */
	uint64_t rx_bytes, tx_bytes;
};

struct uapi_reply_peers {
	struct uapi_peer_state *v;      /* sorted by public key */
	size_t n;
};

/* Every peer section of reply; lines it does not need, and values it cannot parse, are
 * skipped (the reply comes from our own writer). */
void uapi_reply_peers_parse(struct uapi_reply_peers *out, const char *reply);
const struct uapi_peer_state *uapi_reply_peers_find(const struct uapi_reply_peers *p,
						     const uint8_t public_key[WG_KEY_LEN]);
void uapi_reply_peers_free(struct uapi_reply_peers *p);
#endif
