/* RouterOS API queries over rows (the binary API's `?` words, REST's `.query` list):
 *   name=value  equal (=name=value too)   name  has it   -name  lacks it
 *   <name=value less than      >name=value  greater than (numbers compared as numbers)
 *   #|  or of the top two      #&  and of the top two     #!  not of the top
 *   #.  duplicate the top
 * Each condition pushes its truth; an operator word may chain several (#|&). A row
 * matches when every value left on the stack is true (an empty query matches all). */
#ifndef WG_API_QUERY_H
#define WG_API_QUERY_H
#include <stdbool.h>
#include <stddef.h>
#include "console/exec.h"

enum { WG_QUERY_MAX = 64 };  /* words per query */

struct wg_query {
	const char *const *words;  /* without the leading '?' */
	size_t n;
};
/* false and *err set when the query is malformed (an operator without operands). */
bool wg_query_check(const struct wg_query *q, const char **err);
bool wg_query_match(const struct wg_query *q, const struct wg_row *row);
#endif
