//! Where private keys come from. A [`KeySource`] is opened from a location
//! string; today only files (`PATH` or `file:PATH`) exist. Hardware and cloud
//! backends slot in here later: `pkcs11:` URIs (RFC 7512) and `kms:` ARNs are
//! recognised and refused by name, so adding one is a new module and a match arm.

mod file;

use enseal::{Keyring, PublicKey};

pub use file::{AGE_MAGIC, FileKeySource, KeyFile, decrypt, encrypt_to_passphrase, read_key_file};

use crate::error::{CliError, Result};
use crate::passphrase::PassphraseArgs;

/// What a source may need to unlock its keys.
#[derive(Debug, Clone, Default)]
pub struct Unlock {
    /// Where the passphrase of an encrypted key file comes from.
    pub passphrase: PassphraseArgs,
    /// Accept a private key stored in plaintext (`--insecure-plaintext-key`).
    pub allow_plaintext: bool,
}

/// A place private (or public) keys are loaded from.
///
/// A backend that cannot export private keys (an HSM, a KMS) will implement
/// [`KeySource::public_keys`] and a decapsulation hook core does not have yet;
/// [`KeySource::keyring`] is for backends that hold the private key bytes.
pub trait KeySource {
    /// The location, for messages (never key material).
    fn location(&self) -> String;

    /// The private keys, as a keyring.
    fn keyring(&self, unlock: &Unlock) -> Result<Keyring>;

    /// The public keys the source holds. A public key file needs no unlocking.
    fn public_keys(&self, unlock: &Unlock) -> Result<Vec<PublicKey>>;
}

/// Opens the source named by `location`: `PATH`, `file:PATH`; `pkcs11:` and
/// `kms:` are reserved for the backends to come.
pub fn open(location: &str) -> Result<Box<dyn KeySource>> {
    if let Some(path) = location.strip_prefix("file:") {
        return Ok(Box::new(FileKeySource::new(path)));
    }
    for scheme in ["pkcs11:", "kms:"] {
        if location.starts_with(scheme) {
            return Err(CliError::new(format!(
                "{location}: {scheme} key sources are not supported by this build yet"
            )));
        }
    }
    Ok(Box::new(FileKeySource::new(location)))
}
