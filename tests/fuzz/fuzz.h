/* fuzz.h — what every fuzz target defines (libFuzzer's interface). */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
