/* The virtio_net_hdr that prefixes every TUN read and write when IFF_VNET_HDR is on, the
 * constants newer than the build host's kernel headers, and the IP/TCP/UDP field offsets
 * the offload code touches. Shared by tun.c, tso.c and gro.c only. */
#ifndef WG_PLATFORM_VNET_H
#define WG_PLATFORM_VNET_H
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdint.h>
#include <string.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* Linux 4.18 virtio, accepted by TUN since 6.2 */
#endif
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

/* The header is read and written in host byte order: TUN's default for legacy virtio. */
enum { WG_VNET_HDR_LEN = sizeof(struct virtio_net_hdr) };

enum {
	IP4_HDR_MIN = 20,
	IP6_HDR_LEN = 40,
	TCP_HDR_MIN = 20,
	UDP_HDR_LEN = 8,
	IP4_TOTLEN = 2, IP4_ID = 4, IP4_FRAG = 6, IP4_TTL = 8, IP4_PROTO = 9, IP4_CSUM = 10,
	IP4_SRC = 12, IP4_DST = 16,
	IP6_PLEN = 4, IP6_NEXT = 6, IP6_HOPS = 7, IP6_SRC = 8, IP6_DST = 24,
	TCP_SEQ = 4, TCP_ACK = 8, TCP_DOFF = 12, TCP_FLAGS = 13, TCP_WIN = 14, TCP_CSUM = 16,
	TCP_URP = 18,
	UDP_LEN = 4, UDP_CSUM = 6,
};

enum {
	WG_TH_FIN = 0x01, WG_TH_SYN = 0x02, WG_TH_RST = 0x04, WG_TH_PSH = 0x08,
	WG_TH_ACK = 0x10, WG_TH_URG = 0x20, WG_TH_ECE = 0x40, WG_TH_CWR = 0x80,
};

enum { IP4_DF = 0x4000, IP4_MF = 0x2000, IP4_OFFMASK = 0x1fff };

/* Big-endian header fields at any alignment. */
static inline uint16_t wg_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t wg_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wg_put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static inline void wg_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
/* A folded checksum is in memory order (see csum.h): stored as is, never byte-swapped. */
static inline void wg_put_csum(uint8_t *p, uint16_t c) { memcpy(p, &c, 2); }
#endif
