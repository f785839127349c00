/* Minimal test helpers shared by the C tests. */
#ifndef ENSEAL_TEST_UTIL_H
#define ENSEAL_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enseal.h"

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
            fprintf(stderr, "%s:%d: %s returned %d, expected %d (%s): %s\n", __FILE__,  \
                    __LINE__, #call, (int)got_, (int)(want), #want,                   \
                    enseal_last_error());                                             \
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

/* A fresh X25519 key pair, a sealer for it (default field limit) and an
 * opener over a keyring (built with a builder) holding it. */
typedef struct {
    enseal_keypair *pair;
    enseal_public_key *pub;
    enseal_sealer *sealer;
    enseal_keyring *ring;
    enseal_opener *opener;
} fixture;

static inline fixture fixture_new(void) {
    fixture f = {0};
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_X25519, &f.pair));
    CHECK_OK(enseal_keypair_public_key(f.pair, &f.pub));
    CHECK_OK(enseal_sealer_new(f.pub, 0, &f.sealer));
    enseal_keyring_builder *builder = NULL;
    bool added = false;
    CHECK_OK(enseal_keyring_builder_new(&builder));
    CHECK_OK(enseal_keyring_builder_add(builder, f.pair, &added));
    CHECK(added);
    CHECK_OK(enseal_keyring_builder_build(&builder, &f.ring));
    CHECK(builder == NULL);
    CHECK_OK(enseal_opener_new(f.ring, &f.opener));
    return f;
}

static inline void fixture_free(fixture *f) {
    enseal_opener_free(&f->opener);
    enseal_keyring_free(&f->ring);
    enseal_sealer_free(&f->sealer);
    enseal_public_key_free(&f->pub);
    enseal_keypair_free(&f->pair);
}

/* A keyring of one key pair. */
static inline enseal_keyring *keyring_of(const enseal_keypair *pair) {
    enseal_keyring_builder *builder = NULL;
    enseal_keyring *ring = NULL;
    CHECK_OK(enseal_keyring_builder_new(&builder));
    CHECK_OK(enseal_keyring_builder_add(builder, pair, NULL));
    CHECK_OK(enseal_keyring_builder_build(&builder, &ring));
    return ring;
}

/* The line every test program ends with, read by CI. */
static inline int test_summary(const char *name) {
    printf("%s: %d passed, %d failed\n", name, test_checks - test_failures, test_failures);
    return test_failures == 0 ? 0 : 1;
}

#endif
