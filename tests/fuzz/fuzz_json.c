/* fuzz_json: json_parse (with its prechecks), and the tree written back by jw_value. */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "fuzz.h"
#include "json.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size), err[256];
	struct buf b;
	struct jw w;
	yajl_val v;

	json_precheck(text, size, 8);
	v = json_parse(text, size, err, sizeof err);
	if (v != NULL) {
		buf_init(&b);
		jw_init(&w, &b);
		jw_value(&w, v);
		/* what the writer wrote is JSON that parses again */
		yajl_val again = json_parse(b.data, b.len, err, sizeof err);
		if (again == NULL)
			__builtin_trap();
		yajl_tree_free(again);
		buf_free(&b);
		yajl_tree_free(v);
	}
	free(text);
	return 0;
}
