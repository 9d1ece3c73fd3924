/* One sentence of the RouterOS API translated through the command core:
 *   /interface/wireguard/peers/print  ?interface=wg1  =.proplist=name,rx  .tag=7
 *   /interface/wireguard/peers/add    =interface=wg1  =public-key=...
 * print (and getall) answers one !re per row that matches the query, with the
 * .proplist's properties (and .id); other commands answer !done, with =ret= when they
 * return a value; a failure answers !trap =message=<the console's message>, then !done.
 * Every reply sentence carries the command's .tag. Login, /cancel and /quit belong to
 * the server (apiserver.c). */
#ifndef WG_API_APICMD_H
#define WG_API_APICMD_H
#include "api/apiwire.h"
#include "console/exec.h"

/* The .tag of a sentence, or NULL. */
const char *wg_api_tag(const struct wg_api_sentence *in);
/* The value of =name=..., or NULL. */
const char *wg_api_attr(const struct wg_api_sentence *in, const char *name);
/* Appends a reply sentence: kind ("!done", "!trap" ...), the tag, then words. */
void wg_api_reply(struct sbuf *out, const char *kind, const char *tag, const char *const *words, size_t n);
void wg_api_command(struct wg_session *s, const struct wg_api_sentence *in, struct sbuf *out);
/* The same for a command whose rows the session's row sink streams as they come (a
 * long command: ping): the console's text is not repeated as =ret=, and a command
 * cancelled meanwhile ends with !trap =category=2 =message=interrupted, then !done. */
void wg_api_command_streamed(struct wg_session *s, const struct wg_api_sentence *in, struct sbuf *out, bool streamed);
#endif
