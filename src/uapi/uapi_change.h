/* One line of a "set" request, parsed into the change it asks for. Parsing is kept apart
 * from applying: it needs no lock (and may wait on DNS), applying needs the device. */
#ifndef WG_UAPI_CHANGE_H
#define WG_UAPI_CHANGE_H
#include <stdbool.h>
#include "uapi/uapi.h"
#include "uapi/uapi_parse.h"

enum uapi_change_kind {
	/* device section */
	UAPI_PRIVATE_KEY,
	UAPI_LISTEN_PORT,
	UAPI_FWMARK,
	UAPI_REPLACE_PEERS,
	/* opens a peer section */
	UAPI_PUBLIC_KEY,
	/* peer section */
	UAPI_REMOVE,
	UAPI_UPDATE_ONLY,
	UAPI_PRESHARED_KEY,
	UAPI_ENDPOINT,
	UAPI_KEEPALIVE,
	UAPI_REPLACE_ALLOWED_IPS,
	UAPI_ALLOWED_IP_ADD,
	UAPI_ALLOWED_IP_DEL,
	UAPI_PROTOCOL_VERSION,
};

struct uapi_change {
	enum uapi_change_kind kind;
	union {
		uint8_t key[WG_KEY_LEN];         /* private, public and preshared keys */
		uint16_t port;
		uint32_t fwmark;
		uint16_t keepalive;
		struct wg_endpoint endpoint;     /* already resolved */
		struct uapi_prefix prefix;
	} v;
};

/* Parses one "key=value" line of len bytes (without its newline). in_peer: a public_key line came
 * earlier in the request, so peer keys apply. Host names in endpoint= are resolved
 * here (ops->resolve, else wg_uapi_resolve). Returns 0, -EPROTO (no '=') or -EINVAL
 * (unknown key, bad value, NUL byte); on error *d holds the one-line reason. */
int uapi_parse_change(struct uapi_change *c, const char *line, size_t len, bool in_peer,
		      const struct wg_uapi_ops *ops, struct uapi_diag *d);
#endif
