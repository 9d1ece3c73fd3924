/* Internal to src/router: the two halves that make the system match the store.
 * apply_wireguard.c drives the data plane (one per enabled /interface/wireguard) through
 * UAPI text only; apply_system.c drives addresses, routes and the firewall. */
#ifndef WG_ROUTER_APPLY_H
#define WG_ROUTER_APPLY_H
#include "router/backend.h"
#include "router/log.h"
#include "router/router.h"

struct sbuf;

struct wg_wgrt;
struct wg_wgrt *wg_wgrt_new(const struct wg_dp_ops *ops, void *ctx, struct wg_log *log,
			    uint64_t (*clock_ms)(void *ctx));
/* Stops every interface. */
void wg_wgrt_free(struct wg_wgrt *w);
/* Makes the data plane match next, given that it was made to match prev (NULL at
 * start). Only what changed is sent: a changed peer is one UAPI peer section with
 * update_only, so the sessions of every other peer are untouched. */
void wg_wgrt_apply(struct wg_wgrt *w, struct wg_router *r, const struct wg_store *prev, const struct wg_store *next);
bool wg_wgrt_running(struct wg_wgrt *w, uint32_t iface_id);
/* The next status read asks the data plane again (a print must not show counters read
 * up to a second ago by the periodic checks). */
void wg_wgrt_status_expire(struct wg_wgrt *w);
void wg_wgrt_peer_status(struct wg_wgrt *w, const struct wg_store *st, const struct wg_item *peer,
			 struct wg_peer_status *out);
/* Once a second: retries interfaces that failed to start, re-resolves host name
 * endpoints (every 60 s, and every 15 s while a peer has had no handshake for 2 min). */
void wg_wgrt_tick(struct wg_wgrt *w, struct wg_router *r, const struct wg_store *st);

struct wg_sysrt;
struct wg_sysrt *wg_sysrt_new(const struct wg_sys_ops *ops, void *ctx);
/* Removes the addresses, routes and firewall table the router installed. */
void wg_sysrt_free(struct wg_sysrt *s);
/* Reconciles addresses and routes with the system (adding what is missing, removing
 * what the router installed and is no longer configured); rebuilds the firewall when
 * fw_changed. Failures are retried by the next call and logged when loud (after a
 * change, not on every periodic pass). full: compared with what the kernel has (the
 * periodic pass, and a commit that may have re-created interfaces); otherwise with what
 * was present after the last pass (a commit that adds a peer costs no route dump). */
void wg_sysrt_apply(struct wg_sysrt *s, struct wg_router *r, const struct wg_store *st, bool fw_changed, bool loud,
		    bool full);
/* Zeroes the counters of rules ids (firewall table rebuilt, other counters kept). */
void wg_sysrt_reset_counters(struct wg_sysrt *s, struct wg_router *r, const struct wg_store *st,
			     enum wg_fw_family f, enum wg_fw_table t, const uint32_t *ids, size_t n);
bool wg_sysrt_applied(struct wg_sysrt *s, const struct wg_menu *m, uint32_t id);
bool wg_sysrt_counter(struct wg_sysrt *s, enum wg_fw_family f, enum wg_fw_table t, uint32_t id,
		      uint64_t *bytes, uint64_t *packets);

/* apply_dns.c: /ip/dns allow-remote-requests, the DNS server for clients. */
struct wg_dnsrt;
/* port 0: never served (unit tests that do not exercise it). */
struct wg_dnsrt *wg_dnsrt_new(uint16_t port);
/* Stops the server: threads ended, sockets closed. */
void wg_dnsrt_free(struct wg_dnsrt *d);
/* Starts, stops or reconfigures the server to match /ip/dns and /ip/dns/static of st. */
void wg_dnsrt_apply(struct wg_dnsrt *d, struct wg_router *r, const struct wg_store *st);
/* Once a second: retries a port that could not be bound (every 10 s). */
void wg_dnsrt_tick(struct wg_dnsrt *d, struct wg_router *r, const struct wg_store *st);
size_t wg_dnsrt_cache_used(struct wg_dnsrt *d);
/* The server's counters; false when it is not running. */
struct wg_dns_proxy_stats;
bool wg_dnsrt_stats(struct wg_dnsrt *d, struct wg_dns_proxy_stats *out);

/* menus_clock.c: makes /system/clock time-zone-name the daemon's TZ when it changed. */
void wg_clock_apply(struct wg_router *r, const struct wg_store *st);

/* persist.c: the state file (persist.h has the journal). A snapshot of st. */
int wg_persist_save(const char *dir, const struct wg_store *st, char *err, size_t errlen);
/* *out is a fresh store when there is no state file yet. Removes the temporary file
 * an interrupted save left behind; replays the journal. */
int wg_persist_load(const char *dir, struct wg_store **out, char *err, size_t errlen);
/* The state file's text of st (backups carry it), and a store from such text (text is
 * modified while parsed). -1 with err when it is not a state file. */
void wg_persist_text(const struct wg_store *st, struct sbuf *b);
int wg_persist_parse(char *text, struct wg_store **out, char *err, size_t errlen);
#endif
