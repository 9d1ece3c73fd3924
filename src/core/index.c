/* Receiver indices: random 32-bit numbers, unique per device, mapping an incoming
 * message to the handshake or session it belongs to. A chained hash table that grows;
 * the indices' low bits are random, so they are a fine hash. With lanes on
 * (wg_device_set_index_lanes) the top byte is the peer's lane: every index of one peer
 * shares it, so a receiver can steer all of a peer's sessions to one socket whatever
 * address they come from. */
#include "core/index.h"
#include <stdlib.h>
#include "core/device_state.h"

static size_t bucket(const struct wg_device *dev, uint32_t index)
{
	return index & (dev->index_nbuckets - 1);
}

static int grow(struct wg_device *dev)
{
	size_t n = dev->index_nbuckets ? dev->index_nbuckets * 2 : 64;
	struct wg_index_entry **nb = calloc(n, sizeof(*nb));
	if (!nb)
		return -1;
	for (size_t i = 0; i < dev->index_nbuckets; i++) {
		struct wg_index_entry *e = dev->index_buckets[i], *next;
		for (; e; e = next) {
			next = e->next_in_bucket;
			e->next_in_bucket = nb[e->index & (n - 1)];
			nb[e->index & (n - 1)] = e;
		}
	}
	free(dev->index_buckets);
	dev->index_buckets = nb;
	dev->index_nbuckets = n;
	return 0;
}

struct wg_index_entry *wg_index_find(const struct wg_device *dev, uint32_t index)
{
	if (!dev->index_nbuckets)
		return NULL;
	struct wg_index_entry *e = dev->index_buckets[bucket(dev, index)];
	while (e && e->index != index)
		e = e->next_in_bucket;
	return e;
}

int wg_index_add(struct wg_device *dev, struct wg_index_entry *e)
{
	if (dev->nindices >= dev->index_nbuckets && grow(dev))
		return -1;
	uint32_t lane = (uint32_t)e->peer->lane << 24;
	do {
		wg_random(dev, &e->index, sizeof(e->index));
		if (dev->index_lanes)
			e->index = (e->index & 0x00ffffffu) | lane;
	} while (wg_index_find(dev, e->index));
	size_t b = bucket(dev, e->index);
	e->next_in_bucket = dev->index_buckets[b];
	dev->index_buckets[b] = e;
	dev->nindices++;
	return 0;
}

static struct wg_index_entry **slot_of(struct wg_device *dev, const struct wg_index_entry *e)
{
	if (!dev->index_nbuckets)
		return NULL;
	struct wg_index_entry **p = &dev->index_buckets[bucket(dev, e->index)];
	while (*p && *p != e)
		p = &(*p)->next_in_bucket;
	return *p ? p : NULL;
}

void wg_index_del(struct wg_device *dev, struct wg_index_entry *e)
{
	struct wg_index_entry **p = slot_of(dev, e);
	if (!p)
		return;
	*p = e->next_in_bucket;
	e->next_in_bucket = NULL;
	dev->nindices--;
}

void wg_index_replace(struct wg_device *dev, struct wg_index_entry *from, struct wg_index_entry *to)
{
	struct wg_index_entry **p = slot_of(dev, from);
	to->index = from->index;
	if (!p) {
		to->next_in_bucket = NULL;
		return;
	}
	to->next_in_bucket = from->next_in_bucket;
	*p = to;
	from->next_in_bucket = NULL;
}
