/* IP forwarding on or off for IPv4 and IPv6 (the whole network namespace). */
#ifndef WG_SYS_FORWARDING_H
#define WG_SYS_FORWARDING_H
#include <stdbool.h>

/* 0 or -errno (needs root). */
int wg_sys_set_forwarding(bool on);
#endif
