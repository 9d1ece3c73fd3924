/* Internals of one running interface (see dataplane.h). */
#ifndef WG_DP_INTERNAL_H
#define WG_DP_INTERNAL_H
#include <pthread.h>
#include <stdatomic.h>
#include <net/if.h>
#include "dataplane/dataplane.h"
#include "dataplane/hsadmit.h"
#include "dataplane/hsqueue.h"
#include "platform/tun.h"
#include "platform/udp.h"
#include "uapi/uapi.h"

enum {
	DP_BATCH = 128,          /* packets per read/process/write round */
	DP_BUF = 2048 + 64,      /* one datagram or packet with head- and tailroom */
	DP_MAX_CLIENTS = 64,     /* concurrent UAPI connections */
	DP_AUX = 160,            /* messages the core builds itself per round (handshakes, staged) */
	DP_CRYPTO_CHUNK = 8,     /* packets a crypto helper takes at a time (~8 us of work) */
	DP_MAX_QUEUES = 8,       /* data-plane queues (WGROUTER_QUEUES) */
};

struct wg_dataplane;

/* One data-plane queue (queue.c): a TUN queue read by its tx thread, a socket set read
 * by its rx thread. With several, the kernel steers by flow hash: the TUN by the inner
 * flow, the sockets (SO_REUSEPORT) by the outer addresses, so each flow, and each peer's
 * datagrams, stay on one queue and in order. */
struct dp_queue {
	struct wg_dataplane *dp;
	struct wg_tun tun;
	/* Replaced by a port change under dp->lock and dp->socks taken for writing; read
	 * under either (a round's flush sends under dp->socks for reading). */
	struct wg_udp udp;
	struct wg_udp retired;   /* sockets replaced by a port change, closed by the rx thread */
	pthread_t th_tun, th_udp;
	bool started_tun, started_udp;
};

/* A round of packets through the core. The core answers with pointers into the
 * round's own buffers (encrypted or decrypted in place); the few messages it makes
 * itself (handshakes, cookies, keepalives) are copied into aux. */
struct dp_round {
	struct dp_queue *q;      /* whose TUN queue and sockets the flush writes to */
	struct wg_udp_msg out[DP_BATCH + DP_AUX];
	int nout;
	struct wg_tun_pkt tun_out[DP_BATCH];
	int ntun;
	uint8_t (*aux)[DP_BUF];  /* DP_AUX copies: staged packets leave the core's memory */
	int naux;
	uint8_t *bufs;           /* DP_BATCH x DP_BUF, the round's packet memory */
	struct wg_sink sink;
};

struct wg_dataplane {
	char ifname[IFNAMSIZ];
	struct wg_dataplane_opts opts;
	pthread_mutex_t lock;    /* the core and the sockets' configuration: dp_lock() */
	_Atomic int lock_waiters; /* threads in dp_lock(): the handshake thread lets them go first */
	struct wg_device *dev;
	struct dp_queue q[DP_MAX_QUEUES]; /* q[0].tun made the device: its name, index, MTU */
	int nq;
	pthread_rwlock_t socks;  /* the queues' udp: sends read it, a port change replaces it */
	uint32_t fwmark;
	bool up;
	int timerfd, stopfd, uapi_fd;
	char uapi_path[108];
	_Atomic uint64_t armed;  /* deadline the timerfd is set to, UINT64_MAX = none */
	uint64_t last_tick;      /* when the timerfd last fired (CLOCK_BOOTTIME ns), under the lock */
	_Atomic bool stopping;
	struct dp_hsq hsq;       /* rx thread -> handshake thread */
	struct dp_admit admit;   /* the rx thread's per-source counts for the queue */
	pthread_t th_ctl, th_hs;
	bool started_ctl, started_hs;
	struct dp_round ctl_round;  /* for timer and UAPI work, under the lock */
	struct wg_uapi_ops uapi_ops;
	pthread_mutex_t clients_lock;
	pthread_cond_t clients_done;
	int client_fds[DP_MAX_CLIENTS];
	int nclients;
	struct mnl_socket *link_nl;  /* link notifications (link.c) */
	_Atomic bool lost;           /* the TUN device is gone: the interface is over */
	atomic_flag lost_reported;
};

/* The device lock. Every thread takes it with dp_lock() except the handshake thread,
 * which waits until nobody else is waiting (handshake.c): a busy handshake thread that
 * unlocks and at once locks again would otherwise win the lock over and over while a
 * woken packet thread is still on its way to a CPU. */
static inline void dp_lock(struct wg_dataplane *dp)
{
	atomic_fetch_add(&dp->lock_waiters, 1);
	pthread_mutex_lock(&dp->lock);
	atomic_fetch_sub(&dp->lock_waiters, 1);
}
static inline void dp_unlock(struct wg_dataplane *dp) { pthread_mutex_unlock(&dp->lock); }

void wg_dp_env(struct wg_dataplane *dp, struct wg_env *env);
uint64_t wg_dp_now(void);
void wg_dp_log(struct wg_dataplane *dp, enum wg_log_level level, const uint8_t *peer_pub,
	       const char *topic, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* round.c */
int dp_round_init(struct dp_round *r, struct dp_queue *q);
void dp_round_free(struct dp_round *r);
void dp_round_reset(struct dp_round *r);
/* Sends and writes what the round collected (outside the lock). */
void dp_round_flush(struct dp_round *r);

/* Helper threads per direction of one queue for the packet crypto:
 * WGROUTER_CRYPTO_HELPERS if set (0 turns them off), else wg_parallel_default_helpers()
 * shared out over the queues (8 queues on 16 CPUs would otherwise start 224 helpers). */
int dp_crypto_helpers(int queues);

/* queue.c. How many queues: opts->queues, else WGROUTER_QUEUES, else 1 (the TUN without
 * IFF_MULTI_QUEUE, the sockets without SO_REUSEPORT). */
int dp_queue_count(const struct wg_dataplane_opts *opts);
/* Marks every queue's slots empty (before any can fail). */
void dp_queues_init(struct wg_dataplane *dp, int nq);
/* Opens the TUN queues (the first creates the device IFNAME) and the sockets. */
int dp_queues_open(struct wg_dataplane *dp, const char *ifname);
/* One socket set per queue on `port` (0: any), tuned; on failure none. */
int dp_sockets_open(const struct wg_dataplane *dp, uint16_t port, uint32_t mark, struct wg_udp *sets);
/* The read path's MTU of every queue (the kernel's MTU is the device's). */
void dp_queues_set_mtu(struct wg_dataplane *dp, int mtu);
int dp_queues_start(struct wg_dataplane *dp);
void dp_queues_join(struct wg_dataplane *dp);
void dp_queues_close(struct wg_dataplane *dp);

/* timer.c: keeps the timerfd at the core's next deadline. Call with the lock held. */
void dp_timer_update(struct wg_dataplane *dp);
void dp_timer_fire(struct wg_dataplane *dp);

/* threads */
void *dp_tun_thread(void *arg);
void *dp_udp_thread(void *arg);
void *dp_ctl_thread(void *arg);
void *dp_handshake_thread(void *arg);

/* handshake.c: serves up to max messages of the queue with the device lock held,
 * telling the core how many wait (its under-load rule); ends early after one that
 * cost an X25519, so the lock is never held for more than one handshake. Returns how
 * many it served. */
size_t dp_handshake_serve(struct wg_device *dev, struct dp_hsq *q, size_t max, const struct wg_sink *sink);
void dp_clients_stop(struct wg_dataplane *dp);

/* link.c */
struct mnl_socket;
int dp_link_open(struct wg_dataplane *dp);
void dp_link_close(struct wg_dataplane *dp);
int dp_link_fd(const struct wg_dataplane *dp);
bool dp_link_event(struct wg_dataplane *dp);
/* The interface cannot go on (its link was deleted): tell the owner. */
void dp_lost(struct wg_dataplane *dp);
#endif
