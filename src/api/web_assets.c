/* See web_assets.h. The files are taken in by the assembler (.incbin, paths relative to
 * the top of the tree, where make runs), so the binary needs no share directory and the
 * page always matches the daemon that serves it. The Makefile makes this object depend
 * on src/api/www/. */
#include "api/web_assets.h"

#define WG_INCBIN(sym, file)                                                   \
	__asm__(".pushsection .rodata\n"                                       \
		".balign 16\n"                                                 \
		#sym ":\n"                                                     \
		".incbin \"" file "\"\n"                                       \
		#sym "_end:\n"                                                 \
		".byte 0\n"                                                    \
		".popsection\n");                                              \
	extern const unsigned char sym[] __asm__(#sym), sym##_end[] __asm__(#sym "_end")

WG_INCBIN(wg_www_index, "src/api/www/index.html");
WG_INCBIN(wg_www_app, "src/api/www/app.js");
WG_INCBIN(wg_www_chart, "src/api/www/chart.js");
WG_INCBIN(wg_www_qr, "src/api/www/qr.js");
WG_INCBIN(wg_www_css, "src/api/www/app.css");
WG_INCBIN(wg_www_icon, "src/api/www/icon.svg");

#define ASSET(path, type, sym) { path, type, sym, sym##_end }
const struct wg_web_asset wg_web_assets[] = {
	ASSET("/", "text/html; charset=utf-8", wg_www_index),
	ASSET("/app.js", "text/javascript; charset=utf-8", wg_www_app),
	ASSET("/chart.js", "text/javascript; charset=utf-8", wg_www_chart),
	ASSET("/qr.js", "text/javascript; charset=utf-8", wg_www_qr),
	ASSET("/app.css", "text/css; charset=utf-8", wg_www_css),
	ASSET("/icon.svg", "image/svg+xml", wg_www_icon),
};
const size_t wg_web_nassets = sizeof(wg_web_assets) / sizeof(wg_web_assets[0]);
