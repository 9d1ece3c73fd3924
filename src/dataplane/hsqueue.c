/* The handshake queue (see hsqueue.h): a single-producer single-consumer ring. */
#include "dataplane/hsqueue.h"
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

int dp_hsq_init(struct dp_hsq *q)
{
	memset(q, 0, sizeof(*q));
	q->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->wakefd < 0)
		return -errno;
	/* calloc: pages are only touched, and resident, once a flood reaches them. */
	q->slots = calloc(DP_HSQ_CAP, sizeof(*q->slots));
	if (!q->slots) {
		dp_hsq_free(q);
		return -ENOMEM;
	}
	return 0;
}

void dp_hsq_free(struct dp_hsq *q)
{
	free(q->slots);
	q->slots = NULL;
	if (q->wakefd >= 0)
		close(q->wakefd);
	q->wakefd = -1;
}

size_t dp_hsq_len(struct dp_hsq *q)
{
	return atomic_load(&q->tail) - atomic_load(&q->head);
}

bool dp_hsq_push(struct dp_hsq *q, const struct wg_endpoint *from, const uint8_t *buf, size_t len)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	if (len > sizeof(q->slots[0].buf) ||
	    tail - atomic_load_explicit(&q->head, memory_order_acquire) == DP_HSQ_CAP) {
		atomic_fetch_add_explicit(&q->dropped, 1, memory_order_relaxed);
		return false;
	}
	struct dp_hs_msg *m = &q->slots[tail % DP_HSQ_CAP];
	m->from = *from;
	m->len = (uint16_t)len;
	memcpy(m->buf, buf, len);
	atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
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

struct dp_hs_msg *dp_hsq_peek(struct dp_hsq *q, size_t i)
{
	size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	return &q->slots[(head + i) % DP_HSQ_CAP];
}

void dp_hsq_pop(struct dp_hsq *q, size_t n)
{
	atomic_fetch_add_explicit(&q->head, n, memory_order_release);
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
