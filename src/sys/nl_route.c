/* Routes (RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE). */
#include "sys/netlink.h"
#include "sys/nl_internal.h"
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

static int check(const struct wg_nl_route *r)
{
	if ((r->dst.family != AF_INET && r->dst.family != AF_INET6) ||
	    r->dst.len > wg_prefix_maxlen(r->dst.family) || !wg_prefix_is_network(&r->dst))
		return -EINVAL;
	if (r->table == 0 || r->table == RT_TABLE_UNSPEC || r->table == 0xffffffffu)
		return -EINVAL;
	if (r->blackhole && (r->has_gateway || r->oif[0]))
		return -EINVAL;
	if (!r->blackhole && !r->has_gateway && !r->oif[0])
		return -EINVAL;
	return 0;
}

/* Builds the request; for deletion the kernel matches every attribute we send, so
 * optional ones are sent only when the caller set them. */
static int route_msg(void *buf, int type, int flags, const struct wg_nl_route *r,
		     struct nlmsghdr **out)
{
	int oif = 0;
	if (r->oif[0] && (oif = sysnl_ifindex(r->oif)) < 0)
		return oif;
	bool del = type == RTM_DELROUTE;
	struct nlmsghdr *nlh = sysnl_msg(buf, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)r->dst.family;
	rtm->rtm_dst_len = r->dst.len;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = del ? 0 : (r->protocol ? r->protocol : WG_NL_PROTO_STATIC);
	/* A device route (no next hop) reaches only the link: scope link, as `ip route` does. */
	rtm->rtm_scope = del ? RT_SCOPE_NOWHERE
		: (!r->has_gateway && !r->blackhole) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	rtm->rtm_type = r->blackhole ? RTN_BLACKHOLE : del ? RTN_UNSPEC : RTN_UNICAST;
	size_t alen = (size_t)wg_prefix_addrlen(r->dst.family);
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->dst.len)
		mnl_attr_put(nlh, RTA_DST, alen, r->dst.addr);
	if (r->has_gateway)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, r->gateway);
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	if (!del || r->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	*out = nlh;
	return 0;
}

static int modify(const struct wg_nl_route *r, int type, int flags)
{
	int ret = check(r);
	if (ret < 0)
		return ret;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	if ((ret = route_msg(buf, type, flags, r, &nlh)) < 0)
		return ret;
	ret = sysnl_transact(nlh, NULL, NULL);
	/* "No such route" is ESRCH from the kernel; callers think in ENOENT. */
	return type == RTM_DELROUTE && ret == -ESRCH ? -ENOENT : ret;
}

int wg_nl_route_add(const struct wg_nl_route *r)
{
	return modify(r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
}

int wg_nl_route_replace(const struct wg_nl_route *r)
{
	return modify(r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
}

int wg_nl_route_del(const struct wg_nl_route *r)
{
	return modify(r, RTM_DELROUTE, 0);
}

struct route_dump {
	int family;
	uint32_t table;
	struct wg_nl_route *arr;
	size_t n, cap;
	struct sysnl_ifname_cache names;
};

/* First next hop of a multipath route: enough to show a gateway in print. */
static void first_nexthop(const struct nlattr *mp, struct wg_nl_route *r, size_t alen)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(mp);
	if (mnl_attr_get_payload_len(mp) < sizeof(*nh) || nh->rtnh_len < sizeof(*nh))
		return;
	r->oif_index = nh->rtnh_ifindex;
	const struct nlattr *a = (const struct nlattr *)RTNH_DATA(nh);
	const char *end = (const char *)nh + nh->rtnh_len;
	for (; mnl_attr_ok(a, (int)(end - (const char *)a)); a = mnl_attr_next(a))
		if (mnl_attr_get_type(a) == RTA_GATEWAY && mnl_attr_get_payload_len(a) == alen) {
			r->has_gateway = true;
			memcpy(r->gateway, mnl_attr_get_payload(a), alen);
		}
}

static void route_attr(const struct nlattr *a, struct wg_nl_route *r, size_t alen)
{
	bool addr = mnl_attr_get_payload_len(a) == alen;
	switch (mnl_attr_get_type(a)) {
	case RTA_TABLE: r->table = mnl_attr_get_u32(a); break;
	case RTA_DST: if (addr) memcpy(r->dst.addr, mnl_attr_get_payload(a), alen); break;
	case RTA_GATEWAY:
		if (addr) {
			r->has_gateway = true;
			memcpy(r->gateway, mnl_attr_get_payload(a), alen);
		}
		break;
	case RTA_PREFSRC:
		if (addr) {
			r->has_prefsrc = true;
			memcpy(r->prefsrc, mnl_attr_get_payload(a), alen);
		}
		break;
	case RTA_OIF: r->oif_index = (int)mnl_attr_get_u32(a); break;
	case RTA_PRIORITY: r->metric = mnl_attr_get_u32(a); break;
	case RTA_MULTIPATH: first_nexthop(a, r, alen); break;
	}
}

static bool wanted(const struct route_dump *d, const struct rtmsg *rtm, uint32_t table)
{
	if (rtm->rtm_flags & RTM_F_CLONED)
		return false;
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return false;
	if (rtm->rtm_type != RTN_UNICAST && rtm->rtm_type != RTN_BLACKHOLE)
		return false;
	return d->table ? table == d->table : table != RT_TABLE_LOCAL;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_dump *d = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct wg_nl_route r = { .table = rtm->rtm_table };
	size_t alen = (size_t)wg_prefix_addrlen(rtm->rtm_family);
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
		route_attr(a, &r, alen);
	if (!wanted(d, rtm, r.table))
		return MNL_CB_OK;
	r.dst.family = rtm->rtm_family;
	r.dst.len = rtm->rtm_dst_len;
	r.protocol = rtm->rtm_protocol;
	r.type = rtm->rtm_type;
	r.scope = rtm->rtm_scope;
	r.blackhole = rtm->rtm_type == RTN_BLACKHOLE;
	if (r.oif_index)
		sysnl_ifname(&d->names, (unsigned)r.oif_index, r.oif);
	return sysnl_collect((void **)&d->arr, &d->n, &d->cap, &r, sizeof(r));
}

int wg_nl_route_list(int family, uint32_t table, struct wg_nl_route **out)
{
	struct route_dump d = { .family = family, .table = table };
	*out = NULL;
	int ret = sysnl_dump_families(RTM_GETROUTE, sizeof(struct rtmsg), family, route_cb, &d);
	return sysnl_list_done(ret, d.arr, d.n, (void **)out);
}
