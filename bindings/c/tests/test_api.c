/* Every entry point's happy path and error paths: NULL arguments, bad lengths,
 * bad suites, non-UTF-8 text, double frees, status names, the JSON helper. */
#define _GNU_SOURCE /* sleep(), memmem() */
#include <time.h>
#include <unistd.h>
#include "enseal.h"
#include "test_util.h"

static const uint16_t SUITES[] = {ENSEAL_SUITE_X25519, ENSEAL_SUITE_P256, ENSEAL_SUITE_XWING};

static void round_trip(uint16_t suite) {
    enseal_keypair *pair = NULL;
    enseal_public_key *pub = NULL;
    enseal_sealer *sealer = NULL;
    enseal_keyring *ring = NULL;
    enseal_opener *opener = NULL;
    CHECK_OK(enseal_keypair_generate(suite, &pair));
    CHECK_OK(enseal_keypair_public_key(pair, &pub));

    /* The public key survives JWK and raw-byte round trips. */
    char *jwk = NULL;
    enseal_public_key *from_jwk = NULL, *from_bytes = NULL;
    enseal_bytes raw = {0};
    CHECK_OK(enseal_public_key_to_jwk(pub, &jwk));
    CHECK_OK(enseal_public_key_from_jwk(jwk, &from_jwk));
    CHECK_OK(enseal_public_key_to_bytes(pub, &raw));
    CHECK_OK(enseal_public_key_from_bytes(suite, raw.ptr, raw.len, &from_bytes));
    char *kid_a = NULL, *kid_b = NULL, *kid_c = NULL;
    CHECK_OK(enseal_public_key_kid(from_jwk, &kid_a));
    CHECK_OK(enseal_public_key_kid(from_bytes, &kid_b));
    CHECK_OK(enseal_keypair_kid(pair, &kid_c));
    CHECK(strcmp(kid_a, kid_b) == 0 && strcmp(kid_b, kid_c) == 0 && strlen(kid_a) == 11);
    uint16_t pair_suite = 0, pub_suite = 0;
    CHECK_OK(enseal_keypair_suite(pair, &pair_suite));
    CHECK_OK(enseal_public_key_suite(from_bytes, &pub_suite));
    CHECK(pair_suite == suite && pub_suite == suite);

    /* The private JWK restores the same key pair. */
    char *private_jwk = NULL;
    enseal_keypair *restored = NULL;
    CHECK_OK(enseal_keypair_to_jwk(pair, &private_jwk));
    CHECK(strstr(private_jwk, suite == ENSEAL_SUITE_XWING ? "\"priv\"" : "\"d\"") != NULL);
    CHECK_OK(enseal_keypair_from_jwk(private_jwk, &restored));

    CHECK_OK(enseal_sealer_new(from_jwk, 0, &sealer));
    /* The same key twice (restored from its JWK): the second is not added. */
    enseal_keyring_builder *builder = NULL;
    bool added = false;
    CHECK_OK(enseal_keyring_builder_new(&builder));
    CHECK_OK(enseal_keyring_builder_add(builder, restored, &added));
    CHECK(added);
    CHECK_OK(enseal_keyring_builder_add(builder, pair, &added));
    CHECK(!added);
    CHECK_OK(enseal_keyring_builder_build(&builder, &ring));
    size_t ring_len = 0;
    CHECK_OK(enseal_keyring_len(ring, &ring_len));
    CHECK(ring_len == 1);
    CHECK_OK(enseal_opener_new(ring, &opener));

    const char ssn[] = "123-45-6789";
    const char ctx[] = "patients/8812/ssn";
    /* The binary form. */
    enseal_bytes sealed = {0}, opened = {0};
    CHECK_OK(enseal_sealer_seal_binary(sealer, (const uint8_t *)ssn, 11, (const uint8_t *)ctx, strlen(ctx), &sealed));
    CHECK_OK(enseal_opener_open_binary(opener, sealed.ptr, sealed.len, (const uint8_t *)ctx, strlen(ctx), &opened));
    CHECK(opened.len == 11 && memcmp(opened.ptr, ssn, 11) == 0);
    enseal_bytes_free(&opened);
    CHECK_STATUS(enseal_opener_open_binary(opener, sealed.ptr, sealed.len, (const uint8_t *)"other", 5, &opened),
                 ENSEAL_DECRYPT_FAILED);
    CHECK(opened.ptr == NULL);
    CHECK(strstr(enseal_last_error(), "decryption failed") != NULL);
    CHECK(strstr(enseal_last_error(), ssn) == NULL);

    /* The text form, the default: to bytes and to a string. */
    char *text = NULL, *string = NULL;
    CHECK_OK(enseal_sealer_seal(sealer, (const uint8_t *)ssn, 11, (const uint8_t *)ctx, strlen(ctx), &text));
    CHECK(strncmp(text, "enseal1.", 8) == 0);
    CHECK_OK(enseal_opener_open(opener, text, (const uint8_t *)ctx, strlen(ctx), &opened));
    CHECK(opened.len == 11 && memcmp(opened.ptr, ssn, 11) == 0);
    enseal_bytes_free(&opened);
    CHECK_OK(enseal_opener_open_string(opener, text, (const uint8_t *)ctx, strlen(ctx), &string));
    CHECK(string && strcmp(string, ssn) == 0);
    enseal_string_free(&string);
    CHECK_STATUS(enseal_opener_open_string(opener, text, (const uint8_t *)"other", 5, &string), ENSEAL_DECRYPT_FAILED);
    CHECK(string == NULL);
    /* Not UTF-8, or holding a NUL: not a C string; the bytes still open. */
    char *not_text = NULL, *with_nul = NULL;
    CHECK_OK(enseal_sealer_seal(sealer, (const uint8_t *)"\xff\xfe", 2, NULL, 0, &not_text));
    CHECK_OK(enseal_sealer_seal(sealer, (const uint8_t *)"a\0b", 3, NULL, 0, &with_nul));
    CHECK_STATUS(enseal_opener_open_string(opener, not_text, NULL, 0, &string), ENSEAL_INVALID_ARGUMENT);
    CHECK(strstr(enseal_last_error(), "UTF-8") != NULL);
    CHECK_STATUS(enseal_opener_open_string(opener, with_nul, NULL, 0, &string), ENSEAL_INVALID_ARGUMENT);
    CHECK(strstr(enseal_last_error(), "NUL") != NULL && string == NULL);
    CHECK_OK(enseal_opener_open(opener, with_nul, NULL, 0, &opened));
    CHECK(opened.len == 3 && memcmp(opened.ptr, "a\0b", 3) == 0);
    enseal_bytes_free(&opened);
    enseal_string_free(&not_text);
    enseal_string_free(&with_nul);

    /* Empty plaintext and empty context, with NULL pointers for them. */
    enseal_bytes empty = {0};
    CHECK_OK(enseal_sealer_seal_binary(sealer, NULL, 0, NULL, 0, &empty));
    CHECK_OK(enseal_opener_open_binary(opener, empty.ptr, empty.len, NULL, 0, &opened));
    CHECK(opened.len == 0 && opened.ptr != NULL);
    enseal_bytes_free(&opened);
    enseal_bytes_free(&empty);

    enseal_string_free(&text);
    enseal_bytes_free(&sealed);
    enseal_bytes_free(&raw);
    enseal_string_free(&jwk);
    enseal_string_free(&private_jwk);
    enseal_string_free(&kid_a);
    enseal_string_free(&kid_b);
    enseal_string_free(&kid_c);
    enseal_opener_free(&opener);
    enseal_keyring_free(&ring);
    enseal_sealer_free(&sealer);
    enseal_public_key_free(&from_jwk);
    enseal_public_key_free(&from_bytes);
    enseal_public_key_free(&pub);
    enseal_keypair_free(&restored);
    enseal_keypair_free(&pair);
}

static void json_documents(void) {
    fixture fx = fixture_new();

    const char *doc = "{\"name\":\"Ada\",\"ssn\":\"123-45-6789\",\"visits\":[{\"dx\":\"F32.1\",\"n\":1},{\"dx\":\"J45\",\"n\":2}]}";
    const char *pointers[] = {"/ssn", "/visits/*/dx", "/visits/*/n"};
    char *sealed = NULL, *opened = NULL, *again = NULL;
    CHECK_OK(enseal_sealer_seal_json(fx.sealer, doc, pointers, 3, "patient-8812", ENSEAL_DEFAULT_JSON_PADDING, &sealed));
    CHECK(strstr(sealed, "123-45-6789") == NULL && strstr(sealed, "F32.1") == NULL);
    CHECK(strstr(sealed, "\"Ada\"") != NULL);
    CHECK_OK(enseal_opener_open_json(fx.opener, sealed, pointers, 3, "patient-8812", &opened));
    CHECK(opened && strcmp(opened, doc) == 0);
    enseal_string_free(&opened);
    CHECK_OK(enseal_opener_open_json_all(fx.opener, sealed, "patient-8812", &opened));
    CHECK(opened && strcmp(opened, doc) == 0);
    CHECK_STATUS(enseal_opener_open_json(fx.opener, sealed, pointers, 3, "patient-8813", &again), ENSEAL_DECRYPT_FAILED);
    CHECK_STATUS(enseal_opener_open_json(fx.opener, sealed, pointers, 3, NULL, &again), ENSEAL_DECRYPT_FAILED);
    CHECK_STATUS(enseal_opener_open_json_all(fx.opener, sealed, "patient-8813", &again), ENSEAL_DECRYPT_FAILED);
    CHECK_STATUS(enseal_opener_open_json(fx.opener, sealed, NULL, 1, NULL, &again), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_seal_json(fx.sealer, sealed, pointers, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &again), ENSEAL_ALREADY_SEALED);
    const char *missing[] = {"/visits/*/missing"};
    CHECK_STATUS(enseal_sealer_seal_json(fx.sealer, doc, missing, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &again), ENSEAL_PATH_NOT_FOUND);
    CHECK(strstr(enseal_last_error(), "/visits/0/missing") != NULL);
    const char *bad_pointer[] = {"ssn"};
    CHECK_STATUS(enseal_sealer_seal_json(fx.sealer, doc, bad_pointer, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &again), ENSEAL_INVALID_POINTER);
    CHECK_STATUS(enseal_sealer_seal_json(fx.sealer, "{", pointers, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &again), ENSEAL_INVALID_JSON);
    /* A member named twice is refused, not merged. */
    CHECK_STATUS(enseal_sealer_seal_json(fx.sealer, "{\"ssn\":\"1\",\"ssn\":\"2\"}", pointers, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &again),
                 ENSEAL_INVALID_JSON);
    CHECK_STATUS(enseal_sealer_seal_json(fx.sealer, doc, NULL, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &again), ENSEAL_INVALID_ARGUMENT);
    const char *null_entry[] = {NULL};
    CHECK_STATUS(enseal_sealer_seal_json(fx.sealer, doc, null_entry, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &again), ENSEAL_INVALID_ARGUMENT);
    CHECK(again == NULL);
    enseal_string_free(&sealed);
    enseal_string_free(&opened);
    fixture_free(&fx);
}

/* Opening by pointers opens exactly those values; padding hides short lengths;
 * `*` on an object is refused. */
static void json_pointers_and_padding(void) {
    fixture fx = fixture_new();

    /* A client seals its free-text "note" too (a value planted in a field the
     * server keeps clear): opening "/ssn" leaves it sealed. */
    const char *both[] = {"/ssn", "/note"};
    const char *ssn_only[] = {"/ssn"};
    char *sealed = NULL, *opened = NULL, *none = NULL;
    CHECK_OK(enseal_sealer_seal_json(fx.sealer, "{\"ssn\":\"123-45-6789\",\"note\":\"planted\"}", both, 2, "r1", ENSEAL_DEFAULT_JSON_PADDING, &sealed));
    CHECK_OK(enseal_opener_open_json(fx.opener, sealed, ssn_only, 1, "r1", &opened));
    CHECK(opened && strstr(opened, "\"ssn\":\"123-45-6789\"") != NULL);
    CHECK(opened && strstr(opened, "\"note\":\"enseal1.") != NULL && strstr(opened, "planted") == NULL);
    enseal_string_free(&opened);
    /* The old behaviour opens everything. */
    CHECK_OK(enseal_opener_open_json_all(fx.opener, sealed, "r1", &opened));
    CHECK(opened && strstr(opened, "\"note\":\"planted\"") != NULL);
    enseal_string_free(&opened);
    enseal_string_free(&sealed);

    /* A protected field that arrives clear: NOT_SEALED, nothing returned. */
    CHECK_STATUS(enseal_opener_open_json(fx.opener, "{\"ssn\":\"123-45-6789\"}", ssn_only, 1, NULL, &none),
                 ENSEAL_NOT_SEALED);
    CHECK(strstr(enseal_last_error(), "/ssn") != NULL);
    CHECK_STATUS(enseal_opener_open_json(fx.opener, "{\"ssn\":42}", ssn_only, 1, NULL, &none), ENSEAL_NOT_SEALED);
    CHECK(none == NULL);

    /* Default padding: true and false seal to one length; unpadded they differ. */
    const char *hiv[] = {"/hiv"};
    char *t = NULL, *f = NULL, *t0 = NULL, *f0 = NULL;
    CHECK_OK(enseal_sealer_seal_json(fx.sealer, "{\"hiv\":true}", hiv, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &t));
    CHECK_OK(enseal_sealer_seal_json(fx.sealer, "{\"hiv\":false}", hiv, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &f));
    CHECK(t && f && strlen(t) == strlen(f));
    CHECK_OK(enseal_sealer_seal_json(fx.sealer, "{\"hiv\":true}", hiv, 1, NULL, 0, &t0));
    CHECK_OK(enseal_sealer_seal_json(fx.sealer, "{\"hiv\":false}", hiv, 1, NULL, 0, &f0));
    CHECK(t0 && f0 && strlen(t0) + 1 == strlen(f0));
    CHECK(t0 && strlen(t0) < strlen(t));
    CHECK_OK(enseal_opener_open_json(fx.opener, f, hiv, 1, NULL, &opened));
    CHECK(opened && strcmp(opened, "{\"hiv\":false}") == 0);
    enseal_string_free(&opened);
    /* A 64-byte bucket hides the length of names. */
    const char *name[] = {"/name"};
    char *short_name = NULL, *long_name = NULL;
    CHECK_OK(enseal_sealer_seal_json(fx.sealer, "{\"name\":\"Al\"}", name, 1, NULL, 64, &short_name));
    CHECK_OK(enseal_sealer_seal_json(fx.sealer, "{\"name\":\"Bartholomew Montgomery-Smith\"}", name, 1, NULL, 64,
                                            &long_name));
    CHECK(short_name && long_name && strlen(short_name) == strlen(long_name));
    CHECK_STATUS(enseal_sealer_seal_json(fx.sealer, "{\"hiv\":true}", hiv, 1, NULL, 65537, &none),
                 ENSEAL_INVALID_ARGUMENT);

    /* `*` applies to arrays only; overlapping pointers are refused. */
    const char *star[] = {"/dx/*"};
    CHECK_STATUS(enseal_sealer_seal_json(fx.sealer, "{\"dx\":{\"a\":\"x\",\"b\":\"y\"}}", star, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &none),
                 ENSEAL_INVALID_POINTER);
    CHECK_STATUS(enseal_opener_open_json(fx.opener, "{\"dx\":{\"a\":\"x\"}}", star, 1, NULL, &none),
                 ENSEAL_INVALID_POINTER);
    const char *overlap[] = {"/dx", "/dx/a"};
    CHECK_STATUS(enseal_sealer_seal_json(fx.sealer, "{\"dx\":{\"a\":\"x\"}}", overlap, 2, NULL, ENSEAL_DEFAULT_JSON_PADDING, &none),
                 ENSEAL_INVALID_POINTER);
    CHECK(none == NULL);

    enseal_string_free(&t);
    enseal_string_free(&f);
    enseal_string_free(&t0);
    enseal_string_free(&f0);
    enseal_string_free(&short_name);
    enseal_string_free(&long_name);
    fixture_free(&fx);
}

/* rekey starts a fresh session: the header's session part changes. */
static void rekey(void) {
    enseal_keypair *pair = NULL;
    enseal_public_key *pub = NULL;
    enseal_sealer *sealer = NULL;
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_X25519, &pair));
    CHECK_OK(enseal_keypair_public_key(pair, &pub));
    CHECK_OK(enseal_sealer_new(pub, 0, &sealer));
    enseal_bytes a = {0}, b = {0}, c = {0};
    CHECK_OK(enseal_sealer_seal_binary(sealer, (const uint8_t *)"x", 1, NULL, 0, &a));
    CHECK_OK(enseal_sealer_seal_binary(sealer, (const uint8_t *)"x", 1, NULL, 0, &b));
    CHECK_OK(enseal_sealer_rekey(sealer));
    CHECK_OK(enseal_sealer_seal_binary(sealer, (const uint8_t *)"x", 1, NULL, 0, &c));
    /* version || kem_id || kid || enc: the first 51 - 8 bytes of an X25519 header. */
    CHECK(a.len > 43 && b.len > 43 && c.len > 43);
    CHECK(memcmp(a.ptr, b.ptr, 43) == 0);
    CHECK(memcmp(a.ptr, c.ptr, 43) != 0);
    CHECK_STATUS(enseal_sealer_rekey(NULL), ENSEAL_INVALID_ARGUMENT);
    enseal_bytes_free(&a);
    enseal_bytes_free(&b);
    enseal_bytes_free(&c);
    enseal_sealer_free(&sealer);
    enseal_public_key_free(&pub);
    enseal_keypair_free(&pair);
}

/* A keyset sealer checks not_after before every seal, not only when built. */
static void key_expiry(void) {
    enseal_keypair *pair = NULL;
    enseal_public_key *pub = NULL;
    char *jwk = NULL, *kid = NULL;
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_X25519, &pair));
    CHECK_OK(enseal_keypair_public_key(pair, &pub));
    CHECK_OK(enseal_public_key_to_jwk(pub, &jwk));
    CHECK_OK(enseal_public_key_kid(pub, &kid));
    size_t jwk_len = strlen(jwk);
    long long now = (long long)time(NULL);
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"primary\":\"%s\",\"keys\":[%.*s,\"suite\":\"X25519\",\"created\":%lld,\"not_after\":%lld}]}", kid,
             (int)(jwk_len - 1), jwk, now - 10, now + 1);
    enseal_keyset *keyset = NULL;
    enseal_sealer *sealer = NULL;
    CHECK_OK(enseal_keyset_from_json(doc, &keyset));
    CHECK_OK(enseal_sealer_from_keyset(keyset, &sealer));
    uint64_t not_after = 0;
    CHECK_OK(enseal_sealer_not_after(sealer, &not_after));
    CHECK(not_after == (uint64_t)(now + 1));
    enseal_bytes sealed = {0};
    char *text = NULL;
    CHECK_OK(enseal_sealer_seal_binary(sealer, (const uint8_t *)"x", 1, NULL, 0, &sealed));
    enseal_bytes_free(&sealed);
    sleep(2); /* now > not_after */
    CHECK_STATUS(enseal_sealer_seal_binary(sealer, (const uint8_t *)"x", 1, NULL, 0, &sealed), ENSEAL_KEY_EXPIRED);
    CHECK_STATUS(enseal_sealer_seal(sealer, (const uint8_t *)"x", 1, NULL, 0, &text), ENSEAL_KEY_EXPIRED);
    const char *pointers[] = {"/a"};
    CHECK_STATUS(enseal_sealer_seal_json(sealer, "{\"a\":1}", pointers, 1, NULL, ENSEAL_DEFAULT_JSON_PADDING, &text), ENSEAL_KEY_EXPIRED);
    CHECK_STATUS(enseal_sealer_rekey(sealer), ENSEAL_KEY_EXPIRED);
    CHECK(sealed.ptr == NULL && text == NULL);
    CHECK(strstr(enseal_last_error(), kid) != NULL);

    /* A keyset that carries a private key is refused. */
    char *private_jwk = NULL;
    enseal_keyset *leaked = NULL;
    CHECK_OK(enseal_keypair_to_jwk(pair, &private_jwk));
    size_t private_len = strlen(private_jwk);
    snprintf(doc, sizeof doc, "{\"primary\":\"%s\",\"keys\":[%.*s,\"suite\":\"X25519\",\"created\":1}]}", kid,
             (int)(private_len - 1), private_jwk);
    CHECK_STATUS(enseal_keyset_from_json(doc, &leaked), ENSEAL_INVALID_KEYSET);
    CHECK(leaked == NULL);
    /* A low-order X25519 public key (all zero) is refused. */
    uint8_t zero[32] = {0};
    enseal_public_key *low = NULL;
    CHECK_STATUS(enseal_public_key_from_bytes(ENSEAL_SUITE_X25519, zero, sizeof zero, &low), ENSEAL_INVALID_KEY);
    CHECK(low == NULL);

    enseal_string_free(&private_jwk);
    enseal_sealer_free(&sealer);
    enseal_keyset_free(&keyset);
    enseal_string_free(&jwk);
    enseal_string_free(&kid);
    enseal_public_key_free(&pub);
    enseal_keypair_free(&pair);
}

static void keysets(void) {
    enseal_keypair *pair = NULL;
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_P256, &pair));
    enseal_public_key *pub = NULL;
    CHECK_OK(enseal_keypair_public_key(pair, &pub));
    char *jwk = NULL, *kid = NULL;
    CHECK_OK(enseal_public_key_to_jwk(pub, &jwk));
    CHECK_OK(enseal_public_key_kid(pub, &kid));
    /* Build a keyset document from the JWK by hand, as a server would publish it. */
    char doc[1024];
    size_t jwk_len = strlen(jwk);
    CHECK(jwk_len > 2 && jwk[jwk_len - 1] == '}');
    snprintf(doc, sizeof doc, "{\"primary\":\"%s\",\"keys\":[%.*s,\"suite\":\"P-256\",\"created\":1700000000}]}", kid,
             (int)(jwk_len - 1), jwk);
    enseal_keyset *keyset = NULL;
    CHECK_OK(enseal_keyset_from_json(doc, &keyset));
    enseal_sealer *sealer = NULL;
    CHECK_OK(enseal_sealer_from_keyset(keyset, &sealer));
    char *json = NULL;
    CHECK_OK(enseal_keyset_to_json(keyset, &json));
    CHECK(strstr(json, kid) != NULL);
    size_t keys = 0;
    char *primary = NULL;
    enseal_keyset_entry_info entry;
    memset(&entry, 0xff, sizeof entry);
    CHECK_OK(enseal_keyset_len(keyset, &keys));
    CHECK(keys == 1);
    CHECK_OK(enseal_keyset_primary_kid(keyset, &primary));
    CHECK(primary && strcmp(primary, kid) == 0);
    enseal_string_free(&primary);
    CHECK_OK(enseal_keyset_entry(keyset, 0, &entry));
    CHECK(strcmp(entry.kid, kid) == 0 && entry.suite == ENSEAL_SUITE_P256);
    CHECK(entry.created == 1700000000 && entry.not_after == 0);
    entry.created = 42;
    CHECK_STATUS(enseal_keyset_entry(keyset, 1, &entry), ENSEAL_INVALID_ARGUMENT);
    CHECK(entry.created == 42); /* untouched on error */
    CHECK_STATUS(enseal_keyset_entry(keyset, 0, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyset_len(NULL, &keys), ENSEAL_INVALID_ARGUMENT);
    /* Expired primary: refused. */
    snprintf(doc, sizeof doc, "{\"primary\":\"%s\",\"keys\":[%.*s,\"suite\":\"P-256\",\"created\":1,\"not_after\":2}]}", kid,
             (int)(jwk_len - 1), jwk);
    enseal_keyset *expired = NULL;
    enseal_sealer *refused = NULL;
    CHECK_OK(enseal_keyset_from_json(doc, &expired));
    CHECK_STATUS(enseal_sealer_from_keyset(expired, &refused), ENSEAL_KEY_EXPIRED);
    CHECK(refused == NULL);
    enseal_keyset *bad = NULL;
    CHECK_STATUS(enseal_keyset_from_json("{\"primary\":\"x\",\"keys\":[]}", &bad), ENSEAL_INVALID_KEYSET);
    CHECK(bad == NULL);
    /* A private JWK set makes a keyring. */
    char *private_jwk = NULL;
    CHECK_OK(enseal_keypair_to_jwk(pair, &private_jwk));
    char *jwks = malloc(strlen(private_jwk) + 16);
    sprintf(jwks, "{\"keys\":[%s]}", private_jwk);
    enseal_keyring *ring = NULL;
    size_t len = 0;
    CHECK_OK(enseal_keyring_from_jwks(jwks, &ring));
    CHECK_OK(enseal_keyring_len(ring, &len));
    CHECK(len == 1);
    char *ring_kid = NULL, *round = NULL;
    CHECK_OK(enseal_keyring_kid(ring, 0, &ring_kid));
    CHECK(ring_kid && strcmp(ring_kid, kid) == 0);
    CHECK_STATUS(enseal_keyring_kid(ring, 1, &round), ENSEAL_INVALID_ARGUMENT);
    CHECK(round == NULL);
    CHECK_OK(enseal_keyring_to_jwks(ring, &round));
    enseal_keyring *again = NULL;
    CHECK_OK(enseal_keyring_from_jwks(round, &again));
    CHECK_OK(enseal_keyring_len(again, &len));
    CHECK(len == 1);
    enseal_keyring_free(&again);
    enseal_string_free(&round);
    enseal_string_free(&ring_kid);
    /* The same key twice in one document is refused. */
    size_t one = strlen(private_jwk);
    char *twice = malloc(2 * one + 16);
    sprintf(twice, "{\"keys\":[%s,%s]}", private_jwk, private_jwk);
    CHECK_STATUS(enseal_keyring_from_jwks(twice, &again), ENSEAL_INVALID_KEYSET);
    CHECK(again == NULL);
    free(twice);
    free(jwks);
    enseal_string_free(&private_jwk);
    enseal_keyring_free(&ring);
    enseal_keyset_free(&expired);
    enseal_string_free(&json);
    enseal_sealer_free(&sealer);
    enseal_keyset_free(&keyset);
    enseal_string_free(&jwk);
    enseal_string_free(&kid);
    enseal_public_key_free(&pub);
    enseal_keypair_free(&pair);
}

static void bad_arguments(void) {
    enseal_keypair *pair = NULL;
    enseal_public_key *pub = NULL;
    enseal_sealer *sealer = NULL;
    enseal_bytes out = {0};
    char *text = NULL;
    bool flag = true;

    CHECK_STATUS(enseal_keypair_generate(ENSEAL_SUITE_X25519, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keypair_generate(0x0011, &pair), ENSEAL_UNSUPPORTED_SUITE);
    CHECK_STATUS(enseal_keypair_generate(0xffff, &pair), ENSEAL_UNSUPPORTED_SUITE);
    CHECK(pair == NULL);
    CHECK_STATUS(enseal_keypair_from_private_bytes(ENSEAL_SUITE_X25519, NULL, 32, &pair), ENSEAL_INVALID_ARGUMENT);
    uint8_t short_key[31] = {1};
    CHECK_STATUS(enseal_keypair_from_private_bytes(ENSEAL_SUITE_X25519, short_key, sizeof short_key, &pair),
                 ENSEAL_INVALID_KEY);
    uint8_t zero_scalar[32] = {0};
    CHECK_STATUS(enseal_keypair_from_private_bytes(ENSEAL_SUITE_P256, zero_scalar, 32, &pair), ENSEAL_INVALID_KEY);
    CHECK_STATUS(enseal_keypair_from_jwk(NULL, &pair), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keypair_from_jwk("{\"kty\":\"RSA\"}", &pair), ENSEAL_INVALID_KEY);
    CHECK_STATUS(enseal_keypair_from_jwk("{\"kty\":\"OKP\",\"kty\":\"OKP\"}", &pair), ENSEAL_INVALID_KEY);
    CHECK_STATUS(enseal_keypair_from_jwk("\xff\xfe", &pair), ENSEAL_INVALID_ARGUMENT);
    CHECK(strstr(enseal_last_error(), "UTF-8") != NULL);
    CHECK(pair == NULL);
    CHECK_STATUS(enseal_public_key_from_bytes(ENSEAL_SUITE_P256, short_key, sizeof short_key, &pub), ENSEAL_INVALID_KEY);
    CHECK_STATUS(enseal_keypair_public_key(NULL, &pub), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_new(NULL, 0, &sealer), ENSEAL_INVALID_ARGUMENT);

    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_X25519, &pair));
    CHECK_OK(enseal_keypair_public_key(pair, &pub));
    CHECK_STATUS(enseal_sealer_new(pub, (uint64_t)1 << 33, &sealer), ENSEAL_INVALID_ARGUMENT);
    CHECK_OK(enseal_sealer_new(pub, 3, &sealer));
    CHECK_STATUS(enseal_sealer_seal_binary(sealer, NULL, 5, NULL, 0, &out), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_seal_binary(sealer, (const uint8_t *)"x", 1, NULL, 9, &out), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_seal_binary(sealer, (const uint8_t *)"x", 1, NULL, 0, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_seal_binary(NULL, (const uint8_t *)"x", 1, NULL, 0, &out), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_seal_binary(sealer, (const uint8_t *)"x", SIZE_MAX, NULL, 0, &out),
                 ENSEAL_INVALID_ARGUMENT);
    CHECK(out.ptr == NULL);
    CHECK_STATUS(enseal_sealer_seal(sealer, (const uint8_t *)"x", 1, NULL, 0, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_seal(sealer, NULL, 5, NULL, 0, &text), ENSEAL_INVALID_ARGUMENT);
    CHECK(text == NULL);
    uint64_t not_after = 7;
    CHECK_OK(enseal_sealer_not_after(sealer, &not_after));
    CHECK(not_after == 0);
    CHECK_STATUS(enseal_sealer_not_after(NULL, &not_after), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_not_after(sealer, NULL), ENSEAL_INVALID_ARGUMENT);

    /* An empty keyring: the builder refuses NULLs. */
    enseal_keyring_builder *builder = NULL;
    enseal_keyring *ring = NULL;
    enseal_opener *opener = NULL;
    CHECK_STATUS(enseal_keyring_builder_new(NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_OK(enseal_keyring_builder_new(&builder));
    CHECK_STATUS(enseal_keyring_builder_add(builder, NULL, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyring_builder_add(NULL, pair, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyring_builder_build(NULL, &ring), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyring_builder_build(&builder, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK(builder != NULL); /* a failed build leaves the builder to the caller */
    CHECK_OK(enseal_keyring_builder_build(&builder, &ring));
    CHECK_OK(enseal_opener_new(ring, &opener));
    CHECK_STATUS(enseal_opener_open_binary(opener, NULL, 0, NULL, 0, &out), ENSEAL_TRUNCATED);
    CHECK_STATUS(enseal_opener_open(opener, NULL, NULL, 0, &out), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_open(opener, "hello", NULL, 0, &out), ENSEAL_BAD_PREFIX);
    CHECK_STATUS(enseal_opener_open(opener, "enseal1.!!", NULL, 0, &out), ENSEAL_BAD_ENCODING);
    CHECK_STATUS(enseal_opener_open(opener, "enseal1.\xc3\x28", NULL, 0, &out), ENSEAL_INVALID_ARGUMENT);
    CHECK_OK(enseal_sealer_seal(sealer, (const uint8_t *)"x", 1, NULL, 0, &text));
    CHECK_STATUS(enseal_opener_open(opener, text, NULL, 0, &out), ENSEAL_UNKNOWN_KEY);
    CHECK(out.ptr == NULL);
    char *string = NULL;
    CHECK_STATUS(enseal_opener_open_string(opener, text, NULL, 0, &string), ENSEAL_UNKNOWN_KEY);
    CHECK_STATUS(enseal_opener_open_string(opener, NULL, NULL, 0, &string), ENSEAL_INVALID_ARGUMENT);
    CHECK(string == NULL);
    CHECK_STATUS(enseal_opener_open_json(opener, NULL, NULL, 0, NULL, &text), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_open_json_all(opener, NULL, NULL, &text), ENSEAL_INVALID_ARGUMENT);

    CHECK_STATUS(enseal_is_sealed(NULL, &flag), ENSEAL_INVALID_ARGUMENT);
    CHECK_OK(enseal_is_sealed("enseal1.AAAA", &flag));
    CHECK(!flag);
    CHECK_OK(enseal_is_sealed(text, &flag));
    CHECK(flag);

    const char *name = NULL;
    bool hardware = false;
    CHECK_OK(enseal_aes_backend(&name, &hardware));
    CHECK(name && (strcmp(name, "ring") == 0 || strcmp(name, "aes-gcm") == 0));
    CHECK_STATUS(enseal_aes_backend(NULL, &hardware), ENSEAL_INVALID_ARGUMENT);

    /* Frees take the handle's address and clear it: a second free is harmless. */
    enseal_string_free(&text);
    CHECK(text == NULL);
    enseal_string_free(&text);
    enseal_string_free(NULL);
    enseal_bytes_free(&out);
    enseal_bytes_free(NULL);
    enseal_opener_free(&opener);
    CHECK(opener == NULL);
    enseal_opener_free(&opener);
    enseal_keyring_free(&ring);
    enseal_keyring_free(&ring);
    enseal_keyring_builder_free(&builder);
    enseal_keyring_builder_free(NULL);
    enseal_sealer_free(&sealer);
    enseal_sealer_free(&sealer);
    enseal_sealer_free(NULL);
    enseal_public_key_free(&pub);
    enseal_public_key_free(&pub);
    enseal_keypair_free(&pair);
    CHECK(pair == NULL);
    enseal_keypair_free(&pair);
    enseal_keypair_free(NULL);
    enseal_keyset_free(NULL);
}

/* A keyring is built, then frozen: build consumes the builder, the keyring
 * has no call that changes it, and it lists each of its keys once. */
static void keyring_builder(void) {
    enseal_keypair *a = NULL, *b = NULL;
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_X25519, &a));
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_XWING, &b));
    enseal_keyring_builder *builder = NULL;
    bool added = false;
    CHECK_OK(enseal_keyring_builder_new(&builder));
    CHECK_OK(enseal_keyring_builder_add(builder, a, &added));
    CHECK(added);
    CHECK_OK(enseal_keyring_builder_add(builder, b, &added));
    CHECK(added);
    CHECK_OK(enseal_keyring_builder_add(builder, a, &added));
    CHECK(!added);
    enseal_keyring *ring = NULL;
    CHECK_OK(enseal_keyring_builder_build(&builder, &ring));
    CHECK(builder == NULL);
    /* The builder is gone: adding to it or building it again is refused, and freeing it is harmless. */
    CHECK_STATUS(enseal_keyring_builder_add(builder, a, &added), ENSEAL_INVALID_ARGUMENT);
    enseal_keyring *second = NULL;
    CHECK_STATUS(enseal_keyring_builder_build(&builder, &second), ENSEAL_INVALID_ARGUMENT);
    CHECK(second == NULL);
    enseal_keyring_builder_free(&builder);

    size_t len = 0;
    CHECK_OK(enseal_keyring_len(ring, &len));
    CHECK(len == 2);
    char *kid_a = NULL, *kid_b = NULL, *first = NULL, *last = NULL;
    CHECK_OK(enseal_keypair_kid(a, &kid_a));
    CHECK_OK(enseal_keypair_kid(b, &kid_b));
    CHECK_OK(enseal_keyring_kid(ring, 0, &first));
    CHECK_OK(enseal_keyring_kid(ring, 1, &last));
    CHECK(strcmp(first, last) != 0);
    CHECK((strcmp(first, kid_a) == 0 && strcmp(last, kid_b) == 0) ||
          (strcmp(first, kid_b) == 0 && strcmp(last, kid_a) == 0));
    CHECK_STATUS(enseal_keyring_kid(ring, 0, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyring_kid(NULL, 0, &first), ENSEAL_INVALID_ARGUMENT);

    /* Two openers over one keyring, the keyring freed first: each has its keys. */
    enseal_opener *one = NULL, *two = NULL;
    enseal_public_key *pub = NULL;
    enseal_sealer *sealer = NULL;
    CHECK_OK(enseal_opener_new(ring, &one));
    CHECK_OK(enseal_opener_new(ring, &two));
    enseal_keyring_free(&ring);
    CHECK(ring == NULL);
    CHECK_OK(enseal_keypair_public_key(b, &pub));
    CHECK_OK(enseal_sealer_new(pub, 0, &sealer));
    char *sealed = NULL, *opened = NULL;
    CHECK_OK(enseal_sealer_seal(sealer, (const uint8_t *)"pq", 2, NULL, 0, &sealed));
    CHECK_OK(enseal_opener_open_string(one, sealed, NULL, 0, &opened));
    CHECK(opened && strcmp(opened, "pq") == 0);
    enseal_string_free(&opened);
    CHECK_OK(enseal_opener_open_string(two, sealed, NULL, 0, &opened));
    CHECK(opened && strcmp(opened, "pq") == 0);

    enseal_string_free(&opened);
    enseal_string_free(&sealed);
    enseal_sealer_free(&sealer);
    enseal_public_key_free(&pub);
    enseal_opener_free(&one);
    enseal_opener_free(&two);
    enseal_string_free(&kid_a);
    enseal_string_free(&kid_b);
    enseal_string_free(&first);
    enseal_string_free(&last);
    enseal_keypair_free(&a);
    enseal_keypair_free(&b);
}

/* C has no batch calls: a loop over seal and open is the batch. Every value
 * opens to its own plaintext, in order, and each result is freed in the loop. */
static void loops(void) {
    fixture fx = fixture_new();
    enum { N = 200 };
    char *sealed[N] = {0};
    char value[32], context[32];
    for (int i = 0; i < N; i++) {
        snprintf(value, sizeof value, "value %d", i);
        snprintf(context, sizeof context, "rows/%d/ssn", i);
        CHECK_OK(enseal_sealer_seal(fx.sealer, (const uint8_t *)value, strlen(value), (const uint8_t *)context,
                                    strlen(context), &sealed[i]));
    }
    int mismatches = 0;
    for (int i = 0; i < N; i++) {
        char *opened = NULL;
        snprintf(value, sizeof value, "value %d", i);
        snprintf(context, sizeof context, "rows/%d/ssn", i);
        CHECK_OK(enseal_opener_open_string(fx.opener, sealed[i], (const uint8_t *)context, strlen(context), &opened));
        mismatches += opened == NULL || strcmp(opened, value) != 0;
        enseal_string_free(&opened);
        enseal_string_free(&sealed[i]);
    }
    CHECK(mismatches == 0);
    fixture_free(&fx);
}

/* enseal_json_context is the context a sealed document's value is bound to:
 * one value taken out of a document opens on its own with it. */
static void json_context(void) {
    fixture fx = fixture_new();
    const char *pointers[] = {"/visits/*/dx"};
    char *sealed = NULL;
    CHECK_OK(enseal_sealer_seal_json(fx.sealer, "{\"visits\":[{\"dx\":\"F32.1\"},{\"dx\":\"J45\"}]}", pointers, 1,
                                     "patient-8812", 0, &sealed));
    /* The second visit's value, cut out of the document by hand. */
    const char *at = sealed ? strstr(sealed, "enseal1.") : NULL;
    at = at ? strstr(at + 1, "enseal1.") : NULL;
    CHECK(at != NULL);
    if (at) {
        size_t n = strcspn(at, "\"");
        char *value = malloc(n + 1);
        memcpy(value, at, n);
        value[n] = 0;
        enseal_bytes context = {0};
        char *opened = NULL;
        CHECK_OK(enseal_json_context("/visits/1/dx", "patient-8812", &context));
        CHECK_OK(enseal_opener_open_string(fx.opener, value, context.ptr, context.len, &opened));
        CHECK(opened && strcmp(opened, "\"J45\"") == 0); /* the value's JSON text, unpadded (pad_to 0) */
        enseal_string_free(&opened);
        enseal_bytes_free(&context);
        CHECK_OK(enseal_json_context("/visits/0/dx", "patient-8812", &context));
        CHECK_STATUS(enseal_opener_open_string(fx.opener, value, context.ptr, context.len, &opened),
                     ENSEAL_DECRYPT_FAILED);
        enseal_bytes_free(&context);
        CHECK_OK(enseal_json_context("/visits/1/dx", NULL, &context));
        CHECK_STATUS(enseal_opener_open_string(fx.opener, value, context.ptr, context.len, &opened),
                     ENSEAL_DECRYPT_FAILED);
        enseal_bytes_free(&context);
        free(value);
    }
    enseal_bytes context = {0};
    CHECK_STATUS(enseal_json_context(NULL, NULL, &context), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_json_context("/a", NULL, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK(context.ptr == NULL);
    enseal_string_free(&sealed);
    fixture_free(&fx);
}

/* Caller buffers: seal_into and open_into write into the caller's array; a
 * buffer too small is ENSEAL_BUFFER_TOO_SMALL with the length needed, and
 * changes nothing: not the buffer, not the sealer's counter. */
static void caller_buffers(void) {
    fixture fx = fixture_new();
    const char ssn[] = "123-45-6789";
    const char ctx[] = "patients/8812/ssn";
    const size_t want = 51 + 11 + 16; /* X25519 header, plaintext, tag */
    uint8_t buf[256], small[77];
    size_t written = 0;

    /* Too small (by one byte, and empty with NULL to ask the length). */
    memset(small, 0xa5, sizeof small);
    CHECK_STATUS(enseal_sealer_seal_into(fx.sealer, (const uint8_t *)ssn, 11, (const uint8_t *)ctx, strlen(ctx), small,
                                         sizeof small, &written),
                 ENSEAL_BUFFER_TOO_SMALL);
    CHECK(written == want);
    int changed = 0;
    for (size_t i = 0; i < sizeof small; i++) changed += small[i] != 0xa5;
    CHECK(changed == 0);
    CHECK(strstr(enseal_last_error(), "78") != NULL);
    written = 0;
    CHECK_STATUS(enseal_sealer_seal_into(fx.sealer, (const uint8_t *)ssn, 11, (const uint8_t *)ctx, strlen(ctx), NULL,
                                         0, &written),
                 ENSEAL_BUFFER_TOO_SMALL);
    CHECK(written == want);

    /* Big enough: the field at the start; the rest of the buffer untouched. */
    memset(buf, 0x5a, sizeof buf);
    CHECK_OK(enseal_sealer_seal_into(fx.sealer, (const uint8_t *)ssn, 11, (const uint8_t *)ctx, strlen(ctx), buf,
                                     sizeof buf, &written));
    CHECK(written == want && buf[0] == 1 && buf[want] == 0x5a);
    /* The refused calls used no counter value: this is the session's field 0. */
    enseal_sealed_info info;
    CHECK_OK(enseal_sealed_inspect_binary(buf, written, &info));
    CHECK(info.counter == 0 && info.binary_len == want && info.plaintext_len == 11);

    /* It opens with open_binary, and with open_into. */
    enseal_bytes opened = {0};
    CHECK_OK(enseal_opener_open_binary(fx.opener, buf, written, (const uint8_t *)ctx, strlen(ctx), &opened));
    CHECK(opened.len == 11 && memcmp(opened.ptr, ssn, 11) == 0);
    enseal_bytes_free(&opened);
    uint8_t plain[64], tiny[10];
    size_t plain_len = 0;
    memset(tiny, 0xa5, sizeof tiny);
    CHECK_STATUS(enseal_opener_open_into(fx.opener, buf, written, (const uint8_t *)ctx, strlen(ctx), tiny, sizeof tiny,
                                         &plain_len),
                 ENSEAL_BUFFER_TOO_SMALL);
    CHECK(plain_len == 11);
    changed = 0;
    for (size_t i = 0; i < sizeof tiny; i++) changed += tiny[i] != 0xa5;
    CHECK(changed == 0);
    plain_len = 0;
    CHECK_OK(enseal_opener_open_into(fx.opener, buf, written, (const uint8_t *)ctx, strlen(ctx), plain, sizeof plain,
                                     &plain_len));
    CHECK(plain_len == 11 && memcmp(plain, ssn, 11) == 0);
    /* A wrong context: DECRYPT_FAILED, the length untouched, no plaintext left in the buffer. */
    memset(plain, 0, sizeof plain);
    plain_len = 99;
    CHECK_STATUS(enseal_opener_open_into(fx.opener, buf, written, (const uint8_t *)"other", 5, plain, sizeof plain,
                                         &plain_len),
                 ENSEAL_DECRYPT_FAILED);
    CHECK(plain_len == 99 && memmem(plain, sizeof plain, ssn, 11) == NULL);
    /* A text value given as binary, and garbage: the errors of opening, not BUFFER_TOO_SMALL. */
    CHECK_STATUS(enseal_opener_open_into(fx.opener, (const uint8_t *)"enseal1.AQAg", 12, NULL, 0, plain, sizeof plain,
                                         &plain_len),
                 ENSEAL_UNSUPPORTED_VERSION);
    CHECK_STATUS(enseal_opener_open_into(fx.opener, buf, 10, NULL, 0, plain, sizeof plain, &plain_len),
                 ENSEAL_TRUNCATED);
    CHECK(plain_len == 99);

    /* NULLs. */
    CHECK_STATUS(enseal_sealer_seal_into(fx.sealer, (const uint8_t *)ssn, 11, NULL, 0, buf, sizeof buf, NULL),
                 ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_seal_into(fx.sealer, (const uint8_t *)ssn, 11, NULL, 0, NULL, 100, &written),
                 ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_seal_into(NULL, (const uint8_t *)ssn, 11, NULL, 0, buf, sizeof buf, &written),
                 ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_open_into(fx.opener, buf, want, NULL, 0, plain, sizeof plain, NULL),
                 ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_open_into(fx.opener, buf, want, NULL, 0, NULL, 100, &plain_len),
                 ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_open_into(NULL, buf, want, NULL, 0, plain, sizeof plain, &plain_len),
                 ENSEAL_INVALID_ARGUMENT);

    /* A loop over one buffer, as a pipeline does it. */
    int failures = 0;
    for (int i = 0; i < 100; i++) {
        uint8_t value[8];
        memcpy(value, &i, sizeof i);
        memset(value + 4, 0, 4);
        failures += enseal_sealer_seal_into(fx.sealer, value, sizeof value, NULL, 0, buf, sizeof buf, &written) != ENSEAL_OK;
        failures += enseal_opener_open_into(fx.opener, buf, written, NULL, 0, plain, sizeof plain, &plain_len) != ENSEAL_OK;
        failures += plain_len != sizeof value || memcmp(plain, value, sizeof value) != 0;
    }
    CHECK(failures == 0);
    fixture_free(&fx);
}

/* Inspecting a value reads its header without a key: the kid of a value the C
 * sealer sealed is enseal_public_key_kid of the recipient. */
static void inspect(void) {
    for (size_t s = 0; s < sizeof SUITES / sizeof SUITES[0]; s++) {
        enseal_keypair *pair = NULL;
        enseal_public_key *pub = NULL;
        enseal_sealer *sealer = NULL;
        char *kid = NULL, *text = NULL;
        enseal_bytes binary = {0};
        CHECK_OK(enseal_keypair_generate(SUITES[s], &pair));
        CHECK_OK(enseal_keypair_public_key(pair, &pub));
        CHECK_OK(enseal_public_key_kid(pub, &kid));
        CHECK_OK(enseal_sealer_new(pub, 0, &sealer));
        CHECK_OK(enseal_sealer_seal(sealer, (const uint8_t *)"hello", 5, (const uint8_t *)"ctx", 3, &text));
        CHECK_OK(enseal_sealer_seal_binary(sealer, (const uint8_t *)"hello!", 6, (const uint8_t *)"ctx", 3, &binary));

        enseal_sealed_info a, b;
        memset(&a, 0x7f, sizeof a);
        CHECK_OK(enseal_sealed_inspect(text, &a));
        CHECK_OK(enseal_sealed_inspect_binary(binary.ptr, binary.len, &b));
        CHECK(a.version == 1 && a.suite == SUITES[s] && b.suite == SUITES[s]);
        CHECK(strcmp(a.kid, kid) == 0 && strcmp(b.kid, kid) == 0 && strlen(a.kid) == 11);
        CHECK(strlen(a.session_id) == 22 && strcmp(a.session_id, b.session_id) == 0); /* one session */
        CHECK(a.counter == 0 && b.counter == 1);
        CHECK(a.plaintext_len == 5 && b.plaintext_len == 6);
        CHECK(a.text_len == strlen(text) && b.binary_len == binary.len && a.binary_len + 1 == b.binary_len);
        CHECK(b.text_len == 8 + (4 * b.binary_len + 2) / 3);

        /* After a rekey the session id changes. */
        char *after = NULL;
        CHECK_OK(enseal_sealer_rekey(sealer));
        CHECK_OK(enseal_sealer_seal(sealer, (const uint8_t *)"x", 1, NULL, 0, &after));
        enseal_sealed_info c;
        CHECK_OK(enseal_sealed_inspect(after, &c));
        CHECK(strcmp(c.session_id, a.session_id) != 0 && c.counter == 0 && strcmp(c.kid, kid) == 0);

        enseal_string_free(&after);
        enseal_bytes_free(&binary);
        enseal_string_free(&text);
        enseal_string_free(&kid);
        enseal_sealer_free(&sealer);
        enseal_public_key_free(&pub);
        enseal_keypair_free(&pair);
    }
    /* The errors of opening, up to the key; the out-struct untouched. */
    enseal_sealed_info info;
    info.counter = 42;
    CHECK_STATUS(enseal_sealed_inspect("hello", &info), ENSEAL_BAD_PREFIX);
    CHECK_STATUS(enseal_sealed_inspect("enseal1.!!", &info), ENSEAL_BAD_ENCODING);
    CHECK_STATUS(enseal_sealed_inspect("enseal1.AQAg", &info), ENSEAL_TRUNCATED);
    CHECK_STATUS(enseal_sealed_inspect(NULL, &info), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealed_inspect("enseal1.AQAg", NULL), ENSEAL_INVALID_ARGUMENT);
    const uint8_t v2[64] = {2, 0, 0x20};
    CHECK_STATUS(enseal_sealed_inspect_binary(v2, sizeof v2, &info), ENSEAL_UNSUPPORTED_VERSION);
    const uint8_t unknown_suite[64] = {1, 0x12, 0x34};
    CHECK_STATUS(enseal_sealed_inspect_binary(unknown_suite, sizeof unknown_suite, &info), ENSEAL_UNSUPPORTED_SUITE);
    CHECK_STATUS(enseal_sealed_inspect_binary(NULL, 5, &info), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealed_inspect_binary(NULL, 0, &info), ENSEAL_TRUNCATED);
    CHECK(info.counter == 42);
}

/* Keysets are built and rotated from C: from one public key, add, promote,
 * retire, and read back entry by entry. */
static void keyset_building(void) {
    enseal_keypair *old_pair = NULL, *new_pair = NULL;
    enseal_public_key *old_pub = NULL, *new_pub = NULL;
    char *old_kid = NULL, *new_kid = NULL, *primary = NULL, *json = NULL;
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_X25519, &old_pair));
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_P256, &new_pair));
    CHECK_OK(enseal_keypair_public_key(old_pair, &old_pub));
    CHECK_OK(enseal_keypair_public_key(new_pair, &new_pub));
    CHECK_OK(enseal_public_key_kid(old_pub, &old_kid));
    CHECK_OK(enseal_public_key_kid(new_pub, &new_kid));

    enseal_keyset *keyset = NULL;
    long long before = (long long)time(NULL);
    CHECK_OK(enseal_keyset_from_public_key(old_pub, 0, 0, &keyset)); /* created now, no end */
    long long after = (long long)time(NULL);
    size_t len = 0;
    enseal_keyset_entry_info entry;
    CHECK_OK(enseal_keyset_len(keyset, &len));
    CHECK(len == 1);
    CHECK_OK(enseal_keyset_entry(keyset, 0, &entry));
    CHECK(strcmp(entry.kid, old_kid) == 0 && entry.suite == ENSEAL_SUITE_X25519 && entry.not_after == 0);
    CHECK((long long)entry.created >= before && (long long)entry.created <= after);

    CHECK_OK(enseal_keyset_add(keyset, new_pub, 1700000000, 4102444800));
    CHECK_STATUS(enseal_keyset_add(keyset, new_pub, 0, 0), ENSEAL_INVALID_KEYSET); /* already there */
    CHECK_STATUS(enseal_keyset_add(keyset, old_pub, 5, 4), ENSEAL_INVALID_KEYSET);  /* ends before it starts */
    CHECK_OK(enseal_keyset_len(keyset, &len));
    CHECK(len == 2);
    CHECK_OK(enseal_keyset_entry(keyset, 1, &entry));
    CHECK(strcmp(entry.kid, new_kid) == 0 && entry.suite == ENSEAL_SUITE_P256);
    CHECK(entry.created == 1700000000 && entry.not_after == 4102444800);
    CHECK_OK(enseal_keyset_primary_kid(keyset, &primary));
    CHECK(strcmp(primary, old_kid) == 0);
    enseal_string_free(&primary);

    /* Rotation: promote the new key; the old primary can then be retired. */
    CHECK_STATUS(enseal_keyset_retire(keyset, old_kid), ENSEAL_INVALID_KEYSET); /* the primary */
    CHECK_OK(enseal_keyset_promote(keyset, new_kid));
    CHECK_OK(enseal_keyset_primary_kid(keyset, &primary));
    CHECK(strcmp(primary, new_kid) == 0);
    enseal_string_free(&primary);

    /* A sealer from the keyset seals to the primary and knows its not_after. */
    enseal_sealer *sealer = NULL;
    char *sealed = NULL;
    uint64_t not_after = 0;
    CHECK_OK(enseal_sealer_from_keyset(keyset, &sealer));
    CHECK_OK(enseal_sealer_not_after(sealer, &not_after));
    CHECK(not_after == 4102444800);
    CHECK_OK(enseal_sealer_seal(sealer, (const uint8_t *)"x", 1, NULL, 0, &sealed));
    enseal_sealed_info info;
    CHECK_OK(enseal_sealed_inspect(sealed, &info));
    CHECK(strcmp(info.kid, new_kid) == 0 && info.suite == ENSEAL_SUITE_P256);
    enseal_string_free(&sealed);
    enseal_sealer_free(&sealer);

    CHECK_OK(enseal_keyset_retire(keyset, old_kid));
    CHECK_STATUS(enseal_keyset_retire(keyset, old_kid), ENSEAL_INVALID_KEYSET); /* gone */
    CHECK_STATUS(enseal_keyset_promote(keyset, old_kid), ENSEAL_INVALID_KEYSET);
    CHECK_STATUS(enseal_keyset_promote(keyset, "not a kid"), ENSEAL_INVALID_KEY);
    CHECK_STATUS(enseal_keyset_promote(keyset, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyset_promote(NULL, new_kid), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyset_add(NULL, new_pub, 0, 0), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyset_add(keyset, NULL, 0, 0), ENSEAL_INVALID_ARGUMENT);
    CHECK_OK(enseal_keyset_len(keyset, &len));
    CHECK(len == 1);

    /* The document round-trips. */
    enseal_keyset *parsed = NULL;
    CHECK_OK(enseal_keyset_to_json(keyset, &json));
    CHECK_OK(enseal_keyset_from_json(json, &parsed));
    CHECK_OK(enseal_keyset_primary_kid(parsed, &primary));
    CHECK(strcmp(primary, new_kid) == 0 && strstr(json, old_kid) == NULL);
    CHECK_STATUS(enseal_keyset_from_public_key(NULL, 0, 0, &parsed), ENSEAL_INVALID_ARGUMENT);

    enseal_string_free(&primary);
    enseal_string_free(&json);
    enseal_keyset_free(&parsed);
    enseal_keyset_free(&keyset);
    enseal_string_free(&old_kid);
    enseal_string_free(&new_kid);
    enseal_public_key_free(&old_pub);
    enseal_public_key_free(&new_pub);
    enseal_keypair_free(&old_pair);
    enseal_keypair_free(&new_pair);
}

/* enseal_status is a C enum of core's stable numbers (checked against core
 * by the Rust tests); the messages are core's. */
static void statuses(void) {
    static const struct { enseal_status code; int number; } all[] = {
        {ENSEAL_OK, 0},
        {ENSEAL_INVALID_ARGUMENT, 1},
        {ENSEAL_RANDOMNESS_UNAVAILABLE, 2},
        {ENSEAL_INTERNAL, 3},
        {ENSEAL_BUFFER_TOO_SMALL, 4},
        {ENSEAL_AUDIT_FAILED, 5},
        {ENSEAL_BAD_PREFIX, 100},
        {ENSEAL_BAD_ENCODING, 101},
        {ENSEAL_TRUNCATED, 102},
        {ENSEAL_TOO_LARGE, 103},
        {ENSEAL_UNSUPPORTED_VERSION, 104},
        {ENSEAL_UNSUPPORTED_SUITE, 105},
        {ENSEAL_UNKNOWN_KEY, 200},
        {ENSEAL_DECRYPT_FAILED, 201},
        {ENSEAL_KEY_UNAVAILABLE, 202},
        {ENSEAL_INVALID_KEY, 300},
        {ENSEAL_INVALID_KEYSET, 301},
        {ENSEAL_KEY_EXPIRED, 302},
        {ENSEAL_KEYSET_UNSIGNED, 303},
        {ENSEAL_KEYSET_BAD_SIGNATURE, 304},
        {ENSEAL_KEYSET_EXPIRED, 305},
        {ENSEAL_KEYSET_ROLLBACK, 306},
        {ENSEAL_INVALID_JSON, 400},
        {ENSEAL_INVALID_POINTER, 401},
        {ENSEAL_PATH_NOT_FOUND, 402},
        {ENSEAL_ALREADY_SEALED, 403},
        {ENSEAL_NOT_SEALED, 404},
        {ENSEAL_INVALID_TEMPLATE, 405},
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) CHECK((int)all[i].code == all[i].number);
    CHECK(sizeof(enseal_status) == sizeof(int));
    /* A switch over the enum, as callers write it (-Wswitch sees the type). */
    enseal_keypair *pair = NULL;
    enseal_status got = enseal_keypair_generate(0x0011, &pair);
    switch (got) {
    case ENSEAL_UNSUPPORTED_SUITE: CHECK(strlen(enseal_last_error()) > 0); break;
    default: CHECK(!"enseal_keypair_generate(0x0011) is ENSEAL_UNSUPPORTED_SUITE");
    }
    /* A success clears the message. */
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_X25519, &pair));
    CHECK(strcmp(enseal_last_error(), "") == 0);
    enseal_keypair_free(&pair);
}

/* What a service that stores sealed fields checks, with no private key: the
 * value parses, its kid is a key of the keyset, that key is not past its
 * not_after; on a refusal nothing is written and the message has no value. */
static void check_sealed(void) {
    enseal_keypair *in_pair = NULL, *other_pair = NULL, *outside_pair = NULL;
    enseal_public_key *in_pub = NULL, *other_pub = NULL, *outside_pub = NULL;
    char *in_kid = NULL;
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_X25519, &in_pair));
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_P256, &other_pair));
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_X25519, &outside_pair));
    CHECK_OK(enseal_keypair_public_key(in_pair, &in_pub));
    CHECK_OK(enseal_keypair_public_key(other_pair, &other_pub));
    CHECK_OK(enseal_keypair_public_key(outside_pair, &outside_pub));
    CHECK_OK(enseal_public_key_kid(in_pub, &in_kid));

    /* The primary (other_pub) has no end; in_pub ends at 4102444800 (2100),
     * so the system clock's check below holds for this century. */
    enseal_keyset *keyset = NULL;
    CHECK_OK(enseal_keyset_from_public_key(other_pub, 0, 0, &keyset));
    CHECK_OK(enseal_keyset_add(keyset, in_pub, 1700000000, 4102444800));

    enseal_sealer *to_in = NULL, *to_outside = NULL;
    char *sealed = NULL, *outside = NULL;
    CHECK_OK(enseal_sealer_new(in_pub, 0, &to_in));
    CHECK_OK(enseal_sealer_new(outside_pub, 0, &to_outside));
    CHECK_OK(enseal_sealer_seal(to_in, (const uint8_t *)"123-45-6789", 11, NULL, 0, &sealed));
    CHECK_OK(enseal_sealer_seal(to_outside, (const uint8_t *)"123-45-6789", 11, NULL, 0, &outside));

    /* Accepted, by the system clock and at a given time, with the header. */
    enseal_sealed_info info, inspected;
    CHECK_OK(enseal_sealed_inspect(sealed, &inspected));
    memset(&info, 0, sizeof info);
    CHECK_OK(enseal_keyset_check_sealed(keyset, sealed, 0, &info));
    CHECK(strcmp(info.kid, in_kid) == 0 && info.suite == ENSEAL_SUITE_X25519);
    /* Field by field: the padding between them is not written. */
    CHECK(strcmp(info.session_id, inspected.session_id) == 0 && info.counter == inspected.counter);
    CHECK(info.version == inspected.version && info.plaintext_len == 11 && info.text_len == strlen(sealed));
    CHECK(info.binary_len == inspected.binary_len);
    CHECK_OK(enseal_keyset_check_sealed(keyset, sealed, 4102444800, &info)); /* its last second */

    /* Refused, each with its code; `out` keeps what it held. */
    enseal_sealed_info untouched;
    memset(&untouched, 0xab, sizeof untouched);
    char truncated[33]; /* "enseal1." and 24 characters: 18 bytes, short of a header */
    memcpy(truncated, sealed, 32);
    truncated[32] = '\0';
    struct {
        const char *text;
        uint64_t now;
        enseal_status want;
    } refused[] = {
        {sealed, 4102444801, ENSEAL_KEY_EXPIRED},
        {outside, 0, ENSEAL_UNKNOWN_KEY},
        {"123-45-6789", 0, ENSEAL_BAD_PREFIX},
        {truncated, 0, ENSEAL_TRUNCATED},
        {"enseal1.!!!!", 0, ENSEAL_BAD_ENCODING},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        memcpy(&info, &untouched, sizeof info);
        CHECK_STATUS(enseal_keyset_check_sealed(keyset, refused[i].text, refused[i].now, &info),
                     refused[i].want);
        CHECK(memcmp(&info, &untouched, sizeof info) == 0);
        CHECK(strstr(enseal_last_error(), "123-45-6789") == NULL);
    }
    CHECK_STATUS(enseal_keyset_check_sealed(NULL, sealed, 0, &info), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyset_check_sealed(keyset, NULL, 0, &info), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyset_check_sealed(keyset, sealed, 0, NULL), ENSEAL_INVALID_ARGUMENT);

    /* A retired key's values are refused. */
    CHECK_OK(enseal_keyset_retire(keyset, in_kid));
    CHECK_STATUS(enseal_keyset_check_sealed(keyset, sealed, 0, &info), ENSEAL_UNKNOWN_KEY);

    enseal_string_free(&sealed);
    enseal_string_free(&outside);
    enseal_string_free(&in_kid);
    enseal_sealer_free(&to_in);
    enseal_sealer_free(&to_outside);
    enseal_keyset_free(&keyset);
    enseal_public_key_free(&in_pub);
    enseal_public_key_free(&other_pub);
    enseal_public_key_free(&outside_pub);
    enseal_keypair_free(&in_pair);
    enseal_keypair_free(&other_pair);
    enseal_keypair_free(&outside_pair);
}

/* The library's version is the header's. */
static void version(void) {
    CHECK(strcmp(enseal_version(), ENSEAL_VERSION_STRING) == 0);
    char expect[32];
    snprintf(expect, sizeof expect, "%d.%d.%d", ENSEAL_VERSION_MAJOR, ENSEAL_VERSION_MINOR, ENSEAL_VERSION_PATCH);
    CHECK(strcmp(expect, ENSEAL_VERSION_STRING) == 0);
    CHECK(enseal_version() == enseal_version()); /* static */
}

int main(void) {
    for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++) round_trip(SUITES[i]);
    json_documents();
    json_pointers_and_padding();
    rekey();
    key_expiry();
    keysets();
    bad_arguments();
    keyring_builder();
    loops();
    json_context();
    caller_buffers();
    inspect();
    keyset_building();
    check_sealed();
    statuses();
    version();
    return test_summary("test_api");
}
