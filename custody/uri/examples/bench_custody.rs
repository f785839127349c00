//! A benchmark, not a test: fields opened per second from 1, 10 and 1,000
//! distinct sessions, in one run, with the private key
//! - in memory (a `KeyPair`: the `hpke` path; a `SoftwareKey`: the custody path),
//! - in a SoftHSM2 token (one `C_DeriveKey` per session),
//! - wrapped by the token (one `C_Decrypt` per key lifetime),
//! - held by the loopback STAND-IN for AWS KMS (custody/awskms/tests/support;
//!   not AWS) answering after an injected 10 ms, one `DeriveSharedSecret` per session,
//!
//! each on 2 threads (the machine's cores) and on 16 (enough to keep 16
//! remote requests in flight), each thread a contiguous share of the fields,
//! one fresh `Opener` per row. Fields are 16-byte
//! P-256 values, a session's fields adjacent. Backend calls are counted.
//! `cargo xtask bench-custody` sets up the token and runs it in release.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../awskms/tests/support/kms_standin.rs"]
mod kms_standin;

use enseal::{KeyCustody, KeyPair, Keyring, Opener, PublicKey, Sealer, SoftwareKey, Suite};
use enseal_pkcs11::{Pkcs11Key, WrappedKey};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

const FIELDS: usize = 20_000;
const THREADS: [usize; 2] = [2, 16];
const KMS_LATENCY_MS: u64 = 10;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name} (cargo xtask bench-custody does)"))
}

fn fields(public: &PublicKey, sessions: usize) -> Vec<String> {
    let per = FIELDS / sessions;
    let mut out = Vec::with_capacity(FIELDS);
    for _ in 0..sessions {
        let sealer = Sealer::new(public).unwrap();
        for i in 0..per {
            out.push(
                sealer
                    .seal(format!("value {i:>10}").as_bytes(), "bench")
                    .unwrap(),
            );
        }
    }
    out
}

fn ring_of(custody: Arc<dyn KeyCustody>) -> Keyring {
    let mut ring = Keyring::new();
    ring.add_custody(custody);
    ring
}

/// Fields/s opening `fields` on `threads` threads through one new opener.
fn rate(ring: Keyring, fields: &Arc<Vec<String>>, threads: usize) -> f64 {
    let opener = Arc::new(Opener::new(ring));
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (opener, fields) = (opener.clone(), fields.clone());
            std::thread::spawn(move || {
                // Each thread a contiguous share, as a pipeline splits records: the
                // threads then open different sessions at once. (Interleaving single
                // fields would put every thread on the same new session, where the
                // opener lets one ask the backend and the others wait.)
                let share = fields.len().div_ceil(threads);
                for field in fields.iter().skip(t * share).take(share) {
                    assert_eq!(opener.open(field, "bench").unwrap().len(), 16);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    fields.len() as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    // The stand-in checks every request's SigV4 signature against these.
    let mut secret = [0u8; 20];
    getrandom::fill(&mut secret).unwrap();
    // SAFETY: single-threaded here, before any custodian or runtime exists.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDENSEALSTANDIN");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", hex::encode(secret));
    }
    let standin = kms_standin::KmsStandIn::start();
    standin
        .state
        .latency_ms
        .store(KMS_LATENCY_MS, Ordering::SeqCst);
    let kms = Arc::new(
        enseal_awskms::AwsKmsKey::open(&standin.uri("&max-in-flight=16&wait-ms=60000")).unwrap(),
    );

    let (token, pin) = (env("ENSEAL_BENCH_TOKEN"), env("ENSEAL_BENCH_PIN_FILE"));
    let uri = |path: &str| format!("pkcs11:token={token};{path}?pin-source=file:{pin}&pool-size=4");
    let stamp = std::process::id();
    let hsm_label = format!("bench-{stamp}");
    let hsm_public = enseal_pkcs11::generate(&uri(""), &hsm_label, Suite::P256).unwrap();
    let hsm = Arc::new(Pkcs11Key::open(&uri(&format!("object={hsm_label};type=private"))).unwrap());
    let pair = KeyPair::generate(Suite::P256).unwrap();
    let wrap_label = format!("bench-wrap-{stamp}");
    enseal_pkcs11::generate_wrapping_key(&uri(""), &wrap_label).unwrap();
    let file =
        enseal_pkcs11::wrap(&pair, &uri(&format!("object={wrap_label};type=secret-key"))).unwrap();
    let wrapped_query = format!("pin-source=file:{pin}&pool-size=4");

    println!("P-256, {FIELDS} fields of 16 bytes per row; fields/s (backend calls)\n");
    println!("| key | sessions | 2 threads | 16 threads |");
    println!("|---|---:|---:|---:|");
    for sessions in [1usize, 10, 1_000] {
        let soft = Arc::new(fields(pair.public_key(), sessions));
        let in_hsm = Arc::new(fields(&hsm_public, sessions));
        let in_kms = Arc::new(fields(standin.public_key(), sessions));
        let mut cells: Vec<(&str, Vec<String>)> = Vec::new();
        for (name, make, data) in [
            ("`KeyPair` in memory (hpke path)", 0, &soft),
            ("`SoftwareKey` (custody path)", 1, &soft),
            ("SoftHSM2 2.6.1 key (`C_DeriveKey`)", 2, &in_hsm),
            ("wrapped key (SoftHSM2 `C_Decrypt`)", 3, &soft),
            ("AWS KMS stand-in, 10 ms (`DeriveSharedSecret`)", 4, &in_kms),
        ] {
            let mut row = Vec::new();
            for threads in THREADS {
                let (before_hsm, before_kms) = (
                    hsm.token_calls(),
                    standin.state.derived.load(Ordering::SeqCst),
                );
                let wrapped = Arc::new(WrappedKey::from_json(&file, &wrapped_query).unwrap());
                let ring = match make {
                    0 => Keyring::from_iter([pair.clone()]),
                    1 => ring_of(Arc::new(SoftwareKey::new(&pair).unwrap())),
                    2 => ring_of(hsm.clone()),
                    3 => ring_of(wrapped.clone()),
                    _ => ring_of(kms.clone()),
                };
                let fields_per_s = rate(ring, data, threads);
                let calls = match make {
                    2 => format!(" ({})", hsm.token_calls() - before_hsm),
                    3 => format!(" ({})", wrapped.unwraps()),
                    4 => format!(
                        " ({})",
                        standin.state.derived.load(Ordering::SeqCst) - before_kms
                    ),
                    _ => String::new(),
                };
                row.push(format!("{fields_per_s:.0}{calls}"));
            }
            cells.push((name, row));
        }
        for (name, row) in cells {
            println!("| {name} | {sessions} | {} | {} |", row[0], row[1]);
        }
    }
    let max = standin.state.max_in_flight.load(Ordering::SeqCst);
    let verified = standin.state.signatures_verified.load(Ordering::SeqCst);
    println!(
        "\nKMS stand-in: at most {max} requests in flight; {verified} SigV4 signatures verified"
    );
}
