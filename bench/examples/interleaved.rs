//! Ratios that survive a noisy machine: each pair (enseal vs its raw
//! reference) is timed in alternating rounds, A then B then B then A, and the
//! ratio is the median of the per-round ratios. Drift between rounds (other
//! tenants, frequency changes) cancels out, which separate criterion runs
//! minutes apart cannot promise. `cargo xtask bench` runs it after criterion.

use enseal::{KeyPair, Keyring, Opener, Sealer, Suite};
use enseal_bench::{ROUNDS, compare, ring_seal_owned};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use std::hint::black_box;

const CONTEXT: &[u8] = b"patients/8812/ssn";

/// A named pair: the enseal operation and its reference.
type Pair<'a> = (&'static str, Box<dyn FnMut() + 'a>, Box<dyn FnMut() + 'a>);

fn main() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let opener = Opener::new(Keyring::from_iter([pair]));
    let mut key_bytes = [0u8; 32];
    getrandom::fill(&mut key_bytes).unwrap();
    let ring_key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key_bytes).unwrap());
    let nonce = [7u8; 12];
    let field_aad = [&[0u8; 51][..], CONTEXT].concat();

    println!(
        "| size | pair | enseal | reference | ratio (median of {ROUNDS} interleaved rounds) |"
    );
    println!("|---|---|---|---|---|");
    for (size, iters) in [
        (64usize, 20_000usize),
        (1024, 10_000),
        (16 * 1024, 1_000),
        (1024 * 1024, 20),
    ] {
        let label = match size {
            s if s >= 1 << 20 => "1MiB".to_string(),
            s if s >= 1 << 10 => format!("{}KiB", s >> 10),
            s => format!("{s}B"),
        };
        let pt = vec![0x5au8; size];
        let ring_seal = |aad: &[u8], pt: &[u8]| ring_seal_owned(&ring_key, nonce, aad, pt);
        let rows: [Pair<'_>; 2] = [
            (
                "`seal` vs ring (same contract, 17-byte AAD)",
                Box::new(|| {
                    drop(black_box(
                        sealer
                            .seal_binary(black_box(&pt), enseal::Context::bytes(CONTEXT))
                            .unwrap(),
                    ))
                }),
                Box::new(|| drop(black_box(ring_seal(CONTEXT, black_box(&pt))))),
            ),
            (
                "`seal` vs ring with the field's 68-byte AAD",
                Box::new(|| {
                    drop(black_box(
                        sealer
                            .seal_binary(black_box(&pt), enseal::Context::bytes(CONTEXT))
                            .unwrap(),
                    ))
                }),
                Box::new(|| drop(black_box(ring_seal(&field_aad, black_box(&pt))))),
            ),
        ];
        for (name, mut a, mut b) in rows {
            let (ta, tb, r) = compare(iters, &mut *a, &mut *b);
            println!("| {label} | {name} | {ta:.0} ns | {tb:.0} ns | {r:.2}× |");
        }
        let sealed = sealer
            .seal_binary(&pt, enseal::Context::bytes(CONTEXT))
            .unwrap();
        let ct = ring_seal_owned(&ring_key, nonce, CONTEXT, &pt);
        let mut reused = Vec::with_capacity(size + 128);
        let mut ring_reused = Vec::with_capacity(size + 128);
        let rows: [Pair<'_>; 2] = [
            (
                "`open` (wiped on drop) vs ring (copy out, 17-byte AAD)",
                Box::new(|| {
                    drop(black_box(
                        opener
                            .open_binary(black_box(&sealed), enseal::Context::bytes(CONTEXT))
                            .unwrap(),
                    ))
                }),
                Box::new(|| {
                    let mut buf = black_box(&ct).clone();
                    let n = ring_key
                        .open_in_place(
                            Nonce::assume_unique_for_key(nonce),
                            Aad::from(CONTEXT),
                            &mut buf,
                        )
                        .unwrap()
                        .len();
                    buf.truncate(n);
                    drop(black_box(buf));
                }),
            ),
            (
                "`open_into` vs ring into a reused buffer",
                Box::new(|| {
                    reused.clear();
                    opener
                        .open_binary_into(
                            black_box(&sealed),
                            enseal::Context::bytes(CONTEXT),
                            &mut reused,
                        )
                        .unwrap();
                }),
                Box::new(|| {
                    ring_reused.clear();
                    ring_reused.extend_from_slice(black_box(&ct));
                    let n = ring_key
                        .open_in_place(
                            Nonce::assume_unique_for_key(nonce),
                            Aad::from(CONTEXT),
                            &mut ring_reused,
                        )
                        .unwrap()
                        .len();
                    ring_reused.truncate(n);
                }),
            ),
        ];
        for (name, mut a, mut b) in rows {
            let (ta, tb, r) = compare(iters, &mut *a, &mut *b);
            println!("| {label} | {name} | {ta:.0} ns | {tb:.0} ns | {r:.2}× |");
        }
    }
}
