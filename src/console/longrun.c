/* Long commands: waits that release the router and end early on cancel, and the rows
 * such commands emit as they go. The cancel flag is set from another thread (the
 * console's reader, the API's /cancel) and wakes a waiting command through an eventfd,
 * so Ctrl-C stops a 10-minute bandwidth-test at once, not at its next second. */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "console/exec.h"
#include "console/interp.h"

static int cancel_fd(struct wg_session *s)
{
	int fd = __atomic_load_n(&s->cancel_fd, __ATOMIC_ACQUIRE);
	if (fd > 0)
		return fd;
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int expected = 0;
	if (fd > 0 && !__atomic_compare_exchange_n(&s->cancel_fd, &expected, fd, false, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE)) {
		close(fd); /* another thread made one first */
		fd = expected;
	}
	return fd;
}

void wg_session_cancel(struct wg_session *s)
{
	__atomic_store_n(&s->cancelled, 1, __ATOMIC_RELEASE);
	uint64_t one = 1;
	int fd = cancel_fd(s);
	if (fd > 0 && write(fd, &one, sizeof(one)) < 0) {
		/* the counter is full: a wake-up is pending anyway */
	}
}

void wg_session_cancel_clear(struct wg_session *s)
{
	__atomic_store_n(&s->cancelled, 0, __ATOMIC_RELEASE);
	uint64_t v;
	int fd = cancel_fd(s);
	if (fd > 0 && read(fd, &v, sizeof(v)) < 0) {
		/* nothing was pending */
	}
}

bool wg_cancelled(struct wg_session *s)
{
	return __atomic_load_n(&s->cancelled, __ATOMIC_ACQUIRE) != 0;
}

bool wg_session_was_cancelled(struct wg_session *s)
{
	return wg_cancelled(s);
}

void wg_longrun_free(struct wg_session *s)
{
	if (s->cancel_fd > 0)
		close(s->cancel_fd);
	for (size_t i = 0; i < s->nemitted; i++)
		wg_row_clear(&s->emitted[i]);
	free(s->emitted);
}

int wg_wait_fd(struct wg_session *s, int fd, short events, unsigned ms)
{
	if (wg_cancelled(s))
		return 1;
	struct pollfd p[2] = { { .fd = cancel_fd(s), .events = POLLIN }, { .fd = fd, .events = events } };
	wg_session_wait_enter(s);
	int n = poll(p, fd >= 0 ? 2 : 1, (int)ms);
	wg_session_wait_leave(s);
	if (wg_cancelled(s))
		return 1;
	return n > 0 && fd >= 0 && p[1].revents ? 2 : 0;
}

int wg_wait(struct wg_session *s, unsigned ms)
{
	return wg_wait_fd(s, -1, 0, ms);
}

void wg_session_set_row_sink(struct wg_session *s, wg_row_fn fn, void *ctx)
{
	s->row_fn = fn;
	s->row_ctx = ctx;
}

void wg_row_add(struct wg_row *r, const char *name, const char *value, int kind)
{
	r->names = xrealloc(r->names, (r->n + 1) * sizeof(char *));
	r->values = xrealloc(r->values, (r->n + 1) * sizeof(char *));
	r->kinds = xrealloc(r->kinds, r->n + 1);
	r->names[r->n] = xstrdup(name);
	r->values[r->n] = xstrdup(value);
	r->kinds[r->n] = (unsigned char)kind;
	r->n++;
}

void wg_row_clear(struct wg_row *row)
{
	for (size_t i = 0; i < row->n; i++) {
		free(row->names[i]);
		xfree_secret(row->values[i]);
	}
	free(row->names);
	free(row->values);
	free(row->kinds);
	memset(row, 0, sizeof(*row));
}

static void collect(struct wg_session *s, const struct wg_row *row)
{
	s->emitted = xrealloc(s->emitted, (s->nemitted + 1) * sizeof(*s->emitted));
	struct wg_row *c = &s->emitted[s->nemitted++];
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < row->n; i++)
		wg_row_add(c, row->names[i], row->values[i], row->kinds[i]);
}

void wg_emit_row(struct wg_session *s, const struct wg_row *row, const char *line)
{
	if (s->row_fn)
		s->row_fn(s->row_ctx, row);
	else if (s->collect_emitted)
		collect(s, row);
	else if (line)
		wg_outs(s, line);
}

void wg_take_emitted(struct wg_session *s, struct wg_row **rows, size_t *n)
{
	if (!s->nemitted)
		return;
	*rows = xrealloc(*rows, (*n + s->nemitted + 1) * sizeof(**rows));
	memcpy(*rows + *n, s->emitted, s->nemitted * sizeof(*s->emitted));
	*n += s->nemitted;
	free(s->emitted);
	s->emitted = NULL;
	s->nemitted = 0;
}
