/* libFuzzer harness for the ping reply parser (src/sys/echo.h, wg_echo_parse): what a
 * raw ICMP socket hands over. Input: byte 0 picks the family (low bit: IPv6) and the
 * hop limit a control message gave (the rest of the byte, 127 = none); bytes 1-2 the
 * identifier of our echo; then the datagram.
 * Properties, besides no crash, leak or undefined behaviour (reads stay inside the
 * datagram: ASan sees a copy of exactly its length):
 * - an answer is one of the four kinds, and only answers carry our identifier: a reply
 *   with it in its ICMP header, an error with it in the quoted request;
 * - an IPv4 answer's TTL is the IP header's, its size the header's total length; an
 *   IPv6 answer's size is the datagram plus the 40-byte header, its TTL the hop limit;
 * - the same datagram parsed for another identifier is not ours, unless it answers both
 *   (impossible: one identifier per datagram), so the parser never matches twice.
 * With -DFUZZ_STANDALONE it replays the files named on the command line. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sys/echo.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	int family = data[0] & 1 ? AF_INET6 : AF_INET;
	int hops = (data[0] >> 1) == 127 ? -1 : data[0] >> 1;
	uint16_t id = (uint16_t)(data[1] << 8 | data[2]);
	size_t len = size - 3;
	uint8_t *pkt = malloc(len ? len : 1);
	memcpy(pkt, data + 3, len);
	struct wg_echo_reply r, other;
	int rc = wg_echo_parse(family, pkt, len, id, hops, &r);
	if (rc != 0 && rc != 1)
		FAIL("rc %d", rc);
	if (rc) {
		if (r.kind < WG_ECHO_REPLY || r.kind > WG_ECHO_TTL_EXCEEDED)
			FAIL("kind %d", r.kind);
		if (family == AF_INET) {
			size_t hl = (size_t)(pkt[0] & 15) * 4;
			if (r.ttl != pkt[8] || r.size != (unsigned)(pkt[2] << 8 | pkt[3]))
				FAIL("ipv4 ttl/size");
			if (r.kind == WG_ECHO_REPLY && (pkt[hl + 4] << 8 | pkt[hl + 5]) != id)
				FAIL("a reply not carrying our id");
		} else {
			if (r.size != len + 40 || r.ttl != hops)
				FAIL("ipv6 size/hops");
			if (r.kind == WG_ECHO_REPLY && (pkt[4] << 8 | pkt[5]) != id)
				FAIL("a reply not carrying our id");
		}
		if (wg_echo_parse(family, pkt, len, (uint16_t)(id + 1), hops, &other))
			FAIL("one datagram answers two identifiers");
	}
	free(pkt);
	return 0;
}

#include "standalone.h"
