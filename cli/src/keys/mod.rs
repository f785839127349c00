//! Where private keys come from. A [`KeySource`] is opened from a location
//! string: key files (`PATH` or `file:PATH`), keys in a PKCS#11 token
//! (`pkcs11:` URIs, RFC 7512) or wrapped by one (`wrapped:`), and AWS KMS
//! keys (`awskms:` ARNs). A new backend is a new module and a match arm.

mod custody;
mod file;

use enseal::{Keyring, PublicKey};

pub use custody::CustodyKeySource;
pub use file::{AGE_MAGIC, FileKeySource, KeyFile, decrypt, encrypt_to_passphrase, read_key_file};

use crate::error::Result;
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
/// A backend that cannot export private keys (an HSM, a KMS) returns a
/// keyring of custodians ([`Keyring::add_custody`]); commands combine
/// sources with [`Keyring::merge`], which keeps custody entries.
pub trait KeySource {
    /// The location, for messages (never key material).
    fn location(&self) -> String;

    /// The private keys, as a keyring.
    fn keyring(&self, unlock: &Unlock) -> Result<Keyring>;

    /// The public keys the source holds. A public key file needs no unlocking.
    fn public_keys(&self, unlock: &Unlock) -> Result<Vec<PublicKey>>;
}

/// Opens the source named by `location`: `PATH`, `file:PATH`, a `pkcs11:`
/// URI or `wrapped:` file (docs/CUSTODY.md), `awskms:ARN` (with the
/// `awskms` feature; docs/AWSKMS.md).
pub fn open(location: &str) -> Result<Box<dyn KeySource>> {
    if let Some(path) = location.strip_prefix("file:") {
        return Ok(Box::new(FileKeySource::new(path)));
    }
    // Key URIs (`pkcs11:`, `wrapped:`, `awskms:`): resolved, or refused by
    // name when this build lacks the scheme, in one place (enseal-custody).
    if enseal_custody::is_key_uri(location) {
        return Ok(Box::new(CustodyKeySource::new(location)));
    }
    Ok(Box::new(FileKeySource::new(location)))
}
