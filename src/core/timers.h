/* The protocol's timers as a list of events (see the kernel's timers.h); each event
 * arms or disarms plain deadlines that wg_timers_run checks. Internal to the core. */
#ifndef WG_CORE_TIMERS_H
#define WG_CORE_TIMERS_H
#include <stdint.h>
#include "core/device.h"

enum wg_timer {
	WG_TIMER_RETRANSMIT,
	WG_TIMER_SEND_KEEPALIVE,
	WG_TIMER_NEW_HANDSHAKE,
	WG_TIMER_ZERO_KEYS,
	WG_TIMER_PERSISTENT_KEEPALIVE,
	WG_TIMER__COUNT
};

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
#endif
