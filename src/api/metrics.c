/* See metrics.h. One pass over the configuration collects the peers' state, then each
 * metric family is written whole (the text format wants a family's samples together). */
#include "api/metrics.h"
#include <string.h>
#include "dns/proxy.h"
#include "router/events.h"
#include "router/menus.h"
#include "router/quota.h"
#include "util/alloc.h"
#include "util/sbuf.h"

struct peer_snap {
	const char *dev, *pub, *name, *allowed;
	bool enabled, has_quota, exceeded;
	uint64_t quota_used;
	struct wg_peer_status st;
	uint64_t life_rx, life_tx;
};

/* A label value: backslash, double quote and newline escaped as the format demands. */
static void label(struct sbuf *b, const char *name, const char *v, bool first)
{
	sb_printf(b, "%s%s=\"", first ? "" : ",", name);
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			sb_addc(b, '\\');
		if (*p == '\n')
			sb_add(b, "\\n");
		else
			sb_addc(b, *p);
	}
	sb_addc(b, '"');
}

static void family(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static size_t snapshot(struct wg_router *r, struct peer_snap **out)
{
	const struct wg_menu *m = &wg_menu_peers;
	const struct wg_table *t = wg_store_ctable(wg_router_store(r), m);
	struct peer_snap *v = xcalloc(t->n + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct peer_snap *p = &v[n];
		const struct wg_item *it = t->v[i];
		wg_router_peer_status(r, it, &p->st);
		p->dev = wg_item_get(m, it, "interface");
		p->pub = wg_item_get(m, it, "public-key");
		p->name = wg_item_get(m, it, "name");
		p->allowed = wg_item_get(m, it, "allowed-address");
		p->enabled = !wg_item_flag(m, it, "disabled");
		if (!wg_router_peer_totals(r, it, &p->st, &p->life_rx, &p->life_tx))
			p->life_rx = p->st.rx, p->life_tx = p->st.tx;
		uint64_t qrx, qtx;
		p->has_quota = wg_quota_usage(r, it, &p->st, &qrx, &qtx);
		p->quota_used = p->has_quota ? qrx + qtx : 0;
		p->exceeded = wg_item_get(m, it, "quota-exceeded") != NULL;
		n++;
	}
	*out = v;
	return n;
}

static void devices(struct sbuf *b, struct wg_router *r)
{
	const struct wg_menu *m = &wg_menu_wireguard;
	const struct wg_table *t = wg_store_ctable(wg_router_store(r), m);
	family(b, "wireguard_device_info", "gauge", "Metadata about a device.");
	for (size_t i = 0; i < t->n; i++) {
		if (!wg_router_wg_running(r, t->v[i]->id))
			continue;
		sb_add(b, "wireguard_device_info{");
		label(b, "device", wg_item_get(m, t->v[i], "name"), true);
		label(b, "public_key", wg_item_get(m, t->v[i], "public-key"), false);
		sb_add(b, "} 1\n");
	}
}

static void peer_info(struct sbuf *b, const struct peer_snap *v, size_t n)
{
	family(b, "wireguard_peer_info", "gauge", "Metadata about a peer. The public_key label on peer metrics refers to the peer's public key; not the device's public key.");
	for (size_t i = 0; i < n; i++) {
		char ep[96] = "";
		if (!v[i].st.known)
			continue;
		if (v[i].st.endpoint_addr[0])
			snprintf(ep, sizeof(ep), strchr(v[i].st.endpoint_addr, ':') ? "[%s]:%u" : "%s:%u",
				 v[i].st.endpoint_addr, v[i].st.endpoint_port);
		sb_add(b, "wireguard_peer_info{");
		label(b, "device", v[i].dev, true);
		label(b, "public_key", v[i].pub, false);
		label(b, "endpoint", ep, false);
		label(b, "allowed_ips", v[i].allowed, false);
		label(b, "name", v[i].name, false);
		sb_add(b, "} 1\n");
	}
}

enum which { RX, TX, HANDSHAKE, LIFE_RX, LIFE_TX, ENABLED, QUOTA_USED, QUOTA_EXCEEDED };

static uint64_t value(const struct peer_snap *p, enum which w)
{
	switch (w) {
	case RX: return p->st.rx;
	case TX: return p->st.tx;
	case HANDSHAKE: return p->st.last_handshake_sec;
	case LIFE_RX: return p->life_rx;
	case LIFE_TX: return p->life_tx;
	case QUOTA_USED: return p->quota_used;
	case QUOTA_EXCEEDED: return p->exceeded;
	default: return p->enabled;
	}
}

/* A per-peer family; only_live: peers the data plane runs (mdlayher's exporter shows
 * what the device has), else every configured peer (quota families: those with one). */
static void peer_family(struct sbuf *b, const struct peer_snap *v, size_t n, const char *name, const char *type,
			const char *help, enum which w, bool only_live)
{
	family(b, name, type, help);
	for (size_t i = 0; i < n; i++) {
		if ((only_live && !v[i].st.known) || (w >= QUOTA_USED && !v[i].has_quota))
			continue;
		sb_printf(b, "%s{", name);
		label(b, "device", v[i].dev, true);
		label(b, "public_key", v[i].pub, false);
		if (!only_live)
			label(b, "name", v[i].name, false);
		sb_printf(b, "} %llu\n", (unsigned long long)value(&v[i], w));
	}
}

static void events(struct sbuf *b, struct wg_router *r, const char *kind, const char *name, const char *help)
{
	const struct wg_events *e = wg_router_events(r);
	family(b, name, "counter", help);
	for (size_t i = 0; i < e->n; i++) {
		if (strcmp(e->v[i].kind, kind))
			continue;
		sb_printf(b, "%s{", name);
		label(b, "device", e->v[i].ifname, true);
		label(b, "reason", e->v[i].reason, false);
		sb_printf(b, "} %llu\n", (unsigned long long)e->v[i].n);
	}
}

static const struct { const struct wg_menu *m; const char *family, *table; } fw_menus[] = {
	{ &wg_menu_fw_filter, "ip", "filter" }, { &wg_menu_fw_nat, "ip", "nat" },
	{ &wg_menu_fw6_filter, "ipv6", "filter" }, { &wg_menu_fw6_nat, "ipv6", "nat" },
	{ &wg_menu_fw_mangle, "ip", "mangle" }, { &wg_menu_fw6_mangle, "ipv6", "mangle" },
	{ &wg_menu_fw_raw, "ip", "raw" }, { &wg_menu_fw6_raw, "ipv6", "raw" },
};

static void firewall_family(struct sbuf *b, struct wg_router *r, bool packets)
{
	const char *name = packets ? "wgrouter_firewall_rule_packets_total" : "wgrouter_firewall_rule_bytes_total";
	family(b, name, "counter", packets ? "Packets a firewall rule matched." : "Bytes a firewall rule matched.");
	for (size_t k = 0; k < sizeof(fw_menus) / sizeof(fw_menus[0]); k++) {
		const struct wg_menu *m = fw_menus[k].m;
		const struct wg_table *t = wg_store_ctable(wg_router_store(r), m);
		for (size_t i = 0; i < t->n; i++) {
			uint64_t bytes, pkts;
			char id[16];
			if (!wg_router_fw_counter(r, m, t->v[i]->id, &bytes, &pkts))
				continue;
			wg_id_format(t->v[i]->id, id);
			sb_printf(b, "%s{", name);
			label(b, "family", fw_menus[k].family, true);
			label(b, "table", fw_menus[k].table, false);
			label(b, "chain", wg_item_get(m, t->v[i], "chain"), false);
			label(b, "id", id, false);
			label(b, "comment", wg_item_get(m, t->v[i], "comment"), false);
			sb_printf(b, "} %llu\n", (unsigned long long)(packets ? pkts : bytes));
		}
	}
}

static void dns(struct sbuf *b, struct wg_router *r)
{
	struct wg_dns_proxy_stats s;
	bool on = wg_router_dns_stats(r, &s);
	const struct { const char *name, *help; uint64_t v; } c[] = {
		{ "wgrouter_dns_queries_total", "DNS queries received by the router's DNS server.", s.queries },
		{ "wgrouter_dns_cache_hits_total", "DNS queries answered from the cache.", s.from_cache },
		{ "wgrouter_dns_static_answers_total", "DNS queries answered from /ip/dns/static.", s.from_static },
		{ "wgrouter_dns_forwarded_total", "DNS queries forwarded to the servers.", s.forwarded },
		{ "wgrouter_dns_failed_total", "DNS queries answered SERVFAIL.", s.failed },
		{ "wgrouter_dns_dropped_total", "DNS queries dropped: malformed, or no thread free.", s.malformed + s.dropped },
	};
	for (size_t i = 0; on && i < sizeof(c) / sizeof(c[0]); i++) {
		family(b, c[i].name, "counter", c[i].help);
		sb_printf(b, "%s %llu\n", c[i].name, (unsigned long long)c[i].v);
	}
}

char *wg_metrics_render(struct wg_router *r)
{
	struct sbuf b;
	struct peer_snap *v;
	size_t n = snapshot(r, &v);
	sb_init(&b);
	devices(&b, r);
	peer_info(&b, v, n);
	peer_family(&b, v, n, "wireguard_peer_receive_bytes_total", "counter", "Number of bytes received from a given peer.", RX, true);
	peer_family(&b, v, n, "wireguard_peer_transmit_bytes_total", "counter", "Number of bytes transmitted to a given peer.", TX, true);
	peer_family(&b, v, n, "wireguard_peer_last_handshake_seconds", "gauge", "UNIX timestamp for the last handshake with a given peer.", HANDSHAKE, true);
	peer_family(&b, v, n, "wgrouter_peer_receive_bytes_lifetime_total", "counter", "Bytes received from a peer since it was created or its counters reset.", LIFE_RX, false);
	peer_family(&b, v, n, "wgrouter_peer_transmit_bytes_lifetime_total", "counter", "Bytes sent to a peer since it was created or its counters reset.", LIFE_TX, false);
	peer_family(&b, v, n, "wgrouter_peer_enabled", "gauge", "1 when the peer is enabled (not disabled by configuration, expiry or quota).", ENABLED, false);
	peer_family(&b, v, n, "wgrouter_peer_quota_used_bytes", "gauge", "Bytes a peer with a quota used in its current quota period (rx + tx).", QUOTA_USED, false);
	peer_family(&b, v, n, "wgrouter_peer_quota_exceeded", "gauge", "1 while a peer's quota is exceeded (disabled or rate-limited until the period ends).", QUOTA_EXCEEDED, false);
	events(&b, r, "handshake_failure", "wgrouter_handshake_failures_total", "Handshakes that failed, by reason.");
	events(&b, r, "drop", "wgrouter_dropped_packets_total", "Packets the data plane dropped, by reason.");
	firewall_family(&b, r, false);
	firewall_family(&b, r, true);
	dns(&b, r);
	free(v);
	return sb_take(&b);
}
