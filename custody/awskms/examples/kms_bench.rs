//! A benchmark, not a test: fields opened per second with a P-256 key held
//! by the loopback STAND-IN for AWS KMS (tests/support/kms_standin.rs; not
//! AWS) with an injected 10 ms latency per request, against the same key in
//! memory, from 1, 10 and 1,000 distinct sessions, on one thread and on
//! `THREADS` threads sharing one opener (the session cache in front).
//!
//! `cargo run --release -p enseal-awskms --example kms_bench`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/kms_standin.rs"]
mod kms_standin;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use enseal::{KeyPair, Keyring, Opener, Sealer};
use kms_standin::KmsStandIn;

/// Threads of the multi-threaded runs, and the custodian's max-in-flight.
const THREADS: usize = 16;
const LATENCY_MS: u64 = 10;
const FIELDS: usize = 10_000;

fn main() {
    let mut secret = [0u8; 20];
    getrandom::fill(&mut secret).unwrap();
    // SAFETY: single-threaded here, before any custodian exists.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDENSEALSTANDIN");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", hex::encode(secret));
    }
    let standin = KmsStandIn::start();
    standin.state.latency_ms.store(LATENCY_MS, Ordering::SeqCst);
    let uri = standin.uri(&format!("&max-in-flight={THREADS}&wait-ms=60000"));
    let pair = KeyPair::from_jwk(&standin.private_jwk()).unwrap();

    println!(
        "| sessions | fields | key | 1 thread (fields/s) | {THREADS} threads (fields/s) | KMS calls |"
    );
    println!("|---:|---:|---|---:|---:|---:|");
    for sessions in [1usize, 10, 1_000] {
        let fields = fields(&standin, sessions);
        for key in ["in memory", "KMS stand-in, 10 ms"] {
            let mut rates = Vec::new();
            let mut calls = 0;
            for threads in [1, THREADS] {
                // A fresh opener per run: every session starts uncached.
                let mut ring = Keyring::new();
                if key == "in memory" {
                    ring.add(pair.clone());
                } else {
                    ring.add_custody(enseal_awskms::open(&uri).unwrap());
                }
                let opener = Arc::new(Opener::new(ring));
                let before = standin.state.derived.load(Ordering::SeqCst);
                rates.push(run(&opener, &fields, threads));
                calls = standin.state.derived.load(Ordering::SeqCst) - before;
            }
            println!(
                "| {sessions} | {} | {key} | {:.0} | {:.0} | {calls} |",
                fields.len(),
                rates[0],
                rates[1]
            );
        }
    }
    assert!(standin.state.violations.lock().unwrap().is_empty());
    println!(
        "\nmax requests in flight at the stand-in: {} (bound {THREADS})",
        standin.state.max_in_flight.load(Ordering::SeqCst)
    );
}

/// `FIELDS` sealed fields spread evenly over `sessions` sealers, interleaved.
fn fields(standin: &KmsStandIn, sessions: usize) -> Arc<Vec<String>> {
    let sealers: Vec<Sealer> = (0..sessions)
        .map(|_| Sealer::new(standin.public_key()).unwrap())
        .collect();
    Arc::new(
        (0..FIELDS)
            .map(|i| {
                sealers[i % sessions]
                    .seal(format!("value {i}").as_bytes(), "ctx")
                    .unwrap()
            })
            .collect(),
    )
}

/// Opens every field once, split over `threads` threads; fields per second.
fn run(opener: &Arc<Opener>, fields: &Arc<Vec<String>>, threads: usize) -> f64 {
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (opener, fields) = (opener.clone(), fields.clone());
            std::thread::spawn(move || {
                for field in fields.iter().skip(t).step_by(threads) {
                    opener.open(field, "ctx").unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    fields.len() as f64 / started.elapsed().as_secs_f64()
}
