//! `enseal keyset ...`: the public keyset document, through core's `Keyset`.
//! Every command reads the whole file, changes it in memory and writes it back
//! atomically: a command that fails leaves the file byte-identical.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use enseal::{KeyId, Keyset, PublicKey, SignerPins};

use crate::commands::signer;
use crate::dates;
use crate::error::{CliError, Result};
use crate::fsutil::{self, Mode};
use crate::keys::{self, Unlock};
use crate::passphrase::PassphraseArgs;

/// Keyset commands.
#[derive(Subcommand, Debug)]
pub enum KeysetCommand {
    /// Create a keyset whose primary is the key in a (public or private) key file.
    #[command(
        after_help = "Example:\n  enseal keyset init --key k1.pub.jwk --not-after 2027-12-31T00:00:00Z --out keyset.json"
    )]
    Init(InitArgs),
    /// Add a key (not primary) to a keyset.
    #[command(after_help = "Example:\n  enseal keyset add --keyset keyset.json --key k2.pub.jwk")]
    Add(AddArgs),
    /// Make a key of the keyset primary: new values are sealed to it.
    #[command(after_help = "Example:\n  enseal keyset promote xXyla7i7Zag --keyset keyset.json")]
    Promote(KidArgs),
    /// Remove a key (not the primary) so nothing new is sealed to it.
    #[command(after_help = "Example:\n  enseal keyset retire xXyla7i7Zag --keyset keyset.json")]
    Retire(KidArgs),
    /// Print the keyset as a table.
    #[command(after_help = "Example:\n  enseal keyset show --keyset keyset.json")]
    Show(ShowArgs),
    /// Sign a keyset with a signer key: a JWS (docs/FORMAT.md §10) with a version and an expiry.
    #[command(
        after_help = "Example:\n  enseal keyset sign --signer signer.jwk --version 3 --expires 90d keyset.json --out keyset.jws --passphrase-file pass.txt"
    )]
    // `--version` here is the signed keyset's version (the payload member's
    // name), so this one command has no flag printing the program's version.
    #[command(disable_version_flag = true)]
    Sign(SignArgs),
    /// Verify a signed keyset against pinned signer keys; print its version, expiry and signer.
    #[command(
        after_help = "Example:\n  enseal keyset verify --signers pins.json --min-version 3 keyset.jws"
    )]
    Verify(VerifyArgs),
}

/// `keyset sign`.
#[derive(Args, Debug)]
pub struct SignArgs {
    /// The keyset file (the plain keyset document) to sign.
    keyset: PathBuf,
    /// The signer key file (`enseal signer generate`).
    #[arg(long, value_name = "FILE")]
    signer: PathBuf,
    /// The keyset's version, at least 1; raise it with every keyset published.
    #[arg(long, value_name = "N")]
    version: u64,
    /// When clients stop accepting it: RFC 3339, Unix seconds, or a time from
    /// now with a unit (`90d`, `12h`, `2w`).
    #[arg(long, value_name = "DATE")]
    expires: String,
    /// The signed keyset (JWS) file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
    /// Accept an unencrypted signer key file.
    #[arg(long)]
    insecure_plaintext_key: bool,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// `keyset verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The signed keyset (JWS) file.
    jws: PathBuf,
    /// The pinned signer keys: a JWK set, `{"keys": [public JWKs]}`.
    #[arg(long, value_name = "FILE")]
    signers: PathBuf,
    /// Refuse a version below this one (the highest accepted before).
    #[arg(long, value_name = "N")]
    min_version: Option<u64>,
}

/// The key options of `init` and `add`.
#[derive(Args, Debug)]
pub struct KeyArgs {
    /// A public JWK file, or a private key file (PATH or file:PATH).
    #[arg(long, value_name = "LOCATION")]
    key: String,
    /// When the key was created: RFC 3339 or Unix seconds (default: now).
    #[arg(long, value_name = "DATE")]
    created: Option<String>,
    /// Nothing new is sealed to the key after this date: RFC 3339 or Unix seconds.
    #[arg(long, value_name = "DATE")]
    not_after: Option<String>,
    /// Accept an unencrypted private key file.
    #[arg(long)]
    insecure_plaintext_key: bool,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// `keyset init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// The keyset file to create.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace an existing keyset file.
    #[arg(long)]
    force: bool,
}

/// `keyset add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// The keyset file.
    #[arg(long, value_name = "FILE")]
    keyset: PathBuf,
    #[command(flatten)]
    key: KeyArgs,
}

/// `keyset promote` and `keyset retire`.
#[derive(Args, Debug)]
pub struct KidArgs {
    /// The key id (11 base64url characters, as `enseal key generate` prints it).
    /// One in 64 starts with `-`: that is a key id, not an option.
    #[arg(allow_hyphen_values = true)]
    kid: String,
    /// The keyset file.
    #[arg(long, value_name = "FILE")]
    keyset: PathBuf,
}

/// `keyset show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The keyset file.
    #[arg(long, value_name = "FILE")]
    keyset: PathBuf,
}

/// Runs a `keyset` command.
pub fn run(cmd: KeysetCommand) -> Result<()> {
    match cmd {
        KeysetCommand::Init(a) => {
            fsutil::refuse_existing(&a.out, a.force)?;
            let (key, created, not_after) = one_key(&a.key)?;
            let keyset = Keyset::from_public_key(&key, created, not_after)
                .map_err(|e| CliError::core(&a.out, &e))?;
            save(&a.out, &keyset, a.force)?;
            println!("{}", key.kid());
            Ok(())
        }
        KeysetCommand::Add(a) => {
            let mut keyset = load(&a.keyset)?;
            let (key, created, not_after) = one_key(&a.key)?;
            keyset
                .add(&key, created, not_after)
                .map_err(|e| CliError::core(&a.keyset, &e))?;
            save(&a.keyset, &keyset, true)?;
            println!("{}", key.kid());
            Ok(())
        }
        KeysetCommand::Promote(a) => change_kid(&a, Keyset::promote),
        KeysetCommand::Retire(a) => change_kid(&a, Keyset::retire),
        KeysetCommand::Show(a) => {
            show(&load(&a.keyset)?);
            Ok(())
        }
        KeysetCommand::Sign(a) => sign(a),
        KeysetCommand::Verify(a) => verify(&a),
    }
}

fn sign(a: SignArgs) -> Result<()> {
    fsutil::refuse_existing(&a.out, a.force)?;
    let now = dates::now();
    let expires = dates::parse_or_from_now("--expires", &a.expires, now)?;
    let keyset = load(&a.keyset)?;
    let unlock = Unlock {
        passphrase: a.passphrase,
        allow_plaintext: a.insecure_plaintext_key,
    };
    let signer = signer::load(&a.signer, &unlock)?;
    let jws = keyset
        .sign_at(&signer, a.version, expires, now)
        .map_err(|e| CliError::core(&a.keyset, &e))?;
    fsutil::write_atomic(&a.out, format!("{jws}\n").as_bytes(), Mode::Public, a.force)?;
    print_signed(a.version, expires, &signer.kid(), &keyset);
    Ok(())
}

fn verify(a: &VerifyArgs) -> Result<()> {
    let pins = SignerPins::from_jwks(&fsutil::read_text(&a.signers)?)
        .map_err(|e| CliError::core(&a.signers, &e))?;
    let verified = Keyset::from_signed(&fsutil::read_text(&a.jws)?, &pins, a.min_version)
        .map_err(|e| CliError::core(&a.jws, &e))?;
    print_signed(
        verified.version(),
        verified.expires(),
        verified.signer(),
        verified.keyset(),
    );
    Ok(())
}

fn print_signed(version: u64, expires: u64, signer: &str, keyset: &Keyset) {
    println!("version: {version}");
    println!("expires: {}", dates::format(expires));
    println!("signer: {signer}");
    println!("primary: {}", keyset.primary_kid());
}

/// Reads and validates a keyset file.
/// Loads the keyset, applies `change` to the kid `a` names, and writes it
/// back only when that succeeded.
fn change_kid(
    a: &KidArgs,
    change: impl FnOnce(&mut Keyset, &KeyId) -> enseal::Result<()>,
) -> Result<()> {
    let mut keyset = load(&a.keyset)?;
    let kid = parse_kid(&a.kid)?;
    change(&mut keyset, &kid).map_err(|e| CliError::core(&a.keyset, &e))?;
    save(&a.keyset, &keyset, true)
}

pub fn load(path: &Path) -> Result<Keyset> {
    let text = fsutil::read_text(path)?;
    Keyset::from_json(&text).map_err(|e| CliError::core(path, &e))
}

fn save(path: &Path, keyset: &Keyset, overwrite: bool) -> Result<()> {
    let mut text = keyset.to_json();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    fsutil::write_atomic(path, text.as_bytes(), Mode::Public, overwrite)
}

/// Parses a key id argument.
pub fn parse_kid(text: &str) -> Result<KeyId> {
    text.parse()
        .map_err(|_| CliError::new(format!("{text:?} is not a key id")))
}

fn one_key(a: &KeyArgs) -> Result<(PublicKey, Option<u64>, Option<u64>)> {
    let created = a
        .created
        .as_deref()
        .map(|d| dates::parse("--created", d))
        .transpose()?;
    let not_after = a
        .not_after
        .as_deref()
        .map(|d| dates::parse("--not-after", d))
        .transpose()?;
    let source = keys::open(&a.key)?;
    let unlock = Unlock {
        passphrase: a.passphrase.clone(),
        allow_plaintext: a.insecure_plaintext_key,
    };
    let mut keys = source.public_keys(&unlock)?;
    if keys.len() != 1 {
        return Err(CliError::new(format!(
            "{}: holds {} keys; give a file with exactly one",
            source.location(),
            keys.len()
        )));
    }
    let key = keys.remove(0);
    Ok((key, created, not_after))
}

/// The status of a key of a keyset at `now`.
pub fn status(keyset: &Keyset, kid: &KeyId, now: u64) -> &'static str {
    match keyset.get(kid) {
        None => "not-in-keyset",
        Some(e) if e.is_expired_at(now) => "expired",
        Some(_) if keyset.primary_kid() == *kid => "primary",
        Some(_) => "active",
    }
}

fn show(keyset: &Keyset) {
    let now = dates::now();
    println!(
        "{:<16}  {:<7}  {:<20}  {:<20}  {:<7}  status",
        "kid", "suite", "created", "not_after", "primary"
    );
    for e in keyset.entries() {
        let kid = e.key().kid();
        println!(
            "{:<16}  {:<7}  {:<20}  {:<20}  {:<7}  {}",
            kid.to_string(),
            e.key().suite().name(),
            dates::format(e.created()),
            e.not_after()
                .map(dates::format)
                .unwrap_or_else(|| "-".into()),
            if keyset.primary_kid() == kid {
                "yes"
            } else {
                "no"
            },
            status(keyset, &kid, now),
        );
    }
}
