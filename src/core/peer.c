/* Peer configuration: keys, endpoint, keepalive, allowed IPs, statistics. */
#include <stdlib.h>
#include <string.h>
#include "core/device_state.h"
#include "core/noise.h"
#include "core/send.h"
#include "core/timers.h"

void wg_peer_public_key(const struct wg_peer *peer, uint8_t pub[WG_KEY_LEN])
{
	memcpy(pub, peer->public_key, WG_KEY_LEN);
}

void wg_peer_set_preshared_key(struct wg_peer *peer, const uint8_t psk[WG_KEY_LEN])
{
	if (psk)
		memcpy(peer->psk, psk, WG_KEY_LEN);
	else
		wg_wipe(peer->psk, WG_KEY_LEN);
}

void wg_peer_preshared_key(const struct wg_peer *peer, uint8_t psk[WG_KEY_LEN])
{
	memcpy(psk, peer->psk, WG_KEY_LEN);
}

void wg_peer_set_endpoint(struct wg_peer *peer, const struct wg_endpoint *ep)
{
	if (ep)
		peer->endpoint = *ep;
	else
		memset(&peer->endpoint, 0, sizeof(peer->endpoint));
}

void wg_peer_endpoint(const struct wg_peer *peer, struct wg_endpoint *ep)
{
	*ep = peer->endpoint;
}

void wg_peer_set_persistent_keepalive(struct wg_peer *peer, uint16_t seconds, const struct wg_sink *sink)
{
	bool was_off = !peer->persistent_keepalive;
	peer->persistent_keepalive = seconds;
	if (!seconds)
		peer->timers[WG_TIMER_PERSISTENT_KEEPALIVE] = 0;
	else if (was_off && peer->dev->up && sink)
		wg_send_keepalive(peer, sink);
}

uint16_t wg_peer_persistent_keepalive(const struct wg_peer *peer) { return peer->persistent_keepalive; }
void wg_peer_set_responder(struct wg_peer *peer, bool responder) { peer->responder_only = responder; }
void *wg_peer_userdata(const struct wg_peer *peer) { return peer->userdata; }
void wg_peer_set_userdata(struct wg_peer *peer, void *data) { peer->userdata = data; }

int wg_peer_add_allowed_ip(struct wg_peer *peer, int family, const uint8_t *addr, uint8_t cidr)
{
	return wg_allowedips_insert(peer->dev->aips, family, addr, cidr, &peer->aip);
}

int wg_peer_remove_allowed_ip(struct wg_peer *peer, int family, const uint8_t *addr, uint8_t cidr)
{
	return wg_allowedips_remove(peer->dev->aips, family, addr, cidr, &peer->aip);
}

void wg_peer_clear_allowed_ips(struct wg_peer *peer)
{
	wg_allowedips_remove_owner(peer->dev->aips, &peer->aip);
}

void wg_peer_foreach_allowed_ip(const struct wg_peer *peer, wg_peer_aip_cb cb, void *ctx)
{
	wg_allowedips_foreach(peer->dev->aips, &peer->aip, cb, ctx);
}

void wg_peer_stats(const struct wg_peer *peer, struct wg_peer_stats *st)
{
	st->rx_bytes = peer->rx_bytes;
	st->tx_bytes = peer->tx_bytes;
	st->last_handshake_wall_ns = peer->last_handshake_wall;
	st->drops_source = peer->drops_source;
}

struct wg_peer *wg_peer_next(const struct wg_peer *peer) { return peer->next; }

/* Wipes every session and handshake of the peer (key change, device down, removal). */
void wg_peer_reset_sessions(struct wg_peer *peer)
{
	wg_timers_stop(peer);
	wg_staged_purge(peer);
	free(peer->staged);
	peer->staged = NULL;
	wg_noise_handshake_clear(peer);
	wg_noise_keypairs_clear(peer);
	peer->last_sent_handshake = 0;
	peer->handshake_attempts = 0;
}
