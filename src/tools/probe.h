/* netwatch's probes: one ICMP echo (raw socket) or one TCP connect, nonblocking, so one
 * thread watches many hosts at once. The caller polls wg_probe_fd for wg_probe_events
 * and asks wg_probe_check whether the probe ended; times are passed in (ms). */
#ifndef WG_TOOLS_PROBE_H
#define WG_TOOLS_PROBE_H
#include <stdbool.h>
#include <stdint.h>

enum wg_probe_type { WG_PROBE_ICMP, WG_PROBE_TCP };
enum wg_probe_result { WG_PROBE_PENDING = 0, WG_PROBE_UP = 1, WG_PROBE_DOWN = -1 };

struct wg_probe;
/* Starts a probe of addr (family AF_INET/AF_INET6; port for TCP). NULL when no socket
 * could be opened (the caller counts it as down). */
struct wg_probe *wg_probe_start(enum wg_probe_type type, int family, const uint8_t *addr, uint16_t port,
				uint64_t now_ms, uint64_t timeout_ms);
int wg_probe_fd(const struct wg_probe *p);
short wg_probe_events(const struct wg_probe *p);
/* Up when the echo reply came or the connection opened; down when refused or when the
 * timeout passed; pending otherwise. */
enum wg_probe_result wg_probe_check(struct wg_probe *p, uint64_t now_ms);
void wg_probe_free(struct wg_probe *p);
#endif
