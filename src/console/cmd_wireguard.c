/* The WireGuard commands: /tool wg-genkey (seed 000), peers show-client-config (with a
 * QR code for the mobile apps), and wg-import / wg-export of wg-quick files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"
#include "console/qr.h"
#include "console/wgconf.h"
#include "crypto/crypto.h"
#include "router/menus.h"

#define W (&wg_menu_wireguard)
#define P (&wg_menu_peers)

/* ---- /tool wg-genkey [public-key from-key KEY] [preshared-key] ---- */

static int genkey_result(struct wg_call *c, const char *b64)
{
	xset(&c->s->last_genkey, b64);
	sb_add(c->ret, b64);
	if (c->top)
		wg_out(c->s, "%s\n", b64);
	return 0;
}

static int cmd_wg_genkey(struct wg_call *c)
{
	struct wg_args a;
	uint8_t k[WG_KEY_LEN], pub[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN + 1];
	int rc = wg_collect_args(c, &a);
	if (rc)
		return rc;
	bool want_pub = wg_arg_flag(&a, "public-key"), psk = wg_arg_flag(&a, "preshared-key");
	const char *from = wg_arg_value(&a, "from-key");
	rc = wg_args_done(c, &a);
	if (!rc && (want_pub || from)) {
		if (!from || !wg_key_from_base64(k, from)) {
			rc = wg_err(c->s, from ? "invalid value for argument from-key" : "missing value(s) of argument(s) from-key");
		} else {
			wg_x25519_clamp(k);
			wg_x25519_public(pub, k);
			wg_key_to_base64(b64, pub);
		}
	} else if (!rc) {
		if (psk)
			wg_os_random(k, sizeof(k));
		else
			wg_generate_private_key(k);
		wg_key_to_base64(b64, k);
	}
	if (!rc)
		rc = genkey_result(c, b64);
	wg_wipe(k, sizeof(k));
	wg_wipe(b64, sizeof(b64));
	wg_args_free(&a);
	return rc;
}

/* ---- show-client-config ---- */

static int client_files(struct wg_call *c, const char *file, const char *conf)
{
	if (wg_write_user_file(c->s, file, ".conf", conf) < 0)
		return -1;
	char *png = xasprintf("%s.png", file), *path = wg_path_file(c->s, png);
	int rc = wg_qr_png(conf, path);
	free(png);
	free(path);
	return rc < 0 ? wg_err(c->s, "failure: could not write %s.png", file) : 0;
}

static int show_one(struct wg_call *c, const struct wg_item *peer, bool qr, const char *file)
{
	struct sbuf conf;
	sb_init(&conf);
	wg_conf_client(c->s->r, wg_cur_store(c->s), peer, &conf);
	int rc = 0;
	if (file) {
		rc = client_files(c, file, sb_str(&conf));
	} else {
		wg_outs(c->s, sb_str(&conf));
		if (qr) {
			struct sbuf q;
			sb_init(&q);
			if (wg_qr_text(sb_str(&conf), &q) < 0)
				rc = wg_err(c->s, "failure: configuration too long for a QR code");
			wg_outs(c->s, "\n");
			wg_outs(c->s, sb_str(&q));
			sb_free(&q);
		}
	}
	wg_wipe_sbuf(&conf);
	return rc;
}

/* Client configs and wg-quick files hold private and preshared keys. */
static int may_see_keys(struct wg_call *c)
{
	return wg_session_policies(c->s) & WG_POL_SENSITIVE ? 0 : wg_err(c->s, "not enough permissions (9)");
}

static int cmd_show_client_config(struct wg_call *c)
{
	struct wg_args a;
	uint32_t *ids = NULL;
	size_t n = 0;
	if (may_see_keys(c) < 0)
		return -1;
	int rc = wg_collect_args(c, &a);
	if (rc)
		return rc;
	const char *qr = wg_arg_value(&a, "as-qr-code"), *file = wg_arg_value(&a, "file");
	const char *num = wg_arg_value(&a, "number");
	bool qr_flag = wg_arg_flag(&a, "as-qr-code");
	struct wg_arg *g = num ? NULL : wg_arg_unnamed(&a);
	bool qr_yes = false, want_qr = qr_flag || (qr && wg_parse_bool(qr, &qr_yes) && qr_yes);
	if (!num && !g)
		rc = wg_err(c->s, "missing value(s) of argument(s) number");
	if (!rc)
		rc = wg_args_done(c, &a);
	if (!rc)
		rc = wg_resolve_ids(c->s, P, num ? num : g->value, &ids, &n);
	const struct wg_table *t = wg_store_ctable(wg_cur_store(c->s), P);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct wg_item *p = wg_table_by_id(t, ids[i]);
		rc = p ? show_one(c, p, want_qr, file) : wg_err(c->s, "no such item");
		if (!rc && i + 1 < n)
			wg_outs(c->s, "\n");
	}
	free(ids);
	wg_args_free(&a);
	return rc;
}

/* ---- wg-import ---- */

/* "wg0.conf" -> "wg0" (the name wg-quick would give the interface). */
static char *name_from_file(const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t n = strcspn(base, ".");
	return n ? xstrndup(base, n) : NULL;
}

static int import_addresses(struct wg_call *c, struct wg_store *next, const struct wg_conf *conf, const char *ifname)
{
	for (size_t i = 0; i < conf->addresses.n; i++) {
		const char *a = conf->addresses.v[i];
		const struct wg_menu *m = strchr(a, ':') ? &wg_menu_ipv6_address : &wg_menu_ip_address;
		const char *kv[] = { "address", a, "interface", ifname, NULL };
		if (wg_add_item(c, next, m, kv) < 0)
			return -1;
	}
	return 0;
}

static int import_peers(struct wg_call *c, struct wg_store *next, const struct wg_conf *conf, const char *ifname)
{
	for (size_t i = 0; i < conf->npeers; i++) {
		const struct wg_conf_peer *p = &conf->peers[i];
		char ka[24] = "";
		if (p->keepalive && strcmp(p->keepalive, "0"))
			snprintf(ka, sizeof(ka), "%ss", p->keepalive);
		const char *kv[] = {
			"interface", ifname, "public-key", p->public_key, "preshared-key", p->preshared_key,
			"allowed-address", p->allowed, "endpoint-address", p->endpoint_host,
			"endpoint-port", p->endpoint_port, "persistent-keepalive", ka[0] ? ka : NULL, NULL,
		};
		if (wg_add_item(c, next, P, kv) < 0)
			return -1;
	}
	return 0;
}

static int import_conf(struct wg_call *c, const struct wg_conf *conf, const char *name)
{
	struct wg_store *next = wg_store_clone(wg_cur_store(c->s));
	const char *kv[] = { "name", name, "private-key", conf->private_key, "listen-port", conf->listen_port,
			     "mtu", conf->mtu, NULL };
	int rc = wg_add_item(c, next, W, kv);
	const struct wg_table *t = wg_store_ctable(next, W);
	const char *ifname = rc ? NULL : wg_item_get(W, t->v[t->n - 1], "name");
	if (!rc)
		rc = import_addresses(c, next, conf, ifname);
	if (!rc)
		rc = import_peers(c, next, conf, ifname);
	if (!rc)
		return wg_commit(c->s, next);
	wg_store_free(next);
	return rc;
}

static int cmd_wg_import(struct wg_call *c)
{
	struct wg_args a;
	struct wg_conf conf;
	char err[128];
	int rc = wg_collect_args(c, &a);
	if (rc)
		return rc;
	const char *file = wg_arg_value(&a, "config-file"), *str = wg_arg_value(&a, "config-string");
	const char *name = wg_arg_value(&a, "name");
	rc = wg_args_done(c, &a);
	if (!rc && !file && !str)
		rc = wg_err(c->s, "missing value(s) of argument(s) config-file");
	struct sbuf text;
	sb_init(&text);
	if (!rc && file)
		rc = wg_read_user_file(c->s, file, NULL, &text);
	else if (!rc)
		sb_add(&text, str);
	char *derived = !name && file ? name_from_file(file) : NULL;
	if (!rc && wg_conf_parse(sb_str(&text), text.len, &conf, err, sizeof(err)) < 0)
		rc = wg_err(c->s, "%s", err);
	else if (!rc) {
		rc = import_conf(c, &conf, name ? name : derived);
		wg_conf_free(&conf);
	}
	wg_wipe_sbuf(&text);
	free(derived);
	wg_args_free(&a);
	return rc;
}

/* ---- wg-export ---- */

static int cmd_wg_export(struct wg_call *c)
{
	struct wg_args a;
	uint32_t *ids = NULL;
	size_t n = 0;
	if (may_see_keys(c) < 0)
		return -1;
	int rc = wg_collect_args(c, &a);
	if (rc)
		return rc;
	const char *file = wg_arg_value(&a, "file");
	struct wg_arg *g = wg_arg_unnamed(&a);
	rc = wg_args_done(c, &a);
	const struct wg_table *t = wg_store_ctable(wg_cur_store(c->s), W);
	if (!rc && g)
		rc = wg_resolve_ids(c->s, W, g->value, &ids, &n);
	else if (!rc) {
		ids = xcalloc(t->n + 1, sizeof(uint32_t));
		for (n = 0; n < t->n; n++)
			ids[n] = t->v[n]->id;
	}
	if (!rc && file && n != 1)
		rc = wg_err(c->s, "failure: file= needs exactly one interface");
	for (size_t i = 0; !rc && i < n; i++) {
		const struct wg_item *it = wg_table_by_id(t, ids[i]);
		struct sbuf b;
		sb_init(&b);
		if (!it) {
			rc = wg_err(c->s, "no such item");
		} else {
			wg_conf_interface(wg_cur_store(c->s), it, &b);
			if (file)
				rc = wg_write_user_file(c->s, file, ".conf", sb_str(&b));
			else
				wg_out(c->s, "%s%s", i ? "\n" : "", sb_str(&b));
		}
		wg_wipe_sbuf(&b);
	}
	free(ids);
	wg_args_free(&a);
	return rc;
}

const struct wg_cmddef wg_wireguard_cmds[] = {
	{ "wg-genkey", cmd_wg_genkey, 0, "/tool" },
	{ "show-client-config", cmd_show_client_config, 0, "/interface/wireguard/peers" },
	{ "wg-import", cmd_wg_import, 0, "/interface/wireguard" },
	{ "wg-export", cmd_wg_export, 0, "/interface/wireguard" },
	{ NULL, NULL, 0, NULL },
};
