/* The device: identity, the peer set (by public key and in insertion order), the
 * shared tables, and the timer entry points. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/device_state.h"
#include "core/cookie.h"
#include "core/noise.h"
#include "core/timers.h"
#include "util/secmem.h"

void wg_peer_reset_sessions(struct wg_peer *peer);

enum { RATELIMITER_ENTRIES = 8192 };

void wg_log(const struct wg_device *dev, enum wg_log_level lvl, struct wg_peer *peer,
	    const char *topic, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	if (!dev->env.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dev->env.log(dev->env.ctx, lvl, peer, topic, msg);
}

void wg_drop(struct wg_device *dev, enum wg_drop why)
{
	dev->stats.drops[why]++;
}

struct wg_device *wg_device_new(const struct wg_env *env)
{
	struct wg_device *dev = wg_secmem_alloc(sizeof(*dev)); /* keys: kept out of core dumps */
	uint8_t secret[16];
	if (!dev)
		return NULL;
	dev->env = *env;
	dev->up = true;
	dev->deadline_hint = UINT64_MAX;
	dev->peer_nbuckets = 64;
	dev->peer_buckets = calloc(dev->peer_nbuckets, sizeof(*dev->peer_buckets));
	dev->aips = wg_allowedips_new();
	wg_random(dev, secret, sizeof(secret));
	dev->ratelimiter = wg_ratelimiter_new(RATELIMITER_ENTRIES, secret);
	wg_random(dev, secret, sizeof(secret));
	dev->cookie_limiter = wg_ratelimiter_new(RATELIMITER_ENTRIES, secret);
	wg_wipe(secret, sizeof(secret));
	if (!dev->peer_buckets || !dev->aips || !dev->ratelimiter || !dev->cookie_limiter) {
		wg_device_free(dev);
		return NULL;
	}
	return dev;
}

void wg_device_free(struct wg_device *dev)
{
	if (!dev)
		return;
	if (dev->peer_buckets)
		wg_device_remove_all_peers(dev);
	if (dev->aips)
		wg_allowedips_free(dev->aips);
	wg_ratelimiter_free(dev->ratelimiter);
	wg_ratelimiter_free(dev->cookie_limiter);
	free(dev->peer_buckets);
	free(dev->index_buckets);
	free(dev->timer_at);
	free(dev->slot_peer);
	wg_dh_key_free(dev->static_dh);
	wg_secmem_free(dev); /* wipes */
}

/* Public keys are chosen by administrators, not attackers: a cheap mix suffices. */
static size_t key_bucket(const struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
	uint64_t h;
	memcpy(&h, key, 8);
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h & (dev->peer_nbuckets - 1);
}

static void rehash_peers(struct wg_device *dev)
{
	size_t n = dev->peer_nbuckets * 4;
	struct wg_peer **nb = calloc(n, sizeof(*nb));
	if (!nb)
		return; /* keeps working with longer chains */
	free(dev->peer_buckets);
	dev->peer_buckets = nb;
	dev->peer_nbuckets = n;
	for (struct wg_peer *p = dev->first; p; p = p->next) {
		size_t b = key_bucket(dev, p->public_key);
		p->hash_next = nb[b];
		nb[b] = p;
	}
}

struct wg_peer *wg_device_find_peer(const struct wg_device *dev, const uint8_t pub[WG_KEY_LEN])
{
	struct wg_peer *p = dev->peer_buckets[key_bucket(dev, pub)];
	while (p && memcmp(p->public_key, pub, WG_KEY_LEN))
		p = p->hash_next;
	return p;
}

/* Room for one more peer slot; false on ENOMEM (nothing changed). */
static bool reserve_slot(struct wg_device *dev)
{
	if (dev->npeers < dev->slot_cap)
		return true;
	size_t cap = dev->slot_cap ? 2 * dev->slot_cap : 64;
	uint64_t *at = realloc(dev->timer_at, cap * sizeof(*at));
	if (!at)
		return false;
	dev->timer_at = at;
	struct wg_peer **sp = realloc(dev->slot_peer, cap * sizeof(*sp));
	if (!sp)
		return false;
	dev->slot_peer = sp;
	dev->slot_cap = cap;
	return true;
}

struct wg_peer *wg_device_add_peer(struct wg_device *dev, const uint8_t pub[WG_KEY_LEN])
{
	if (dev->has_identity && !memcmp(pub, dev->public_key, WG_KEY_LEN))
		return NULL;
	struct wg_peer *p = wg_device_find_peer(dev, pub);
	if (p)
		return p;
	if (!reserve_slot(dev))
		return NULL;
	p = wg_secmem_alloc(sizeof(*p)); /* preshared key, handshake state */
	if (!p)
		return NULL;
	p->dev = dev;
	p->slot = dev->npeers;
	dev->slot_peer[p->slot] = p;
	dev->timer_at[p->slot] = UINT64_MAX;
	memcpy(p->public_key, pub, WG_KEY_LEN);
	wg_random(dev, &p->lane, sizeof(p->lane));
	wg_aip_owner_init(&p->aip);
	p->hs.entry.peer = p;
	wg_peer_cookie_init(p);
	wg_noise_forget_static(p);
	if (dev->npeers + 1 > dev->peer_nbuckets)
		rehash_peers(dev); /* before p is on the list, which the rehash walks */
	p->prev = dev->last;
	if (dev->last)
		dev->last->next = p;
	else
		dev->first = p;
	dev->last = p;
	dev->npeers++;
	size_t b = key_bucket(dev, pub);
	p->hash_next = dev->peer_buckets[b];
	dev->peer_buckets[b] = p;
	return p;
}

void wg_device_remove_peer(struct wg_device *dev, struct wg_peer *peer)
{
	struct wg_peer **pp = &dev->peer_buckets[key_bucket(dev, peer->public_key)];
	while (*pp && *pp != peer)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = peer->hash_next;
	if (peer->prev) peer->prev->next = peer->next; else dev->first = peer->next;
	if (peer->next) peer->next->prev = peer->prev; else dev->last = peer->prev;
	struct wg_peer *moved = dev->slot_peer[dev->npeers - 1]; /* the last slot fills the hole */
	dev->slot_peer[peer->slot] = moved;
	dev->timer_at[peer->slot] = dev->timer_at[moved->slot];
	moved->slot = peer->slot;
	dev->npeers--;
	wg_peer_reset_sessions(peer);
	wg_allowedips_remove_owner(dev->aips, &peer->aip);
	wg_secmem_free(peer); /* wipes */
}

void wg_device_remove_all_peers(struct wg_device *dev)
{
	while (dev->first)
		wg_device_remove_peer(dev, dev->first);
}

size_t wg_device_peer_count(const struct wg_device *dev) { return dev->npeers; }
struct wg_peer *wg_device_first_peer(const struct wg_device *dev) { return dev->first; }

void wg_device_set_private_key(struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
	wg_dh_key_free(dev->static_dh);
	dev->static_dh = NULL;
	if (key && !wg_is_zero(key, WG_KEY_LEN)) {
		memcpy(dev->private_key, key, WG_KEY_LEN);
		wg_x25519_clamp(dev->private_key);
		dev->static_dh = wg_dh_key_new(dev->private_key, dev->public_key);
	}
	dev->has_identity = dev->static_dh != NULL;
	if (!dev->has_identity) {
		wg_wipe(dev->private_key, WG_KEY_LEN);
		memset(dev->public_key, 0, WG_KEY_LEN);
	}
	wg_cookie_checker_init(dev);
	struct wg_peer *p = dev->first, *next;
	for (; p; p = next) {
		next = p->next;
		if (dev->has_identity && !memcmp(p->public_key, dev->public_key, WG_KEY_LEN)) {
			wg_device_remove_peer(dev, p); /* a peer cannot be ourselves */
			continue;
		}
		wg_peer_reset_sessions(p);
		wg_noise_forget_static(p);
	}
}

bool wg_device_private_key(const struct wg_device *dev, uint8_t key[WG_KEY_LEN])
{
	if (dev->has_identity)
		memcpy(key, dev->private_key, WG_KEY_LEN);
	return dev->has_identity;
}

bool wg_device_public_key(const struct wg_device *dev, uint8_t key[WG_KEY_LEN])
{
	if (dev->has_identity)
		memcpy(key, dev->public_key, WG_KEY_LEN);
	return dev->has_identity;
}

void wg_device_set_handshake_backlog(struct wg_device *dev, size_t queued, size_t capacity)
{
	wg_load_backlog(&dev->load, queued, capacity, wg_now(dev));
}

const struct wg_device_stats *wg_device_stats(const struct wg_device *dev) { return &dev->stats; }
void wg_device_set_mtu(struct wg_device *dev, int mtu) { dev->mtu = mtu; }

void wg_device_set_index_lanes(struct wg_device *dev, bool on) { dev->index_lanes = on; }

void wg_device_set_up(struct wg_device *dev, bool up)
{
	if (dev->up == up)
		return;
	dev->up = up;
	for (struct wg_peer *p = dev->first; p; p = p->next)
		wg_peer_reset_sessions(p);
}

uint64_t wg_device_next_deadline(const struct wg_device *dev)
{
	return dev->deadline_hint;
}

void wg_device_tick(struct wg_device *dev, const struct wg_sink *sink)
{
	uint64_t now = wg_now(dev);
	dev->deadline_hint = UINT64_MAX; /* timers run below re-arm and lower it again */
	for (size_t i = 0; i < dev->npeers; i++) {
		if (dev->timer_at[i] <= now) {
			struct wg_peer *p = dev->slot_peer[i];
			wg_timers_run(p, now, sink);
			dev->timer_at[i] = wg_timers_next(p); /* exact again, whatever was disarmed */
		}
		if (dev->timer_at[i] < dev->deadline_hint)
			dev->deadline_hint = dev->timer_at[i];
	}
	wg_ratelimiter_gc(dev->ratelimiter, now);
	wg_ratelimiter_gc(dev->cookie_limiter, now);
}
