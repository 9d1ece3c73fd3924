/* sniffer quick (sniffer.h): a nonblocking pcap handle the console polls, on the "any"
 * device in Linux's cooked format (DLT_LINUX_SLL2) so that every packet says its
 * interface and direction (an ethernet device offers no cooked format of its own), the
 * interface asked for kept by its index; and the decoding of a captured frame. */
#include <net/if.h>
#include <pcap/pcap.h>
#include <pcap/sll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tools/pkt.h"
#include "tools/sniffer.h"
#include "util/alloc.h"

struct wg_sniff_live {
	pcap_t *pc;
	int link;
	unsigned ifindex;         /* only this interface's packets (0: every one) */
};

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Where the network header starts, the ethertype, interface and direction. */
static int link_header(int link, const uint8_t *d, size_t n, struct wg_sniff_pkt *o, size_t *off)
{
	if (link == DLT_LINUX_SLL2 && n >= 20) {
		o->eth = be16(d);
		uint32_t idx = (uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7];
		char name[IF_NAMESIZE];
		if (if_indextoname(idx, name))
			snprintf(o->iface, sizeof(o->iface), "%s", name);
		o->dir = d[10] == 4 ? 2 : 1;
		*off = 20;
	} else if (link == DLT_LINUX_SLL && n >= 16) {
		o->eth = be16(d + 14);
		o->dir = be16(d) == 4 ? 2 : 1;
		*off = 16;
	} else if (link == DLT_EN10MB && n >= 14) {
		o->eth = be16(d + 12);
		*off = 14;
		if (o->eth == 0x8100 && n >= 18) { /* one VLAN tag */
			o->eth = be16(d + 16);
			*off = 18;
		}
	} else if (link == DLT_RAW || link == DLT_IPV4 || link == DLT_IPV6) {
		o->eth = n && (d[0] >> 4) == 6 ? 0x86dd : 0x0800;
		*off = 0;
	} else {
		return -1;
	}
	return 0;
}

int wg_sniff_decode(int link, const uint8_t *data, size_t caplen, struct wg_sniff_pkt *out)
{
	size_t off = 0;
	memset(out, 0, sizeof(*out));
	if (link_header(link, data, caplen, out, &off) < 0)
		return -1;
	struct wg_pkt k;
	if ((out->eth == 0x0800 || out->eth == 0x86dd) && wg_pkt_parse(data + off, caplen - off, &k) == 0) {
		out->ip = true;
		out->l3 = k;
	}
	return 0;
}

int wg_sniff_live_open(struct wg_sniff_live **out, const char *iface, const char *filter, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	const char *dev = iface && *iface ? iface : "any";
	unsigned ifindex = iface && *iface ? if_nametoindex(iface) : 0;
	if (iface && *iface && !ifindex) {
		snprintf(err, errlen, "no such interface (%s)", iface);
		return -1;
	}
	pcap_t *pc = pcap_create("any", ebuf);
	struct bpf_program prog;
	if (pc) {
		pcap_set_snaplen(pc, 256);
		pcap_set_immediate_mode(pc, 1);
	}
	if (pc && pcap_activate(pc) < 0)
		snprintf(ebuf, sizeof(ebuf), "%s", pcap_geterr(pc));
	else if (pc && pcap_set_datalink(pc, DLT_LINUX_SLL2) < 0)
		snprintf(ebuf, sizeof(ebuf), "no cooked capture (DLT_LINUX_SLL2)");
	if (pc && !ebuf[0] && filter && *filter &&
	    (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(pc, &prog) < 0))
		snprintf(ebuf, sizeof(ebuf), "%s", pcap_geterr(pc));
	else if (pc && !ebuf[0] && filter && *filter)
		pcap_freecode(&prog);
	if (pc && !ebuf[0])
		pcap_setnonblock(pc, 1, ebuf);
	if (!pc || ebuf[0]) {
		snprintf(err, errlen, "failure: cannot capture on %s (%s)", dev, ebuf);
		if (pc)
			pcap_close(pc);
		return -1;
	}
	struct wg_sniff_live *l = xcalloc(1, sizeof(*l));
	l->pc = pc;
	l->link = pcap_datalink(pc);
	l->ifindex = ifindex;
	*out = l;
	return 0;
}

int wg_sniff_live_fd(struct wg_sniff_live *l) { return pcap_get_selectable_fd(l->pc); }

int wg_sniff_live_next(struct wg_sniff_live *l, struct wg_sniff_pkt *out)
{
	struct pcap_pkthdr *h;
	const uint8_t *d;
	for (;;) {
		int rc = pcap_next_ex(l->pc, &h, &d);
		if (rc != 1)
			return rc == 0 ? 0 : -1;
		if (l->ifindex && (h->caplen < 8 || ((uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7]) != l->ifindex))
			continue; /* another interface's */
		if (wg_sniff_decode(l->link, d, h->caplen, out) == 0)
			break; /* a frame too short for its header is skipped */
	}
	out->len = h->len > 20 ? h->len - 20 : 0; /* the IP packet, without the cooked header */
	out->time = (double)h->ts.tv_sec + h->ts.tv_usec / 1e6;
	return 1;
}

void wg_sniff_live_close(struct wg_sniff_live *l)
{
	if (!l)
		return;
	pcap_close(l->pc);
	free(l);
}
