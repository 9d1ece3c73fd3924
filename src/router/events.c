/* See events.h. The reasons follow the data plane's wording (dataplane/handshake.c,
 * rx.c), the same texts log.c maps to RouterOS's messages. */
#include "router/events.h"
#include <stdio.h>
#include <string.h>

static const char *handshake_reason(const char *m)
{
	if (strcasestr(m, "did not complete"))
		return "timeout";
	if (strcasestr(m, "unknown public key"))
		return "unknown_peer";
	if (strcasestr(m, "invalid MAC"))
		return "invalid_mac";
	if (strcasestr(m, "rejected"))
		return "rejected";
	if (strcasestr(m, "failed"))
		return "other";
	return NULL;
}

static void classify(const struct wg_log_raw *raw, const char **kind, const char **reason)
{
	*kind = *reason = NULL;
	if (!strcmp(raw->topic, "handshake") && (*reason = handshake_reason(raw->msg)))
		*kind = "handshake_failure";
	else if (!strcmp(raw->topic, "allowedips"))
		*kind = "drop", *reason = "allowed_address_mismatch";
	else if (!strcmp(raw->topic, "mtu"))
		*kind = "drop", *reason = "packet_too_big";
}

void wg_events_count(struct wg_events *e, const struct wg_log_raw *raw)
{
	const char *kind, *reason;
	classify(raw, &kind, &reason);
	if (!kind)
		return;
	for (size_t i = 0; i < e->n; i++) {
		struct wg_event_count *c = &e->v[i];
		if (c->kind == kind && c->reason == reason && !strcmp(c->ifname, raw->ifname)) {
			c->n++;
			return;
		}
	}
	if (e->n == WG_EVENTS_MAX)
		return; /* bounded: 5 + 2 reasons for 18 interfaces */
	struct wg_event_count *c = &e->v[e->n++];
	snprintf(c->ifname, sizeof(c->ifname), "%s", raw->ifname);
	c->kind = kind;
	c->reason = reason;
	c->n = 1;
}
