/* Incoming datagrams. Internal to the core. */
#ifndef WG_CORE_RECEIVE_H
#define WG_CORE_RECEIVE_H
#include <stdbool.h>
#include "core/device.h"

bool wg_device_under_load(struct wg_device *dev);
#endif
