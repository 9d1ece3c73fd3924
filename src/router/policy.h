/* RouterOS user policies (what a /user/group allows) and what they decide about a
 * property: whether a user sees its value, a mask, or nothing. Print, export, the API
 * and REST all ask wg_prop_visibility, so a secret is hidden the same way at every door. */
#ifndef WG_ROUTER_POLICY_H
#define WG_ROUTER_POLICY_H
#include <stdbool.h>
#include "router/schema.h"
#include "router/store.h"

/* In RouterOS's order (the order print shows them in). */
enum wg_policy {
	WG_POL_LOCAL = 1u << 0,
	WG_POL_TELNET = 1u << 1,
	WG_POL_SSH = 1u << 2,
	WG_POL_FTP = 1u << 3,
	WG_POL_REBOOT = 1u << 4,
	WG_POL_READ = 1u << 5,
	WG_POL_WRITE = 1u << 6,
	WG_POL_POLICY = 1u << 7,     /* manage users and groups (with write) */
	WG_POL_TEST = 1u << 8,
	WG_POL_WINBOX = 1u << 9,
	WG_POL_PASSWORD = 1u << 10,  /* change one's own password */
	WG_POL_WEB = 1u << 11,
	WG_POL_SNIFF = 1u << 12,
	WG_POL_SENSITIVE = 1u << 13, /* see private keys, preshared keys */
	WG_POL_API = 1u << 14,
	WG_POL_ROMON = 1u << 15,
	WG_POL_REST_API = 1u << 16,
};
#define WG_POL_ALL ((1u << 17) - 1)
#define WG_POL_COUNT 17

/* "read,write,!ftp" -> bits. Names may repeat; a name and its !name together, or an
 * unknown name, make it false. Names not listed are not granted. */
bool wg_policy_parse(const char *text, unsigned *out);
/* RouterOS's form: the granted policies in order, then the others as !name:
 * "local,telnet,...,rest-api,!ftp,!write,!policy". Returns a malloc'd string. */
char *wg_policy_format(unsigned policies);
/* "api" for WG_POL_API; NULL for anything but one bit. */
const char *wg_policy_name(unsigned bit);

enum wg_visibility {
	WG_VIS_VALUE,   /* the value itself */
	WG_VIS_MASKED,  /* "(hidden)": sensitive, and show-sensitive was not asked for */
	WG_VIS_NONE,    /* nothing at all: hidden values, or sensitive ones for a user
			 * without the sensitive policy (also not in get, find or where) */
};
/* What a user with these policies sees of property p; show_sensitive: print or export
 * was asked for show-sensitive. Secrets: PF_SENSITIVE (private and preshared keys),
 * PF_HIDDEN (password hashes, certificate keys), PF_WRITEONLY (passwords). */
enum wg_visibility wg_prop_visibility(const struct wg_prop *p, unsigned policies, bool show_sensitive);
/* True when p holds a secret of any of those kinds. */
bool wg_prop_is_secret(const struct wg_prop *p);

/* The policies a change from one configuration to the next needs: write for any
 * change, and policy as well when /user or /user/group changed. */
unsigned wg_change_needs(const struct wg_store *from, const struct wg_store *to);
#endif
