//! Fields/s opening P-256 fields from 1, 10 and 1,000 distinct sessions (fields
//! of a session adjacent, the threads taking turns, so two threads can miss
//! the cache on one session at once: the token-call column counts that) with
//! the private key in memory (a `KeyPair`, and a `SoftwareKey` custodian), in
//! a PKCS#11 token (one `C_DeriveKey` per session), and wrapped by the token
//! (one `C_Decrypt` per key lifetime). A measurement, not a test; one run:
//!
//! ```text
//! softhsm2-util --init-token --free --label bench --so-pin … --pin …   # with SOFTHSM2_CONF set
//! ENSEAL_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so ENSEAL_BENCH_TOKEN=bench \
//!   ENSEAL_BENCH_PIN_FILE=pin.txt cargo run --release -p enseal-pkcs11 --example bench_open
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{KeyCustody, KeyPair, Keyring, Opener, Sealer, SoftwareKey, Suite};
use enseal_pkcs11::{Pkcs11Key, WrappedKey};
use std::sync::Arc;
use std::time::Instant;

/// Fields per row: spread evenly over the sessions.
const FIELDS: usize = 100_000;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name} (see the header of this file)"))
}

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let token = env("ENSEAL_BENCH_TOKEN");
    let pin = env("ENSEAL_BENCH_PIN_FILE");
    let uri = |path: &str, query: &str| {
        format!("pkcs11:token={token};{path}?pin-source=file:{pin}&pool-size={threads}{query}")
    };
    let stamp = std::process::id();

    // The HSM key is generated in the token; the in-memory and wrapped
    // rows use one software key pair, so every row opens the same kind of field.
    let hsm_label = format!("bench-{stamp}");
    let hsm_public = enseal_pkcs11::generate(&uri("", ""), &hsm_label, Suite::P256).unwrap();
    let hsm =
        Arc::new(Pkcs11Key::open(&uri(&format!("object={hsm_label};type=private"), "")).unwrap());
    let pair = KeyPair::generate(Suite::P256).unwrap();
    let wrap_label = format!("bench-wrap-{stamp}");
    enseal_pkcs11::generate_wrapping_key(&uri("", ""), &wrap_label).unwrap();
    let file = enseal_pkcs11::wrap(
        &pair,
        &uri(&format!("object={wrap_label};type=secret-key"), ""),
    )
    .unwrap();
    let query = format!("pin-source=file:{pin}&pool-size={threads}");

    println!(
        "P-256, {FIELDS} fields of 16 bytes per row, {threads} threads, one Opener per row (cold cache)"
    );
    println!(
        "{:<34} {:>9} {:>12} {:>12}",
        "key", "sessions", "fields/s", "token calls"
    );
    for sessions in [1usize, 10, 1000] {
        let fields_for = |public: &enseal::PublicKey| -> Vec<String> {
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
        };
        let soft_fields = Arc::new(fields_for(pair.public_key()));
        let hsm_fields = Arc::new(fields_for(&hsm_public));

        let software: Arc<dyn KeyCustody> = Arc::new(SoftwareKey::new(&pair).unwrap());
        let wrapped = Arc::new(WrappedKey::from_json(&file, &query).unwrap());
        let before_hsm = hsm.token_calls();
        let before_wrapped = wrapped.unwraps();
        let rows: Vec<(&str, Keyring, Arc<Vec<String>>)> = vec![
            (
                "KeyPair in memory (hpke)",
                Keyring::from_iter([pair.clone()]),
                soft_fields.clone(),
            ),
            (
                "SoftwareKey (custody path)",
                ring_of(software),
                soft_fields.clone(),
            ),
            (
                "SoftHSM2 key (C_DeriveKey)",
                ring_of(hsm.clone()),
                hsm_fields.clone(),
            ),
            (
                "wrapped key (SoftHSM2 C_Decrypt)",
                ring_of(wrapped.clone()),
                soft_fields.clone(),
            ),
        ];
        for (name, ring, fields) in rows {
            let opener = Arc::new(Opener::new(ring));
            let start = Instant::now();
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let (opener, fields) = (opener.clone(), fields.clone());
                    std::thread::spawn(move || {
                        for field in fields.iter().skip(t).step_by(threads) {
                            let opened = opener.open(field, "bench").unwrap();
                            assert_eq!(opened.len(), 16);
                        }
                    })
                })
                .collect();
            for w in workers {
                w.join().unwrap();
            }
            let rate = fields.len() as f64 / start.elapsed().as_secs_f64();
            let calls = match name {
                n if n.starts_with("SoftHSM2") => (hsm.token_calls() - before_hsm).to_string(),
                n if n.starts_with("wrapped") => {
                    // The unwrap at open() counts: it is this lifetime's one call.
                    (wrapped.unwraps() - before_wrapped + 1).to_string()
                }
                _ => "-".into(),
            };
            println!("{name:<34} {sessions:>9} {rate:>12.0} {calls:>12}");
        }
    }
}

fn ring_of(custody: Arc<dyn KeyCustody>) -> Keyring {
    let mut ring = Keyring::new();
    ring.add_custody(custody);
    ring
}
