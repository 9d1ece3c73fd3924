#include "platform/tun.h"
#include "platform/gro.h"
#include "platform/vnet.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* The largest read: the kernel's TUN GSO limit is 64 KB of IP packet. */
enum { RX_CAP = WG_VNET_HDR_LEN + 65536 };

/* Offload sets from most to least capable; each kernel takes the first it understands.
 * USO (UDP segmentation) came in 6.2; TSO_ECN lets ECN-marked TCP flows be offloaded too
 * (tso.c puts CWR on the first segment only). */
static const struct { unsigned offloads, gro; } offload_tries[] = {
	{ TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | TUN_F_USO6,
	  WG_GRO_TCP | WG_GRO_UDP },
	{ TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN, WG_GRO_TCP },
	{ TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, WG_GRO_TCP },
};

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0); /* a host without IPv4 */
	if (s < 0)
		return -errno;
	int err = ioctl(s, req, ifr) < 0 ? -errno : 0;
	close(s);
	return err;
}

static void ifreq_init(const struct wg_tun *t, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	memcpy(ifr->ifr_name, t->name, IFNAMSIZ);
}

static void probe_offloads(struct wg_tun *t, unsigned flags)
{
	if (flags & WG_TUN_NO_OFFLOAD) {
		ioctl(t->fd, TUNSETOFFLOAD, 0UL);
		return;
	}
	for (size_t i = 0; i < sizeof(offload_tries) / sizeof(offload_tries[0]); i++) {
		if (ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)offload_tries[i].offloads) == 0) {
			t->offloads = offload_tries[i].offloads;
			t->gro = offload_tries[i].gro;
			return;
		}
	}
}

static int create(struct wg_tun *t, const char *name, unsigned flags)
{
	struct ifreq ifr = { 0 };
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	if (flags & WG_TUN_MULTI_QUEUE)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (name && strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	if (name)
		strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	t->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (t->fd < 0)
		return -errno;
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0)
		return -errno;
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	t->name[IFNAMSIZ - 1] = 0;
	int hdrsz = WG_VNET_HDR_LEN;
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdrsz) < 0)
		return -errno;
	probe_offloads(t, flags);
	return 0;
}

int wg_tun_open(struct wg_tun *t, const char *name, unsigned flags)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->rx = malloc(RX_CAP);
	if (!t->rx)
		return -ENOMEM;
	int err = create(t, name, flags);
	struct ifreq ifr;
	ifreq_init(t, &ifr);
	if (!err && !(err = ifreq_ioctl(SIOCGIFINDEX, &ifr)))
		t->ifindex = ifr.ifr_ifindex;
	if (!err) {
		int mtu = wg_tun_get_mtu(t);
		err = mtu < 0 ? mtu : 0;
	}
	if (err)
		wg_tun_close(t);
	return err;
}

void wg_tun_close(struct wg_tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	free(t->rx);
	t->fd = -1;
	t->rx = NULL;
}

int wg_tun_get_mtu(struct wg_tun *t)
{
	struct ifreq ifr;
	ifreq_init(t, &ifr);
	int err = ifreq_ioctl(SIOCGIFMTU, &ifr);
	if (err)
		return err;
	t->mtu = ifr.ifr_mtu;
	return t->mtu;
}

int wg_tun_set_mtu(struct wg_tun *t, int mtu)
{
	struct ifreq ifr;
	ifreq_init(t, &ifr);
	ifr.ifr_mtu = mtu;
	int err = ifreq_ioctl(SIOCSIFMTU, &ifr);
	if (!err)
		t->mtu = mtu;
	return err;
}

int wg_tun_set_up(struct wg_tun *t, bool up)
{
	struct ifreq ifr;
	ifreq_init(t, &ifr);
	int err = ifreq_ioctl(SIOCGIFFLAGS, &ifr);
	if (err)
		return err;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return ifreq_ioctl(SIOCSIFFLAGS, &ifr);
}

/* Hands out the pending segments of the last super-packet read. A segment too big for
 * the caller's buffer is dropped, as a NIC drops a frame larger than its ring buffers. */
static int hand_out(struct wg_tun *t, struct wg_tun_pkt *pkts, int n)
{
	int k = 0;
	while (k < n && t->rx_next < t->rx_tso.nsegs) {
		ssize_t len = wg_tso_segment(&t->rx_tso, t->rx_next++, pkts[k].data, pkts[k].len);
		if (len < 0) {
			t->rx_dropped++;
			continue;
		}
		pkts[k++].len = (size_t)len;
	}
	return k;
}

/* One read from the device into t->rx. Returns 0 (maybe with nothing pending, if the
 * packet was dropped) or -errno. */
static int read_one(struct wg_tun *t)
{
	ssize_t r;
	do
		r = read(t->fd, t->rx, RX_CAP);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -EIO; /* the queue was detached: never a real packet */
	t->rx_next = 0;
	t->rx_tso.nsegs = 0;
	struct virtio_net_hdr vh;
	if ((size_t)r <= WG_VNET_HDR_LEN) {
		t->rx_dropped++;
		return 0;
	}
	memcpy(&vh, t->rx, sizeof(vh));
	if (wg_tso_prepare(&t->rx_tso, &vh, t->rx + WG_VNET_HDR_LEN, (size_t)r - WG_VNET_HDR_LEN,
			   t->mtu > 0 ? (size_t)t->mtu : 0)) {
		t->rx_tso.nsegs = 0;
		t->rx_dropped++;
	} else if (t->rx_tso.nsegs > 1) {
		t->rx_gso++;
	}
	return 0;
}

int wg_tun_read_batch(struct wg_tun *t, struct wg_tun_pkt *pkts, int n)
{
	int got = 0;
	while (got < n) {
		if (t->rx_next < t->rx_tso.nsegs) {
			got += hand_out(t, pkts + got, n - got);
			continue;
		}
		int err = read_one(t);
		if (err)
			return got ? got : err;
	}
	return got;
}

static int write_unit(int fd, const struct wg_gro *g, const struct wg_gro_unit *u,
		      const struct wg_tun_pkt *pkts)
{
	struct iovec iov[WG_GRO_MAX + 1];
	const struct wg_tun_pkt *h = &pkts[u->head];
	size_t hl = u->vnet.hdr_len;
	int k = 0;
	iov[k++] = (struct iovec){ (void *)&u->vnet, sizeof(u->vnet) };
	iov[k++] = (struct iovec){ h->data, h->len };
	for (int j = g->next[u->head]; j >= 0; j = g->next[j])
		iov[k++] = (struct iovec){ pkts[j].data + hl, pkts[j].len - hl };
	ssize_t r;
	do
		r = writev(fd, iov, k);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

int wg_tun_write_batch(struct wg_tun *t, struct wg_tun_pkt *pkts, int n)
{
	struct wg_gro g;
	int first_err = 0;
	for (int off = 0; off < n; off += WG_GRO_MAX) {
		int m = n - off < WG_GRO_MAX ? n - off : WG_GRO_MAX;
		int units = wg_gro_plan(&g, pkts + off, m, t->gro);
		for (int k = 0; k < units; k++) {
			int err = write_unit(t->fd, &g, &g.unit[k], pkts + off);
			if (err && !first_err)
				first_err = err;
			if (!err && g.unit[k].count > 1)
				__atomic_fetch_add(&t->tx_gro, 1, __ATOMIC_RELAXED);
		}
	}
	return first_err;
}
