/* test-util.h — small helpers that several unit tests (and the fuzz corpus tool) share. */
#pragma once

#include <glib.h>

#include "digits-model.h"

/* Under AddressSanitizer (shadow memory makes resident sizes and address-space limits
 * meaningless), and under any sanitizer the tests run (the convolutional built-in is
 * some 20–30 times slower there, so tests read fewer digits). */
#if defined(__SANITIZE_ADDRESS__)
# define TEST_UNDER_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define TEST_UNDER_ASAN 1
# endif
#endif
#ifndef TEST_UNDER_ASAN
# define TEST_UNDER_ASAN 0
#endif
/* MemorySanitizer's shadow memory too makes address-space limits meaningless. */
#if defined(__has_feature)
# if __has_feature(memory_sanitizer)
#  define TEST_UNDER_MSAN 1
# endif
#endif
#ifndef TEST_UNDER_MSAN
# define TEST_UNDER_MSAN 0
#endif
#if TEST_UNDER_ASAN || defined(__SANITIZE_THREAD__)
# define TEST_SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define TEST_SANITIZED 1
# endif
#endif
#ifndef TEST_SANITIZED
# define TEST_SANITIZED 0
#endif

G_BEGIN_DECLS

/* Stores v at p as 4 big-endian bytes. */
void        test_put_be32          (guint8 *p, guint32 v);
/* Stores v at p as 4 little-endian bytes. */
void        test_put_le32          (guint8 *p, guint32 v);
/* Appends v to out as 4 big-endian bytes. */
void        test_append_be32       (GByteArray *out, guint32 v);
/* The gzip file of len bytes at data (level 9, no name, mtime 0: the same bytes every run). */
GByteArray *test_gzip_bytes        (const guint8 *data, gsize len);
/* Deletes path and, for a folder, all it holds, without following symbolic links. */
gboolean    test_remove_tree       (const char *path);
/* The mean absolute difference of two DIGITS_PIXELS-float images. */
double      test_mean_abs_diff     (const float *a, const float *b);
/* Forks a child saving b, a, b... to path forever; SIGKILLs, reaps it after min_us..max_us µs. */
void        test_kill_saving_child (const DigitsModel *a, const DigitsModel *b,
                                    const char *path, GRand *rand, int min_us, int max_us);

/* Bytes this process has read from files so far (rchar of /proc/self/io), or -1 when the
 * kernel does not say: the outcome behind "refused without reading the file". */
gint64      test_bytes_read        (void);

G_END_DECLS
