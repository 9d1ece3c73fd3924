/* Follows what others do to our link: an MTU set with `ip link` caps the padding, and
 * a link deleted under us (wg-quick down) ends the interface, as with wireguard-go. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include "dataplane/dp_internal.h"

int dp_link_open(struct wg_dataplane *dp)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		int e = -errno;
		mnl_socket_close(nl);
		return e;
	}
	dp->link_nl = nl;
	return 0;
}

void dp_link_close(struct wg_dataplane *dp)
{
	if (dp->link_nl)
		mnl_socket_close(dp->link_nl);
	dp->link_nl = NULL;
}

int dp_link_fd(const struct wg_dataplane *dp)
{
	return dp->link_nl ? mnl_socket_get_fd(dp->link_nl) : -1;
}

static int attr_mtu(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		*(int *)data = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int on_link(const struct nlmsghdr *nlh, void *data)
{
	struct wg_dataplane *dp = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_index != dp->q[0].tun.ifindex)
		return MNL_CB_OK;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		wg_dp_log(dp, WG_LOG_VERBOSE, NULL, "device", "Interface %s was removed", dp->ifname);
		atomic_store(&dp->lost, true);
		return MNL_CB_OK;
	}
	int mtu = 0;
	mnl_attr_parse(nlh, sizeof(*ifi), attr_mtu, &mtu);
	if (mtu > 0) {
		dp_lock(dp);
		dp_queues_set_mtu(dp, mtu);
		wg_device_set_mtu(dp->dev, mtu);
		dp_unlock(dp);
	}
	return MNL_CB_OK;
}

/* Drains pending notifications; returns true if the link is gone. */
bool dp_link_event(struct wg_dataplane *dp)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	while ((n = mnl_socket_recvfrom(dp->link_nl, buf, sizeof(buf))) > 0)
		mnl_cb_run(buf, (size_t)n, 0, 0, on_link, dp);
	return atomic_load(&dp->lost);
}

void dp_lost(struct wg_dataplane *dp)
{
	atomic_store(&dp->lost, true);
	if (atomic_flag_test_and_set(&dp->lost_reported))
		return;
	wg_dp_log(dp, WG_LOG_ERROR, NULL, "device", "Interface %s is gone, shutting it down", dp->ifname);
	if (dp->opts.on_lost)
		dp->opts.on_lost(dp->opts.lost_ctx);
}
