/* Signed keysets (docs/FORMAT.md §10) through the C ABI: pins, verification
 * into a keyset or a sealer, and each refusal with its status. The signed
 * documents come from signed_keysets.h, which `cargo xtask c-test` writes
 * with the enseal CLI from keys it generates on every run. */
#include <time.h>
#include "enseal.h"
#include "test_util.h"
#include "signed_keysets.h"

static enseal_signer_pins *pins(const char *jwks) {
    enseal_signer_pins *p = NULL;
    CHECK_OK(enseal_signer_pins_from_jwks(jwks, &p));
    return p;
}

/* Unpadded base64url of `len` bytes; the caller frees. */
static char *b64url(const unsigned char *in, size_t len) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(len * 4 / 3 + 4);
    if (!out) abort();
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len) v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len) v |= in[i + 2];
        out[o++] = abc[(v >> 18) & 63];
        out[o++] = abc[(v >> 12) & 63];
        if (i + 1 < len) out[o++] = abc[(v >> 6) & 63];
        if (i + 2 < len) out[o++] = abc[v & 63];
    }
    out[o] = 0;
    return out;
}

/* The signed keyset with its header replaced by `header` (payload and
 * signature kept): the header rules must refuse it before any signature check. */
static char *with_header(const char *header) {
    char *enc = b64url((const unsigned char *)header, strlen(header));
    const char *rest = strchr(SIGNED_JWS, '.');
    char *out = malloc(strlen(enc) + strlen(rest) + 1);
    if (!out) abort();
    strcpy(out, enc);
    strcat(out, rest);
    free(enc);
    return out;
}

/* Expects `status` from both entry points, and nothing written. */
static void refused(const char *jws, const enseal_signer_pins *p, uint64_t min_version, uint64_t now,
                    enseal_status status) {
    enseal_keyset *ks = NULL;
    enseal_sealer *sealer = NULL;
    enseal_signed_keyset_info info;
    memset(&info, 0x5a, sizeof info);
    CHECK_STATUS(enseal_keyset_from_signed(jws, p, min_version, now, &ks, &info), status);
    CHECK(ks == NULL);
    CHECK(info.version == 0x5a5a5a5a5a5a5a5aULL);
    CHECK_STATUS(enseal_sealer_from_signed_keyset(jws, p, min_version, now, &sealer, NULL), status);
    CHECK(sealer == NULL);
    CHECK(strlen(enseal_last_error()) > 0);
}

static void verifies(void) {
    enseal_signer_pins *a = pins(PINS_A);
    size_t n = 0;
    CHECK_OK(enseal_signer_pins_len(a, &n));
    CHECK(n == 1);

    enseal_keyset *ks = NULL;
    enseal_signed_keyset_info info = {0};
    CHECK_OK(enseal_keyset_from_signed(SIGNED_JWS, a, 0, 0, &ks, &info));
    CHECK(info.version == 5);
    CHECK(strcmp(info.signer, SIGNER_A_KID) == 0);
    CHECK(info.expires > (uint64_t)time(NULL));
    char *primary = NULL;
    CHECK_OK(enseal_keyset_primary_kid(ks, &primary));
    CHECK(strcmp(primary, PRIMARY_KID) == 0);
    enseal_string_free(&primary);
    enseal_keyset_free(&ks);

    /* info may be NULL; the version just accepted is no rollback; an explicit
     * time up to the expiry verifies. */
    CHECK_OK(enseal_keyset_from_signed(SIGNED_JWS, a, 5, info.expires, &ks, NULL));
    enseal_keyset_free(&ks);
    CHECK(ks == NULL);

    /* The sealer seals to the verified keyset's primary. */
    enseal_sealer *sealer = NULL;
    enseal_signed_keyset_info sinfo = {0};
    CHECK_OK(enseal_sealer_from_signed_keyset(SIGNED_JWS, a, 0, 0, &sealer, &sinfo));
    CHECK(sinfo.version == 5 && strcmp(sinfo.signer, SIGNER_A_KID) == 0);
    char *sealed = NULL;
    CHECK_OK(enseal_sealer_seal(sealer, (const uint8_t *)"123-45-6789", 11, (const uint8_t *)"ssn", 3, &sealed));
    enseal_sealed_info about;
    CHECK_OK(enseal_sealed_inspect(sealed, &about));
    CHECK(strcmp(about.kid, PRIMARY_KID) == 0);
    enseal_string_free(&sealed);
    enseal_sealer_free(&sealer);
    enseal_signer_pins_free(&a);
    enseal_signer_pins_free(&a); /* a second free is harmless */
    CHECK(a == NULL);
}

static void refusals(void) {
    enseal_signer_pins *a = pins(PINS_A), *b = pins(PINS_B);
    enseal_signed_keyset_info info = {0};
    enseal_keyset *ks = NULL;
    CHECK_OK(enseal_keyset_from_signed(SIGNED_JWS, a, 0, 0, &ks, &info));
    enseal_keyset_free(&ks);

    refused(PLAIN_KEYSET, a, 0, 0, ENSEAL_KEYSET_UNSIGNED);
    refused("", a, 0, 0, ENSEAL_KEYSET_UNSIGNED);
    refused(SIGNED_JWS, b, 0, 0, ENSEAL_KEYSET_BAD_SIGNATURE);

    /* One signature character changed. */
    char *flipped = malloc(sizeof SIGNED_JWS);
    if (!flipped) abort();
    memcpy(flipped, SIGNED_JWS, sizeof SIGNED_JWS);
    size_t last = strlen(flipped) - 1;
    flipped[last - 3] = flipped[last - 3] == 'A' ? 'B' : 'A';
    refused(flipped, a, 0, 0, ENSEAL_KEYSET_BAD_SIGNATURE);
    free(flipped);

    /* Headers the rules refuse, whatever the signature. */
    char header[512];
    const char *forms[] = {
        "{\"alg\":\"none\",\"typ\":\"enseal-keyset+jws\",\"kid\":\"%s\"}",
        "{\"alg\":\"HS256\",\"typ\":\"enseal-keyset+jws\",\"kid\":\"%s\"}",
        "{\"alg\":\"EdDSA\",\"typ\":\"enseal-keyset+jws\",\"kid\":\"%s\",\"crit\":[\"exp\"]}",
        "{\"alg\":\"EdDSA\",\"typ\":\"enseal-keyset+jws\",\"kid\":\"%s\",\"jku\":\"https://example.invalid\"}",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        snprintf(header, sizeof header, forms[i], SIGNER_A_KID);
        char *forged = with_header(header);
        refused(forged, a, 0, 0, ENSEAL_KEYSET_BAD_SIGNATURE);
        free(forged);
    }

    refused(SIGNED_JWS, a, 0, info.expires + 1, ENSEAL_KEYSET_EXPIRED);
    refused(SIGNED_JWS, a, 6, 0, ENSEAL_KEYSET_ROLLBACK);
    /* Expiry is checked before the version. */
    refused(SIGNED_JWS, a, 6, info.expires + 1, ENSEAL_KEYSET_EXPIRED);

    enseal_signer_pins_free(&a);
    enseal_signer_pins_free(&b);
}

static void rotation(void) {
    enseal_signer_pins *both = pins(PINS_BOTH), *a = pins(PINS_A);
    size_t n = 0;
    CHECK_OK(enseal_signer_pins_len(both, &n));
    CHECK(n == 2);
    enseal_keyset *ks = NULL;
    enseal_signed_keyset_info info = {0};
    CHECK_OK(enseal_keyset_from_signed(SIGNED_JWS, both, 0, 0, &ks, &info));
    CHECK(strcmp(info.signer, SIGNER_A_KID) == 0);
    enseal_keyset_free(&ks);
    CHECK_OK(enseal_keyset_from_signed(SIGNED_BY_B, both, 5, 0, &ks, &info));
    CHECK(strcmp(info.signer, SIGNER_B_KID) == 0 && info.version == 6);
    enseal_keyset_free(&ks);
    refused(SIGNED_BY_B, a, 0, 0, ENSEAL_KEYSET_BAD_SIGNATURE);
    enseal_signer_pins_free(&both);
    enseal_signer_pins_free(&a);
}

static void bad_arguments(void) {
    enseal_signer_pins *p = NULL;
    CHECK_STATUS(enseal_signer_pins_from_jwks("{}", &p), ENSEAL_INVALID_KEYSET);
    CHECK_STATUS(enseal_signer_pins_from_jwks("{\"keys\":[]}", &p), ENSEAL_INVALID_KEYSET);
    CHECK_STATUS(enseal_signer_pins_from_jwks(PINS_PRIVATE, &p), ENSEAL_INVALID_KEYSET);
    CHECK_STATUS(enseal_signer_pins_from_jwks("{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"AAAA\"}]}", &p),
                 ENSEAL_INVALID_KEY);
    CHECK_STATUS(enseal_signer_pins_from_jwks(NULL, &p), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_signer_pins_from_jwks(PINS_A, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK(p == NULL);
    CHECK_STATUS(enseal_signer_pins_from_jwks("{\"keys\":[\xff]}", &p), ENSEAL_INVALID_ARGUMENT);

    p = pins(PINS_A);
    enseal_keyset *ks = NULL;
    enseal_sealer *sealer = NULL;
    CHECK_STATUS(enseal_keyset_from_signed(NULL, p, 0, 0, &ks, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyset_from_signed(SIGNED_JWS, NULL, 0, 0, &ks, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_keyset_from_signed(SIGNED_JWS, p, 0, 0, NULL, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_from_signed_keyset(SIGNED_JWS, p, 0, 0, NULL, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_from_signed_keyset(SIGNED_JWS, NULL, 0, 0, &sealer, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK(ks == NULL && sealer == NULL);
    size_t n = 0;
    CHECK_STATUS(enseal_signer_pins_len(NULL, &n), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_signer_pins_len(p, NULL), ENSEAL_INVALID_ARGUMENT);
    enseal_signer_pins_free(&p);
    enseal_signer_pins_free(NULL);
}

int main(void) {
    verifies();
    refusals();
    rotation();
    bad_arguments();
    return test_summary("test_signed_keyset");
}
