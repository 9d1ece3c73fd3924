/* Inbound: handshake messages (with the DoS defences) and transport data (decrypted
 * in place, replay-checked, source-filtered by allowed IPs, then delivered). */
#include "core/receive.h"
#include <string.h>
#include <endian.h>
#include "core/device_state.h"
#include "core/cookie.h"
#include "core/index.h"
#include "core/noise.h"
#include "core/send.h"
#include "core/timers.h"

/* Roaming: the endpoint follows the latest authenticated packet. */
static void update_endpoint(struct wg_peer *peer, const struct wg_endpoint *from)
{
	if (wg_endpoint_eq(&peer->endpoint, from)) {
		peer->endpoint.src = from->src; /* sticky source follows too */
		peer->endpoint.src_ifindex = from->src_ifindex;
		return;
	}
	char a[WG_ENDPOINT_STRLEN], b[WG_ENDPOINT_STRLEN];
	if (peer->endpoint.addr.sa.sa_family)
		wg_log(peer->dev, WG_LOG_VERBOSE, peer, "endpoint", "Endpoint changed from %s to %s",
		       wg_endpoint_str(&peer->endpoint, a), wg_endpoint_str(from, b));
	peer->endpoint = *from;
}

/* A cookie reply instead of the work, unless this source has had its share of them:
 * a reply costs a MAC, a seal and a send, the share's refusal a table lookup. */
static void refuse_with_cookie(struct wg_device *dev, const uint8_t *buf, size_t len, uint32_t sender,
			       const struct wg_endpoint *from, const struct wg_sink *sink)
{
	struct wg_msg_cookie reply;
	if (!wg_cookie_reply_allowed(dev, from)) {
		wg_drop(dev, WG_DROP_COOKIE_LIMIT);
		return;
	}
	wg_cookie_create_reply(dev, &reply, buf, len, sender, from);
	sink->send(sink->ctx, NULL, from, (const uint8_t *)&reply, sizeof(reply));
	wg_drop(dev, WG_DROP_COOKIE_SENT);
}

/* The DoS defences after MAC1 (wg_device_receive_classify checked it), in the kernel's
 * order and before any X25519: under load, a cookie reply instead of the work unless
 * MAC2 proves the source address, then the per-source rate limit. A MAC2 of zeros (an
 * initiator without a cookie) needs no check. */
static bool handshake_allowed(struct wg_device *dev, const uint8_t *buf, size_t len, uint32_t sender,
			      const struct wg_endpoint *from, const struct wg_sink *sink)
{
	uint64_t now = wg_now(dev);

	if (!wg_load_under(&dev->load, now))
		return true;
	if (wg_cookie_has_mac2(buf, len) && wg_cookie_mac2_ok(dev, buf, len, from)) {
		bool ok = wg_cookie_source_allowed(dev, from);
		if (!ok)
			wg_drop(dev, WG_DROP_RATELIMIT);
		return ok;
	}
	wg_load_wasted(&dev->load, now); /* a flood that gets cookies, or nothing, is still a flood */
	refuse_with_cookie(dev, buf, len, sender, from, sink);
	return false;
}

/* A handshake message that cost an X25519 and then failed counts towards the load. */
static void count_waste(struct wg_device *dev, uint64_t dh_before)
{
	if (dev->stats.dh_received != dh_before)
		wg_load_wasted(&dev->load, wg_now(dev));
}

static void receive_initiation(struct wg_device *dev, const struct wg_endpoint *from,
			       const uint8_t *buf, const struct wg_sink *sink)
{
	const struct wg_msg_initiation *msg = (const void *)buf;
	uint64_t dh = dev->stats.dh_received;
	if (!handshake_allowed(dev, buf, sizeof(*msg), msg->sender, from, sink))
		return;
	struct wg_peer *peer = wg_noise_consume_initiation(dev, msg);
	if (!peer) {
		count_waste(dev, dh);
		return;
	}
	update_endpoint(peer, from);
	peer->rx_bytes += sizeof(*msg);
	wg_timers_any_authenticated_packet_received(peer);
	wg_timers_any_authenticated_packet_traversal(peer);
	wg_log(dev, WG_LOG_VERBOSE, peer, "handshake", "Received handshake initiation");
	wg_send_handshake_response(peer, sink);
}

static void receive_response(struct wg_device *dev, const struct wg_endpoint *from,
			     const uint8_t *buf, const struct wg_sink *sink)
{
	const struct wg_msg_response *msg = (const void *)buf;
	uint64_t dh = dev->stats.dh_received;
	if (!handshake_allowed(dev, buf, sizeof(*msg), msg->sender, from, sink))
		return;
	struct wg_peer *peer = wg_noise_consume_response(dev, msg);
	if (!peer) {
		count_waste(dev, dh);
		return;
	}
	if (!wg_noise_begin_session(peer))
		return;
	update_endpoint(peer, from);
	peer->rx_bytes += sizeof(*msg);
	wg_timers_any_authenticated_packet_received(peer);
	wg_timers_any_authenticated_packet_traversal(peer);
	wg_timers_session_derived(peer);
	wg_timers_handshake_complete(peer);
	/* Confirms the session to the responder: staged data, or else a keepalive. */
	wg_send_keepalive(peer, sink);
}

static bool inner_src(const uint8_t *pkt, size_t len, int *family, const uint8_t **addr, size_t *inner_len)
{
	if (len >= 20 && (pkt[0] >> 4) == 4) {
		size_t tot = ((size_t)pkt[2] << 8) | pkt[3];
		if (tot < 20 || tot > len)
			return false;
		*family = AF_INET;
		*addr = pkt + 12;
		*inner_len = tot;
		return true;
	}
	if (len >= 40 && (pkt[0] >> 4) == 6) {
		size_t tot = 40 + (((size_t)pkt[4] << 8) | pkt[5]);
		if (tot > len)
			return false;
		*family = AF_INET6;
		*addr = pkt + 8;
		*inner_len = tot;
		return true;
	}
	return false;
}

/* The responder renews a session it did not start only when it is about to expire. */
static void keep_key_fresh_rx(struct wg_peer *peer, const struct wg_sink *sink)
{
	struct wg_keypair *kp = peer->kp_current;
	if (kp && kp->initiator && !peer->sent_lastminute_handshake &&
	    wg_now(peer->dev) >= kp->birth + WG_REKEY_ON_RECV_AGE) {
		peer->sent_lastminute_handshake = true;
		wg_send_handshake_initiation(peer, false, sink);
	}
}

static void deliver_data(struct wg_peer *peer, uint8_t *pkt, size_t len, const struct wg_sink *sink)
{
	struct wg_device *dev = peer->dev;
	int family;
	const uint8_t *src;
	size_t inner_len;

	if (!inner_src(pkt, len, &family, &src, &inner_len)) {
		wg_drop(dev, WG_DROP_INNER);
		return;
	}
	struct wg_aip_owner *o = wg_allowedips_lookup(dev->aips, family, src);
	if (o != &peer->aip) {
		wg_drop(dev, WG_DROP_SOURCE);
		peer->drops_source++;
		wg_log(dev, WG_LOG_VERBOSE, peer, "allowedips",
		       "Packet has unallowed src IP from peer (allowed-address mismatch)");
		return;
	}
	sink->deliver(sink->ctx, peer, pkt, inner_len);
}

/* Finds the session of a transport message; NULL (and counted) if there is none or it
 * is too old to use. */
static struct wg_keypair *data_keypair(struct wg_device *dev, const uint8_t *buf)
{
	const struct wg_msg_data *hdr = (const struct wg_msg_data *)buf;
	struct wg_index_entry *e = wg_index_find(dev, le32toh(hdr->receiver));
	if (!e || !e->keypair) {
		wg_drop(dev, WG_DROP_UNKNOWN_INDEX);
		return NULL;
	}
	if (wg_now(dev) >= e->keypair->birth + WG_REJECT_AFTER_TIME) {
		wg_drop(dev, WG_DROP_EXPIRED);
		return NULL;
	}
	return e->keypair;
}

/* Decrypts in place. Pure: reads only the packet and the immutable keys. */
static bool open_data(const struct wg_keypair *kp, uint8_t *buf, size_t len)
{
	struct wg_msg_data *hdr = (struct wg_msg_data *)buf;
	return wg_aead_open(hdr->payload, hdr->payload, len - WG_MSG_DATA_HDR_LEN, NULL, 0,
			    le64toh(hdr->counter), kp->recv_key);
}

/* Everything after authentication: replay window, session confirmation, roaming,
 * timers, source filtering, delivery. */
static void accept_data(struct wg_device *dev, struct wg_keypair *kp, const struct wg_endpoint *from,
			uint8_t *buf, size_t len, const struct wg_sink *sink)
{
	struct wg_msg_data *hdr = (struct wg_msg_data *)buf;
	struct wg_peer *peer = kp->entry.peer;
	size_t plen = len - WG_MSG_DATA_HDR_LEN - WG_TAG_LEN;

	if (!wg_replay_check(&kp->replay, le64toh(hdr->counter))) {
		wg_drop(dev, WG_DROP_REPLAY);
		return;
	}
	update_endpoint(peer, from);
	if (wg_noise_received_with_keypair(peer, kp)) {
		wg_timers_handshake_complete(peer);
		wg_send_staged(peer, sink);
	}
	peer->rx_bytes += len;
	wg_timers_any_authenticated_packet_received(peer);
	wg_timers_any_authenticated_packet_traversal(peer);
	keep_key_fresh_rx(peer, sink);
	if (!plen)
		return; /* keepalive */
	wg_timers_data_received(peer);
	deliver_data(peer, hdr->payload, plen, sink);
}

/* Transport data becomes a job: the session is found and held here (under the
 * caller's lock), the decryption happens in wg_rx_open (without it). */
static bool data_job(struct wg_device *dev, const struct wg_endpoint *from, uint8_t *buf,
		     size_t len, struct wg_rx_job *job)
{
	struct wg_keypair *kp = data_keypair(dev, buf);
	if (!kp)
		return false;
	kp->refs++;
	*job = (struct wg_rx_job){ .kp = kp, .buf = buf, .len = len, .from = from };
	return true;
}

static uint32_t msg_type(const uint8_t *buf, size_t len)
{
	uint32_t type;
	if (len < 4)
		return 0;
	memcpy(&type, buf, 4);
	return le32toh(type);
}

static bool is_handshake(uint32_t type, size_t len)
{
	return (type == WG_MSG_INITIATION && len == WG_MSG_INITIATION_LEN) ||
	       (type == WG_MSG_RESPONSE && len == WG_MSG_RESPONSE_LEN);
}

/* Under load, a handshake message whose MAC2 proves its source address (its sender got
 * our cookie there: a real initiator resending, not a blind flood) is marked so that
 * the caller serves it before a queue full of flood. A MAC2 of zeros costs nothing. */
static enum wg_rx_kind handshake_kind(struct wg_device *dev, const struct wg_endpoint *from,
				      const uint8_t *buf, size_t len)
{
	if (!wg_cookie_has_mac2(buf, len) || !wg_load_under(&dev->load, wg_now(dev)))
		return WG_RX_HANDSHAKE;
	return wg_cookie_mac2_ok(dev, buf, len, from) ? WG_RX_HANDSHAKE_MAC2 : WG_RX_HANDSHAKE;
}

/* Only what is cheap to reject is rejected here, so that a flood of garbage or of
 * messages not made with our public key never takes a place in the caller's queue. */
enum wg_rx_kind wg_device_receive_classify(struct wg_device *dev, const struct wg_endpoint *from, uint8_t *buf,
					   size_t len, struct wg_rx_job *job)
{
	uint32_t type = dev->up ? msg_type(buf, len) : 0;
	enum wg_drop why = WG_DROP_MALFORMED;

	if (type == WG_MSG_DATA && len >= WG_MSG_DATA_MIN_LEN)
		return data_job(dev, from, buf, len, job) ? WG_RX_JOB : WG_RX_DONE;
	if (is_handshake(type, len)) {
		if (wg_cookie_mac1_ok(dev, buf, len))
			return handshake_kind(dev, from, buf, len);
		why = WG_DROP_MAC;
	} else if (type == WG_MSG_COOKIE && len == WG_MSG_COOKIE_LEN) {
		const struct wg_msg_cookie *c = (const struct wg_msg_cookie *)buf;
		if (wg_index_find(dev, le32toh(c->receiver)))
			return WG_RX_HANDSHAKE;
		why = WG_DROP_UNKNOWN_INDEX;
	}
	wg_drop(dev, why);
	return WG_RX_DONE;
}

static void receive_cookie(struct wg_device *dev, const uint8_t *buf, const struct wg_sink *sink)
{
	struct wg_peer *peer = wg_cookie_consume_reply(dev, (const struct wg_msg_cookie *)buf);
	if (peer)
		wg_send_handshake_after_cookie(peer, sink);
}

void wg_device_receive_handshake(struct wg_device *dev, const struct wg_endpoint *from,
				 const uint8_t *buf, size_t len, const struct wg_sink *sink)
{
	uint32_t type = msg_type(buf, len);

	if (!dev->up) /* went down while the message waited */
		wg_drop(dev, WG_DROP_MALFORMED);
	else if (type == WG_MSG_INITIATION && len == WG_MSG_INITIATION_LEN)
		receive_initiation(dev, from, buf, sink);
	else if (type == WG_MSG_RESPONSE && len == WG_MSG_RESPONSE_LEN)
		receive_response(dev, from, buf, sink);
	else if (type == WG_MSG_COOKIE && len == WG_MSG_COOKIE_LEN)
		receive_cookie(dev, buf, sink);
	else
		wg_drop(dev, WG_DROP_MALFORMED);
}

bool wg_device_receive_prepare(struct wg_device *dev, const struct wg_endpoint *from, uint8_t *buf,
			       size_t len, struct wg_rx_job *job, const struct wg_sink *sink)
{
	enum wg_rx_kind kind = wg_device_receive_classify(dev, from, buf, len, job);
	if (kind == WG_RX_HANDSHAKE || kind == WG_RX_HANDSHAKE_MAC2)
		wg_device_receive_handshake(dev, from, buf, len, sink);
	return kind == WG_RX_JOB;
}

void wg_rx_open(struct wg_rx_job *job)
{
	job->ok = open_data(job->kp, job->buf, job->len);
}

void wg_device_receive_finish(struct wg_device *dev, struct wg_rx_job *job, const struct wg_sink *sink)
{
	if (!job->ok)
		wg_drop(dev, WG_DROP_DECRYPT);
	else if (!job->kp->dead) /* retired meanwhile: its peer may be gone */
		accept_data(dev, job->kp, job->from, job->buf, job->len, sink);
	wg_keypair_put(job->kp);
}

/* One datagram is a batch of one, handshakes done at once: the same steps as the
 * batch API, so the two paths cannot drift apart. */
void wg_device_receive(struct wg_device *dev, const struct wg_endpoint *from,
		       uint8_t *buf, size_t len, const struct wg_sink *sink)
{
	struct wg_rx_job job;
	if (!wg_device_receive_prepare(dev, from, buf, len, &job, sink))
		return;
	wg_rx_open(&job);
	wg_device_receive_finish(dev, &job, sink);
}
