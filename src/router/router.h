/* The router: the configuration store plus what it takes to make the system match it.
 *
 * Every change arrives as a complete new store (validated by the console on a clone);
 * wg_router_commit() applies the difference to the data plane and the system, writes
 * the state file, and swaps the store in. Runtime values (running, rx/tx, handshakes,
 * dynamic routes) are read back from the system when printed. */
#ifndef WG_ROUTER_ROUTER_H
#define WG_ROUTER_ROUTER_H
#include <stdbool.h>
#include <stdint.h>
#include "router/backend.h"
#include "router/store.h"

/* The RouterOS version whose WireGuard features wgrouter matches, as digits and dots:
 * clients read it to decide what to send (terraform-provider-routeros requires the
 * form; Ansible's api_modify enables peer client-* and name from 7.15, responder from
 * 7.17, client-allowed-address from 7.21). */
#define WG_ROUTER_VERSION "7.21"

struct wg_router;
struct wg_log;

struct wg_router_config {
	const char *state_dir;       /* NULL: no persistence (tests, dry runs) */
	const struct wg_dp_ops *dp;  /* data plane */
	void *dp_ctx;
	const char *uapi_dir;        /* where interfaces serve their UAPI sockets */
	const struct wg_sys_ops *sys;
	void *sys_ctx;
	/* Picks a free UDP port for a new interface; NULL: bind-probe on this host. */
	uint16_t (*pick_port)(void *ctx);
	/* Monotonic clock in ms (called with dp_ctx) for periodic work; NULL: CLOCK_MONOTONIC.
	 * Tests pass their own to move time without sleeping. */
	uint64_t (*clock_ms)(void *ctx);
	/* Port of the DNS server that /ip/dns allow-remote-requests=yes starts (53 in the
	 * daemon); 0: the setting is kept but nothing listens (unit tests). */
	uint16_t dns_port;
	/* Wall clock in unix seconds (called with dp_ctx): traffic history, expiry and quota
	 * periods; NULL: time(). Tests pass a fake to reach a date without waiting. */
	uint64_t (*wall_s)(void *ctx);
	/* Seconds between traffic samples (history, totals, quotas); 0: 10. */
	unsigned sample_s;
};

struct wg_peer_status {
	bool known;                  /* the data plane reported the peer */
	char endpoint_addr[64];      /* "" when no endpoint is known */
	unsigned endpoint_port;
	uint64_t last_handshake_sec; /* unix time, 0 = never */
	uint64_t rx, tx;
};

/* Loads the state (when state_dir is set) and applies it. NULL + err on failure. */
struct wg_router *wg_router_new(const struct wg_router_config *cfg, char *err, size_t errlen);
/* Stops every interface and removes what the router installed. */
void wg_router_free(struct wg_router *r);

const struct wg_store *wg_router_store(const struct wg_router *r);
/* Takes ownership of next: applies the changes, persists, swaps. On a persistence
 * failure the old store stays and -1 is returned with err set. */
int wg_router_commit(struct wg_router *r, struct wg_store *next, char *err, size_t errlen);
/* Periodic work (endpoint re-resolution, retries, log draining); call about once a second. */
void wg_router_tick(struct wg_router *r);

/* ---- queries for menus and the console ---- */
/* Interfaces of the system (cached for one second); free nothing. */
size_t wg_router_links(struct wg_router *r, const struct wg_nl_link **out);
/* Is name an interface: a configured one in st or one of the system? */
bool wg_router_iface_exists(struct wg_router *r, const struct wg_store *st, const char *name);
bool wg_router_wg_running(struct wg_router *r, uint32_t iface_id);
/* Peers' counters and handshakes are read afresh by the next wg_router_peer_status
 * (one data plane read per interface serves the rest of a print). */
void wg_router_status_expire(struct wg_router *r);
void wg_router_peer_status(struct wg_router *r, const struct wg_item *peer, struct wg_peer_status *out);
uint16_t wg_router_pick_port(struct wg_router *r, const struct wg_store *st);
const struct wg_sys_ops *wg_router_sys(struct wg_router *r, void **ctx);
struct wg_log *wg_router_log(struct wg_router *r);
/* A message through the /system/logging rules (memory log, echo). */
void wg_router_logf(struct wg_router *r, const char *topics, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Moves queued data plane log lines into the memory log (before /log print). */
void wg_router_flush_log(struct wg_router *r);
/* The generic checks of an item being added (adding) or changed, in st: generated
 * defaults, derived values, required and unique properties, references to interfaces
 * and routing tables, then the menu's own check. 0, or -1 with err set. */
int wg_check_item(struct wg_router *r, struct wg_store *st, const struct wg_menu *m, struct wg_item *it,
		  bool adding, char *err, size_t errlen);
const char *wg_router_state_dir(const struct wg_router *r);
/* Where a remote user's (API, REST) file names lead: DIR/files/NAME for a plain name
 * (no '/', not starting with '.'), the directory made (0700) on first use; NULL when the
 * name is refused or there is no state directory. Remote users reach no other file. */
char *wg_router_files_path(struct wg_router *r, const char *name);
/* Bytes in the DNS server's cache (0 when it is not running). */
size_t wg_router_dns_cache_used(struct wg_router *r);
uint64_t wg_router_started(const struct wg_router *r); /* unix time the daemon started */

/* reset-counters of firewall rules ids of menu m. */
void wg_router_reset_counters(struct wg_router *r, const struct wg_menu *m, const uint32_t *ids, size_t n);

/* Counts of data plane events by interface and reason (router/events.h): handshake
 * failures and drops, for /metrics. */
struct wg_events;
const struct wg_events *wg_router_events(struct wg_router *r);
/* The DNS server's counters; false when it is not running. */
struct wg_dns_proxy_stats;
bool wg_router_dns_stats(struct wg_router *r, struct wg_dns_proxy_stats *out);

/* The router's wall clock (unix seconds): the config's wall_s, else time(). */
uint64_t wg_router_wall(struct wg_router *r);
/* Takes a traffic sample now (history, totals, quotas) and waits until it is stored:
 * tests, and before the daemon stops. */
void wg_router_sample_now(struct wg_router *r);
/* A peer's bytes since it was created (or its counters reset), the data plane's
 * counters since the last sample included. false: not known yet. */
bool wg_router_peer_totals(struct wg_router *r, const struct wg_item *peer, const struct wg_peer_status *s,
			   uint64_t *rx, uint64_t *tx);

/* The router's monotonic clock in ms (the config's clock_ms, else CLOCK_MONOTONIC). */
uint64_t wg_router_now_ms(struct wg_router *r);

/* Told after a commit that changed what a server serves: /ip/service, /certificate,
 * /user or /user/group, /tool/bandwidth-server (bits of what). Called with the router lock held, after the
 * new configuration is in place: read it with wg_service_get (router/services.h),
 * wg_cert_material (router/certs.h), wg_auth_refresh (router/auth.h). */
enum { WG_WATCH_SERVICES = 1, WG_WATCH_CERTS = 2, WG_WATCH_USERS = 4, WG_WATCH_BTEST = 8 };
typedef void (*wg_watch_fn)(void *ctx, struct wg_router *r, unsigned what);
/* Up to 8 watchers; 0, or -1 when full. */
int wg_router_watch(struct wg_router *r, wg_watch_fn fn, void *ctx);
void wg_router_unwatch(struct wg_router *r, wg_watch_fn fn, void *ctx);

/* /system/reboot: the daemon restarts (re-executes itself) once the command is done. */
void wg_router_request_restart(struct wg_router *r);
bool wg_router_restart_requested(const struct wg_router *r);
/* :global variables live as long as the daemon. */
const char *wg_router_global(struct wg_router *r, const char *name);
void wg_router_set_global(struct wg_router *r, const char *name, const char *val);
bool wg_router_has_global(struct wg_router *r, const char *name);
#endif
