/* See consoles.h. */
#include "cmd/consoles.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "cmd/ctl.h"
#include "console/console.h"
#include "util/clock.h"

enum { QUEUE_MAX = 8 };

struct frame {
	char type;
	char *data;
	size_t len;
	unsigned long seq;        /* the request's number */
};

/* Two threads per client: the reader takes every frame off the socket as it comes (so
 * that a cancel frame, or the client hanging up, reaches a running command at once),
 * the runner runs the requests in order. */
struct client {
	struct wg_consoles *cs;
	int fd;                   /* -1: the slot is free */
	pthread_t th, reader;
	bool running;             /* a thread was started and not yet joined */
	bool ended;               /* the thread is through: join it, free the slot */
	bool idle;                /* no request running or waiting */
	uint64_t idle_since;
	struct wg_session *s;
	struct sbuf out;          /* output of the running command, sent after it */
	/* Under cs->lock: requests read and not yet run, the reader's end. */
	pthread_cond_t cond;
	struct frame queue[QUEUE_MAX];
	size_t nqueue;
	bool gone;                /* the client hung up, broke a frame or flooded us */
	unsigned long received;   /* requests read so far */
	unsigned long cancel_upto;/* a cancel frame came while request n was the last */
};

struct wg_consoles {
	struct wg_router *r;
	pthread_mutex_t *router_lock;
	pthread_mutex_t lock;     /* the slots */
	bool stopping;
	struct client slots[WG_CONSOLE_SLOTS];
};

/* ---- output ---- */

static void collect_out(void *ctx, int stream, const char *text, size_t len)
{
	struct client *c = ctx;
	if (len) /* one frame per piece: the cli prints E pieces to its stderr */
		wg_ctl_frame(&c->out, stream == 2 ? 'E' : 'O', text, len);
}

/* Sends what was collected; false when the client is gone or stopped reading. */
static bool flush_out(struct client *c)
{
	bool ok = wg_ctl_send_raw(c->fd, c->out.s, c->out.len) == 0;
	if (c->out.s)
		explicit_bzero(c->out.s, c->out.len); /* output may show keys */
	sb_reset(&c->out);
	return ok;
}

static void wait_enter(void *ctx)
{
	struct client *c = ctx;
	pthread_mutex_unlock(c->cs->router_lock);
	flush_out(c); /* a failed send shows again at the end of the command */
}

static void wait_leave(void *ctx)
{
	struct client *c = ctx;
	pthread_mutex_lock(c->cs->router_lock);
}

/* ---- one client ---- */

static int run_frame(struct client *c, char type, const char *data, size_t len)
{
	int status = 0;
	if (type == 'C') {
		wg_session_set_cwd(c->s, data);
	} else if (type == 'R' || type == 'S') {
		wg_session_set_batch(c->s, type == 'S');
		status = wg_session_run_n(c->s, data, len) ? 1 : 0; /* a NUL inside is an error */
		wg_session_set_batch(c->s, false);
	} else if (type == 'T') {
		struct strvec v = { 0 };
		wg_session_complete(c->s, data, &v);
		char *text = sv_join(&v, "\n");
		wg_ctl_frame(&c->out, 'L', text, strlen(text));
		free(text);
		sv_free(&v);
	}
	return status;
}

/* One request: run under the router lock, answered once the lock is released. */
static bool serve_frame(struct client *c, char type, const char *data, size_t len)
{
	pthread_mutex_lock(c->cs->router_lock);
	int status = run_frame(c, type, data, len);
	char *prompt = wg_session_prompt(c->s);
	pthread_mutex_unlock(c->cs->router_lock);
	char *done = xasprintf("%d\n%s", status, prompt);
	wg_ctl_frame(&c->out, 'D', done, strlen(done));
	free(done);
	free(prompt);
	return flush_out(c);
}

/* ---- the reader ---- */

/* Ends the client for both threads: the running command is cancelled. Called with
 * cs->lock held. */
static void hang_up(struct client *c)
{
	c->gone = true;
	wg_session_cancel(c->s);
	pthread_cond_signal(&c->cond);
}

static void *reader_main(void *arg)
{
	struct client *c = arg;
	struct frame f;
	for (;;) {
		bool stop = wg_ctl_recv_deadline(c->fd, &f.type, &f.data, &f.len, WG_CONSOLE_FRAME_MS) < 0;
		pthread_mutex_lock(&c->cs->lock);
		if (stop || (f.type != 'K' && c->nqueue == QUEUE_MAX)) {
			hang_up(c); /* gone, or sending requests faster than they run */
		} else if (f.type == 'K') {
			/* Ctrl-C: the running request stops, or the one read last when it has
			 * not started yet (the runner clears the flag before each request) */
			c->cancel_upto = c->received;
			wg_session_cancel(c->s);
		} else {
			f.seq = ++c->received;
			c->queue[c->nqueue++] = f;
			f.data = NULL;
			pthread_cond_signal(&c->cond);
		}
		bool gone = c->gone;
		pthread_mutex_unlock(&c->cs->lock);
		if (!stop)
			free(f.data); /* a cancel frame or one refused: nothing secret in it */
		if (gone)
			return NULL;
	}
}

/* ---- the runner ---- */

/* The next request, or false when the client has gone and none is left. */
static bool next_frame(struct client *c, struct frame *f)
{
	pthread_mutex_lock(&c->cs->lock);
	while (!c->nqueue && !c->gone) {
		c->idle = true;
		c->idle_since = wg_mono_ms();
		pthread_cond_wait(&c->cond, &c->cs->lock);
	}
	bool got = c->nqueue && !c->gone;
	if (got) {
		*f = c->queue[0];
		memmove(c->queue, c->queue + 1, --c->nqueue * sizeof(*f));
		c->idle = false;
		/* a request starts afresh, unless Ctrl-C came after it was sent */
		wg_session_cancel_clear(c->s);
		if (c->cancel_upto >= f->seq)
			wg_session_cancel(c->s);
	}
	pthread_mutex_unlock(&c->cs->lock);
	return got;
}

static void free_frame(struct frame *f)
{
	explicit_bzero(f->data, f->len); /* a command may carry a private key */
	free(f->data);
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct frame f;
	if (pthread_create(&c->reader, NULL, reader_main, c) == 0) {
		while (next_frame(c, &f)) {
			bool ok = serve_frame(c, f.type, f.data, f.len);
			free_frame(&f);
			if (!ok)
				break;
		}
		shutdown(c->fd, SHUT_RDWR); /* the reader ends */
		pthread_join(c->reader, NULL);
	}
	for (size_t i = 0; i < c->nqueue; i++)
		free_frame(&c->queue[i]);
	c->nqueue = 0;
	pthread_mutex_lock(c->cs->router_lock);
	wg_session_free(c->s);
	pthread_mutex_unlock(c->cs->router_lock);
	c->s = NULL;
	sb_free(&c->out);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_lock(&c->cs->lock);
	c->ended = true; /* the slot is freed by whoever joins this thread */
	pthread_mutex_unlock(&c->cs->lock);
	return NULL;
}

/* ---- slots ---- */

/* Joins the threads of clients that have gone, freeing their slots. */
static void reap(struct wg_consoles *cs)
{
	for (int i = 0; i < WG_CONSOLE_SLOTS; i++) {
		struct client *c = &cs->slots[i];
		if (!c->running || !c->ended)
			continue;
		pthread_join(c->th, NULL);
		close(c->fd);
		c->fd = -1;
		c->running = false;
	}
}

/* A free slot; when there is none, the client idle longest is told to go (its slot
 * frees once its thread ends) and NULL returned. Called with cs->lock held. */
static struct client *free_slot(struct wg_consoles *cs)
{
	struct client *oldest = NULL;
	for (int i = 0; i < WG_CONSOLE_SLOTS; i++) {
		struct client *c = &cs->slots[i];
		if (c->fd < 0)
			return c;
		if (c->idle && !c->ended && (!oldest || c->idle_since < oldest->idle_since))
			oldest = c;
	}
	if (oldest)
		shutdown(oldest->fd, SHUT_RDWR);
	return NULL;
}

static struct client *take_slot(struct wg_consoles *cs)
{
	struct client *c;
	pthread_mutex_lock(&cs->lock);
	reap(cs);
	c = free_slot(cs);
	pthread_mutex_unlock(&cs->lock);
	for (int tries = 0; !c && tries < 100; tries++) { /* the evicted one ends at once */
		usleep(10000);
		pthread_mutex_lock(&cs->lock);
		reap(cs);
		for (int i = 0; i < WG_CONSOLE_SLOTS && !c; i++)
			if (cs->slots[i].fd < 0)
				c = &cs->slots[i];
		pthread_mutex_unlock(&cs->lock);
	}
	return c;
}

void wg_consoles_accept(struct wg_consoles *cs, int fd)
{
	struct timeval tv = { .tv_sec = WG_CONSOLE_SEND_MS / 1000 };
	struct client *c = take_slot(cs);
	if (!c) {
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	pthread_mutex_lock(cs->router_lock);
	*c = (struct client){ .cs = cs, .fd = fd, .idle = true, .idle_since = wg_mono_ms() };
	pthread_cond_init(&c->cond, NULL);
	c->s = wg_session_new(cs->r, collect_out, c);
	wg_session_set_wait_hooks(c->s, &(struct wg_wait_hooks){ .enter = wait_enter, .leave = wait_leave, .ctx = c });
	pthread_mutex_unlock(cs->router_lock);
	c->running = pthread_create(&c->th, NULL, client_main, c) == 0;
	if (!c->running) {
		pthread_cond_destroy(&c->cond);
		wg_session_free(c->s);
		c->s = NULL;
		close(fd);
		c->fd = -1;
	}
}

struct wg_consoles *wg_consoles_new(struct wg_router *r, pthread_mutex_t *router_lock)
{
	struct wg_consoles *cs = xcalloc(1, sizeof(*cs));
	cs->r = r;
	cs->router_lock = router_lock;
	pthread_mutex_init(&cs->lock, NULL);
	for (int i = 0; i < WG_CONSOLE_SLOTS; i++)
		cs->slots[i].fd = -1;
	return cs;
}

void wg_consoles_free(struct wg_consoles *cs)
{
	if (!cs)
		return;
	pthread_mutex_lock(&cs->lock);
	for (int i = 0; i < WG_CONSOLE_SLOTS; i++)
		if (cs->slots[i].fd >= 0)
			shutdown(cs->slots[i].fd, SHUT_RDWR);
	pthread_mutex_unlock(&cs->lock);
	for (int i = 0; i < WG_CONSOLE_SLOTS; i++) {
		struct client *c = &cs->slots[i];
		if (c->running)
			pthread_join(c->th, NULL);
		if (c->fd >= 0)
			close(c->fd);
	}
	pthread_mutex_destroy(&cs->lock);
	free(cs);
}
