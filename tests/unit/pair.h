/* Two (or more) protocol cores in one process, joined by a fake network and driven
 * by a fake clock: the fixture of the core tests. Nothing sleeps. */
#ifndef WG_TEST_PAIR_H
#define WG_TEST_PAIR_H
#include "core/device.h"

enum { NET_MAX = 512, NODE_MAX = 4 };

struct dgram {
	int from_node;                 /* index of the sender */
	struct wg_endpoint to;
	uint8_t buf[2048];
	size_t len;
	uint64_t time;
};

struct node {
	struct world *w;
	int id;
	struct wg_device *dev;
	struct wg_endpoint addr;       /* where this node is reachable */
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	struct wg_sink sink;
	int delivered;
	uint8_t last_delivered[2048];
	size_t last_delivered_len;
	int sent_init, sent_resp, sent_cookie, sent_data, sent_keepalive;
	uint64_t init_times[64];
};

struct world {
	uint64_t now, rng;
	int nnodes;
	struct node nodes[NODE_MAX];
	struct dgram net[NET_MAX];     /* datagrams in flight */
	int nnet;
	bool blackhole;                /* drop everything sent */
	bool hold;                     /* keep datagrams in flight (no delivery) */
};

void world_init(struct world *w, int nnodes);
void world_free(struct world *w);
/* Makes each node of the pair a peer of the other with the given allowed IPs. */
struct wg_peer *node_add_peer(struct node *n, const struct node *other, const char *allowed, bool with_endpoint);
/* Delivers in-flight datagrams (and what they cause) until the network is quiet. */
void world_flush(struct world *w);
/* Delivers the oldest datagram in flight, even while w->hold is set (what it causes
 * stays in flight then). false if there is none. */
bool world_deliver_one(struct world *w);
/* Moves the clock forward, firing every timer on time. */
void world_advance(struct world *w, uint64_t ns);
/* An IPv4 (or IPv6 if the addresses contain ':') packet of `size` bytes. */
size_t make_packet(uint8_t *buf, const char *src, const char *dst, size_t size, uint8_t fill);
/* Sends an inner packet from node n into its tunnel. */
void node_send(struct node *n, const char *src, const char *dst, size_t size);
void set_addr(struct wg_endpoint *e, const char *ip, uint16_t port);
#endif
