/* The data path of one bandwidth test, on either side: threads that send (paced to a
 * rate) and receive on already connected sockets and count what went through. The
 * client and the server set up the sockets by the protocol and then hand them here; the
 * threads never touch the router, so a test slows neither the daemon's loop nor its
 * consoles. The sockets stay the caller's (closed after wg_bt_flow_stop). */
#ifndef WG_TOOLS_BTEST_FLOW_H
#define WG_TOOLS_BTEST_FLOW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tools/btest_proto.h"

struct wg_bt_flow_cfg {
	int proto;             /* WG_BT_TCP or WG_BT_UDP */
	const int *fds;        /* TCP: the data connections; UDP: one connected socket */
	size_t nfds;
	bool send, recv;       /* this side's directions */
	uint32_t rate;         /* bit/s this side sends at, 0 = unlimited */
	uint16_t udp_size;     /* UDP: the IP size of each datagram sent */
	bool random;           /* random payload instead of zeros */
};

struct wg_bt_counts {
	uint64_t tx, rx;       /* bytes (UDP: with the 28 bytes of headers, as btest counts) */
	uint64_t lost;         /* UDP datagrams missing from the received sequence */
	bool broken;           /* a TCP connection ended or failed: the test is over */
};

struct wg_bt_flow;
struct wg_bt_flow *wg_bt_flow_start(const struct wg_bt_flow_cfg *cfg);
void wg_bt_flow_counts(struct wg_bt_flow *f, struct wg_bt_counts *out);
/* A new sending rate (UDP: the rate the peer's status says got through, with room to
 * grow, when no rate was asked for). */
void wg_bt_flow_set_rate(struct wg_bt_flow *f, uint32_t rate);
/* Stops and joins the threads. */
void wg_bt_flow_stop(struct wg_bt_flow *f);

/* Shared by the client and the server: socket timeouts so that blocked calls come back
 * to look at a stop flag, and reading or writing exactly n bytes within ms. */
void wg_bt_sock_timeouts(int fd, unsigned ms);
int wg_bt_read_full(int fd, void *buf, size_t n, unsigned ms);
int wg_bt_write_full(int fd, const void *buf, size_t n);
uint64_t wg_bt_now_ns(void);
#endif
