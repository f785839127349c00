/* Seal the sensitive fields of a patient record with a fresh key, then open
 * them again: the C ABI end to end. Build: see bindings/c/README.md. */
#include <stdio.h>
#include <string.h>
#include "enseal.h"

#define TRY(call)                                                                     \
    do {                                                                              \
        enseal_status s_ = (call);                                                    \
        if (s_ != ENSEAL_OK) {                                                        \
            fprintf(stderr, "%s failed with status %d: %s\n", #call, (int)s_,        \
                    enseal_last_error());                                             \
            return 1;                                                                 \
        }                                                                             \
    } while (0)

int main(void) {
    enseal_keypair *service_key = NULL;   /* the records service's key pair */
    enseal_public_key *recipient = NULL;  /* what clients get */
    enseal_sealer *sealer = NULL;
    enseal_keyring_builder *builder = NULL;
    enseal_keyring *keyring = NULL;
    enseal_opener *opener = NULL;
    printf("enseal %s (header %s)\n", enseal_version(), ENSEAL_VERSION_STRING);
    TRY(enseal_keypair_generate(ENSEAL_SUITE_X25519, &service_key));
    TRY(enseal_keypair_public_key(service_key, &recipient));
    TRY(enseal_sealer_new(recipient, 0, &sealer));

    /* One field. */
    const char *ssn = "123-45-6789", *context = "patients/8812/ssn";
    char *sealed_ssn = NULL;
    TRY(enseal_sealer_seal(sealer, (const uint8_t *)ssn, strlen(ssn), (const uint8_t *)context, strlen(context),
                           &sealed_ssn));
    printf("sealed SSN: %s\n", sealed_ssn);

    /* A whole record. */
    const char *record = "{\"patient_id\":\"8812\",\"name\":\"Ada Lovelace\",\"ssn\":\"123-45-6789\","
                         "\"visits\":[{\"date\":\"2026-11-02\",\"diagnosis\":\"F32.1\"}]}";
    const char *sensitive[] = {"/ssn", "/visits/*/diagnosis"};
    char *sealed_record = NULL;
    TRY(enseal_sealer_seal_json(sealer, record, sensitive, 2, "patient-8812", ENSEAL_DEFAULT_JSON_PADDING,
                                &sealed_record));
    printf("sealed record: %s\n", sealed_record);

    /* The service's keyring: built, then frozen (immutable, shared by threads). */
    TRY(enseal_keyring_builder_new(&builder));
    TRY(enseal_keyring_builder_add(builder, service_key, NULL));
    TRY(enseal_keyring_builder_build(&builder, &keyring));
    TRY(enseal_opener_new(keyring, &opener));
    char *opened_ssn = NULL, *opened_record = NULL;
    TRY(enseal_opener_open_string(opener, sealed_ssn, (const uint8_t *)context, strlen(context), &opened_ssn));
    /* The service opens the fields it expects sealed, no others: a clear SSN
     * would be ENSEAL_NOT_SEALED, and a sealed value planted elsewhere stays sealed. */
    TRY(enseal_opener_open_json(opener, sealed_record, sensitive, 2, "patient-8812", &opened_record));
    printf("opened SSN: %s\nopened record: %s\n", opened_ssn, opened_record);
    int ok = strcmp(opened_ssn, ssn) == 0 && strcmp(opened_record, record) == 0;

    enseal_string_free(&opened_ssn);
    enseal_string_free(&opened_record);
    enseal_string_free(&sealed_record);
    enseal_string_free(&sealed_ssn);
    enseal_opener_free(&opener);
    enseal_keyring_free(&keyring);
    enseal_sealer_free(&sealer);
    enseal_public_key_free(&recipient);
    enseal_keypair_free(&service_key);
    printf(ok ? "round trip OK\n" : "round trip FAILED\n");
    return ok ? 0 : 1;
}
