/* The handshake queue (see hsqueue.h): two single-producer single-consumer rings. */
#include "dataplane/hsqueue.h"
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

static int ring_init(struct dp_hs_ring *r, size_t cap)
{
	/* calloc: pages are only touched, and resident, once a flood reaches them. */
	r->slots = calloc(cap, sizeof(*r->slots));
	r->cap = cap;
	return r->slots ? 0 : -ENOMEM;
}

int dp_hsq_init(struct dp_hsq *q)
{
	memset(q, 0, sizeof(*q));
	q->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->wakefd < 0)
		return -errno;
	if (ring_init(&q->lane[DP_HSQ_MAC2], DP_HSQ_MAC2_CAP) || ring_init(&q->lane[DP_HSQ_REST], DP_HSQ_CAP)) {
		dp_hsq_free(q);
		return -ENOMEM;
	}
	return 0;
}

void dp_hsq_free(struct dp_hsq *q)
{
	for (int i = 0; i < DP_HSQ__LANES; i++) {
		free(q->lane[i].slots);
		q->lane[i].slots = NULL;
	}
	if (q->wakefd >= 0)
		close(q->wakefd);
	q->wakefd = -1;
}

static size_t ring_len(struct dp_hs_ring *r)
{
	return atomic_load(&r->tail) - atomic_load(&r->head);
}

size_t dp_hsq_lane_len(struct dp_hsq *q, enum dp_hsq_lane lane)
{
	return ring_len(&q->lane[lane]);
}

void dp_hsq_refuse(struct dp_hsq *q, enum dp_hsq_lane lane)
{
	atomic_fetch_add_explicit(&q->lane[lane].dropped, 1, memory_order_relaxed);
}

size_t dp_hsq_len(struct dp_hsq *q)
{
	return ring_len(&q->lane[DP_HSQ_MAC2]) + ring_len(&q->lane[DP_HSQ_REST]);
}

uint64_t dp_hsq_dropped(struct dp_hsq *q)
{
	return atomic_load(&q->lane[DP_HSQ_MAC2].dropped) + atomic_load(&q->lane[DP_HSQ_REST].dropped);
}

bool dp_hsq_push(struct dp_hsq *q, enum dp_hsq_lane lane, const struct wg_endpoint *from,
		 const uint8_t *buf, size_t len)
{
	struct dp_hs_ring *r = &q->lane[lane];
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	if (len > sizeof(r->slots[0].buf) ||
	    tail - atomic_load_explicit(&r->head, memory_order_acquire) == r->cap) {
		atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
		return false;
	}
	struct dp_hs_msg *m = &r->slots[tail % r->cap];
	m->from = *from;
	m->len = (uint16_t)len;
	memcpy(m->buf, buf, len);
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return true;
}

static void kick(int fd)
{
	uint64_t one = 1;
	ssize_t n = write(fd, &one, sizeof(one));
	(void)n; /* EAGAIN: the counter is full, a wake-up is pending anyway */
}

static void unkick(int fd)
{
	uint64_t count;
	ssize_t n = read(fd, &count, sizeof(count));
	(void)n; /* EAGAIN: woken by the stop event, not by us */
}

/* The fence pairs with the consumer's store of sleeping before it looks at tail: either
 * it sees our new tail, or we see it sleeping and wake it. */
void dp_hsq_wake(struct dp_hsq *q)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&q->sleeping) && atomic_exchange(&q->sleeping, false))
		kick(q->wakefd);
}

struct dp_hs_msg *dp_hsq_front(struct dp_hsq *q, enum dp_hsq_lane *lane)
{
	for (int i = 0; i < DP_HSQ__LANES; i++) {
		struct dp_hs_ring *r = &q->lane[i];
		size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
		if (head != atomic_load_explicit(&r->tail, memory_order_acquire)) {
			*lane = (enum dp_hsq_lane)i;
			return &r->slots[head % r->cap];
		}
	}
	return NULL;
}

void dp_hsq_pop(struct dp_hsq *q, enum dp_hsq_lane lane)
{
	atomic_fetch_add_explicit(&q->lane[lane].head, 1, memory_order_release);
}

void dp_hsq_wait(struct dp_hsq *q, int stopfd)
{
	atomic_store(&q->sleeping, true);
	if (!dp_hsq_len(q)) {
		struct pollfd pfd[2] = { { .fd = q->wakefd, .events = POLLIN }, { .fd = stopfd, .events = POLLIN } };
		poll(pfd, 2, -1);
		unkick(q->wakefd);
	}
	atomic_store(&q->sleeping, false);
}
