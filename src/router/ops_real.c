/* The real backends: the userspace data plane (src/dataplane) and the system layer
 * (src/sys: rtnetlink and nftables). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "dataplane/dataplane.h"
#include "router/backend.h"
#include "sys/forwarding.h"
#include "sys/netlink.h"
#include "sys/nft.h"


/* The router's log callback takes an int level; the data plane's an enum. */
struct real_dp {
	struct wg_dataplane *dp;
	wg_dp_log_fn log;
	void *log_ctx;
};


static void dp_log(void *ctx, enum wg_log_level level, const uint8_t *peer_pub, const char *topic, const char *msg)
{
	struct real_dp *r = ctx;
	r->log(r->log_ctx, (int)level, peer_pub, topic, msg);
}

static void *dp_start(void *ctx, const char *ifname, int mtu, wg_dp_log_fn log, void *log_ctx, int *err)
{
	const char *uapi_dir = ctx;
	struct real_dp *r = calloc(1, sizeof(*r));
	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	r->log = log;
	r->log_ctx = log_ctx;
	struct wg_dataplane_opts o = {
		.uapi_socket = true, .uapi_dir = uapi_dir, .mtu = mtu, .log_level = WG_LOG_VERBOSE,
		.log = dp_log, .log_ctx = r,
	};
	r->dp = wg_dataplane_start(ifname, &o, err);
	if (!r->dp) {
		free(r);
		return NULL;
	}
	return r;
}

static void dp_stop(void *ctx, void *h)
{
	struct real_dp *r = h;
	wg_dataplane_stop(r->dp);
	free(r);
}

static int dp_uapi(void *ctx, void *h, const char *req, char **reply)
{
	return wg_dataplane_uapi(((struct real_dp *)h)->dp, req, reply);
}

static int dp_mtu(void *ctx, void *h, int mtu)
{
	return wg_dataplane_set_mtu(((struct real_dp *)h)->dp, mtu);
}

static int dp_up(void *ctx, void *h, bool up)
{
	return wg_dataplane_set_up(((struct real_dp *)h)->dp, up);
}

static int dp_rename(void *ctx, void *h, const char *name)
{
	return wg_dataplane_rename(((struct real_dp *)h)->dp, name);
}

static int dp_responder(void *ctx, void *h, const uint8_t pub[32], bool responder)
{
	return wg_dataplane_set_responder(((struct real_dp *)h)->dp, pub, responder);
}

const struct wg_dp_ops wg_dp_ops_real = {
	.start = dp_start, .stop = dp_stop, .uapi = dp_uapi, .set_mtu = dp_mtu, .set_up = dp_up,
	.set_responder = dp_responder, .rename = dp_rename,
};

static int link_list(void *ctx, struct wg_nl_link **out) { return wg_nl_link_list(out); }
static int addr_add(void *ctx, const char *ifname, const struct wg_prefix *p) { return wg_nl_addr_add(ifname, p); }
static int addr_del(void *ctx, const char *ifname, const struct wg_prefix *p) { return wg_nl_addr_del(ifname, p); }
static int addr_list(void *ctx, int family, struct wg_nl_addr **out) { return wg_nl_addr_list(NULL, family, out); }
static int route_add(void *ctx, const struct wg_nl_route *r) { return wg_nl_route_add(r); }
static int route_del(void *ctx, const struct wg_nl_route *r) { return wg_nl_route_del(r); }
static int route_list(void *ctx, int family, struct wg_nl_route **out) { return wg_nl_route_list(family, 0, out); }
static int rule_add(void *ctx, const struct wg_nl_rule *r) { return wg_nl_rule_add(r); }
static int rule_del(void *ctx, const struct wg_nl_rule *r) { return wg_nl_rule_del(r); }
static int rule_list(void *ctx, int family, struct wg_nl_rule **out) { return wg_nl_rule_list(family, out); }

static int fw_check(void *ctx, enum wg_fw_family f, enum wg_fw_table t, const struct wg_fw_rule *rule, char *err,
		    size_t errlen)
{
	return wg_nft_rule_check(f, t, rule, err, errlen);
}

static int fw_apply(void *ctx, const struct wg_fw_config *cfg, int flags, char *err, size_t errlen)
{
	return wg_nft_apply(cfg, flags, err, errlen);
}

static int fw_counters(void *ctx, struct wg_fw_counter **out)
{
	*out = NULL;
	return wg_nft_read_counters(out);
}

static int fw_dynamic(void *ctx, struct wg_fw_dyn_entry **out)
{
	*out = NULL;
	return wg_nft_read_dynamic(out);
}

static void fw_flush(void *ctx)
{
	wg_nft_flush();
}

static int rates_apply(void *ctx, const struct wg_rate_peer *v, size_t n, char *err, size_t errlen)
{
	return wg_nft_rates_apply(v, n, err, errlen);
}

static int set_forwarding(void *ctx, bool on) { return wg_sys_set_forwarding(on); }

static bool fw_flowtable(void *ctx)
{
	return wg_nft_probe_flowtable();
}

const struct wg_sys_ops wg_sys_ops_real = {
	.link_list = link_list, .addr_add = addr_add, .addr_del = addr_del, .addr_list = addr_list,
	.route_add = route_add, .route_del = route_del, .route_list = route_list,
	.rule_add = rule_add, .rule_del = rule_del, .rule_list = rule_list,
	.fw_check = fw_check, .fw_apply = fw_apply, .fw_counters = fw_counters, .fw_dynamic = fw_dynamic,
	.fw_flush = fw_flush, .fw_flowtable = fw_flowtable, .set_forwarding = set_forwarding,
	.rates_apply = rates_apply,
};
