/* See users.h.
 *
 * Hash parameters, measured on this project's machine kind (2 vCPUs, AMD EPYC 2.1 GHz,
 * libsodium 1.0.18, best of 5): crypto_pwhash_str_verify takes 174 ms with
 * OPSLIMIT/MEMLIMIT_INTERACTIVE (t=2, 64 MiB) and 977 ms with MODERATE (t=3, 256 MiB).
 * INTERACTIVE it is: a REST client authenticates every request, a router must answer
 * within the clients' timeouts while other logins run, and 256 MiB per verification
 * would let a few concurrent logins exhaust a small router's memory. The attacker's
 * cost per guess stays high (64 MiB of memory-hard work), logins are throttled per
 * address (auth.c), and at most two verifications run at once. */
#include "router/users.h"
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>
#include "crypto/crypto.h"
#include "router/menus.h"
#include "router/policy.h"

enum { MAX_SESSIONS = 4096, MAX_LOGINS = 1024 };

struct last_login { char name[WG_USER_NAME_MAX + 1]; uint64_t when; };

struct wg_users_rt {
	pthread_mutex_t lock;
	struct wg_user_session *sessions;
	size_t nsessions;
	uint32_t next_id;
	struct last_login *logins;
	size_t nlogins;
};

/* ---- passwords ---- */

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void sodium_start(void)
{
	if (sodium_init() < 0)
		wg_crypto_die("sodium_init");
}

int wg_password_hash(const char *password, char out[WG_HASH_MAX])
{
	_Static_assert(crypto_pwhash_STRBYTES <= WG_HASH_MAX, "hash buffer");
	pthread_once(&sodium_once, sodium_start);
	return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE) ? -1 : 0;
}

bool wg_password_verify(const char *hash, const char *password)
{
	pthread_once(&sodium_once, sodium_start);
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* ---- groups ---- */

/* RouterOS's default groups (help.mikrotik.com, "User": read has every login policy
 * and sensitive but not ftp, write or policy; write adds write; full has all). */
#define POL_READ (WG_POL_LOCAL | WG_POL_TELNET | WG_POL_SSH | WG_POL_REBOOT | WG_POL_READ | WG_POL_TEST | \
		  WG_POL_WINBOX | WG_POL_PASSWORD | WG_POL_WEB | WG_POL_SNIFF | WG_POL_SENSITIVE | WG_POL_API | \
		  WG_POL_ROMON | WG_POL_REST_API)
static const struct { const char *name; unsigned policies; } builtin[] = {
	{ "read", POL_READ }, { "write", POL_READ | WG_POL_WRITE }, { "full", WG_POL_ALL },
};

bool wg_group_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (!strcmp(builtin[i].name, name))
			return true;
	return false;
}

size_t wg_group_builtin_count(void) { return sizeof(builtin) / sizeof(builtin[0]); }

const char *wg_group_builtin_at(size_t i, unsigned *policies)
{
	*policies = builtin[i].policies;
	return builtin[i].name;
}

bool wg_group_policies(const struct wg_store *st, const char *group, unsigned *out)
{
	for (size_t i = 0; group && i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		if (!strcmp(builtin[i].name, group)) {
			*out = builtin[i].policies;
			return true;
		}
	}
	const struct wg_table *t = wg_store_ctable(st, &wg_menu_user_group);
	const struct wg_item *g = group ? wg_table_by_name(t, group) : NULL;
	return g && wg_policy_parse(wg_item_get(&wg_menu_user_group, g, "policy") ?: "", out);
}

/* ---- the runtime registry ---- */

struct wg_users_rt *wg_users_rt_new(void)
{
	struct wg_users_rt *u = xcalloc(1, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->next_id = 1;
	return u;
}

void wg_users_rt_free(struct wg_users_rt *u)
{
	if (!u)
		return;
	pthread_mutex_destroy(&u->lock);
	free(u->sessions);
	free(u->logins);
	free(u);
}

uint64_t wg_users_last_login(struct wg_users_rt *u, const char *name)
{
	uint64_t when = 0;
	pthread_mutex_lock(&u->lock);
	for (size_t i = 0; i < u->nlogins; i++)
		if (!strcmp(u->logins[i].name, name))
			when = u->logins[i].when;
	pthread_mutex_unlock(&u->lock);
	return when;
}

/* Bounded: when full, the entry of the longest-ago login makes room. */
void wg_users_note_login(struct wg_users_rt *u, const char *name, uint64_t when)
{
	pthread_mutex_lock(&u->lock);
	size_t slot = u->nlogins, oldest = 0;
	for (size_t i = 0; i < u->nlogins; i++) {
		if (!strcmp(u->logins[i].name, name))
			slot = i;
		if (u->logins[i].when < u->logins[oldest].when)
			oldest = i;
	}
	if (slot == u->nlogins && u->nlogins == MAX_LOGINS)
		slot = oldest;
	if (slot == u->nlogins) {
		u->logins = xrealloc(u->logins, (u->nlogins + 1) * sizeof(*u->logins));
		u->nlogins++;
	}
	snprintf(u->logins[slot].name, sizeof(u->logins[slot].name), "%s", name);
	u->logins[slot].when = when;
	pthread_mutex_unlock(&u->lock);
}

uint32_t wg_users_session_begin(struct wg_router *r, const char *name, const char *address, const char *via)
{
	struct wg_users_rt *u = wg_router_users(r);
	uint32_t id = 0;
	pthread_mutex_lock(&u->lock);
	if (u->nsessions < MAX_SESSIONS) {
		u->sessions = xrealloc(u->sessions, (u->nsessions + 1) * sizeof(*u->sessions));
		struct wg_user_session *s = &u->sessions[u->nsessions++];
		memset(s, 0, sizeof(*s));
		s->id = id = u->next_id++;
		if (!u->next_id)
			u->next_id = 1;
		s->when = (uint64_t)time(NULL);
		snprintf(s->name, sizeof(s->name), "%s", name);
		snprintf(s->address, sizeof(s->address), "%s", address);
		snprintf(s->via, sizeof(s->via), "%s", via);
	}
	pthread_mutex_unlock(&u->lock);
	return id;
}

void wg_users_session_end(struct wg_router *r, uint32_t id)
{
	struct wg_users_rt *u = wg_router_users(r);
	struct wg_user_session s = { 0 };
	pthread_mutex_lock(&u->lock);
	for (size_t i = 0; i < u->nsessions; i++) {
		if (u->sessions[i].id == id) {
			s = u->sessions[i];
			u->sessions[i] = u->sessions[--u->nsessions];
			break;
		}
	}
	pthread_mutex_unlock(&u->lock);
	if (s.id)
		wg_router_logf(r, "system,info,account", "user %s logged out from %s via %s", s.name, s.address, s.via);
}

size_t wg_users_session_count(struct wg_router *r, const char *via)
{
	struct wg_users_rt *u = wg_router_users(r);
	size_t n = 0;
	pthread_mutex_lock(&u->lock);
	for (size_t i = 0; i < u->nsessions; i++)
		n += !via || !strcmp(u->sessions[i].via, via);
	pthread_mutex_unlock(&u->lock);
	return n;
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = ((const struct wg_user_session *)a)->id, y = ((const struct wg_user_session *)b)->id;
	return x < y ? -1 : x > y;
}

struct wg_user_session *wg_users_sessions(struct wg_users_rt *u, size_t *n)
{
	pthread_mutex_lock(&u->lock);
	struct wg_user_session *copy = xcalloc(u->nsessions + 1, sizeof(*copy));
	memcpy(copy, u->sessions, u->nsessions * sizeof(*copy));
	*n = u->nsessions;
	pthread_mutex_unlock(&u->lock);
	qsort(copy, *n, sizeof(*copy), by_id);
	return copy;
}

/* ---- passwords of users ---- */

static int err_out(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

int wg_users_set_password(struct wg_store *st, const char *user, const char *password, char *err, size_t errlen)
{
	const struct wg_menu *m = &wg_menu_user;
	struct wg_item *it = wg_table_by_name(wg_store_table(st, m), user);
	char hash[WG_HASH_MAX];
	if (!it)
		return err_out(err, errlen, "no such item");
	if (!password || !*password)
		return err_out(err, errlen, "failure: password can not be empty");
	if (strlen(password) > WG_PASSWORD_MAX)
		return err_out(err, errlen, "invalid value for argument password");
	if (wg_password_hash(password, hash) < 0)
		return err_out(err, errlen, "failure: out of memory while hashing the password");
	wg_item_set(m, it, "password-hash", hash);
	wg_wipe(hash, sizeof(hash));
	return 0;
}

int wg_users_change_password(struct wg_store *next, const char *user, const char *old_password,
			     const char *new_password, const char *confirm, char *err, size_t errlen)
{
	const struct wg_menu *m = &wg_menu_user;
	const struct wg_item *it = user ? wg_table_by_name(wg_store_table(next, m), user) : NULL;
	const char *hash = it ? wg_item_get(m, it, "password-hash") : NULL;
	if (!it)
		return err_out(err, errlen, "no such item");
	if (!old_password || !new_password || !confirm)
		return err_out(err, errlen, "missing value(s) of argument(s) old-password, new-password, confirm-new-password");
	if (!hash || !wg_password_verify(hash, old_password))
		return err_out(err, errlen, "failure: old password is not valid");
	if (strcmp(new_password, confirm))
		return err_out(err, errlen, "failure: new passwords do not match");
	return wg_users_set_password(next, user, new_password, err, errlen);
}
