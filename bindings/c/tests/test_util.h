/* Minimal test helpers shared by the C tests. */
#ifndef ENSEAL_TEST_UTIL_H
#define ENSEAL_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures = 0;
static int test_checks = 0;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        test_checks++;                                                                \
        if (!(cond)) {                                                                \
            test_failures++;                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                             \
    } while (0)

#define CHECK_STATUS(call, want)                                                      \
    do {                                                                              \
        enseal_status got_ = (call);                                                  \
        test_checks++;                                                                \
        if (got_ != (want)) {                                                         \
            test_failures++;                                                          \
            fprintf(stderr, "%s:%d: %s returned %s (%d), expected %s: %s\n", __FILE__, \
                    __LINE__, #call, enseal_status_str(got_), got_,                  \
                    enseal_status_str(want), enseal_last_error_message());            \
        }                                                                             \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, ENSEAL_OK)

static inline int hex_nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    abort();
}

/* Decodes hex into a new buffer (caller frees); *len receives the length. */
static inline unsigned char *hex_decode(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    unsigned char *out = malloc(n ? n : 1);
    if (!out) abort();
    for (size_t i = 0; i < n; i++) {
        out[i] = (unsigned char)(hex_nibble(hex[2 * i]) << 4 | hex_nibble(hex[2 * i + 1]));
    }
    *len = n;
    return out;
}

/* The line every test program ends with, read by CI. */
static inline int test_summary(const char *name) {
    printf("%s: %d passed, %d failed\n", name, test_checks - test_failures, test_failures);
    return test_failures == 0 ? 0 : 1;
}

#endif
