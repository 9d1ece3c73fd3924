/* See cache.h. A hash table of entries chained per bucket, and a list of the same
 * entries from most to least recently used; an entry holds its key and the answer and
 * authority sections of the reply (the header and question are made again per client). */
#include "dns/cache.h"
#include <stdlib.h>
#include <string.h>
#include "util/alloc.h"

struct entry {
	struct entry *hnext;             /* bucket chain */
	struct entry *newer, *older;     /* recency list */
	uint64_t stored_ms, expires_ms;
	unsigned an, ns;                 /* record counts of the body */
	size_t keylen, bodylen, size;    /* size: what it counts against the limit */
	uint8_t data[];                  /* key, then body */
};

struct wg_dns_cache {
	struct entry **buckets;
	size_t nbuckets;                 /* a power of two */
	struct entry lru;                /* sentinel: lru.older is the newest entry */
	size_t used, max;
};

static uint64_t hash(const uint8_t *k, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 1099511628211ull;
	return h;
}

struct wg_dns_cache *wg_dns_cache_new(size_t max_bytes)
{
	struct wg_dns_cache *c = xcalloc(1, sizeof(*c));
	c->max = max_bytes;
	c->nbuckets = 64;
	while (c->nbuckets < max_bytes / 256 && c->nbuckets < (1u << 16))
		c->nbuckets <<= 1; /* about one entry per bucket when full */
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	c->lru.newer = c->lru.older = &c->lru;
	return c;
}

static void unlink_lru(struct entry *e)
{
	e->newer->older = e->older;
	e->older->newer = e->newer;
}

static void push_newest(struct wg_dns_cache *c, struct entry *e)
{
	e->older = c->lru.older;
	e->newer = &c->lru;
	c->lru.older->newer = e;
	c->lru.older = e;
}

static struct entry **slot_of(struct wg_dns_cache *c, const uint8_t *key, size_t keylen)
{
	struct entry **p = &c->buckets[hash(key, keylen) & (c->nbuckets - 1)];
	while (*p && ((*p)->keylen != keylen || memcmp((*p)->data, key, keylen)))
		p = &(*p)->hnext;
	return p;
}

static void drop(struct wg_dns_cache *c, struct entry *e)
{
	struct entry **p = slot_of(c, e->data, e->keylen);
	*p = e->hnext;
	unlink_lru(e);
	c->used -= e->size;
	free(e);
}

void wg_dns_cache_free(struct wg_dns_cache *c)
{
	if (!c)
		return;
	while (c->lru.newer != &c->lru)
		drop(c, c->lru.newer);
	free(c->buckets);
	free(c);
}

size_t wg_dns_cache_used(const struct wg_dns_cache *c)
{
	return c->used;
}

/* The answer and authority records of reply: well formed, their smallest TTL in *ttl;
 * the offset after the last one, 0 on a bad packet. */
static size_t body_end(const uint8_t *reply, size_t len, size_t qend, uint32_t *ttl)
{
	unsigned n = wg_dns_count(reply, WG_DNS_AN) + wg_dns_count(reply, WG_DNS_NS);
	struct wg_dns_rr rr;
	size_t o = qend;
	*ttl = UINT32_MAX;
	for (unsigned i = 0; i < n; i++) {
		if (!wg_dns_rr_read(reply, len, &o, &rr))
			return 0;
		if (rr.ttl < *ttl)
			*ttl = rr.ttl;
	}
	return o;
}

/* Walks the records of a body laid out after a question ending at qend in packet p and
 * lowers every TTL to at most cap, less age seconds. */
static void adjust_ttls(uint8_t *p, size_t len, size_t qend, unsigned n, uint32_t cap, uint32_t age)
{
	struct wg_dns_rr rr;
	size_t o = qend;
	for (unsigned i = 0; i < n && wg_dns_rr_read(p, len, &o, &rr); i++) {
		uint32_t t = rr.ttl < cap ? rr.ttl : cap;
		t = t > age ? t - age : 0;
		wg_dns_put16(p + rr.ttl_off, t >> 16);
		wg_dns_put16(p + rr.ttl_off + 2, t & 0xffff);
	}
}

/* Room for size bytes: the least recently used entries go. */
static void make_room(struct wg_dns_cache *c, size_t size)
{
	while (c->used + size > c->max && c->lru.newer != &c->lru)
		drop(c, c->lru.newer);
}

bool wg_dns_cache_put(struct wg_dns_cache *c, const struct wg_dns_question *q, const uint8_t *reply, size_t len,
		      uint32_t max_ttl, uint64_t now_ms)
{
	uint32_t ttl;
	size_t qend = wg_dns_questions_end(reply, len);
	size_t end = qend ? body_end(reply, len, qend, &ttl) : 0;
	if (!end || wg_dns_rcode(reply) != WG_DNS_NOERROR || wg_dns_truncated(reply) || !wg_dns_count(reply, WG_DNS_AN))
		return false;
	ttl = ttl < max_ttl ? ttl : max_ttl;
	size_t bodylen = end - qend, size = sizeof(struct entry) + q->keylen + bodylen;
	if (!ttl || size > c->max)
		return false;
	struct entry **old = slot_of(c, q->key, q->keylen);
	if (*old)
		drop(c, *old);
	make_room(c, size);
	struct entry *e = xmalloc(size);
	*e = (struct entry){ .stored_ms = now_ms, .expires_ms = now_ms + (uint64_t)ttl * 1000, .size = size,
			     .an = wg_dns_count(reply, WG_DNS_AN), .ns = wg_dns_count(reply, WG_DNS_NS),
			     .keylen = q->keylen, .bodylen = bodylen };
	memcpy(e->data, q->key, q->keylen);
	memcpy(e->data + q->keylen, reply + qend, bodylen);
	struct entry **slot = slot_of(c, q->key, q->keylen);
	e->hnext = NULL;
	*slot = e;
	push_newest(c, e);
	c->used += size;
	return true;
}

size_t wg_dns_cache_get(struct wg_dns_cache *c, const uint8_t *query, const struct wg_dns_question *q,
			uint8_t *out, size_t cap, uint64_t now_ms)
{
	struct entry *e = *slot_of(c, q->key, q->keylen);
	if (!e)
		return 0;
	if (now_ms >= e->expires_ms) {
		drop(c, e);
		return 0;
	}
	size_t len = q->end + e->bodylen;
	if (len > cap || !wg_dns_reply_start(out, cap, query, q, WG_DNS_NOERROR))
		return 0;
	unlink_lru(e);
	push_newest(c, e);
	wg_dns_put16(out + 6, e->an);
	wg_dns_put16(out + 8, e->ns);
	memcpy(out + q->end, e->data + e->keylen, e->bodylen);
	uint32_t life = (uint32_t)((e->expires_ms - e->stored_ms) / 1000);
	adjust_ttls(out, len, q->end, e->an + e->ns, life, (uint32_t)((now_ms - e->stored_ms) / 1000));
	return len;
}
