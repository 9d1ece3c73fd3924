/* A classic BPF program for a port's SO_REUSEPORT group that picks the set by one byte of
 * the datagram, not by the kernel's hash of addresses and ports: the data plane steers by
 * the receiving peer's lane in the receiver index, so one peer's datagrams keep to one
 * set (one rx thread, in order) also when the peer roams to a new address or port. */
#include "platform/udp.h"
#include <errno.h>
#include <sys/socket.h>
#include <linux/filter.h>

/* The program sees the datagram from its payload on (the kernel steps over the UDP
 * header first). It returns the set's place in the group; a datagram too short to hold
 * the byte gets n, past the last place, which makes the kernel fall back to its hash. */
static int build(struct sock_filter *prog, unsigned offset, unsigned n)
{
	int i = 0;
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0);
	prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, offset, 1, 0);
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, n);
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, offset);
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n);
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	return i;
}

static int attach(int fd, const struct sock_fprog *fp)
{
	if (fd < 0)
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, fp, sizeof(*fp)) < 0 ? -errno : 0;
}

int wg_udp_set_steering(struct wg_udp *u, unsigned offset, unsigned n)
{
	struct sock_filter prog[6];
	if (!n || offset > 0xffff)
		return -EINVAL;
	struct sock_fprog fp = { .len = (unsigned short)build(prog, offset, n), .filter = prog };
	int err = attach(u->fd4, &fp);
	return err ? err : attach(u->fd6, &fp);
}
