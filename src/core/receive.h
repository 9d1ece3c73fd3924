/* Incoming datagrams. Internal to the core: the entry points (wg_device_receive, the
 * batch API with wg_device_receive_classify and wg_device_receive_handshake) are
 * public, in device.h; when MAC2 is required is decided in load.h. */
#ifndef WG_CORE_RECEIVE_H
#define WG_CORE_RECEIVE_H
#include "core/device.h"
#endif
