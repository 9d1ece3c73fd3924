/* libFuzzer harness for the packet and ICMP parsers of the tools (src/tools/pkt.c): the
 * first byte picks the family for wg_icmp_parse, the rest is the packet (an exact-size
 * copy, so ASan sees any read past it). Properties: a parsed header's transport offset
 * is past the fixed header; ports only when the transport header was there; an ICMP
 * message's kind agrees with its type; a quoted echo or UDP header is one the quoted
 * packet parses to on its own; the protocol name of every number parses back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "tools/pkt.h"

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
	free(p);
	char buf[16];
	int v = wg_ip_proto_parse(wg_ip_proto_name(data[0], buf));
	if (v != data[0])
		FAIL("protocol %u named %s parses to %d", data[0], buf, v);
	return 0;
}

#include "standalone.h"
