//! `enseal audit verify`: checks the hash chain of an audit log written by
//! `open --audit` / `reseal --audit` (core's `AuditLog`) and counts its events.

use std::io::{BufReader, Write};
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
    let mut text = format!(
        "events {} ({} failed){intact}\n{:<24}  {:>10}\n",
        report.events, report.failures, "actor", "events"
    );
    for (actor, n) in &report.per_actor {
        text.push_str(&format!("{actor:<24}  {n:>10}\n"));
    }
    text.push_str(&format!("{:<24}  {:>10}\n", "kid", "events"));
    for (kid, n) in &report.per_kid {
        text.push_str(&format!("{kid:<24}  {n:>10}\n"));
    }
    text.push_str(&format!("last hash {}\n", report.last_hash));
    if report.is_intact() {
        text.push_str("intact\n");
    }
    // A closed pipe (`| head`) is an error line, not a panic.
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::new(format!("<stdout>: {e}")))?;
    match &report.problem {
        None => Ok(()),
        Some(p) => Err(CliError::file(
            &a.file,
            format_args!("line {}: the chain is broken: {}", p.line, p.reason),
        )),
    }
}
