/* A classic BPF socket filter that keeps only datagrams beginning with one of a few
 * 32-bit words: the kernel drops the rest before they take room in the receive buffer
 * or a place in a receive call, so a flood of garbage costs the reader nothing. For a
 * UDP socket the filter sees the datagram from its UDP header on (offset 8 is the
 * payload); a GRO message (datagrams of one sender, one size) is judged by its first. */
#include "platform/udp.h"
#include <errno.h>
#include <sys/socket.h>
#include <linux/filter.h>

enum { UDP_HDR = 8, MAX_WORDS = 8 };

/* len < 12: drop; A = the word at offset 8 (big-endian); one test per word; accept
 * returns the largest cap, so nothing of an accepted datagram is trimmed. */
static int build(struct sock_filter *prog, const uint32_t *words, int n)
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

static int attach(int fd, const struct sock_fprog *fp)
{
	if (fd < 0)
		return 0;
	int unused = 0;
	if (!fp)
		return setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof(unused)) < 0 &&
		       errno != ENOENT ? -errno : 0;
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fp, sizeof(*fp)) < 0 ? -errno : 0;
}

int wg_udp_set_prefix_filter(struct wg_udp *u, const uint32_t *words, int n)
{
	struct sock_filter prog[MAX_WORDS + 5];
	if (n < 0 || n > MAX_WORDS)
		return -EINVAL;
	struct sock_fprog fp = { .len = (unsigned short)build(prog, words, n), .filter = prog };
	int err = attach(u->fd4, n ? &fp : NULL);
	return err ? err : attach(u->fd6, n ? &fp : NULL);
}
