/* Internal to src/console: arguments the tool commands share (traceroute, torch,
 * sniffer quick): a target address or host name, bounded numbers. */
#ifndef WG_CONSOLE_TOOLARGS_H
#define WG_CONSOLE_TOOLARGS_H
#include <stdbool.h>
#include <stdint.h>
#include "console/interp.h"

/* An IP address, or a host name resolved with the router released (the first address
 * of family want, or of either when want is 0). -1 with the error printed. */
int wg_tool_addr(struct wg_call *c, const char *name, const char *text, int want, int *family, uint8_t out[16]);
/* An integer argument in [min, max]; *out unchanged when absent. -1 with the error. */
int wg_tool_uint(struct wg_call *c, struct wg_args *a, const char *name, long min, long max, long *out);
/* A duration argument (10s, 500ms, 1m) in ms; *out unchanged when absent. */
int wg_tool_time(struct wg_call *c, struct wg_args *a, const char *name, uint64_t max_ms, uint64_t *out);
/* The request's own limit passed (REST's 60 s, a script's): a long command ends there
 * as on Ctrl-C. */
bool wg_tool_out_of_time(struct wg_session *s);
#endif
