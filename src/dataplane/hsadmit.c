/* Per-source counts for admission to the handshake queue (see hsadmit.h). */
#include "dataplane/hsadmit.h"
#include <string.h>

void dp_admit_init(struct dp_admit *a, const uint8_t key[16])
{
	memset(a, 0, sizeof(*a));
	memcpy(&a->k0, key, 8);
	memcpy(&a->k1, key + 8, 8);
}

/* The source as one word: the IPv4 address, or an IPv6 /64 (one host owns a whole
 * /64, as the core's rate limiter counts it too); IPv4-mapped as IPv4. */
static uint64_t source(const struct wg_endpoint *from)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	uint64_t v = 0;
	if (from->addr.sa.sa_family == AF_INET6) {
		const uint8_t *b = from->addr.sin6.sin6_addr.s6_addr;
		if (memcmp(b, mapped, sizeof(mapped)))
			memcpy(&v, b, 8);
		else
			memcpy(&v, b + 12, 4);
		return v;
	}
	memcpy(&v, &from->addr.sin.sin_addr, 4);
	return v;
}

/* The source mixed under a random key (splitmix64's finalizer): nobody outside sees
 * the values, so nobody can pick addresses that share a counter with someone else's. */
static unsigned slot(const struct dp_admit *a, const struct wg_endpoint *from)
{
	uint64_t h = (source(from) ^ a->k0) + a->k1;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (unsigned)h & (DP_ADMIT_SLOTS - 1);
}

/* Halves every count once per window gone by: a source that stops is quiet soon. */
static void decay(struct dp_admit *a, uint64_t now)
{
	if (now < a->decayed_at + DP_ADMIT_DECAY_NS)
		return;
	uint64_t windows = (now - a->decayed_at) / DP_ADMIT_DECAY_NS;
	unsigned shift = windows > 16 ? 16 : (unsigned)windows;
	for (unsigned i = 0; i < DP_ADMIT_SLOTS; i++)
		a->count[i] = (uint16_t)(a->count[i] >> shift);
	a->decayed_at = windows > 16 ? now : a->decayed_at + windows * DP_ADMIT_DECAY_NS;
}

bool dp_admit_busy(struct dp_admit *a, const struct wg_endpoint *from, uint64_t now)
{
	decay(a, now);
	uint16_t *c = &a->count[slot(a, from)];
	bool busy = *c >= DP_ADMIT_BUSY;
	if (*c < UINT16_MAX)
		(*c)++;
	return busy;
}

bool dp_admit_push(struct dp_hsq *q, struct dp_admit *a, enum dp_hsq_lane lane,
		   const struct wg_endpoint *from, const uint8_t *buf, size_t len, uint64_t now)
{
	if (lane == DP_HSQ_REST && dp_admit_busy(a, from, now) &&
	    dp_hsq_lane_len(q, DP_HSQ_REST) >= DP_HSQ_CAP / 4 * 3) {
		dp_hsq_refuse(q, DP_HSQ_REST);
		return false;
	}
	return dp_hsq_push(q, lane, from, buf, len);
}
