/* libFuzzer harness for the datagram path of the protocol core: two devices that are
 * each other's peer (tests/unit/pair.c: a fake network, a fake clock, a seeded RNG),
 * with the network held so the input decides what happens to every datagram.
 *
 * The input is first handed to device B unchanged as one datagram. Then it is read as a
 * configuration byte and a list of operations: a node initiates, a node sends an inner
 * packet (fuzzed bytes) into its tunnel, an in-flight datagram is delivered (mutated:
 * bytes xor-ed, overwritten, cut or extended; MAC1 recomputed over the mutated message
 * with the receiver's public key, as a sender knowing it would, so the mutation reaches
 * the Noise code; from the real or a spoofed source; through wg_device_receive or the
 * batch API), dropped or duplicated, the clock moves (timers fire), a node is put under
 * load, or a handshake message or transport header is made up from input bytes (MAC1
 * valid) and delivered.
 *
 * Properties, besides no crash, leak or undefined behaviour:
 * - every packet a device delivers to its tunnel is one its peer sent into its own
 *   tunnel (possibly extended by the zero padding up to its IP length), and no packet
 *   is delivered more often than it was sent (no forgery, no replay);
 * - afterwards, with the network healthy again and the clock past every session's end,
 *   each device completes a fresh handshake with its legitimate peer and a packet goes
 *   through in each direction.
 * `make fuzz` builds it (build/fuzz/fuzz_datagram); tests/fuzz/README.md says more.
 *
 * With -DFUZZ_STANDALONE (any compiler, no libFuzzer) it replays the files named on the
 * command line, for reproducing a crash under gdb. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/device.h"
#include "core/messages.h"
#include "crypto/crypto.h"
/* The two-device fixture of the unit tests, compiled into this harness. */
#include "../unit/pair.c"

enum { MAX_OPS = 64, MAX_SENT = 128, PKT_MAX = 1500 };

struct reader { const uint8_t *p; size_t n; };

static uint8_t take(struct reader *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static void take_bytes(struct reader *r, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = take(r);
}

/* Inner packets a node sent into its tunnel: what its peer may deliver, how often. */
struct sent { uint8_t buf[PKT_MAX]; size_t len; int sent, delivered; };
static struct sent sent_log[NODE_MAX][MAX_SENT];
static int nsent[NODE_MAX];

static struct world w;
static struct wg_peer *peer_of[2];   /* peer_of[i]: node i's peer (the other node) */

static void log_sent(int node, const uint8_t *pkt, size_t len)
{
	for (int i = 0; i < nsent[node]; i++) {
		struct sent *s = &sent_log[node][i];
		if (s->len == len && !memcmp(s->buf, pkt, len)) {
			s->sent++;
			return;
		}
	}
	if (nsent[node] == MAX_SENT)
		abort(); /* the op limit keeps this from happening */
	struct sent *s = &sent_log[node][nsent[node]++];
	memcpy(s->buf, pkt, len);
	s->len = len;
	s->sent = 1;
	s->delivered = 0;
}

/* d was delivered by the peer of node `from`: it must be one of from's packets (its
 * bytes, then zeros up to the padding), delivered no more often than sent. */
static void check_delivered(int from, const uint8_t *d, size_t len)
{
	for (int i = 0; i < nsent[from]; i++) {
		struct sent *s = &sent_log[from][i];
		size_t padded = (s->len + WG_PADDING - 1) & ~(size_t)(WG_PADDING - 1);
		if (s->delivered == s->sent || len > padded)
			continue;
		size_t same = len < s->len ? len : s->len;
		if (memcmp(d, s->buf, same))
			continue;
		bool zeros = true;
		for (size_t k = same; k < len; k++)
			zeros &= d[k] == 0;
		if (zeros) {
			s->delivered++;
			return;
		}
	}
	fprintf(stderr, "node %d delivered %zu bytes its peer never sent (or sent fewer times)\n", 1 - from, len);
	abort();
}

/* Runs fn-like delivery and checks what the receiving node delivered meanwhile. */
static void watch_delivery(int to, int before)
{
	struct node *n = &w.nodes[to];
	if (n->delivered == before)
		return;
	if (n->delivered != before + 1) {
		fprintf(stderr, "one datagram delivered %d packets\n", n->delivered - before);
		abort();
	}
	check_delivered(1 - to, n->last_delivered, n->last_delivered_len);
}

/* An inner packet from node i: a valid IPv4 or IPv6 header towards the peer's
 * allowed IPs (unless the input keeps its own bytes there), fuzzed bytes after it. */
static void op_send(struct reader *r, int i, uint8_t op)
{
	static uint8_t buf[WG_HEADROOM + PKT_MAX + WG_TAILROOM];
	uint8_t *pkt = buf + WG_HEADROOM;
	bool v6 = op & 0x10, batch = op & 0x20, raw_head = op & 0x40;
	size_t size = (v6 ? 40 : 20) + take(r) * 4u;
	char src[32], dst[32];
	snprintf(src, sizeof(src), v6 ? "fd00::%d" : "10.0.0.%d", i + 1);
	snprintf(dst, sizeof(dst), v6 ? "fd00::%d" : "10.0.0.%d", 2 - i);
	if (size > PKT_MAX)
		size = PKT_MAX;
	make_packet(pkt, src, dst, size, take(r));
	size_t off = raw_head ? 0 : (v6 ? 40 : 20), n = take(r);
	for (size_t k = 0; k < n && off + k < size; k++)
		pkt[off + k] = take(r);
	if (take(r) & 1)
		size -= size > 1 ? take(r) % size : 0; /* shorter than its header says */
	log_sent(i, pkt, size);
	if (!batch) {
		wg_device_send(w.nodes[i].dev, pkt, size, &w.nodes[i].sink);
		return;
	}
	struct wg_tx_job job;
	if (wg_device_send_prepare(w.nodes[i].dev, pkt, size, &job, &w.nodes[i].sink)) {
		wg_tx_seal(&job);
		wg_device_send_finish(w.nodes[i].dev, &job, 1, &w.nodes[i].sink);
	}
}

/* MAC1 of a handshake message as a sender that knows the receiver's public key. */
static void fix_mac1(uint8_t *buf, size_t len, const uint8_t receiver_pub[WG_KEY_LEN])
{
	uint8_t key[WG_HASH_LEN];
	if (len != WG_MSG_INITIATION_LEN && len != WG_MSG_RESPONSE_LEN)
		return;
	if (buf[0] != WG_MSG_INITIATION && buf[0] != WG_MSG_RESPONSE)
		return;
	size_t off = len - sizeof(struct wg_msg_macs);
	wg_hash(key, WG_LABEL_MAC1, 8, receiver_pub, WG_KEY_LEN);
	wg_mac(buf + off, WG_MAC_LEN, key, WG_HASH_LEN, buf, off);
}

static void deliver(int to, struct wg_endpoint *from, uint8_t *buf, size_t len, bool batch)
{
	struct node *n = &w.nodes[to];
	int before = n->delivered;
	struct wg_rx_job job;
	if (!batch)
		wg_device_receive(n->dev, from, buf, len, &n->sink);
	else if (wg_device_receive_prepare(n->dev, from, buf, len, &job, &n->sink)) {
		wg_rx_open(&job);
		wg_device_receive_finish(n->dev, &job, &n->sink);
	}
	watch_delivery(to, before);
}

static void mutate(struct reader *r, uint8_t *buf, size_t *len, uint8_t mode)
{
	size_t off = take(r), n = take(r) % 24;
	switch (mode & 3) {
	case 0: /* xor bytes */
		for (size_t k = 0; k < n && *len; k++)
			buf[(off + k) % *len] ^= take(r);
		break;
	case 1: /* overwrite bytes */
		for (size_t k = 0; k < n && *len; k++)
			buf[(off + k) % *len] = take(r);
		break;
	case 2: /* cut or extend (extension from the input) */
		if (off & 0x80) {
			*len = off % (*len + 1);
		} else {
			for (size_t k = 0; k < n && *len < 2048; k++)
				buf[(*len)++] = take(r);
		}
		break;
	default: /* unchanged */
		break;
	}
}

/* Delivers in-flight datagram idx (taken off the network) after mutating it. */
static void op_deliver(struct reader *r, uint8_t op)
{
	if (!w.nnet)
		return;
	int idx = take(r) % w.nnet;
	struct dgram d = w.net[idx];
	memmove(&w.net[idx], &w.net[idx + 1], (size_t)(w.nnet - idx - 1) * sizeof(w.net[0]));
	w.nnet--;
	uint8_t mode = take(r);
	struct node *dst = node_at(&w, &d.to);
	int to = dst ? dst->id : 1 - d.from_node; /* to a stale address: relayed to the peer */
	mutate(r, d.buf, &d.len, mode);
	if (!(mode & 4))
		fix_mac1(d.buf, d.len, w.nodes[to].pub);
	struct wg_endpoint from = w.nodes[d.from_node].addr;
	if (mode & 8)
		set_addr(&from, mode & 0x40 ? "2001:db8::66" : "203.0.113.66", 4000 + (mode & 0x30));
	deliver(to, &from, d.buf, d.len, mode & 0x80);
}

static void op_duplicate(struct reader *r)
{
	if (!w.nnet || w.nnet == NET_MAX)
		return;
	w.net[w.nnet] = w.net[take(r) % w.nnet];
	w.nnet++;
}

static void op_drop(struct reader *r)
{
	if (!w.nnet)
		return;
	int idx = take(r) % w.nnet;
	memmove(&w.net[idx], &w.net[idx + 1], (size_t)(w.nnet - idx - 1) * sizeof(w.net[0]));
	w.nnet--;
}

/* A message made up from input bytes (type and length fixed, MAC1 valid), from node
 * 1 - to's address or a spoofed one. */
static void op_forge(struct reader *r, uint8_t op)
{
	static const size_t lens[] = { WG_MSG_INITIATION_LEN, WG_MSG_RESPONSE_LEN, WG_MSG_COOKIE_LEN,
				       WG_MSG_DATA_MIN_LEN };
	uint8_t buf[256];
	int to = (op >> 3) & 1, type = (op >> 4) & 3;
	size_t len = lens[type];
	if (type == 3)
		len += take(r) % 64;
	take_bytes(r, buf, len);
	uint32_t t = htole32((uint32_t)type + 1);
	memcpy(buf, &t, 4);
	fix_mac1(buf, len, w.nodes[to].pub);
	struct wg_endpoint from = w.nodes[1 - to].addr;
	if (op & 0x40)
		set_addr(&from, "198.51.100.7", 1234);
	deliver(to, &from, buf, len, op & 0x80);
}

static void run_op(struct reader *r)
{
	uint8_t op = take(r);
	int node = (op >> 3) & 1;
	switch (op & 7) {
	case 0: /* keepalive, or an initiation when there is no session */
		wg_peer_send_keepalive(peer_of[node], &w.nodes[node].sink);
		break;
	case 1: op_send(r, node, op); break;
	case 2: op_deliver(r, op); break;
	case 3: op_drop(r); break;
	case 4: op_duplicate(r); break;
	case 5: { /* the clock moves; timers fire (their datagrams are held too) */
		uint8_t a = take(r), b = take(r);
		world_advance(&w, (uint64_t)a * (1ULL << (b % 24)) * 1000);
		break;
	}
	case 6: /* under load from now (or no longer) */
		wg_device_set_handshake_backlog(w.nodes[node].dev, take(r) % 64, 64);
		break;
	default: op_forge(r, op); break;
	}
}

static void setup(uint8_t cfg)
{
	world_init(&w, 2);
	memset(nsent, 0, sizeof(nsent));
	if (cfg & 1) { /* endpoints over IPv6 */
		set_addr(&w.nodes[0].addr, "2001:db8::1", 51820);
		set_addr(&w.nodes[1].addr, "2001:db8::2", 51821);
	}
	peer_of[0] = node_add_peer(&w.nodes[0], &w.nodes[1], "10.0.0.2/32,fd00::2/128", true);
	/* the responder learns A's endpoint from the handshake unless it is configured */
	peer_of[1] = node_add_peer(&w.nodes[1], &w.nodes[0], "10.0.0.1/32,fd00::1/128", cfg & 2);
	if (cfg & 4) {
		uint8_t psk[WG_KEY_LEN];
		memset(psk, 0x42, sizeof(psk));
		wg_peer_set_preshared_key(peer_of[0], psk);
		wg_peer_set_preshared_key(peer_of[1], psk);
	}
	if (cfg & 8) {
		wg_device_set_mtu(w.nodes[0].dev, 1280);
		wg_device_set_mtu(w.nodes[1].dev, 1280);
	}
	w.hold = true;
}

/* With the network healthy and every session long over, node i's packet reaches the
 * other node through a fresh handshake. */
static void check_fresh_handshake(int i)
{
	struct node *a = &w.nodes[i], *b = &w.nodes[1 - i];
	int inits = a->sent_init, resps = b->sent_resp, delivered = b->delivered;
	char src[16], dst[16];
	snprintf(src, sizeof(src), "10.0.0.%d", i + 1);
	snprintf(dst, sizeof(dst), "10.0.0.%d", 2 - i);
	uint8_t buf[WG_HEADROOM + 200 + WG_TAILROOM];
	make_packet(buf + WG_HEADROOM, src, dst, 100, (uint8_t)(0xa0 + i));
	log_sent(i, buf + WG_HEADROOM, 100);
	wg_device_send(a->dev, buf + WG_HEADROOM, 100, &a->sink);
	world_flush(&w);
	if (a->sent_init == inits || b->sent_resp == resps || b->delivered <= delivered) {
		fprintf(stderr, "node %d: no fresh handshake with its peer (initiations %d, responses %d, delivered %d)\n",
			i, a->sent_init - inits, b->sent_resp - resps, b->delivered - delivered);
		abort();
	}
	check_delivered(i, b->last_delivered, b->last_delivered_len);
	world_advance(&w, WG_REKEY_TIMEOUT); /* the confirmation's keepalive settles */
}

static void check_recovery(void)
{
	w.hold = false;
	w.nnet = 0;
	for (int i = 0; i < 2; i++) {
		wg_device_set_handshake_backlog(w.nodes[i].dev, 0, 64);
		wg_peer_set_endpoint(peer_of[i], &w.nodes[1 - i].addr); /* undo spoofed roaming */
	}
	/* past REJECT_AFTER_TIME * 3: every session and handshake is gone */
	world_advance(&w, 600 * WG_NSEC);
	check_fresh_handshake(0);
	world_advance(&w, 600 * WG_NSEC);
	check_fresh_handshake(1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t raw[2048];
	struct reader r = { data, size };
	if (size > sizeof(raw))
		return -1; /* not added to the corpus */
	setup(size ? data[0] : 0);
	/* the bytes as they are, one datagram from A to B */
	memcpy(raw, data, size);
	deliver(1, &w.nodes[0].addr, raw, size, false);
	take(&r);
	for (int i = 0; i < MAX_OPS && r.n; i++)
		run_op(&r);
	check_recovery();
	world_free(&w);
	return 0;
}

#include "standalone.h"
