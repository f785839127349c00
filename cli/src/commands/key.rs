//! `enseal key ...`: private key files.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use enseal::{KeyPair, Keyring, Suite};

use crate::error::{CliError, Result};
use crate::fsutil::{self, Mode};
use crate::keys::{self, KeyFile, Unlock, encrypt_to_passphrase, read_key_file};
use crate::passphrase::PassphraseArgs;

/// Key file commands.
#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Generate a private key, encrypted to a passphrase, and print its kid.
    #[command(
        after_help = "Example:\n  enseal key generate --suite x25519 --out k1.age --passphrase-file pass.txt\n  \
        enseal key generate --suite xwing --ring ring.age --passphrase-env ENSEAL_PASSPHRASE"
    )]
    Generate(GenerateArgs),
    /// Print the public JWK of a key file (for a keyset, or to share).
    #[command(
        after_help = "Example:\n  enseal key public --key k1.age --passphrase-file pass.txt --out k1.pub.jwk"
    )]
    Public(PublicArgs),
    /// List the kids and suites of the private keys in a key file or keyring.
    #[command(after_help = "Example:\n  enseal key list --key ring.age --passphrase-file pass.txt")]
    List(ListArgs),
}

/// The suite names accepted on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SuiteArg {
    /// DHKEM(X25519, HKDF-SHA256).
    X25519,
    /// DHKEM(P-256, HKDF-SHA256).
    P256,
    /// X-Wing (ML-KEM-768 + X25519), post-quantum hybrid.
    Xwing,
}

impl From<SuiteArg> for Suite {
    fn from(s: SuiteArg) -> Suite {
        match s {
            SuiteArg::X25519 => Suite::X25519,
            SuiteArg::P256 => Suite::P256,
            SuiteArg::Xwing => Suite::XWing,
        }
    }
}

/// `key generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The KEM suite.
    #[arg(long, value_enum)]
    suite: SuiteArg,
    /// Write the key, alone, to this new file.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "ring",
        conflicts_with = "ring"
    )]
    out: Option<PathBuf>,
    /// Add the key to this private keyring file (created when missing; an
    /// existing ring is rewritten atomically with the passphrase that opens it).
    #[arg(long, value_name = "FILE")]
    ring: Option<PathBuf>,
    /// Also write the public JWK to this file.
    #[arg(long, value_name = "FILE")]
    public_out: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    force: bool,
    /// Write (and read) the private key unencrypted. For tests only.
    #[arg(long)]
    insecure_plaintext_key: bool,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// `key public`.
#[derive(Args, Debug)]
pub struct PublicArgs {
    /// The key file (PATH or file:PATH).
    #[arg(long, value_name = "LOCATION")]
    key: String,
    /// Write the public JWK here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
    /// Accept an unencrypted private key file.
    #[arg(long)]
    insecure_plaintext_key: bool,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// `key list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// The key file or keyring (PATH or file:PATH).
    #[arg(long, value_name = "LOCATION")]
    key: String,
    /// Accept an unencrypted private key file.
    #[arg(long)]
    insecure_plaintext_key: bool,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// Runs a `key` command.
pub fn run(cmd: KeyCommand) -> Result<()> {
    match cmd {
        KeyCommand::Generate(a) => generate(a),
        KeyCommand::Public(a) => public(a),
        KeyCommand::List(a) => list(a),
    }
}

fn generate(a: GenerateArgs) -> Result<()> {
    let suite = Suite::from(a.suite);
    if let Some(out) = &a.out {
        fsutil::refuse_existing(out, a.force)?;
    }
    if let Some(p) = &a.public_out {
        fsutil::refuse_existing(p, a.force)?;
    }
    let key = KeyPair::generate(suite)
        .map_err(|e| CliError::new(format!("cannot generate a {suite} key: {e} [{}]", e.code())))?;
    let kid = key.kid();
    let public_jwk = key.public_key().to_jwk();

    if let Some(ring_path) = &a.ring {
        let unlock = Unlock {
            passphrase: a.passphrase.clone(),
            allow_plaintext: a.insecure_plaintext_key,
        };
        let (mut ring, passphrase) = if ring_path.exists() {
            let (content, pass) = read_key_file(ring_path, &unlock, true)?;
            let ring = match content {
                KeyFile::Ring(r) => r,
                KeyFile::Single(k) => std::iter::once(k).collect(),
                KeyFile::Public(_) => {
                    return Err(CliError::file(
                        ring_path,
                        "holds a public key, not a keyring",
                    ));
                }
            };
            (ring, pass)
        } else if a.insecure_plaintext_key {
            (Keyring::new(), None)
        } else {
            (Keyring::new(), Some(a.passphrase.get(true)?))
        };
        ring.add(key);
        let jwks = ring.to_jwks();
        let bytes = match passphrase {
            Some(p) => encrypt_to_passphrase(jwks.as_bytes(), p)?,
            None => jwks.as_bytes().to_vec(),
        };
        fsutil::write_atomic(ring_path, &bytes, Mode::Private, true)?;
        write_public(&a, &public_jwk)?;
    } else if let Some(out) = &a.out {
        let jwk = key.to_jwk();
        let bytes = if a.insecure_plaintext_key {
            jwk.as_bytes().to_vec()
        } else {
            encrypt_to_passphrase(jwk.as_bytes(), a.passphrase.get(true)?)?
        };
        fsutil::write_atomic(out, &bytes, Mode::Private, a.force)?;
        write_public(&a, &public_jwk)?;
    }
    println!("{kid}");
    Ok(())
}

fn write_public(a: &GenerateArgs, public_jwk: &str) -> Result<()> {
    if let Some(p) = &a.public_out {
        fsutil::write_atomic(
            p,
            format!("{public_jwk}\n").as_bytes(),
            Mode::Public,
            a.force,
        )?;
    }
    Ok(())
}

fn public(a: PublicArgs) -> Result<()> {
    if let Some(out) = &a.out {
        fsutil::refuse_existing(out, a.force)?;
    }
    let source = keys::open(&a.key)?;
    let unlock = Unlock {
        passphrase: a.passphrase,
        allow_plaintext: a.insecure_plaintext_key,
    };
    let keys = source.public_keys(&unlock)?;
    let [key] = keys.as_slice() else {
        return Err(CliError::new(format!(
            "{}: holds {} keys; key public takes a file with one key",
            source.location(),
            keys.len()
        )));
    };
    let text = format!("{}\n", key.to_jwk());
    match &a.out {
        Some(out) => fsutil::write_atomic(out, text.as_bytes(), Mode::Public, a.force)?,
        None => print!("{text}"),
    }
    Ok(())
}

fn list(a: ListArgs) -> Result<()> {
    let source = keys::open(&a.key)?;
    let unlock = Unlock {
        passphrase: a.passphrase,
        allow_plaintext: a.insecure_plaintext_key,
    };
    let ring = source.keyring(&unlock)?;
    println!("{:<16}  suite", "kid");
    for kid in ring.kids() {
        if let Some(key) = ring.get(&kid) {
            println!("{:<16}  {}", kid.to_string(), key.suite());
        }
    }
    Ok(())
}
