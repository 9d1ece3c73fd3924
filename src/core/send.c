/* Outbound: handshake messages, keepalives, and inner packets encrypted in place.
 * Packets wait in the peer's staging queue (copied there) only while no session is
 * usable; with a session they are encrypted where the caller put them. */
#include "core/send.h"
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include "core/device_state.h"
#include "core/cookie.h"
#include "core/noise.h"
#include "core/timers.h"

void wg_send_to_peer(struct wg_peer *peer, const uint8_t *buf, size_t len, const struct wg_sink *sink)
{
	if (!peer->endpoint.addr.sa.sa_family) {
		wg_drop(peer->dev, WG_DROP_NO_ENDPOINT);
		return;
	}
	peer->tx_bytes += len;
	sink->send(sink->ctx, peer, &peer->endpoint, buf, len);
}

static void send_initiation(struct wg_peer *peer, uint64_t now, const struct wg_sink *sink)
{
	struct wg_msg_initiation msg;

	if (!wg_noise_create_initiation(peer, &msg))
		return;
	peer->last_sent_handshake = now;
	wg_cookie_add_macs(peer, &msg, sizeof(msg));
	wg_timers_any_authenticated_packet_traversal(peer);
	wg_timers_any_authenticated_packet_sent(peer);
	wg_log(peer->dev, WG_LOG_VERBOSE, peer, "handshake", "Sending handshake initiation");
	wg_send_to_peer(peer, (const uint8_t *)&msg, sizeof(msg), sink);
	/* Armed even without an endpoint: a learned endpoint may appear meanwhile. */
	wg_timers_handshake_initiated(peer);
}

void wg_send_handshake_initiation(struct wg_peer *peer, bool is_retry, const struct wg_sink *sink)
{
	struct wg_device *dev = peer->dev;
	uint64_t now = wg_now(dev);

	if (!is_retry)
		peer->handshake_attempts = 0;
	if (!dev->up || peer->responder_only ||
	    !wg_expired(now, peer->last_sent_handshake, WG_REKEY_TIMEOUT))
		return;
	send_initiation(peer, now, sink);
}

/* A cookie reply answered the initiation in flight: the responder is under load and
 * dropped it. The retransmit timer would send it again with MAC2 only REKEY_TIMEOUT
 * later; sent at once, a handshake under a flood costs one round trip more instead of
 * 5 s. At most once per REKEY_TIMEOUT, so that cookie replies (which anyone who saw our
 * MAC1 on the path can make) cannot make us initiate at their rate. */
void wg_send_handshake_after_cookie(struct wg_peer *peer, const struct wg_sink *sink)
{
	struct wg_device *dev = peer->dev;
	uint64_t now = wg_now(dev);

	if (!dev->up || peer->responder_only || peer->hs.state != WG_HS_CREATED_INITIATION ||
	    !wg_expired(now, peer->last_cookie_retry, WG_REKEY_TIMEOUT))
		return;
	peer->last_cookie_retry = now ? now : 1;
	send_initiation(peer, now, sink);
}

void wg_send_handshake_response(struct wg_peer *peer, const struct wg_sink *sink)
{
	struct wg_msg_response msg;

	if (!wg_noise_create_response(peer, &msg))
		return;
	wg_cookie_add_macs(peer, &msg, sizeof(msg));
	if (!wg_noise_begin_session(peer))
		return;
	wg_timers_session_derived(peer);
	wg_timers_any_authenticated_packet_traversal(peer);
	wg_timers_any_authenticated_packet_sent(peer);
	wg_log(peer->dev, WG_LOG_VERBOSE, peer, "handshake", "Sending handshake response");
	wg_send_to_peer(peer, (const uint8_t *)&msg, sizeof(msg), sink);
}

/* A session we may encrypt with: young enough and not out of nonces. */
static struct wg_keypair *usable_keypair(struct wg_peer *peer, uint64_t now)
{
	struct wg_keypair *kp = peer->kp_current;
	if (!kp || now >= kp->birth + WG_REJECT_AFTER_TIME || kp->send_counter >= WG_REJECT_AFTER_MESSAGES)
		return NULL;
	return kp;
}

static size_t padded_len(const struct wg_device *dev, size_t len)
{
	size_t padded = (len + WG_PADDING - 1) & ~(size_t)(WG_PADDING - 1);
	if (dev->mtu && len <= (size_t)dev->mtu && padded > (size_t)dev->mtu)
		padded = dev->mtu;
	return padded;
}

/* Encrypts pkt in place into a transport message starting at pkt - WG_HEADROOM and
 * returns its length. Pure: touches only the packet and the immutable keys. */
static size_t seal(const struct wg_keypair *kp, uint64_t nonce, uint8_t *pkt, size_t len, size_t plen)
{
	struct wg_msg_data *hdr = (struct wg_msg_data *)(pkt - WG_HEADROOM);
	memset(pkt + len, 0, plen - len);
	hdr->type = htole32(WG_MSG_DATA);
	hdr->receiver = htole32(kp->remote_index);
	hdr->counter = htole64(nonce);
	wg_aead_seal(pkt, pkt, plen, NULL, 0, nonce, kp->send_key);
	return WG_MSG_DATA_HDR_LEN + plen + WG_TAG_LEN;
}

static size_t seal_in_place(struct wg_peer *peer, struct wg_keypair *kp, uint8_t *pkt, size_t len)
{
	return seal(kp, kp->send_counter++, pkt, len, padded_len(peer->dev, len));
}

/* Sends while the session is fresh; the initiator of a session also renews it once it
 * has aged past REKEY_AFTER_TIME or REKEY_AFTER_MESSAGES. */
static void keep_key_fresh(struct wg_peer *peer, const struct wg_sink *sink)
{
	struct wg_keypair *kp = peer->kp_current;
	uint64_t now = wg_now(peer->dev);
	if (kp && kp->initiator &&
	    (kp->send_counter > WG_REKEY_AFTER_MESSAGES || now >= kp->birth + WG_REKEY_AFTER_TIME))
		wg_send_handshake_initiation(peer, false, sink);
}

static void sent_packets(struct wg_peer *peer, bool data, const struct wg_sink *sink)
{
	wg_timers_any_authenticated_packet_traversal(peer);
	wg_timers_any_authenticated_packet_sent(peer);
	if (data)
		wg_timers_data_sent(peer);
	keep_key_fresh(peer, sink);
}

static bool stage(struct wg_peer *peer, const uint8_t *pkt, size_t len)
{
	/* Most peers never wait for a handshake with data queued: the ring comes on demand. */
	if (!peer->staged && !(peer->staged = calloc(WG_MAX_STAGED_PACKETS, sizeof(*peer->staged))))
		return false;
	if (peer->staged_count == WG_MAX_STAGED_PACKETS) { /* drop the oldest, like Linux */
		struct wg_staged *old = &peer->staged[peer->staged_head];
		free(old->buf);
		peer->staged_head = (peer->staged_head + 1) % WG_MAX_STAGED_PACKETS;
		peer->staged_count--;
	}
	uint8_t *buf = malloc(WG_HEADROOM + len + WG_TAILROOM);
	if (!buf)
		return false;
	if (len)
		memcpy(buf + WG_HEADROOM, pkt, len);
	struct wg_staged *s = &peer->staged[(peer->staged_head + peer->staged_count) % WG_MAX_STAGED_PACKETS];
	s->buf = buf;
	s->len = len;
	peer->staged_count++;
	return true;
}

void wg_staged_purge(struct wg_peer *peer)
{
	while (peer->staged_count) {
		free(peer->staged[peer->staged_head].buf);
		peer->staged_head = (peer->staged_head + 1) % WG_MAX_STAGED_PACKETS;
		peer->staged_count--;
	}
	peer->staged_head = 0;
}

/* Flushes the staging queue through the current session, or asks for a handshake. */
void wg_send_staged(struct wg_peer *peer, const struct wg_sink *sink)
{
	struct wg_keypair *kp = usable_keypair(peer, wg_now(peer->dev));
	bool data = false;

	if (!kp) {
		wg_send_handshake_initiation(peer, false, sink);
		return;
	}
	if (!peer->staged_count)
		return;
	while (peer->staged_count) {
		struct wg_staged *s = &peer->staged[peer->staged_head];
		size_t n = seal_in_place(peer, kp, s->buf + WG_HEADROOM, s->len);
		data |= s->len > 0;
		wg_send_to_peer(peer, s->buf, n, sink);
		free(s->buf);
		peer->staged_head = (peer->staged_head + 1) % WG_MAX_STAGED_PACKETS;
		peer->staged_count--;
	}
	peer->staged_head = 0;
	sent_packets(peer, data, sink);
}

void wg_send_keepalive(struct wg_peer *peer, const struct wg_sink *sink)
{
	if (!peer->staged_count)
		stage(peer, NULL, 0);
	wg_send_staged(peer, sink);
}

void wg_peer_send_keepalive(struct wg_peer *peer, const struct wg_sink *sink)
{
	wg_send_keepalive(peer, sink);
}

static bool inner_dst(const uint8_t *pkt, size_t len, int *family, const uint8_t **addr)
{
	if (len >= 20 && (pkt[0] >> 4) == 4) {
		*family = AF_INET;
		*addr = pkt + 16;
		return true;
	}
	if (len >= 40 && (pkt[0] >> 4) == 6) {
		*family = AF_INET6;
		*addr = pkt + 24;
		return true;
	}
	return false;
}

struct wg_peer *wg_device_route(struct wg_device *dev, const uint8_t *pkt, size_t len)
{
	int family;
	const uint8_t *dst;
	if (!inner_dst(pkt, len, &family, &dst)) {
		wg_drop(dev, WG_DROP_INNER);
		return NULL;
	}
	struct wg_aip_owner *o = wg_allowedips_lookup(dev->aips, family, dst);
	if (!o) {
		wg_drop(dev, WG_DROP_NO_PEER);
		return NULL;
	}
	return (struct wg_peer *)((char *)o - offsetof(struct wg_peer, aip));
}

bool wg_device_send_prepare(struct wg_device *dev, uint8_t *pkt, size_t len,
			    struct wg_tx_job *job, const struct wg_sink *sink)
{
	struct wg_peer *peer = wg_device_route(dev, pkt, len);
	if (!peer)
		return false;
	if (!peer->endpoint.addr.sa.sa_family) {
		wg_drop(dev, WG_DROP_NO_ENDPOINT);
		return false;
	}
	struct wg_keypair *kp = usable_keypair(peer, wg_now(dev));
	if (!kp || peer->staged_count) {
		stage(peer, pkt, len);
		wg_send_staged(peer, sink);
		return false;
	}
	kp->refs++;
	*job = (struct wg_tx_job){ .peer = peer, .kp = kp, .pkt = pkt, .len = len,
				   .out_len = padded_len(dev, len), .nonce = kp->send_counter++ };
	return true;
}

void wg_tx_seal(struct wg_tx_job *job)
{
	job->out_len = seal(job->kp, job->nonce, job->pkt, job->len, job->out_len);
}

void wg_device_send_finish(struct wg_device *dev, struct wg_tx_job *jobs, int n, const struct wg_sink *sink)
{
	for (int i = 0; i < n; i++) {
		struct wg_tx_job *j = &jobs[i];
		/* A session retired meanwhile may belong to a peer that is gone: drop. */
		if (!j->kp->dead) {
			wg_send_to_peer(j->peer, j->pkt - WG_HEADROOM, j->out_len, sink);
			if (i + 1 == n || jobs[i + 1].peer != j->peer)
				sent_packets(j->peer, true, sink);
		}
		wg_keypair_put(j->kp);
	}
}

/* One packet is a batch of one: the same steps, so the two paths cannot drift apart. */
void wg_device_send(struct wg_device *dev, uint8_t *pkt, size_t len, const struct wg_sink *sink)
{
	struct wg_tx_job job;
	if (!wg_device_send_prepare(dev, pkt, len, &job, sink))
		return;
	wg_tx_seal(&job);
	wg_device_send_finish(dev, &job, 1, sink);
}
