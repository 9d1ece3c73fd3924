/* The router's memory log (/log print) and the bridge from data plane log lines to
 * RouterOS-style messages. Data plane threads only post raw lines into a locked queue;
 * the daemon's loop drains it, names the peer and applies /system/logging rules. */
#ifndef WG_ROUTER_LOG_H
#define WG_ROUTER_LOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wg_log;

struct wg_log_entry {
	uint32_t id;
	uint64_t time_ms;     /* wall clock */
	const char *topics;   /* "wireguard,info" */
	const char *message;
};

/* A line as the data plane wrote it, with the interface it came from. */
struct wg_log_raw {
	char ifname[32];
	bool has_peer;
	uint8_t peer_pub[32];
	int level;
	char topic[24];
	char msg[256];
};

struct wg_log *wg_log_new(size_t capacity);
void wg_log_free(struct wg_log *l);
/* Main thread: stores an entry (the oldest goes when full). */
void wg_log_append(struct wg_log *l, const char *topics, const char *message);
size_t wg_log_count(struct wg_log *l);
/* The i-th stored entry, oldest first; pointers valid until the next append. */
bool wg_log_get(struct wg_log *l, size_t i, struct wg_log_entry *out);
/* Any thread. Drops lines when the queue is full rather than blocking a data plane. */
void wg_log_post(struct wg_log *l, const struct wg_log_raw *raw);
/* Main thread: passes every queued line to fn. */
void wg_log_drain(struct wg_log *l, void (*fn)(void *ctx, const struct wg_log_raw *raw), void *ctx);

/* RouterOS topics and text for a data plane line, using the wording of the seeds'
 * troubleshooting tables (handshake failed, noise_connection_reset, allowed-address
 * mismatch, packet too big). */
void wg_log_map(const struct wg_log_raw *raw, const char **topics, char *text, size_t len);
/* Does a /system/logging rule's topic list (e.g. "wireguard,!debug") take a message
 * with these topics? Every listed topic must be present, every !topic absent. */
bool wg_log_rule_matches(const char *rule_topics, const char *msg_topics);
#endif
