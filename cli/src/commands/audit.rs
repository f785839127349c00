//! `enseal audit verify`: checks the hash chain of an audit log written by
//! `open --audit` / `reseal --audit` (core's `AuditLog`) and counts its events.

use std::io::BufReader;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::error::{CliError, Result};

/// Audit log commands.
#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check an audit log's hash chain; print its events per actor and per kid.
    #[command(after_help = "Example:\n  enseal audit verify audit.log")]
    Verify(VerifyArgs),
}

/// `audit verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The audit log (JSON lines, hash-chained).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// Runs an `audit` command.
pub fn run(cmd: AuditCommand) -> Result<()> {
    match cmd {
        AuditCommand::Verify(a) => verify(a),
    }
}

fn verify(a: VerifyArgs) -> Result<()> {
    let file = std::fs::File::open(&a.file).map_err(|e| CliError::io(&a.file, &e))?;
    let report =
        enseal::verify_audit_log(BufReader::new(file)).map_err(|e| CliError::io(&a.file, &e))?;
    let intact = if report.is_intact() {
        ""
    } else {
        " before the first bad line"
    };
    println!(
        "events {} ({} failed){intact}",
        report.events, report.failures
    );
    println!("{:<24}  {:>10}", "actor", "events");
    for (actor, n) in &report.per_actor {
        println!("{actor:<24}  {n:>10}");
    }
    println!("{:<24}  {:>10}", "kid", "events");
    for (kid, n) in &report.per_kid {
        println!("{kid:<24}  {n:>10}");
    }
    println!("last hash {}", report.last_hash);
    match &report.problem {
        None => {
            println!("intact");
            Ok(())
        }
        Some(p) => Err(CliError::file(
            &a.file,
            format_args!("line {}: the chain is broken: {}", p.line, p.reason),
        )),
    }
}
