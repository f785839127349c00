//! What the session age limit costs: every seal reads the sealer's clock
//! (the system clock by default) to check the session's age (and a keyset
//! key's `not_after`). Measured in one run: a read of `SystemClock`, and a
//! 64-byte seal (binary form) of a sealer with the default limits, which
//! includes that read.
//!
//! `cargo run --release -p enseal-bench --example session_clock`

use enseal::{Clock, KeyPair, Sealer, Suite, SystemClock};
use enseal_bench::{ROUNDS, median, time};
use std::hint::black_box;

const ITERS: usize = 200_000;

fn main() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let plaintext = [0x5a; 64];
    let mut out = Vec::with_capacity(256);
    let (mut clock, mut seal) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        clock.push(time(ITERS, &mut || {
            black_box(SystemClock.now().unwrap());
        }));
        seal.push(time(ITERS, &mut || {
            out.clear();
            sealer
                .seal_binary_into(black_box(&plaintext), "patients/8812/ssn", &mut out)
                .unwrap();
        }));
    }
    let (clock, seal) = (median(&mut clock), median(&mut seal));
    println!("median of {ROUNDS} rounds of {ITERS}:");
    println!("SystemClock::now: {clock:.1} ns; seal of 64 B with the default limits: {seal:.1} ns");
    println!("the clock read is {:.1}% of a seal", 100.0 * clock / seal);
}
