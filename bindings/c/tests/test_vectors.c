/* The shared known-answer vectors (tests/vectors/enseal-v1.json, turned into
 * a C table by `cargo xtask test`), through the public C ABI. */
#include "enseal.h"
#include "test_util.h"
#include "vectors.h"

int main(void) {
    enseal_keyring_builder *builder = NULL;
    CHECK_OK(enseal_keyring_builder_new(&builder));
    for (size_t i = 0; i < sizeof KAT_KEYS / sizeof KAT_KEYS[0]; i++) {
        size_t len;
        unsigned char *sk = hex_decode(KAT_KEYS[i].private_key_hex, &len);
        enseal_keypair *pair = NULL;
        CHECK_OK(enseal_keypair_from_private_bytes(KAT_KEYS[i].suite, sk, len, &pair));
        char *kid = NULL;
        CHECK_OK(enseal_keypair_kid(pair, &kid));
        CHECK(kid && strcmp(kid, KAT_KEYS[i].kid) == 0);
        enseal_string_free(&kid);
        bool added = false;
        CHECK_OK(enseal_keyring_builder_add(builder, pair, &added));
        CHECK(added);
        enseal_keypair_free(&pair);
        free(sk);
    }
    enseal_keyring *ring = NULL;
    CHECK_OK(enseal_keyring_builder_build(&builder, &ring));
    enseal_opener *opener = NULL;
    CHECK_OK(enseal_opener_new(ring, &opener));

    size_t positives = sizeof KAT_POSITIVE / sizeof KAT_POSITIVE[0];
    for (size_t i = 0; i < positives; i++) {
        const kat_positive *c = &KAT_POSITIVE[i];
        size_t ctx_len, pt_len, sealed_len;
        unsigned char *ctx = hex_decode(c->context_hex, &ctx_len);
        unsigned char *pt = hex_decode(c->plaintext_hex, &pt_len);
        unsigned char *sealed = hex_decode(c->sealed_hex, &sealed_len);
        enseal_bytes out = {0};
        CHECK_OK(enseal_opener_open_binary(opener, sealed, sealed_len, ctx, ctx_len, &out));
        CHECK(out.len == pt_len && (pt_len == 0 || memcmp(out.ptr, pt, pt_len) == 0));
        enseal_bytes_free(&out);
        CHECK_OK(enseal_opener_open(opener, c->sealed_text, ctx, ctx_len, &out));
        CHECK(out.len == pt_len && (pt_len == 0 || memcmp(out.ptr, pt, pt_len) == 0));
        enseal_bytes_free(&out);
        bool sealed_flag = false;
        CHECK_OK(enseal_is_sealed(c->sealed_text, &sealed_flag));
        CHECK(sealed_flag);
        free(ctx);
        free(pt);
        free(sealed);
    }

    size_t negatives = sizeof KAT_NEGATIVE / sizeof KAT_NEGATIVE[0];
    for (size_t i = 0; i < negatives; i++) {
        const kat_negative *c = &KAT_NEGATIVE[i];
        size_t ctx_len;
        unsigned char *ctx = hex_decode(c->context_hex, &ctx_len);
        enseal_bytes out = {0};
        enseal_status got;
        if (c->sealed_text) {
            got = enseal_opener_open(opener, c->sealed_text, ctx, ctx_len, &out);
        } else {
            size_t sealed_len;
            unsigned char *sealed = hex_decode(c->sealed_hex, &sealed_len);
            got = enseal_opener_open_binary(opener, sealed, sealed_len, ctx, ctx_len, &out);
            free(sealed);
        }
        test_checks++;
        if ((int)got != c->code || out.ptr != NULL) {
            test_failures++;
            fprintf(stderr, "negative case \"%s\": got %d, expected %d (%s)\n", c->name, (int)got, c->code,
                    c->error);
        }
        free(ctx);
    }
    printf("opened %zu positive cases, rejected %zu negative cases\n", positives, negatives);
    enseal_opener_free(&opener);
    enseal_keyring_free(&ring);
    return test_summary("test_vectors");
}
