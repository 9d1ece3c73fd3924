/* /tool/sniffer: the settings (what to capture, where to keep it), start, stop and
 * save. The capture itself is src/tools/sniffer.c, a thread of its own held in the
 * router's tools state (toolsrt.h) from start to the next start. Files are plain names
 * in the router's files directory, as /file lists them. Sizes are KiB, as RouterOS's. */
#include <string.h>
#include "router/menus.h"
#include "router/policy.h"
#include "router/toolsrt.h"
#include "tools/sniffer.h"

enum { KIB = 1024 };

static const struct wg_prop sniffer_props[] = {
	{ "filter-interface", PT_STR, 0, "all", NULL, 0, 0 },
	{ "filter-ip-address", PT_STR, 0, "", NULL, 0, 0 },
	{ "filter-port", PT_STR, 0, "", NULL, 0, 0 },
	{ "filter-ip-protocol", PT_STR, 0, "", NULL, 0, 0 },
	{ "file-name", PT_STR, 0, "", NULL, 0, 0 },
	{ "file-limit", PT_INT, 0, "1000", NULL, 10, 4194304 },
	{ "memory-limit", PT_INT, 0, "100", NULL, 10, 262144 },
	{ "running", PT_BOOL, PF_RO | PF_RUNTIME, "no", NULL, 0, 0 },
	P_END,
};

static bool plain_iface(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= 16)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '/' || *p == ',' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

static int sniffer_check(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	const char *ifn = wg_item_get(m, it, "filter-interface"), *file = wg_item_get(m, it, "file-name");
	char bpf[1024];
	if (ifn && *ifn && strcmp(ifn, "all") && !plain_iface(ifn))
		return wg_fail(v, "invalid value for argument filter-interface");
	if (file && *file && (strchr(file, '/') || file[0] == '.' || strlen(file) > 128))
		return wg_fail(v, "invalid value for argument file-name");
	if (wg_sniff_filter(wg_item_get(m, it, "filter-ip-address"), wg_item_get(m, it, "filter-port"),
			    wg_item_get(m, it, "filter-ip-protocol"), bpf, sizeof(bpf), v->err, v->errlen) < 0)
		return -1;
	return 0;
}

static void sniffer_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	struct wg_sniffer *s = wg_toolsrt_sniffer(wg_router_tools(r));
	struct wg_sniff_stats st = { 0 };
	if (s)
		wg_sniffer_stats(s, &st);
	xset(&vals[wg_menu_prop(m, "running")], st.running ? "yes" : "no");
}

static const struct wg_item *settings(struct wg_action_ctx *a)
{
	const struct wg_table *t = wg_store_ctable(a->next, &wg_menu_sniffer);
	return t->n ? t->v[0] : NULL;
}

static int fail(struct wg_action_ctx *a, const char *msg)
{
	snprintf(a->err, a->errlen, "%s", msg);
	return -1;
}

static int sniffer_start(struct wg_action_ctx *a)
{
	const struct wg_menu *m = &wg_menu_sniffer;
	const struct wg_item *it = settings(a);
	struct wg_toolsrt *t = wg_router_tools(a->r);
	struct wg_sniff_stats st = { 0 };
	char bpf[1024];
	if (!it)
		return fail(a, "failure: no sniffer settings");
	if (wg_toolsrt_sniffer(t))
		wg_sniffer_stats(wg_toolsrt_sniffer(t), &st);
	if (st.running)
		return 0; /* as RouterOS: start while running changes nothing */
	if (wg_sniff_filter(wg_item_get(m, it, "filter-ip-address"), wg_item_get(m, it, "filter-port"),
			    wg_item_get(m, it, "filter-ip-protocol"), bpf, sizeof(bpf), a->err, a->errlen) < 0)
		return -1;
	const char *ifn = wg_item_get(m, it, "filter-interface"), *file = wg_item_get(m, it, "file-name");
	char *path = file && *file ? wg_router_files_path(a->r, file) : NULL;
	if (file && *file && !path)
		return fail(a, "failure: cannot write file-name here");
	struct wg_sniff_opts o = { .iface = ifn && strcmp(ifn, "all") ? ifn : NULL, .filter = bpf, .path = path,
				   .file_limit = (uint64_t)atoll(wg_item_get(m, it, "file-limit")) * KIB,
				   .mem_limit = (uint64_t)atoll(wg_item_get(m, it, "memory-limit")) * KIB };
	struct wg_sniffer *s;
	int rc = wg_sniffer_start(&s, &o, a->err, a->errlen);
	free(path);
	if (rc == 0) {
		wg_toolsrt_set_sniffer(t, s);
		wg_router_logf(a->r, "system,info", "sniffer started");
	}
	return rc;
}

static int sniffer_stop(struct wg_action_ctx *a)
{
	struct wg_sniffer *s = wg_toolsrt_sniffer(wg_router_tools(a->r));
	if (s)
		wg_sniffer_halt(s);
	return 0;
}

static int sniffer_save(struct wg_action_ctx *a)
{
	struct wg_sniffer *s = wg_toolsrt_sniffer(wg_router_tools(a->r));
	const char *file = wg_action_arg(a, "file-name");
	if (!file || !*file)
		return fail(a, "missing value(s) of argument(s) file-name");
	char *path = wg_router_files_path(a->r, file);
	if (!path)
		return fail(a, "invalid value for argument file-name");
	int rc = s ? wg_sniffer_save(s, path, a->err, a->errlen) : fail(a, "failure: nothing captured");
	free(path);
	return rc;
}

static const char *const no_params[] = { NULL };
static const char *const save_params[] = { "file-name", NULL };
static const struct wg_action sniffer_actions[] = {
	{ "start", no_params, WG_POL_SNIFF, sniffer_start },
	{ "stop", no_params, WG_POL_SNIFF, sniffer_stop },
	{ "save", save_params, WG_POL_SNIFF, sniffer_save },
	{ NULL, NULL, 0, NULL },
};

const struct wg_menu wg_menu_sniffer = {
	.path = "/tool/sniffer", .flags = MF_SETTINGS, .props = sniffer_props, .check = sniffer_check,
	.runtime = sniffer_runtime, .actions = sniffer_actions,
};
