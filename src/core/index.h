/* Receiver indices: random, unique per device, each naming a handshake in progress
 * or a session. Internal to the core. */
#ifndef WG_CORE_INDEX_H
#define WG_CORE_INDEX_H
#include <stdint.h>

struct wg_device;
struct wg_peer;
struct wg_keypair;

struct wg_index_entry {
	uint32_t index;            /* our receiver index, random (but for the peer's lane, if on), unique per device */
	struct wg_peer *peer;       /* set before wg_index_add: its lane is the top byte */
	struct wg_keypair *keypair; /* NULL while it names a handshake in progress */
	struct wg_index_entry *next_in_bucket;
};

int wg_index_add(struct wg_device *dev, struct wg_index_entry *e);
void wg_index_del(struct wg_device *dev, struct wg_index_entry *e);
struct wg_index_entry *wg_index_find(const struct wg_device *dev, uint32_t index);
/* Gives `to` the index that `from` held (the session inherits the handshake's index). */
void wg_index_replace(struct wg_device *dev, struct wg_index_entry *from, struct wg_index_entry *to);
#endif
