/* Users of the router (/user, /user/group, /user/active): passwords kept only as
 * Argon2id hashes, the groups' policies, the registry of logged-in sessions that the
 * API and REST servers keep up to date, and changing one's own password.
 *
 * Unless a function says otherwise, call it with the router lock held (as every router
 * function): it reads the configuration or writes the log. */
#ifndef WG_ROUTER_USERS_H
#define WG_ROUTER_USERS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "router/router.h"

/* Longest user and group name, and the longest accepted password (bytes). */
enum { WG_USER_NAME_MAX = 64, WG_PASSWORD_MAX = 256, WG_HASH_MAX = 128 };

/* ---- passwords (thread-safe, no lock needed) ---- */
/* Argon2id through libsodium's crypto_pwhash_str with OPSLIMIT/MEMLIMIT_INTERACTIVE
 * (see users.c for the measurement behind the choice): "$argon2id$v=19$m=65536,t=2,p=1$...".
 * 0, or -1 when the system is out of memory. */
int wg_password_hash(const char *password, char out[WG_HASH_MAX]);
/* Verifies in the time the hash's own parameters take, whatever the password. */
bool wg_password_verify(const char *hash, const char *password);

/* ---- groups ---- */
/* The policies of a group (built-in full, write, read, or one of /user/group in st);
 * false when there is no such group. */
bool wg_group_policies(const struct wg_store *st, const char *group, unsigned *out);
/* Is name one of the built-in groups? */
bool wg_group_builtin(const char *name);

/* ---- sessions: /user/active ---- */
/* A user logged in through a door ("api", "rest-api", "web") from address; returns the
 * session id for wg_users_session_end (never 0), or 0 when the registry is full (4096
 * sessions). Logs nothing (wg_auth_login logged the login). */
uint32_t wg_users_session_begin(struct wg_router *r, const char *name, const char *address, const char *via);
/* The session ended; logs `user NAME logged out from ADDR via DOOR` (system,info,account). */
void wg_users_session_end(struct wg_router *r, uint32_t id);
/* Sessions open now through via (NULL: all), for max-sessions. */
size_t wg_users_session_count(struct wg_router *r, const char *via);

/* ---- passwords of users ---- */
/* Sets user's password in st (a clone the caller commits): hashes it. An empty password
 * is refused (a user without a password cannot log in anywhere). 0, or -1 + err. */
int wg_users_set_password(struct wg_store *st, const char *user, const char *password, char *err, size_t errlen);
/* /password: the user changes their own password in next (a clone the caller commits,
 * needing only the password policy): old must verify (Argon2id, under the lock: a rare
 * command), new and confirm must match. 0, or -1 + err in RouterOS's words. */
int wg_users_change_password(struct wg_store *next, const char *user, const char *old_password,
			     const char *new_password, const char *confirm, char *err, size_t errlen);

/* ---- for router.c and menus_users.c ---- */
struct wg_users_rt;
struct wg_users_rt *wg_users_rt_new(void);
void wg_users_rt_free(struct wg_users_rt *u);
struct wg_users_rt *wg_router_users(struct wg_router *r);
/* last-logged-in of a user: unix time, 0 = never (since the daemon started). */
uint64_t wg_users_last_login(struct wg_users_rt *u, const char *name);
void wg_users_note_login(struct wg_users_rt *u, const char *name, uint64_t when);
/* The built-in groups, for /user/group print. */
size_t wg_group_builtin_count(void);
const char *wg_group_builtin_at(size_t i, unsigned *policies);

struct wg_user_session {
	uint32_t id;
	uint64_t when;   /* unix time */
	char name[WG_USER_NAME_MAX + 1];
	char address[48];
	char via[16];
};
/* A copy of the sessions (malloc'd array, *n entries). */
struct wg_user_session *wg_users_sessions(struct wg_users_rt *u, size_t *n);
#endif
