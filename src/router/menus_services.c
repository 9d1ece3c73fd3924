/* /ip/service: four fixed rows (services.h). A port equal to the row's own default is
 * stored as unset, so a compact export shows only what was changed, as RouterOS's
 * `/ip service set www-ssl certificate=web disabled=no`. */
#include <stdlib.h>
#include <string.h>
#include "router/menus.h"
#include "router/services.h"

static const char *const names[] = { "www", "www-ssl", "api", "api-ssl", NULL };
static const char *const ports[] = { "80", "443", "8728", "8729" };
static const char *const tls_versions[] = { "any", "only-1.2", NULL };

static const struct wg_prop service_props[] = {
	{ "name", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "port", PT_INT, 0, NULL, NULL, 1, 65535 },
	{ "address", PT_NETS, 0, NULL, NULL, 0, 0 },
	{ "certificate", PT_STR, 0, "none", NULL, 0, 0 },
	{ "tls-version", PT_ENUM, 0, "any", tls_versions, 0, 0 },
	{ "max-sessions", PT_INT, 0, "20", NULL, 1, 1000 },
	{ "disabled", PT_BOOL, 0, "yes", NULL, 0, 0 },
	{ "invalid", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	P_END,
};
static const struct wg_flagdef service_flags[] = {
	{ 'X', "disabled", "disabled" }, { 'I', "invalid", "invalid" }, { 0, NULL, NULL },
};
static const char *const service_cols[] = { "name", "port", "address", "certificate", "max-sessions", NULL };

static int row_of(const char *name)
{
	for (int i = 0; names[i]; i++)
		if (streq(names[i], name))
			return i;
	return -1;
}

static bool is_tls(const char *name)
{
	return streq(name, "www-ssl") || streq(name, "api-ssl");
}

static const char *service_default(const struct wg_item *it, int idx)
{
	int row = row_of(it->vals[0]); /* props[0] is name */
	return row >= 0 && idx == 1 ? ports[row] : NULL;
}

static int service_add(struct wg_vctx *v, struct wg_item *it)
{
	return wg_fail(v, "failure: the services are fixed: change them with set");
}

static int service_remove(struct wg_vctx *v, const struct wg_item *it)
{
	return wg_fail(v, "failure: the services are fixed: disable one with set NAME disabled=yes");
}

static int service_derive(struct wg_vctx *v, struct wg_item *it)
{
	int port = wg_menu_prop(v->menu, "port");
	if (it->vals[port] && streq(it->vals[port], service_default(it, port)))
		xset(&it->vals[port], NULL);
	return 0;
}

static bool usable_cert(const struct wg_store *st, const char *name)
{
	const struct wg_menu *c = &wg_menu_certificate;
	const struct wg_item *it = wg_table_by_name(wg_store_ctable(st, c), name);
	return it && wg_item_flag(c, it, "private-key");
}

/* Another enabled service on this one's port. */
static const struct wg_item *port_clash(struct wg_vctx *v, const struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	const struct wg_table *t = wg_store_ctable(v->st, m);
	if (wg_item_flag(m, it, "disabled"))
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i]->id != it->id && !wg_item_flag(m, t->v[i], "disabled") &&
		    streq(wg_item_get(m, t->v[i], "port"), wg_item_get(m, it, "port")))
			return t->v[i];
	return NULL;
}

static int service_check(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	const char *name = wg_item_get(m, it, "name"), *cert = wg_item_get(m, it, "certificate");
	const struct wg_item *other;
	bool tls = is_tls(name);
	if (!tls && !streq(cert, "none"))
		return wg_fail(v, "failure: certificate can be set only for www-ssl and api-ssl");
	if (!tls && !streq(wg_item_get(m, it, "tls-version"), "any"))
		return wg_fail(v, "failure: tls-version can be set only for www-ssl and api-ssl");
	if (!streq(cert, "none") && !wg_table_by_name(wg_store_ctable(v->st, &wg_menu_certificate), cert))
		return wg_fail(v, "input does not match any value of certificate");
	const char *addr = wg_item_get(m, it, "address");
	if (addr && strlen(addr) >= sizeof(((struct wg_service *)0)->address))
		return wg_fail(v, "failure: too many addresses");
	if ((other = port_clash(v, it)))
		return wg_fail(v, "failure: port %s is used by service %s", wg_item_get(m, it, "port"),
			       wg_item_get(m, other, "name"));
	struct wg_service met;
	if (!wg_item_flag(m, it, "disabled") && wg_metrics_service_get(v->st, &met) && met.enabled &&
	    met.port == atoi(wg_item_get(m, it, "port")))
		return wg_fail(v, "failure: port %u is used by /system/metrics", met.port);
	return 0;
}

/* An enabled TLS service without a certificate that has its private key cannot serve. */
static void service_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	bool invalid = !wg_item_flag(m, it, "disabled") && is_tls(vals[0]) &&
		       !usable_cert(wg_router_store(r), wg_item_get(m, it, "certificate"));
	xset(&vals[wg_menu_prop(m, "invalid")], invalid ? "yes" : "no");
}

const struct wg_menu wg_menu_ip_service = {
	.path = "/ip/service", .flags = MF_ITEMS | MF_FIXED, .props = service_props, .columns = service_cols,
	.flagdefs = service_flags, .name_prop = "name", .on_add = service_add, .derive = service_derive,
	.check = service_check, .on_remove = service_remove, .runtime = service_runtime, .fixed = names,
	.row_default = service_default,
};

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

bool wg_service_get(const struct wg_store *st, const char *name, struct wg_service *out)
{
	const struct wg_menu *m = &wg_menu_ip_service;
	const struct wg_item *it = wg_table_by_name(wg_store_ctable(st, m), name);
	memset(out, 0, sizeof(*out));
	if (!it)
		return false;
	const char *cert = wg_item_get(m, it, "certificate");
	copy(out->name, sizeof(out->name), name);
	out->enabled = !wg_item_flag(m, it, "disabled");
	out->tls = is_tls(name);
	out->port = (uint16_t)atoi(wg_item_get(m, it, "port"));
	copy(out->address, sizeof(out->address), wg_item_get(m, it, "address"));
	copy(out->certificate, sizeof(out->certificate), streq(cert, "none") ? NULL : cert);
	out->max_sessions = (unsigned)atoi(wg_item_get(m, it, "max-sessions"));
	out->tls12_only = streq(wg_item_get(m, it, "tls-version"), "only-1.2");
	return true;
}
