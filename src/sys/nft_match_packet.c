/* Matchers on the packet itself: ttl / hop-limit, packet-size, dscp, tcp-mss, address
 * types, packet-mark, routing-mark, src-mac-address, random, nth. Each writes one nft
 * expression with a trailing space, or refuses the value with RouterOS's message. */
#include "sys/nft_internal.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal number 0..max filling [s, s+len). */
static bool number(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	char buf[16], *end;
	if (!len || len >= sizeof(buf) || !isdigit((unsigned char)s[0]))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*out = strtoul(buf, &end, 10);
	return !*end && *out <= max;
}

/* "N" or "N-M" (N <= M) up to max, as nft writes it. */
static bool range_text(const char *v, unsigned long max, char *out, size_t n)
{
	const char *dash = strchr(v, '-');
	unsigned long a, b;
	if (!dash && number(v, strlen(v), max, &a)) {
		snprintf(out, n, "%lu", a);
		return true;
	}
	if (dash && number(v, (size_t)(dash - v), max, &a) && number(dash + 1, strlen(dash + 1), max, &b) && a <= b) {
		snprintf(out, n, "%lu-%lu", a, b);
		return true;
	}
	return false;
}

/* ttl=equal:64 / not-equal: / less-than: / greater-than: (RouterOS v7 syntax). */
static int m_ttl(struct nftc_rule *fr, const char *key, const char *field)
{
	static const char *const ops[][2] = {
		{ "equal:", "" }, { "not-equal:", "!= " }, { "less-than:", "< " }, { "greater-than:", "> " },
	};
	const char *v = nftc_prop(fr->r, key);
	if (!v)
		return 0;
	bool v6 = fr->c->fam == WG_FW_IPV6;
	if (v6 != !strcmp(key, "hop-limit"))
		return nftc_err(fr->c, "%s is not an %s field: use %s", key, v6 ? "IPv6" : "IPv4",
				v6 ? "hop-limit" : "ttl");
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i][0]);
		unsigned long n;
		if (!strncmp(v, ops[i][0], l) && number(v + l, strlen(v + l), 255, &n)) {
			sb_printf(fr->out, "%s %s%lu ", field, ops[i][1], n);
			return 0;
		}
	}
	return nftc_bad(fr->c, key, v);
}

/* A numeric matcher with optional ! and a range: packet-size, dscp, tcp-mss. */
static int m_range(struct nftc_rule *fr, const char *key, unsigned long max, const char *field)
{
	const char *v = nftc_prop(fr->r, key), *orig = v;
	char text[32];
	if (!v)
		return 0;
	bool neg = nftc_negated(&v);
	if (!range_text(v, max, text, sizeof(text)))
		return nftc_bad(fr->c, key, orig);
	sb_printf(fr->out, "%s %s%s ", field, neg ? "!= " : "", text);
	return 0;
}

static int m_tcp_mss(struct nftc_rule *fr)
{
	if (nftc_prop(fr->r, "tcp-mss") && fr->proto != 6)
		return nftc_err(fr->c, "tcp-mss needs protocol=tcp");
	return m_range(fr, "tcp-mss", 65535, "tcp option maxseg size");
}

/* The kernel's fib lookup answers "what kind of address is this"; it runs before
 * routing only, so it is refused where nft would refuse it (after routing). */
static int m_addr_type(struct nftc_rule *fr, const char *key, const char *field)
{
	static const char *const types[] = { "unicast", "local", "broadcast", "multicast", NULL };
	const char *v = nftc_prop(fr->r, key), *orig = v;
	if (!v)
		return 0;
	bool neg = nftc_negated(&v);
	size_t i = 0;
	while (types[i] && strcmp(types[i], v))
		i++;
	if (!types[i])
		return nftc_bad(fr->c, key, orig);
	if (!strcmp(fr->chain, "srcnat") || !strcmp(fr->chain, "postrouting"))
		return nftc_err(fr->c, "%s cannot be matched in chain %s: Linux looks address types up "
				"only before routing", key, fr->chain);
	sb_printf(fr->out, "fib %s type %s%s ", field, neg ? "!= " : "", types[i]);
	return 0;
}

/* packet-mark=NAME | no-mark, routing-mark=TABLE: masked parts of the one Linux mark. */
static int m_packet_mark(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "packet-mark");
	uint32_t mark = 0;
	if (!v)
		return 0;
	bool neg = nftc_negated(&v);
	if (strcmp(v, "no-mark") && nftc_packet_mark(fr, "packet-mark", v, &mark) < 0)
		return -EINVAL;
	sb_printf(fr->out, "meta mark & 0xffff0000 %s0x%x ", neg ? "!= " : "", mark);
	return 0;
}

static int m_routing_mark(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "routing-mark");
	uint32_t mark;
	if (!v)
		return 0;
	bool neg = nftc_negated(&v);
	if (nftc_route_mark(fr, "routing-mark", v, &mark) < 0)
		return -EINVAL;
	sb_printf(fr->out, "meta mark & 0x%x %s0x%x ", NFTC_ROUTE_MASK, neg ? "!= " : "", mark);
	return 0;
}

static int m_mac(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "src-mac-address"), *orig = v;
	unsigned b[6];
	char extra;
	if (!v)
		return 0;
	bool neg = nftc_negated(&v);
	if (strlen(v) != 17 || sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
				      &b[5], &extra) != 6 || strspn(v, "0123456789abcdefABCDEF:") != 17)
		return nftc_bad(fr->c, "src-mac-address", orig);
	sb_printf(fr->out, "ether saddr %s%02x:%02x:%02x:%02x:%02x:%02x ", neg ? "!= " : "",
		  b[0], b[1], b[2], b[3], b[4], b[5]);
	return 0;
}

/* random=1..99: the percentage of packets that match. */
static int m_random(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "random");
	unsigned long n;
	if (!v)
		return 0;
	if (!number(v, strlen(v), 99, &n) || !n)
		return nftc_bad(fr->c, "random", v);
	sb_printf(fr->out, "numgen random mod 100 < %lu ", n);
	return 0;
}

/* nth=every,n: the n-th of every `every` packets reaching this rule (nft keeps the
 * counter in the rule, as RouterOS does). */
static int m_nth(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "nth");
	unsigned long every, n;
	if (!v)
		return 0;
	const char *comma = strchr(v, ',');
	if (!comma || !number(v, (size_t)(comma - v), 65535, &every) ||
	    !number(comma + 1, strlen(comma + 1), 65535, &n) || !n || n > every)
		return nftc_bad(fr->c, "nth", v);
	sb_printf(fr->out, "numgen inc mod %lu %lu ", every, n - 1);
	return 0;
}

int nftc_match_packet(struct nftc_rule *fr)
{
	const char *fam = nftc_family_name(fr->c->fam);
	char dscp[16];
	snprintf(dscp, sizeof(dscp), "%s dscp", fam);
	int ret;
	if ((ret = m_ttl(fr, "ttl", "ip ttl")) < 0 ||
	    (ret = m_ttl(fr, "hop-limit", "ip6 hoplimit")) < 0 ||
	    (ret = m_range(fr, "packet-size", 65535, "meta length")) < 0 ||
	    (ret = m_range(fr, "dscp", 63, dscp)) < 0 ||
	    (ret = m_tcp_mss(fr)) < 0 ||
	    (ret = m_addr_type(fr, "src-address-type", "saddr")) < 0 ||
	    (ret = m_addr_type(fr, "dst-address-type", "daddr")) < 0 ||
	    (ret = m_packet_mark(fr)) < 0 ||
	    (ret = m_routing_mark(fr)) < 0 ||
	    (ret = m_mac(fr)) < 0 ||
	    (ret = m_random(fr)) < 0 ||
	    (ret = m_nth(fr)) < 0)
		return ret;
	return 0;
}
