//! `enseal inspect`: what a sealed value says about itself (no key needed), and
//! the rotation dashboard of a file: every `enseal1.` value, counted per kid
//! and suite.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use clap::Args;
use enseal::format::TEXT_PREFIX;
use enseal::{KeyId, Keyset, Sealed};

use crate::commands::keyset;
use crate::dates;
use crate::error::{CliError, Result};

/// How many malformed values are listed (all are counted).
const MAX_LISTED: usize = 20;

/// `inspect`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  enseal inspect enseal1.AQAg...\n  \
    enseal inspect --file export.ndjson --keyset keyset.json\n  \
    cat export.ndjson | enseal inspect --file -")]
pub struct InspectArgs {
    /// One sealed value (`enseal1.…`).
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    value: Option<String>,
    /// Scan this file (NDJSON, JSON, any text; `-` is standard input) for sealed values.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Mark each kid as primary, active, expired or not-in-keyset (retired or unknown).
    #[arg(long, value_name = "FILE")]
    keyset: Option<PathBuf>,
}

/// Runs `inspect`.
pub fn run(a: InspectArgs) -> Result<()> {
    let keyset = a.keyset.as_deref().map(keyset::load).transpose()?;
    if let Some(value) = &a.value {
        return inspect_one(value.trim(), keyset.as_ref());
    }
    let Some(path) = &a.file else {
        return Err(CliError::new("give a sealed value or --file"));
    };
    let report = if path.as_os_str() == "-" {
        scan(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).map_err(|e| CliError::io(path, &e))?;
        scan(file)
    }
    .map_err(|e| CliError::io(path, &e))?;
    print_report(&report, keyset.as_ref());
    Ok(())
}

fn inspect_one(value: &str, keyset: Option<&Keyset>) -> Result<()> {
    let sealed =
        Sealed::parse(value).map_err(|e| CliError::new(format!("argument: {e} [{}]", e.code())))?;
    println!("version    {}", sealed.version());
    println!("suite      {}", sealed.suite());
    println!("kid        {}", sealed.kid());
    if let Some(ks) = keyset {
        println!(
            "keyset     {}",
            keyset::status(ks, &sealed.kid(), dates::now())
        );
    }
    println!("session    {}", sealed.session_id());
    println!("counter    {}", sealed.counter());
    println!("enc        {} bytes", sealed.enc().len());
    println!("plaintext  {} bytes", sealed.plaintext_len());
    println!("binary     {} bytes", sealed.binary_len());
    println!("text       {} bytes", sealed.text_len());
    Ok(())
}

/// What a scan found.
#[derive(Default)]
struct Report {
    lines: u64,
    values: u64,
    per_key: BTreeMap<(KeyId, &'static str), u64>,
    malformed: u64,
    listed: Vec<(u64, String)>,
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn scan(input: impl Read) -> std::io::Result<Report> {
    let mut report = Report::default();
    let mut reader = BufReader::new(input);
    let mut line = Vec::new();
    let prefix = TEXT_PREFIX.as_bytes();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        report.lines += 1;
        let mut at = 0;
        while let Some(pos) = find(&line[at..], prefix) {
            let start = at + pos;
            let mut end = start + prefix.len();
            while end < line.len() && is_b64url(line[end]) {
                end += 1;
            }
            at = end;
            report.values += 1;
            // The slice is ASCII by construction.
            let text = String::from_utf8_lossy(&line[start..end]);
            match Sealed::parse(&text) {
                Ok(s) => {
                    *report
                        .per_key
                        .entry((s.kid(), s.suite().name()))
                        .or_insert(0) += 1
                }
                Err(e) => {
                    report.malformed += 1;
                    if report.listed.len() < MAX_LISTED {
                        report
                            .listed
                            .push((report.lines, format!("{e} [{}]", e.code())));
                    }
                }
            }
        }
    }
    Ok(report)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn print_report(r: &Report, keyset: Option<&Keyset>) {
    println!(
        "lines {}, sealed values {}, well-formed {}, malformed {}",
        r.lines,
        r.values,
        r.values - r.malformed,
        r.malformed
    );
    if !r.per_key.is_empty() {
        let now = dates::now();
        print!("{:<16}  {:<7}  {:>10}", "kid", "suite", "count");
        println!("{}", if keyset.is_some() { "  keyset" } else { "" });
        for ((kid, suite), count) in &r.per_key {
            print!("{:<16}  {:<7}  {:>10}", kid.to_string(), suite, count);
            match keyset {
                Some(ks) => println!("  {}", keyset::status(ks, kid, now)),
                None => println!(),
            }
        }
    }
    for (line, what) in &r.listed {
        println!("line {line}: malformed sealed value: {what}");
    }
    if r.malformed > r.listed.len() as u64 {
        println!(
            "... {} more malformed values not listed",
            r.malformed - r.listed.len() as u64
        );
    }
}
