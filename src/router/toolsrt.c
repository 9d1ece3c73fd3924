/* See toolsrt.h. */
#include "router/toolsrt.h"
#include <stdlib.h>
#include <string.h>
#include "tools/sniffer.h"
#include "util/alloc.h"

struct wg_toolsrt {
	struct wg_sniffer *sniffer;
	struct wg_netwatch_state *nw;
	size_t nnw;
};

struct wg_toolsrt *wg_toolsrt_new(void)
{
	return xcalloc(1, sizeof(struct wg_toolsrt));
}

void wg_toolsrt_free(struct wg_toolsrt *t)
{
	if (!t)
		return;
	wg_sniffer_free(t->sniffer);
	free(t->nw);
	free(t);
}

struct wg_sniffer *wg_toolsrt_sniffer(struct wg_toolsrt *t) { return t->sniffer; }

void wg_toolsrt_set_sniffer(struct wg_toolsrt *t, struct wg_sniffer *s)
{
	if (t->sniffer != s)
		wg_sniffer_free(t->sniffer);
	t->sniffer = s;
}

struct wg_netwatch_state *wg_toolsrt_netwatch(struct wg_toolsrt *t, uint32_t id)
{
	for (size_t i = 0; i < t->nnw; i++)
		if (t->nw[i].id == id)
			return &t->nw[i];
	t->nw = xrealloc(t->nw, (t->nnw + 1) * sizeof(*t->nw));
	struct wg_netwatch_state *s = &t->nw[t->nnw++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	strcpy(s->status, "unknown");
	return s;
}

void wg_toolsrt_netwatch_keep(struct wg_toolsrt *t, const uint32_t *ids, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < t->nnw; i++) {
		bool found = false;
		for (size_t j = 0; j < n && !found; j++)
			found = ids[j] == t->nw[i].id;
		if (found)
			t->nw[k++] = t->nw[i];
	}
	t->nnw = k;
}
