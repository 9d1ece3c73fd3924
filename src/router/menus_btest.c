/* /tool/bandwidth-server (one settings item) and its session list. The server itself
 * is src/tools/btest_server.c, started and stopped by the daemon (src/cmd/btest.c)
 * whenever these settings change (WG_WATCH_BTEST). RouterOS enables the server by
 * default; here it starts disabled, as /ip/service does: port 2000 may belong to
 * another program on a Linux host. allocate-udp-ports-from keeps RouterOS's default,
 * 2000 (the open implementation counts from 2001): UDP port 2000 does not clash with
 * the TCP control port. */
#include <stdlib.h>
#include <string.h>
#include "router/auth.h"
#include "router/btest.h"
#include "router/menus.h"
#include "router/policy.h"
#include "router/users.h"

static const struct wg_prop server_props[] = {
	{ "enabled", PT_BOOL, 0, "no", NULL, 0, 0 },
	{ "authenticate", PT_BOOL, 0, "yes", NULL, 0, 0 },
	{ "allocate-udp-ports-from", PT_INT, 0, "2000", NULL, 1000, 64000 },
	{ "max-sessions", PT_INT, 0, "100", NULL, 1, 1000 },
	P_END,
};

const struct wg_menu wg_menu_btest_server = {
	.path = "/tool/bandwidth-server", .flags = MF_SETTINGS, .props = server_props,
};

static const struct wg_item *settings_item(const struct wg_store *st)
{
	const struct wg_table *t = wg_store_ctable(st, &wg_menu_btest_server);
	return t && t->n ? t->v[0] : NULL;
}

static const char *setting(const struct wg_item *it, const char *name)
{
	const struct wg_menu *m = &wg_menu_btest_server;
	int i = wg_menu_prop(m, name);
	return it && it->vals[i] ? it->vals[i] : m->props[i].def;
}

void wg_btest_settings_get(const struct wg_store *st, struct wg_btest_settings *out)
{
	const struct wg_item *it = settings_item(st);
	bool b = false;
	memset(out, 0, sizeof(*out));
	out->enabled = wg_parse_bool(setting(it, "enabled"), &b) && b;
	out->authenticate = !wg_parse_bool(setting(it, "authenticate"), &b) || b;
	out->udp_from = (uint16_t)atoi(setting(it, "allocate-udp-ports-from"));
	out->max_sessions = (unsigned)atoi(setting(it, "max-sessions"));
}

bool wg_btest_user_secret(const struct wg_store *st, const char *user, const char *addr, char *out, size_t len)
{
	const struct wg_menu *m = &wg_menu_user;
	const struct wg_item *it = wg_table_by_name(wg_store_ctable(st, m), user);
	unsigned pol = 0;
	if (!it || wg_item_flag(m, it, "disabled") || !wg_addr_allowed(wg_item_get(m, it, "address"), addr))
		return false;
	if (!wg_group_policies(st, wg_item_get(m, it, "group"), &pol) || !(pol & WG_POL_TEST))
		return false;
	const char *secret = wg_item_get(m, it, "btest-secret");
	if (!secret || strlen(secret) >= len)
		return false;
	memcpy(out, secret, strlen(secret) + 1);
	return true;
}

/* ---- /tool/bandwidth-server/session ---- */

static wg_btest_sessions_fn sessions_fn;
static void *sessions_ctx;

void wg_btest_set_sessions_hook(wg_btest_sessions_fn fn, void *ctx)
{
	sessions_fn = fn;
	sessions_ctx = ctx;
}

static const struct wg_prop session_props[] = {
	{ "remote-address", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "user", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "protocol", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "direction", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "connection-count", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	P_END,
};
static const char *const session_cols[] = { "remote-address", "user", "protocol", "direction",
					    "connection-count", NULL };

static void session_list(struct wg_router *r, struct wg_itemlist *out)
{
	const struct wg_menu *m = &wg_menu_btest_session;
	char buf[16384];
	uint32_t id = 0;
	if (!sessions_fn || !sessions_fn(sessions_ctx, buf, sizeof(buf)))
		return;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct strvec f = { 0 };
		sv_split(&f, line, '\t');
		if (f.n == 5) {
			struct wg_item *it = wg_virtual_item(m, ++id);
			for (size_t i = 0; i < 5; i++)
				wg_item_set(m, it, session_props[i].name, f.v[i]);
			wg_itemlist_push(out, it);
		}
		sv_free(&f);
	}
}

const struct wg_menu wg_menu_btest_session = {
	.path = "/tool/bandwidth-server/session", .flags = MF_VIRTUAL | MF_NOEXPORT, .props = session_props,
	.columns = session_cols, .list = session_list,
};
