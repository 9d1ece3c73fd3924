/* Read side of the TUN offloads: turns what one TUN read returned (a virtio_net_hdr and a
 * packet) into plain IP packets the crypto layer can encrypt one by one.
 *
 * With TSO/USO offered to the kernel, a read may return a TCP or UDP "super-packet" of up
 * to 64 KB plus a header saying how to cut it (gso_type, gso_size); any packet may also
 * carry only a partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM) that the NIC would have
 * finished. Here we do in software what the NIC would: cut, fix each segment's IP length,
 * IPv4 ID and header checksum, TCP sequence number and flags, and compute the TCP/UDP
 * checksum in full.
 *
 * Segments are addressed by index and computed independently, so a caller with fewer free
 * buffers than segments can stop and resume later. No allocation, no system calls. */
#ifndef WG_PLATFORM_TSO_H
#define WG_PLATFORM_TSO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/virtio_net.h>

/* A parsed packet, ready to be cut. Points into the caller's packet, which must stay
 * unchanged until the last segment is taken. */
struct wg_tso {
	const uint8_t *pkt;
	size_t len;
	uint16_t l4off;        /* start of the TCP/UDP header */
	uint16_t hdrlen;       /* IP + TCP/UDP header bytes repeated in every segment */
	uint16_t seg;          /* payload bytes per segment; the last may be shorter */
	uint16_t nsegs;        /* 1 for a packet that needs no cutting */
	uint8_t gso;           /* VIRTIO_NET_HDR_GSO_NONE, _TCPV4, _TCPV6 or _UDP_L4 */
	bool v6;
	bool needs_csum;       /* complete the checksum at csum_start + csum_offset */
	uint16_t csum_start, csum_offset;
	/* GSO: what every segment's TCP/UDP checksum shares, summed once per super-packet:
	 * the pseudo-header's addresses and protocol and the L4 header but for the fields
	 * that differ per segment (the TCP sequence number and flags, the UDP length, the
	 * pseudo-header's length, the checksum itself). */
	uint64_t shared_sum;
	uint64_t ip_sum;       /* the same for the IPv4 header (not length, ID, checksum) */
};

/* Parses pkt (len bytes, the data after the virtio header vh). TCP segments are made
 * smaller than gso_size if needed so no packet exceeds max_pkt bytes (the MTU); UDP
 * datagrams cannot be resized and keep gso_size. Returns 0, or -EINVAL for a header or
 * packet that does not make sense (the caller drops it). */
int wg_tso_prepare(struct wg_tso *s, const struct virtio_net_hdr *vh, const uint8_t *pkt,
		   size_t len, size_t max_pkt);

/* Writes segment i (< s->nsegs) as a complete IP packet with valid checksums into out,
 * which has room for cap bytes. Returns its length, -EMSGSIZE if it does not fit, or
 * -EINVAL if there is no segment i. */
ssize_t wg_tso_segment(const struct wg_tso *s, unsigned i, uint8_t *out, size_t cap);
#endif
