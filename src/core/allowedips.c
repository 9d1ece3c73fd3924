/* Allowed-IPs table: one path-compressed binary trie per address family.
 *
 * Keys are addresses as big-endian integers in two host-order 64-bit words (IPv4 sits in
 * the top 32 bits of word 0), so one code path serves both families and bit i of an
 * address is bit i of the key.
 *
 * A node at depth `cidr` stands for a cidr-bit prefix that every key below it shares;
 * its children split on bit `cidr`. Two kinds of node:
 *   - an entry: a prefix somebody owns. It stores its key, its owner and its links in
 *     the owner's list; it may have zero, one or two children.
 *   - glue: a branch point where two owned prefixes diverge. It has exactly two
 *     children and stores no key at all (crit-bit style): random prefixes make about
 *     as many glue nodes as entries, so keeping glue to 24 bytes saves a quarter of
 *     the memory. Whatever a glue node's prefix is, any entry below it carries it.
 *
 * Lookup walks down by the address's bits and checks the prefix only at entries; the
 * first entry that does not match ends the walk, since everything below it shares that
 * entry's prefix. The last entry that matched is the longest match.
 */
#include "core/allowedips.h"
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { F_ENTRY = 1, F_V6 = 2 };

struct node {
	struct node *child[2];
	uint8_t cidr;
	uint8_t flags;
};

/* The key's first word sits right after the header, so that a lookup step usually
 * reads one cache line; the second word is only there for IPv6 longer than /64. */
struct entry {
	struct node n;                 /* first, so a node with F_ENTRY is an entry */
	uint64_t key0;
	struct wg_aip_owner *owner;
	struct entry *prev, *next;     /* circular list of the owner's entries */
	uint64_t key1[];
};

struct wg_allowedips {
	struct node *root[2];          /* [0] IPv4, [1] IPv6 */
	uint64_t gen;                  /* bumped on every change, checked by cursors */
};

/* ---- keys ---- */

static uint64_t mask64(unsigned bits)
{
	return bits ? ~0ULL << (64 - bits) : 0;
}

static unsigned max_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

static void load_key(uint64_t k[2], int family, const uint8_t *addr)
{
	if (family == AF_INET) {
		uint32_t w;
		memcpy(&w, addr, 4);
		k[0] = (uint64_t)be32toh(w) << 32;
		k[1] = 0;
	} else {
		memcpy(k, addr, 16);
		k[0] = be64toh(k[0]);
		k[1] = be64toh(k[1]);
	}
}

static void store_key(uint8_t *addr, int family, const uint64_t k[2])
{
	uint64_t w[2] = { htobe64(k[0]), htobe64(k[1]) };
	memcpy(addr, w, family == AF_INET ? 4 : 16);
}

static void mask_key(uint64_t k[2], unsigned cidr)
{
	if (cidr <= 64) {
		k[0] &= mask64(cidr);
		k[1] = 0;
	} else {
		k[1] &= mask64(cidr - 64);
	}
}

static bool long_key(unsigned cidr)
{
	return cidr > 64;
}

/* Bit i (0 = most significant) of a key; i < 128. */
static unsigned bit(const uint64_t *k, unsigned i)
{
	return (k[i >> 6] >> (63 - (i & 63))) & 1;
}

/* How many leading bits a and b share, at most limit. */
static unsigned common_bits(const uint64_t *a, const uint64_t *b, unsigned limit)
{
	uint64_t x = a[0] ^ b[0];
	unsigned d;
	if (x)
		d = __builtin_clzll(x);
	else if (limit <= 64)
		d = 64;
	else
		d = (x = a[1] ^ b[1]) ? 64 + __builtin_clzll(x) : 128;
	return d < limit ? d : limit;
}

/* Does the address a (two words) lie inside entry e's prefix? */
static bool matches(const struct entry *e, const uint64_t *a)
{
	unsigned c = e->n.cidr;
	if (c <= 64)
		return !((a[0] ^ e->key0) & mask64(c));
	return a[0] == e->key0 && !((a[1] ^ e->key1[0]) & mask64(c - 64));
}

static void entry_key(const struct entry *e, uint64_t k[2])
{
	k[0] = e->key0;
	k[1] = long_key(e->n.cidr) ? e->key1[0] : 0;
}

static bool is_entry(const struct node *n)
{
	return n->flags & F_ENTRY;
}

static struct entry *as_entry(struct node *n)
{
	return (struct entry *)n;
}

static int family_of(const struct entry *e)
{
	return e->n.flags & F_V6 ? AF_INET6 : AF_INET;
}

static struct node **root_of(struct wg_allowedips *t, int family)
{
	return &t->root[family == AF_INET6];
}

/* ---- the owner's list ---- */

void wg_aip_owner_init(struct wg_aip_owner *o)
{
	o->first = NULL;
	o->count = 0;
}

static void list_add(struct wg_aip_owner *o, struct entry *e)
{
	struct entry *first = o->first;
	e->owner = o;
	if (!first) {
		e->prev = e->next = e;
		o->first = e;
	} else {
		e->prev = first->prev;
		e->next = first;
		first->prev->next = e;
		first->prev = e;
	}
	o->count++;
}

static void list_del(struct entry *e)
{
	struct wg_aip_owner *o = e->owner;
	if (e->next == e)
		o->first = NULL;
	else if (o->first == e)
		o->first = e->next;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	o->count--;
	e->owner = NULL;
}

/* ---- nodes ---- */

static struct entry *entry_new(int family, const uint64_t k[2], unsigned cidr)
{
	struct entry *e = malloc(sizeof(*e) + long_key(cidr) * sizeof(uint64_t));
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->key0 = k[0];
	if (long_key(cidr))
		e->key1[0] = k[1];
	e->n.cidr = (uint8_t)cidr;
	e->n.flags = F_ENTRY | (family == AF_INET6 ? F_V6 : 0);
	return e;
}

static struct node *glue_new(unsigned cidr, struct node *a, struct node *b)
{
	struct node *g = malloc(sizeof(*g));
	if (!g)
		return NULL;
	g->child[0] = a;
	g->child[1] = b;
	g->cidr = (uint8_t)cidr;
	g->flags = 0;
	return g;
}

/* Some entry at or below n; glue always has two children, so one is reached. */
static const struct entry *any_entry(const struct node *n)
{
	while (!is_entry(n))
		n = n->child[0];
	return (const struct entry *)n;
}

/* ---- insert ---- */

/* Where a new prefix goes: the slot, how many leading bits the new key shares with
 * the subtree already in that slot (if any), and the key of an entry in that subtree. */
struct place {
	struct node **slot;
	unsigned shared;
	uint64_t near[2];
};

/* Glue stores no key, so descend once to find an entry to compare the new key with,
 * then again to stop where the key departs from the path. */
static struct place find_place(struct node **root, const uint64_t *k, unsigned cidr)
{
	struct place p = { root, 0, { 0, 0 } };
	struct node *n = *root, *last = NULL;
	while (n && n->cidr < cidr) {
		last = n;
		n = n->child[bit(k, n->cidr)];
	}
	if (!n && !last)
		return p;
	const struct entry *x = any_entry(n ? n : last);
	entry_key(x, p.near);
	p.shared = common_bits(k, p.near, cidr < x->n.cidr ? cidr : x->n.cidr);
	while (*p.slot && (*p.slot)->cidr <= p.shared && (*p.slot)->cidr < cidr)
		p.slot = &(*p.slot)->child[bit(k, (*p.slot)->cidr)];
	return p;
}

static bool is_exact(const struct place *p, unsigned cidr)
{
	return *p->slot && (*p->slot)->cidr == cidr && p->shared == cidr;
}

/* Turns the glue at *slot into entry e, which takes over its children. */
static void replace(struct node **slot, struct entry *e)
{
	struct node *old = *slot;
	e->n.child[0] = old->child[0];
	e->n.child[1] = old->child[1];
	*slot = &e->n;
	free(old);
}

/* Puts entry e (key k) at p: as a leaf, in place of glue, above the subtree there, or
 * beside it under a new glue node where the two part. */
static int link_entry(const struct place *p, struct entry *e, const uint64_t *k)
{
	struct node *n = *p->slot;
	unsigned cidr = e->n.cidr, d = p->shared;
	if (!n) {
		*p->slot = &e->n;
	} else if (is_exact(p, cidr)) {
		replace(p->slot, e);
	} else if (d == cidr) {
		e->n.child[bit(p->near, cidr)] = n;
		*p->slot = &e->n;
	} else {
		unsigned b = bit(k, d);
		struct node *g = glue_new(d, b ? n : &e->n, b ? &e->n : n);
		if (!g)
			return -ENOMEM;
		*p->slot = g;
	}
	return 0;
}

static void move_entry(struct wg_allowedips *t, struct entry *e, struct wg_aip_owner *owner)
{
	if (e->owner == owner)
		return;
	list_del(e);
	list_add(owner, e);
	t->gen++;
}

int wg_allowedips_insert(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, struct wg_aip_owner *owner)
{
	unsigned bits = max_bits(family);
	uint64_t k[2];
	if (!bits || cidr > bits)
		return -EINVAL;
	load_key(k, family, addr);
	mask_key(k, cidr);
	struct place p = find_place(root_of(t, family), k, cidr);
	if (is_exact(&p, cidr) && is_entry(*p.slot)) {
		/* The prefix exists: it changes hands. */
		move_entry(t, as_entry(*p.slot), owner);
		return 0;
	}
	struct entry *e = entry_new(family, k, cidr);
	if (!e)
		return -ENOMEM;
	if (link_entry(&p, e, k) < 0) {
		free(e);
		return -ENOMEM;
	}
	list_add(owner, e);
	t->gen++;
	return 0;
}

/* ---- remove ---- */

/* The slot holding the entry for exactly (k, cidr), and the slot holding its parent
 * (NULL at the root); NULL if there is no such entry. */
static struct node **find_entry(struct node **root, const uint64_t *k, unsigned cidr,
				struct node ***parent)
{
	struct node **slot = root, **up = NULL;
	while (*slot && (*slot)->cidr < cidr) {
		up = slot;
		slot = &(*slot)->child[bit(k, (*slot)->cidr)];
	}
	if (!*slot || (*slot)->cidr != cidr || !is_entry(*slot) ||
	    !matches(as_entry(*slot), k))
		return NULL;
	if (parent)
		*parent = up;
	return slot;
}

/* A glue node left with one child is no branch point any more: its child replaces it. */
static void collapse(struct node **slot)
{
	struct node *g = *slot;
	if (!g || is_entry(g) || (g->child[0] && g->child[1]))
		return;
	*slot = g->child[0] ? g->child[0] : g->child[1];
	free(g);
}

/* Takes the entry at *slot out of the trie (it is already off its owner's list). */
static void unlink_entry(struct node **slot, struct node **parent)
{
	struct node *n = *slot;
	if (n->child[0] && n->child[1]) {
		struct node *g = glue_new(n->cidr, n->child[0], n->child[1]);
		if (!g) {
			/* Out of memory: keep the bigger node as glue; it still works as one. */
			n->flags &= ~F_ENTRY;
			return;
		}
		*slot = g;
	} else {
		*slot = n->child[0] ? n->child[0] : n->child[1];
		if (!*slot && parent)
			collapse(parent);
	}
	free(n);
}

/* Removes an entry found through its owner's list: walks down to it for its slots. */
static void remove_entry(struct wg_allowedips *t, struct entry *e)
{
	struct node **slot = root_of(t, family_of(e)), **up = NULL;
	uint64_t k[2];
	entry_key(e, k);
	while (*slot != &e->n) {
		up = slot;
		slot = &(*slot)->child[bit(k, (*slot)->cidr)];
	}
	list_del(e);
	unlink_entry(slot, up);
}

int wg_allowedips_remove(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, struct wg_aip_owner *owner)
{
	unsigned bits = max_bits(family);
	struct node **slot, **up = NULL;
	uint64_t k[2];
	if (!bits || cidr > bits)
		return -EINVAL;
	load_key(k, family, addr);
	mask_key(k, cidr);
	slot = find_entry(root_of(t, family), k, cidr, &up);
	if (!slot || as_entry(*slot)->owner != owner)
		return -ENOENT;
	t->gen++;
	list_del(as_entry(*slot));
	unlink_entry(slot, up);
	return 0;
}

void wg_allowedips_remove_owner(struct wg_allowedips *t, struct wg_aip_owner *owner)
{
	if (owner->count)
		t->gen++;
	while (owner->first)
		remove_entry(t, owner->first);
}

/* ---- table ---- */

struct wg_allowedips *wg_allowedips_new(void)
{
	return calloc(1, sizeof(struct wg_allowedips));
}

static void free_subtree(struct node *n)
{
	if (!n)
		return;
	free_subtree(n->child[0]);
	free_subtree(n->child[1]);
	if (is_entry(n))
		wg_aip_owner_init(as_entry(n)->owner);
	free(n);
}

void wg_allowedips_free(struct wg_allowedips *t)
{
	if (!t)
		return;
	free_subtree(t->root[0]);
	free_subtree(t->root[1]);
	free(t);
}

/* ---- lookups ---- */

/* One walk in progress. a has a third, zero word: a /128 entry reads bit 128 on its
 * way out (its children are both NULL, so the value does not matter). */
struct walk {
	const struct node *n;
	const struct entry *best;
	uint64_t a[3];
};

/* Sets w up for addr; false if there is nothing to walk (bad family, empty trie). */
static bool walk_start(struct walk *w, const struct wg_allowedips *t, int family,
		       const uint8_t *addr)
{
	w->best = NULL;
	w->a[2] = 0;
	if (!max_bits(family))
		return false;
	load_key(w->a, family, addr);
	w->n = t->root[family == AF_INET6];
	return w->n != NULL;
}

/* Visits w->n and moves on; false once the walk is over. */
static bool walk_step(struct walk *w)
{
	const struct node *n = w->n;
	if (is_entry(n)) {
		const struct entry *e = (const struct entry *)n;
		if (!matches(e, w->a))
			return false;
		w->best = e;
	}
	w->n = n->child[bit(w->a, n->cidr)];
	return w->n != NULL;
}

static struct wg_aip_owner *walk_result(const struct walk *w)
{
	return w->best ? w->best->owner : NULL;
}

struct wg_aip_owner *wg_allowedips_lookup(const struct wg_allowedips *t, int family,
					  const uint8_t *addr)
{
	struct walk w;
	if (walk_start(&w, t, family, addr))
		while (walk_step(&w))
			;
	return walk_result(&w);
}

/* A big table is bigger than the caches, so each step of a walk waits for memory.
 * Taking several walks in turns and prefetching each one's next node lets those waits
 * overlap. */
enum { LANES = 16 };

struct lane {
	struct walk w;
	struct wg_aip_query *q;
};

/* Gives lane l the next query that needs a walk, answering those that do not. */
static bool lane_fill(struct lane *l, const struct wg_allowedips *t,
		      struct wg_aip_query *q, size_t count, size_t *next)
{
	while (*next < count) {
		l->q = &q[(*next)++];
		if (walk_start(&l->w, t, l->q->family, l->q->addr))
			return true;
		l->q->owner = NULL;
	}
	return false;
}

void wg_allowedips_lookup_many(const struct wg_allowedips *t, struct wg_aip_query *q,
			       size_t count)
{
	struct lane lane[LANES];
	size_t active = 0, next = 0;
	while (active < LANES && lane_fill(&lane[active], t, q, count, &next))
		active++;
	while (active) {
		for (size_t i = 0; i < active;) {
			struct lane *l = &lane[i];
			if (walk_step(&l->w)) {
				__builtin_prefetch(l->w.n);
				i++;
				continue;
			}
			l->q->owner = walk_result(&l->w);
			if (!lane_fill(l, t, q, count, &next))
				*l = lane[--active];
		}
	}
}

struct wg_aip_owner *wg_allowedips_find_exact(const struct wg_allowedips *t, int family,
					      const uint8_t *addr, uint8_t cidr)
{
	unsigned bits = max_bits(family);
	struct node **slot;
	uint64_t k[2];
	if (!bits || cidr > bits)
		return NULL;
	load_key(k, family, addr);
	mask_key(k, cidr);
	slot = find_entry((struct node **)&t->root[family == AF_INET6], k, cidr, NULL);
	return slot ? as_entry(*slot)->owner : NULL;
}

/* ---- iteration ---- */

static void emit(const struct entry *e, int *family, uint8_t *addr, uint8_t *cidr)
{
	uint64_t k[2];
	entry_key(e, k);
	*family = family_of(e);
	*cidr = e->n.cidr;
	store_key(addr, *family, k);
}

void wg_allowedips_foreach(const struct wg_allowedips *t, const struct wg_aip_owner *owner,
			   wg_aip_cb cb, void *ctx)
{
	const struct entry *e = owner->first;
	for (size_t i = 0; i < owner->count; i++, e = e->next) {
		uint8_t addr[16], cidr;
		int family;
		emit(e, &family, addr, &cidr);
		if (!cb(ctx, family, addr, cidr))
			return;
	}
}

int wg_allowedips_next(const struct wg_allowedips *t, const struct wg_aip_owner *owner,
		       struct wg_aip_cursor *cur, int *family, uint8_t addr[16],
		       uint8_t *cidr)
{
	const struct entry *e;
	if (!cur->done) {
		cur->next = owner->first;
		cur->gen = t->gen;
	} else if (cur->gen != t->gen) {
		return -EAGAIN;
	}
	if (cur->done >= owner->count)
		return 0;
	e = cur->next;
	emit(e, family, addr, cidr);
	cur->next = e->next;
	cur->done++;
	return 1;
}
