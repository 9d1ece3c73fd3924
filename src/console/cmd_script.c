/* Running scripts: /system/script run, :execute, and wg_session_run_script (the
 * daemon's script thread). A script runs in a session of its own (its own :local
 * variables and current menu) as a user named after its owner whose policies are the
 * script's policy= intersected with the owner's group (router/scripts.c): what it may
 * change and see is decided by the same checks as any console. Its length in commands
 * and time is bounded (wg_session_set_limits). */
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"
#include "router/scripts.h"

enum { SCRIPT_MAX_MS = 10 * 60 * 1000, SCRIPT_MAX_STEPS = 100000 };

static void script_user(struct wg_auth_user *u, const char *owner, unsigned policies)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", owner && *owner ? owner : "admin");
	snprintf(u->door, sizeof(u->door), "script");
	u->policies = policies;
}

int wg_session_run_script(struct wg_router *r, const char *source, const char *owner, unsigned policies,
			  wg_out_fn out, void *out_ctx, const struct wg_wait_hooks *hooks)
{
	struct wg_session *s = wg_session_new(r, out, out_ctx);
	struct wg_auth_user u;
	script_user(&u, owner, policies);
	wg_session_set_user(s, &u);
	if (hooks)
		wg_session_set_wait_hooks(s, hooks);
	wg_session_set_limits(s, SCRIPT_MAX_MS, SCRIPT_MAX_STEPS);
	wg_session_set_batch(s, true);
	int rc = wg_session_run(s, source);
	wg_session_free(s);
	return rc;
}

/* The item a run argument names (number of the last print, *ID or name). */
static char *script_name(struct wg_call *c, const char *ref)
{
	uint32_t *ids;
	size_t n;
	char *name = NULL;
	if (wg_resolve_ids(c->s, c->menu, ref, &ids, &n) < 0)
		return NULL;
	const struct wg_item *it = n == 1 ? wg_table_by_id(wg_store_ctable(wg_cur_store(c->s), c->menu), ids[0]) : NULL;
	if (it)
		name = xstrdup(wg_item_get(c->menu, it, "name"));
	else
		wg_err(c->s, n > 1 ? "failure: one item at a time" : "no such item");
	free(ids);
	return name;
}

/* /system/script run NAME: in this console, its output here, with the runner's
 * policies too (RouterOS refuses a runner who lacks one of the script's). */
static int cmd_run(struct wg_call *c)
{
	struct wg_args a;
	char err[128], *src = NULL, *name = NULL;
	unsigned pol;
	int rc = wg_collect_args(c, &a);
	struct wg_arg *g = rc ? NULL : wg_arg_unnamed(&a);
	if (!rc && !g)
		rc = wg_err(c->s, "missing value(s) of argument(s) number");
	if (!rc) {
		g->used = true;
		rc = wg_args_done(c, &a);
	}
	if (!rc && !(name = script_name(c, g->value)))
		rc = -1;
	if (!rc && wg_scripts_prepare(c->s->r, name, wg_session_policies(c->s), &src, &pol, err, sizeof(err)) < 0)
		rc = wg_err(c->s, "%s", err);
	if (!rc && c->s->depth > 8)
		rc = wg_err(c->s, "failure: scripts nested too deep");
	if (!rc) {
		const struct wg_item *it = wg_table_by_name(wg_store_ctable(wg_cur_store(c->s), c->menu), name);
		struct wg_session *child = wg_session_new(c->s->r, c->s->out, c->s->out_ctx);
		struct wg_auth_user u;
		script_user(&u, it ? wg_item_get(c->menu, it, "owner") : NULL, pol);
		wg_session_set_user(child, &u);
		child->wait = c->s->wait;
		child->depth = c->s->depth + 1;
		rc = wg_session_run(child, src);
		wg_session_free(child);
	}
	free(src);
	free(name);
	wg_args_free(&a);
	return rc;
}

/* :execute script="..." (or the code unnamed): queued for the daemon's script thread
 * with this session's user; returns the job number at once. */
int wg_cmd_execute(struct wg_call *c)
{
	struct wg_args a;
	int rc = wg_collect_args(c, &a);
	const char *code = rc ? NULL : wg_arg_value(&a, "script");
	struct wg_arg *g = rc || code ? NULL : wg_arg_unnamed(&a);
	if (!rc && wg_arg_value(&a, "file"))
		rc = wg_err(c->s, "failure: file= is not supported: the output of :execute goes to the log");
	if (!rc && g) {
		g->used = true;
		code = g->value;
	}
	if (!rc && !code)
		rc = wg_err(c->s, "missing value(s) of argument(s) script");
	if (!rc)
		rc = wg_args_done(c, &a);
	if (!rc) {
		uint32_t id = wg_scripts_queue(c->s->r, code, ":execute", c->s->user ? c->s->user->name : "",
					       wg_session_policies(c->s));
		if (!id)
			rc = wg_err(c->s, "failure: too many scripts waiting to run");
		else if (c->ret)
			sb_printf(c->ret, "%u", id);
	}
	wg_args_free(&a);
	return rc;
}

const struct wg_cmddef wg_script_cmds[] = {
	{ "run", cmd_run, 0, "/system/script" },
	{ NULL, NULL, 0, NULL },
};
