/* The monotonic clock in milliseconds, for the router's periodic work and the DNS
 * server's deadlines (the data plane and the core take their clock through wg_env). */
#ifndef WG_UTIL_CLOCK_H
#define WG_UTIL_CLOCK_H
#include <stdint.h>

uint64_t wg_mono_ms(void);
/* The same with the signature of a clock hook, the default where tests pass their own. */
uint64_t wg_mono_ms_hook(void *ctx);
#endif
