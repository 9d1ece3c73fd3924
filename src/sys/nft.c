/* Applying the compiled firewall through libnftables, and reading its state back.
 * Everything runs in the caller's network namespace and needs CAP_NET_ADMIN. */
#include "sys/nft.h"
#include <errno.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A context whose output and errors go to buffers, not to our stdout/stderr. */
static struct nft_ctx *ctx_new(void)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return NULL;
	if (nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft)) {
		nft_ctx_free(nft);
		return NULL;
	}
	return nft;
}

/* Runs cmd; on success *out (if given) gets a copy of nft's output. */
static int run(const char *cmd, char **out, char *err, size_t errlen)
{
	struct nft_ctx *nft = ctx_new();
	if (!nft)
		return -ENOMEM;
	int ret = nft_run_cmd_from_buffer(nft, cmd) ? -EIO : 0;
	if (ret < 0 && err && errlen)
		snprintf(err, errlen, "%s", nft_ctx_get_error_buffer(nft));
	if (ret == 0 && out && !(*out = strdup(nft_ctx_get_output_buffer(nft))))
		ret = -ENOMEM;
	nft_ctx_free(nft);
	return ret;
}

int wg_nft_run(const char *script, char *err, size_t errlen)
{
	return run(script, NULL, err, errlen);
}

char *wg_nft_list(void)
{
	char *out = NULL;
	if (run("list table inet " WG_NFT_TABLE, &out, NULL, 0) < 0)
		return NULL;
	return out;
}

int wg_nft_flush(void)
{
	/* "add" first so a missing table is not an error. */
	return run("add table inet " WG_NFT_TABLE "\ndelete table inet " WG_NFT_TABLE "\n",
		   NULL, NULL, 0);
}

int wg_nft_read_counters(struct wg_fw_counter **out)
{
	char *text = wg_nft_list();
	*out = NULL;
	if (!text)
		return 0;
	int n = wg_nft_parse_counters(text, out);
	free(text);
	return n;
}

int wg_nft_read_dynamic(struct wg_fw_dyn_entry **out)
{
	char *text = wg_nft_list();
	*out = NULL;
	if (!text)
		return 0;
	int n = wg_nft_parse_dynamic(text, out);
	free(text);
	return n;
}

bool wg_nft_probe_flowtable(void)
{
	/* One transaction: if the kernel refuses the flowtable nothing is left behind. */
	return run("add table inet wgrouter_probe\n"
		   "add flowtable inet wgrouter_probe ft { hook ingress priority 0; devices = { \"lo\" }; }\n"
		   "delete table inet wgrouter_probe\n", NULL, NULL, 0) == 0;
}

/* cfg's entries first (they win: the compiler takes the first match), then live ones. */
static void *concat(const void *a, size_t na, const void *b, size_t nb, size_t elem)
{
	void *v = malloc((na + nb) * elem + 1);
	if (!v)
		return NULL;
	if (na)
		memcpy(v, a, na * elem);
	if (nb)
		memcpy((char *)v + na * elem, b, nb * elem);
	return v;
}

/* A flowtable naming a missing device fails the whole transaction; lo never forwards. */
static size_t existing_devices(const struct wg_fw_config *cfg, const char **out)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->nflow_devices; i++)
		if (strcmp(cfg->flow_devices[i], "lo") && if_nametoindex(cfg->flow_devices[i]))
			out[n++] = cfg->flow_devices[i];
	return n;
}

struct live {
	struct wg_fw_counter *counters;
	struct wg_fw_dyn_entry *dyn;
	int ncounters, ndyn;
};

static void read_live(int flags, struct live *l)
{
	char *text = flags ? wg_nft_list() : NULL;
	memset(l, 0, sizeof(*l));
	if (!text)
		return;
	if (flags & WG_NFT_KEEP_COUNTERS)
		l->ncounters = wg_nft_parse_counters(text, &l->counters);
	if (flags & WG_NFT_KEEP_DYNAMIC)
		l->ndyn = wg_nft_parse_dynamic(text, &l->dyn);
	l->ncounters = l->ncounters < 0 ? 0 : l->ncounters;
	l->ndyn = l->ndyn < 0 ? 0 : l->ndyn;
	free(text);
}

int wg_nft_apply(const struct wg_fw_config *cfg, int flags, char *err, size_t errlen)
{
	struct wg_fw_config c = *cfg;
	struct live l;
	read_live(flags, &l);
	struct wg_fw_counter *counters = concat(cfg->counters, cfg->ncounters, l.counters,
						(size_t)l.ncounters, sizeof(*counters));
	struct wg_fw_dyn_entry *dyn = concat(cfg->dyn, cfg->ndyn, l.dyn, (size_t)l.ndyn, sizeof(*dyn));
	const char **devs = malloc((cfg->nflow_devices + 1) * sizeof(*devs));
	char *script = NULL;
	int ret = -ENOMEM;
	if (counters && dyn && devs) {
		c.counters = counters;
		c.ncounters = cfg->ncounters + (size_t)l.ncounters;
		c.dyn = dyn;
		c.ndyn = cfg->ndyn + (size_t)l.ndyn;
		c.flow_devices = devs;
		c.nflow_devices = existing_devices(cfg, devs);
		ret = wg_nft_compile(&c, &script, err, errlen);
	}
	if (ret == 0)
		ret = wg_nft_run(script, err, errlen);
	free(script);
	free(devs);
	free(dyn);
	free(counters);
	free(l.counters);
	free(l.dyn);
	return ret;
}
