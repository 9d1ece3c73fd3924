/* The classic BPF programs a set's sockets run in the kernel:
 * - a socket filter that keeps only datagrams beginning with one of a few 32-bit words:
 *   the kernel drops the rest before they take room in the receive buffer or a place in
 *   a receive call, so a flood of garbage costs the reader nothing;
 * - for a port shared by several sets (SO_REUSEPORT), a program that picks the set by
 *   one byte of the datagram rather than by the kernel's hash of addresses and ports:
 *   the data plane steers by the receiving peer's lane in the receiver index, so one
 *   peer's datagrams keep to one set (one rx thread, in order) also when it roams. */
#include "platform/udp.h"
#include <errno.h>
#include <sys/socket.h>
#include <linux/filter.h>

enum { UDP_HDR = 8, MAX_WORDS = 8 };

/* The filter sees the datagram from its UDP header on (offset 8 is the payload); a GRO
 * message (datagrams of one sender, one size) is judged by its first.
 * len < 12: drop; A = the word at offset 8 (big-endian); one test per word; accept
 * returns the largest cap, so nothing of an accepted datagram is trimmed. */
static int build_filter(struct sock_filter *prog, const uint32_t *words, int n)
{
	int i = 0;
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0);
	prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, UDP_HDR + 4, 0, (uint8_t)(n + 1));
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, UDP_HDR);
	for (int k = 0; k < n; k++) /* on a match, jump over the other tests and the drop */
		prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							 __builtin_bswap32(words[k]), (uint8_t)(n - k), 0);
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffffu);
	return i;
}

/* The steering program sees the datagram from its payload on (the kernel steps over the
 * UDP header first). It returns the set's place in the group; a datagram too short to
 * hold the byte gets n, past the last place, which makes the kernel fall back to its
 * hash. */
static int build_steering(struct sock_filter *prog, unsigned offset, unsigned n)
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

/* Sets option `opt` to the program on both sockets of the set (a family the host lacks
 * has fd -1 and is skipped). fp NULL detaches the socket filter; none attached is fine. */
static int attach(const struct wg_udp *u, int opt, const struct sock_fprog *fp)
{
	int unused = 0;
	for (int k = 0; k < 2; k++) {
		int fd = k ? u->fd6 : u->fd4;
		if (fd < 0)
			continue;
		int rc = fp ? setsockopt(fd, SOL_SOCKET, opt, fp, sizeof(*fp))
			    : setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof(unused));
		if (rc < 0 && (fp || errno != ENOENT))
			return -errno;
	}
	return 0;
}

int wg_udp_set_prefix_filter(struct wg_udp *u, const uint32_t *words, int n)
{
	struct sock_filter prog[MAX_WORDS + 5];
	if (n < 0 || n > MAX_WORDS)
		return -EINVAL;
	struct sock_fprog fp = { .len = (unsigned short)build_filter(prog, words, n), .filter = prog };
	return attach(u, SO_ATTACH_FILTER, n ? &fp : NULL);
}

int wg_udp_set_steering(struct wg_udp *u, unsigned offset, unsigned n)
{
	struct sock_filter prog[6];
	if (!n || offset > 0xffff)
		return -EINVAL;
	struct sock_fprog fp = { .len = (unsigned short)build_steering(prog, offset, n), .filter = prog };
	return attach(u, SO_ATTACH_REUSEPORT_CBPF, &fp);
}
