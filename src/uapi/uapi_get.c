/* The "get" reply, written line by line as the device is walked: nothing is collected
 * in memory, so its size is bounded by the FILE's buffer whatever the device holds.
 * Keys and their order are wireguard-go's (0.0.20220316, IpcGetOperation). */
#include "uapi/uapi_internal.h"
#include "uapi/uapi_parse.h"
#include "crypto/crypto.h"
#include <inttypes.h>

static void put_key(FILE *out, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char hex[WG_KEY_HEX_LEN + 1];
	wg_key_to_hex(hex, key);
	fprintf(out, "%s=%s\n", name, hex);
	wg_wipe(hex, sizeof(hex));
}

/* private_key only when set; listen_port and fwmark only when nonzero. */
static void put_device(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *out)
{
	uint8_t key[WG_KEY_LEN];
	uint16_t port = ops && ops->get_listen_port ? ops->get_listen_port(ops->ctx) : 0;
	uint32_t mark = ops && ops->get_fwmark ? ops->get_fwmark(ops->ctx) : 0;
	if (wg_device_private_key(dev, key))
		put_key(out, "private_key", key);
	wg_wipe(key, sizeof(key));
	if (port)
		fprintf(out, "listen_port=%u\n", port);
	if (mark)
		fprintf(out, "fwmark=%" PRIu32 "\n", mark);
}

static bool put_allowed_ip(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	FILE *out = ctx;
	char buf[UAPI_PREFIX_STRLEN];
	fprintf(out, "allowed_ip=%s\n", uapi_format_prefix(buf, family, addr, cidr));
	return !ferror(out); /* a dead client: stop walking 100,000 prefixes for nobody */
}

/* preshared_key is printed even when unset (all zeros), as wireguard-go does. */
static void put_peer(const struct wg_peer *peer, FILE *out)
{
	uint8_t key[WG_KEY_LEN];
	struct wg_endpoint ep;
	struct wg_peer_stats st;
	char buf[WG_ENDPOINT_STRLEN];
	wg_peer_public_key(peer, key);
	put_key(out, "public_key", key);
	wg_peer_preshared_key(peer, key);
	put_key(out, "preshared_key", key);
	wg_wipe(key, sizeof(key));
	fprintf(out, "protocol_version=1\n");
	wg_peer_endpoint(peer, &ep);
	if (ep.addr.sa.sa_family == AF_INET || ep.addr.sa.sa_family == AF_INET6)
		fprintf(out, "endpoint=%s\n", wg_endpoint_str(&ep, buf));
	wg_peer_stats(peer, &st);
	fprintf(out, "last_handshake_time_sec=%" PRIu64 "\n", st.last_handshake_wall_ns / 1000000000u);
	fprintf(out, "last_handshake_time_nsec=%" PRIu64 "\n", st.last_handshake_wall_ns % 1000000000u);
	fprintf(out, "tx_bytes=%" PRIu64 "\n", st.tx_bytes);
	fprintf(out, "rx_bytes=%" PRIu64 "\n", st.rx_bytes);
	fprintf(out, "persistent_keepalive_interval=%u\n", wg_peer_persistent_keepalive(peer));
	wg_peer_foreach_allowed_ip(peer, put_allowed_ip, out);
}

int uapi_get(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *out)
{
	put_device(dev, ops, out);
	for (struct wg_peer *p = wg_device_first_peer(dev); p && !ferror(out); p = wg_peer_next(p))
		put_peer(p, out);
	return ferror(out) ? -1 : 0;
}
