/* The daemon's script thread: once a second it asks the router which /system/scheduler
 * items are due (router/scripts.h), then runs the queued scripts (scheduled events and
 * :execute jobs) one after the other with the console language. It holds the router
 * lock only while a command runs, as a console does: it lets go between top-level
 * commands and during :delay, so consoles and the daemon's loop are never held up by a
 * script for longer than one command. A script's errors go to the log (script,error)
 * and end only that script. */
#ifndef WG_CMD_SCHEDULER_H
#define WG_CMD_SCHEDULER_H
#include <pthread.h>
#include "router/router.h"

struct wg_scheduler;
struct wg_scheduler *wg_scheduler_start(struct wg_router *r, pthread_mutex_t *router_lock);
/* Stops the thread: a running script ends at its next command. */
void wg_scheduler_stop(struct wg_scheduler *s);
#endif
