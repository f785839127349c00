//! `enseal signer ...`: the Ed25519 key that signs keysets (docs/FORMAT.md §10).
//! Its file is a private OKP JWK (RFC 8037), stored like every private key
//! file: encrypted in the age format to a passphrase, written atomically, 0600.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use enseal::SigningKey;
use zeroize::Zeroizing;

use crate::error::{CliError, Result};
use crate::fsutil::{self, Mode};
use crate::keys::{AGE_MAGIC, Unlock, decrypt, encrypt_to_passphrase};
use crate::passphrase::PassphraseArgs;

/// Signer key commands.
#[derive(Subcommand, Debug)]
pub enum SignerCommand {
    /// Generate a keyset signing key (Ed25519), encrypted to a passphrase, and print its kid.
    #[command(
        after_help = "Example:\n  enseal signer generate --out signer.jwk --public-out signer.pub.jwk --passphrase-file pass.txt"
    )]
    Generate(GenerateArgs),
    /// Print the public JWK of a signer key file, what clients pin.
    #[command(
        after_help = "Example:\n  enseal signer public signer.jwk --passphrase-file pass.txt --set --out pins.json"
    )]
    Public(PublicArgs),
}

/// `signer generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The new signer key file.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
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

/// `signer public`.
#[derive(Args, Debug)]
pub struct PublicArgs {
    /// The signer key file.
    signer: PathBuf,
    /// Print a pin set, `{"keys": [JWK]}`, instead of the bare JWK.
    #[arg(long)]
    set: bool,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
    /// Accept an unencrypted signer key file.
    #[arg(long)]
    insecure_plaintext_key: bool,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// Runs a `signer` command.
pub fn run(cmd: SignerCommand) -> Result<()> {
    match cmd {
        SignerCommand::Generate(a) => generate(a),
        SignerCommand::Public(a) => public(a),
    }
}

fn generate(a: GenerateArgs) -> Result<()> {
    fsutil::refuse_existing(&a.out, a.force)?;
    if let Some(p) = &a.public_out {
        fsutil::refuse_existing(p, a.force)?;
    }
    let key = SigningKey::generate()
        .map_err(|e| CliError::new(format!("cannot generate a signer key: {e} [{}]", e.code())))?;
    let jwk = key.to_jwk();
    let bytes = if a.insecure_plaintext_key {
        Zeroizing::new(jwk.as_bytes().to_vec())
    } else {
        Zeroizing::new(encrypt_to_passphrase(
            jwk.as_bytes(),
            a.passphrase.get(true)?,
        )?)
    };
    fsutil::write_atomic(&a.out, &bytes, Mode::Private, a.force)?;
    if let Some(p) = &a.public_out {
        let text = format!("{}\n", key.public_jwk());
        fsutil::write_atomic(p, text.as_bytes(), Mode::Public, a.force)?;
    }
    println!("{}", key.kid());
    Ok(())
}

fn public(a: PublicArgs) -> Result<()> {
    if let Some(out) = &a.out {
        fsutil::refuse_existing(out, a.force)?;
    }
    let unlock = Unlock {
        passphrase: a.passphrase,
        allow_plaintext: a.insecure_plaintext_key,
    };
    let key = load(&a.signer, &unlock)?;
    let text = if a.set {
        format!("{{\"keys\":[{}]}}\n", key.public_jwk())
    } else {
        format!("{}\n", key.public_jwk())
    };
    match &a.out {
        Some(out) => fsutil::write_atomic(out, text.as_bytes(), Mode::Public, a.force),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// Reads a signer key file: age-encrypted to a passphrase, or (with
/// `--insecure-plaintext-key`) a plaintext private JWK.
pub fn load(path: &Path, unlock: &Unlock) -> Result<SigningKey> {
    let bytes = Zeroizing::new(fsutil::read(path)?);
    let plain = if bytes.starts_with(AGE_MAGIC) {
        decrypt(path, &bytes, unlock.passphrase.get(false)?)?
    } else if unlock.allow_plaintext {
        bytes
    } else {
        return Err(CliError::file(
            path,
            "is not an age-encrypted signer key: an unencrypted one is read only with --insecure-plaintext-key",
        ));
    };
    let text = std::str::from_utf8(&plain)
        .map_err(|_| CliError::file(path, "signer key is not UTF-8 JSON"))?;
    SigningKey::from_jwk(text).map_err(|e| CliError::core(path, &e))
}
