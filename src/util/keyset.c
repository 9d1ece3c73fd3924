#include "util/keyset.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util/alloc.h"

void wg_keyset_init(struct wg_keyset *s, size_t key_len)
{
	memset(s, 0, sizeof(*s));
	s->key_len = key_len;
}

/* Eight bytes at a time with a multiply-xorshift mix: the router's keys are ~90 bytes,
 * mostly zero, differing in a few address bytes. */
static uint64_t hash(const unsigned char *k, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ len, w;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, k + i, 8);
		h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
		h ^= h >> 31;
	}
	for (; i < len; i++)
		h = (h ^ k[i]) * 0x94D049BB133111EBULL;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	return h ^ (h >> 32);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t find(const struct wg_keyset *s, const unsigned char *key)
{
	size_t mask = s->cap - 1, i = (size_t)hash(key, s->key_len) & mask;
	while (s->used[i] && memcmp(s->keys + i * s->key_len, key, s->key_len))
		i = (i + 1) & mask;
	return i;
}

static void put(struct wg_keyset *s, const unsigned char *key)
{
	size_t i = find(s, key);
	memcpy(s->keys + i * s->key_len, key, s->key_len);
	s->used[i] = 1;
	s->n++;
}

/* Keeps the table at most half full, so probes stay short. */
static void grow(struct wg_keyset *s)
{
	struct wg_keyset old = *s;
	s->cap = old.cap ? old.cap * 2 : 16;
	s->n = 0;
	s->keys = xmalloc(s->cap * s->key_len);
	s->used = xcalloc(s->cap, 1);
	for (size_t i = 0; i < old.cap; i++)
		if (old.used[i])
			put(s, old.keys + i * old.key_len);
	free(old.keys);
	free(old.used);
}

bool wg_keyset_add(struct wg_keyset *s, const void *key)
{
	if ((s->n + 1) * 2 > s->cap)
		grow(s);
	size_t i = find(s, key);
	if (s->used[i])
		return false;
	memcpy(s->keys + i * s->key_len, key, s->key_len);
	s->used[i] = 1;
	s->n++;
	return true;
}

bool wg_keyset_has(const struct wg_keyset *s, const void *key)
{
	return s->cap && s->used[find(s, key)];
}

void wg_keyset_free(struct wg_keyset *s)
{
	free(s->keys);
	free(s->used);
	wg_keyset_init(s, s->key_len);
}
