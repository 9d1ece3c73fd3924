/* See policy.h. */
#include "router/policy.h"
#include <stdlib.h>
#include <string.h>
#include "router/menus.h"

static const char *const names[WG_POL_COUNT] = {
	"local", "telnet", "ssh", "ftp", "reboot", "read", "write", "policy", "test", "winbox",
	"password", "web", "sniff", "sensitive", "api", "romon", "rest-api",
};

static int policy_index(const char *name, size_t len)
{
	for (int i = 0; i < WG_POL_COUNT; i++)
		if (strlen(names[i]) == len && !strncmp(names[i], name, len))
			return i;
	return -1;
}

bool wg_policy_parse(const char *text, unsigned *out)
{
	unsigned yes = 0, no = 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, ",");
		bool neg = *p == '!';
		int i = policy_index(p + neg, n - neg);
		if (i < 0)
			return false;
		*(neg ? &no : &yes) |= 1u << i;
		p += n;
		if (*p == ',' && *++p == 0)
			return false; /* a trailing comma */
	}
	*out = yes;
	return !(yes & no);
}

char *wg_policy_format(unsigned policies)
{
	struct sbuf b;
	sb_init(&b);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < WG_POL_COUNT; i++) {
			bool granted = policies & (1u << i);
			if (granted != (pass == 0))
				continue;
			sb_printf(&b, "%s%s%s", b.len ? "," : "", pass ? "!" : "", names[i]);
		}
	}
	return sb_take(&b);
}

const char *wg_policy_name(unsigned bit)
{
	for (int i = 0; i < WG_POL_COUNT; i++)
		if (bit == 1u << i)
			return names[i];
	return NULL;
}

bool wg_prop_is_secret(const struct wg_prop *p)
{
	return p->flags & (PF_SENSITIVE | PF_HIDDEN | PF_WRITEONLY);
}

enum wg_visibility wg_prop_visibility(const struct wg_prop *p, unsigned policies, bool show_sensitive)
{
	if (p->flags & (PF_HIDDEN | PF_WRITEONLY))
		return WG_VIS_NONE;
	if (!(p->flags & PF_SENSITIVE))
		return WG_VIS_VALUE;
	if (!(policies & WG_POL_SENSITIVE))
		return WG_VIS_NONE;
	return show_sensitive ? WG_VIS_VALUE : WG_VIS_MASKED;
}

unsigned wg_change_needs(const struct wg_store *from, const struct wg_store *to)
{
	unsigned needs = WG_POL_WRITE;
	if (wg_store_table_differs(from, to, &wg_menu_user) || wg_store_table_differs(from, to, &wg_menu_user_group))
		needs |= WG_POL_POLICY;
	return needs;
}
