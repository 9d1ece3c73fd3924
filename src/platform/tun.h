/* The TUN device, Linux: opened with IFF_VNET_HDR so the kernel can hand us TCP/UDP
 * super-packets of up to 64 KB (TSO/USO) and take them from us (GRO), which cuts the
 * number of system calls and trips through the kernel's stack per byte by up to 40x.
 *
 * The caller sees plain IP packets only: wg_tun_read_batch cuts super-packets and finishes
 * partial checksums (tso.c), wg_tun_write_batch merges what it can (gro.c). Buffers belong
 * to the caller; nothing is allocated per packet.
 *
 * The fd is non-blocking: wait for POLLIN on wg_tun_fd() and then read a batch. One thread
 * may read and another write at the same time; two readers need two queues
 * (WG_TUN_MULTI_QUEUE, one struct wg_tun each, opened with the same name). */
#ifndef WG_PLATFORM_TUN_H
#define WG_PLATFORM_TUN_H
#include <net/if.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "platform/tso.h"

/* One IP packet in a caller-owned buffer. */
struct wg_tun_pkt {
	uint8_t *data; /* read: where to put the packet (leave headroom before it yourself) */
	size_t len;    /* read: in = room at data, out = packet length; write: packet length */
};

enum wg_tun_flags {
	WG_TUN_MULTI_QUEUE = 1, /* IFF_MULTI_QUEUE: open the same name again for more queues */
	WG_TUN_NO_OFFLOAD = 2,  /* no TSO/USO/GRO: one plain packet per read and write */
};

struct wg_tun {
	int fd;
	int ifindex;
	char name[IFNAMSIZ];
	atomic_int mtu;        /* read path cuts TCP to fit; kept by wg_tun_set_mtu; the data
				* plane's link events change it while the read path runs */
	unsigned offloads;     /* TUN_F_* the kernel accepted */
	unsigned gro;          /* WG_GRO_* merges done on write */
	/* Read side: a super-packet may yield more segments than the caller had buffers for;
	 * the rest is handed out by the next call. */
	uint8_t *rx;           /* virtio header + up to 64 KB, allocated once at open */
	struct wg_tso rx_tso;
	unsigned rx_next;      /* next segment of rx_tso to hand out */
	/* Counters, for statistics and tests. */
	uint64_t rx_dropped;   /* malformed reads and segments that did not fit a buffer */
	uint64_t rx_gso;       /* reads cut into more than one packet */
	uint64_t tx_gro;       /* writes that carried more than one packet (relaxed atomic) */
};

/* Creates (or attaches to) TUN device `name` ("" or NULL: the kernel picks tunN), with
 * offloads probed from the most to the least capable set the kernel accepts. The device
 * disappears when its last fd closes, unless it was made persistent elsewhere. Returns 0
 * or -errno; t->name holds the real name. */
int wg_tun_open(struct wg_tun *t, const char *name, unsigned flags);
void wg_tun_close(struct wg_tun *t);
static inline int wg_tun_fd(const struct wg_tun *t) { return t->fd; }

int wg_tun_set_mtu(struct wg_tun *t, int mtu);
int wg_tun_get_mtu(struct wg_tun *t); /* from the kernel; also refreshes t->mtu */
int wg_tun_set_up(struct wg_tun *t, bool up);

/* Fills up to n packets. Reads until the device is empty (EAGAIN) or the buffers are
 * full, cutting super-packets into packets of at most the MTU. Returns the number of
 * packets (>= 1), -EAGAIN if there was nothing to read, or another -errno. */
int wg_tun_read_batch(struct wg_tun *t, struct wg_tun_pkt *pkts, int n);

/* Writes n IP packets, merging consecutive segments of a flow (see gro.h; the heads of
 * merged runs are rewritten in place). Every packet is attempted; returns 0, or the
 * -errno of the first write that failed. */
int wg_tun_write_batch(struct wg_tun *t, struct wg_tun_pkt *pkts, int n);
#endif
