/* Building and sending handshake messages, keepalives and staged packets. Internal to
 * the core. */
#ifndef WG_CORE_SEND_H
#define WG_CORE_SEND_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/device.h"

void wg_send_handshake_initiation(struct wg_peer *peer, bool is_retry, const struct wg_sink *sink);
/* On a cookie reply to our initiation: sends it again at once, with MAC2. */
void wg_send_handshake_after_cookie(struct wg_peer *peer, const struct wg_sink *sink);
void wg_send_handshake_response(struct wg_peer *peer, const struct wg_sink *sink);
void wg_send_keepalive(struct wg_peer *peer, const struct wg_sink *sink);
void wg_send_staged(struct wg_peer *peer, const struct wg_sink *sink);
void wg_send_to_peer(struct wg_peer *peer, const uint8_t *buf, size_t len, const struct wg_sink *sink);
void wg_staged_purge(struct wg_peer *peer);
#endif
