/* Shared plumbing of the rtnetlink files (nl_addr.c, nl_route.c, nl_link.c):
 * one request/response exchange on a fresh socket. Not part of the public API. */
#ifndef WG_SYS_NL_INTERNAL_H
#define WG_SYS_NL_INTERNAL_H
#include <libmnl/libmnl.h>
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
/* ifindex of name, or -ENODEV (also for NULL/empty/too long names). */
int sysnl_ifindex(const char *name);
#endif
