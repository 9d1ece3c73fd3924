/* libFuzzer harness for the packet and ICMP parsers of the tools (src/tools/pkt.c): the
 * first byte picks the family for wg_icmp_parse, the rest is the packet (an exact-size
 * copy, so ASan sees any read past it). Properties: a parsed header's transport offset
 * is past the fixed header; ports only when the transport header was there; an ICMP
 * message's kind agrees with its type; a quoted echo or UDP header is one the quoted
 * packet parses to on its own; the protocol name of every number parses back; a
 * captured frame of any of the link types quick reads decodes or is refused, never read
 * past; the sniffer's filter of the bytes as text (split in three at '|') is refused or
 * holds only the words and values it writes (nothing typed passes through). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <pcap/dlt.h>
#include "tools/pkt.h"
#include "tools/sniffer.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static void check_pkt(const uint8_t *p, size_t n)
{
	struct wg_pkt k;
	if (wg_pkt_parse(p, n, &k) < 0)
		return;
	size_t fixed = k.family == AF_INET ? 20 : 40;
	if (k.family != AF_INET && k.family != AF_INET6)
		FAIL("family %d", k.family);
	if (k.l4_off < fixed)
		FAIL("transport at %zu inside the fixed header", k.l4_off);
	if (k.has_ports && k.l4_off + 4 > n)
		FAIL("ports past the end (%zu of %zu)", k.l4_off, n);
}

static void check_icmp(int family, const uint8_t *p, size_t n)
{
	struct wg_icmp_msg m;
	if (wg_icmp_parse(family, p, n, &m) < 0)
		return;
	if (m.kind == WG_ICMP_ECHO_REPLY && m.type != (family == AF_INET ? 0 : 129))
		FAIL("echo reply of type %u", m.type);
	if (m.kind == WG_ICMP_TIME_EXCEEDED && m.type != (family == AF_INET ? 11 : 3))
		FAIL("time exceeded of type %u", m.type);
	if ((m.quotes_echo || m.quotes_udp) && m.kind == WG_ICMP_ECHO_REPLY)
		FAIL("an echo reply quoting a packet");
	if (m.quotes_echo && m.quotes_udp)
		FAIL("quotes both an echo and UDP");
}

static void check_decode(int which, const uint8_t *p, size_t n)
{
	static const int links[] = { DLT_LINUX_SLL2, DLT_LINUX_SLL, DLT_EN10MB, DLT_RAW };
	struct wg_sniff_pkt k;
	if (wg_sniff_decode(links[which & 3], p, n, &k) == 0 && k.ip && k.l3.family != AF_INET && k.l3.family != AF_INET6)
		FAIL("decoded IP of family %d", k.l3.family);
}

static void check_filter(const uint8_t *p, size_t n)
{
	char *text = malloc(n + 1), *parts[3] = { NULL, NULL, NULL }, out[1024], err[128];
	memcpy(text, p, n);
	text[n] = 0;
	parts[0] = text;
	for (int i = 1; i < 3 && parts[i - 1]; i++) {
		char *bar = strchr(parts[i - 1], '|');
		if (bar)
			*bar = 0;
		parts[i] = bar ? bar + 1 : NULL;
	}
	if (wg_sniff_filter(parts[0], parts[1], parts[2], out, sizeof(out), err, sizeof(err)) == 0)
		for (const char *c = out; *c; c++)
			if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789:./() ", *c))
				FAIL("filter %s holds %c", out, *c);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	int family = data[0] & 1 ? AF_INET6 : AF_INET;
	size_t n = size - 1;
	uint8_t *p = malloc(n ? n : 1);
	memcpy(p, data + 1, n);
	check_pkt(p, n);
	check_icmp(family, p, n);
	check_decode(data[0] >> 1, p, n);
	if (n < 512)
		check_filter(p, n);
	free(p);
	char buf[16];
	int v = wg_ip_proto_parse(wg_ip_proto_name(data[0], buf));
	if (v != data[0])
		FAIL("protocol %u named %s parses to %d", data[0], buf, v);
	return 0;
}

#include "standalone.h"
