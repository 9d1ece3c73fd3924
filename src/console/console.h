/* A RouterOS console session over the router: the daemon makes one per client
 * connection, unit tests make them directly. Output goes to a callback, stream 1 for
 * normal output and 2 for errors. */
#ifndef WG_CONSOLE_H
#define WG_CONSOLE_H
#include <stddef.h>
#include "router/auth.h"
#include "router/router.h"
#include "util/alloc.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/strvec.h"

struct wg_session;
struct wg_row;
typedef void (*wg_out_fn)(void *ctx, int stream, const char *text, size_t len);

struct wg_session *wg_session_new(struct wg_router *r, wg_out_fn out, void *out_ctx);
void wg_session_free(struct wg_session *s);
/* Runs a script: commands run in order and the first failing one stops it (like
 * RouterOS import), its error printed. 0 when every command succeeded, else -1. */
int wg_session_run(struct wg_session *s, const char *script);
/* The longest script a session takes (a command line, a pasted or imported script, a
 * wg-quick file): longer input is refused whole, before anything of it runs. */
enum { WG_SCRIPT_MAX = 4 << 20 };
/* wg_session_run for text of len bytes (the control socket carries lengths): a NUL byte
 * inside is a syntax error, never the end of the command. */
int wg_session_run_n(struct wg_session *s, const char *text, size_t len);
/* Current menu, e.g. "/interface/wireguard" ("/" at the root). */
const char *wg_session_menu(const struct wg_session *s);
/* "[admin@IDENTITY] /interface/wireguard> " */
char *wg_session_prompt(struct wg_session *s);
/* Relative file names (export file=, import file-name=, show-client-config file=)
 * are taken from this directory: the client's working directory. */
void wg_session_set_cwd(struct wg_session *s, const char *dir);
/* The user the session acts for (a copy is kept): their policies decide what they may
 * change and whether they see sensitive values. NULL (the default): the local console,
 * root, every policy. */
void wg_session_set_user(struct wg_session *s, const struct wg_auth_user *u);
/* Completions of the last word of line: menus, commands, property names, then the
 * values of name= and the items of set/remove. A line that starts with WG_HELP_MARK
 * asks for the `?` help of the rest instead: lines of text, one per entry. */
void wg_session_complete(struct wg_session *s, const char *line, struct strvec *out);
#define WG_HELP_MARK '\x1f'


/* Called around a wait that needs no router (:delay, the ping child running): the
 * daemon releases the router to other consoles meanwhile and sends the output so far.
 * Items are referred to by id, never by pointer, across such a wait: another console
 * may commit a new store while it lasts. Without hooks a wait just waits. */
struct wg_wait_hooks {
	void (*enter)(void *ctx);
	void (*leave)(void *ctx);
	void *ctx;
	/* Called between the top-level commands of a script when set (the script thread
	 * lets consoles in there); -1 stops the script (the daemon is stopping). */
	int (*between)(void *ctx);
};
void wg_session_set_wait_hooks(struct wg_session *s, const struct wg_wait_hooks *h);
void wg_session_wait_enter(struct wg_session *s);
void wg_session_wait_leave(struct wg_session *s);
/* Long commands (ping, bandwidth-test, torch, traceroute, monitor-traffic, :delay) run
 * in the session's own thread with the router released (wg_wait, interp.h). Stops the
 * running one from any thread: the console's reader on Ctrl-C, the API's /cancel, a
 * client gone, the daemon stopping. The flag holds until wg_session_cancel_clear (the
 * front-end calls it before its next command). */
void wg_session_cancel(struct wg_session *s);
/* Commands will come from a script nobody watches (stdin, the scheduler): a ping
 * without count sends 4, as nobody could stop it. */
void wg_session_set_batch(struct wg_session *s, bool batch);
void wg_session_cancel_clear(struct wg_session *s);
/* Was the session cancelled since the last wg_session_cancel_clear? */
bool wg_session_was_cancelled(struct wg_session *s);
/* Where a long command's rows go while fn is set (the binary API streams each as !re);
 * without it the console prints the command's text line, and wg_session_exec collects
 * the rows into its result. */
typedef void (*wg_row_fn)(void *ctx, const struct wg_row *row);
void wg_session_set_row_sink(struct wg_session *s, wg_row_fn fn, void *ctx);
/* Bounds a session's scripts: at most max_ms from now and max_steps commands (loops
 * included); beyond, the running command fails with "script ran too long". */
void wg_session_set_limits(struct wg_session *s, uint64_t max_ms, unsigned long max_steps);
/* Runs source as a script of owner ("" = the local console's) with the given policies in
 * a session of its own, bounded in time and steps; output to out. 0, or -1 (the error
 * went to out, stream 2). The router lock is held by the caller; hooks release it
 * around waits and, with between, between commands. */
int wg_session_run_script(struct wg_router *r, const char *source, const char *owner, unsigned policies,
			  wg_out_fn out, void *out_ctx, const struct wg_wait_hooks *hooks);
#endif
