/* /interface/wireguard and /interface/wireguard/peers: properties, generated defaults
 * (keys, listen port, names) and the checks RouterOS users rely on (overlapping
 * allowed-address between peers of one interface is refused, naming both peers). */
#include <string.h>
#include <time.h>
#include "crypto/crypto.h"
#include "router/menus.h"
#include "router/units.h"
#include "sys/prefix.h"

static const struct wg_prop wireguard_props[] = {
	{ "name", PT_STR, PF_UNIQUE, NULL, NULL, 0, 0 },
	{ "mtu", PT_INT, 0, "1420", NULL, 68, 65535 },
	{ "listen-port", PT_INT, 0, NULL, NULL, 0, 65535 },
	{ "private-key", PT_KEY, PF_SENSITIVE, NULL, NULL, 0, 0 },
	{ "public-key", PT_KEY, PF_RO, NULL, NULL, 0, 0 },
	P_COMMENT,
	P_DISABLED,
	{ "running", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	P_END,
};

static const struct wg_prop peer_props[] = {
	{ "name", PT_STR, PF_UNIQUE, NULL, NULL, 0, 0 },
	{ "interface", PT_IFACE, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "public-key", PT_KEY, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "private-key", PT_KEY, PF_SENSITIVE | PF_AUTO, NULL, NULL, 0, 0 },
	{ "preshared-key", PT_KEY, PF_SENSITIVE | PF_AUTO, NULL, NULL, 0, 0 },
	{ "allowed-address", PT_NETS, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "endpoint-address", PT_HOST, 0, NULL, NULL, 0, 0 },
	{ "endpoint-port", PT_INT, 0, NULL, NULL, 0, 65535 },
	{ "persistent-keepalive", PT_TIME, 0, NULL, NULL, 0, 0 },
	{ "responder", PT_BOOL, 0, "no", NULL, 0, 0 },
	{ "client-address", PT_PREFIXES, 0, NULL, NULL, 0, 0 },
	{ "client-dns", PT_IPS, 0, NULL, NULL, 0, 0 },
	{ "client-endpoint", PT_HOST, 0, NULL, NULL, 0, 0 },
	{ "client-keepalive", PT_TIME, 0, NULL, NULL, 0, 0 },
	{ "client-listen-port", PT_INT, 0, NULL, NULL, 0, 65535 },
	{ "client-allowed-address", PT_NETS, 0, "0.0.0.0/0,::/0", NULL, 0, 0 },
	{ "client-mtu", PT_INT, 0, NULL, NULL, 68, 65535 },
	P_COMMENT,
	P_DISABLED,
	{ "current-endpoint-address", PT_IP, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "current-endpoint-port", PT_NUM, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "last-handshake", PT_TIME, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "rx", PT_BYTES, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "tx", PT_BYTES, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	P_END,
};

static const struct wg_flagdef wireguard_flags[] = {
	{ 'X', "disabled", "disabled" }, { 'R', "running", "running" }, { 0, NULL, NULL },
};
static const struct wg_flagdef peer_flags[] = {
	{ 'X', "disabled", "disabled" }, { 0, NULL, NULL },
};

static void key_b64(char out[WG_KEY_B64_LEN + 1], void (*make)(uint8_t *))
{
	uint8_t k[WG_KEY_LEN];
	make(k);
	wg_key_to_base64(out, k);
	wg_wipe(k, sizeof(k));
}

static void make_private(uint8_t *k) { wg_generate_private_key(k); }
static void make_psk(uint8_t *k) { wg_os_random(k, WG_KEY_LEN); }

/* public-key of a base64 private key; false if it is not one. */
static bool derive_public(const char *priv_b64, char out[WG_KEY_B64_LEN + 1])
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	bool ok = priv_b64 && wg_key_from_base64(priv, priv_b64);
	if (ok) {
		wg_x25519_clamp(priv);
		ok = wg_x25519_public(pub, priv);
		wg_key_to_base64(out, pub);
	}
	wg_wipe(priv, sizeof(priv));
	return ok;
}

/* ---- /interface/wireguard ---- */

static int wireguard_on_add(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = &wg_menu_wireguard;
	char key[WG_KEY_B64_LEN + 1];
	if (!wg_item_get(m, it, "name")) {
		char *n = wg_next_name(v, wg_store_table(v->st, m), "wireguard", true);
		wg_item_set(m, it, "name", n);
		free(n);
	}
	if (!wg_item_get(m, it, "private-key")) {
		key_b64(key, make_private);
		wg_item_set(m, it, "private-key", key);
		wg_wipe(key, sizeof(key));
	}
	if (!wg_item_get(m, it, "listen-port")) {
		char port[8];
		snprintf(port, sizeof(port), "%u", wg_router_pick_port(v->r, v->st));
		wg_item_set(m, it, "listen-port", port);
	}
	return 0;
}

static int wireguard_derive(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = &wg_menu_wireguard;
	char pub[WG_KEY_B64_LEN + 1];
	if (!derive_public(wg_item_get(m, it, "private-key"), pub))
		return wg_fail(v, "invalid value for argument private-key");
	wg_item_set(m, it, "public-key", pub);
	return 0;
}

/* The interface's name must not be taken by an interface of the system that is not
 * one of ours (our running interfaces are system interfaces too). */
static int wireguard_check(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = &wg_menu_wireguard;
	const char *name = wg_item_get(m, it, "name");
	const struct wg_table *live = wg_store_ctable(wg_router_store(v->r), m);
	const struct wg_nl_link *links;
	size_t n = wg_router_links(v->r, &links);
	if (!name || !*name)
		return wg_fail(v, "invalid value for argument name");
	if (wg_table_by_name(live, name))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(links[i].name, name))
			return wg_fail(v, "failure: already have interface with such name");
	if (strlen(name) >= IF_NAMESIZE)
		return wg_fail(v, "invalid value for argument name");
	return 0;
}

/* Peers and addresses name their interface; removing it under them would leave a
 * configuration that no longer imports. */
static int wireguard_on_remove(struct wg_vctx *v, const struct wg_item *it)
{
	const char *name = wg_item_get(&wg_menu_wireguard, it, "name");
	const struct wg_menu *users[] = { &wg_menu_peers, &wg_menu_ip_address, &wg_menu_ipv6_address };
	for (size_t k = 0; k < 3; k++) {
		const struct wg_table *t = wg_store_table(v->st, users[k]);
		for (size_t i = 0; i < t->n; i++)
			if (streq(wg_item_get(users[k], t->v[i], "interface"), name))
				return wg_fail(v, "failure: interface %s is used by %s", name, users[k]->path);
	}
	return 0;
}

static void wireguard_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	int i = wg_menu_prop(m, "running");
	xset(&vals[i], wg_router_wg_running(r, it->id) ? "yes" : "no");
}

const struct wg_menu wg_menu_wireguard = {
	.path = "/interface/wireguard",
	.flags = MF_ITEMS,
	.props = wireguard_props,
	.flagdefs = wireguard_flags,
	.name_prop = "name",
	.on_add = wireguard_on_add,
	.derive = wireguard_derive,
	.check = wireguard_check,
	.on_remove = wireguard_on_remove,
	.runtime = wireguard_runtime,
};

/* ---- /interface/wireguard/peers ---- */

static int peer_on_add(struct wg_vctx *v, struct wg_item *it)
{
	if (!wg_item_get(&wg_menu_peers, it, "name")) {
		char *n = wg_next_name(v, wg_store_table(v->st, &wg_menu_peers), "peer", false);
		wg_item_set(&wg_menu_peers, it, "name", n);
		free(n);
	}
	return 0;
}

/* private-key=auto / preshared-key=auto become generated keys; a peer whose private key
 * the router holds gets its public key derived from it. */
static int peer_derive(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = &wg_menu_peers;
	char key[WG_KEY_B64_LEN + 1];
	if (streq(wg_item_get(m, it, "private-key"), "auto")) {
		key_b64(key, make_private);
		wg_item_set(m, it, "private-key", key);
	}
	if (streq(wg_item_get(m, it, "preshared-key"), "auto")) {
		key_b64(key, make_psk);
		wg_item_set(m, it, "preshared-key", key);
	}
	const char *priv = wg_item_get(m, it, "private-key");
	if (priv) {
		if (!derive_public(priv, key))
			return wg_fail(v, "invalid value for argument private-key");
		wg_item_set(m, it, "public-key", key);
	}
	wg_wipe(key, sizeof(key));
	return 0;
}

static int check_interface(struct wg_vctx *v, const struct wg_item *it, const struct wg_item **iface)
{
	const char *name = wg_item_get(&wg_menu_peers, it, "interface");
	*iface = wg_table_by_name(wg_store_table(v->st, &wg_menu_wireguard), name);
	if (!*iface)
		return wg_fail(v, "input does not match any value of interface");
	const char *own = wg_item_get(&wg_menu_wireguard, *iface, "public-key");
	if (streq(own, wg_item_get(&wg_menu_peers, it, "public-key")))
		return wg_fail(v, "failure: peer public-key is the public-key of interface %s", name);
	return 0;
}

/* Returns the first prefix of a overlapping one of b (copies both into the buffers). */
static bool lists_overlap(const char *a, const char *b, char *pa, char *pb)
{
	struct strvec va = { 0 }, vb = { 0 };
	bool hit = false;
	sv_split(&va, a, ',');
	sv_split(&vb, b, ',');
	for (size_t i = 0; i < va.n && !hit; i++) {
		for (size_t j = 0; j < vb.n && !hit; j++) {
			struct wg_prefix x, y;
			if (wg_prefix_parse(&x, va.v[i]) || wg_prefix_parse(&y, vb.v[j]))
				continue;
			if (wg_prefix_overlaps(&x, &y)) {
				snprintf(pa, 64, "%s", va.v[i]);
				snprintf(pb, 64, "%s", vb.v[j]);
				hit = true;
			}
		}
	}
	sv_free(&va);
	sv_free(&vb);
	return hit;
}

static int check_against(struct wg_vctx *v, const struct wg_item *it, const struct wg_item *o)
{
	const struct wg_menu *m = &wg_menu_peers;
	char pa[64], pb[64];
	if (streq(wg_item_get(m, it, "public-key"), wg_item_get(m, o, "public-key")))
		return wg_fail(v, "failure: already have peer with such public-key on interface %s (%s)",
			       wg_item_get(m, it, "interface"), wg_item_get(m, o, "name"));
	if (lists_overlap(wg_item_get(m, it, "allowed-address"), wg_item_get(m, o, "allowed-address"), pa, pb))
		return wg_fail(v, "failure: allowed-address %s of %s overlaps with allowed-address %s of %s",
			       pa, wg_item_get(m, it, "name"), pb, wg_item_get(m, o, "name"));
	return 0;
}

static int peer_check(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = &wg_menu_peers;
	const struct wg_item *iface;
	if (check_interface(v, it, &iface) < 0)
		return -1;
	if (wg_item_get(m, it, "endpoint-address") && !wg_item_get(m, it, "endpoint-port"))
		return wg_fail(v, "missing value(s) of argument(s) endpoint-port");
	const struct wg_table *t = wg_store_table(v->st, m);
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_item *o = t->v[i];
		if (o->id == it->id || !streq(wg_item_get(m, o, "interface"), wg_item_get(m, it, "interface")))
			continue;
		if (check_against(v, it, o) < 0)
			return -1;
	}
	return 0;
}

static void peer_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	struct wg_peer_status s;
	char buf[64];
	wg_router_peer_status(r, it, &s);
	if (!s.known)
		return;
	if (s.endpoint_addr[0]) {
		xset(&vals[wg_menu_prop(m, "current-endpoint-address")], s.endpoint_addr);
		snprintf(buf, sizeof(buf), "%u", s.endpoint_port);
		xset(&vals[wg_menu_prop(m, "current-endpoint-port")], buf);
	}
	if (s.last_handshake_sec) {
		uint64_t now = (uint64_t)time(NULL);
		uint64_t ago = now > s.last_handshake_sec ? now - s.last_handshake_sec : 0;
		xset(&vals[wg_menu_prop(m, "last-handshake")], wg_time_format(ago * 1000, buf, sizeof(buf)));
	} else {
		xset(&vals[wg_menu_prop(m, "last-handshake")], "never");
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s.rx);
	xset(&vals[wg_menu_prop(m, "rx")], buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s.tx);
	xset(&vals[wg_menu_prop(m, "tx")], buf);
}

const struct wg_menu wg_menu_peers = {
	.path = "/interface/wireguard/peers",
	.flags = MF_ITEMS,
	.props = peer_props,
	.flagdefs = peer_flags,
	.name_prop = "name",
	.on_add = peer_on_add,
	.derive = peer_derive,
	.check = peer_check,
	.runtime = peer_runtime,
};
