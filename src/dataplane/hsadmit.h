/* Admission to the handshake queue while it is nearly full: a flood from a few hundred
 * addresses fills it, and a real initiator's one message would then be dropped as
 * often as the flood's. So the receive thread counts recent handshake messages per
 * source (IPv4 address, IPv6 /64; decaying by half every 50 ms, in 4096 counters under
 * a random key), and the last quarter of the queue is kept for sources that sent few.
 * A flood spread over so many addresses that each sends few cannot be told apart and
 * is served as before; no source is worse off than with a plain queue, except one
 * whose address a flood forges, which then shares the flood's count. Receive thread
 * only: no lock. */
#ifndef WG_DP_HSADMIT_H
#define WG_DP_HSADMIT_H
#include <stdbool.h>
#include <stdint.h>
#include "core/endpoint.h"
#include "dataplane/hsqueue.h"

enum {
	DP_ADMIT_SLOTS = 4096,   /* a power of two */
	DP_ADMIT_BUSY = 4,       /* messages in the window that make a source busy */
};
#define DP_ADMIT_DECAY_NS 50000000ULL

struct dp_admit {
	uint64_t k0, k1;         /* hash key */
	uint64_t decayed_at;     /* monotonic ns */
	uint16_t count[DP_ADMIT_SLOTS];
};

void dp_admit_init(struct dp_admit *a, const uint8_t key[16]);
/* Counts one handshake message from `from`; true if its source has been busy (sent
 * DP_ADMIT_BUSY or more in the recent window before this one). */
bool dp_admit_busy(struct dp_admit *a, const struct wg_endpoint *from, uint64_t now);
/* Pushes a message onto its lane of the queue, except that a busy source's message
 * is refused (and counted) once the main lane is 3/4 full. */
bool dp_admit_push(struct dp_hsq *q, struct dp_admit *a, enum dp_hsq_lane lane,
		   const struct wg_endpoint *from, const uint8_t *buf, size_t len, uint64_t now);
#endif
