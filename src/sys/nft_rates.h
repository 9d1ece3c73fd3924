/* Per-peer rate limits (/interface/wireguard/peers max-rate, and quota-action=rate-limit)
 * in a table of their own, `table inet wgrouter_rates`, replaced atomically like the
 * firewall's (which it never touches). Each limited peer gets two named limit objects,
 * one per direction, so its allowed-address prefixes (IPv4 and IPv6) share one budget:
 *   rx (from the peer):  iifname IF ip[6] saddr { prefixes } limit name "pN_rx" drop
 *   tx (to the peer):    oifname IF ip[6] daddr { prefixes } limit name "pN_tx" drop
 * in base chains forward, input (rx only) and output (tx only) at priority filter - 5,
 * so traffic through the tunnel and to the router itself both count. Packets over the
 * rate are dropped (a policer: TCP settles at the rate). */
#ifndef WG_SYS_NFT_RATES_H
#define WG_SYS_NFT_RATES_H
#include <stddef.h>
#include <stdint.h>

#define WG_NFT_RATES_TABLE "wgrouter_rates"

struct wg_rate_peer {
	uint32_t id;                   /* the peer's internal id (names the limit objects) */
	const char *ifname;
	const char *const *prefixes;   /* allowed-address, "10.0.0.2/32", "fd00::2/128" */
	size_t nprefixes;
	uint64_t rx_bps, tx_bps;       /* bits per second; 0: that direction unlimited */
};

/* The nft script that replaces the table (no peers: removes it). malloc'd. Pure. */
char *wg_nft_rates_script(const struct wg_rate_peer *v, size_t n);
/* Runs it. 0, or -errno with err set to nft's message. */
int wg_nft_rates_apply(const struct wg_rate_peer *v, size_t n, char *err, size_t errlen);
#endif
