// Built and run by run.sh beside this file, outside the workspace.
// Baseline core (646aa1b) vs the fixed core, interleaved in one process:
// one 64-byte seal per call, same key, same context.
use std::hint::black_box;
use std::time::Instant;
const ROUNDS: usize = 41;
fn time(iters: usize, f: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..iters { f(); }
    start.elapsed().as_nanos() as f64 / iters as f64
}
fn median(v: &mut Vec<f64>) -> f64 { v.sort_by(|a, b| a.total_cmp(b)); v[v.len() / 2] }
fn main() {
    let ikm = [7u8; 32];
    let new_key = enseal::KeyPair::derive(enseal::Suite::X25519, &ikm).unwrap();
    let old_key = enseal_base::KeyPair::derive(enseal_base::Suite::X25519, &ikm).unwrap();
    let new = enseal::Sealer::new(new_key.public_key()).unwrap();
    let old = enseal_base::Sealer::new(old_key.public_key()).unwrap();
    let v = [0x5au8; 64];
    let ctx = b"patients/8812/ssn";
    let compare = |what: &str, a: &mut dyn FnMut(), b: &mut dyn FnMut()| {
        let (mut ta, mut tb, mut r) = (vec![], vec![], vec![]);
        time(100_000, a);
        time(100_000, b);
        for round in 0..ROUNDS {
            let (x, y) = if round % 2 == 0 {
                let x = time(200_000, a);
                (x, time(200_000, b))
            } else {
                let y = time(200_000, b);
                (time(200_000, a), y)
            };
            ta.push(x);
            tb.push(y);
            r.push(x / y);
        }
        println!(
            "| {what} | {:.1} ns | {:.1} ns | {:.3} |",
            median(&mut ta),
            median(&mut tb),
            median(&mut r)
        );
    };
    println!("| 64 B, one session | this core | baseline | ratio (median of {ROUNDS} interleaved rounds) |");
    println!("|---|---|---|---|");
    compare(
        "seal",
        &mut || {
            black_box(new.seal(black_box(&v), ctx).unwrap());
        },
        &mut || {
            black_box(old.seal(black_box(&v), ctx).unwrap());
        },
    );
    // Open one field of a cached session (the cache's hit path).
    let new_sealed = new.seal(&v, ctx).unwrap();
    let old_sealed = old.seal(&v, ctx).unwrap();
    let new_opener = enseal::Opener::new(enseal::Keyring::from_iter([new_key.clone()]));
    let old_opener = enseal_base::Opener::new(enseal_base::Keyring::from_iter([old_key.clone()]));
    compare(
        "open (cached session)",
        &mut || {
            black_box(new_opener.open(black_box(&new_sealed), ctx).unwrap());
        },
        &mut || {
            black_box(old_opener.open(black_box(&old_sealed), ctx).unwrap());
        },
    );
}
