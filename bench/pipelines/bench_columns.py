"""Column rates through the installed wheel, against the Rust rates of the
same run (docs/PERFORMANCE.md, "Columns").

    python bench_columns.py RUST_JSON

RUST_JSON is what `bench_columns --json` (pipelines/arrow/examples) printed
just before, in the same `cargo xtask bench-pipelines`. 64-byte values in a
pyarrow string column; best of 5 rounds; keys generated per run.
"""

from __future__ import annotations

import json
import os
import sys
import time

import pyarrow as pa

import enseal

VALUES = 400_000
SESSIONS = 6_000
ROUNDS = 5


def best(f, count: int) -> float:
    rate = 0.0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        f()
        rate = max(rate, count / (time.perf_counter() - start))
    return rate


def main() -> None:
    rust = json.loads(open(sys.argv[1]).read()) if len(sys.argv) > 1 else None
    cores = len(os.sched_getaffinity(0))
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer, opener = enseal.Sealer(key.public_key), enseal.Opener([key])
    column = pa.array([f"{i:064}" for i in range(VALUES)])
    sealed = sealer.seal_column(column, "patients/ssn")
    py = {
        "seal_column_1": best(lambda: sealer.seal_column(column, "patients/ssn", threads=1), VALUES),
        "seal_column_all": best(lambda: sealer.seal_column(column, "patients/ssn", threads=cores), VALUES),
        "open_column_1": best(lambda: opener.open_column(sealed, "patients/ssn", threads=1), VALUES),
        "open_column_all": best(lambda: opener.open_column(sealed, "patients/ssn", threads=cores), VALUES),
    }
    values = column.to_pylist()[:100_000]
    py["seal_batch_list"] = best(lambda: sealer.seal_batch(values, "patients/ssn"), len(values))
    for suite in (enseal.Suite.X25519, enseal.Suite.P256):
        k = enseal.KeyPair.generate(suite)
        many = pa.array([enseal.Sealer(k.public_key).seal(f"{i:064}", "c") for i in range(SESSIONS)])
        name = "x25519" if suite == enseal.Suite.X25519 else "p256"
        for threads, label in ((1, "1"), (cores, "all")):
            # A fresh opener per round: its session cache would otherwise hold them all.
            def once() -> None:
                enseal.Opener([k]).open_column(many, "c", threads=threads)
            py[f"sessions_{name}_{label}"] = best(once, SESSIONS)

    print(f"Python (wheel), 64-byte values, best of {ROUNDS}; {cores} cores; values/s")
    rows = [
        ("seal_column, 1 thread", "seal_column_1", "seal_per_value"),
        (f"seal_column, {cores} threads", "seal_column_all", "seal_per_value"),
        ("open_column, 1 thread", "open_column_1", "open_per_value"),
        (f"open_column, {cores} threads", "open_column_all", "open_per_value"),
        ("seal_batch (a list of str)", "seal_batch_list", "seal_per_value"),
        ("one session per row X25519, 1 thread", "sessions_x25519_1", "sessions_x25519_1"),
        (f"one session per row X25519, {cores} threads", "sessions_x25519_all", "sessions_x25519_all"),
        ("one session per row P-256, 1 thread", "sessions_p256_1", "sessions_p256_1"),
        (f"one session per row P-256, {cores} threads", "sessions_p256_all", "sessions_p256_all"),
    ]
    for label, key_, against in rows:
        line = f"{label:<44} {py[key_]:>12.0f}"
        if rust is not None:
            line += f"   Rust {against}: {rust[against]:>10.0f}  ratio {py[key_] / rust[against]:.2f}"
        print(line)
    if rust is not None:
        ok = py["seal_column_1"] >= 3e6 and py["seal_column_1"] >= 0.7 * rust["seal_per_value"]
        print(f"target seal (>= 3 M/s on one core and >= 0.7x Rust seal): {'met' if ok else 'missed'}")
        ok = py["open_column_1"] >= 3e6 and py["open_column_1"] >= 0.7 * rust["open_per_value"]
        print(f"target open, one session (>= 3 M/s on one core and >= 0.7x Rust open): {'met' if ok else 'missed'}")
    print(json.dumps({k: round(v) for k, v in py.items()}))


if __name__ == "__main__":
    main()
