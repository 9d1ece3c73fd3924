/* The release. debian/changelog names the same version (tests/netns/test_install.sh
 * checks that they agree). */
#ifndef WG_CMD_VERSION_H
#define WG_CMD_VERSION_H
#define WGROUTER_VERSION "0.1.0"
#endif
