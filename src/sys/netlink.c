/* One rtnetlink request/response exchange; see nl_internal.h. Each exchange uses its own
 * socket so callers share no state: the price is a socket() per call, which is cheap
 * next to what configuration changes cost anyway. */
#include "sys/nl_internal.h"
#include "sys/netlink.h"
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct nlmsghdr *sysnl_msg(void *buf, int type, int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	return nlh;
}

/* Reads replies until the kernel's final ACK/error or NLMSG_DONE. */
static int receive(struct mnl_socket *nl, uint32_t seq, mnl_cb_t cb, void *data)
{
	char *buf = malloc(SYSNL_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	unsigned portid = mnl_socket_get_portid(nl);
	int ret;
	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, SYSNL_BUF_SIZE);
		if (n < 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
		if (ret < 0)
			ret = errno ? -errno : -EIO;
	} while (ret > MNL_CB_STOP);
	free(buf);
	return ret < 0 ? ret : 0;
}

int sysnl_transact(struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	/* NLM_F_DUMP is two bits, one shared with NLM_F_EXCL: test both. */
	if ((req->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		req->nlmsg_flags |= NLM_F_ACK;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	int ret;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		ret = -errno;
	else
		ret = receive(nl, req->nlmsg_seq, cb, data);
	mnl_socket_close(nl);
	return ret;
}

void *sysnl_array_push(void **arr, size_t *n, size_t *cap, size_t elem)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *p = realloc(*arr, ncap * elem);
		if (!p)
			return NULL;
		*arr = p;
		*cap = ncap;
	}
	void *slot = (char *)*arr + (*n)++ * elem;
	memset(slot, 0, elem);
	return slot;
}

int sysnl_collect(void **arr, size_t *n, size_t *cap, const void *elem, size_t size)
{
	void *e = sysnl_array_push(arr, n, cap, size);
	if (!e) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	memcpy(e, elem, size);
	return MNL_CB_OK;
}

int sysnl_dump_families(int type, size_t hdrlen, int family, mnl_cb_t cb, void *data)
{
	static const int families[] = { AF_INET, AF_INET6 };
	for (size_t i = 0; i < 2; i++) {
		if (family != AF_UNSPEC && family != families[i])
			continue;
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh = sysnl_msg(buf, type, NLM_F_DUMP);
		uint8_t *hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
		hdr[0] = (uint8_t)families[i];
		int ret = sysnl_transact(nlh, cb, data);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int sysnl_list_done(int ret, void *arr, size_t n, void **out)
{
	if (ret < 0) {
		free(arr);
		return ret;
	}
	*out = arr;
	return (int)n;
}

void sysnl_ifname(struct sysnl_ifname_cache *c, unsigned index, char *out)
{
	if (c->index != index) {
		c->name[0] = '\0';
		if (!if_indextoname(index, c->name))
			c->name[0] = '\0';
		c->index = index;
	}
	memcpy(out, c->name, IF_NAMESIZE);
}

int sysnl_ifindex(const char *name)
{
	if (!name || !*name || strlen(name) >= IF_NAMESIZE)
		return -ENODEV;
	unsigned idx = if_nametoindex(name);
	return idx ? (int)idx : -ENODEV;
}

int wg_nl_ifindex(const char *name)
{
	return sysnl_ifindex(name);
}
