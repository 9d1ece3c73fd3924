/* The actions that change a packet or its connection instead of deciding its fate:
 * mark-routing, mark-packet, mark-connection, change-mss, change-ttl, change-dscp
 * (mangle) and notrack (raw). passthrough=no ends the chain after the change, which is
 * nft's accept in a mangle chain: later base chains (filter) still see the packet. */
#include "sys/nft_internal.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nftc_passthrough(struct nftc_rule *fr, const char **tail)
{
	const char *pt = nftc_prop(fr->r, "passthrough");
	bool on = true;
	if (pt && !nftc_bool(pt, &on))
		return nftc_bad(fr->c, "passthrough", pt);
	*tail = on ? "" : " accept";
	return 0;
}

int nftc_a_mark_routing(struct nftc_rule *fr)
{
	const char *tail;
	uint32_t mark;
	if (!nftc_prop(fr->r, "new-routing-mark"))
		return nftc_err(fr->c, "action=mark-routing needs new-routing-mark");
	if (nftc_route_mark(fr, "new-routing-mark", nftc_prop(fr->r, "new-routing-mark"), &mark) < 0 ||
	    nftc_passthrough(fr, &tail) < 0)
		return -EINVAL;
	sb_printf(fr->out, "meta mark set meta mark & 0xffff0000 | 0x%x%s", mark, tail);
	return 0;
}

int nftc_a_mark_packet(struct nftc_rule *fr)
{
	const char *tail, *name = nftc_prop(fr->r, "new-packet-mark");
	uint32_t mark = 0;
	if (!name)
		return nftc_err(fr->c, "action=mark-packet needs new-packet-mark");
	if ((strcmp(name, "no-mark") && nftc_packet_mark(fr, "new-packet-mark", name, &mark) < 0) ||
	    nftc_passthrough(fr, &tail) < 0)
		return -EINVAL;
	sb_printf(fr->out, "meta mark set meta mark & 0x%x | 0x%x%s", NFTC_ROUTE_MASK, mark, tail);
	return 0;
}

int nftc_a_mark_connection(struct nftc_rule *fr)
{
	const char *tail, *name = nftc_prop(fr->r, "new-connection-mark");
	uint32_t mark = 0;
	if (!name)
		return nftc_err(fr->c, "action=mark-connection needs new-connection-mark");
	if ((strcmp(name, "no-mark") && nftc_conn_mark(fr, "new-connection-mark", name, &mark) < 0) ||
	    nftc_passthrough(fr, &tail) < 0)
		return -EINVAL;
	sb_printf(fr->out, "ct mark set 0x%x%s", mark, tail);
	return 0;
}

/* new-mss=N or clamp-to-pmtu (the route's MTU minus headers, as the kernel computes). */
int nftc_a_change_mss(struct nftc_rule *fr)
{
	const char *tail, *v = nftc_prop(fr->r, "new-mss");
	char *end;
	if (fr->proto != 6)
		return nftc_err(fr->c, "action=change-mss needs protocol=tcp");
	if (!v)
		return nftc_err(fr->c, "action=change-mss needs new-mss");
	if (nftc_passthrough(fr, &tail) < 0)
		return -EINVAL;
	if (!strcmp(v, "clamp-to-pmtu")) {
		sb_printf(fr->out, "tcp option maxseg size set rt mtu%s", tail);
		return 0;
	}
	unsigned long mss = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end || mss < 1 || mss > 65535)
		return nftc_bad(fr->c, "new-mss", v);
	sb_printf(fr->out, "tcp option maxseg size set %lu%s", mss, tail);
	return 0;
}

/* new-ttl=set:N. nft can write a constant but not add to the field, so
 * increment:/decrement: are refused rather than approximated. */
int nftc_a_change_ttl(struct nftc_rule *fr)
{
	const char *tail, *v = nftc_prop(fr->r, "new-ttl");
	char *end;
	if (!v)
		return nftc_err(fr->c, "action=change-ttl needs new-ttl");
	if (!strncmp(v, "increment:", 10) || !strncmp(v, "decrement:", 10))
		return nftc_err(fr->c, "new-ttl=%.9s is not supported: nftables can only set the TTL", v);
	unsigned long ttl = strncmp(v, "set:", 4) ? 256 : strtoul(v + 4, &end, 10);
	if (ttl > 255 || !isdigit((unsigned char)v[4]) || *end)
		return nftc_bad(fr->c, "new-ttl", v);
	if (nftc_passthrough(fr, &tail) < 0)
		return -EINVAL;
	sb_printf(fr->out, "%s set %lu%s", fr->c->fam == WG_FW_IPV6 ? "ip6 hoplimit" : "ip ttl", ttl, tail);
	return 0;
}

int nftc_a_change_dscp(struct nftc_rule *fr)
{
	const char *tail, *v = nftc_prop(fr->r, "new-dscp");
	char *end;
	if (!v)
		return nftc_err(fr->c, "action=change-dscp needs new-dscp");
	unsigned long dscp = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end || dscp > 63)
		return nftc_bad(fr->c, "new-dscp", v);
	if (nftc_passthrough(fr, &tail) < 0)
		return -EINVAL;
	sb_printf(fr->out, "%s dscp set %lu%s", nftc_family_name(fr->c->fam), dscp, tail);
	return 0;
}

int nftc_a_notrack(struct nftc_rule *fr)
{
	sb_add(fr->out, "notrack");
	return 0;
}
