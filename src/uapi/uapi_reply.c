/* See uapi_reply.h. Values go through the same parsers as a set request. */
#include "uapi/uapi_reply.h"
#include <stdlib.h>
#include <string.h>
#include "uapi/uapi_parse.h"
#include "util/alloc.h"

static struct uapi_peer_state *new_peer(struct uapi_reply_peers *p, size_t *cap)
{
	if (p->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		p->v = xrealloc(p->v, *cap * sizeof(*p->v));
	}
	struct uapi_peer_state *s = &p->v[p->n++];
	memset(s, 0, sizeof(*s));
	return s;
}

static void peer_value(struct uapi_peer_state *s, const char *k, const char *v)
{
	struct uapi_diag d;
	struct uapi_endpoint_spec spec;
	if (!strcmp(k, "endpoint") && uapi_parse_endpoint(&spec, k, v, &d) && !spec.host[0])
		s->endpoint = spec.ep;
	else if (!strcmp(k, "last_handshake_time_sec"))
		uapi_parse_uint(&s->last_handshake_sec, UINT64_MAX, k, v, &d);
	else if (!strcmp(k, "rx_bytes"))
		uapi_parse_uint(&s->rx_bytes, UINT64_MAX, k, v, &d);
	else if (!strcmp(k, "tx_bytes"))
		uapi_parse_uint(&s->tx_bytes, UINT64_MAX, k, v, &d);
}

/* One "key=value" line (NUL-terminated, modified in place). */
static void reply_line(struct uapi_reply_peers *p, size_t *cap, struct uapi_peer_state **cur, char *line)
{
	struct uapi_diag d;
	char *eq = strchr(line, '=');
	if (!eq)
		return;
	*eq = '\0';
	if (!strcmp(line, "public_key")) {
		uint8_t key[WG_KEY_LEN];
		*cur = uapi_parse_key(key, line, eq + 1, false, &d) ? new_peer(p, cap) : NULL;
		if (*cur)
			memcpy((*cur)->public_key, key, sizeof(key));
	} else if (*cur) {
		peer_value(*cur, line, eq + 1);
	}
}

static int by_key(const void *a, const void *b)
{
	return memcmp(((const struct uapi_peer_state *)a)->public_key,
		      ((const struct uapi_peer_state *)b)->public_key, WG_KEY_LEN);
}

void uapi_reply_peers_parse(struct uapi_reply_peers *out, const char *reply)
{
	struct uapi_peer_state *cur = NULL;
	size_t cap = 0;
	char line[1024];
	memset(out, 0, sizeof(*out));
	while (reply && *reply) {
		const char *end = strchr(reply, '\n');
		size_t n = end ? (size_t)(end - reply) : strlen(reply);
		if (n < sizeof(line)) { /* longer lines are none of ours: skipped */
			memcpy(line, reply, n);
			line[n] = '\0';
			reply_line(out, &cap, &cur, line);
		}
		reply = end ? end + 1 : NULL;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_key);
}

const struct uapi_peer_state *uapi_reply_peers_find(const struct uapi_reply_peers *p,
						     const uint8_t public_key[WG_KEY_LEN])
{
	struct uapi_peer_state k;
	memcpy(k.public_key, public_key, WG_KEY_LEN);
	return p->n ? bsearch(&k, p->v, p->n, sizeof(*p->v), by_key) : NULL;
}

void uapi_reply_peers_free(struct uapi_reply_peers *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}
