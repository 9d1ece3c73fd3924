/* Headers of an IP packet as tools read them off the wire (torch's flows, traceroute's
 * ICMP replies, the sniffer's lines): pure code over a byte buffer, no sockets, so a
 * fuzzer drives it. Every read is bounded by the length given; a truncated header is
 * refused, a truncated payload is not (captures keep only the first bytes). */
#ifndef WG_TOOLS_PKT_H
#define WG_TOOLS_PKT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct wg_pkt {
	int family;           /* AF_INET or AF_INET6 */
	uint8_t src[16], dst[16];
	uint8_t proto;        /* IP protocol (after IPv6 extension headers) */
	uint8_t ttl;          /* TTL / hop limit */
	uint16_t sport, dport;/* TCP/UDP/SCTP ports (host order), 0 otherwise */
	uint8_t icmp_type, icmp_code; /* ICMP/ICMPv6 */
	uint16_t icmp_id, icmp_seq;   /* echo request/reply */
	uint32_t total_len;   /* the IP header's length field (IPv6: payload + 40) */
	size_t l4_off;        /* where the transport header starts */
	bool has_ports;       /* the transport header was long enough for ports */
};

/* Parses an IPv4 or IPv6 header (version from the first nibble) and the ports or ICMP
 * fields after it. 0, or -1 when the bytes are no IP header. */
int wg_pkt_parse(const uint8_t *p, size_t len, struct wg_pkt *out);

/* What an ICMP/ICMPv6 message tells a traceroute. */
enum wg_icmp_kind {
	WG_ICMP_OTHER = 0,    /* not for a traceroute */
	WG_ICMP_ECHO_REPLY,   /* the target answered an echo */
	WG_ICMP_TIME_EXCEEDED,/* a router on the way: TTL ran out */
	WG_ICMP_UNREACH,      /* destination unreachable (port unreachable: the target) */
	WG_ICMP_TOO_BIG,      /* fragmentation needed / packet too big */
};

struct wg_icmp_msg {
	enum wg_icmp_kind kind;
	uint8_t type, code;
	uint16_t id, seq;     /* echo reply: its own; an error: the echo it quotes */
	bool quotes_echo;     /* the error quotes an echo request (id/seq valid) */
	bool quotes_udp;      /* the error quotes a UDP datagram (sport/dport valid) */
	uint16_t sport, dport;
	uint8_t inner_dst[16];/* the quoted packet's destination */
};

/* An ICMP message as a raw socket hands it: IPv4 with its IP header in front (family
 * AF_INET), ICMPv6 without (AF_INET6). 0, or -1 when it is not an ICMP message. */
int wg_icmp_parse(int family, const uint8_t *p, size_t len, struct wg_icmp_msg *out);

/* The Internet checksum (RFC 1071) of n bytes, as it goes into the header. */
uint16_t wg_inet_csum(const uint8_t *p, size_t n);

/* "tcp", "udp", "icmp", "ipv6-icmp", "gre", ... or the number, into buf (16 bytes). */
const char *wg_ip_proto_name(uint8_t proto, char *buf);
/* The number of a protocol name or number; -1 when unknown. */
int wg_ip_proto_parse(const char *name);
/* The socket address of a (4 or 16 bytes of family) and port, for connect/sendto/bind. */
socklen_t wg_pkt_sockaddr(int family, const uint8_t *a, uint16_t port, struct sockaddr_storage *ss);
#endif
