/* torch's engine: an AF_PACKET socket on one interface, read by a thread of its own, the
 * packets counted per flow. A flow is what the caller groups by (source, destination,
 * ports, IP protocol, ethernet protocol): with nothing to group by, one flow holds the
 * totals, as RouterOS's torch shows. Both directions of a conversation share a row:
 * a received packet is counted with its addresses and ports swapped, so TX is what
 * the interface sent to DST and RX what it got back. The accounting (wg_torch_account)
 * is pure and tested without sockets. */
#ifndef WG_TOOLS_TORCH_H
#define WG_TOOLS_TORCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	WG_TORCH_BY_SRC = 1 << 0,
	WG_TORCH_BY_DST = 1 << 1,
	WG_TORCH_BY_PORT = 1 << 2,
	WG_TORCH_BY_PROTO = 1 << 3,  /* ip-protocol */
	WG_TORCH_BY_ETH = 1 << 4,    /* mac-protocol (protocol=) */
	WG_TORCH_MAX_FLOWS = 4096,
};

struct wg_torch_net { int family; uint8_t addr[16]; uint8_t len; }; /* family 0: any */

struct wg_torch_filter {
	unsigned by;                 /* WG_TORCH_BY_* */
	struct wg_torch_net src, dst;
	int port;                    /* -1: any */
	int ip_proto;                /* -1: any */
	int eth;                     /* 0: any; 0x0800, 0x86dd */
};

struct wg_torch_flow {
	uint16_t eth;                /* 0x0800 / 0x86dd */
	uint8_t proto;
	int family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint64_t tx_bytes, rx_bytes, tx_pkts, rx_pkts;
};

struct wg_torch_table {
	struct wg_torch_flow *v;
	size_t n;
	struct wg_torch_flow total;  /* every packet that passed the filter */
};

/* Counts one packet (the network-layer bytes: AF_PACKET SOCK_DGRAM) of wire length len,
 * cap bytes of it at p; eth is its ethertype; tx for sent. A packet that does not pass
 * the filter is not counted. */
void wg_torch_account(struct wg_torch_table *t, const struct wg_torch_filter *f, uint16_t eth, const uint8_t *p,
		      size_t cap, size_t len, bool tx);
void wg_torch_table_free(struct wg_torch_table *t);
/* Sorts the flows by rate, highest first (tx + rx bytes). */
void wg_torch_sort(struct wg_torch_table *t);

struct wg_torch;
/* Opens the socket on ifname and starts the thread. -1 with err set. */
int wg_torch_start(struct wg_torch **out, const char *ifname, const struct wg_torch_filter *f, char *err, size_t errlen);
/* Moves what was counted since the last take into *t (emptied first). */
void wg_torch_take(struct wg_torch *w, struct wg_torch_table *t);
void wg_torch_stop(struct wg_torch *w);
#endif
