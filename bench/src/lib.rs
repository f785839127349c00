//! Benchmarks live in `benches/` and `examples/`; this holds what they share.

use ring::aead::{Aad, LessSafeKey, Nonce};
use std::time::Instant;

/// Raw ring AES-256-GCM with enseal's contract: borrowed plaintext in, a new
/// `ciphertext || tag` buffer out (ring only seals in place, so it copies first).
pub fn ring_seal_owned(
    key: &LessSafeKey,
    nonce: [u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(plaintext.len() + 16);
    out.extend_from_slice(plaintext);
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut out,
        )
        .unwrap_or_else(|_| unreachable!("ring refused to seal a benchmark input"));
    out.extend_from_slice(tag.as_ref());
    out
}

/// Record `i` of the NDJSON benchmarks (`examples/ndjson.rs` and
/// `ndjson_passthrough.rs`): one JSON line of ~180 bytes with an id, a name,
/// an SSN, a date, a diagnosis object, a note and a site.
pub fn patient_record(i: usize) -> String {
    format!(
        "{{\"id\":{},\"name\":\"Patient {i}\",\"ssn\":\"{:03}-{:02}-{:04}\",\"dob\":\"1970-01-01\",\
         \"dx\":{{\"code\":\"E11.9\",\"system\":\"ICD-10-CM\"}},\
         \"notes\":\"follow-up in three months; HbA1c 7.2%\",\"site\":\"north\"}}",
        100_000 + i,
        i % 1000,
        i % 100,
        i % 10_000
    )
}

/// Rounds of an interleaved comparison.
pub const ROUNDS: usize = 41;

/// Mean ns per call of `f` over `iters` calls.
pub fn time(iters: usize, f: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed().as_nanos() as f64 / iters as f64
}

/// The median (sorts `v`).
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|p, q| p.total_cmp(q));
    v[v.len() / 2]
}

/// Ratios that survive a noisy machine: `a` and `b` timed in alternating
/// rounds (A then B, then B then A), so drift between rounds cancels.
/// Returns the median ns/op of `a`, of `b`, and the median per-round ratio a/b.
pub fn compare(iters: usize, a: &mut dyn FnMut(), b: &mut dyn FnMut()) -> (f64, f64, f64) {
    let (mut ta, mut tb, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    time(iters, a);
    time(iters, b);
    for round in 0..ROUNDS {
        let (x, y) = if round % 2 == 0 {
            let x = time(iters, a);
            (x, time(iters, b))
        } else {
            let y = time(iters, b);
            (time(iters, a), y)
        };
        ta.push(x);
        tb.push(y);
        ratios.push(x / y);
    }
    (median(&mut ta), median(&mut tb), median(&mut ratios))
}
