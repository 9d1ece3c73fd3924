/* The configuration model as data: every RouterOS menu is a table definition (its
 * path, typed properties and a few hooks), so print, export, find, persistence and
 * validation are written once for all menus. Values are kept as canonical text (the
 * text print and export show), which is also what the firewall compiler consumes. */
#ifndef WG_ROUTER_SCHEMA_H
#define WG_ROUTER_SCHEMA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wg_ptype {
	PT_STR,      /* free text */
	PT_INT,      /* integer within [min, max] */
	PT_BOOL,     /* yes/no (true/false accepted) */
	PT_TIME,     /* duration: 25s, 1h, 1d2h3m, 00:01:00 */
	PT_KEY,      /* a 32-byte key in base64 (PF_AUTO: also "auto") */
	PT_IP,       /* one IPv4 or IPv6 address */
	PT_IPS,      /* list of addresses (dns servers) */
	PT_PREFIX,   /* address/len with host bits kept (/ip/address) */
	PT_PREFIXES, /* list of PT_PREFIX (client-address) */
	PT_NET,      /* network prefix, host bits cleared (route dst-address) */
	PT_NETS,     /* list of networks (allowed-address) */
	PT_HOST,     /* IP address or DNS name (endpoint-address) */
	PT_ENUM,     /* one of choices */
	PT_ENUMS,    /* list of choices (connection-state) */
	PT_LIST,     /* list of free words (topics) */
	PT_FWADDR,   /* firewall address: [!]prefix or range a-b */
	PT_PORTS,    /* [!]port, list and ranges */
	PT_IFACE,    /* an interface that must exist */
	PT_FWIFACE,  /* [!]interface name in a firewall rule (may appear later) */
	PT_IFLIST,   /* [!]interface list that must exist */
	PT_GATEWAY,  /* IP address or interface name */
	PT_TABLE,    /* routing table that must exist (main or /routing/table) */
	PT_BYTES,    /* read-only byte counter, printed in human units */
	PT_NUM,      /* read-only number without range (counters, sizes) */
	PT_SIZE,     /* bytes with a binary suffix: 500M, 10G (quotas) */
	PT_RATE,     /* bits/s "rx/tx" or one for both: 10M/5M, 512k (max-rate) */
	PT_DATETIME, /* local date and time: 2026-12-31 23:59:00 (expires) */
};

enum {
	PF_REQUIRED = 1 << 0,  /* add and set fail without it (after on_add defaults) */
	PF_RO = 1 << 1,        /* read only: not accepted by add/set, not exported */
	PF_SENSITIVE = 1 << 2, /* (hidden) in print, left out of export unless show-sensitive */
	PF_UNIQUE = 1 << 3,    /* no two items share the value */
	PF_RUNTIME = 1 << 4,   /* not stored: filled from the running system at print */
	PF_AUTO = 1 << 5,      /* PT_KEY also accepts "auto" (the hook generates a key) */
	PF_NOPRINT = 1 << 6,   /* only in print detail */
	PF_STATS = 1 << 7,     /* firewall counters: only in print stats */
	PF_HIDDEN = 1 << 8,    /* stored and persisted, never shown to anyone (print, get,
				* find, export, API): a password hash, a certificate's key.
				* Always together with PF_RO, so add/set cannot write it */
	PF_WRITEONLY = 1 << 9, /* accepted by add/set, never stored as given: the menu's
				* derive hook turns it into a PF_HIDDEN value and clears it */
};

struct wg_prop {
	const char *name;
	enum wg_ptype type;
	unsigned flags;
	const char *def;              /* default (print shows it, compact export omits it) */
	const char *const *choices;   /* PT_ENUM / PT_ENUMS */
	long long min, max;           /* PT_INT */
};

/* A letter of the flags column, set when the item's value of prop is "yes". */
struct wg_flagdef { char c; const char *name; const char *prop; };

enum {
	MF_CONTAINER = 1 << 0, /* only a node of the tree (/ip, /interface) */
	MF_ITEMS = 1 << 1,     /* list of items: add, remove, ... */
	MF_SETTINGS = 1 << 2,  /* one settings item: set, get, print */
	MF_ORDERED = 1 << 3,   /* order matters: move, place-before */
	MF_VIRTUAL = 1 << 4,   /* read-only items produced by list() */
	MF_NOEXPORT = 1 << 5,  /* not part of /export or persistence */
	MF_COUNTERS = 1 << 6,  /* firewall: reset-counters, print stats */
	MF_FIXED = 1 << 7,     /* MF_ITEMS whose rows are fixed (the names in `fixed`): every
				* store has them, add and remove are refused, export writes
				* `set NAME prop=...` (/ip/service) */
	MF_PLAIN = 1 << 8,     /* print quotes a string only when it needs quotes: RouterOS's
				* firewall prints chain=input, list=bad_ipv6 */
};

struct wg_item {
	uint32_t id;       /* internal id: *1, *2 ... (dynamic items: *8000000N) */
	bool dynamic;      /* made by the system, not by configuration (flag D) */
	char **vals;       /* one per property, NULL = unset */
};

struct wg_router;
struct wg_store;
struct wg_menu;
struct wg_auth_user;
struct sbuf;

/* Context of a validation: the store being changed and the router (for the system's
 * interfaces). Hooks write one message into err and return -1 on failure. */
struct wg_vctx {
	struct wg_router *r;
	struct wg_store *st;
	const struct wg_menu *menu;
	char *err;
	size_t errlen;
};

/* A list of items produced for print (virtual menus, dynamic routes). */
struct wg_itemlist { struct wg_item **v; size_t n, cap; };

/* A command of one menu beyond the item commands (/certificate sign, /certificate
 * import, /password), defined here so that every door (console, API, REST) runs the same
 * code: the door collects name=value arguments, clones the configuration, runs the
 * action with wg_action_run() and commits the clone when the action changed it. */
struct wg_action_ctx {
	struct wg_router *r;
	struct wg_store *next;            /* a clone of the configuration: the action edits it */
	const struct wg_menu *menu;
	const struct wg_auth_user *user;  /* NULL: the local console (root, every policy) */
	const char *cwd;                  /* the console client's directory (relative file
					   * names), or NULL: files only from the state directory */
	const char *const *args;          /* name, value, ..., NULL; the unnamed argument is
					   * "numbers" (an item's *ID or name) */
	struct sbuf *out;                 /* what the command prints */
	char *err;                        /* the error message when run returns -1 */
	size_t errlen;
	bool changed;                     /* set by the action: commit next */
	/* An action that answers rows (traffic-history) sets rows_menu and fills rows with
	 * its items: the console prints them as a table of rows_menu's columns, REST and
	 * the API answer them as rows. */
	const struct wg_menu *rows_menu;
	struct wg_itemlist rows;
};

struct wg_action {
	const char *name;
	const char *const *params;        /* argument names it takes (NULL-terminated) */
	unsigned needs;                   /* WG_POL_* the user must have (router/policy.h) */
	int (*run)(struct wg_action_ctx *a);
};

struct wg_menu {
	const char *path;                 /* "/interface/wireguard" */
	unsigned flags;                   /* MF_* */
	const struct wg_prop *props;      /* terminated by a NULL name */
	const char *const *columns;       /* table print; NULL: name=value rows */
	const struct wg_flagdef *flagdefs;/* terminated by c == 0 */
	const char *name_prop;            /* items may be referenced by this value */
	/* add: fill generated defaults (keys, ports, names) before validation */
	int (*on_add)(struct wg_vctx *v, struct wg_item *it);
	/* add and set, before the generic checks: generate "auto" keys, derive stored
	 * read-only values (public-key from private-key, network from address) */
	int (*derive)(struct wg_vctx *v, struct wg_item *it);
	/* add and set, after the generic checks (required, unique, references): the item
	 * against the others (overlapping allowed-address, duplicate addresses) */
	int (*check)(struct wg_vctx *v, struct wg_item *it);
	/* remove: refuse when something still refers to the item */
	int (*on_remove)(struct wg_vctx *v, const struct wg_item *it);
	/* print: runtime values (PF_RUNTIME props) from the running system */
	void (*runtime)(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals);
	/* print: items that are not configuration (virtual menus, dynamic routes) */
	void (*list)(struct wg_router *r, struct wg_itemlist *out);
	/* MF_FIXED: the name_prop values of the rows, in order (NULL-terminated) */
	const char *const *fixed;
	/* A default that depends on the row (the port of each /ip/service row), consulted
	 * before props[idx].def; NULL: none */
	const char *(*row_default)(const struct wg_item *it, int idx);
	/* print stats: the columns (NULL: the firewall's chain, action, bytes, packets) */
	const char *const *stats_columns;
	/* Commands of this menu (NULL-terminated by name), see struct wg_action */
	const struct wg_action *actions;
};

/* ---- schema queries (schema.c) ---- */
extern const struct wg_menu *const wg_menus[];   /* NULL-terminated, export order */
const struct wg_menu *wg_menu_find(const char *path);
size_t wg_menu_nprops(const struct wg_menu *m);
int wg_menu_prop(const struct wg_menu *m, const char *name); /* index or -1 */
/* The child menu names of path (for the tree, completion); returns count. */
size_t wg_menu_children(const char *path, const char **out, size_t max);
/* "/interface wireguard" for export headers. */
void wg_menu_export_path(const struct wg_menu *m, char *buf, size_t len);

/* ---- values (types.c) ---- */
/* Parses text for property p. On success *out is the canonical text (malloc'd) and 0 is
 * returned; on failure err says "invalid value for argument NAME" and -1. */
int wg_value_parse(const struct wg_prop *p, const char *in, char **out, char *err, size_t errlen);
/* The text a property shows: the value, else its default, else NULL. */
const char *wg_item_show(const struct wg_menu *m, const struct wg_item *it, int idx);
const char *wg_item_get(const struct wg_menu *m, const struct wg_item *it, const char *name);
bool wg_item_flag(const struct wg_menu *m, const struct wg_item *it, const char *name);
bool wg_is_hostname(const char *s);
bool wg_parse_bool(const char *s, bool *out);

/* ---- actions (action.c) ---- */
const struct wg_action *wg_action_find(const struct wg_menu *m, const char *name);
/* Checks the arguments against act->params and the user's policies against act->needs,
 * then runs it. 0, or -1 with a->err set ("not enough permissions (9)", "expected end
 * of command", or the action's own message). */
int wg_action_run(struct wg_action_ctx *a, const struct wg_action *act);
/* The value of argument name, or NULL. */
const char *wg_action_arg(const struct wg_action_ctx *a, const char *name);
/* The item of a->menu in a->next named by the argument "numbers" (*ID or name; exactly
 * one), or NULL with a->err set. */
struct wg_item *wg_action_item(struct wg_action_ctx *a);

/* ---- items and lists ---- */
struct wg_item *wg_item_new(const struct wg_menu *m);
struct wg_item *wg_item_clone(const struct wg_menu *m, const struct wg_item *it);
void wg_item_free(const struct wg_menu *m, struct wg_item *it);
void wg_item_set(const struct wg_menu *m, struct wg_item *it, const char *name, const char *val);
/* Stores a copy of val (NULL: unset) as property idx: the one way values are written,
 * so keys always land in secret memory. */
void wg_item_put(const struct wg_menu *m, struct wg_item *it, int idx, const char *val);
void wg_itemlist_push(struct wg_itemlist *l, struct wg_item *it);
void wg_itemlist_free(const struct wg_menu *m, struct wg_itemlist *l);
#endif
