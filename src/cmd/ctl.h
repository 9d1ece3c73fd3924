/* The control protocol between `wgrouter cli` and the daemon, over the UNIX socket in
 * the state directory. Frames: 4-byte big-endian length, 1 type byte, payload.
 *   cli -> daemon: C cwd | R script | S script from a pipe or file (nobody can stop
 *                  its commands: a ping without count is bounded) | T line (complete) |
 *                  P (prompt) | K (Ctrl-C: cancel the running request; no answer)
 *   daemon -> cli: O stdout text | E stderr text | L candidates, one per line |
 *                  D "status\nprompt" (end of a request; status 0 = success)  */
#ifndef WG_CMD_CTL_H
#define WG_CMD_CTL_H
#include <stddef.h>
#include "util/sbuf.h"

#define WG_CTL_SOCKET "wgrouter.sock"
#define WG_CTL_PIDFILE "wgrouter.pid"
#define WG_DEFAULT_STATE_DIR "/var/lib/wgrouter"

enum { WG_CTL_MAX = 16 << 20 };

int wg_ctl_send(int fd, char type, const void *data, size_t len);
/* Blocks for one frame; *data is malloc'd and NUL-terminated. 0, or -1 on EOF/error. */
int wg_ctl_recv(int fd, char *type, char **data, size_t *len);
/* The same, but once the frame's first byte is there the rest must arrive within
 * frame_ms (the wait for the first byte is unbounded: a console may sit idle). */
int wg_ctl_recv_deadline(int fd, char *type, char **data, size_t *len, unsigned frame_ms);
/* Appends one frame to b, to be sent later with others in one go. */
void wg_ctl_frame(struct sbuf *b, char type, const void *data, size_t len);
/* Sends bytes already framed; 0, or -1 when the peer is gone or stopped reading. */
int wg_ctl_send_raw(int fd, const void *buf, size_t len);
/* --state-dir, else $WGROUTER_STATE_DIR, else /var/lib/wgrouter. */
const char *wg_ctl_state_dir(const char *opt);
#endif
