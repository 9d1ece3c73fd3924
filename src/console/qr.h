/* QR codes of client configs for the mobile apps (libqrencode): drawn in the terminal
 * with UTF-8 half blocks, or written as a PNG (libpng). */
#ifndef WG_CONSOLE_QR_H
#define WG_CONSOLE_QR_H
#include "util/alloc.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/strvec.h"

/* Two modules per character cell, light modules as blocks (for dark terminals, like
 * `qrencode -t UTF8`). -1 when the text does not fit a QR code. */
int wg_qr_text(const char *data, struct sbuf *out);
/* 8 pixels per module, 4 modules of quiet zone, grayscale. 0 or -errno. */
int wg_qr_png(const char *data, const char *path);
#endif
