/* The structured face of the command core. The REST API, the binary API and the web
 * page run commands through wg_session_exec: a menu path, a command and its attributes
 * in; rows, a return value or the console's error message out. It runs the very command
 * functions the console runs (the attributes become the tokens the console would have
 * lexed, values never re-lexed), so checks, errors and effects are the same whichever
 * door a command comes through. Only print is answered here directly, as rows of every
 * property (the front-ends filter and choose properties), where the console formats
 * text. */
#ifndef WG_CONSOLE_EXEC_H
#define WG_CONSOLE_EXEC_H
#include <stdbool.h>
#include <stddef.h>
#include "console/console.h"

struct wg_attr {
	const char *name;      /* ".id" or "numbers": the items the command works on */
	const char *value;     /* NULL: unset the property ("!name") */
};

struct wg_request {
	const char *path;      /* "/interface/wireguard/peers" (or "interface/wireguard/peers") */
	const char *command;   /* "add", "set", "remove", "print", "get", "show-client-config" ... */
	const struct wg_attr *attrs;
	size_t nattrs;
};

/* How a value is typed, for front-ends that write JSON (booleans as true/false,
 * durations as 1h2m3s). */
enum wg_vkind { WG_V_TEXT, WG_V_BOOL, WG_V_TIME };

struct wg_row {
	size_t n;
	char **names, **values;
	unsigned char *kinds;  /* enum wg_vkind */
};

enum wg_exec_error {
	WG_EXEC_OK,
	WG_EXEC_FAILED,        /* the command refused: bad value, unknown property ... */
	WG_EXEC_NO_SUCH_ITEM,  /* an id or name that is not there (REST 404) */
	WG_EXEC_NO_COMMAND,    /* no such menu or command (REST 400, API !trap) */
	WG_EXEC_DENIED,        /* the user's policies do not allow it */
};

struct wg_result {
	enum wg_exec_error status;
	char *error;           /* the console's message, without "failure: " stripped */
	char *ret;             /* add: the new *ID; get: the value; NULL: none */
	struct wg_row *rows;   /* print, and commands that answer rows (traffic-history) */
	size_t nrows;
	bool has_rows;         /* a command other than print answered rows (maybe none) */
	char *text;            /* what the console would have printed (export, ping ...) */
};

/* Who runs the commands is the session's user (wg_session_set_user, console.h): their
 * group's policies decide what they may change and see, through any door. */
int wg_session_exec(struct wg_session *s, const struct wg_request *q, struct wg_result *r);
void wg_result_free(struct wg_result *r);
/* The value of name in row, or NULL. */
const char *wg_row_get(const struct wg_row *row, const char *name);

/* Runs a console script (REST's /execute, the API's /execute) with its output collected:
 * *text what it printed, *err its error (NULL on success). 0 or -1. */
int wg_session_run_captured(struct wg_session *s, const char *script, char **text, char **err);
#endif
