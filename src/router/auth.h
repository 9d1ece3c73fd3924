/* Logging in, for every door (the binary API, REST, the web page): one function decides
 * who may come in, from where and through which door, and what they may then do.
 *
 * - The password is checked against the user's Argon2id hash; a user that does not
 *   exist, is disabled, has no password, may not come from that address or through that
 *   door costs the same verification (against a dummy hash), so the time taken does not
 *   tell names apart.
 * - A door needs its policy: "api" -> api, "rest-api" -> rest-api, "web" -> web.
 * - Failures are counted per source address (IPv6: per /64): after 5 within a minute,
 *   logins from there are refused for a minute without looking at the password. The
 *   table is bounded (256 addresses; the least recently seen goes first).
 * - Logged: `user NAME logged in from ADDR via DOOR` (system,info,account) and `login
 *   failure for user NAME from ADDR via DOOR` (system,error,critical).
 *
 * Argon2id takes ~0.2 s and 64 MiB, so it should not run under the router lock: a
 * server calls wg_auth_begin (lock held), wg_auth_check (lock released), wg_auth_end
 * (lock held). wg_auth_login does the three in a row for callers that do not care. At
 * most two verifications run at once (memory stays under 130 MiB); a recently verified
 * name+password (within 60 s, same hash) is accepted without running Argon2id again, so
 * REST clients that send Basic credentials with every request are not slowed down. */
#ifndef WG_ROUTER_AUTH_H
#define WG_ROUTER_AUTH_H
#include <stdbool.h>
#include <stdint.h>
#include "router/policy.h"
#include "router/router.h"
#include "router/users.h"

/* Who is logged in: a copy (no pointer into the configuration). */
struct wg_auth_user {
	uint32_t id;                          /* the /user item */
	char name[WG_USER_NAME_MAX + 1];
	char group[WG_USER_NAME_MAX + 1];
	char door[16];                        /* "api", "rest-api", "web" */
	unsigned policies;                    /* WG_POL_* of the group at login */
};

/* Has u every policy of pols? A NULL user is the local console (root): always. */
bool wg_auth_can(const struct wg_auth_user *u, unsigned pols);

enum wg_auth_result {
	WG_AUTH_OK = 0,
	WG_AUTH_DENIED = -1,     /* wrong name, password, address, door, or disabled */
	WG_AUTH_THROTTLED = -2,  /* too many failures from this address: try later */
};

/* One login in progress: filled by begin, read by check and end. */
struct wg_auth_attempt {
	char name[WG_USER_NAME_MAX + 1];
	char addr[48];
	char door[16];
	char hash[WG_HASH_MAX];  /* the user's hash, or the dummy one */
	uint32_t user_id;        /* 0: no usable user */
	bool throttled, verified;
};

/* Lock held. name, addr (the client's IP address as text; IPv4-mapped IPv6 is taken as
 * IPv4), door. WG_AUTH_THROTTLED ends the attempt here (call wg_auth_end anyway). */
enum wg_auth_result wg_auth_begin(struct wg_router *r, const char *name, const char *addr, const char *door,
				  struct wg_auth_attempt *a);
/* No lock needed (thread-safe): the password verification. */
void wg_auth_check(struct wg_router *r, struct wg_auth_attempt *a, const char *password);
/* Lock held: decides (the user is looked up again: a change meanwhile counts), counts
 * a failure or clears the address, logs, notes last-logged-in, and fills *out on
 * success. */
enum wg_auth_result wg_auth_end(struct wg_router *r, struct wg_auth_attempt *a, struct wg_auth_user *out);
/* The three in a row (lock held throughout). */
enum wg_auth_result wg_auth_login(struct wg_router *r, const char *name, const char *password, const char *addr,
				  const char *door, struct wg_auth_user *out);

/* Lock held: re-reads a logged-in user after a configuration change (group changed,
 * user disabled or removed, address list narrowed: pass the client's addr). Updates
 * u->policies; false when the user may no longer be logged in. */
bool wg_auth_refresh(struct wg_router *r, struct wg_auth_user *u, const char *addr);

/* Does a comma list of prefixes (empty or NULL = anyone) contain addr? Used for the
 * users' and the services' address lists. */
bool wg_addr_allowed(const char *list, const char *addr);

/* ---- for router.c ---- */
struct wg_auth_rt;
struct wg_auth_rt *wg_auth_rt_new(void);
void wg_auth_rt_free(struct wg_auth_rt *a);
struct wg_auth_rt *wg_router_auth(struct wg_router *r);
#endif
