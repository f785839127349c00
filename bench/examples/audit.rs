//! The cost of auditing: open of a 64-byte field (text form) in a cached
//! session, without audit, with a no-op closure sink and with the
//! hash-chained file log (`AuditLog`), in one run. Interleaved rounds as in
//! `interleaved.rs`; then a sustained run that ends with `flush`, so the
//! file figure includes every line written, chained and synced to disk (a
//! queue that only filled up would flatter it).
//!
//! `cargo run --release -p enseal-bench --example audit [-- DIR]` (the log
//! goes to DIR, default the system's temporary directory).

use enseal::{AuditEvent, AuditLog, KeyPair, Keyring, Opener, Sealer, Suite};
use enseal_bench::{ROUNDS, compare};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

const CONTEXT: &str = "patients/8812/notes";
const ITERS: usize = 20_000;
const SUSTAINED: usize = 1_000_000;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(std::env::temp_dir, Into::into);
    let path = dir.join(format!("enseal-audit-bench-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);

    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let ring = Keyring::from_iter([pair]);
    let sealed = sealer.seal(&[0x5a; 64], CONTEXT).unwrap();

    let plain = Opener::new(ring.clone());
    let noop = Opener::new(ring.clone()).with_audit(Arc::new(|_: &AuditEvent<'_>| Ok(())), "bench");
    let log = Arc::new(AuditLog::open(&path).unwrap());
    let filed = Opener::new(ring).with_audit(log.clone(), "bench");
    let open = |opener: &Opener| drop(black_box(opener.open(black_box(&sealed), CONTEXT).unwrap()));

    println!(
        "open of a 64 B field (text form), cached session; median of {ROUNDS} interleaved rounds of {ITERS}"
    );
    println!("| variant | ns/open | opens/s | rate vs no audit |");
    println!("|---|---|---|---|");
    let (base, with_noop, noop_ratio) = compare(ITERS, &mut || open(&plain), &mut || open(&noop));
    let (base2, with_file, file_ratio) = compare(ITERS, &mut || open(&plain), &mut || open(&filed));
    log.flush().unwrap();
    let row = |name: &str, ns: f64, vs: f64| {
        println!("| {name} | {ns:.0} | {:.0} | {vs:.2}x |", 1e9 / ns);
    };
    row("no audit", (base + base2) / 2.0, 1.0);
    row("no-op closure sink", with_noop, noop_ratio);
    row("file sink (AuditLog)", with_file, file_ratio);

    // Sustained: SUSTAINED opens then flush (everything durable), against
    // the same number without audit.
    let sustained = |opener: &Opener, flush: bool| {
        let start = Instant::now();
        for _ in 0..SUSTAINED {
            open(opener);
        }
        if flush {
            log.flush().unwrap();
        }
        SUSTAINED as f64 / start.elapsed().as_secs_f64()
    };
    let without = sustained(&plain, false);
    let with = sustained(&filed, true);
    let without_again = sustained(&plain, false);
    let without = (without + without_again) / 2.0;
    println!();
    println!(
        "sustained, {SUSTAINED} opens, the file sink's run ending with flush (all lines on disk):"
    );
    println!(
        "no audit {without:.0} opens/s; file sink {with:.0} opens/s; ratio {:.2}x",
        with / without
    );
    drop(filed);
    drop(log);
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let report =
        enseal::verify_audit_log(std::io::BufReader::new(std::fs::File::open(&path).unwrap()))
            .unwrap();
    println!(
        "log: {} events, {} bytes ({:.0} B/line), intact: {}",
        report.events,
        bytes,
        bytes as f64 / report.events.max(1) as f64,
        report.is_intact()
    );
    let _ = std::fs::remove_file(&path);
}
