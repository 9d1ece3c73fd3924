/* Token buckets in a fixed pool of entries, chained into a keyed hash table by index.
 * The arithmetic is the Linux kernel's ratelimiter.c: tokens are nanoseconds of credit,
 * a packet costs 1/20 s, the bucket holds 5 packets' worth. */
#include "core/ratelimiter.h"
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define NSEC         1000000000ULL
#define PACKET_COST  (NSEC / WG_RATELIMITER_PER_SECOND)
#define TOKEN_MAX    (PACKET_COST * WG_RATELIMITER_BURST)
/* An entry idle this long has refilled to TOKEN_MAX, so forgetting it and starting a
 * new one later (at TOKEN_MAX - PACKET_COST after its first packet) changes nothing. */
#define IDLE_NS      NSEC
#define SWEEP_BUCKETS 2 /* visited per allow(): a full sweep every nbuckets/2 calls */
#define NONE         UINT32_MAX
#define MAX_ENTRIES  (1U << 31)

struct entry {
	uint64_t ip;      /* IPv4 address, or the first 64 bits of an IPv6 address */
	uint64_t last_ns; /* time of the last refill */
	uint64_t tokens;  /* nanoseconds of credit, at most TOKEN_MAX */
	uint32_t next;    /* next entry in the bucket's chain, or in the free list */
	uint8_t v6;       /* which family ip belongs to: equal bits of the two never match */
};

struct wg_ratelimiter {
	uint64_t k0, k1;       /* SipHash key */
	size_t count;
	uint32_t mask;         /* bucket count - 1 (a power of two >= max_entries) */
	uint32_t cursor;       /* next bucket the amortised sweep visits */
	uint32_t free;         /* head of the free list (entries used before and reclaimed) */
	uint32_t fresh, max;   /* entries[fresh..max) were never used: touched only when needed */
	uint32_t *buckets;     /* head entry per bucket, or NONE */
	struct entry *entries; /* pool of max_entries entries */
};

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t rotl(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

static void sipround(uint64_t v[4])
{
	v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32);
	v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32);
}

static void compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
}

/* SipHash-2-4 of the 16-byte message m0 || m1 (each little-endian). */
static uint64_t siphash16(uint64_t k0, uint64_t k1, uint64_t m0, uint64_t m1)
{
	uint64_t v[4] = {
		k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
		k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL,
	};
	compress(v, m0);
	compress(v, m1);
	compress(v, 16ULL << 56); /* final block: no tail bytes, length 16 */
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static uint32_t *bucket_of(struct wg_ratelimiter *rl, uint64_t ip, bool v6)
{
	return &rl->buckets[siphash16(rl->k0, rl->k1, ip, v6) & rl->mask];
}

struct wg_ratelimiter *wg_ratelimiter_new(size_t max_entries, const uint8_t secret[16])
{
	if (max_entries == 0 || max_entries > MAX_ENTRIES)
		return NULL;
	struct wg_ratelimiter *rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	size_t nbuckets = 1;
	while (nbuckets < max_entries)
		nbuckets <<= 1;
	rl->buckets = malloc(nbuckets * sizeof(*rl->buckets));
	rl->entries = malloc(max_entries * sizeof(*rl->entries));
	if (!rl->buckets || !rl->entries) {
		wg_ratelimiter_free(rl);
		return NULL;
	}
	rl->k0 = le64(secret);
	rl->k1 = le64(secret + 8);
	rl->mask = (uint32_t)(nbuckets - 1);
	memset(rl->buckets, 0xff, nbuckets * sizeof(*rl->buckets)); /* every bucket NONE */
	rl->free = NONE;
	rl->max = (uint32_t)max_entries;
	return rl;
}

void wg_ratelimiter_free(struct wg_ratelimiter *rl)
{
	if (!rl)
		return;
	free(rl->buckets);
	free(rl->entries);
	free(rl);
}

size_t wg_ratelimiter_count(const struct wg_ratelimiter *rl)
{
	return rl->count;
}

/* A clock that steps backwards must not count as idle time. */
static bool idle(const struct entry *e, uint64_t now)
{
	return now > e->last_ns && now - e->last_ns > IDLE_NS;
}

/* Unlinks every idle entry of one bucket into the free list. */
static void sweep_bucket(struct wg_ratelimiter *rl, uint32_t b, uint64_t now)
{
	uint32_t *link = &rl->buckets[b];
	while (*link != NONE) {
		uint32_t i = *link;
		struct entry *e = &rl->entries[i];
		if (!idle(e, now)) {
			link = &e->next;
			continue;
		}
		*link = e->next;
		e->next = rl->free;
		rl->free = i;
		rl->count--;
	}
}

void wg_ratelimiter_gc(struct wg_ratelimiter *rl, uint64_t now_ns)
{
	if (!rl->count) /* an idle device's timers do not walk thousands of empty buckets */
		return;
	for (uint32_t b = 0; b <= rl->mask; b++)
		sweep_bucket(rl, b, now_ns);
}

/* Reclaiming a little on every call bounds the cost per packet and still frees a full
 * table within nbuckets / SWEEP_BUCKETS calls, without a timer. */
static void sweep_some(struct wg_ratelimiter *rl, uint64_t now)
{
	for (int i = 0; i < SWEEP_BUCKETS; i++) {
		sweep_bucket(rl, rl->cursor, now);
		rl->cursor = (rl->cursor + 1) & rl->mask;
	}
}

/* Refills by the time elapsed (capped at TOKEN_MAX) and spends one packet if it can. */
static bool spend(struct entry *e, uint64_t now)
{
	if (now > e->last_ns) {
		uint64_t elapsed = now - e->last_ns;
		e->tokens = elapsed >= TOKEN_MAX - e->tokens ? TOKEN_MAX : e->tokens + elapsed;
		e->last_ns = now;
	}
	if (e->tokens < PACKET_COST)
		return false;
	e->tokens -= PACKET_COST;
	return true;
}

/* A new source's first packet is allowed; its bucket starts full minus that packet. */
static enum wg_ratelimit insert(struct wg_ratelimiter *rl, uint32_t *bucket, uint64_t ip, bool v6, uint64_t now)
{
	uint32_t i;
	if (rl->free != NONE) {
		i = rl->free;
		rl->free = rl->entries[i].next;
	} else if (rl->fresh < rl->max) {
		i = rl->fresh++;
	} else {
		return WG_RATELIMIT_FULL; /* refused rather than evict someone still counted */
	}
	struct entry *e = &rl->entries[i];
	*e = (struct entry){ .ip = ip, .v6 = v6, .last_ns = now, .tokens = TOKEN_MAX - PACKET_COST,
			     .next = *bucket };
	*bucket = i;
	rl->count++;
	return WG_RATELIMIT_ALLOW;
}

static bool v4_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };
	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

/* The key: the whole IPv4 address, or the /64 prefix of an IPv6 address. A dual-stack
 * socket reports IPv4 peers as ::ffff:a.b.c.d; counted per /64 they would all share one
 * bucket, so one flooder could starve every IPv4 source. */
static bool key_of(int family, const uint8_t *addr, uint64_t *ip, bool *v6)
{
	if (family == AF_INET6 && v4_mapped(addr))
		return key_of(AF_INET, addr + 12, ip, v6);
	if (family == AF_INET) {
		*ip = (uint64_t)addr[0] << 24 | addr[1] << 16 | addr[2] << 8 | addr[3];
		*v6 = false;
		return true;
	}
	if (family == AF_INET6) {
		*ip = le64(addr);
		*v6 = true;
		return true;
	}
	return false;
}

enum wg_ratelimit wg_ratelimiter_check(struct wg_ratelimiter *rl, int family, const uint8_t *addr, uint64_t now_ns)
{
	uint64_t ip;
	bool v6;
	if (!key_of(family, addr, &ip, &v6))
		return WG_RATELIMIT_LIMITED;
	sweep_some(rl, now_ns);
	uint32_t *bucket = bucket_of(rl, ip, v6);
	for (uint32_t i = *bucket; i != NONE; i = rl->entries[i].next) {
		struct entry *e = &rl->entries[i];
		if (e->ip == ip && e->v6 == v6)
			return spend(e, now_ns) ? WG_RATELIMIT_ALLOW : WG_RATELIMIT_LIMITED;
	}
	return insert(rl, bucket, ip, v6, now_ns);
}

bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, int family, const uint8_t *addr, uint64_t now_ns)
{
	return wg_ratelimiter_check(rl, family, addr, now_ns) == WG_RATELIMIT_ALLOW;
}
