/* See auth.h. */
#include "router/auth.h"
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>
#include "crypto/crypto.h"
#include "router/menus.h"
#include "sys/prefix.h"

enum {
	MAX_FAILS = 5,            /* failures from one address within WINDOW_MS ... */
	WINDOW_MS = 60000,
	LOCK_MS = 60000,          /* ... refuse logins from it for this long */
	THROTTLE_MAX = 256,       /* addresses remembered */
	CACHE_MAX = 32,           /* recently verified credentials */
	CACHE_MS = 60000,
	MAX_VERIFYING = 2,        /* Argon2id runs at once (64 MiB each) */
};

struct throttle {
	uint8_t key[17];          /* family, then the address (IPv6: its /64) */
	unsigned fails;
	uint64_t window_ms, until_ms, last_ms;
	bool logged;              /* the refusal of this lockout was logged */
};

struct verified { uint8_t mac[crypto_generichash_BYTES]; uint64_t until_ms; };

struct wg_auth_rt {
	pthread_mutex_t lock;     /* everything below; never held across Argon2id */
	pthread_cond_t slots;
	int verifying;
	struct throttle th[THROTTLE_MAX];
	size_t nth;
	struct verified cache[CACHE_MAX];
	uint8_t cache_key[crypto_generichash_KEYBYTES];
	char dummy[WG_HASH_MAX];  /* what a user that cannot log in is verified against */
};

struct wg_auth_rt *wg_auth_rt_new(void)
{
	struct wg_auth_rt *a = xcalloc(1, sizeof(*a));
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->slots, NULL);
	wg_os_random(a->cache_key, sizeof(a->cache_key));
	return a;
}

void wg_auth_rt_free(struct wg_auth_rt *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->slots);
	wg_wipe(a, sizeof(*a));
	free(a);
}

bool wg_auth_can(const struct wg_auth_user *u, unsigned pols)
{
	return !u || (u->policies & pols) == pols;
}

/* ---- addresses ---- */

/* A client address as the router compares it: IPv4-mapped IPv6 (from dual-stack
 * sockets) is IPv4. */
static bool client_addr(const char *addr, struct wg_prefix *p)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (!addr || wg_addr_parse(p, addr) < 0)
		return false;
	if (p->family == AF_INET6 && !memcmp(p->addr, mapped, 12)) {
		memmove(p->addr, p->addr + 12, 4);
		memset(p->addr + 4, 0, 12);
		p->family = AF_INET;
		p->len = 32;
	}
	return true;
}

bool wg_addr_allowed(const char *list, const char *addr)
{
	struct wg_prefix host, net;
	if (!list || !*list)
		return true;
	if (!client_addr(addr, &host))
		return false;
	bool ok = false;
	char *copy = xstrdup(list);
	for (char *save, *tok = strtok_r(copy, ",", &save); tok && !ok; tok = strtok_r(NULL, ",", &save))
		ok = !wg_prefix_parse(&net, tok) && net.family == host.family && wg_prefix_contains(&net, &host);
	free(copy);
	return ok;
}

static void throttle_key(const char *addr, uint8_t key[17])
{
	struct wg_prefix p;
	memset(key, 0, 17);
	if (!client_addr(addr, &p))
		return; /* every unparsable address shares one entry */
	key[0] = (uint8_t)p.family;
	memcpy(key + 1, p.addr, p.family == AF_INET ? 4 : 8); /* IPv6: one /64 is one client */
}

/* ---- throttling (a->lock held) ---- */

static struct throttle *throttle_find(struct wg_auth_rt *a, const uint8_t key[17])
{
	for (size_t i = 0; i < a->nth; i++)
		if (!memcmp(a->th[i].key, key, 17))
			return &a->th[i];
	return NULL;
}

/* A new entry; when the table is full, the least recently seen address that is not
 * locked out makes room (or, if all are, the least recently seen). */
static struct throttle *throttle_add(struct wg_auth_rt *a, const uint8_t key[17], uint64_t now)
{
	struct throttle *t = a->nth < THROTTLE_MAX ? &a->th[a->nth++] : NULL;
	for (size_t i = 0; !t && i < 2; i++)
		for (size_t j = 0; j < THROTTLE_MAX; j++)
			if ((i || a->th[j].until_ms <= now) && (!t || a->th[j].last_ms < t->last_ms))
				t = &a->th[j];
	memset(t, 0, sizeof(*t));
	memcpy(t->key, key, 17);
	t->window_ms = now;
	return t;
}

static void throttle_drop(struct wg_auth_rt *a, struct throttle *t)
{
	*t = a->th[--a->nth];
}

/* Counts the attempt as a failure before it is verified (a success clears it), so
 * parallel attempts cannot slip past the limit. True when the address is locked out. */
static bool throttle_attempt(struct wg_auth_rt *a, const uint8_t key[17], uint64_t now, bool *first_refusal)
{
	struct throttle *t = throttle_find(a, key);
	*first_refusal = false;
	if (t && t->until_ms > now) {
		*first_refusal = !t->logged;
		t->logged = true;
		t->last_ms = now;
		return true;
	}
	if (!t)
		t = throttle_add(a, key, now);
	if (now - t->window_ms >= WINDOW_MS || t->until_ms) {
		t->window_ms = now;
		t->fails = 0;
		t->until_ms = 0;
		t->logged = false;
	}
	t->last_ms = now;
	if (++t->fails >= MAX_FAILS)
		t->until_ms = now + LOCK_MS;
	return false;
}

/* ---- verification ---- */

static void ensure_dummy(struct wg_auth_rt *a)
{
	uint8_t rnd[24];
	char pw[64];
	if (a->dummy[0])
		return;
	wg_os_random(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	if (wg_password_hash(pw, a->dummy) < 0)
		wg_crypto_die("argon2id dummy hash");
	wg_wipe(pw, sizeof(pw));
}

static void cred_mac(struct wg_auth_rt *a, const struct wg_auth_attempt *t, const char *password,
		     uint8_t mac[crypto_generichash_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, a->cache_key, sizeof(a->cache_key), crypto_generichash_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)t->name, strlen(t->name) + 1);
	crypto_generichash_update(&st, (const uint8_t *)password, strlen(password) + 1);
	crypto_generichash_update(&st, (const uint8_t *)t->hash, strlen(t->hash));
	crypto_generichash_final(&st, mac, crypto_generichash_BYTES);
}

static bool cache_hit(struct wg_auth_rt *a, const uint8_t *mac, uint64_t now)
{
	bool hit = false;
	for (size_t i = 0; i < CACHE_MAX; i++)
		hit |= a->cache[i].until_ms > now && !sodium_memcmp(a->cache[i].mac, mac, crypto_generichash_BYTES);
	return hit;
}

static void cache_put(struct wg_auth_rt *a, const uint8_t *mac, uint64_t now)
{
	size_t slot = 0;
	for (size_t i = 1; i < CACHE_MAX; i++)
		if (a->cache[i].until_ms < a->cache[slot].until_ms)
			slot = i;
	memcpy(a->cache[slot].mac, mac, crypto_generichash_BYTES);
	a->cache[slot].until_ms = now + CACHE_MS;
}

void wg_auth_check(struct wg_router *r, struct wg_auth_attempt *t, const char *password)
{
	struct wg_auth_rt *a = wg_router_auth(r);
	uint8_t mac[crypto_generichash_BYTES];
	if (t->throttled)
		return;
	if (!password)
		password = "";
	uint64_t now = wg_router_now_ms(r);
	cred_mac(a, t, password, mac);
	pthread_mutex_lock(&a->lock);
	bool hit = t->user_id && cache_hit(a, mac, now);
	while (!hit && a->verifying >= MAX_VERIFYING)
		pthread_cond_wait(&a->slots, &a->lock);
	a->verifying += !hit;
	pthread_mutex_unlock(&a->lock);
	t->verified = hit || wg_password_verify(t->hash, password);
	pthread_mutex_lock(&a->lock);
	if (!hit) {
		a->verifying--;
		pthread_cond_signal(&a->slots);
	}
	if (t->verified && t->user_id && !hit)
		cache_put(a, mac, now);
	pthread_mutex_unlock(&a->lock);
	wg_wipe(mac, sizeof(mac));
}

/* ---- deciding ---- */

static unsigned door_policy(const char *door)
{
	if (!strcmp(door, "api"))
		return WG_POL_API;
	if (!strcmp(door, "rest-api"))
		return WG_POL_REST_API;
	if (!strcmp(door, "web"))
		return WG_POL_WEB;
	return 0;
}

/* The user name may log in from addr through door (password aside); its policies. */
static const struct wg_item *usable_user(const struct wg_store *st, const char *name, const char *addr,
					 const char *door, unsigned *pol)
{
	const struct wg_menu *m = &wg_menu_user;
	if (!name || !*name || strlen(name) > WG_USER_NAME_MAX)
		return NULL;
	const struct wg_item *it = wg_table_by_name(wg_store_ctable(st, m), name);
	if (!it || wg_item_flag(m, it, "disabled") || !wg_item_get(m, it, "password-hash"))
		return NULL;
	if (!wg_addr_allowed(wg_item_get(m, it, "address"), addr))
		return NULL;
	if (!wg_group_policies(st, wg_item_get(m, it, "group"), pol))
		return NULL;
	unsigned need = door_policy(door);
	return need && (*pol & need) ? it : NULL;
}

/* A name as logs show it: printable characters only (the name comes from the client). */
static void printable(char *dst, size_t len, const char *src)
{
	size_t i = 0;
	for (; src && src[i] && i + 1 < len; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[i] = 0;
}

enum wg_auth_result wg_auth_begin(struct wg_router *r, const char *name, const char *addr, const char *door,
				  struct wg_auth_attempt *t)
{
	struct wg_auth_rt *a = wg_router_auth(r);
	uint8_t key[17];
	unsigned pol;
	bool first_refusal;
	memset(t, 0, sizeof(*t));
	printable(t->name, sizeof(t->name), name);
	printable(t->addr, sizeof(t->addr), addr);
	printable(t->door, sizeof(t->door), door);
	throttle_key(addr, key);
	pthread_mutex_lock(&a->lock);
	t->throttled = throttle_attempt(a, key, wg_router_now_ms(r), &first_refusal);
	ensure_dummy(a);
	const struct wg_item *it = t->throttled ? NULL : usable_user(wg_router_store(r), name, addr, door ?: "", &pol);
	snprintf(t->hash, sizeof(t->hash), "%s", it ? wg_item_get(&wg_menu_user, it, "password-hash") : a->dummy);
	t->user_id = it ? it->id : 0;
	pthread_mutex_unlock(&a->lock);
	if (first_refusal)
		wg_router_logf(r, "system,error,critical", "login failure for user %s from %s via %s: too many failures, refused for %ds",
			       t->name, t->addr, t->door, LOCK_MS / 1000);
	return t->throttled ? WG_AUTH_THROTTLED : WG_AUTH_OK;
}

static void fill_user(struct wg_auth_user *u, const struct wg_item *it, unsigned pol, const char *door)
{
	memset(u, 0, sizeof(*u));
	u->id = it->id;
	snprintf(u->name, sizeof(u->name), "%s", wg_item_get(&wg_menu_user, it, "name"));
	snprintf(u->group, sizeof(u->group), "%s", wg_item_get(&wg_menu_user, it, "group"));
	snprintf(u->door, sizeof(u->door), "%s", door);
	u->policies = pol;
}

enum wg_auth_result wg_auth_end(struct wg_router *r, struct wg_auth_attempt *t, struct wg_auth_user *out)
{
	struct wg_auth_rt *a = wg_router_auth(r);
	unsigned pol = 0;
	uint8_t key[17];
	if (t->throttled)
		return WG_AUTH_THROTTLED;
	const struct wg_item *it = t->user_id ? usable_user(wg_router_store(r), t->name, t->addr, t->door, &pol) : NULL;
	bool ok = t->verified && it && it->id == t->user_id &&
		  streq(wg_item_get(&wg_menu_user, it, "password-hash"), t->hash);
	if (ok) {
		throttle_key(t->addr, key);
		pthread_mutex_lock(&a->lock);
		struct throttle *th = throttle_find(a, key);
		if (th)
			throttle_drop(a, th);
		pthread_mutex_unlock(&a->lock);
		fill_user(out, it, pol, t->door);
		wg_users_note_login(wg_router_users(r), out->name, (uint64_t)time(NULL));
		wg_router_logf(r, "system,info,account", "user %s logged in from %s via %s", t->name, t->addr, t->door);
	} else {
		wg_router_logf(r, "system,error,critical", "login failure for user %s from %s via %s", t->name, t->addr,
			       t->door);
	}
	wg_wipe(t->hash, sizeof(t->hash));
	return ok ? WG_AUTH_OK : WG_AUTH_DENIED;
}

enum wg_auth_result wg_auth_login(struct wg_router *r, const char *name, const char *password, const char *addr,
				  const char *door, struct wg_auth_user *out)
{
	struct wg_auth_attempt t;
	wg_auth_begin(r, name, addr, door, &t);
	wg_auth_check(r, &t, password);
	return wg_auth_end(r, &t, out);
}

bool wg_auth_refresh(struct wg_router *r, struct wg_auth_user *u, const char *addr)
{
	unsigned pol;
	const struct wg_item *it = usable_user(wg_router_store(r), u->name, addr, u->door, &pol);
	if (!it || it->id != u->id)
		return false;
	u->policies = pol;
	snprintf(u->group, sizeof(u->group), "%s", wg_item_get(&wg_menu_user, it, "group"));
	return true;
}
