/* Cryptokey routing table: which peer owns which IP prefixes.
 *
 * Outbound, the longest prefix matching a packet's destination picks the peer; inbound,
 * the peer a packet came from must own the longest prefix matching its inner source.
 * One table per device holds both families. A prefix has at most one owner: inserting it
 * again moves it (as Linux does). Each owner keeps a list of its own entries, so removing
 * a peer touches only what it owns.
 *
 * Pure data structure: no locking, no I/O. Callers serialise writers against readers.
 */
#ifndef WG_ALLOWEDIPS_H
#define WG_ALLOWEDIPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Embedded in whatever owns prefixes (the peer). Fields are private to allowedips.c:
 * first is the head of a circular list of the owner's entries, in insertion order. */
struct wg_aip_owner {
	void *first;
	size_t count;
};

void wg_aip_owner_init(struct wg_aip_owner *o);

struct wg_allowedips;

struct wg_allowedips *wg_allowedips_new(void);
/* Frees every entry and leaves every owner empty, as if wg_aip_owner_init()ed. */
void wg_allowedips_free(struct wg_allowedips *t);

/* family is AF_INET (addr is 4 bytes) or AF_INET6 (16 bytes); addr is masked to cidr
 * first (10.0.0.5/24 is stored as 10.0.0.0/24). An existing prefix moves to owner.
 * Returns 0, -EINVAL (bad family or cidr) or -ENOMEM (the table is then unchanged). */
int wg_allowedips_insert(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, struct wg_aip_owner *owner);
/* Removes exactly this prefix if owner owns it; returns 0, else -ENOENT (or -EINVAL). */
int wg_allowedips_remove(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, struct wg_aip_owner *owner);
void wg_allowedips_remove_owner(struct wg_allowedips *t, struct wg_aip_owner *owner);

/* Longest-prefix match for one address; NULL if nothing matches. Runs per packet. */
struct wg_aip_owner *wg_allowedips_lookup(const struct wg_allowedips *t, int family,
					  const uint8_t *addr);
/* Many lookups at once, each as wg_allowedips_lookup(): a data plane with a batch of
 * packets gets several times the rate on tables bigger than the CPU caches, because
 * the walks are interleaved and their memory waits overlap. */
struct wg_aip_query {
	int family;                /* in */
	const uint8_t *addr;       /* in */
	struct wg_aip_owner *owner; /* out: NULL if nothing matches */
};
void wg_allowedips_lookup_many(const struct wg_allowedips *t, struct wg_aip_query *q,
			       size_t count);

/* The owner of exactly this prefix (addr masked to cidr), or NULL. */
struct wg_aip_owner *wg_allowedips_find_exact(const struct wg_allowedips *t, int family,
					      const uint8_t *addr, uint8_t cidr);

/* Calls cb for each of owner's prefixes in insertion order until it returns false.
 * addr is 4 or 16 bytes by family. cb must not change the table. */
typedef bool (*wg_aip_cb)(void *ctx, int family, const uint8_t *addr, uint8_t cidr);
void wg_allowedips_foreach(const struct wg_allowedips *t, const struct wg_aip_owner *owner,
			   wg_aip_cb cb, void *ctx);

/* Piecewise iteration, so a UAPI "get" can emit a peer's 100,000 prefixes in chunks
 * and let go of its lock in between. Zero-initialise the cursor to start. */
struct wg_aip_cursor {
	const void *next;
	size_t done;
	uint64_t gen;
};
/* Stores the owner's next prefix (addr: 16 bytes of room) and returns 1; returns 0
 * after the last one, or -EAGAIN if the table changed since the cursor started: the
 * caller then starts over with a fresh cursor (the dump would be inconsistent). */
int wg_allowedips_next(const struct wg_allowedips *t, const struct wg_aip_owner *owner,
		       struct wg_aip_cursor *cur, int *family, uint8_t addr[16],
		       uint8_t *cidr);
#endif
