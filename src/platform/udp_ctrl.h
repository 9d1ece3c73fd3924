/* Control-message space shared by the receive (udp.c) and send (udp_send.c) halves of
 * the UDP bind. Private to src/platform. */
#ifndef WG_PLATFORM_UDP_CTRL_H
#define WG_PLATFORM_UDP_CTRL_H
#include <netinet/in.h>
#include <sys/socket.h>

/* Room for packet info plus one UDP_SEGMENT or UDP_GRO value, per message. */
union wg_udp_ctrl {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};
#endif
