/* The bandwidth-test server (/tool/bandwidth-server): listens on TCP port 2000 (IPv4
 * and IPv6), answers the btest control exchange, asks for the MD5 login when
 * authenticate is on, and runs each test on its own threads until the client closes
 * it. The password of a user comes from the caller's secret hook (the router's
 * /user btest-password), never from the Argon2id login hash, which cannot answer an MD5
 * challenge. */
#ifndef WG_TOOLS_BTEST_SERVER_H
#define WG_TOOLS_BTEST_SERVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tools/btest_proto.h"

struct wg_bt_server_cfg {
	uint16_t port;                  /* 0: 2000 */
	bool authenticate;
	uint16_t udp_from;              /* the first UDP port handed out */
	unsigned max_sessions;          /* tests at once (extra TCP connections not counted) */
	/* The user's bandwidth-test password into out (NUL-terminated); false: no such
	 * user, or none set, or the user may not log in from addr. Called on a session's
	 * thread. */
	bool (*secret)(void *ctx, const char *user, const char *addr, char *out, size_t len);
	/* One line for the router's log (topics "btest,info" or "btest,error"). */
	void (*log)(void *ctx, const char *topics, const char *msg);
	void *ctx;
};

/* What /tool/bandwidth-server/session/print shows. */
struct wg_bt_session_info {
	char remote[64];
	char user[WG_BT_USER_MAX + 1];
	uint8_t proto, dir;             /* as the client asked (client's view) */
	unsigned conns;
};

struct wg_bt_server;
/* NULL with err set when the port cannot be had. */
struct wg_bt_server *wg_bt_server_start(const struct wg_bt_server_cfg *cfg, char *err, size_t errlen);
size_t wg_bt_server_sessions(struct wg_bt_server *s, struct wg_bt_session_info *out, size_t max);
/* Ends every test and joins every thread. */
void wg_bt_server_stop(struct wg_bt_server *s);
#endif
