//! What the review fixes cost on the seal path (issue: fork check, expiry
//! check, JSON padding), as interleaved ratios in one process (see
//! `interleaved.rs` for the method). `seal64` alone (`-- seal64`) prints the
//! plain 64-byte seal time, for comparing two builds of enseal run in turn.

use enseal::{KeyPair, Keyset, KeysetEntry, Sealer, Suite};
use enseal_bench::{ROUNDS, compare, median, time};
use std::hint::black_box;

const CONTEXT: &[u8] = b"patients/8812/ssn";

fn main() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let value = [0x5au8; 64];
    let mut seal64 = || {
        black_box(
            sealer
                .seal_binary(black_box(&value), enseal::Context::bytes(CONTEXT))
                .unwrap(),
        );
    };
    if std::env::args().any(|a| a == "seal64") {
        let mut runs: Vec<f64> = (0..ROUNDS).map(|_| time(200_000, &mut seal64)).collect();
        println!(
            "seal 64 B: {:.1} ns (median of {ROUNDS} runs)",
            median(&mut runs)
        );
        return;
    }
    println!("| what | with | without | ratio |\n|---|---|---|---|");
    let row = |what: &str, (a, b, r): (f64, f64, f64)| {
        println!("| {what} | {a:.1} ns | {b:.1} ns | {r:.3} |");
    };

    // The fork check itself: one relaxed atomic load (pthread_atfork counter)
    // against the getpid() system call a pid comparison would cost.
    let guard = forkguard::atfork::Guard::try_new().unwrap();
    let pid_guard = forkguard::pid::Guard::default();
    row(
        "fork check: atfork counter vs getpid",
        compare(
            2_000_000,
            &mut || {
                black_box(black_box(&guard).clone().detected_fork());
            },
            &mut || {
                black_box(black_box(&pid_guard).clone().detected_fork());
            },
        ),
    );
    let mut getpid_seal = || {
        black_box(std::process::id());
        black_box(
            sealer
                .seal_binary(black_box(&value), enseal::Context::bytes(CONTEXT))
                .unwrap(),
        );
    };
    row(
        "seal 64 B (atfork check) vs seal 64 B + a getpid",
        compare(200_000, &mut seal64, &mut getpid_seal),
    );

    // The expiry check: a keyset sealer whose key has a not_after reads the clock per field.
    let entry = KeysetEntry::new(pair.public_key().clone(), 1, Some(u64::MAX / 2)).unwrap();
    let expiring = Sealer::from_keyset(&Keyset::new(entry)).unwrap();
    row(
        "seal 64 B: keyset sealer with not_after vs bare public key",
        compare(
            200_000,
            &mut || {
                black_box(
                    expiring
                        .seal_binary(black_box(&value), enseal::Context::bytes(CONTEXT))
                        .unwrap(),
                );
            },
            &mut seal64,
        ),
    );

    // JSON padding: the default 16-byte bucket against none, on a record and on one boolean.
    let record = r#"{"name":"Ada Lovelace","ssn":"123-45-6789","dob":"1815-12-10","hiv":false,"visits":[{"diagnosis":"F32.1","urgent":true},{"diagnosis":"J45.40","urgent":false}]}"#;
    let pointers = [
        "/ssn",
        "/dob",
        "/hiv",
        "/visits/*/diagnosis",
        "/visits/*/urgent",
    ];
    let sealer = &sealer;
    let seal_record = |pad| {
        move || {
            black_box(
                sealer
                    .seal_json_text_padded(black_box(record), &pointers, Some("p-8812"), pad)
                    .unwrap(),
            );
        }
    };
    row(
        "seal_json, 7 fields: pad 16 vs none",
        compare(5_000, &mut seal_record(16), &mut seal_record(0)),
    );
    let boolean = r#"{"hiv":true}"#;
    let seal_bool = |pad| {
        move || {
            black_box(
                sealer
                    .seal_json_text_padded(black_box(boolean), &["/hiv"], None, pad)
                    .unwrap(),
            );
        }
    };
    row(
        "seal_json, one boolean: pad 16 vs none",
        compare(50_000, &mut seal_bool(16), &mut seal_bool(0)),
    );
    let size = |pad| {
        sealer
            .seal_json_text_padded(record, &pointers, Some("p-8812"), pad)
            .unwrap()
            .len()
    };
    println!(
        "\nsealed record: {} characters with pad 16, {} without",
        size(16),
        size(0)
    );
}
