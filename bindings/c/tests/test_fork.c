/* A real fork(): a sealer shared across fork() must start a fresh session in
 * the child, or parent and child would seal under the same (key, nonce). The
 * child seals and sends its field through a pipe; the parent checks that the
 * child's session part (version || kem_id || kid || enc) differs from the
 * pre-fork one while the parent's own matches it, and opens all of them.
 * Under valgrind the child is checked too: it frees everything and exits. */
#define _POSIX_C_SOURCE 200809L /* fork, pipe, waitpid */
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "enseal.h"
#include "test_util.h"

/* An X25519 header is 51 bytes: the last 8 are the counter. */
#define SESSION_LEN (51 - 8)

static const char CONTEXT[] = "patients/8812/ssn";

static enseal_status seal(const enseal_sealer *sealer, const char *value, enseal_bytes *out) {
    return enseal_sealer_seal_binary(sealer, (const uint8_t *)value, strlen(value), (const uint8_t *)CONTEXT,
                              strlen(CONTEXT), out);
}

static int write_all(int fd, const void *buf, size_t len) {
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len) {
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void opens_to(const enseal_opener *opener, const uint8_t *sealed, size_t len, const char *want) {
    enseal_bytes opened = {0};
    CHECK_OK(enseal_opener_open_binary(opener, sealed, len, (const uint8_t *)CONTEXT, strlen(CONTEXT), &opened));
    CHECK(opened.len == strlen(want) && memcmp(opened.ptr, want, opened.len) == 0);
    enseal_bytes_free(&opened);
}

int main(void) {
    fixture fx = fixture_new();

    enseal_bytes before = {0};
    CHECK_OK(seal(fx.sealer, "before fork", &before));
    CHECK(before.len > SESSION_LEN);

    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        /* The child: seal twice with the inherited sealer, send the first. */
        close(fds[0]);
        enseal_bytes mine = {0}, next = {0};
        CHECK_OK(seal(fx.sealer, "in the child", &mine));
        CHECK_OK(seal(fx.sealer, "in the child again", &next));
        /* Its fresh session continues: the second field shares the first's session part. */
        CHECK(mine.len > SESSION_LEN && next.len > SESSION_LEN && memcmp(mine.ptr, next.ptr, SESSION_LEN) == 0);
        uint64_t len = mine.len;
        CHECK(write_all(fds[1], &len, sizeof len) == 0);
        CHECK(write_all(fds[1], mine.ptr, mine.len) == 0);
        close(fds[1]);
        enseal_bytes_free(&mine);
        enseal_bytes_free(&next);
        enseal_bytes_free(&before);
        fixture_free(&fx);
        /* exit(), not _exit(): valgrind and LeakSanitizer check the child at exit. */
        exit(test_failures == 0 ? 0 : 2);
    }

    close(fds[1]);
    enseal_bytes parent = {0};
    CHECK_OK(seal(fx.sealer, "in the parent", &parent));
    uint64_t child_len = 0;
    uint8_t *child = NULL;
    CHECK(read_all(fds[0], &child_len, sizeof child_len) == 0);
    CHECK(child_len > SESSION_LEN && child_len < 4096);
    if (child_len > SESSION_LEN && child_len < 4096) {
        child = malloc(child_len);
        CHECK(child != NULL && read_all(fds[0], child, child_len) == 0);
    }
    close(fds[0]);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* The parent keeps its session; the child started its own. */
    CHECK(parent.len > SESSION_LEN && memcmp(parent.ptr, before.ptr, SESSION_LEN) == 0);
    if (child) {
        CHECK(memcmp(child, before.ptr, SESSION_LEN) != 0);
        /* Same kid, so only enc differs: version(1) kem_id(2) kid(8) agree. */
        CHECK(memcmp(child, before.ptr, 11) == 0);
        opens_to(fx.opener, child, child_len, "in the child");
    }
    opens_to(fx.opener, before.ptr, before.len, "before fork");
    opens_to(fx.opener, parent.ptr, parent.len, "in the parent");

    free(child);
    enseal_bytes_free(&parent);
    enseal_bytes_free(&before);
    fixture_free(&fx);
    return test_summary("test_fork");
}
