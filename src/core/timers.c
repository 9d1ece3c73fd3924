/* The protocol's timers, as a list of events (what happened) and the deadlines they
 * arm. Deadlines are plain monotonic timestamps; wg_timers_run() fires what is due,
 * so a test moves a fake clock and nothing ever sleeps. */
#include "core/timers.h"
#include <string.h>
#include "core/device_state.h"
#include "core/noise.h"
#include "core/send.h"

static uint64_t jitter(const struct wg_peer *peer)
{
	uint32_t r;
	wg_random(peer->dev, &r, sizeof(r));
	return r % WG_REKEY_TIMEOUT_JITTER;
}

static void arm(struct wg_peer *peer, enum wg_timer t, uint64_t delay)
{
	struct wg_device *dev = peer->dev;
	if (!dev->up)
		return;
	uint64_t at = wg_now(dev) + delay;
	peer->timers[t] = at;
	if (at < dev->timer_at[peer->slot])
		dev->timer_at[peer->slot] = at;
	if (at < dev->deadline_hint)
		dev->deadline_hint = at;
}

static bool pending(const struct wg_peer *peer, enum wg_timer t) { return peer->timers[t] != 0; }
static void disarm(struct wg_peer *peer, enum wg_timer t) { peer->timers[t] = 0; }

/* We sent data: expect an answer within 15 s or start a new handshake. */
void wg_timers_data_sent(struct wg_peer *peer)
{
	if (!pending(peer, WG_TIMER_NEW_HANDSHAKE))
		arm(peer, WG_TIMER_NEW_HANDSHAKE, WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT + jitter(peer));
}

/* We received data: answer with a keepalive if we send nothing within 10 s. */
void wg_timers_data_received(struct wg_peer *peer)
{
	if (!pending(peer, WG_TIMER_SEND_KEEPALIVE))
		arm(peer, WG_TIMER_SEND_KEEPALIVE, WG_KEEPALIVE_TIMEOUT);
	else
		peer->need_another_keepalive = true;
}

/* Anything we send authenticates us: no separate keepalive needed. */
void wg_timers_any_authenticated_packet_sent(struct wg_peer *peer)
{
	disarm(peer, WG_TIMER_SEND_KEEPALIVE);
}

/* The peer is alive: no new handshake needed for lack of answers. */
void wg_timers_any_authenticated_packet_received(struct wg_peer *peer)
{
	disarm(peer, WG_TIMER_NEW_HANDSHAKE);
}

void wg_timers_any_authenticated_packet_traversal(struct wg_peer *peer)
{
	if (peer->persistent_keepalive)
		arm(peer, WG_TIMER_PERSISTENT_KEEPALIVE, (uint64_t)peer->persistent_keepalive * WG_NSEC);
}

void wg_timers_handshake_initiated(struct wg_peer *peer)
{
	arm(peer, WG_TIMER_RETRANSMIT, WG_REKEY_TIMEOUT + jitter(peer));
}

void wg_timers_handshake_complete(struct wg_peer *peer)
{
	disarm(peer, WG_TIMER_RETRANSMIT);
	peer->handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	peer->last_handshake_wall = wg_wall(peer->dev);
	wg_log(peer->dev, WG_LOG_VERBOSE, peer, "handshake", "Handshake completed");
}

/* Key material must not outlive 3 x REJECT_AFTER_TIME without a new handshake. */
void wg_timers_session_derived(struct wg_peer *peer)
{
	arm(peer, WG_TIMER_ZERO_KEYS, 3 * WG_REJECT_AFTER_TIME);
}

void wg_timers_stop(struct wg_peer *peer)
{
	for (int t = 0; t < WG_TIMER__COUNT; t++)
		disarm(peer, t);
}

uint64_t wg_timers_next(const struct wg_peer *peer)
{
	uint64_t next = UINT64_MAX;
	for (int t = 0; t < WG_TIMER__COUNT; t++)
		if (peer->timers[t] && peer->timers[t] < next)
			next = peer->timers[t];
	return next;
}

/* The sticky source may be the reason we get no answer: let the routing pick again. */
static void clear_endpoint_src(struct wg_peer *peer)
{
	memset(&peer->endpoint.src, 0, sizeof(peer->endpoint.src));
	peer->endpoint.src_ifindex = 0;
}

static void expired_retransmit(struct wg_peer *peer, const struct wg_sink *sink)
{
	/* REKEY_ATTEMPT_TIME / REKEY_TIMEOUT = 18 initiations, 5 s apart: the timer that
	 * would send the 19th, 90 s after the first, gives up instead. */
	if (peer->handshake_attempts + 1 >= WG_MAX_TIMER_HANDSHAKES) {
		wg_log(peer->dev, WG_LOG_VERBOSE, peer, "handshake",
		       "Handshake did not complete after %u attempts, giving up", peer->handshake_attempts + 1);
		disarm(peer, WG_TIMER_SEND_KEEPALIVE);
		wg_staged_purge(peer);
		if (!pending(peer, WG_TIMER_ZERO_KEYS))
			arm(peer, WG_TIMER_ZERO_KEYS, 3 * WG_REJECT_AFTER_TIME);
		return;
	}
	peer->handshake_attempts++;
	wg_log(peer->dev, WG_LOG_VERBOSE, peer, "handshake",
	       "Handshake did not complete after %llu seconds, retrying (try %u)",
	       (unsigned long long)(WG_REKEY_TIMEOUT / WG_NSEC), peer->handshake_attempts + 1);
	clear_endpoint_src(peer);
	wg_send_handshake_initiation(peer, true, sink);
}

static void expired_send_keepalive(struct wg_peer *peer, const struct wg_sink *sink)
{
	wg_send_keepalive(peer, sink);
	if (peer->need_another_keepalive) {
		peer->need_another_keepalive = false;
		arm(peer, WG_TIMER_SEND_KEEPALIVE, WG_KEEPALIVE_TIMEOUT);
	}
}

static void expired_new_handshake(struct wg_peer *peer, const struct wg_sink *sink)
{
	wg_log(peer->dev, WG_LOG_VERBOSE, peer, "handshake",
	       "Retrying handshake because we stopped hearing back after %llu seconds",
	       (unsigned long long)((WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT) / WG_NSEC));
	clear_endpoint_src(peer);
	wg_send_handshake_initiation(peer, false, sink);
}

static void expired_zero_keys(struct wg_peer *peer)
{
	wg_log(peer->dev, WG_LOG_VERBOSE, peer, "handshake",
	       "Zeroing out all keys after not receiving a new one in %llu seconds",
	       (unsigned long long)(3 * WG_REJECT_AFTER_TIME / WG_NSEC));
	wg_noise_handshake_clear(peer);
	wg_noise_keypairs_clear(peer);
}

static void expired_persistent_keepalive(struct wg_peer *peer, const struct wg_sink *sink)
{
	if (peer->persistent_keepalive)
		wg_send_keepalive(peer, sink);
}

void wg_timers_run(struct wg_peer *peer, uint64_t now, const struct wg_sink *sink)
{
	for (int t = 0; t < WG_TIMER__COUNT; t++) {
		if (!peer->timers[t] || peer->timers[t] > now)
			continue;
		disarm(peer, t);
		switch ((enum wg_timer)t) {
		case WG_TIMER_RETRANSMIT: expired_retransmit(peer, sink); break;
		case WG_TIMER_SEND_KEEPALIVE: expired_send_keepalive(peer, sink); break;
		case WG_TIMER_NEW_HANDSHAKE: expired_new_handshake(peer, sink); break;
		case WG_TIMER_ZERO_KEYS: expired_zero_keys(peer); break;
		case WG_TIMER_PERSISTENT_KEEPALIVE: expired_persistent_keepalive(peer, sink); break;
		default: break;
		}
	}
}
