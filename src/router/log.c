/* See log.h. */
#include "router/log.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include "util/alloc.h"
#include "util/strvec.h"

enum { QUEUE_MAX = 1024 };

struct stored { uint32_t id; uint64_t time_ms; char *topics, *message; };

struct wg_log {
	struct stored *ring;
	size_t cap, head, n;
	uint32_t next_id;
	pthread_mutex_t lock;            /* guards the queue only */
	struct wg_log_raw *queue;
	size_t queued;
};

struct wg_log *wg_log_new(size_t capacity)
{
	struct wg_log *l = xcalloc(1, sizeof(*l));
	l->cap = capacity ? capacity : 1000;
	l->ring = xcalloc(l->cap, sizeof(*l->ring));
	l->queue = xcalloc(QUEUE_MAX, sizeof(*l->queue));
	l->next_id = 1;
	pthread_mutex_init(&l->lock, NULL);
	return l;
}

void wg_log_free(struct wg_log *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->cap; i++) {
		free(l->ring[i].topics);
		free(l->ring[i].message);
	}
	pthread_mutex_destroy(&l->lock);
	free(l->ring);
	free(l->queue);
	free(l);
}

static uint64_t now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

void wg_log_append(struct wg_log *l, const char *topics, const char *message)
{
	size_t slot = (l->head + l->n) % l->cap;
	if (l->n == l->cap) {
		l->head = (l->head + 1) % l->cap;
		l->n--;
	}
	struct stored *s = &l->ring[slot];
	free(s->topics);
	free(s->message);
	*s = (struct stored){ l->next_id++, now_ms(), xstrdup(topics), xstrdup(message) };
	l->n++;
}

size_t wg_log_count(struct wg_log *l)
{
	return l->n;
}

bool wg_log_get(struct wg_log *l, size_t i, struct wg_log_entry *out)
{
	if (i >= l->n)
		return false;
	const struct stored *s = &l->ring[(l->head + i) % l->cap];
	*out = (struct wg_log_entry){ s->id, s->time_ms, s->topics, s->message };
	return true;
}

void wg_log_post(struct wg_log *l, const struct wg_log_raw *raw)
{
	pthread_mutex_lock(&l->lock);
	if (l->queued < QUEUE_MAX)
		l->queue[l->queued++] = *raw;
	pthread_mutex_unlock(&l->lock);
}

void wg_log_drain(struct wg_log *l, void (*fn)(void *ctx, const struct wg_log_raw *raw), void *ctx)
{
	struct wg_log_raw *batch = xcalloc(QUEUE_MAX, sizeof(*batch));
	pthread_mutex_lock(&l->lock);
	size_t n = l->queued;
	memcpy(batch, l->queue, n * sizeof(*batch));
	l->queued = 0;
	pthread_mutex_unlock(&l->lock);
	for (size_t i = 0; i < n; i++)
		fn(ctx, &batch[i]);
	free(batch);
}

static bool has(const char *msg, const char *needle)
{
	return strcasestr(msg, needle) != NULL;
}

static bool handshake_failure(const char *msg)
{
	return has(msg, "did not complete") || has(msg, "rejected") || has(msg, "unknown public key") ||
	       has(msg, "invalid MAC") || has(msg, "failed");
}

void wg_log_map(const struct wg_log_raw *raw, const char **topics, char *text, size_t len)
{
	const char *t = raw->topic, *m = raw->msg;
	if (!strcmp(t, "handshake") && handshake_failure(m)) {
		*topics = "wireguard,error";
		snprintf(text, len, "handshake failed: %s", m);
	} else if (!strcmp(t, "handshake") && has(m, "completed")) {
		*topics = "wireguard,info";
		snprintf(text, len, "handshake completed");
	} else if (!strcmp(t, "endpoint")) {
		*topics = "wireguard,info";
		snprintf(text, len, "noise_connection_reset: %s (roaming)", m);
	} else if (!strcmp(t, "allowedips")) {
		*topics = "wireguard,error";
		snprintf(text, len, "allowed-address mismatch: %s", m);
	} else if (!strcmp(t, "mtu")) {
		*topics = "wireguard,error";
		snprintf(text, len, "packet too big: %s", m);
	} else {
		*topics = raw->level <= 1 ? "wireguard,error" : "wireguard,debug";
		snprintf(text, len, "%s", m);
	}
}

bool wg_log_rule_matches(const char *rule_topics, const char *msg_topics)
{
	struct strvec want = { 0 }, have = { 0 };
	bool ok = true;
	sv_split(&want, rule_topics, ',');
	sv_split(&have, msg_topics, ',');
	for (size_t i = 0; i < want.n && ok; i++) {
		const char *w = want.v[i];
		ok = w[0] == '!' ? !sv_has(&have, w + 1) : sv_has(&have, w);
	}
	sv_free(&want);
	sv_free(&have);
	return ok;
}
