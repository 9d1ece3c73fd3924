/* Links (RTM_GETLINK / RTM_NEWLINK / RTM_DELLINK). */
#include "sys/netlink.h"
#include "sys/nl_internal.h"
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kind of a link without IFLA_INFO_KIND: real NICs and lo have no rtnl_link_ops. */
static void default_kind(struct wg_nl_link *l, unsigned short arphrd)
{
	if (l->kind[0])
		return;
	if (arphrd == ARPHRD_LOOPBACK)
		snprintf(l->kind, sizeof(l->kind), "loopback");
	else if (arphrd == ARPHRD_ETHER)
		snprintf(l->kind, sizeof(l->kind), "ether");
}

static void link_info(const struct nlattr *info, struct wg_nl_link *l)
{
	const struct nlattr *a;
	mnl_attr_for_each_nested(a, info)
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
			snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(a));
}

static void link_stats(const struct nlattr *a, struct wg_nl_link *l)
{
	struct rtnl_link_stats64 s;
	if (mnl_attr_get_payload_len(a) < sizeof(s))
		return;
	memcpy(&s, mnl_attr_get_payload(a), sizeof(s));
	l->rx_bytes = s.rx_bytes;
	l->tx_bytes = s.tx_bytes;
	l->rx_packets = s.rx_packets;
	l->tx_packets = s.tx_packets;
	l->rx_errors = s.rx_errors;
	l->tx_errors = s.tx_errors;
	l->rx_dropped = s.rx_dropped;
	l->tx_dropped = s.tx_dropped;
}

static void link_attr(const struct nlattr *a, struct wg_nl_link *l)
{
	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME: snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a)); break;
	case IFLA_MTU: l->mtu = mnl_attr_get_u32(a); break;
	case IFLA_MASTER: l->master_index = (int)mnl_attr_get_u32(a); break;
	case IFLA_LINKINFO: link_info(a, l); break;
	case IFLA_STATS64: link_stats(a, l); break;
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(a) == sizeof(l->mac)) {
			memcpy(l->mac, mnl_attr_get_payload(a), sizeof(l->mac));
			l->has_mac = true;
		}
		break;
	}
}

static void parse_link(const struct nlmsghdr *nlh, struct wg_nl_link *l)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->up = ifi->ifi_flags & IFF_UP;
	l->running = ifi->ifi_flags & IFF_RUNNING;
	l->lower_up = ifi->ifi_flags & IFF_LOWER_UP;
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
		link_attr(a, l);
	default_kind(l, ifi->ifi_type);
}

struct link_dump {
	struct wg_nl_link *arr;
	size_t n, cap;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_dump *d = data;
	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	struct wg_nl_link *l = sysnl_array_push((void **)&d->arr, &d->n, &d->cap, sizeof(*l));
	if (!l) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	parse_link(nlh, l);
	return MNL_CB_OK;
}

/* A link request for one existing interface (ifi_index set). */
static struct nlmsghdr *link_msg(void *buf, int type, int flags, int ifindex)
{
	struct nlmsghdr *nlh = sysnl_msg(buf, type, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

int wg_nl_link_list(struct wg_nl_link **out)
{
	struct link_dump d = { 0 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	*out = NULL;
	int ret = sysnl_transact(link_msg(buf, RTM_GETLINK, NLM_F_DUMP, 0), link_cb, &d);
	return sysnl_list_done(ret, d.arr, d.n, (void **)out);
}

int wg_nl_link_get(const char *name, struct wg_nl_link *out)
{
	int idx = sysnl_ifindex(name);
	if (idx < 0)
		return idx;
	struct link_dump d = { 0 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret = sysnl_transact(link_msg(buf, RTM_GETLINK, 0, idx), link_cb, &d);
	if (ret == 0 && d.n != 1)
		ret = -ENODEV;
	if (ret == 0)
		*out = d.arr[0];
	free(d.arr);
	return ret;
}

/* Changes one property of an existing link; put() adds the attribute (or flags). */
static int link_set(const char *name, void (*put)(struct nlmsghdr *, const void *),
		    const void *arg)
{
	int idx = sysnl_ifindex(name);
	if (idx < 0)
		return idx;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, idx);
	put(nlh, arg);
	return sysnl_transact(nlh, NULL, NULL);
}

static void put_up(struct nlmsghdr *nlh, const void *arg)
{
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = *(const bool *)arg ? IFF_UP : 0;
}

static void put_mtu(struct nlmsghdr *nlh, const void *arg)
{
	mnl_attr_put_u32(nlh, IFLA_MTU, *(const unsigned *)arg);
}

static void put_name(struct nlmsghdr *nlh, const void *arg)
{
	mnl_attr_put_strz(nlh, IFLA_IFNAME, arg);
}

int wg_nl_link_set_up(const char *name, bool up)
{
	return link_set(name, put_up, &up);
}

int wg_nl_link_set_mtu(const char *name, unsigned mtu)
{
	return link_set(name, put_mtu, &mtu);
}

static bool name_ok(const char *name)
{
	return name && *name && strlen(name) < IF_NAMESIZE;
}

int wg_nl_link_rename(const char *name, const char *new_name)
{
	if (!name_ok(new_name))
		return -EINVAL;
	return link_set(name, put_name, new_name);
}

/* RTM_NEWLINK creating `name` of `kind`; the caller may add IFLA_INFO_DATA. */
static struct nlmsghdr *create_msg(void *buf, const char *name, const char *kind,
				   struct nlattr **linkinfo)
{
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	*linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	return nlh;
}

int wg_nl_link_create(const char *name, const char *kind)
{
	if (!name_ok(name) || !kind || !*kind)
		return -EINVAL;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *li;
	struct nlmsghdr *nlh = create_msg(buf, name, kind, &li);
	mnl_attr_nest_end(nlh, li);
	return sysnl_transact(nlh, NULL, NULL);
}

int wg_nl_link_create_veth(const char *name, const char *peer)
{
	if (!name_ok(name) || !name_ok(peer))
		return -EINVAL;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *li;
	struct nlmsghdr *nlh = create_msg(buf, name, "veth", &li);
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer is described by its own ifinfomsg followed by its attributes. */
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	memset(ifi, 0, sizeof(*ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return sysnl_transact(nlh, NULL, NULL);
}

int wg_nl_link_delete(const char *name)
{
	int idx = sysnl_ifindex(name);
	if (idx < 0)
		return idx;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	return sysnl_transact(link_msg(buf, RTM_DELLINK, 0, idx), NULL, NULL);
}
