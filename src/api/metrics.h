/* Prometheus metrics (text exposition format 0.0.4) of the router, served at /metrics
 * by the www and www-ssl services (http.c). The names of mdlayher's wireguard_exporter,
 * so existing dashboards work unchanged:
 *   wireguard_device_info{device,public_key} 1
 *   wireguard_peer_info{device,public_key,endpoint,allowed_ips,name} 1
 *   wireguard_peer_receive_bytes_total, wireguard_peer_transmit_bytes_total
 *     {device,public_key}: the data plane's counters, what `wg show IF dump` shows
 *   wireguard_peer_last_handshake_seconds{device,public_key}: UNIX time, 0 = never
 * and the router's own, prefixed wgrouter_: bytes since the peer's creation, peer
 * enabled, handshake failures and dropped packets by reason, firewall rule counters,
 * DNS queries and cache hits. */
#ifndef WG_API_METRICS_H
#define WG_API_METRICS_H
#include "router/router.h"

/* The page (malloc'd). Call with the router lock held. */
char *wg_metrics_render(struct wg_router *r);
#endif
