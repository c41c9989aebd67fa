/*
 * replay: runs a fuzz target's entry point once on each file named, without
 * libFuzzer (a crash input kept as a regression test, or a seed). Exits 0
 * when every input ran; a crash is the sanitizers' (the asan build) or the
 * signal's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "fuzz.h"

int
main(int argc, char *argv[])
{
	char tmp[65536];
	struct buf b;
	size_t n;
	FILE *f;

	buf_init(&b);
	for (int i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 74;
		}
		buf_reset(&b);
		while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
			buf_add(&b, tmp, n);
		fclose(f);
		LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
	}
	buf_free(&b);
	return 0;
}
