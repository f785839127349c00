//! `enseal`: the command line of the enseal SDK. Key files (encrypted in the age
//! format to a passphrase), keysets, and inspection of sealed values.
//!
//! Errors are one line on standard error, `enseal: error: ...`, naming the file,
//! line or enseal error code; the exit status is then 1 (2 for a usage error).
//! Nothing printed ever holds plaintext, key material or a passphrase.
#![forbid(unsafe_code)]

mod commands;
mod dates;
mod error;
mod fsutil;
mod keys;
mod passphrase;

use clap::{Parser, Subcommand};

/// Client-side field-level encryption: keys, keysets and sealed values.
#[derive(Parser, Debug)]
#[command(name = "enseal", version, propagate_version = true)]
#[command(
    after_help = "Example:\n  enseal key generate --suite x25519 --out k1.age --public-out k1.pub.jwk\n  \
    enseal keyset init --key k1.pub.jwk --out keyset.json\n  \
    enseal inspect --file export.ndjson --keyset keyset.json"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Private key files: generate, print the public key, list.
    #[command(subcommand)]
    #[command(after_help = "Example:\n  enseal key generate --suite x25519 --out k1.age")]
    Key(commands::key::KeyCommand),
    /// The public keyset document: init, add, promote, retire, show.
    #[command(subcommand)]
    #[command(after_help = "Example:\n  enseal keyset show --keyset keyset.json")]
    Keyset(commands::keyset::KeysetCommand),
    /// Describe a sealed value, or count the sealed values of a file per kid and suite.
    Inspect(commands::inspect::InspectArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Key(c) => commands::key::run(c),
        Command::Keyset(c) => commands::keyset::run(c),
        Command::Inspect(a) => commands::inspect::run(a),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("enseal: error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
