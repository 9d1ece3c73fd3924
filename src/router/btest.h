/* /tool/bandwidth-server's settings and the users' bandwidth-test passwords, as the
 * daemon's btest server (src/tools/btest_server.h, started by src/cmd) reads them.
 *
 * Why a password of its own: btest's login (RouterOS before 6.43) is an MD5 challenge
 * over the clear password, which the server must therefore hold. /user keeps login
 * passwords only as Argon2id hashes and must keep it so; a user gets a separate,
 * explicit btest-password instead (write-only, kept like a private key: in secret
 * memory and the 0600 state file, never printed or exported). Without one a user
 * cannot log in to the bandwidth server. Lock held for all of these. */
#ifndef WG_ROUTER_BTEST_H
#define WG_ROUTER_BTEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "router/store.h"

enum { WG_BTEST_PASSWORD_MAX = 128 };

struct wg_btest_settings {
	bool enabled, authenticate;
	uint16_t udp_from;           /* allocate-udp-ports-from */
	unsigned max_sessions;
};
void wg_btest_settings_get(const struct wg_store *st, struct wg_btest_settings *out);

/* The bandwidth-test password of an enabled user whose group has the test policy and
 * whose address list allows addr, into out; false otherwise. */
bool wg_btest_user_secret(const struct wg_store *st, const char *user, const char *addr, char *out, size_t len);

/* /tool/bandwidth-server/session/print lists what this hook gives (the daemon's
 * server registers it; NULL: no server, no sessions). One line per session in buf:
 * remote-address, user, protocol, direction, connection-count, tab separated. */
typedef size_t (*wg_btest_sessions_fn)(void *ctx, char *buf, size_t len);
void wg_btest_set_sessions_hook(wg_btest_sessions_fn fn, void *ctx);
#endif
