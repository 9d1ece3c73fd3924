/* wg-quick configuration text: the client config of a peer (show-client-config), an
 * interface as wg-quick would write it (wg-export), and reading one (wg-import). */
#ifndef WG_CONSOLE_WGCONF_H
#define WG_CONSOLE_WGCONF_H
#include "router/router.h"
#include "router/store.h"
#include "util/alloc.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/strvec.h"

/* The config a road-warrior client needs for this peer of st. */
void wg_conf_client(struct wg_router *r, const struct wg_store *st, const struct wg_item *peer, struct sbuf *out);
/* The interface and its peers in wg-quick form (keys included). */
void wg_conf_interface(const struct wg_store *st, const struct wg_item *iface, struct sbuf *out);

struct wg_conf_peer {
	char *public_key, *preshared_key, *allowed, *endpoint_host, *endpoint_port, *keepalive;
};
struct wg_conf {
	char *private_key, *listen_port, *mtu;
	struct strvec addresses;
	struct wg_conf_peer *peers;
	size_t npeers;
};
/* Parses wg-quick text; -1 with err naming the line on a syntax error (out then holds
 * nothing: no wg_conf_free needed). */
int wg_conf_parse(const char *text, struct wg_conf *out, char *err, size_t errlen);
void wg_conf_free(struct wg_conf *c);
#endif
