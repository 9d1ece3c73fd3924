/* Write side of the TUN offloads: before a batch of decrypted packets goes to the kernel,
 * consecutive TCP segments (and, where the kernel takes USO, UDP datagrams) of one flow
 * are merged into one "super-packet" with a virtio_net_hdr that tells the kernel how to
 * cut it again. One write and one trip through the kernel's stack then carries up to
 * 64 KB: this is the largest single win on the receive path of a tunnel.
 *
 * The merge is planned, not copied: a unit names a head packet and a chain of packets
 * whose payloads follow it, and the writer hands them to writev as separate iovecs.
 * Packets of one flow keep their order; units of different flows are written in the
 * order of their first packet. The rules follow the kernel's own GRO (tcp_gro_receive)
 * and wireguard-go's tun/offload_linux.go: same addresses, ports, IP header fields, ACK
 * number, window and TCP options; contiguous sequence numbers; flags ACK only, PSH allowed
 * on the last; equal payload sizes, only the last may be shorter; a valid IPv4 header
 * checksum. TCP/UDP checksums are not verified: the AEAD already proved the packet intact
 * (see ip_csum_ok in gro.c). */
#ifndef WG_PLATFORM_GRO_H
#define WG_PLATFORM_GRO_H
#include <stdint.h>
#include <linux/virtio_net.h>
#include "platform/tun.h"

enum { WG_GRO_MAX = 128 }; /* packets per plan */
enum { WG_GRO_TCP = 1, WG_GRO_UDP = 2 };

/* One write to the TUN device: vnet, then packet `head` whole, then for every packet
 * chained after it by next[] its payload only (its first vnet.hdr_len bytes skipped). */
struct wg_gro_unit {
	struct virtio_net_hdr vnet; /* all zero for a packet written as it is */
	int16_t head;
	int16_t count;              /* packets in this write */
};

struct wg_gro {
	int nunits;
	struct wg_gro_unit unit[WG_GRO_MAX];
	int16_t next[WG_GRO_MAX];   /* packet whose payload follows packet i, or -1 */
};

/* Plans the write of pkts[0..n) (n <= WG_GRO_MAX), merging what `flags` allows. For each
 * unit of more than one packet it rewrites the head packet in place: IP length, IPv4
 * header checksum, TCP PSH flag, UDP length, and the L4 checksum field (set to the
 * pseudo-header sum the kernel expects with NEEDS_CSUM). Other packets are not changed.
 * Returns the number of units. */
int wg_gro_plan(struct wg_gro *g, struct wg_tun_pkt *pkts, int n, unsigned flags);
#endif
