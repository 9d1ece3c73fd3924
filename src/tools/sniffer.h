/* The packet sniffer: libpcap on one interface (or every one), in a thread of its own
 * until stopped, the packets kept in memory (the newest, up to memory-limit) and, when a
 * file is given, written to it as a pcap (mode 0600) until file-limit, where the capture
 * stops as RouterOS's does. The memory can be saved to a pcap afterwards. */
#ifndef WG_TOOLS_SNIFFER_H
#define WG_TOOLS_SNIFFER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tools/pkt.h"

struct wg_sniff_opts {
	const char *iface;        /* NULL or "": every interface ("any") */
	const char *filter;       /* BPF text (wg_sniff_filter), may be "" */
	const char *path;         /* the file, or NULL: memory only */
	uint64_t file_limit;      /* bytes */
	uint64_t mem_limit;       /* bytes */
};

struct wg_sniff_stats {
	bool running;
	bool file_full;           /* stopped at file-limit */
	uint64_t packets, bytes;  /* captured */
	uint64_t file_bytes;
	size_t mem_packets;
};

struct wg_sniffer;
int wg_sniffer_start(struct wg_sniffer **out, const struct wg_sniff_opts *o, char *err, size_t errlen);
/* Ends the capture (the file closed); the packets in memory stay for save. */
void wg_sniffer_halt(struct wg_sniffer *s);
void wg_sniffer_free(struct wg_sniffer *s);
void wg_sniffer_stats(struct wg_sniffer *s, struct wg_sniff_stats *out);
/* Writes the packets in memory to path as a pcap (0600). -1 with err. */
int wg_sniffer_save(struct wg_sniffer *s, const char *path, char *err, size_t errlen);

/* The BPF filter of RouterOS's filter-ip-address (prefixes), filter-port (numbers) and
 * filter-ip-protocol (names or numbers), each a comma list (NULL or "": any), into buf.
 * -1 with err naming the argument when a value is not one of these. */
int wg_sniff_filter(const char *addrs, const char *ports, const char *protos, char *buf, size_t len, char *err,
		    size_t errlen);
#endif

/* ---- sniffer quick: packets one at a time for a console ---- */
struct wg_sniff_pkt {
	char iface[16];           /* "" when the capture does not say */
	int dir;                  /* 1: received, 2: sent, 0: unknown */
	uint16_t eth;             /* ethertype */
	bool ip;                  /* pkt below is parsed */
	struct wg_pkt l3;         /* the IP header, when ip */
	uint32_t len;             /* the network-layer packet's length */
	double time;              /* seconds since the epoch */
};
/* A captured frame of link type link (DLT_*) as a line's fields. -1 when it is too
 * short for its link header. */
int wg_sniff_decode(int link, const uint8_t *data, size_t caplen, struct wg_sniff_pkt *out);

struct wg_sniff_live;
int wg_sniff_live_open(struct wg_sniff_live **out, const char *iface, const char *filter, char *err, size_t errlen);
int wg_sniff_live_fd(struct wg_sniff_live *l);
/* 1 with the next packet, 0 when none waits, -1 when the capture failed. */
int wg_sniff_live_next(struct wg_sniff_live *l, struct wg_sniff_pkt *out);
void wg_sniff_live_close(struct wg_sniff_live *l);
