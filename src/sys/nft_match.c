/* Matchers: each RouterOS matcher property becomes one nft expression, appended to the
 * rule text with a trailing space. Order is fixed (protocol first, because ports and
 * port-NAT depend on it) so the same rule always compiles to the same text. */
#include "sys/nft_internal.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct proto {
	const char *ros;   /* RouterOS name */
	const char *nft;   /* nft l4proto name, NULL = print the number */
	int num;
	bool ports;        /* has ports nft can match as "<nft> dport" */
};

static const struct proto protos[] = {
	{ "tcp", "tcp", 6, true },       { "udp", "udp", 17, true },
	{ "icmp", "icmp", 1, false },    { "icmpv6", "ipv6-icmp", 58, false },
	{ "ipv6-icmp", "ipv6-icmp", 58, false },
	{ "gre", "gre", 47, false },     { "ipsec-esp", "esp", 50, false },
	{ "esp", "esp", 50, false },     { "ipsec-ah", "ah", 51, false },
	{ "ah", "ah", 51, false },       { "sctp", "sctp", 132, true },
	{ "udp-lite", "udplite", 136, true }, { "dccp", "dccp", 33, true },
	{ "igmp", NULL, 2, false },      { "ipencap", NULL, 4, false },
	{ "ipip", NULL, 4, false },      { "ipv6-encap", NULL, 41, false },
	{ "ospf", NULL, 89, false },     { "pim", NULL, 103, false },
	{ "vrrp", NULL, 112, false },    { "l2tp", NULL, 115, false },
	{ "rsvp", NULL, 46, false },     { "egp", NULL, 8, false },
};

const char *wg_nft_proto_name(size_t i)
{
	return i < sizeof(protos) / sizeof(protos[0]) ? protos[i].ros : NULL;
}

static const struct proto *proto_find(const char *v)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(protos[i].ros, v))
			return &protos[i];
	return NULL;
}

/* Protocol by name or number 0..255; *num is the number, result the nft spelling. */
static bool proto_parse(const char *v, char *nft, size_t n, const struct proto **known)
{
	*known = proto_find(v);
	if (*known) {
		if ((*known)->nft)
			snprintf(nft, n, "%s", (*known)->nft);
		else
			snprintf(nft, n, "%d", (*known)->num);
		return true;
	}
	char *end;
	long num = strtol(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end || num < 0 || num > 255)
		return false;
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].num == num && protos[i].nft) {
			*known = &protos[i];
			snprintf(nft, n, "%s", protos[i].nft);
			return true;
		}
	snprintf(nft, n, "%ld", num);
	return true;
}

static int m_protocol(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "protocol"), *orig = v;
	if (!v)
		return 0;
	bool neg = nftc_negated(&v);
	char nft[16];
	const struct proto *p;
	if (!proto_parse(v, nft, sizeof(nft), &p))
		return nftc_bad(fr->c, "protocol", orig);
	if (!neg && p && p->ports)
		fr->l4 = p->nft;
	if (!neg)
		fr->proto = p ? p->num : atoi(nft);
	sb_printf(fr->out, "meta l4proto %s%s ", neg ? "!= " : "", nft);
	return 0;
}

static int m_address(struct nftc_rule *fr, const char *key, const char *field)
{
	const char *v = nftc_prop(fr->r, key), *orig = v;
	if (!v)
		return 0;
	bool neg = nftc_negated(&v), single;
	char text[2 * WG_PREFIX_STRLEN];
	if (nftc_addr_text(fr->c->fam, v, text, sizeof(text), &single) < 0)
		return nftc_bad(fr->c, key, orig);
	sb_printf(fr->out, "%s %s %s%s ", nftc_family_name(fr->c->fam), field, neg ? "!= " : "", text);
	return 0;
}

/* One port "80" or range "1000-2000", checked; appended to list as nft writes it. */
static bool port_item(const char *s, size_t len, struct sbuf *list)
{
	unsigned a, b;
	if (!nftc_port_range(s, len, &a, &b))
		return false;
	if (a == b)
		sb_printf(list, "%s%u", list->len ? ", " : "", a);
	else
		sb_printf(list, "%s%u-%u", list->len ? ", " : "", a, b);
	return true;
}

/* "80,443,1000-2000" as nft text: a bare item, or an anonymous set "{ ... }". */
static bool ports_text(const char *v, struct sbuf *text)
{
	struct sbuf list = { 0 };
	size_t items = 0;
	bool ok;
	for (const char *p = v;; ) {
		const char *comma = strchr(p, ',');
		ok = port_item(p, comma ? (size_t)(comma - p) : strlen(p), &list);
		items++;
		if (!ok || !comma)
			break;
		p = comma + 1;
	}
	if (ok && items == 1)
		sb_add(text, sb_str(&list));
	else if (ok)
		sb_printf(text, "{ %s }", sb_str(&list));
	sb_free(&list);
	return ok;
}

static int m_port(struct nftc_rule *fr, const char *key, const char *field)
{
	const char *v = nftc_prop(fr->r, key), *orig = v;
	if (!v)
		return 0;
	if (!fr->l4)
		return nftc_err(fr->c, "%s needs protocol=tcp, udp, sctp, udp-lite or dccp", key);
	bool neg = nftc_negated(&v);
	struct sbuf text = { 0 };
	int ret = 0;
	if (!ports_text(v, &text))
		ret = nftc_bad(fr->c, key, orig);
	else
		sb_printf(fr->out, "%s %s %s%s ", fr->l4, field, neg ? "!= " : "", sb_str(&text));
	sb_free(&text);
	return ret;
}

static int m_interface(struct nftc_rule *fr, const char *key, const char *field)
{
	const char *v = nftc_prop(fr->r, key), *orig = v;
	if (!v)
		return 0;
	bool neg = nftc_negated(&v);
	if (!nftc_plain(v, 15))
		return nftc_bad(fr->c, key, orig);
	sb_printf(fr->out, "%s %s\"%s\" ", field, neg ? "!= " : "", v);
	return 0;
}

/* "all" needs no match and "none" matches nothing; "none" is the empty set ifl_none. */
static int m_iflist(struct nftc_rule *fr, const char *key, const char *field)
{
	const char *v = nftc_prop(fr->r, key), *orig = v;
	if (!v)
		return 0;
	bool neg = nftc_negated(&v);
	if (!nftc_plain(v, NFTC_NAME_MAX))
		return nftc_bad(fr->c, key, orig);
	if (!strcmp(v, "all") || !strcmp(v, "none")) {
		if (neg == !strcmp(v, "all"))   /* !all or none: never */
			v = "none", neg = false;
		else                             /* all or !none: always */
			return 0;
	}
	if (nftc_names_add(&fr->c->if_lists, v) < 0)
		return nftc_err(fr->c, "out of memory");
	char set[NFTC_NFT_NAME];
	nftc_iflist_set(v, set, sizeof(set));
	sb_printf(fr->out, "%s %s@%s ", field, neg ? "!= " : "", set);
	return 0;
}

/* Whether `key` (src-/dst-address-list) names the target of add-src/dst-to-list rather
 * than a match: the seeds write the target that way when address-list= is absent. */
static bool list_is_target(const struct nftc_rule *fr, const char *key)
{
	const char *action = nftc_prop(fr->r, "action");
	if (!action || nftc_prop(fr->r, "address-list"))
		return false;
	return (!strcmp(action, "add-src-to-list") && !strcmp(key, "src-address-list")) ||
	       (!strcmp(action, "add-dst-to-list") && !strcmp(key, "dst-address-list"));
}

static int m_addrlist(struct nftc_rule *fr, const char *key, const char *field)
{
	const char *v = nftc_prop(fr->r, key), *orig = v;
	if (!v || list_is_target(fr, key))
		return 0;
	bool neg = nftc_negated(&v);
	if (!nftc_plain(v, NFTC_NAME_MAX))
		return nftc_bad(fr->c, key, orig);
	if (nftc_names_add(&fr->c->addr_lists[fr->c->fam], v) < 0)
		return nftc_err(fr->c, "out of memory");
	char set[NFTC_NFT_NAME];
	nftc_addrlist_set(fr->c->fam, v, set, sizeof(set));
	sb_printf(fr->out, "%s %s %s@%s ", nftc_family_name(fr->c->fam), field, neg ? "!= " : "", set);
	return 0;
}

/* A comma list whose items must all be in allowed[] (RouterOS name -> nft name),
 * written with sep between the nft names. */
static bool flag_list(const char *v, const char *const allowed[][2], const char *sep,
		      struct sbuf *out, size_t *count)
{
	char *copy = strdup(v), *save = NULL;
	bool ok = copy && *v && v[strlen(v) - 1] != ',' && !strstr(v, ",,");
	*count = 0;
	for (char *t = ok ? strtok_r(copy, ",", &save) : NULL; t && ok;
	     t = strtok_r(NULL, ",", &save)) {
		ok = false;
		for (size_t i = 0; allowed[i][0]; i++)
			if (!strcmp(t, allowed[i][0])) {
				sb_printf(out, "%s%s", (*count)++ ? sep : "", allowed[i][1]);
				ok = true;
			}
	}
	free(copy);
	return ok && *count;
}

/* ct state takes a set "{ a, b }". ct status is a bitmask: "!= dnat" would compare the
 * whole word (always true), so it tests the bits: any of them set, or (negated) none. */
static int m_flags(struct nftc_rule *fr, const char *key, const char *field,
		   const char *const allowed[][2], bool bits)
{
	const char *v = nftc_prop(fr->r, key), *orig = v;
	if (!v)
		return 0;
	bool neg = nftc_negated(&v);
	struct sbuf list = { 0 };
	size_t n;
	int ret = 0;
	if (!flag_list(v, allowed, bits ? " | " : ", ", &list, &n))
		ret = nftc_bad(fr->c, key, orig);
	else if (bits)
		sb_printf(fr->out, "%s & (%s) %s 0 ", field, sb_str(&list), neg ? "==" : "!=");
	else if (n > 1)
		sb_printf(fr->out, "%s %s{ %s } ", field, neg ? "!= " : "", sb_str(&list));
	else
		sb_printf(fr->out, "%s %s%s ", field, neg ? "!= " : "", sb_str(&list));
	sb_free(&list);
	return ret;
}

static int m_conn_state(struct nftc_rule *fr)
{
	static const char *const states[][2] = {
		{ "established", "established" }, { "related", "related" }, { "new", "new" },
		{ "invalid", "invalid" }, { "untracked", "untracked" }, { NULL, NULL },
	};
	return m_flags(fr, "connection-state", "ct state", states, false);
}

static int m_nat_state(struct nftc_rule *fr)
{
	static const char *const states[][2] = {
		{ "srcnat", "snat" }, { "dstnat", "dnat" }, { NULL, NULL },
	};
	return m_flags(fr, "connection-nat-state", "ct status", states, true);
}

/* count per period as nft can write it: per second/minute/hour/day, exact where
 * possible (50/5s -> 600/minute), rounded up per day otherwise. */
const char *nftc_rate_unit(uint64_t count, uint64_t period_ms, uint64_t *rate)
{
	static const struct { const char *u; uint64_t ms; } units[] = {
		{ "second", 1000 }, { "minute", 60000 }, { "hour", 3600000 }, { "day", 86400000 },
	};
	size_t i = 0;
	while (i < 3 && (count * units[i].ms) % period_ms)
		i++;
	*rate = (count * units[i].ms + period_ms - 1) / period_ms;
	return units[i].u;
}

struct limit { uint64_t count, burst, period_ms; bool bits; };

/* limit=count[/time][,burst][:packet|bit] */
static bool limit_parse(const char *v, struct limit *l)
{
	char buf[64], *p, *end;
	*l = (struct limit){ .period_ms = 1000 };
	if (strlen(v) >= sizeof(buf))
		return false;
	strcpy(buf, v);
	if ((p = strchr(buf, ':'))) {
		*p++ = '\0';
		if (strcmp(p, "packet") && strcmp(p, "bit"))
			return false;
		l->bits = !strcmp(p, "bit");
	}
	if ((p = strchr(buf, ','))) {
		*p++ = '\0';
		l->burst = strtoull(p, &end, 10);
		if (!isdigit((unsigned char)*p) || *end || strlen(p) > 9)
			return false;
	}
	if ((p = strchr(buf, '/'))) {
		*p++ = '\0';
		if (nftc_time_ms(p, &l->period_ms) < 0 || l->period_ms == 0)
			return false;
	}
	l->count = strtoull(buf, &end, 10);
	return isdigit((unsigned char)buf[0]) && !*end && strlen(buf) <= 9 && l->count;
}

static int m_limit(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "limit");
	struct limit l;
	if (!v)
		return 0;
	if (!limit_parse(v, &l))
		return nftc_bad(fr->c, "limit", v);
	uint64_t rate;
	/* bit mode limits bandwidth: nft counts bytes */
	const char *unit = nftc_rate_unit(l.bits ? (l.count + 7) / 8 : l.count, l.period_ms, &rate);
	sb_printf(fr->out, "limit rate %llu%s%s ", (unsigned long long)rate,
		  l.bits ? " bytes/" : "/", unit);
	if (l.burst)
		sb_printf(fr->out, "burst %llu %s ", (unsigned long long)(l.bits ? (l.burst + 7) / 8 : l.burst),
			  l.bits ? "bytes" : "packets");
	return 0;
}

/* port= matches when either port does. nft has no "or" inside a rule, so the rule is
 * written twice: variant 0 tests sport, variant 1 dport on packets variant 0 did not
 * take (sport != X), so no packet runs the action twice. Negated: neither port. */
static int m_either_port(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "port"), *orig = v;
	if (!v)
		return 0;
	if (!fr->l4)
		return nftc_err(fr->c, "port needs protocol=tcp, udp, sctp, udp-lite or dccp");
	bool neg = nftc_negated(&v);
	struct sbuf text = { 0 };
	if (!ports_text(v, &text)) {
		sb_free(&text);
		return nftc_bad(fr->c, "port", orig);
	}
	const char *x = sb_str(&text), *l4 = fr->l4;
	if (neg)
		sb_printf(fr->out, "%s sport != %s %s dport != %s ", l4, x, l4, x);
	else if (fr->variant == 0)
		sb_printf(fr->out, "%s sport %s ", l4, x);
	else
		sb_printf(fr->out, "%s sport != %s %s dport %s ", l4, x, l4, x);
	sb_free(&text);
	return 0;
}

int nftc_variants(const struct wg_fw_rule *r)
{
	const char *v = nftc_prop(r, "port");
	return v && v[0] != '!' ? 2 : 1;
}

/* icmp-options=type[:code], numbers as RouterOS prints them. */
static int m_icmp(struct nftc_rule *fr)
{
	const char *v = nftc_prop(fr->r, "icmp-options"), *orig = v;
	if (!v)
		return 0;
	bool v6 = fr->c->fam == WG_FW_IPV6;
	if (fr->proto != (v6 ? 58 : 1))
		return nftc_err(fr->c, "icmp-options needs protocol=%s", v6 ? "icmpv6" : "icmp");
	bool neg = nftc_negated(&v);
	unsigned type, code;
	char extra;
	int k = sscanf(v, "%3u:%3u%c", &type, &code, &extra);
	/* "!type:code" would need an "or" (type differs or code differs): not offered */
	if (strspn(v, "0123456789:") != strlen(v) || k < 1 || k > 2 || type > 255 ||
	    (k == 2 && code > 255) || (k == 1 && strchr(v, ':')) || (neg && k == 2))
		return nftc_bad(fr->c, "icmp-options", orig);
	const char *kw = v6 ? "icmpv6" : "icmp";
	sb_printf(fr->out, "%s type %s%u ", kw, neg ? "!= " : "", type);
	if (k == 2)
		sb_printf(fr->out, "%s code %u ", kw, code);
	return 0;
}

/* tcp-flags=syn,!ack: the listed flags must be set, the !-ones clear. */
static int m_tcp_flags(struct nftc_rule *fr)
{
	static const char *const names[][2] = {
		{ "fin", "fin" }, { "syn", "syn" }, { "rst", "rst" }, { "psh", "psh" },
		{ "ack", "ack" }, { "urg", "urg" }, { "ece", "ecn" }, { "cwr", "cwr" },
	};
	const char *v = nftc_prop(fr->r, "tcp-flags");
	if (!v)
		return 0;
	if (fr->proto != 6)
		return nftc_err(fr->c, "tcp-flags needs protocol=tcp");
	struct sbuf mask = { 0 }, want = { 0 };
	char *copy = strdup(v), *save = NULL;
	bool ok = copy && *v && !strstr(v, ",,") && v[strlen(v) - 1] != ',';
	for (char *t = ok ? strtok_r(copy, ",", &save) : NULL; t && ok; t = strtok_r(NULL, ",", &save)) {
		bool clear = *t == '!';
		size_t i = 0;
		while (i < 8 && strcmp(names[i][0], t + clear))
			i++;
		ok = i < 8;
		if (ok)
			sb_printf(&mask, "%s%s", mask.len ? " | " : "", names[i][1]);
		if (ok && !clear)
			sb_printf(&want, "%s%s", want.len ? " | " : "", names[i][1]);
	}
	free(copy);
	int ret = ok ? 0 : nftc_bad(fr->c, "tcp-flags", v);
	if (ok)
		sb_printf(fr->out, "tcp flags & (%s) == %s ", sb_str(&mask),
			     want.len ? sb_str(&want) : "0x0");
	sb_free(&mask);
	sb_free(&want);
	return ret;
}

int nftc_match_all(struct nftc_rule *fr)
{
	int ret;
	if ((ret = m_protocol(fr)) < 0 ||
	    (ret = m_address(fr, "src-address", "saddr")) < 0 ||
	    (ret = m_address(fr, "dst-address", "daddr")) < 0 ||
	    (ret = m_port(fr, "src-port", "sport")) < 0 ||
	    (ret = m_port(fr, "dst-port", "dport")) < 0 ||
	    (ret = m_either_port(fr)) < 0 ||
	    (ret = m_icmp(fr)) < 0 ||
	    (ret = m_tcp_flags(fr)) < 0 ||
	    (ret = m_interface(fr, "in-interface", "iifname")) < 0 ||
	    (ret = m_interface(fr, "out-interface", "oifname")) < 0 ||
	    (ret = m_iflist(fr, "in-interface-list", "iifname")) < 0 ||
	    (ret = m_iflist(fr, "out-interface-list", "oifname")) < 0 ||
	    (ret = m_addrlist(fr, "src-address-list", "saddr")) < 0 ||
	    (ret = m_addrlist(fr, "dst-address-list", "daddr")) < 0 ||
	    (ret = m_conn_state(fr)) < 0 ||
	    (ret = m_nat_state(fr)) < 0 ||
	    (ret = nftc_match_packet(fr)) < 0 ||
	    (ret = nftc_match_conn(fr)) < 0 || /* ends with its stateful meters */
	    (ret = m_limit(fr)) < 0)         /* stateful: after every plain matcher */
		return ret;
	return 0;
}
