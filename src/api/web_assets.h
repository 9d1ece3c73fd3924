/* The page's files as they are compiled in (web_assets.c, by .incbin): the table web.c
 * serves from. */
#ifndef WG_API_WEB_ASSETS_H
#define WG_API_WEB_ASSETS_H
#include "api/web.h"

extern const struct wg_web_asset wg_web_assets[];
extern const size_t wg_web_nassets;
#endif
