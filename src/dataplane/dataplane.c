/* Lifecycle of one interface and the configuration hooks the UAPI needs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include "dataplane/dp_internal.h"
#include "sys/netlink.h"
#include "uapi/uapi_server.h"
#include "crypto/crypto.h"
#include "util/sbuf.h"

static uint16_t get_port(void *ctx) { return wg_udp_port(&((struct wg_dataplane *)ctx)->q[0].udp); }
static uint32_t get_mark(void *ctx) { return ((struct wg_dataplane *)ctx)->fwmark; }
static void lock(void *ctx) { dp_lock(ctx); }
/* Whatever a UAPI line changed may have armed a timer: re-aim the timerfd. */
static void unlock(void *ctx)
{
	struct wg_dataplane *dp = ctx;
	dp_timer_update(dp);
	dp_round_flush(&dp->ctl_round); /* e.g. the keepalive a new persistent-keepalive sends */
	dp_unlock(dp);
}

/* Reopens every queue's sockets on the new port; on failure the old ones stay. */
static int set_port(void *ctx, uint16_t port)
{
	struct wg_dataplane *dp = ctx;
	struct wg_udp fresh[DP_MAX_QUEUES];
	if (port && port == wg_udp_port(&dp->q[0].udp))
		return 0;
	int rc = dp_sockets_open(dp, port, dp->fwmark, fresh);
	if (rc)
		return rc;
	/* The receive threads may still be polling the old sockets: wake them and let each
	 * close its own the next time it takes the lock. Senders see the old set or the
	 * new, never a set half replaced or closed. */
	pthread_rwlock_wrlock(&dp->socks);
	for (int i = 0; i < dp->nq; i++) {
		struct dp_queue *q = &dp->q[i];
		wg_udp_close(&q->retired);
		q->retired = q->udp;
		wg_udp_shutdown(&q->retired);
		q->udp = fresh[i];
	}
	pthread_rwlock_unlock(&dp->socks);
	return 0;
}

static int set_mark(void *ctx, uint32_t mark)
{
	struct wg_dataplane *dp = ctx;
	int rc = 0, i;
	for (i = 0; i < dp->nq && !rc; i++)
		rc = wg_udp_set_mark(&dp->q[i].udp, mark);
	if (!rc)
		dp->fwmark = mark;
	while (rc && i--) /* a refused mark changes no queue */
		wg_udp_set_mark(&dp->q[i].udp, dp->fwmark);
	return rc;
}

static void uapi_log(void *ctx, const char *msg)
{
	wg_dp_log(ctx, WG_LOG_ERROR, NULL, "uapi", "UAPI: %s", msg);
}

static void setup_uapi_ops(struct wg_dataplane *dp)
{
	dp->uapi_ops = (struct wg_uapi_ops){
		.ctx = dp, .get_listen_port = get_port, .set_listen_port = set_port,
		.get_fwmark = get_mark, .set_fwmark = set_mark, .sink = &dp->ctl_round.sink,
		.lock = lock, .unlock = unlock, .log = uapi_log,
	};
}

static void stop_threads(struct wg_dataplane *dp)
{
	uint64_t one = 1;
	atomic_store(&dp->stopping, true);
	if (dp->stopfd >= 0 && write(dp->stopfd, &one, sizeof(one)) < 0)
		perror("eventfd");
	dp_queues_join(dp);
	if (dp->started_ctl) pthread_join(dp->th_ctl, NULL);
	if (dp->started_hs) pthread_join(dp->th_hs, NULL);
	dp->started_ctl = dp->started_hs = false;
}

void wg_dataplane_stop(struct wg_dataplane *dp)
{
	if (!dp)
		return;
	stop_threads(dp);
	dp_clients_stop(dp);
	if (dp->uapi_fd >= 0) {
		close(dp->uapi_fd);
		unlink(dp->uapi_path);
	}
	if (dp->dev)
		wg_device_free(dp->dev);
	dp_queues_close(dp);
	dp_link_close(dp);
	if (dp->timerfd >= 0) close(dp->timerfd);
	if (dp->stopfd >= 0) close(dp->stopfd);
	dp_round_free(&dp->ctl_round);
	dp_hsq_free(&dp->hsq);
	pthread_mutex_destroy(&dp->lock);
	pthread_rwlock_destroy(&dp->socks);
	pthread_mutex_destroy(&dp->clients_lock);
	pthread_cond_destroy(&dp->clients_done);
	free(dp);
}

static int start_threads(struct wg_dataplane *dp)
{
	if (pthread_create(&dp->th_ctl, NULL, dp_ctl_thread, dp))
		return -EAGAIN;
	dp->started_ctl = true;
	if (pthread_create(&dp->th_hs, NULL, dp_handshake_thread, dp))
		return -EAGAIN;
	dp->started_hs = true;
	return dp_queues_start(dp);
}

struct wg_dataplane *wg_dataplane_start(const char *ifname, const struct wg_dataplane_opts *opts, int *err)
{
	struct wg_dataplane *dp = calloc(1, sizeof(*dp));
	struct wg_env env;
	int rc = -ENOMEM;

	if (!dp)
		goto fail_nodp;
	snprintf(dp->ifname, sizeof(dp->ifname), "%s", ifname);
	dp->opts = *opts;
	if (!dp->opts.mtu)
		dp->opts.mtu = 1420;
	dp->uapi_fd = dp->timerfd = dp->stopfd = dp->hsq.wakefd = -1;
	dp_queues_init(dp, dp_queue_count(opts));
	dp->up = true;
	atomic_store(&dp->armed, UINT64_MAX);
	pthread_mutex_init(&dp->lock, NULL);
	pthread_rwlock_init(&dp->socks, NULL);
	pthread_mutex_init(&dp->clients_lock, NULL);
	pthread_cond_init(&dp->clients_done, NULL);
	for (int i = 0; i < DP_MAX_CLIENTS; i++)
		dp->client_fds[i] = -1;
	if (dp_round_init(&dp->ctl_round, &dp->q[0]) || dp_hsq_init(&dp->hsq))
		goto fail;
	uint8_t key[16];
	wg_os_random(key, sizeof(key));
	dp_admit_init(&dp->admit, key);
	setup_uapi_ops(dp);
	wg_dp_env(dp, &env);
	if (!(dp->dev = wg_device_new(&env)))
		goto fail;
	wg_device_set_index_lanes(dp->dev, dp->nq > 1); /* what the ports' steering reads */
	dp->timerfd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	dp->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dp->timerfd < 0 || dp->stopfd < 0) {
		rc = -errno;
		goto fail;
	}
	if ((rc = dp_queues_open(dp, ifname)))
		goto fail;
	snprintf(dp->ifname, sizeof(dp->ifname), "%s", dp->q[0].tun.name);
	if ((rc = wg_dataplane_set_mtu(dp, dp->opts.mtu))) /* the kernel's, the queues', the core's */
		goto fail;
	if (dp->opts.uapi_socket) {
		dp->uapi_fd = wg_uapi_listen(dp->opts.uapi_dir ? dp->opts.uapi_dir : "/var/run/wireguard",
					     dp->ifname, dp->uapi_path, sizeof(dp->uapi_path));
		if (dp->uapi_fd < 0) {
			rc = dp->uapi_fd;
			goto fail;
		}
	}
	if (dp_link_open(dp)) /* without it an `ip link` MTU change is not followed */
		wg_dp_log(dp, WG_LOG_ERROR, NULL, "device", "Cannot follow link changes of %s", dp->ifname);
	uint16_t port = wg_udp_port(&dp->q[0].udp); /* once the threads run, a UAPI client may change it */
	if ((rc = start_threads(dp)))
		goto fail;
	wg_dp_log(dp, WG_LOG_VERBOSE, NULL, "device", "Interface %s up, listening on port %u, %d queue%s", dp->ifname,
		  port, dp->nq, dp->nq > 1 ? "s" : "");
	return dp;
fail:
	wg_dataplane_stop(dp);
fail_nodp:
	if (err)
		*err = rc;
	return NULL;
}

static ssize_t reply_write(void *cookie, const char *buf, size_t n)
{
	sb_addn(cookie, buf, n);
	return (ssize_t)n;
}

/* Requests and replies carry keys: both streams use buffers of ours that are wiped
 * (stdio's own would be freed as they are, open_memstream leaves each smaller copy of
 * the reply behind as it grows; an sbuf wipes the block it outgrows). */
int wg_dataplane_uapi(struct wg_dataplane *dp, const char *request, char **reply)
{
	char inbuf[4096], outbuf[4096];
	struct sbuf out;
	sb_init(&out);
	FILE *in = fmemopen((void *)request, strlen(request), "r");
	FILE *o = fopencookie(&out, "w", (cookie_io_functions_t){ .write = reply_write });
	int status = -ENOMEM;
	if (in && o && !setvbuf(in, inbuf, _IOFBF, sizeof(inbuf)) && !setvbuf(o, outbuf, _IOFBF, sizeof(outbuf)))
		wg_uapi_handle_status(dp->dev, &dp->uapi_ops, in, o, &status);
	if (in) fclose(in);
	if (o) fclose(o);
	wg_wipe(inbuf, sizeof(inbuf));
	wg_wipe(outbuf, sizeof(outbuf));
	if (reply) {
		*reply = sb_take(&out);
	} else {
		wg_wipe(out.s, out.len);
		sb_free(&out);
	}
	return status;
}

int wg_dataplane_set_mtu(struct wg_dataplane *dp, int mtu)
{
	dp_lock(dp);
	int rc = wg_tun_set_mtu(&dp->q[0].tun, mtu);
	if (!rc) {
		dp_queues_set_mtu(dp, mtu);
		dp->opts.mtu = mtu;
		wg_device_set_mtu(dp->dev, mtu);
	}
	dp_unlock(dp);
	return rc;
}

int wg_dataplane_set_up(struct wg_dataplane *dp, bool up)
{
	dp_lock(dp);
	int rc = wg_tun_set_up(&dp->q[0].tun, up);
	if (!rc) {
		dp->up = up;
		wg_device_set_up(dp->dev, up);
		dp_timer_update(dp);
	}
	dp_unlock(dp);
	return rc;
}

/* The kernel link goes down and up around the rename (IFF_UP refuses a new name), but
 * not the core device: wg_device_set_up(false) would reset every peer's sessions. */
int wg_dataplane_rename(struct wg_dataplane *dp, const char *new_name)
{
	char path[sizeof(dp->uapi_path)];
	if (strlen(new_name) >= sizeof(dp->ifname))
		return -ENAMETOOLONG;
	dp_lock(dp);
	int rc = dp->up ? wg_tun_set_up(&dp->q[0].tun, false) : 0;
	if (!rc)
		rc = wg_nl_link_rename(dp->ifname, new_name);
	if (!rc && dp->uapi_path[0]) {
		const char *slash = strrchr(dp->uapi_path, '/');
		int n = snprintf(path, sizeof(path), "%.*s/%s.sock", (int)(slash - dp->uapi_path), dp->uapi_path,
				 new_name);
		/* the listening socket moves with its path: `wg show NEW` finds it */
		if (n > 0 && (size_t)n < sizeof(path) && rename(dp->uapi_path, path) == 0)
			memcpy(dp->uapi_path, path, (size_t)n + 1);
	}
	if (!rc) {
		snprintf(dp->ifname, sizeof(dp->ifname), "%s", new_name);
		for (int i = 0; i < dp->nq; i++) /* the name every queue's ioctls use */
			snprintf(dp->q[i].tun.name, sizeof(dp->q[i].tun.name), "%s", new_name);
	}
	if (dp->up)
		wg_tun_set_up(&dp->q[0].tun, true);
	dp_unlock(dp);
	return rc;
}

int wg_dataplane_ifindex(const struct wg_dataplane *dp) { return dp->q[0].tun.ifindex; }
const char *wg_dataplane_ifname(const struct wg_dataplane *dp) { return dp->ifname; }
/* Under the lock: a UAPI client's listen_port replaces the sockets on its own thread. */
uint16_t wg_dataplane_listen_port(const struct wg_dataplane *dp)
{
	pthread_mutex_t *lock = (pthread_mutex_t *)&dp->lock;
	pthread_mutex_lock(lock);
	uint16_t port = wg_udp_port(&dp->q[0].udp);
	pthread_mutex_unlock(lock);
	return port;
}

int wg_dataplane_set_responder(struct wg_dataplane *dp, const uint8_t pub[WG_KEY_LEN], bool responder)
{
	dp_lock(dp);
	struct wg_peer *peer = wg_device_find_peer(dp->dev, pub);
	if (peer)
		wg_peer_set_responder(peer, responder);
	dp_unlock(dp);
	return peer ? 0 : -ENOENT;
}
