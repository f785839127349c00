//! Key files: a private JWK, a private JWK set (`{"keys": [...]}`, a keyring) or
//! a public JWK. Private ones are stored encrypted in the age format to a scrypt
//! passphrase recipient; plaintext private files are read only when asked to.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use enseal::{KeyPair, Keyring, PublicKey};
use zeroize::Zeroizing;

use super::{KeySource, Unlock};
use crate::error::{CliError, Result};
use crate::fsutil;

/// The age binary format's first line.
pub const AGE_MAGIC: &[u8] = b"age-encryption.org/";

/// What a key file holds.
pub enum KeyFile {
    /// One private key.
    Single(KeyPair),
    /// A private keyring.
    Ring(Keyring),
    /// One public key.
    Public(PublicKey),
}

impl KeyFile {
    /// The public keys it holds.
    pub fn public_keys(&self) -> Vec<PublicKey> {
        match self {
            KeyFile::Single(k) => vec![k.public_key().clone()],
            KeyFile::Ring(r) => r
                .kids()
                .filter_map(|kid| r.get(&kid).map(|k| k.public_key().clone()))
                .collect(),
            KeyFile::Public(p) => vec![p.clone()],
        }
    }
}

/// Reads a key file. Returns its content and, when it was encrypted, the
/// passphrase that opened it (to write it back encrypted the same way).
pub fn read_key_file(
    path: &Path,
    unlock: &Unlock,
    want_private: bool,
) -> Result<(KeyFile, Option<SecretString>)> {
    let bytes = Zeroizing::new(fsutil::read(path)?);
    if bytes.starts_with(AGE_MAGIC) {
        let passphrase = unlock.passphrase.get(false)?;
        let plain = decrypt(path, &bytes, passphrase.clone())?;
        let text = std::str::from_utf8(&plain)
            .map_err(|_| CliError::file(path, "decrypted content is not UTF-8 JSON"))?;
        let content = parse_private(path, text)?;
        return Ok((content, Some(passphrase)));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| CliError::file(path, "is neither an age-encrypted key file nor a JSON key"))?;
    match parse_private(path, text) {
        Ok(content) => {
            if !unlock.allow_plaintext {
                return Err(CliError::file(
                    path,
                    "holds an unencrypted private key: refused without --insecure-plaintext-key",
                ));
            }
            Ok((content, None))
        }
        Err(private_error) => match PublicKey::from_jwk(text) {
            Ok(public) if !want_private => Ok((KeyFile::Public(public), None)),
            Ok(_) => Err(CliError::file(
                path,
                "holds a public key only; a private key is needed",
            )),
            Err(_) => Err(private_error),
        },
    }
}

/// A private JWK or a private JWK set.
fn parse_private(path: &Path, text: &str) -> Result<KeyFile> {
    if text.contains("\"keys\"") {
        Keyring::from_jwks(text)
            .map(KeyFile::Ring)
            .map_err(|e| CliError::core(path, &e))
    } else {
        KeyPair::from_jwk(text)
            .map(KeyFile::Single)
            .map_err(|e| CliError::core(path, &e))
    }
}

/// Decrypts an age file encrypted to a passphrase.
pub fn decrypt(path: &Path, bytes: &[u8], passphrase: SecretString) -> Result<Zeroizing<Vec<u8>>> {
    let decryptor = age::Decryptor::new(bytes)
        .map_err(|e| CliError::file(path, format_args!("not a readable age file: {e}")))?;
    if !decryptor.is_scrypt() {
        return Err(CliError::file(
            path,
            "is an age file encrypted to a recipient, not to a passphrase",
        ));
    }
    let identity = age::scrypt::Identity::new(passphrase);
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed
            | age::DecryptError::NoMatchingKeys
            | age::DecryptError::KeyDecryptionFailed => {
                CliError::file(path, "wrong passphrase (the key file does not decrypt)")
            }
            other => CliError::file(path, format_args!("cannot decrypt: {other}")),
        })?;
    let mut out = Zeroizing::new(Vec::new());
    reader
        .read_to_end(&mut out)
        .map_err(|e| CliError::file(path, format_args!("cannot decrypt: {e}")))?;
    Ok(out)
}

/// Encrypts `plaintext` in the age format to a scrypt recipient for `passphrase`.
pub fn encrypt_to_passphrase(plaintext: &[u8], passphrase: SecretString) -> Result<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| CliError::new(format!("age encryption failed: {e}"));
    let encryptor = age::Encryptor::with_user_passphrase(passphrase);
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).map_err(|e| fail(&e))?;
    writer.write_all(plaintext).map_err(|e| fail(&e))?;
    writer.finish().map_err(|e| fail(&e))?;
    Ok(out)
}

/// A key file on disk.
pub struct FileKeySource {
    path: PathBuf,
}

impl FileKeySource {
    /// The file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> FileKeySource {
        FileKeySource { path: path.into() }
    }
}

impl KeySource for FileKeySource {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn keyring(&self, unlock: &Unlock) -> Result<Keyring> {
        match read_key_file(&self.path, unlock, true)?.0 {
            KeyFile::Single(k) => Ok(std::iter::once(k).collect()),
            KeyFile::Ring(r) => Ok(r),
            KeyFile::Public(_) => Err(CliError::file(
                &self.path,
                "holds a public key only; a private key is needed",
            )),
        }
    }

    fn public_keys(&self, unlock: &Unlock) -> Result<Vec<PublicKey>> {
        Ok(read_key_file(&self.path, unlock, false)?.0.public_keys())
    }
}
