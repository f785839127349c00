/* Context templates (every case of tests/vectors/context-templates.json, as
 * the C table `cargo xtask c-test` generates), records sealed and opened by
 * template, and session limits, through the public C ABI. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>
#include "enseal.h"
#include "test_util.h"
#include "template_vectors.h"

#define CONTEXT_SSN "patients/8812/ssn"

static const char *status_name(enseal_status s) {
    switch (s) {
        case ENSEAL_OK: return "OK";
        case ENSEAL_INVALID_TEMPLATE: return "INVALID_TEMPLATE";
        case ENSEAL_INVALID_JSON: return "INVALID_JSON";
        case ENSEAL_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
        default: return "other";
    }
}

/* Every shared case: parse, then render from the record's JSON text. */
static void template_vectors(void) {
    size_t cases = sizeof TEMPLATE_CASES / sizeof TEMPLATE_CASES[0];
    size_t passed = 0;
    for (size_t i = 0; i < cases; i++) {
        const template_case *c = &TEMPLATE_CASES[i];
        enseal_context_template *t = NULL;
        enseal_bytes context = {0};
        enseal_status got = enseal_context_template_parse(c->template_text, &t);
        if (got == ENSEAL_OK) {
            got = enseal_context_template_render_json(t, c->record, c->pointer, &context);
        }
        bool ok;
        if (c->context) {
            size_t want = strlen(c->context);
            ok = got == ENSEAL_OK && context.len == want && memcmp(context.ptr, c->context, want) == 0;
        } else {
            /* An error names the problem, and nothing is returned. */
            ok = got == c->error && context.ptr == NULL && strlen(enseal_last_error()) > 0;
        }
        test_checks++;
        if (ok) {
            passed++;
        } else {
            test_failures++;
            fprintf(stderr, "template case %zu (%s, %s, %s): got %s (%d): %s\n", i, c->template_text,
                    c->record, c->pointer, status_name(got), (int)got, enseal_last_error());
        }
        enseal_bytes_free(&context);
        enseal_context_template_free(&t);
        CHECK(t == NULL);
    }
    CHECK(cases == 26);
    printf("context templates: %zu of %zu shared cases\n", passed, cases);
}

static bool bytes_are(const enseal_bytes *b, const char *text) {
    return b->len == strlen(text) && memcmp(b->ptr, text, b->len) == 0;
}

static void template_accessors_and_render(void) {
    enseal_context_template *t = NULL;
    CHECK_OK(enseal_context_template_parse("{site}/{/patient/mrn}/{active}{pointer}", &t));
    size_t count = 0;
    CHECK_OK(enseal_context_template_field_count(t, &count));
    CHECK(count == 3);
    const char *want[] = {"site", "/patient/mrn", "active"};
    for (size_t i = 0; i < 3; i++) {
        char *field = NULL;
        CHECK_OK(enseal_context_template_field(t, i, &field));
        CHECK(field && strcmp(field, want[i]) == 0);
        enseal_string_free(&field);
    }
    char *field = NULL;
    CHECK_STATUS(enseal_context_template_field(t, 3, &field), ENSEAL_INVALID_ARGUMENT);
    CHECK(field == NULL);
    bool has = false;
    CHECK_OK(enseal_context_template_has_pointer(t, &has));
    CHECK(has);
    char *text = NULL;
    CHECK_OK(enseal_context_template_text(t, &text));
    CHECK(text && strcmp(text, "{site}/{/patient/mrn}/{active}{pointer}") == 0);
    enseal_string_free(&text);

    /* Render from parallel arrays: the same context as from the JSON record. */
    const char *names[] = {"active", "site", "/patient/mrn"};
    const char *values[] = {"true", "north", "M 1"};
    enseal_bytes context = {0};
    CHECK_OK(enseal_context_template_render(t, "/dx", names, values, 3, &context));
    CHECK(bytes_are(&context, "north/M 1/true/dx"));
    enseal_bytes_free(&context);
    /* A missing field: INVALID_TEMPLATE naming it, nothing returned. */
    CHECK_STATUS(enseal_context_template_render(t, "/dx", names, values, 2, &context),
                 ENSEAL_INVALID_TEMPLATE);
    CHECK(context.ptr == NULL);
    CHECK(strstr(enseal_last_error(), "{/patient/mrn}") != NULL);
    CHECK_STATUS(enseal_context_template_render(t, "/dx", NULL, NULL, 1, &context), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_context_template_render_json(t, "{not json", "/dx", &context), ENSEAL_INVALID_JSON);
    enseal_context_template_free(&t);
    enseal_context_template_free(&t); /* harmless */

    /* Field values are escaped by enseal: "/" cannot add a path segment. */
    CHECK_OK(enseal_context_template_parse("p/{id}{pointer}", &t));
    const char *id_name[] = {"id"};
    const char *id_value[] = {"88/12~x"};
    CHECK_OK(enseal_context_template_render(t, "/ssn", id_name, id_value, 1, &context));
    CHECK(bytes_are(&context, "p/88~112~0x/ssn"));
    enseal_bytes_free(&context);
    enseal_context_template_free(&t);

    CHECK_OK(enseal_context_template_parse("no fields", &t));
    CHECK_OK(enseal_context_template_has_pointer(t, &has));
    CHECK(!has);
    CHECK_OK(enseal_context_template_field_count(t, &count));
    CHECK(count == 0);
    enseal_context_template_free(&t);

    CHECK_STATUS(enseal_context_template_parse("p/{id", &t), ENSEAL_INVALID_TEMPLATE);
    CHECK(t == NULL);
    CHECK(strstr(enseal_last_error(), "never closed") != NULL);
    CHECK_STATUS(enseal_context_template_parse(NULL, &t), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_context_template_parse("x", NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_context_template_has_pointer(NULL, &has), ENSEAL_INVALID_ARGUMENT);
}

static void records(void) {
    fixture f = fixture_new();
    enseal_context_template *t = NULL;
    CHECK_OK(enseal_context_template_parse("patients/{id}{pointer}", &t));
    const char *record = "{\"id\":8812,\"ssn\":\"123-45-6789\",\"dx\":\"E11.9\",\"visits\":[{\"note\":\"ok\"}]}";
    const char *pointers[] = {"/ssn", "/dx", "/visits/*/note"};
    char *sealed = NULL;
    CHECK_OK(enseal_sealer_seal_record(f.sealer, record, pointers, 3, t, ENSEAL_DEFAULT_JSON_PADDING, &sealed));
    CHECK(sealed && strstr(sealed, "123-45-6789") == NULL && strstr(sealed, "E11.9") == NULL);
    CHECK(sealed && strstr(sealed, "\"id\":8812") != NULL);

    char *opened = NULL;
    CHECK_OK(enseal_opener_open_record(f.opener, sealed, pointers, 3, t, &opened));
    CHECK(opened && strcmp(opened, record) == 0);
    enseal_string_free(&opened);
    CHECK_OK(enseal_opener_open_record_all(f.opener, sealed, t, &opened));
    CHECK(opened && strcmp(opened, record) == 0);
    enseal_string_free(&opened);

    /* Another template (another record's id) gives other contexts: no open. */
    enseal_context_template *other = NULL;
    CHECK_OK(enseal_context_template_parse("clinic/{id}{pointer}", &other));
    CHECK_STATUS(enseal_opener_open_record(f.opener, sealed, pointers, 3, other, &opened), ENSEAL_DECRYPT_FAILED);
    CHECK(opened == NULL);
    enseal_context_template_free(&other);
    enseal_string_free(&sealed);

    /* A value sealed alone with the rendered context opens as a record field. */
    enseal_bytes context = {0};
    CHECK_OK(enseal_context_template_render_json(t, "{\"id\":\"A-17\"}", "/ssn", &context));
    CHECK(bytes_are(&context, "patients/A-17/ssn"));
    char *value = NULL;
    CHECK_OK(enseal_sealer_seal(f.sealer, (const uint8_t *)"\"078-05-1120\"", 13, context.ptr, context.len, &value));
    char doc[512];
    snprintf(doc, sizeof doc, "{\"id\":\"A-17\",\"ssn\":\"%s\"}", value);
    CHECK_OK(enseal_opener_open_record(f.opener, doc, pointers, 1, t, &opened));
    CHECK(opened && strcmp(opened, "{\"id\":\"A-17\",\"ssn\":\"078-05-1120\"}") == 0);
    enseal_string_free(&opened);
    enseal_string_free(&value);
    enseal_bytes_free(&context);

    /* Errors: a field the record lacks, named; nothing returned. */
    CHECK_STATUS(enseal_sealer_seal_record(f.sealer, "{\"name\":\"x\",\"ssn\":\"1\"}", pointers, 1, t, 16, &sealed),
                 ENSEAL_INVALID_TEMPLATE);
    CHECK(sealed == NULL);
    CHECK(strstr(enseal_last_error(), "{id}") != NULL);
    CHECK_STATUS(enseal_opener_open_record(f.opener, "{\"ssn\":\"x\"}", pointers, 1, t, &opened),
                 ENSEAL_INVALID_TEMPLATE);
    CHECK(strstr(enseal_last_error(), "{id}") != NULL);
    CHECK_STATUS(enseal_opener_open_record_all(f.opener, "{\"id\":null}", t, &opened), ENSEAL_INVALID_TEMPLATE);
    CHECK(opened == NULL);
    /* A template field that is being sealed; a template without {pointer} for two values. */
    enseal_context_template *reads_ssn = NULL;
    CHECK_OK(enseal_context_template_parse("p/{ssn}{pointer}", &reads_ssn));
    CHECK_STATUS(enseal_sealer_seal_record(f.sealer, record, pointers, 1, reads_ssn, 16, &sealed),
                 ENSEAL_INVALID_TEMPLATE);
    enseal_context_template_free(&reads_ssn);
    enseal_context_template *shared = NULL;
    CHECK_OK(enseal_context_template_parse("patients/{id}", &shared));
    CHECK_STATUS(enseal_sealer_seal_record(f.sealer, record, pointers, 2, shared, 16, &sealed),
                 ENSEAL_INVALID_TEMPLATE);
    CHECK(strstr(enseal_last_error(), "{pointer}") != NULL);
    CHECK_OK(enseal_sealer_seal_record(f.sealer, record, pointers, 1, shared, 0, &sealed));
    enseal_string_free(&sealed);
    enseal_context_template_free(&shared);
    CHECK(sealed == NULL);
    CHECK_STATUS(enseal_sealer_seal_record(f.sealer, record, pointers, 1, NULL, 16, &sealed), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_seal_record(f.sealer, record, pointers, 1, t, 70000, &sealed), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_open_record_all(f.opener, record, NULL, &opened), ENSEAL_INVALID_ARGUMENT);
    enseal_context_template_free(&t);
    fixture_free(&f);
}

static void session_of(const char *text, char out[23]) {
    enseal_sealed_info info;
    CHECK_OK(enseal_sealed_inspect(text, &info));
    memcpy(out, info.session_id, 23);
}

static void session_limits(void) {
    fixture f = fixture_new();
    uint64_t fields = 0, age = 0;
    CHECK_OK(enseal_sealer_limits(f.sealer, &fields, &age));
    CHECK(fields == 4294967296ull);
    CHECK(age == ENSEAL_DEFAULT_SESSION_MAX_AGE && age == 3600);
    CHECK_OK(enseal_sealer_limits(f.sealer, NULL, NULL));

    enseal_sealer *s = NULL;
    CHECK_STATUS(enseal_sealer_new_with_limits(f.pub, 0, 0, &s), ENSEAL_INVALID_ARGUMENT);
    CHECK(s == NULL);
    CHECK(strstr(enseal_last_error(), "at least one") != NULL);
    CHECK_STATUS(enseal_sealer_new_with_limits(f.pub, 4294967297ull, 60, &s), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_sealer_new_with_limits(NULL, 0, 60, &s), ENSEAL_INVALID_ARGUMENT);
    CHECK_OK(enseal_sealer_new_with_limits(f.pub, 5, 1, &s));
    CHECK_OK(enseal_sealer_limits(s, &fields, &age));
    CHECK(fields == 5 && age == 1);

    /* A session one second old is replaced before the next field. */
    char *a = NULL, *b = NULL, *c = NULL;
    CHECK_OK(enseal_sealer_seal(s, (const uint8_t *)"v", 1, NULL, 0, &a));
    CHECK_OK(enseal_sealer_seal(f.sealer, (const uint8_t *)"v", 1, NULL, 0, &b));
    struct timespec pause = {2, 100000000};
    nanosleep(&pause, NULL);
    char *a2 = NULL;
    CHECK_OK(enseal_sealer_seal(s, (const uint8_t *)"v", 1, NULL, 0, &a2));
    CHECK_OK(enseal_sealer_seal(f.sealer, (const uint8_t *)"v", 1, NULL, 0, &c));
    char sa[23], sa2[23], sb[23], sc[23];
    session_of(a, sa);
    session_of(a2, sa2);
    session_of(b, sb);
    session_of(c, sc);
    CHECK(strcmp(sa, sa2) != 0); /* max age 1 s: a fresh session */
    CHECK(strcmp(sb, sc) == 0);  /* default one hour: the same session */
    enseal_bytes out = {0};
    CHECK_OK(enseal_opener_open(f.opener, a2, NULL, 0, &out));
    CHECK(out.len == 1 && out.ptr[0] == 'v');
    enseal_bytes_free(&out);
    enseal_string_free(&a);
    enseal_string_free(&a2);
    enseal_string_free(&b);
    enseal_string_free(&c);
    enseal_sealer_free(&s);

    /* From a keyset. */
    enseal_keyset *keyset = NULL;
    CHECK_OK(enseal_keyset_from_public_key(f.pub, 0, 0, &keyset));
    CHECK_STATUS(enseal_sealer_from_keyset_with_limits(keyset, 0, 0, &s), ENSEAL_INVALID_ARGUMENT);
    CHECK_OK(enseal_sealer_from_keyset_with_limits(keyset, 0, 600, &s));
    CHECK_OK(enseal_sealer_limits(s, &fields, &age));
    CHECK(fields == 4294967296ull && age == 600);
    enseal_sealer_free(&s);
    CHECK_STATUS(enseal_sealer_from_keyset_with_limits(NULL, 0, 600, &s), ENSEAL_INVALID_ARGUMENT);
    enseal_keyset_free(&keyset);
    fixture_free(&f);
}

/* Key rotation: values and records re-sealed from key A to key B; those
 * already on B left as they are, without B's private key. */
static void rotation(void) {
    fixture a = fixture_new();
    fixture b = fixture_new();
    const uint8_t *ctx = (const uint8_t *)CONTEXT_SSN;
    size_t ctx_len = strlen(CONTEXT_SSN);
    char *on_a = NULL, *on_b = NULL, *again = NULL;
    CHECK_OK(enseal_sealer_seal(a.sealer, (const uint8_t *)"123-45-6789", 11, ctx, ctx_len, &on_a));
    bool resealed = false;
    CHECK_OK(enseal_opener_reseal(a.opener, on_a, ctx, ctx_len, b.sealer, &on_b, &resealed));
    CHECK(resealed && on_b && strcmp(on_b, on_a) != 0);
    char *kid_b = NULL;
    CHECK_OK(enseal_keypair_kid(b.pair, &kid_b));
    enseal_sealed_info info;
    CHECK_OK(enseal_sealed_inspect(on_b, &info));
    CHECK(strcmp(info.kid, kid_b) == 0);
    enseal_bytes out = {0};
    CHECK_OK(enseal_opener_open(b.opener, on_b, ctx, ctx_len, &out));
    CHECK(out.len == 11 && memcmp(out.ptr, "123-45-6789", 11) == 0);
    enseal_bytes_free(&out);
    /* Already on B: a copy, decided from the kid by an opener without B's key. */
    resealed = true;
    CHECK_OK(enseal_opener_reseal(a.opener, on_b, ctx, ctx_len, b.sealer, &again, &resealed));
    CHECK(!resealed && again && strcmp(again, on_b) == 0);
    enseal_string_free(&again);
    CHECK_OK(enseal_opener_reseal(a.opener, on_b, ctx, ctx_len, b.sealer, &again, NULL));
    enseal_string_free(&again);
    /* Once A's key is gone, a value still on A is UNKNOWN_KEY, never silent. */
    CHECK_STATUS(enseal_opener_reseal(b.opener, on_a, ctx, ctx_len, b.sealer, &again, &resealed), ENSEAL_UNKNOWN_KEY);
    CHECK(again == NULL);
    CHECK_STATUS(enseal_opener_reseal(a.opener, on_a, (const uint8_t *)"other", 5, b.sealer, &again, NULL),
                 ENSEAL_DECRYPT_FAILED);
    CHECK_STATUS(enseal_opener_reseal(a.opener, on_a, ctx, ctx_len, NULL, &again, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_reseal(a.opener, on_a, ctx, ctx_len, b.sealer, NULL, NULL), ENSEAL_INVALID_ARGUMENT);

    /* Records. */
    enseal_context_template *t = NULL;
    CHECK_OK(enseal_context_template_parse("patients/{id}{pointer}", &t));
    const char *record = "{\"id\":8812,\"ssn\":\"123-45-6789\",\"dx\":\"E11.9\",\"note\":\"x\"}";
    const char *pointers[] = {"/ssn", "/dx", "/note"};
    char *sealed_a = NULL, *sealed_b = NULL, *twice = NULL, *opened = NULL;
    CHECK_OK(enseal_sealer_seal_record(a.sealer, record, pointers, 3, t, ENSEAL_DEFAULT_JSON_PADDING, &sealed_a));
    size_t done = 9, current = 9;
    CHECK_OK(enseal_opener_reseal_record(a.opener, sealed_a, pointers, 3, t, b.sealer, &sealed_b, &done, &current));
    CHECK(done == 3 && current == 0);
    CHECK_OK(enseal_opener_open_record(b.opener, sealed_b, pointers, 3, t, &opened));
    CHECK(opened && strcmp(opened, record) == 0);
    enseal_string_free(&opened);
    CHECK_OK(enseal_opener_reseal_record_all(a.opener, sealed_b, t, b.sealer, &twice, &done, &current));
    CHECK(done == 0 && current == 3);
    CHECK(twice && strcmp(twice, sealed_b) == 0);
    enseal_string_free(&twice);
    CHECK_OK(enseal_opener_reseal_record_all(a.opener, sealed_a, t, b.sealer, &twice, NULL, NULL));
    CHECK_OK(enseal_opener_open_record_all(b.opener, twice, t, &opened));
    CHECK(opened && strcmp(opened, record) == 0);
    enseal_string_free(&opened);
    enseal_string_free(&twice);
    /* All or nothing: a record whose template field is missing, or with a value A cannot open. */
    done = 9;
    CHECK_STATUS(enseal_opener_reseal_record(a.opener, "{\"ssn\":\"x\"}", pointers, 1, t, b.sealer, &twice, &done, NULL),
                 ENSEAL_INVALID_TEMPLATE);
    CHECK(twice == NULL && done == 9);
    CHECK_STATUS(enseal_opener_reseal_record_all(b.opener, sealed_a, t, b.sealer, &twice, &done, NULL),
                 ENSEAL_UNKNOWN_KEY);
    CHECK(twice == NULL);
    enseal_string_free(&sealed_a);
    enseal_string_free(&sealed_b);
    enseal_context_template_free(&t);
    enseal_string_free(&kid_b);
    enseal_string_free(&on_a);
    enseal_string_free(&on_b);
    fixture_free(&a);
    fixture_free(&b);
}

int main(void) {
    template_vectors();
    template_accessors_and_render();
    records();
    session_limits();
    rotation();
    return test_summary("test_records");
}
