/* A growable vector of malloc'd strings (allocation never fails, see alloc.h). A zeroed
 * struct strvec is an empty one. */
#ifndef WG_UTIL_STRVEC_H
#define WG_UTIL_STRVEC_H
#include <stdbool.h>
#include <stddef.h>

struct strvec { char **v; size_t n, cap; };
void sv_push(struct strvec *v, const char *s);
void sv_push_take(struct strvec *v, char *s);
void sv_free(struct strvec *v);
bool sv_has(const struct strvec *v, const char *s);
/* Splits s at sep (empty parts dropped, surrounding spaces trimmed). */
void sv_split(struct strvec *v, const char *s, char sep);
/* The elements joined with sep, malloc'd. */
char *sv_join(const struct strvec *v, const char *sep);
#endif
