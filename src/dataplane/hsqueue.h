/* The handshake queue: handshake messages on their way from the receive thread to the
 * handshake thread, in two lanes served in order: messages with a valid MAC2 under
 * load (their senders proved their addresses; a blind flood cannot make them), then
 * all others. Each lane is bounded (the others at the kernel's 4096): when it is full a
 * message is dropped and counted, never waited for, so the receive thread never blocks
 * behind handshakes and a flood costs a fixed amount of memory. One producer and one
 * consumer, no lock of its own (the receive threads of several queues push only with
 * the device lock held, which makes them one producer): the producer fills a slot and
 * publishes it by moving tail; the
 * consumer works on the published slots in place and frees them by moving head. */
#ifndef WG_DP_HSQUEUE_H
#define WG_DP_HSQUEUE_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/endpoint.h"
#include "core/messages.h"

enum { DP_HSQ_CAP = 4096, DP_HSQ_MAC2_CAP = 256 }; /* powers of two */
enum dp_hsq_lane { DP_HSQ_MAC2, DP_HSQ_REST, DP_HSQ__LANES }; /* in serving order */

struct dp_hs_msg {
	struct wg_endpoint from;
	uint16_t len;
	uint8_t buf[WG_MSG_INITIATION_LEN]; /* the largest handshake message */
};

struct dp_hs_ring {
	struct dp_hs_msg *slots;
	size_t cap;
	_Atomic size_t head, tail;    /* slots [head, tail) are queued; both only grow */
	_Atomic uint64_t dropped;     /* pushed while full */
};

struct dp_hsq {
	struct dp_hs_ring lane[DP_HSQ__LANES];
	_Atomic bool sleeping;        /* the consumer waits for wakefd */
	int wakefd;                   /* eventfd */
};

int dp_hsq_init(struct dp_hsq *q);    /* 0 or -errno */
void dp_hsq_free(struct dp_hsq *q);
size_t dp_hsq_len(struct dp_hsq *q);  /* both lanes */
size_t dp_hsq_lane_len(struct dp_hsq *q, enum dp_hsq_lane lane);
uint64_t dp_hsq_dropped(struct dp_hsq *q);

/* Producer. false (and counted) when the lane is full or the message too long. */
bool dp_hsq_push(struct dp_hsq *q, enum dp_hsq_lane lane, const struct wg_endpoint *from,
		 const uint8_t *buf, size_t len);
/* Producer: a message it chose not to push, counted with the drops. */
void dp_hsq_refuse(struct dp_hsq *q, enum dp_hsq_lane lane);
/* Producer, after a round of pushes: wakes the consumer if it sleeps. */
void dp_hsq_wake(struct dp_hsq *q);

/* Consumer: the next message to serve (NULL if none) and its lane; dp_hsq_pop frees it. */
struct dp_hs_msg *dp_hsq_front(struct dp_hsq *q, enum dp_hsq_lane *lane);
void dp_hsq_pop(struct dp_hsq *q, enum dp_hsq_lane lane);
/* Consumer: returns once something is queued or stopfd is readable. */
void dp_hsq_wait(struct dp_hsq *q, int stopfd);
#endif
