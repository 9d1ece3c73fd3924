/* Policy routing rules (RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE): the "fwmark MARK lookup
 * TABLE" rules that make /routing/mangle's mark-routing choose a routing table. */
#include "sys/netlink.h"
#include "sys/nl_internal.h"
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

static int rule_msg(void *buf, int type, int flags, const struct wg_nl_rule *r, struct nlmsghdr **out)
{
	if ((r->family != AF_INET && r->family != AF_INET6) || !r->table || r->table == 0xffffffffu)
		return -EINVAL;
	struct nlmsghdr *nlh = sysnl_msg(buf, type, flags);
	struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)r->family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_TABLE, r->table);
	mnl_attr_put_u32(nlh, FRA_FWMARK, r->fwmark);
	mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffu); /* the routing part of the mark (sys/nft_internal.h) */
	mnl_attr_put_u32(nlh, FRA_PRIORITY, r->priority);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, r->protocol ? r->protocol : WG_NL_PROTO_WGROUTER);
	*out = nlh;
	return 0;
}

static int modify(const struct wg_nl_rule *r, int type, int flags)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret = rule_msg(buf, type, flags, r, &nlh);
	if (ret < 0)
		return ret;
	ret = sysnl_transact(nlh, NULL, NULL);
	return type == RTM_DELRULE && ret == -ESRCH ? -ENOENT : ret;
}

int wg_nl_rule_add(const struct wg_nl_rule *r)
{
	return modify(r, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL);
}

int wg_nl_rule_del(const struct wg_nl_rule *r)
{
	return modify(r, RTM_DELRULE, 0);
}

struct rule_dump {
	struct wg_nl_rule *arr;
	size_t n, cap;
};

/* Only fwmark-to-table rules are of interest; others (local, main, default, wg-quick's
 * suppress_prefixlength) are listed with fwmark 0 and left alone by callers. */
static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_dump *d = data;
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	struct wg_nl_rule r = { .family = frh->family, .table = frh->table };
	const struct nlattr *a;
	if (frh->action != FR_ACT_TO_TBL)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*frh)) {
		switch (mnl_attr_get_type(a)) {
		case FRA_TABLE: r.table = mnl_attr_get_u32(a); break;
		case FRA_FWMARK: r.fwmark = mnl_attr_get_u32(a); break;
		case FRA_PRIORITY: r.priority = mnl_attr_get_u32(a); break;
		case FRA_PROTOCOL: r.protocol = mnl_attr_get_u8(a); break;
		}
	}
	return sysnl_collect((void **)&d->arr, &d->n, &d->cap, &r, sizeof(r));
}

int wg_nl_rule_list(int family, struct wg_nl_rule **out)
{
	struct rule_dump d = { 0 };
	*out = NULL;
	int ret = sysnl_dump_families(RTM_GETRULE, sizeof(struct fib_rule_hdr), family, rule_cb, &d);
	return sysnl_list_done(ret, d.arr, d.n, (void **)out);
}
