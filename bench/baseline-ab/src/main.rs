// Built and run by run.sh beside this file, outside the workspace.
// Baseline core vs this core, interleaved in one process: one 64-byte seal
// per call, same key, same context. A baseline from before issue 12 (ab2351e)
// has the old API (`seal` gave bytes, `open` took bytes); run.sh sets
// `--cfg new_base_api` for a baseline that has today's.
use enseal_bench::{ROUNDS, compare};
use std::hint::black_box;
fn main() {
    let ikm = [7u8; 32];
    let new_key = enseal::KeyPair::derive(enseal::Suite::X25519, &ikm).unwrap();
    let old_key = enseal_base::KeyPair::derive(enseal_base::Suite::X25519, &ikm).unwrap();
    let new = enseal::Sealer::new(new_key.public_key()).unwrap();
    let old = enseal_base::Sealer::new(old_key.public_key()).unwrap();
    let v = [0x5au8; 64];
    let ctx = b"patients/8812/ssn";
    let row = |what: &str, (a, b, ratio): (f64, f64, f64)| {
        println!("| {what} | {a:.1} ns | {b:.1} ns | {ratio:.3} |");
    };
    println!(
        "| 64 B, one session | this core | baseline | ratio (median of {ROUNDS} interleaved rounds) |"
    );
    println!("|---|---|---|---|");
    row(
        "seal",
        compare(
            200_000,
            &mut || {
                black_box(new.seal_binary(black_box(&v), enseal::Context::bytes(ctx)).unwrap());
            },
            &mut || {
                #[cfg(not(new_base_api))]
                black_box(old.seal(black_box(&v), ctx).unwrap());
                #[cfg(new_base_api)]
                black_box(old.seal_binary(black_box(&v), enseal_base::Context::bytes(ctx)).unwrap());
            },
        ),
    );
    // Open one field of a cached session (the cache's hit path).
    let new_sealed = new.seal_binary(&v, enseal::Context::bytes(ctx)).unwrap();
    #[cfg(not(new_base_api))]
    let old_sealed = old.seal(&v, ctx).unwrap();
    #[cfg(new_base_api)]
    let old_sealed = old.seal_binary(&v, enseal_base::Context::bytes(ctx)).unwrap();
    let new_opener = enseal::Opener::new(enseal::Keyring::from_iter([new_key.clone()]));
    let old_opener = enseal_base::Opener::new(enseal_base::Keyring::from_iter([old_key.clone()]));
    row(
        "open (cached session)",
        compare(
            200_000,
            &mut || {
                black_box(new_opener.open_binary(black_box(&new_sealed), enseal::Context::bytes(ctx)).unwrap());
            },
            &mut || {
                #[cfg(not(new_base_api))]
                black_box(old_opener.open(black_box(&old_sealed), ctx).unwrap());
                #[cfg(new_base_api)]
                black_box(old_opener.open_binary(black_box(&old_sealed), enseal_base::Context::bytes(ctx)).unwrap());
            },
        ),
    );
}
