/*
 * fuzz.h: the libFuzzer targets of crate (tests/fuzz/fuzz_*.c), one entry
 * point each. Built with clang -fsanitize=fuzzer by `make fuzz`; built with
 * replay.c instead of libFuzzer by the normal and sanitizer builds, to run the
 * seeds and every crash input kept under tests/fuzz/regress/ (tests/cli/fuzz.t).
 */
#ifndef CRATE_FUZZ_H
#define CRATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
