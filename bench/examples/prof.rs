use enseal::{KeyPair, Keyring, Opener, Sealer, Suite};
fn main() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let opener = Opener::new(Keyring::from_iter([pair]));
    let pt = [0x5au8; 64];
    let mode = std::env::args().nth(1).unwrap_or_default();
    let n = 2_000_000;
    let sealed = sealer.seal(&pt, b"patients/8812/ssn").unwrap();
    let mut acc = 0usize;
    let t = std::time::Instant::now();
    for _ in 0..n {
        if mode == "open" {
            acc += opener
                .open(std::hint::black_box(&sealed), b"patients/8812/ssn")
                .unwrap()
                .len();
        } else {
            acc += sealer
                .seal(std::hint::black_box(&pt), b"patients/8812/ssn")
                .unwrap()
                .len();
        }
    }
    println!(
        "{mode}: {:.1} ns/op ({acc})",
        t.elapsed().as_nanos() as f64 / n as f64
    );
}
