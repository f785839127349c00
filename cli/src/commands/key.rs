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
    /// Encrypt a private key file's key under an AES key in a PKCS#11 token
    /// (a wrapped key, opened as `--key wrapped:FILE?pin-source=...`).
    #[command(
        after_help = "Example:\n  enseal key wrap --key k1.age --passphrase-file pass.txt \\\n    \
        --wrapping-key 'pkcs11:token=prod;object=enseal-wrap;type=secret-key?pin-source=file:/run/pin' \\\n    \
        --generate-wrapping-key --out k1.wrapped.json"
    )]
    Wrap(WrapArgs),
}

/// `key wrap`.
#[derive(Args, Debug)]
pub struct WrapArgs {
    /// The private key file (PATH or file:PATH) holding one key.
    #[arg(long, value_name = "LOCATION")]
    key: String,
    /// The AES-256 wrapping key: a `pkcs11:` URI (RFC 7512) with `type=secret-key`.
    #[arg(long, value_name = "URI")]
    wrapping_key: String,
    /// Generate the wrapping key first (non-extractable, in the token), labelled as the URI's `object=`.
    #[arg(long)]
    generate_wrapping_key: bool,
    /// Write the wrapped-key file here.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
    /// Accept an unencrypted private key file.
    #[arg(long)]
    insecure_plaintext_key: bool,
    #[command(flatten)]
    passphrase: PassphraseArgs,
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
        required_unless_present_any = ["ring", "pkcs11"],
        conflicts_with_all = ["ring", "pkcs11"]
    )]
    out: Option<PathBuf>,
    /// Generate the key inside this PKCS#11 token instead (an RFC 7512 URI
    /// naming the token, with its PIN): sensitive and non-extractable; the
    /// public JWK is printed (and written to --public-out).
    #[arg(
        long,
        value_name = "TOKEN_URI",
        conflicts_with = "ring",
        requires = "label"
    )]
    pkcs11: Option<String>,
    /// The token key's label (`CKA_LABEL`, the URI's `object=`), with --pkcs11.
    #[arg(long, value_name = "LABEL", requires = "pkcs11")]
    label: Option<String>,
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
        KeyCommand::Wrap(a) => wrap(a),
    }
}

fn generate(a: GenerateArgs) -> Result<()> {
    let suite = Suite::from(a.suite);
    if let (Some(token), Some(label)) = (&a.pkcs11, &a.label) {
        return generate_in_token(&a, token, label, suite);
    }
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

/// `key generate --pkcs11`: the key pair is generated inside the token.
fn generate_in_token(a: &GenerateArgs, token: &str, label: &str, suite: Suite) -> Result<()> {
    if let Some(p) = &a.public_out {
        fsutil::refuse_existing(p, a.force)?;
    }
    let shown = token.split_once('?').map_or(token, |(path, _)| path);
    let public = enseal_pkcs11::generate(token, label, suite)
        .map_err(|e| CliError::new(format!("{shown}: {e} [{}]", e.code())))?;
    let jwk = public.to_jwk();
    write_public(a, &jwk)?;
    println!("{jwk}");
    eprintln!(
        "enseal: {suite} key {} generated in the token; open with --key '{shown};object={label};type=private?pin-source=...'",
        public.kid()
    );
    Ok(())
}

/// `key wrap`.
fn wrap(a: WrapArgs) -> Result<()> {
    fsutil::refuse_existing(&a.out, a.force)?;
    let unlock = Unlock {
        passphrase: a.passphrase,
        allow_plaintext: a.insecure_plaintext_key,
    };
    let ring = keys::open(&a.key)?.keyring(&unlock)?;
    let kids: Vec<_> = ring.kids().collect();
    let pair = match kids.as_slice() {
        [kid] => ring.get(kid),
        _ => None,
    }
    .ok_or_else(|| {
        CliError::new(format!(
            "{}: key wrap takes a key file with one private key",
            a.key
        ))
    })?;
    let shown = a
        .wrapping_key
        .split_once('?')
        .map_or(a.wrapping_key.as_str(), |(path, _)| path);
    let fail = |e: enseal::Error| CliError::new(format!("{shown}: {e} [{}]", e.code()));
    if a.generate_wrapping_key {
        // The label decoded as opening decodes it, so the key made is the key found.
        let label = enseal_pkcs11::object_label(&a.wrapping_key)
            .map_err(fail)?
            .ok_or_else(|| {
                CliError::new("--generate-wrapping-key needs object=LABEL in the URI")
            })?;
        enseal_pkcs11::generate_wrapping_key(&a.wrapping_key, &label).map_err(fail)?;
    }
    let file = enseal_pkcs11::wrap(pair, &a.wrapping_key).map_err(fail)?;
    // 0600: the file is useless without the token, but who may read it is a
    // layer of its own (anyone who can also use the token could unwrap it).
    fsutil::write_atomic(&a.out, file.as_bytes(), Mode::Private, a.force)?;
    println!("{}", pair.kid());
    Ok(())
}
