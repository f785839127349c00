//! Column rates against core's per-value calls, in one run (docs/PERFORMANCE.md,
//! "Columns"): `cargo run --release -p enseal-arrow --example bench_columns [--json]`.
//!
//! - seal: 64-byte values, `Sealer::seal` one by one vs `seal_column` (text
//!   forms) on one thread and on every core;
//! - open, one session: `Opener::open` vs `open_column`;
//! - open, one session per row (a day of web forms): `open_column` on one
//!   thread and on every core, X25519 and P-256.
//!
//! Best of 5 rounds, interleaved, so that a slow moment of the machine hits
//! every contender alike. Keys are generated per run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use arrow_array::cast::AsArray;
use arrow_array::{Array, StringArray};
use enseal::{KeyPair, Keyring, Opener, Sealer, Suite};
use enseal_arrow::{ColumnContext, OpenedForm, SealedForm, Threads, open_column, seal_column};
use std::time::Instant;

const ROUNDS: usize = 5;
const VALUES: usize = 400_000;
const SESSIONS: usize = 6_000;

fn best(rates: &mut [f64], i: usize, count: usize, f: impl FnOnce()) {
    let start = Instant::now();
    f();
    let rate = count as f64 / start.elapsed().as_secs_f64();
    rates[i] = rates[i].max(rate);
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let cores = Threads::AUTO.resolve().unwrap();
    let key = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let mut ring = Keyring::new();
    ring.add(key.clone());
    let opener = Opener::new(ring);
    let ctx = ColumnContext::Fixed(b"patients/ssn");
    let values: Vec<String> = (0..VALUES).map(|i| format!("{i:064}")).collect();
    let column = StringArray::from(values.clone());
    let sealed = seal_column(
        &sealer,
        "v",
        &column,
        &ctx,
        SealedForm::Text,
        Threads::new(1),
    )
    .unwrap();
    let sealed_texts: Vec<String> = sealed
        .as_string::<i32>()
        .iter()
        .map(|v| v.unwrap().to_owned())
        .collect();

    // seal: per value, column 1 thread, column all; open: per value, column 1, column all.
    let mut rates = [0f64; 6];
    for _ in 0..ROUNDS {
        best(&mut rates, 0, VALUES, || {
            for v in &values {
                std::hint::black_box(sealer.seal(v.as_bytes(), "patients/ssn").unwrap());
            }
        });
        best(&mut rates, 1, VALUES, || {
            std::hint::black_box(
                seal_column(
                    &sealer,
                    "v",
                    &column,
                    &ctx,
                    SealedForm::Text,
                    Threads::new(1),
                )
                .unwrap(),
            );
        });
        best(&mut rates, 2, VALUES, || {
            std::hint::black_box(
                seal_column(
                    &sealer,
                    "v",
                    &column,
                    &ctx,
                    SealedForm::Text,
                    Threads::new(cores),
                )
                .unwrap(),
            );
        });
        best(&mut rates, 3, VALUES, || {
            for s in &sealed_texts {
                std::hint::black_box(opener.open(s.as_str(), "patients/ssn").unwrap());
            }
        });
        best(&mut rates, 4, VALUES, || {
            std::hint::black_box(
                open_column(
                    &opener,
                    "v",
                    &sealed,
                    &ctx,
                    OpenedForm::Binary,
                    Threads::new(1),
                )
                .unwrap(),
            );
        });
        best(&mut rates, 5, VALUES, || {
            std::hint::black_box(
                open_column(
                    &opener,
                    "v",
                    &sealed,
                    &ctx,
                    OpenedForm::Binary,
                    Threads::new(cores),
                )
                .unwrap(),
            );
        });
    }

    // One session per row: every value needs its own decapsulation.
    let mut sessions = Vec::new();
    for suite in [Suite::X25519, Suite::P256] {
        let key = KeyPair::generate(suite).unwrap();
        let texts: Vec<String> = (0..SESSIONS)
            .map(|i| {
                Sealer::new(key.public_key())
                    .unwrap()
                    .seal(format!("{i:064}").as_bytes(), "c")
                    .unwrap()
            })
            .collect();
        let column = StringArray::from(texts);
        let mut ring = Keyring::new();
        ring.add(key);
        let mut r = [0f64; 2];
        for _ in 0..ROUNDS {
            for (i, threads) in [(0, 1), (1, cores)] {
                // A fresh opener each time: its session cache would otherwise hold them all.
                let opener = Opener::new(ring.clone());
                best(&mut r, i, SESSIONS, || {
                    let out = open_column(
                        &opener,
                        "v",
                        &column,
                        &ColumnContext::Fixed(b"c"),
                        OpenedForm::Binary,
                        Threads::new(threads),
                    )
                    .unwrap();
                    assert_eq!(out.len(), SESSIONS);
                });
            }
        }
        sessions.push((suite, r));
    }

    if json {
        println!(
            "{{\"cores\":{cores},\"seal_per_value\":{:.0},\"seal_column_1\":{:.0},\"seal_column_all\":{:.0},\
             \"open_per_value\":{:.0},\"open_column_1\":{:.0},\"open_column_all\":{:.0},\
             \"sessions_x25519_1\":{:.0},\"sessions_x25519_all\":{:.0},\"sessions_p256_1\":{:.0},\"sessions_p256_all\":{:.0}}}",
            rates[0],
            rates[1],
            rates[2],
            rates[3],
            rates[4],
            rates[5],
            sessions[0].1[0],
            sessions[0].1[1],
            sessions[1].1[0],
            sessions[1].1[1]
        );
        return;
    }
    println!("64-byte values, {VALUES} per round, best of {ROUNDS}; {cores} cores; values/s");
    println!("seal   Sealer::seal per value      {:>12.0}", rates[0]);
    println!(
        "seal   seal_column, 1 thread       {:>12.0}  ({:.2}x per value)",
        rates[1],
        rates[1] / rates[0]
    );
    println!(
        "seal   seal_column, {cores} threads      {:>12.0}  ({:.2}x per value)",
        rates[2],
        rates[2] / rates[0]
    );
    println!("open   Opener::open per value      {:>12.0}", rates[3]);
    println!(
        "open   open_column, 1 thread       {:>12.0}  ({:.2}x per value)",
        rates[4],
        rates[4] / rates[3]
    );
    println!(
        "open   open_column, {cores} threads      {:>12.0}  ({:.2}x per value)",
        rates[5],
        rates[5] / rates[3]
    );
    for (suite, r) in sessions {
        println!(
            "open   one session per row, {suite:?}: 1 thread {:>9.0}, {cores} threads {:>9.0} ({:.2}x)",
            r[0],
            r[1],
            r[1] / r[0]
        );
    }
}
