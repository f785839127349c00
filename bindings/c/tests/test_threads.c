/* Eight threads seal from one sealer (field limit 50, so sessions rotate under
 * contention) and open with one opener: every (enc, counter) pair is unique and
 * every field opens to what its thread sealed. Each thread also reads the one
 * frozen keyring and makes its own opener from it, at the same time. */
#include <pthread.h>
#include "enseal.h"
#include "test_util.h"

#define THREADS 8
#define PER_THREAD 400
#define HEADER 51 /* X25519: version 1, kem_id 2, kid 8, enc 32, counter 8 */

static enseal_sealer *sealer;
static enseal_opener *opener;
static enseal_keyring *ring;
static char *ring_kid;
static unsigned char headers[THREADS * PER_THREAD][40];
static int thread_errors[THREADS];

static void *worker(void *arg) {
    int t = (int)(size_t)arg;
    enseal_opener *own = NULL;
    char *kid = NULL;
    size_t len = 0;
    if (enseal_keyring_len(ring, &len) != ENSEAL_OK || len != 1 || enseal_keyring_kid(ring, 0, &kid) != ENSEAL_OK ||
        strcmp(kid, ring_kid) != 0 || enseal_opener_new(ring, &own) != ENSEAL_OK) {
        thread_errors[t]++;
    }
    enseal_string_free(&kid);
    for (int i = 0; i < PER_THREAD; i++) {
        unsigned char value[8];
        memcpy(value, &t, sizeof t);
        memcpy(value + 4, &i, sizeof i);
        enseal_bytes sealed = {0}, opened = {0};
        if (enseal_sealer_seal_binary(sealer, value, sizeof value, (const uint8_t *)"ctx", 3, &sealed) != ENSEAL_OK ||
            sealed.len != HEADER + sizeof value + 16) {
            thread_errors[t]++;
            continue;
        }
        memcpy(headers[t * PER_THREAD + i], sealed.ptr + 11, 40); /* enc || counter */
        if (enseal_opener_open_binary(i % 2 ? own : opener, sealed.ptr, sealed.len, (const uint8_t *)"ctx", 3,
                                      &opened) != ENSEAL_OK ||
            opened.len != sizeof value || memcmp(opened.ptr, value, sizeof value) != 0) {
            thread_errors[t]++;
        }
        enseal_bytes_free(&opened);
        enseal_bytes_free(&sealed);
    }
    enseal_opener_free(&own);
    return NULL;
}

static int compare(const void *a, const void *b) { return memcmp(a, b, 40); }

int main(void) {
    enseal_keypair *pair = NULL;
    enseal_public_key *pub = NULL;
    CHECK_OK(enseal_keypair_generate(ENSEAL_SUITE_X25519, &pair));
    CHECK_OK(enseal_keypair_public_key(pair, &pub));
    CHECK_OK(enseal_sealer_new(pub, 50, &sealer));
    ring = keyring_of(pair);
    CHECK_OK(enseal_keypair_kid(pair, &ring_kid));
    CHECK_OK(enseal_opener_new(ring, &opener));

    pthread_t threads[THREADS];
    for (size_t t = 0; t < THREADS; t++) CHECK(pthread_create(&threads[t], NULL, worker, (void *)t) == 0);
    for (size_t t = 0; t < THREADS; t++) CHECK(pthread_join(threads[t], NULL) == 0);
    for (size_t t = 0; t < THREADS; t++) CHECK(thread_errors[t] == 0);

    qsort(headers, THREADS * PER_THREAD, 40, compare);
    int repeats = 0;
    for (size_t i = 1; i < THREADS * PER_THREAD; i++) repeats += memcmp(headers[i - 1], headers[i], 40) == 0;
    CHECK(repeats == 0);
    printf("sealed and opened %d fields from %d threads, %d repeated (enc, counter) pairs\n", THREADS * PER_THREAD,
           THREADS, repeats);

    enseal_opener_free(&opener);
    enseal_keyring_free(&ring);
    enseal_string_free(&ring_kid);
    enseal_sealer_free(&sealer);
    enseal_public_key_free(&pub);
    enseal_keypair_free(&pair);
    return test_summary("test_threads");
}
