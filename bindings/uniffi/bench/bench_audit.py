"""Opening 64 B fields of one session from Python, without an audit sink,
with the hash-chained file log, and with a Python callback, in one run
(issue 13's target: with the file log at least half the rate without). A
benchmark, not a test.

    cargo xtask python-test            # builds target/wheels/enseal-*.whl
    python -m venv /tmp/b && /tmp/b/bin/pip install target/wheels/enseal-*.whl
    /tmp/b/bin/python bindings/uniffi/bench/bench_audit.py [DIR for the log]

Prints opens per second (best of 5 timed loops, interleaved) and the ratio.
"""

import os
import sys
import tempfile
import time

import enseal

N = 100_000


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer = enseal.Sealer(key.public_key)
    sealed = sealer.seal(os.urandom(64), "patients/8812/ssn")  # one session: decapsulated once, then cached
    log = enseal.AuditLog.open(os.path.join(directory, "bench-audit.jsonl"))
    events = []
    openers = {
        "no audit": enseal.Opener([key]),
        "file log (AuditLog)": enseal.Opener([key], audit=log, actor="bench"),
        "Python callback (list.append)": enseal.Opener([key], audit=events.append, actor="bench"),
    }
    best = dict.fromkeys(openers, float("inf"))
    for opener in openers.values():
        for _ in range(1000):
            opener.open(sealed, "patients/8812/ssn")
    for _ in range(5):
        for name, opener in openers.items():
            events.clear()
            start = time.perf_counter()
            for _ in range(N):
                opener.open(sealed, "patients/8812/ssn")
            if opener is openers["file log (AuditLog)"]:
                log.flush()  # the events are on disk before the clock stops
            best[name] = min(best[name], time.perf_counter() - start)
    base = N / best["no audit"]
    print(f"| opener ({N} opens of a 64 B field, one session) | opens/s | vs. no audit |")
    print("|---|---:|---:|")
    for name in openers:
        r = N / best[name]
        print(f"| {name} | {r:,.0f} | {r / base:.2f} |")
    print(f"\nenseal {enseal.__version__}, {enseal.aes_backend().name}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    report = enseal.verify_audit_log(os.path.join(directory, "bench-audit.jsonl"))
    assert report.intact, report.problem
    print(f"log: {report.events} events, intact")


if __name__ == "__main__":
    main()
