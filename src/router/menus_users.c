/* /user, /user/group, /user/active and /password.
 *
 * A password given to add or set is hashed by the derive hook (Argon2id, users.c) into
 * password-hash, which is stored and persisted but never shown or exported (PF_HIDDEN);
 * the password itself is never stored. The built-in groups (read, write, full) are
 * listed by print like /system/logging's default rules: not configuration, never
 * exported, and not changeable or removable. */
#include <string.h>
#include <time.h>
#include "crypto/crypto.h"
#include "router/auth.h"
#include "router/btest.h"
#include "router/menus.h"
#include "router/policy.h"
#include "router/units.h"
#include "router/users.h"

/* Printable, no white space, quotes, backslashes or commas (lists of names). */
static bool valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > WG_USER_NAME_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '\\' || *p == ',')
			return false;
	return true;
}

/* ---- /user ---- */

static const struct wg_prop user_props[] = {
	{ "name", PT_STR, PF_REQUIRED | PF_UNIQUE, NULL, NULL, 0, 0 },
	{ "group", PT_STR, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "address", PT_NETS, 0, NULL, NULL, 0, 0 },
	{ "password", PT_STR, PF_WRITEONLY, NULL, NULL, 0, 0 },
	P_COMMENT,
	P_DISABLED,
	{ "last-logged-in", PT_STR, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "password-hash", PT_STR, PF_RO | PF_HIDDEN, NULL, NULL, 0, 0 },
	/* the bandwidth server's MD5 login needs the clear password (router/btest.h) */
	{ "btest-password", PT_STR, PF_WRITEONLY, NULL, NULL, 0, 0 },
	{ "btest-secret", PT_STR, PF_RO | PF_HIDDEN | PF_SENSITIVE, NULL, NULL, 0, 0 },
	P_END,
};
static const struct wg_flagdef user_flags[] = { { 'X', "disabled", "disabled" }, { 0, NULL, NULL } };
static const char *const user_cols[] = { "name", "group", "address", "last-logged-in", NULL };

/* btest-password moves to the hidden btest-secret (secret memory). An empty value
 * clears the argument itself before this runs: a user loses the bandwidth server by
 * being disabled or by a group without the test policy. */
static int btest_derive(struct wg_vctx *v, struct wg_item *it)
{
	int i = wg_menu_prop(v->menu, "btest-password");
	if (!it->vals[i])
		return 0;
	bool too_long = strlen(it->vals[i]) > WG_BTEST_PASSWORD_MAX;
	if (!too_long)
		wg_item_set(v->menu, it, "btest-secret", it->vals[i]);
	xset(&it->vals[i], NULL);
	return too_long ? wg_fail(v, "invalid value for argument btest-password") : 0;
}

/* The password becomes its hash here; the clear text leaves the item at once. */
static int user_derive(struct wg_vctx *v, struct wg_item *it)
{
	if (btest_derive(v, it) < 0)
		return -1;
	int i = wg_menu_prop(v->menu, "password");
	char hash[WG_HASH_MAX];
	if (!it->vals[i])
		return 0;
	bool too_long = strlen(it->vals[i]) > WG_PASSWORD_MAX;
	int rc = too_long ? -1 : wg_password_hash(it->vals[i], hash);
	xset(&it->vals[i], NULL);
	if (too_long)
		return wg_fail(v, "invalid value for argument password");
	if (rc < 0)
		return wg_fail(v, "failure: out of memory while hashing the password");
	wg_item_set(v->menu, it, "password-hash", hash);
	wg_wipe(hash, sizeof(hash));
	return 0;
}

static int user_check(struct wg_vctx *v, struct wg_item *it)
{
	unsigned pol;
	if (!valid_name(wg_item_get(v->menu, it, "name")))
		return wg_fail(v, "invalid value for argument name");
	if (!wg_group_policies(v->st, wg_item_get(v->menu, it, "group"), &pol))
		return wg_fail(v, "input does not match any value of group");
	return 0;
}

static void user_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	char buf[32];
	uint64_t t = wg_users_last_login(wg_router_users(r), wg_item_get(m, it, "name"));
	if (t) {
		wg_datetime_format(t, buf, sizeof(buf));
		xset(&vals[wg_menu_prop(m, "last-logged-in")], buf);
	}
}

const struct wg_menu wg_menu_user = {
	.path = "/user", .flags = MF_ITEMS, .props = user_props, .columns = user_cols, .flagdefs = user_flags,
	.name_prop = "name", .derive = user_derive, .check = user_check, .runtime = user_runtime,
};

/* ---- /user/group ---- */

/* Each policy and its !negation (the check of each word; derive orders them). */
const char *const wg_policy_words[] = {
	"local", "telnet", "ssh", "ftp", "reboot", "read", "write", "policy", "test", "winbox", "password", "web",
	"sniff", "sensitive", "api", "romon", "rest-api", "!local", "!telnet", "!ssh", "!ftp", "!reboot", "!read",
	"!write", "!policy", "!test", "!winbox", "!password", "!web", "!sniff", "!sensitive", "!api", "!romon",
	"!rest-api", NULL,
};

static const struct wg_prop group_props[] = {
	{ "name", PT_STR, PF_REQUIRED | PF_UNIQUE, NULL, NULL, 0, 0 },
	{ "policy", PT_ENUMS, 0, NULL, wg_policy_words, 0, 0 },
	{ "skin", PT_STR, 0, "default", NULL, 0, 0 },
	P_COMMENT,
	{ "default", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	P_END,
};
static const struct wg_flagdef group_flags[] = { { '*', "default", "default" }, { 0, NULL, NULL } };

/* The policy list in RouterOS's form: granted ones in order, then every other as !name. */
int wg_policy_derive(struct wg_vctx *v, struct wg_item *it)
{
	unsigned pol;
	const char *text = wg_item_get(v->menu, it, "policy");
	if (!wg_policy_parse(text ? text : "", &pol))
		return wg_fail(v, "invalid value for argument policy");
	char *canon = wg_policy_format(pol);
	wg_item_set(v->menu, it, "policy", canon);
	free(canon);
	return 0;
}

/* A user whose group is not there any more (the group was renamed or removed). */
static const struct wg_item *orphan_user(const struct wg_store *st, const char *except_group)
{
	const struct wg_table *t = wg_store_ctable(st, &wg_menu_user);
	unsigned pol;
	for (size_t i = 0; i < t->n; i++) {
		const char *g = wg_item_get(&wg_menu_user, t->v[i], "group");
		if (streq(g, except_group) || !wg_group_policies(st, g, &pol))
			return t->v[i];
	}
	return NULL;
}

static int group_check(struct wg_vctx *v, struct wg_item *it)
{
	const char *name = wg_item_get(v->menu, it, "name");
	if (!valid_name(name))
		return wg_fail(v, "invalid value for argument name");
	if (wg_group_builtin(name))
		return wg_fail(v, "failure: already have such entry");
	const struct wg_item *u = orphan_user(v->st, NULL);
	if (u)
		return wg_fail(v, "failure: group %s is used by user %s", wg_item_get(&wg_menu_user, u, "group"),
			       wg_item_get(&wg_menu_user, u, "name"));
	return 0;
}

static int group_remove(struct wg_vctx *v, const struct wg_item *it)
{
	const char *name = wg_item_get(v->menu, it, "name");
	const struct wg_item *u = orphan_user(v->st, name);
	return u ? wg_fail(v, "failure: group %s is used by user %s", name, wg_item_get(&wg_menu_user, u, "name")) : 0;
}

static void group_list(struct wg_router *r, struct wg_itemlist *out)
{
	const struct wg_menu *m = &wg_menu_user_group;
	for (size_t i = 0; i < wg_group_builtin_count(); i++) {
		unsigned pol;
		const char *name = wg_group_builtin_at(i, &pol);
		char *text = wg_policy_format(pol);
		struct wg_item *it = wg_virtual_item(m, 0x80000000u + (uint32_t)i + 1);
		wg_item_set(m, it, "name", name);
		wg_item_set(m, it, "policy", text);
		wg_item_set(m, it, "default", "yes");
		wg_itemlist_push(out, it);
		free(text);
	}
}

const struct wg_menu wg_menu_user_group = {
	.path = "/user/group", .flags = MF_ITEMS, .props = group_props, .flagdefs = group_flags, .name_prop = "name",
	.derive = wg_policy_derive, .check = group_check, .on_remove = group_remove, .list = group_list,
};

/* ---- /user/active ---- */

static const struct wg_prop active_props[] = {
	{ "when", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "name", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "address", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "via", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	P_END,
};
static const char *const active_cols[] = { "when", "name", "address", "via", NULL };

static void active_list(struct wg_router *r, struct wg_itemlist *out)
{
	const struct wg_menu *m = &wg_menu_user_active;
	size_t n;
	struct wg_user_session *s = wg_users_sessions(wg_router_users(r), &n);
	for (size_t i = 0; i < n; i++) {
		char when[32];
		struct wg_item *it = wg_virtual_item(m, s[i].id);
		wg_datetime_format(s[i].when, when, sizeof(when));
		wg_item_set(m, it, "when", when);
		wg_item_set(m, it, "name", s[i].name);
		wg_item_set(m, it, "address", s[i].address);
		wg_item_set(m, it, "via", s[i].via);
		wg_itemlist_push(out, it);
	}
	free(s);
}

const struct wg_menu wg_menu_user_active = {
	.path = "/user/active", .flags = MF_VIRTUAL | MF_NOEXPORT, .props = active_props, .columns = active_cols,
	.list = active_list,
};

/* ---- /password ---- */

static int password_run(struct wg_action_ctx *a)
{
	if (!a->user) {
		snprintf(a->err, a->errlen, "failure: the local console has no user of its own: "
					    "use /user set NAME password=...");
		return -1;
	}
	if (wg_users_change_password(a->next, a->user->name, wg_action_arg(a, "old-password"),
				     wg_action_arg(a, "new-password"), wg_action_arg(a, "confirm-new-password"), a->err,
				     a->errlen) < 0)
		return -1;
	a->changed = true;
	return 0;
}

static const char *const password_params[] = { "old-password", "new-password", "confirm-new-password", NULL };

const struct wg_action wg_root_actions[] = {
	{ "password", password_params, WG_POL_PASSWORD, password_run },
	{ NULL, NULL, 0, NULL },
};
