/* The daemon's console clients (`wgrouter cli` connections), one thread each, so that a
 * slow or idle client never delays another one or the daemon's loop:
 *  - a frame must arrive whole within WG_CONSOLE_FRAME_MS of its first byte (a client
 *    that sends half a header, or a byte every few seconds, is disconnected);
 *  - a command runs holding the router lock, its output collected in memory and sent
 *    after the lock is released (a client that does not read holds nobody up);
 *  - waits that need no router (:delay, /ping) release the lock;
 *  - a reader thread takes frames off the socket while a command runs: Ctrl-C (a K
 *    frame) or the client hanging up cancels the command (wg_session_cancel);
 *  - an idle client (between commands) may stay connected indefinitely, as a console
 *    does, but when every slot is taken the one idle longest is closed for the newcomer.
 * The router lock is the daemon's: its loop takes it for the periodic tick. */
#ifndef WG_CMD_CONSOLES_H
#define WG_CMD_CONSOLES_H
#include <pthread.h>
#include "router/router.h"

enum { WG_CONSOLE_SLOTS = 64, WG_CONSOLE_FRAME_MS = 10000, WG_CONSOLE_SEND_MS = 10000 };

struct wg_consoles;
struct wg_consoles *wg_consoles_new(struct wg_router *r, pthread_mutex_t *router_lock);
/* Takes a connected socket (already checked to be root's) and serves it on a thread. */
void wg_consoles_accept(struct wg_consoles *cs, int fd);
/* Disconnects every client and waits for its thread. */
void wg_consoles_free(struct wg_consoles *cs);
#endif
