/* Interface addresses (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR). */
#include "sys/netlink.h"
#include "sys/nl_internal.h"
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

/* The IPv4 broadcast address of p, which RouterOS also sets; none for /31 and /32. */
static bool broadcast(const struct wg_prefix *p, uint8_t out[4])
{
	if (p->family != AF_INET || p->len >= 31)
		return false;
	uint32_t a, host = p->len ? (1u << (32 - p->len)) - 1 : 0xffffffffu;
	memcpy(&a, p->addr, 4);
	a = htonl(ntohl(a) | host);
	memcpy(out, &a, 4);
	return true;
}

static struct nlmsghdr *addr_msg(void *buf, int type, int flags, int ifindex,
				 const struct wg_prefix *p)
{
	struct nlmsghdr *nlh = sysnl_msg(buf, type, flags);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)p->family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_index = (unsigned)ifindex;
	size_t alen = (size_t)wg_prefix_addrlen(p->family);
	mnl_attr_put(nlh, IFA_LOCAL, alen, p->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, p->addr);
	return nlh;
}

static bool valid(const struct wg_prefix *p)
{
	return (p->family == AF_INET || p->family == AF_INET6) &&
	       p->len <= wg_prefix_maxlen(p->family);
}

/* The interface index an add or delete of p on ifname goes to, or -errno. */
static int target(const char *ifname, const struct wg_prefix *p)
{
	return valid(p) ? sysnl_ifindex(ifname) : -EINVAL;
}

int wg_nl_addr_add(const char *ifname, const struct wg_prefix *p)
{
	int idx = target(ifname, p);
	if (idx < 0)
		return idx;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = addr_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, idx, p);
	uint8_t brd[4];
	if (broadcast(p, brd))
		mnl_attr_put(nlh, IFA_BROADCAST, sizeof(brd), brd);
	return sysnl_transact(nlh, NULL, NULL);
}

int wg_nl_addr_del(const char *ifname, const struct wg_prefix *p)
{
	int idx = target(ifname, p);
	if (idx < 0)
		return idx;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret = sysnl_transact(addr_msg(buf, RTM_DELADDR, 0, idx, p), NULL, NULL);
	/* The kernel says EADDRNOTAVAIL for "no such address"; callers think in ENOENT. */
	return ret == -EADDRNOTAVAIL ? -ENOENT : ret;
}

struct addr_dump {
	int ifindex, family;
	struct wg_nl_addr *arr;
	size_t n, cap;
	struct sysnl_ifname_cache names;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if ((d->ifindex && (int)ifa->ifa_index != d->ifindex) ||
	    (d->family && ifa->ifa_family != d->family) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	const struct nlattr *local = NULL, *address = NULL, *attr;
	uint32_t flags = ifa->ifa_flags;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		switch (mnl_attr_get_type(attr)) {
		case IFA_LOCAL: local = attr; break;
		case IFA_ADDRESS: address = attr; break;
		case IFA_FLAGS: flags = mnl_attr_get_u32(attr); break;
		}
	}
	/* IFA_LOCAL is our address; IFA_ADDRESS is the peer on point-to-point links. */
	const struct nlattr *a = local ? local : address;
	size_t alen = (size_t)wg_prefix_addrlen(ifa->ifa_family);
	if (!a || mnl_attr_get_payload_len(a) != alen)
		return MNL_CB_OK;
	struct wg_nl_addr *e = sysnl_array_push((void **)&d->arr, &d->n, &d->cap, sizeof(*e));
	if (!e) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	e->ifindex = (int)ifa->ifa_index;
	sysnl_ifname(&d->names, ifa->ifa_index, e->ifname);
	e->prefix.family = ifa->ifa_family;
	e->prefix.len = ifa->ifa_prefixlen;
	memcpy(e->prefix.addr, mnl_attr_get_payload(a), alen);
	e->scope = ifa->ifa_scope;
	e->flags = flags;
	return MNL_CB_OK;
}

int wg_nl_addr_list(const char *ifname, int family, struct wg_nl_addr **out)
{
	struct addr_dump d = { .family = family };
	*out = NULL;
	if (ifname) {
		d.ifindex = sysnl_ifindex(ifname);
		if (d.ifindex < 0)
			return d.ifindex;
	}
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = sysnl_msg(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	int ret = sysnl_transact(nlh, addr_cb, &d);
	return sysnl_list_done(ret, d.arr, d.n, (void **)out);
}
