/* The RouterOS API server of the api (8728) and api-ssl (8729, TLS through OpenSSL)
 * services: a thread accepts, one thread per connection up to max-sessions; sources
 * outside the service's address list are closed at once; a connection must log in
 * (`/login =name= =password=`, the plain login of RouterOS 6.43 and later) within 30 s
 * and may then stay idle up to 10 minutes; a sentence must arrive whole within 30 s of
 * its first byte. Commands run through apicmd.c holding the router lock. */
#ifndef WG_API_APISERVER_H
#define WG_API_APISERVER_H
#include "api/door.h"

struct wg_apisrv;
struct wg_apisrv *wg_apisrv_start(const struct wg_door_config *cfg, const struct wg_door_hooks *h,
				  char *err, size_t errlen);
void wg_apisrv_stop(struct wg_apisrv *a);
#endif
