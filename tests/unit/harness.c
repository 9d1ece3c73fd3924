#include "test.h"
#include <stdarg.h>
#include <stdlib.h>
#include <ctype.h>

struct test_case { const char *file, *name; void (*fn)(void); };
static struct test_case cases[512];
static int ncases, failed_now;

void test_register(const char *file, const char *name, void (*fn)(void))
{
	if (ncases < (int)(sizeof(cases) / sizeof(cases[0])))
		cases[ncases++] = (struct test_case){ file, name, fn };
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stdout, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	failed_now++;
}

size_t test_unhex(uint8_t *buf, size_t cap, const char *hex)
{
	size_t n = 0;
	while (hex[0] && hex[1] && n < cap) {
		if (isspace((unsigned char)hex[0])) { hex++; continue; }
		unsigned v;
		sscanf(hex, "%2x", &v);
		buf[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

int main(int argc, char **argv)
{
	int bad = 0;
	for (int i = 0; i < ncases; i++) {
		if (argc > 1 && !strstr(cases[i].name, argv[1]))
			continue;
		failed_now = 0;
		cases[i].fn();
		printf("%s %s:%s\n", failed_now ? "FAIL" : "PASS", base(cases[i].file), cases[i].name);
		fflush(stdout);
		bad += failed_now != 0;
	}
	return bad ? 1 : 0;
}
