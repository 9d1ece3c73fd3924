/* See wgconf.h. */
#include "console/wgconf.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "crypto/crypto.h"
#include "router/menus.h"
#include "router/units.h"
#include "sys/prefix.h"

#define W (&wg_menu_wireguard)
#define P (&wg_menu_peers)

static void line(struct sbuf *b, const char *key, const char *v)
{
	if (v && *v)
		sb_printf(b, "%s = %s\n", key, v);
}

/* "a,b" -> "a, b" as wg-quick writes lists. */
static void list_line(struct sbuf *b, const char *key, const char *v)
{
	struct strvec l = { 0 };
	sv_split(&l, v, ',');
	char *j = sv_join(&l, ", ");
	line(b, key, j);
	free(j);
	sv_free(&l);
}

static void seconds_line(struct sbuf *b, const char *key, const char *time)
{
	uint64_t ms;
	char buf[24];
	if (time && wg_time_parse(time, &ms) && ms) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(ms / 1000));
		line(b, key, buf);
	}
}

/* Where the client reaches the router: client-endpoint, else an address of the router
 * that is not on a WireGuard interface (the best guess of its WAN address). */
static void router_address(struct wg_router *r, const struct wg_store *st, char *out, size_t len)
{
	void *ctx;
	const struct wg_sys_ops *sys = wg_router_sys(r, &ctx);
	struct wg_nl_addr *a = NULL;
	int n = sys && sys->addr_list ? sys->addr_list(ctx, AF_INET, &a) : 0;
	char buf[WG_PREFIX_STRLEN];
	out[0] = 0;
	for (int i = 0; i < n && !out[0]; i++)
		if (strcmp(a[i].ifname, "lo") && !wg_table_by_name(wg_store_ctable(st, W), a[i].ifname))
			snprintf(out, len, "%s", wg_addr_format(AF_INET, a[i].prefix.addr, buf));
	free(a);
}

static void endpoint_line(struct wg_router *r, const struct wg_store *st, const struct wg_item *peer,
			  const struct wg_item *iface, struct sbuf *b)
{
	char host[128], ep[160];
	const char *ce = wg_item_get(P, peer, "client-endpoint");
	if (ce)
		snprintf(host, sizeof(host), "%s", ce);
	else
		router_address(r, st, host, sizeof(host));
	if (!host[0] || !iface)
		return;
	snprintf(ep, sizeof(ep), strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, wg_item_get(W, iface, "listen-port"));
	line(b, "Endpoint", ep);
}

void wg_conf_client(struct wg_router *r, const struct wg_store *st, const struct wg_item *peer, struct sbuf *b)
{
	const struct wg_item *iface = wg_table_by_name(wg_store_ctable(st, W), wg_item_get(P, peer, "interface"));
	const char *addr = wg_item_get(P, peer, "client-address");
	sb_add(b, "[Interface]\n");
	line(b, "PrivateKey", wg_item_get(P, peer, "private-key") ?: "<the client's private key>");
	list_line(b, "Address", addr ? addr : wg_item_get(P, peer, "allowed-address"));
	list_line(b, "DNS", wg_item_get(P, peer, "client-dns"));
	line(b, "ListenPort", wg_item_get(P, peer, "client-listen-port"));
	line(b, "MTU", wg_item_get(P, peer, "client-mtu"));
	sb_add(b, "\n[Peer]\n");
	line(b, "PublicKey", iface ? wg_item_get(W, iface, "public-key") : NULL);
	line(b, "PresharedKey", wg_item_get(P, peer, "preshared-key"));
	list_line(b, "AllowedIPs", wg_item_get(P, peer, "client-allowed-address"));
	endpoint_line(r, st, peer, iface, b);
	seconds_line(b, "PersistentKeepalive", wg_item_get(P, peer, "client-keepalive"));
}

void wg_conf_interface(const struct wg_store *st, const struct wg_item *iface, struct sbuf *b)
{
	const struct wg_table *pt = wg_store_ctable(st, P);
	const char *name = wg_item_get(W, iface, "name");
	sb_add(b, "[Interface]\n");
	line(b, "PrivateKey", wg_item_get(W, iface, "private-key"));
	line(b, "ListenPort", wg_item_get(W, iface, "listen-port"));
	for (size_t i = 0; i < pt->n; i++) {
		const struct wg_item *p = pt->v[i];
		if (!streq(wg_item_get(P, p, "interface"), name) || wg_item_flag(P, p, "disabled"))
			continue;
		sb_add(b, "\n[Peer]\n");
		line(b, "PublicKey", wg_item_get(P, p, "public-key"));
		line(b, "PresharedKey", wg_item_get(P, p, "preshared-key"));
		list_line(b, "AllowedIPs", wg_item_get(P, p, "allowed-address"));
		const char *host = wg_item_get(P, p, "endpoint-address"), *port = wg_item_get(P, p, "endpoint-port");
		if (host && port) {
			char ep[160];
			snprintf(ep, sizeof(ep), strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
			line(b, "Endpoint", ep);
		}
		seconds_line(b, "PersistentKeepalive", wg_item_get(P, p, "persistent-keepalive"));
	}
}

/* ---- reading ---- */

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* "[v6]:port" or "host:port". */
static void split_endpoint(const char *v, struct wg_conf_peer *p)
{
	const char *colon = strrchr(v, ':');
	if (!colon)
		return;
	size_t n = (size_t)(colon - v);
	free(p->endpoint_host); /* a later Endpoint line wins */
	free(p->endpoint_port);
	if (v[0] == '[' && n >= 2 && v[n - 1] == ']')
		p->endpoint_host = xstrndup(v + 1, n - 2);
	else
		p->endpoint_host = xstrndup(v, n);
	p->endpoint_port = xstrdup(colon + 1);
}

static void join_list(char **dst, const char *v)
{
	struct strvec l = { 0 };
	if (*dst)
		sv_split(&l, *dst, ',');
	sv_split(&l, v, ',');
	free(*dst);
	*dst = sv_join(&l, ",");
	sv_free(&l);
}

static int set_interface(struct wg_conf *c, const char *k, const char *v)
{
	if (!strcasecmp(k, "PrivateKey"))
		xset(&c->private_key, v);
	else if (!strcasecmp(k, "ListenPort"))
		xset(&c->listen_port, v);
	else if (!strcasecmp(k, "MTU"))
		xset(&c->mtu, v);
	else if (!strcasecmp(k, "Address"))
		sv_split(&c->addresses, v, ',');
	return 0; /* DNS, Table, PreUp ... are wg-quick's business, not the interface's */
}

static int set_peer(struct wg_conf_peer *p, const char *k, const char *v)
{
	if (!strcasecmp(k, "PublicKey"))
		xset(&p->public_key, v);
	else if (!strcasecmp(k, "PresharedKey"))
		xset(&p->preshared_key, v);
	else if (!strcasecmp(k, "AllowedIPs"))
		join_list(&p->allowed, v);
	else if (!strcasecmp(k, "Endpoint"))
		split_endpoint(v, p);
	else if (!strcasecmp(k, "PersistentKeepalive"))
		xset(&p->keepalive, strcmp(v, "off") ? v : "0");
	else
		return -1;
	return 0;
}

int wg_conf_parse(const char *text, struct wg_conf *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	char *copy = xstrdup(text), *save = NULL;
	int section = 0, lineno = 0, rc = 0; /* 1 = [Interface], 2 = [Peer] */
	for (char *l = strtok_r(copy, "\n", &save); l && !rc; l = strtok_r(NULL, "\n", &save)) {
		lineno++;
		char *hash = strchr(l, '#');
		if (hash)
			*hash = 0;
		l = trim(l);
		if (!*l)
			continue;
		if (!strcasecmp(l, "[Interface]")) {
			section = 1;
		} else if (!strcasecmp(l, "[Peer]")) {
			section = 2;
			c->peers = xrealloc(c->peers, (c->npeers + 1) * sizeof(*c->peers));
			memset(&c->peers[c->npeers++], 0, sizeof(*c->peers));
		} else {
			char *eq = strchr(l, '=');
			if (!eq || !section) {
				rc = -1;
				break;
			}
			*eq = 0;
			char *k = trim(l), *v = trim(eq + 1);
			rc = section == 1 ? set_interface(c, k, v) : set_peer(&c->peers[c->npeers - 1], k, v);
		}
	}
	if (rc) {
		snprintf(err, errlen, "failure: bad wg-quick configuration at line %d", lineno);
		wg_conf_free(c); /* nothing left for the caller, no key left unwiped */
	}
	wg_wipe(copy, strlen(text));
	free(copy);
	return rc;
}

void wg_conf_free(struct wg_conf *c)
{
	xfree_secret(c->private_key);
	free(c->listen_port);
	free(c->mtu);
	sv_free(&c->addresses);
	for (size_t i = 0; i < c->npeers; i++) {
		struct wg_conf_peer *p = &c->peers[i];
		free(p->public_key);
		xfree_secret(p->preshared_key);
		free(p->allowed);
		free(p->endpoint_host);
		free(p->endpoint_port);
		free(p->keepalive);
	}
	free(c->peers);
	memset(c, 0, sizeof(*c));
}
