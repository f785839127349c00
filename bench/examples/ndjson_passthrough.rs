//! The yardstick of the NDJSON benchmark (bench/ndjson/run.sh): a process
//! that does what `enseal seal|open|reseal` do to a file minus the
//! cryptography: read each line, parse it with serde_json, serialize it
//! again, write it out (buffered), exactly once per record.
//!
//! `ndjson_passthrough IN OUT` copies through; `ndjson_passthrough --generate N OUT`
//! writes the benchmark's input: N patient records, one per line.

use std::io::{BufRead, BufWriter, Write};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, n, out] if flag == "--generate" => generate(n.parse().expect("N records"), out),
        [input, out] => pass_through(input, out),
        _ => {
            eprintln!("usage: ndjson_passthrough IN OUT | --generate N OUT");
            std::process::exit(2);
        }
    }
}

fn pass_through(input: &str, out: &str) {
    let reader = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(input).unwrap());
    let mut writer = BufWriter::with_capacity(1 << 16, std::fs::File::create(out).unwrap());
    for line in reader.lines() {
        let value: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        serde_json::to_writer(&mut writer, &value).unwrap();
        writer.write_all(b"\n").unwrap();
    }
    writer.flush().unwrap();
}

fn generate(n: usize, out: &str) {
    let mut writer = BufWriter::new(std::fs::File::create(out).unwrap());
    for i in 0..n {
        writer
            .write_all(enseal_bench::patient_record(i).as_bytes())
            .unwrap();
        writer.write_all(b"\n").unwrap();
    }
    writer.flush().unwrap();
}
