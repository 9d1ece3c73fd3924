/* Shared plumbing of the rtnetlink files (nl_addr.c, nl_route.c, nl_link.c):
 * one request/response exchange on a fresh socket. Not part of the public API. */
#ifndef WG_SYS_NL_INTERNAL_H
#define WG_SYS_NL_INTERNAL_H
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <stddef.h>

/* Big enough for one dump datagram of any rtnetlink family (libmnl's advice). */
enum { SYSNL_BUF_SIZE = 32768 };

/* Starts a request of the given type and flags in buf (NLM_F_REQUEST is added). */
struct nlmsghdr *sysnl_msg(void *buf, int type, int flags);
/* Sends req on a new NETLINK_ROUTE socket and feeds every reply to cb (may be NULL).
 * Non-dump requests get NLM_F_ACK so the kernel's verdict is always read.
 * Returns 0 or -errno from the kernel (or from cb, which sets errno and returns
 * MNL_CB_ERROR). */
int sysnl_transact(struct nlmsghdr *req, mnl_cb_t cb, void *data);
/* Appends one zeroed element to a malloc'ed array, growing it by doubling.
 * Returns the new element or NULL when out of memory. */
void *sysnl_array_push(void **arr, size_t *n, size_t *cap, size_t elem);
/* A dump callback's last step: appends a copy of *elem to the array. MNL_CB_OK, or
 * MNL_CB_ERROR with errno = ENOMEM. */
int sysnl_collect(void **arr, size_t *n, size_t *cap, const void *elem, size_t size);
/* Dumps `type` for AF_INET and/or AF_INET6 (family AF_UNSPEC: both) into cb. The request
 * carries a zeroed header of hdrlen bytes whose first byte is the family (struct rtmsg,
 * struct fib_rule_hdr). 0 or the first -errno. */
int sysnl_dump_families(int type, size_t hdrlen, int family, mnl_cb_t cb, void *data);
/* Ends a list call: on error frees arr and returns ret, else gives arr to *out and
 * returns the count. */
int sysnl_list_done(int ret, void *arr, size_t n, void **out);
/* The name of an interface index during one dump: if_indextoname costs a socket and an
 * ioctl, and a dump of thousands of routes names the same few interfaces, so the last
 * answer is kept. A zeroed cache is empty. */
struct sysnl_ifname_cache { unsigned index; char name[IF_NAMESIZE]; };
void sysnl_ifname(struct sysnl_ifname_cache *c, unsigned index, char *out);
/* ifindex of name, or -ENODEV (also for NULL/empty/too long names). */
int sysnl_ifindex(const char *name);
#endif
