/* /interface/monitor-traffic's rates as RouterOS writes them. */
#include "console/interp.h"
#include "test.h"

static const char *bps(uint64_t v)
{
	static char buf[24];
	wg_bps_format(v, buf, sizeof(buf));
	return buf;
}

TEST(rates_in_routeros_form)
{
	CHECK(!strcmp(bps(0), "0bps"), "%s", bps(0));
	CHECK(!strcmp(bps(950), "950bps"), "%s", bps(950));
	CHECK(!strcmp(bps(3300), "3.3kbps"), "%s", bps(3300));
	CHECK(!strcmp(bps(14100000), "14.1Mbps"), "%s", bps(14100000));
	CHECK(!strcmp(bps(1200000000), "1.2Gbps"), "%s", bps(1200000000));
}
