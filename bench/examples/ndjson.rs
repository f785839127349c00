//! Records/s over one NDJSON file for the record operations the CLI runs per
//! line (`seal_record`, `open_record`, `reseal_record`) against a pass-through
//! that only parses and re-serializes each line with serde_json: the issue's
//! target is each within 2x of the pass-through, i.e. the cryptography costs
//! no more than the JSON work. Interleaved rounds (`enseal_bench::compare`),
//! each operation against the pass-through in the same rounds.
//!
//! `cargo run --release -p enseal-bench --example ndjson [-- RECORDS]`
//! (default 20,000 records, 3 sealed fields each; the file is written to
//! the system's temporary directory and read back, as the CLI would).

use enseal::{ContextTemplate, KeyPair, Keyring, Opener, Sealer, Suite};
use enseal_bench::{compare, patient_record};
use std::hint::black_box;
use std::io::{BufRead, Write};

const POINTERS: [&str; 3] = ["/ssn", "/dx/code", "/notes"];

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let path =
        std::env::temp_dir().join(format!("enseal-ndjson-bench-{}.ndjson", std::process::id()));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..n {
        writeln!(file, "{}", patient_record(i)).unwrap();
    }
    drop(file);
    let bytes = std::fs::metadata(&path).unwrap().len();
    let lines: Vec<String> = std::io::BufReader::new(std::fs::File::open(&path).unwrap())
        .lines()
        .map(Result::unwrap)
        .collect();
    std::fs::remove_file(&path).unwrap();

    let template = ContextTemplate::parse("patients/{id}{pointer}").unwrap();
    let old = KeyPair::generate(Suite::X25519).unwrap();
    let new = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(old.public_key()).unwrap();
    let to_new = Sealer::new(new.public_key()).unwrap();
    let opener = Opener::new(Keyring::from_iter([old, new]));
    let sealed: Vec<String> = lines
        .iter()
        .map(|l| sealer.seal_record(l, &POINTERS, &template).unwrap())
        .collect();

    let cycle = |i: &mut usize| {
        *i = (*i + 1) % n;
        *i
    };
    let (mut a, mut b) = (0usize, 0usize);
    let pass = |i: &mut usize| {
        let line = &lines[cycle(i)];
        let v: serde_json::Value = serde_json::from_str(black_box(line)).unwrap();
        drop(black_box(serde_json::to_string(&v).unwrap()));
    };
    println!(
        "{n} NDJSON records ({:.1} MiB, {:.0} B/record), 3 sealed fields each (X25519), \
         template patients/{{id}}{{pointer}}; median of interleaved rounds",
        bytes as f64 / 1_048_576.0,
        bytes as f64 / n as f64
    );
    println!(
        "| operation | µs/record | records/s | pass-through records/s | time vs pass-through |"
    );
    println!("|---|---|---|---|---|");
    let iters = n.min(5_000);
    let mut row = |name: &str, op: &mut dyn FnMut(&mut usize)| {
        let (t_pass, t_op, _) = compare(iters, &mut || pass(&mut a), &mut || op(&mut b));
        println!(
            "| {name} | {:.2} | {:.0} | {:.0} | {:.2}x |",
            t_op / 1e3,
            1e9 / t_op,
            1e9 / t_pass,
            t_op / t_pass
        );
    };
    row("serde_json pass-through", &mut |i| pass(i));
    row("seal (seal_record)", &mut |i| {
        let line = &lines[cycle(i)];
        drop(black_box(
            sealer.seal_record(line, &POINTERS, &template).unwrap(),
        ));
    });
    row("open (open_record)", &mut |i| {
        let line = &sealed[cycle(i)];
        drop(black_box(
            opener.open_record(line, &POINTERS, &template).unwrap(),
        ));
    });
    row("reseal (reseal_record, every value moved)", &mut |i| {
        let line = &sealed[cycle(i)];
        drop(black_box(
            opener
                .reseal_record(line, &POINTERS, &template, &to_new)
                .unwrap(),
        ));
    });
}
