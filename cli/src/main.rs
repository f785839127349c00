//! `enseal`: the command line of the enseal SDK. Key files (encrypted in the age
//! format to a passphrase), keysets, sealing, opening and re-sealing records
//! (NDJSON, CSV, JSON), inspection of sealed values, and audit log checks.
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
mod records;

use clap::{Parser, Subcommand};

/// Client-side field-level encryption: keys, keysets and sealed values.
#[derive(Parser, Debug)]
#[command(name = "enseal", version, propagate_version = true)]
#[command(
    after_help = "Example:\n  enseal key generate --suite x25519 --out k1.age --public-out k1.pub.jwk\n  \
    enseal keyset init --key k1.pub.jwk --out keyset.json\n  \
    enseal seal patients.ndjson --keyset keyset.json --field /ssn --context 'patients/{id}{pointer}' --out sealed.ndjson\n  \
    enseal inspect --file sealed.ndjson --keyset keyset.json"
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
    /// The public keyset document: init, add, promote, retire, show, sign, verify.
    #[command(subcommand)]
    #[command(after_help = "Example:\n  enseal keyset show --keyset keyset.json")]
    Keyset(commands::keyset::KeysetCommand),
    /// The Ed25519 key that signs keysets: generate, print the public key.
    #[command(subcommand)]
    #[command(after_help = "Example:\n  enseal signer generate --out signer.jwk")]
    Signer(commands::signer::SignerCommand),
    /// Describe a sealed value, or count the sealed values of a file per kid and suite.
    Inspect(commands::inspect::InspectArgs),
    /// Seal values of NDJSON, CSV or JSON records to a keyset's primary key.
    Seal(commands::records::SealArgs),
    /// Open sealed values of NDJSON, CSV or JSON records with private key files.
    Open(commands::records::OpenArgs),
    /// Re-seal values to a keyset's primary key (key rotation); values already on it are left as they are.
    Reseal(commands::records::ResealArgs),
    /// Audit logs: verify the hash chain, count events per actor and kid.
    #[command(subcommand)]
    #[command(after_help = "Example:\n  enseal audit verify audit.log")]
    Audit(commands::audit::AuditCommand),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Key(c) => commands::key::run(c),
        Command::Keyset(c) => commands::keyset::run(c),
        Command::Signer(c) => commands::signer::run(c),
        Command::Inspect(a) => commands::inspect::run(a),
        Command::Seal(a) => commands::records::seal(a),
        Command::Open(a) => commands::records::open(a),
        Command::Reseal(a) => commands::records::reseal(a),
        Command::Audit(c) => commands::audit::run(c),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("enseal: error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
