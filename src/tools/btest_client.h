/* The bandwidth-test client: connects to a btest server (RouterOS's
 * /tool/bandwidth-server, or wgrouter's), logs in with the MD5 challenge when asked,
 * and runs the test on its own thread (and the data path's, btest_flow.h) until
 * stopped. The caller (the console's /tool/bandwidth-test) reads the counters once an
 * interval and prints them. */
#ifndef WG_TOOLS_BTEST_CLIENT_H
#define WG_TOOLS_BTEST_CLIENT_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "tools/btest_proto.h"

struct wg_bt_client_cfg {
	struct sockaddr_storage addr;   /* the server; its port (0: 2000) */
	socklen_t addrlen;
	struct wg_bt_cmd cmd;           /* what is asked of the server, client's view */
	uint16_t local_udp_size;        /* the client's datagrams */
	char user[WG_BT_USER_MAX + 1];
	char password[128];             /* wiped when the client is freed */
};

enum wg_bt_state {
	WG_BT_CONNECTING,
	WG_BT_RUNNING,
	WG_BT_AUTH_FAILED,              /* the server said 00 00 00 00 after the login */
	WG_BT_FAILED,                   /* could not connect, EC-SRP5, protocol error: err */
	WG_BT_ENDED,                    /* the server closed the test */
};

struct wg_bt_client_stats {
	enum wg_bt_state state;
	char err[160];
	uint64_t tx, rx, lost;          /* bytes since the start; tx on UDP as the server
					 * reported receiving it */
	unsigned conns;                 /* TCP connections the test runs on */
};

struct wg_bt_client;
/* Starts the client's thread; never fails (a failure shows in the stats). The
 * password in cfg is copied; wipe the caller's copy. */
struct wg_bt_client *wg_bt_client_start(const struct wg_bt_client_cfg *cfg);
void wg_bt_client_stats(struct wg_bt_client *c, struct wg_bt_client_stats *out);
/* Ends the test: closes the connections (the server ends its side), joins, frees. */
void wg_bt_client_stop(struct wg_bt_client *c);
#endif
