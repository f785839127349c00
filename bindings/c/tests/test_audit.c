/* Audit of every open (docs/AUDIT.md) through the public C ABI: a callback
 * sink (the events' fields, failing closed), the hash-chained file (it
 * verifies intact; a deleted, edited or reordered line is caught), and the
 * report's counts. The plaintext is never in an event or in the file. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "enseal.h"
#include "test_util.h"

#define PLAINTEXT "123-45-6789"
#define CONTEXT "patients/8812/ssn"
#define ACTOR "billing-service"

typedef struct {
    char operation[32];
    enseal_status error;
    char kid[12];
    uint16_t suite;
    char session_id[23];
    bool has_context;
    char context[64];
    char actor[32];
    uint64_t time;
} copied_event;

typedef struct {
    copied_event events[32];
    size_t count;
    int answer; /* what the callback returns */
    bool saw_plaintext;
} collector;

static bool contains(const void *hay, size_t hay_len, const char *needle) {
    size_t n = strlen(needle);
    const unsigned char *h = hay;
    for (size_t i = 0; i + n <= hay_len; i++) {
        if (memcmp(h + i, needle, n) == 0) return true;
    }
    return false;
}

static int collect(const enseal_audit_event *event, void *user) {
    collector *c = user;
    if (c->count < 32) {
        copied_event *e = &c->events[c->count++];
        snprintf(e->operation, sizeof e->operation, "%s", event->operation);
        e->error = event->error;
        memcpy(e->kid, event->kid, sizeof e->kid);
        e->suite = event->suite;
        memcpy(e->session_id, event->session_id, sizeof e->session_id);
        e->has_context = event->context != NULL;
        size_t n = event->context_len < 63 ? event->context_len : 63;
        if (event->context) memcpy(e->context, event->context, n);
        e->context[n] = 0;
        snprintf(e->actor, sizeof e->actor, "%s", event->actor);
        e->time = event->time;
        /* Everything the event holds, searched for the plaintext. */
        if (contains(event->operation, strlen(event->operation), PLAINTEXT) ||
            contains(event->kid, sizeof event->kid, PLAINTEXT) ||
            contains(event->session_id, sizeof event->session_id, PLAINTEXT) ||
            (event->context && contains(event->context, event->context_len, PLAINTEXT)) ||
            contains(event->actor, strlen(event->actor), PLAINTEXT)) {
            c->saw_plaintext = true;
        }
    }
    return c->answer;
}

static void callback_sink(void) {
    fixture f = fixture_new();
    char *kid = NULL;
    CHECK_OK(enseal_keypair_kid(f.pair, &kid));
    char *sealed = NULL;
    CHECK_OK(enseal_sealer_seal(f.sealer, (const uint8_t *)PLAINTEXT, strlen(PLAINTEXT), (const uint8_t *)CONTEXT,
                                strlen(CONTEXT), &sealed));
    enseal_sealed_info info;
    CHECK_OK(enseal_sealed_inspect(sealed, &info));

    collector c = {0};
    enseal_opener *opener = NULL;
    CHECK_OK(enseal_opener_new_audited_callback(f.ring, collect, &c, ACTOR, &opener));
    enseal_bytes out = {0};
    CHECK_OK(enseal_opener_open(opener, sealed, (const uint8_t *)CONTEXT, strlen(CONTEXT), &out));
    CHECK(out.len == strlen(PLAINTEXT));
    enseal_bytes_free(&out);
    /* First open of a session: its decapsulation, then the open. */
    CHECK(c.count == 2);
    uint64_t now = (uint64_t)time(NULL);
    for (size_t i = 0; i < 2 && i < c.count; i++) {
        copied_event *e = &c.events[i];
        CHECK(strcmp(e->operation, i == 0 ? "decapsulate" : "open") == 0);
        CHECK(e->error == ENSEAL_OK);
        CHECK(strcmp(e->kid, kid) == 0);
        CHECK(e->suite == ENSEAL_SUITE_X25519);
        CHECK(strcmp(e->session_id, info.session_id) == 0);
        CHECK(strcmp(e->actor, ACTOR) == 0);
        CHECK(e->time + 60 > now && e->time <= now + 60);
    }
    CHECK(!c.events[0].has_context);
    CHECK(c.events[1].has_context && strcmp(c.events[1].context, CONTEXT) == 0);

    /* A failed open (wrong context) is an event with its error. */
    c.count = 0;
    CHECK_STATUS(enseal_opener_open(opener, sealed, (const uint8_t *)"patients/8813/ssn", 17, &out),
                 ENSEAL_DECRYPT_FAILED);
    CHECK(c.count == 1);
    CHECK(strcmp(c.events[0].operation, "open") == 0);
    CHECK(c.events[0].error == ENSEAL_DECRYPT_FAILED);
    CHECK(strcmp(c.events[0].context, "patients/8813/ssn") == 0);
    CHECK(strcmp(c.events[0].kid, kid) == 0);
    /* A value that does not parse: no kid, suite or session. */
    c.count = 0;
    CHECK_STATUS(enseal_opener_open(opener, "hello", (const uint8_t *)CONTEXT, strlen(CONTEXT), &out),
                 ENSEAL_BAD_PREFIX);
    CHECK(c.count == 1);
    CHECK(c.events[0].error == ENSEAL_BAD_PREFIX && c.events[0].kid[0] == 0 && c.events[0].suite == 0 &&
          c.events[0].session_id[0] == 0);
    /* The JSON helper: one event per field. */
    c.count = 0;
    const char *ptrs[] = {"/ssn"};
    char *doc = NULL, *opened = NULL;
    CHECK_OK(enseal_sealer_seal_json(f.sealer, "{\"ssn\":\"" PLAINTEXT "\"}", ptrs, 1, "r1", 16, &doc));
    CHECK_OK(enseal_opener_open_json(opener, doc, ptrs, 1, "r1", &opened));
    CHECK(c.count == 1 && strcmp(c.events[0].operation, "open") == 0);
    enseal_string_free(&doc);
    enseal_string_free(&opened);

    /* Fail closed: a refusing callback makes a successful open fail, with nothing returned. */
    c.answer = 1;
    c.count = 0;
    CHECK_STATUS(enseal_opener_open(opener, sealed, (const uint8_t *)CONTEXT, strlen(CONTEXT), &out),
                 ENSEAL_AUDIT_FAILED);
    CHECK(out.ptr == NULL && out.len == 0);
    CHECK(strstr(enseal_last_error(), "audit callback refused") != NULL);
    char *string = NULL;
    CHECK_STATUS(enseal_opener_open_string(opener, sealed, (const uint8_t *)CONTEXT, strlen(CONTEXT), &string),
                 ENSEAL_AUDIT_FAILED);
    CHECK(string == NULL);
    unsigned char buffer[64];
    memset(buffer, 0xAA, sizeof buffer);
    enseal_bytes binary = {0};
    CHECK_OK(enseal_sealer_seal_binary(f.sealer, (const uint8_t *)PLAINTEXT, strlen(PLAINTEXT),
                                       (const uint8_t *)CONTEXT, strlen(CONTEXT), &binary));
    size_t written = 0;
    CHECK_STATUS(enseal_opener_open_into(opener, binary.ptr, binary.len, (const uint8_t *)CONTEXT, strlen(CONTEXT),
                                         buffer, sizeof buffer, &written),
                 ENSEAL_AUDIT_FAILED);
    CHECK(!contains(buffer, sizeof buffer, PLAINTEXT));
    enseal_bytes_free(&binary);
    /* A failed open keeps its own status whatever the callback says. */
    CHECK_STATUS(enseal_opener_open(opener, sealed, (const uint8_t *)"x", 1, &out), ENSEAL_DECRYPT_FAILED);
    CHECK(c.count >= 4);
    CHECK(!c.saw_plaintext);
    enseal_opener_free(&opener);

    /* Bad arguments. */
    CHECK_STATUS(enseal_opener_new_audited_callback(f.ring, NULL, &c, ACTOR, &opener), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_new_audited_callback(f.ring, collect, &c, NULL, &opener), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_new_audited_callback(f.ring, collect, &c, "", &opener), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_new_audited_callback(NULL, collect, &c, ACTOR, &opener), ENSEAL_INVALID_ARGUMENT);
    CHECK(opener == NULL);
    enseal_string_free(&sealed);
    enseal_string_free(&kid);
    fixture_free(&f);
}

/* The file's lines, read whole (small test files). */
static size_t read_lines(const char *path, char lines[][1024], size_t max) {
    FILE *file = fopen(path, "r");
    if (!file) return 0;
    size_t n = 0;
    while (n < max && fgets(lines[n], 1024, file)) n++;
    fclose(file);
    return n;
}

static void write_lines(const char *path, char lines[][1024], const size_t *order, size_t n) {
    FILE *file = fopen(path, "w");
    if (!file) abort();
    for (size_t i = 0; i < n; i++) fputs(lines[order[i]], file);
    fclose(file);
}

static void verify_expect(const char *path, bool intact, uint64_t problem_line) {
    enseal_audit_report report = {0};
    CHECK_OK(enseal_audit_log_verify(path, &report));
    CHECK(report.intact == intact);
    CHECK(report.problem_line == problem_line);
    CHECK((report.problem == NULL) == intact);
    if (!intact) {
        CHECK(report.events == problem_line - 1); /* counts stop at the break */
    }
    enseal_audit_report_free(&report);
}

static void file_sink(void) {
    char dir[] = "/tmp/enseal-audit-XXXXXX";
    if (!mkdtemp(dir)) abort();
    char path[128], tampered[128];
    snprintf(path, sizeof path, "%s/opens.jsonl", dir);
    snprintf(tampered, sizeof tampered, "%s/tampered.jsonl", dir);

    fixture f = fixture_new();
    char *kid = NULL;
    CHECK_OK(enseal_keypair_kid(f.pair, &kid));
    enseal_audit_log *log = NULL;
    CHECK_OK(enseal_audit_log_open(path, &log));
    enseal_opener *opener = NULL;
    CHECK_OK(enseal_opener_new_audited(f.ring, log, ACTOR, &opener));
    enseal_opener *second = NULL;
    CHECK_OK(enseal_opener_new_audited(f.ring, log, "nightly-report", &second));
    char *sealed = NULL;
    CHECK_OK(enseal_sealer_seal(f.sealer, (const uint8_t *)PLAINTEXT, strlen(PLAINTEXT), (const uint8_t *)CONTEXT,
                                strlen(CONTEXT), &sealed));
    enseal_bytes out = {0};
    for (int i = 0; i < 3; i++) {
        CHECK_OK(enseal_opener_open(opener, sealed, (const uint8_t *)CONTEXT, strlen(CONTEXT), &out));
        enseal_bytes_free(&out);
    }
    CHECK_STATUS(enseal_opener_open(opener, sealed, (const uint8_t *)"wrong", 5, &out), ENSEAL_DECRYPT_FAILED);
    CHECK_OK(enseal_opener_open(second, sealed, (const uint8_t *)CONTEXT, strlen(CONTEXT), &out));
    enseal_bytes_free(&out);
    CHECK_OK(enseal_audit_log_flush(log));
    /* decapsulate + 3 opens + 1 failed open (billing-service); decapsulate + open (nightly-report). */
    enseal_audit_report report = {0};
    CHECK_OK(enseal_audit_log_verify(path, &report));
    CHECK(report.intact && report.problem == NULL && report.problem_line == 0);
    CHECK(report.events == 7);
    CHECK(report.failures == 1);
    CHECK(strlen(report.last_hash) == 64);
    CHECK(report.actor_count == 2);
    if (report.actor_count == 2) {
        CHECK(strcmp(report.actors[0].name, ACTOR) == 0 && report.actors[0].count == 5);
        CHECK(strcmp(report.actors[1].name, "nightly-report") == 0 && report.actors[1].count == 2);
    }
    CHECK(report.kid_count == 1);
    if (report.kid_count == 1) {
        CHECK(strcmp(report.kids[0].name, kid) == 0 && report.kids[0].count == 7);
    }
    enseal_audit_report_free(&report);
    enseal_audit_report_free(&report); /* harmless */
    CHECK(report.actors == NULL && report.actor_count == 0);

    /* The log handle may go first: the openers keep the file open, and the
     * last one freed flushes it. */
    enseal_audit_log_free(&log);
    CHECK(log == NULL);
    CHECK_OK(enseal_opener_open(second, sealed, (const uint8_t *)CONTEXT, strlen(CONTEXT), &out));
    enseal_bytes_free(&out);
    enseal_opener_free(&opener);
    enseal_opener_free(&second);

    static char lines[16][1024];
    size_t n = read_lines(path, lines, 16);
    CHECK(n == 8);
    bool plaintext = false, context = false, actor = false;
    for (size_t i = 0; i < n; i++) {
        plaintext |= strstr(lines[i], PLAINTEXT) != NULL;
        context |= strstr(lines[i], "\"context\":\"" CONTEXT "\"") != NULL;
        actor |= strstr(lines[i], "\"actor\":\"" ACTOR "\"") != NULL;
    }
    CHECK(!plaintext && context && actor);
    verify_expect(path, true, 0);

    /* Tampering: a deleted, an edited and a reordered line. */
    size_t deleted[] = {0, 2, 3, 4, 5, 6, 7};
    write_lines(tampered, lines, deleted, 7);
    verify_expect(tampered, false, 2);
    size_t swapped[] = {0, 1, 3, 2, 4, 5, 6, 7};
    write_lines(tampered, lines, swapped, 8);
    verify_expect(tampered, false, 3);
    size_t all[] = {0, 1, 2, 3, 4, 5, 6, 7};
    char *at = strstr(lines[2], ACTOR);
    CHECK(at != NULL);
    if (at) at[0] = 'B'; /* "Billing-service" */
    write_lines(tampered, lines, all, 8);
    verify_expect(tampered, false, 3);
    /* An edited log is refused for appending, naming the line. */
    CHECK_STATUS(enseal_audit_log_open(tampered, &log), ENSEAL_INVALID_ARGUMENT);
    CHECK(log == NULL);
    CHECK(strstr(enseal_last_error(), "line 3") != NULL);
    /* An intact one is continued: its chain goes on. */
    CHECK_OK(enseal_audit_log_open(path, &log));
    CHECK_OK(enseal_opener_new_audited(f.ring, log, ACTOR, &opener));
    CHECK_OK(enseal_opener_open(opener, sealed, (const uint8_t *)CONTEXT, strlen(CONTEXT), &out));
    enseal_bytes_free(&out);
    enseal_opener_free(&opener);
    CHECK_OK(enseal_audit_log_flush(log));
    enseal_audit_log_free(&log);
    CHECK_OK(enseal_audit_log_verify(path, &report));
    CHECK(report.intact && report.events == 10);
    enseal_audit_report_free(&report);

    /* Files that cannot be read or written: a status and the system's reason. */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/no/such/dir/opens.jsonl", dir);
    CHECK_STATUS(enseal_audit_log_verify(missing, &report), ENSEAL_INVALID_ARGUMENT);
    CHECK(strstr(enseal_last_error(), "no/such/dir") != NULL);
    CHECK(report.problem == NULL && report.events == 10); /* left as it was */
    CHECK_STATUS(enseal_audit_log_open(missing, &log), ENSEAL_INVALID_ARGUMENT);
    CHECK(strstr(enseal_last_error(), "no/such/dir") != NULL);
    CHECK_STATUS(enseal_audit_log_open(NULL, &log), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_audit_log_open(path, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_audit_log_verify(path, NULL), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_opener_new_audited(f.ring, NULL, ACTOR, &opener), ENSEAL_INVALID_ARGUMENT);
    CHECK_STATUS(enseal_audit_log_flush(NULL), ENSEAL_INVALID_ARGUMENT);
    enseal_audit_report_free(NULL);
    enseal_audit_log_free(NULL);

    enseal_string_free(&sealed);
    enseal_string_free(&kid);
    fixture_free(&f);
    unlink(path);
    unlink(tampered);
    rmdir(dir);
}

int main(void) {
    callback_sink();
    file_sink();
    return test_summary("test_audit");
}
