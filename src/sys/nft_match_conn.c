/* Matchers on the connection (conntrack) and on per-source state: ipsec-policy,
 * connection-mark, connection-bytes, connection-limit, dst-limit,
 * per-connection-classifier; and the list of RouterOS matchers Linux cannot do, each
 * with the reason the console shows at `add`. */
#include "sys/nft_internal.h"
#include <ctype.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const refused[][2] = {
	{ "layer7-protocol", "Linux's nftables has no regular-expression payload matching" },
	{ "connection-rate", "nftables cannot measure a connection's current rate" },
	{ "psd", "nftables has no port-scan detector: use connection-limit or add-src-to-address-list rules" },
	{ "tls-host", "nftables cannot read the TLS server name" },
	{ "content", "nftables has no payload string search" },
	{ "connection-type", "conntrack helpers are not set up by this router" },
	{ "hotspot", "there is no hotspot on this router" },
	{ "in-bridge-port", "there is no bridge on this router" },
	{ "out-bridge-port", "there is no bridge on this router" },
	{ "in-bridge-port-list", "there is no bridge on this router" },
	{ "out-bridge-port-list", "there is no bridge on this router" },
	{ "fragment", "conntrack reassembles fragments before the firewall sees them" },
	{ "ipv4-options", "nftables matches one IP option at a time, not RouterOS's option classes" },
	{ "headers", "not implemented: nftables matches extension headers one at a time" },
	{ "ingress-priority", "Linux has no ingress priority field" },
	{ "priority", "not implemented" },
	{ "time", "not implemented" },
};

const char *nftc_refused(const char *key)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (!strcmp(refused[i][0], key))
			return refused[i][1];
	return NULL;
}

/* ipsec-policy=in|out,ipsec|none: whether the packet was decrypted by (in) or will be
 * encrypted by (out) an IPsec policy. This router configures no IPsec, so "ipsec"
 * never matches and "none" always does; the kernel still checks it for real. */
static int m_ipsec(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "ipsec-policy");
	if (!v)
		return 0;
	bool in = !strncmp(v, "in,", 3), out = !strncmp(v, "out,", 4);
	const char *what = in ? v + 3 : out ? v + 4 : "";
	if ((!in && !out) || (strcmp(what, "ipsec") && strcmp(what, "none")))
		return nftc_bad(fr->c, "ipsec-policy", v);
	if (in && (!strcmp(fr->chain, "output") || !strcmp(fr->chain, "srcnat") || !strcmp(fr->chain, "postrouting")))
		return nftc_err(fr->c, "ipsec-policy=in is not valid in chain %s", fr->chain);
	if (out && (!strcmp(fr->chain, "input") || !strcmp(fr->chain, "dstnat") || !strcmp(fr->chain, "prerouting")))
		return nftc_err(fr->c, "ipsec-policy=out is not valid in chain %s", fr->chain);
	sb_printf(fr->out, "%s ipsec %s ", in ? "meta" : "rt", strcmp(what, "ipsec") ? "missing" : "exists");
	return 0;
}

static int m_conn_mark(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "connection-mark");
	uint32_t mark = 0;
	if (!v)
		return 0;
	bool neg = nftc_negated(&v);
	if (strcmp(v, "no-mark") && nftc_conn_mark(fr, "connection-mark", v, &mark) < 0)
		return -EINVAL;
	sb_printf(fr->out, "ct mark %s0x%x ", neg ? "!= " : "", mark);
	return 0;
}

/* connection-bytes=A-B (B = 0: no upper bound): both directions together. */
static int m_conn_bytes(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "connection-bytes");
	unsigned long long a, b;
	int used = 0;
	if (!v)
		return 0;
	if (sscanf(v, "%19llu-%19llu%n", &a, &b, &used) != 2 || (size_t)used != strlen(v) ||
	    !isdigit((unsigned char)v[0]) || (b && b < a))
		return nftc_bad(fr->c, "connection-bytes", v);
	if (b)
		sb_printf(fr->out, "ct bytes %llu-%llu ", a, b);
	else
		sb_printf(fr->out, "ct bytes >= %llu ", a);
	return 0;
}

/* The per-rule set that connection-limit and dst-limit keep their state in. */
static void meter_name(struct nftc_rule *fr, const char *kind, char *out, size_t n)
{
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "%s_%s_%s_", kind, nftc_family_name(fr->c->fam),
		 nftc_table_name(fr->c->tbl));
	nftc_mangle(prefix, fr->r->id, out, n);
}

/* The declaration goes once per RouterOS rule (port= compiles it twice). */
static void meter_declare(struct nftc_rule *fr, const char *name, const char *type, const char *flags)
{
	if (fr->variant == 0)
		sb_printf(&fr->c->meters, "\tset %s {\n\t\ttype %s\n\t\tsize 65535\n\t\tflags %s\n\t}\n",
			  name, type, flags);
}

/* "ip saddr" or "ip saddr & 255.255.255.0" for a mask length. */
static void masked(struct nftc_rule *fr, const char *field, unsigned len, struct sbuf *out)
{
	bool v6 = fr->c->fam == WG_FW_IPV6;
	unsigned max = v6 ? 128 : 32;
	sb_printf(out, "%s %s", nftc_family_name(fr->c->fam), field);
	if (len >= max)
		return;
	uint8_t bits[16] = { 0 };
	for (unsigned i = 0; i < len; i++)
		bits[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	char buf[WG_PREFIX_STRLEN];
	sb_printf(out, " & %s", wg_addr_format(v6 ? AF_INET6 : AF_INET, bits, buf));
}

/* connection-limit=N,MASK: matches once the source block of MASK bits has more than N
 * connections (RouterOS: "after given value is reached"). */
static int m_conn_limit(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "connection-limit");
	unsigned long n, mask;
	char *end;
	if (!v)
		return 0;
	bool v6 = fr->c->fam == WG_FW_IPV6;
	const char *comma = strchr(v, ',');
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || end != comma || n > 1000000000ul ||
	    !isdigit((unsigned char)comma[1]) || (mask = strtoul(comma + 1, &end, 10), *end) ||
	    mask > (v6 ? 128u : 32u) || mask == 0)
		return nftc_bad(fr->c, "connection-limit", v);
	char set[NFTC_NFT_NAME];
	meter_name(fr, "cl", set, sizeof(set));
	meter_declare(fr, set, v6 ? "ipv6_addr" : "ipv4_addr", "dynamic");
	struct sbuf key = { 0 };
	masked(fr, "saddr", (unsigned)mask, &key);
	sb_printf(fr->out, "add @%s { %s ct count over %lu } ", set, sb_str(&key), n);
	sb_free(&key);
	return 0;
}

/* dst-limit=count[/time],burst,mode[/expire]: a limit per destination (or the chosen
 * key); the rule matches packets within the rate, as limit= does. */
static const struct dl_mode {
	const char *name;
	bool src, dst, port;
} dl_modes[] = {
	{ "dst-address", false, true, false },        { "dst-address-and-port", false, true, true },
	{ "src-address", true, false, false },        { "src-and-dst-address", true, true, false },
	{ "src-and-dst-address-and-port", true, true, true }, { "addresses-and-dst-port", true, true, true },
};

struct dst_limit {
	uint64_t count, period_ms, expire_ms;
	unsigned long burst;
	const struct dl_mode *mode;
};

static bool dst_limit_parse(const char *v, struct dst_limit *d)
{
	char buf[96], *rate, *burst, *mode, *p, *end;
	if (strlen(v) >= sizeof(buf))
		return false;
	strcpy(buf, v);
	rate = buf;
	if (!(burst = strchr(rate, ',')) || !(mode = strchr(burst + 1, ',')))
		return false;
	*burst++ = '\0';
	*mode++ = '\0';
	*d = (struct dst_limit){ .period_ms = 1000, .expire_ms = 60000 };
	if ((p = strchr(mode, '/'))) {
		*p++ = '\0';
		if (nftc_time_ms(p, &d->expire_ms) < 0 || d->expire_ms == 0)
			return false;
	}
	if ((p = strchr(rate, '/'))) {
		*p++ = '\0';
		if (nftc_time_ms(p, &d->period_ms) < 0 || d->period_ms == 0)
			return false;
	}
	d->count = strtoull(rate, &end, 10);
	if (!isdigit((unsigned char)rate[0]) || *end || strlen(rate) > 9 || !d->count)
		return false;
	d->burst = strtoul(burst, &end, 10);
	if (!isdigit((unsigned char)burst[0]) || *end || strlen(burst) > 9)
		return false;
	for (size_t i = 0; i < sizeof(dl_modes) / sizeof(dl_modes[0]); i++)
		if (!strcmp(dl_modes[i].name, mode))
			d->mode = &dl_modes[i];
	return d->mode != NULL;
}

static int m_dst_limit(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "dst-limit");
	struct dst_limit d;
	if (!v)
		return 0;
	if (!dst_limit_parse(v, &d))
		return nftc_bad(fr->c, "dst-limit", v);
	if (d.mode->port && !fr->l4)
		return nftc_err(fr->c, "dst-limit mode %s needs protocol=tcp, udp, sctp, udp-lite or dccp",
				d.mode->name);
	const char *fam = nftc_family_name(fr->c->fam), *at = fr->c->fam == WG_FW_IPV6 ? "ipv6_addr" : "ipv4_addr";
	struct sbuf type = { 0 }, key = { 0 };
	if (d.mode->src) {
		sb_add(&type, at);
		sb_printf(&key, "%s saddr", fam);
	}
	if (d.mode->dst) {
		sb_printf(&type, "%s%s", type.len ? " . " : "", at);
		sb_printf(&key, "%s%s daddr", key.len ? " . " : "", fam);
	}
	if (d.mode->port) {
		sb_add(&type, " . inet_service");
		sb_printf(&key, " . %s dport", fr->l4);
	}
	char set[NFTC_NFT_NAME], expire[32], flags[64];
	uint64_t rate;
	meter_name(fr, "dl", set, sizeof(set));
	nftc_time_fmt(d.expire_ms, expire, sizeof(expire));
	snprintf(flags, sizeof(flags), "dynamic,timeout\n\t\ttimeout %s", expire);
	meter_declare(fr, set, sb_str(&type), flags);
	const char *unit = nftc_rate_unit(d.count, d.period_ms, &rate);
	sb_printf(fr->out, "update @%s { %s limit rate %llu/%s", set, sb_str(&key), (unsigned long long)rate, unit);
	if (d.burst)
		sb_printf(fr->out, " burst %lu packets", d.burst);
	sb_add(fr->out, " } ");
	sb_free(&type);
	sb_free(&key);
	return 0;
}

/* per-connection-classifier=MODE:N/K: a hash of the chosen fields, modulo N, equals K. */
static int m_pcc(struct nftc_rule *fr)
{
	static const struct { const char *name; bool sa, da, sp, dp; } modes[] = {
		{ "src-address", true, false, false, false }, { "dst-address", false, true, false, false },
		{ "src-port", false, false, true, false },    { "dst-port", false, false, false, true },
		{ "both-addresses", true, true, false, false }, { "both-ports", false, false, true, true },
		{ "both-addresses-and-ports", true, true, true, true },
	};
	const char *v = nftc_prop(fr->r, "per-connection-classifier");
	char mode[40];
	unsigned n, k;
	int used = 0;
	if (!v)
		return 0;
	if (sscanf(v, "%39[a-z-]:%5u/%5u%n", mode, &n, &k, &used) != 3 || (size_t)used != strlen(v) ||
	    n < 1 || n > 65535 || k >= n)
		return nftc_bad(fr->c, "per-connection-classifier", v);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(modes[i].name, mode))
			continue;
		if ((modes[i].sp || modes[i].dp) && !fr->l4)
			return nftc_err(fr->c, "per-connection-classifier %s needs protocol=tcp, udp, sctp, "
					"udp-lite or dccp", mode);
		const char *fam = nftc_family_name(fr->c->fam);
		struct sbuf key = { 0 };
		if (modes[i].sa)
			sb_printf(&key, "%s saddr", fam);
		if (modes[i].da)
			sb_printf(&key, "%s%s daddr", key.len ? " . " : "", fam);
		if (modes[i].sp)
			sb_printf(&key, "%s%s sport", key.len ? " . " : "", fr->l4);
		if (modes[i].dp)
			sb_printf(&key, "%s%s dport", key.len ? " . " : "", fr->l4);
		sb_printf(fr->out, "jhash %s mod %u seed 0x0 %u ", sb_str(&key), n, k);
		sb_free(&key);
		return 0;
	}
	return nftc_bad(fr->c, "per-connection-classifier", v);
}

int nftc_match_conn(struct nftc_rule *fr)
{
	int ret;
	if ((ret = m_ipsec(fr)) < 0 ||
	    (ret = m_conn_mark(fr)) < 0 ||
	    (ret = m_conn_bytes(fr)) < 0 ||
	    (ret = m_pcc(fr)) < 0 ||
	    (ret = m_dst_limit(fr)) < 0 ||
	    (ret = m_conn_limit(fr)) < 0)
		return ret;
	return 0;
}
