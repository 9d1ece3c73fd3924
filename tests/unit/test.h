/* Minimal unit-test harness: TEST(name) registers a case; CHECK records a failure
 * without stopping the case so one run shows every broken expectation.
 * Each case prints "PASS <file>:<name>" or "FAIL <file>:<name>"; tests/run.sh counts them. */
#ifndef WG_TEST_H
#define WG_TEST_H
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdbool.h>

void test_register(const char *file, const char *name, void (*fn)(void));
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)                                                              \
	static void name(void);                                                 \
	__attribute__((constructor)) static void reg_##name(void)               \
	{ test_register(__FILE__, #name, name); }                               \
	static void name(void)

#define CHECK(cond, ...)                                                        \
	do { if (!(cond)) test_fail(__FILE__, __LINE__, "CHECK(" #cond ") " __VA_ARGS__); } while (0)
#define CHECK_EQ(a, b)                                                          \
	do { long long _a = (long long)(a), _b = (long long)(b);                \
	     if (_a != _b) test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, _a, _b); } while (0)
#define CHECK_MEM(a, b, n)                                                      \
	do { if (memcmp((a), (b), (n)) != 0) test_fail(__FILE__, __LINE__, "memcmp(%s, %s, %zu) differs", #a, #b, (size_t)(n)); } while (0)

/* Decodes a hex string into buf (at most cap bytes); returns the byte count. */
size_t test_unhex(uint8_t *buf, size_t cap, const char *hex);
#endif
