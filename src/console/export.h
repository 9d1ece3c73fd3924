/* The configuration as a script that /import replays (export.c). */
#ifndef WG_CONSOLE_EXPORT_H
#define WG_CONSOLE_EXPORT_H
#include "router/store.h"
#include "util/alloc.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/strvec.h"

enum {
	WG_EXPORT_VERBOSE = 1,    /* defaults too */
	WG_EXPORT_TERSE = 2,      /* one line per command, path on each */
	WG_EXPORT_SENSITIVE = 4,  /* private and preshared keys too */
	WG_EXPORT_NOHEADER = 8,   /* no "# date by wgrouter" line */
};

/* Appends the export of every configuration menu at or below `under` ("/" for all). */
void wg_export_text(const struct wg_store *st, const char *under, unsigned flags, struct sbuf *out);
#endif
