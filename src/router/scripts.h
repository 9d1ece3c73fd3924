/* /system/script and /system/scheduler at run time: the counters RouterOS shows
 * (run-count, last-started, next-run), when a scheduler item is due, and the queue of
 * scripts waiting for the daemon's script thread (scheduled events, :execute).
 *
 * Everything here runs with the router lock held; the script thread (src/cmd) takes
 * jobs off the queue and runs them with the console language, the lock taken per
 * command. Times are unix seconds passed in, so tests move a fake clock. */
#ifndef WG_ROUTER_SCRIPTS_H
#define WG_ROUTER_SCRIPTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "router/store.h"

struct wg_router;
struct wg_scripts_rt;

/* A scheduler item's timing: start (unix time of start-date + start-time, or of the
 * daemon's start + 3 s for start-time=startup) and interval in seconds (0: once). */
struct wg_sched_spec {
	uint64_t start;
	uint64_t interval;
};

/* The first run strictly after `after`, or 0 when there is none (a one-time item whose
 * start has passed). */
uint64_t wg_sched_next(const struct wg_sched_spec *s, uint64_t after);
/* start-date (2026-12-04 or dec/04/2026) and start-time (13:05:00 or startup) in the
 * daemon's time zone, as a unix time; started is the daemon's start. false: invalid. */
bool wg_sched_start(const char *date, const char *time, uint64_t started, uint64_t *out);

/* A script waiting to run. */
struct wg_script_job {
	uint32_t id;              /* job number (:execute returns it) */
	char *source;             /* the code */
	char *origin;             /* "scheduler NAME", "script NAME", ":execute": for the log */
	char owner[64];           /* the user it runs as ("" = the local console) */
	unsigned policies;        /* WG_POL_* it runs with */
};
void wg_script_job_free(struct wg_script_job *j);

enum { WG_SCRIPT_QUEUE_MAX = 32 };

struct wg_scripts_rt *wg_scripts_rt_new(void);
void wg_scripts_rt_free(struct wg_scripts_rt *s);
struct wg_scripts_rt *wg_router_scripts(struct wg_router *r);

/* Queues a job (source copied): its id, or 0 when WG_SCRIPT_QUEUE_MAX are waiting. */
uint32_t wg_scripts_queue(struct wg_router *r, const char *source, const char *origin, const char *owner,
			  unsigned policies);
/* Takes the oldest job (free it with wg_script_job_free), false when none waits. */
bool wg_scripts_take(struct wg_router *r, struct wg_script_job *out);
/* Queues the events of the enabled scheduler items due at `now` (each item at most once
 * per call, however many runs were missed) and counts them; returns how many. Items
 * seen for the first time only run at their next time after now. */
size_t wg_scripts_tick(struct wg_router *r, uint64_t now);

/* The script named name: its source and the policies it runs with for a runner having
 * `runner` (script policy ∩ the owner's group ∩ runner); counts the run. -1 with err:
 * no such script, or the runner lacks a policy the script has. */
int wg_scripts_prepare(struct wg_router *r, const char *name, unsigned runner, char **source, unsigned *policies,
		       char *err, size_t errlen);

/* Counters for print. */
void wg_scripts_script_stats(struct wg_router *r, uint32_t id, uint64_t *runs, uint64_t *last_started);
void wg_scripts_sched_stats(struct wg_router *r, uint32_t id, uint64_t now, uint64_t *runs, uint64_t *next_run);
#endif
