/* See scheduler.h. */
#include "cmd/scheduler.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "console/console.h"
#include "router/scripts.h"
#include "util/alloc.h"

struct wg_scheduler {
	struct wg_router *r;
	pthread_mutex_t *router_lock;
	pthread_mutex_t lock;      /* stop and the wake-up */
	pthread_cond_t wake;
	bool stop;
	pthread_t th;
};

struct job_ctx {
	struct wg_scheduler *s;
	const char *origin;
};

static bool stopping(struct wg_scheduler *s)
{
	pthread_mutex_lock(&s->lock);
	bool stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

static void release(void *ctx)
{
	struct job_ctx *j = ctx;
	pthread_mutex_unlock(j->s->router_lock);
}

static void retake(void *ctx)
{
	struct job_ctx *j = ctx;
	pthread_mutex_lock(j->s->router_lock);
}

/* Between two commands: let the consoles and the loop in. */
static int between(void *ctx)
{
	struct job_ctx *j = ctx;
	release(ctx);
	retake(ctx);
	return stopping(j->s) ? -1 : 0;
}

/* What a scheduled script prints is dropped, as RouterOS does; a netwatch script's
 * output is logged (script,info), so that what an up- or down-script found is kept; a
 * script's errors are logged. Called with the router lock held. */
static void job_out(void *ctx, int stream, const char *text, size_t len)
{
	struct job_ctx *j = ctx;
	int n = (int)(len && text[len - 1] == '\n' ? len - 1 : len);
	if (stream == 2 && len)
		wg_router_logf(j->s->r, "script,error", "%s: %.*s", j->origin, n, text);
	else if (len && !strncmp(j->origin, "netwatch ", 9))
		wg_router_logf(j->s->r, "script,info", "%s: %.*s", j->origin, n, text);
}

static void run_job(struct wg_scheduler *s, struct wg_script_job *job)
{
	struct job_ctx j = { s, job->origin };
	struct wg_wait_hooks hooks = { .enter = release, .leave = retake, .ctx = &j, .between = between };
	wg_session_run_script(s->r, job->source, job->owner, job->policies, job_out, &j, &hooks);
}

/* One round, router lock held: queue what is due, run what is queued. */
static void round_once(struct wg_scheduler *s)
{
	struct wg_script_job job;
	wg_scripts_tick(s->r, (uint64_t)time(NULL));
	while (!stopping(s) && wg_scripts_take(s->r, &job)) {
		run_job(s, &job);
		wg_script_job_free(&job);
	}
}

static void *scheduler_main(void *arg)
{
	struct wg_scheduler *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		until.tv_nsec = 0; /* on the second, as the scheduler's times are */
		pthread_cond_timedwait(&s->wake, &s->lock, &until);
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		pthread_mutex_lock(s->router_lock);
		round_once(s);
		pthread_mutex_unlock(s->router_lock);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct wg_scheduler *wg_scheduler_start(struct wg_router *r, pthread_mutex_t *router_lock)
{
	struct wg_scheduler *s = xcalloc(1, sizeof(*s));
	s->r = r;
	s->router_lock = router_lock;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->th, NULL, scheduler_main, s)) {
		free(s);
		return NULL;
	}
	return s;
}

void wg_scheduler_stop(struct wg_scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->th, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
