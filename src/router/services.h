/* /ip/service: the doors the router's own servers listen on. Four fixed rows, the ones
 * wgrouter serves (RouterOS also lists telnet, ftp, ssh and winbox, which it does not):
 *
 *   www (80, REST over HTTP), www-ssl (443, REST over HTTPS), api (8728), api-ssl (8729)
 *
 * Every row starts disabled: a Linux host often runs other daemons on these ports. A
 * server reads its row with wg_service_get at start and whenever the router tells it
 * that services or certificates changed (wg_router_watch, WG_WATCH_SERVICES|CERTS). */
#ifndef WG_ROUTER_SERVICES_H
#define WG_ROUTER_SERVICES_H
#include <stdbool.h>
#include <stdint.h>
#include "router/store.h"

struct wg_service {
	char name[16];              /* www, www-ssl, api, api-ssl */
	bool enabled;               /* !disabled */
	bool tls;                   /* www-ssl, api-ssl */
	uint16_t port;
	char address[1024];         /* allowed source prefixes, comma list; "" = anyone
				     * (check a client with wg_addr_allowed, router/auth.h) */
	char certificate[64];       /* "" = none (then a TLS row cannot serve) */
	unsigned max_sessions;
	bool tls12_only;            /* tls-version=only-1.2 */
};

/* The row name of st; false when there is no such service. */
bool wg_service_get(const struct wg_store *st, const char *name, struct wg_service *out);
/* /system/metrics (menus_metrics.c) as a service row named "metrics": the listener of
 * its own that serves only /metrics (enabled when disabled=no). */
bool wg_metrics_service_get(const struct wg_store *st, struct wg_service *out);
/* May addr (text) read /metrics without a login (anonymous-address=)? */
bool wg_metrics_anonymous(const struct wg_store *st, const char *addr);
#endif
