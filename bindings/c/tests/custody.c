/* The custody test records (tests/custody/README.md) from C:
 *   custody seal PUBLIC_JWK OUT      seals 20 records (4 sessions) to the key
 *   custody open KEY_URI FILE...     opens every record through the key the
 *                                    URI names (an HSM), checking each value
 * Run by `cargo xtask test` (xtask/src/custody.rs). */
#include <enseal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(expr)                                                              \
    do {                                                                         \
        if (!(expr)) {                                                           \
            fprintf(stderr, "custody.c:%d: %s failed: %s\n", __LINE__, #expr,    \
                    enseal_last_error());                                        \
            exit(1);                                                             \
        }                                                                        \
    } while (0)

static const char *TEMPLATE = "custody/{by}/{i}{pointer}";

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static int seal(const char *public_jwk, const char *out_path) {
    enseal_public_key *key = NULL;
    enseal_context_template *template = NULL;
    CHECK(enseal_public_key_from_jwk(read_file(public_jwk), &key) == ENSEAL_OK);
    CHECK(enseal_context_template_parse(TEMPLATE, &template) == ENSEAL_OK);
    FILE *out = fopen(out_path, "w");
    CHECK(out != NULL);
    const char *pointers[] = {"/ssn", "/dx"};
    enseal_sealer *sealer = NULL;
    for (int i = 0; i < 20; i++) {
        if (i % 5 == 0) { /* a new session every 5 records */
            enseal_sealer_free(&sealer);
            CHECK(enseal_sealer_new(key, 0, &sealer) == ENSEAL_OK);
        }
        char record[128], *sealed = NULL;
        snprintf(record, sizeof record, "{\"by\":\"c\",\"i\":%d,\"ssn\":\"123-45-%04d\",\"dx\":\"J45.%d\"}", i, i, i);
        CHECK(enseal_sealer_seal_record(sealer, record, pointers, 2, template, ENSEAL_DEFAULT_JSON_PADDING, &sealed) == ENSEAL_OK);
        fprintf(out, "%s\n", sealed);
        enseal_string_free(&sealed);
    }
    fclose(out);
    enseal_sealer_free(&sealer);
    enseal_context_template_free(&template);
    enseal_public_key_free(&key);
    return 0;
}

static int open_all(const char *uri, int count, char **files) {
    enseal_keyring_builder *builder = NULL;
    enseal_keyring *ring = NULL;
    enseal_opener *opener = NULL;
    enseal_context_template *template = NULL;
    bool added = false;
    CHECK(enseal_keyring_builder_new(&builder) == ENSEAL_OK);
    /* A bad URI changes nothing and says why. */
    CHECK(enseal_keyring_builder_add_custody(builder, "nope:key", &added) == ENSEAL_INVALID_ARGUMENT);
    CHECK(strstr(enseal_last_error(), "key URI") != NULL);
    CHECK(enseal_keyring_builder_add_custody(builder, uri, &added) == ENSEAL_OK && added);
    CHECK(enseal_keyring_builder_build(&builder, &ring) == ENSEAL_OK);
    CHECK(enseal_opener_new(ring, &opener) == ENSEAL_OK);
    CHECK(enseal_context_template_parse(TEMPLATE, &template) == ENSEAL_OK);
    int opened = 0;
    for (int f = 0; f < count; f++) {
        FILE *in = fopen(files[f], "r");
        CHECK(in != NULL);
        char line[8192];
        while (fgets(line, sizeof line, in)) {
            line[strcspn(line, "\n")] = 0;
            if (!line[0]) continue;
            char *plain = NULL, by[16] = {0};
            int i = -1;
            CHECK(enseal_opener_open_record_all(opener, line, template, &plain) == ENSEAL_OK);
            /* The opened record is {"by":"..","i":N,"ssn":"..","dx":".."} as sealed. */
            CHECK(sscanf(plain, "{\"by\":\"%15[^\"]\",\"i\":%d", by, &i) == 2);
            char want[128];
            snprintf(want, sizeof want, "{\"by\":\"%s\",\"i\":%d,\"ssn\":\"123-45-%04d\",\"dx\":\"J45.%d\"}", by, i, i, i);
            CHECK(strcmp(plain, want) == 0);
            enseal_string_free(&plain);
            opened++;
        }
        fclose(in);
    }
    CHECK(opened == 20 * count);
    printf("c opened %d records through %.*s\n", opened, (int)strcspn(uri, ":"), uri);
    enseal_context_template_free(&template);
    enseal_opener_free(&opener);
    enseal_keyring_free(&ring);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "seal") == 0) return seal(argv[2], argv[3]);
    if (argc >= 4 && strcmp(argv[1], "open") == 0) return open_all(argv[2], argc - 3, argv + 3);
    fprintf(stderr, "usage: custody seal PUBLIC_JWK OUT | custody open KEY_URI FILE...\n");
    return 2;
}
