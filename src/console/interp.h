/* Internal to src/console: the interpreter's state and the interface between it and
 * the command implementations (cmd_*.c). */
#ifndef WG_CONSOLE_INTERP_H
#define WG_CONSOLE_INTERP_H
#include <stdint.h>
#include "console/console.h"
#include "console/lang.h"
#include "router/auth.h"
#include "router/router.h"
#include "router/store.h"
#include "util/alloc.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/strvec.h"

struct numbering {
	const struct wg_menu *menu;
	uint32_t *ids;
	size_t n;
};

/* ---- value.c: script values and their RouterOS types (:typeof names them) ---- */
enum wg_vtype { VT_NOTHING, VT_NIL, VT_STR, VT_NUM, VT_BOOL, VT_IP, VT_IP6, VT_PREFIX, VT_PREFIX6, VT_TIME,
		VT_ARRAY, VT_ID };
struct wg_val {
	enum wg_vtype type;
	char *s;        /* the text (:put prints it); arrays as 1;2;3 */
};
const char *wg_vtype_name(enum wg_vtype t);
/* The type a bare word has: 5 num, 10.0.0.1 ip, 10.0.0.0/8 ip-prefix, 1h time ... */
enum wg_vtype wg_val_infer(const char *text);
void wg_val_set(struct wg_val *v, enum wg_vtype t, char *text /* taken */);
void wg_val_free(struct wg_val *v);
bool wg_val_num(const char *s, int64_t *out);
bool wg_val_ip4(const char *s, uint32_t *out);
bool wg_val_time(const struct wg_val *v, uint64_t *ms);
char *wg_val_time_text(uint64_t ms);
bool wg_val_truthy(const struct wg_val *v);
void wg_val_elements(const char *s, struct strvec *out);
/* :tonum :tostr :toip :tobool :totime :toarray: nil when the value does not convert. */
void wg_val_convert(enum wg_vtype t, const struct wg_val *in, struct wg_val *out);

struct wg_session {
	struct wg_router *r;
	wg_out_fn out;
	void *out_ctx;
	char *menu;                 /* current menu path */
	struct strvec lnames, lvals;/* :local variables */
	enum wg_vtype *ltypes;      /* and their types */
	int rtype;                  /* type of the value the last command returned (a
				     * function's), -1: read from its text */
	struct numbering *nums;     /* item numbers of the last print, per menu */
	size_t nnums;
	char *last_genkey;          /* what /tool wg-genkey made, for a following [get] */
	char *cwd;
	struct wg_store *shadow;    /* import dry-run: changes go here, never to the router */
	int depth;                  /* nested imports / substitutions */
	char what[128];             /* the running command, for the change log */
	struct wg_wait_hooks wait;  /* around waits that need no router (:delay, /ping) */
	struct wg_auth_user *user;  /* who is logged in; NULL: the local console (root) */
	uint64_t deadline_ms;       /* scripts: monotonic time they must end by (0: none) */
	unsigned long steps, max_steps; /* scripts: commands run, and the bound (0: none) */
	/* Rows a menu action answered (traffic-history), kept for wg_session_exec instead
	 * of printed while collect_rows is set. */
	bool collect_rows;
	const struct wg_menu *rows_menu;
	struct wg_itemlist rows;
	/* Long commands (longrun.c): the cancel flag and the eventfd that wakes a wg_wait
	 * at once; the row sink; rows emitted while wg_session_exec collects them. */
	int cancelled;              /* atomic */
	int cancel_fd;
	wg_row_fn row_fn;
	void *row_ctx;
	bool collect_emitted;
	struct wg_row *emitted;
	size_t nemitted;
	/* Commands come from a script nobody watches (stdin, the scheduler): a long
	 * command without an end of its own (ping without count) is bounded. */
	bool batch;
};

/* One argument after the command word. */
struct wg_arg {
	char *name;      /* NULL: unnamed (a value or a bare word) */
	char *value;     /* NULL: bare word / !name */
	bool neg;        /* !name */
	bool bare;       /* an unquoted word (may be a flag such as detail) */
	int line, col;
	bool used;
};

struct wg_args {
	struct wg_arg *v;
	size_t n, cap;
	size_t where;    /* token index after `where`, or (size_t)-1 */
};

/* A command being run. */
struct wg_call {
	struct wg_session *s;
	const struct wg_menu *menu;
	const char *name;
	const struct wg_tok *t;     /* tokens after the command word */
	size_t n;
	int line, col;              /* of the command word */
	struct sbuf *ret;           /* return value ([...] substitution) */
	bool top;                   /* not inside [...]: print return values of get */
};

typedef int (*wg_cmd_fn)(struct wg_call *c);

struct wg_cmddef {
	const char *name;
	wg_cmd_fn fn;
	unsigned menu_flags;    /* available in menus with any of these flags */
	const char *path;       /* or in exactly this menu */
};

/* ---- longrun.c: what long commands (ping, bandwidth-test, torch ...) are made of ----
 * A long command holds no pointer into the store across a wait: other consoles commit
 * meanwhile. Output written before a wait reaches the client before the wait. */
/* Sleeps ms with the router released: 0 when the time is over, 1 when cancelled. */
int wg_wait(struct wg_session *s, unsigned ms);
/* The same, returning 2 as soon as fd has one of events (poll(2) events). */
int wg_wait_fd(struct wg_session *s, int fd, short events, unsigned ms);
bool wg_cancelled(struct wg_session *s);
/* One result row of a long command (a ping reply, a second of bandwidth-test): to the
 * row sink (the API), or collected (wg_session_exec), or else line printed (console).
 * line may be NULL: nothing printed. */
void wg_emit_row(struct wg_session *s, const struct wg_row *row, const char *line);
/* Builds rows for wg_emit_row: values copied. */
void wg_row_add(struct wg_row *row, const char *name, const char *value, int kind);
void wg_row_clear(struct wg_row *row);
/* Moves the rows collected since collect_emitted was set to *rows (appended). */
void wg_take_emitted(struct wg_session *s, struct wg_row **rows, size_t *n);
void wg_longrun_free(struct wg_session *s);

/* ---- cmd_ping.c: RouterOS's ping output (also for the unit tests) ---- */
void wg_ping_header(struct sbuf *b);
void wg_ping_line(struct sbuf *b, unsigned long seq, const char *host, const char *size, const char *ttl,
		  const char *time, const char *status);
void wg_ping_summary(struct sbuf *b, unsigned long sent, unsigned long received, uint64_t min_us,
		     uint64_t avg_us, uint64_t max_us);

/* ---- interp.c ---- */
/* Runs a resolved command: the policy check, then the command (console lines and
 * structured requests alike). */
int wg_dispatch(struct wg_call *c, const struct wg_cmddef *d);
/* Does the session's user have the policies command name needs (write for changes,
 * sensitive for what reveals keys)? */
bool wg_may_run(const struct wg_session *s, const char *name);
void wg_out(struct wg_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wg_outs(struct wg_session *s, const char *text);
/* Prints an error (stream 2) and returns -1. */
int wg_err(struct wg_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Evaluates a value token (and tokens glued to it without space): words, strings,
 * $variables, [substitutions]. *used = tokens consumed. */
int wg_eval_value(struct wg_call *c, size_t i, char **out, size_t *used);
int wg_collect_args(struct wg_call *c, struct wg_args *a);
void wg_args_free(struct wg_args *a);
/* Takes a flag (`detail`) from the unnamed args. */
bool wg_arg_flag(struct wg_args *a, const char *name);
/* Takes name=value (or `name value` for the seeds' `from-key $k`); NULL if absent. */
const char *wg_arg_value(struct wg_args *a, const char *name);
/* The first unnamed argument not used yet. */
struct wg_arg *wg_arg_unnamed(struct wg_args *a);
/* Fails with "expected end of command (line L column C)" at the first unused arg. */
int wg_args_done(struct wg_call *c, struct wg_args *a);
/* The store commands read: the dry-run shadow or the router's. */
const struct wg_store *wg_cur_store(struct wg_session *s);
/* Makes next the configuration (router commit, or the shadow in a dry run), when the
 * session's user has the policies the change needs (wg_change_needs). */
int wg_commit(struct wg_session *s, struct wg_store *next);
/* The same with the policies given (an action's own: /password needs only password). */
int wg_commit_needs(struct wg_session *s, struct wg_store *next, unsigned needs);
/* The policies of the session's user (every one for the local console). */
unsigned wg_session_policies(const struct wg_session *s);
/* Runs a nested script with cur as the current menu; ret gets the last value. */
int wg_run_nested(struct wg_session *s, const struct wg_script *sc, const char *menu, struct sbuf *ret, bool top);
/* relative to the client's cwd; for a remote user, only in the router's files directory */
char *wg_path_file(struct wg_session *s, const char *name);

void wg_set_local(struct wg_session *s, const char *name, const char *val);
void wg_set_local_typed(struct wg_session *s, const char *name, const char *val, enum wg_vtype t);
/* A variable's value (NULL: none) and its type (VT_NOTHING when there is none). */
const char *wg_var_get(struct wg_session *s, const char *name, enum wg_vtype *t);

/* ---- calc.c: values with their types, ( expressions ) ---- */
/* Evaluates the value at token i (and tokens glued to it): a word, "string", $variable,
 * [substitution], ( expression ) or {array}. *used = tokens consumed. */
int wg_eval_typed(struct wg_call *c, size_t i, struct wg_val *out, size_t *used);

/* ---- lookup.c: :resolve's name look-ups ---- */
enum { WG_LOOKUP_MS = 5000 };
/* An address of host (text into out) through servers (/ip/dns; none: the host's
 * resolver), waited for at most WG_LOOKUP_MS with the router released. 0, -1 (no
 * answer in time), -2 (cancelled). */
int wg_lookup(struct wg_session *s, const char *host, const struct strvec *servers, char *out, size_t len);

/* ---- funcs.c: :len :tostr :pick :find :typeof :resolve ... ---- */
/* Runs :name when it is a function (its value into c->ret); 1 when it is not one. */
int wg_func_run(struct wg_call *c, const char *name);

/* ---- control.c ---- */
int wg_cmd_if(struct wg_call *c);
int wg_cmd_foreach(struct wg_call *c);

/* ---- items.c ---- */
/* The items print shows, in order: the menu's system items, then the configured ones,
 * each a copy with runtime values filled in. */
/* Rows of an action, as a table of m's columns (print.c). */
void wg_print_rows(struct wg_session *s, const struct wg_menu *m, struct wg_itemlist *l);
void wg_view_items(struct wg_session *s, const struct wg_menu *m, struct wg_itemlist *out);
/* The same for one item id (0: all). */
void wg_view_items_id(struct wg_session *s, const struct wg_menu *m, uint32_t only, struct wg_itemlist *out);
/* Resolves "0", "0,2", "*1A", "wg-remote", "*1;*2" to ids of m. */
int wg_resolve_ids(struct wg_session *s, const struct wg_menu *m, const char *ref, uint32_t **ids, size_t *n);
void wg_remember_numbers(struct wg_session *s, const struct wg_menu *m, const struct wg_itemlist *l);
/* The value a where-expression and print see: values plus the pseudo property dynamic. */
const char *wg_view_get(const struct wg_menu *m, const struct wg_item *it, const char *name);

/* ---- cmd_items.c ---- */
/* Adds an item given as name, value, name, value ..., NULL (NULL values skipped) to
 * next and checks it, as `add` would. */
int wg_add_item(struct wg_call *c, struct wg_store *next, const struct wg_menu *m, const char *const *kv);

/* ---- command tables ---- */
extern const struct wg_cmddef wg_item_cmds[], wg_print_cmds[], wg_export_cmds[], wg_wireguard_cmds[],
	wg_system_cmds[], wg_script_cmds[], wg_monitor_cmds[], wg_trace_cmds[], wg_torch_cmds[],
	wg_sniffer_cmds[];
/* cmd_monitor.c: rates as RouterOS writes them (3.3kbps); buf >= 24 */
void wg_bps_format(uint64_t bps, char *buf, size_t len);
/* cmd_btest.c: /tool/bandwidth-test */
extern const struct wg_cmddef wg_btest_cmds[];
/* cmd_script.c: :execute */
int wg_cmd_execute(struct wg_call *c);
/* cmd_actions.c: the menus' own commands (router/schema.h, struct wg_action). */
const struct wg_cmddef *wg_action_cmds(void);
const struct wg_cmddef *wg_cmd_find(const struct wg_menu *m, const char *name);
/* Names of commands available in m (completion). */
size_t wg_cmd_names(const struct wg_menu *m, const char **out, size_t max);

/* ---- expr.c ---- */
struct wg_expr;
/* Parses c->t[from..c->n) as a where-expression over menu m. */
int wg_expr_parse(struct wg_call *c, size_t from, struct wg_expr **out);
bool wg_expr_match(const struct wg_expr *e, const struct wg_menu *m, const struct wg_item *it);
void wg_expr_free(struct wg_expr *e);

/* ---- cmd_export.c ---- */
/* Writes NAME (ext appended unless present) in the client's directory, mode 0600. */
int wg_write_user_file(struct wg_session *s, const char *name, const char *ext, const char *text);
/* Reads NAME from the client's directory (NAME+ext when NAME has no '.' and does not
 * exist; ext may be NULL) into the empty out: a regular file of at most WG_SCRIPT_MAX
 * bytes. -1 with the error printed (no such file, too large, not a regular file). */
int wg_read_user_file(struct wg_session *s, const char *name, const char *ext, struct sbuf *out);
void wg_wipe_sbuf(struct sbuf *b);

/* ---- format.c ---- */
/* Quotes a value for export/print when needed (spaces, '=', keys ...). */
void wg_quote_value(struct sbuf *b, const char *v, bool force);
#endif
