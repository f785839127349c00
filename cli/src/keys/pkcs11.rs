//! Private keys in PKCS#11 custody: `pkcs11:` URIs (RFC 7512) naming a key
//! inside a token, and `wrapped:PATH?QUERY` wrapped-key files whose key is
//! unwrapped by a token (enseal-pkcs11; docs/CUSTODY.md has the syntax).
//! The private key never becomes a `KeyPair` here: the source yields a
//! custodian, and the opener asks it once per session.

use std::sync::{Arc, OnceLock};

use enseal::{KeyCustody, Keyring, PublicKey};

use super::{KeySource, Unlock};
use crate::error::{CliError, Result};

/// A key held by a token, or wrapped by one.
pub struct Pkcs11KeySource {
    location: String,
    /// Opened once: each open logs in and starts a session pool (or unwraps).
    opened: OnceLock<Arc<dyn KeyCustody>>,
}

impl Pkcs11KeySource {
    /// The source at `location` (`pkcs11:…` or `wrapped:…`); nothing is opened yet.
    pub fn new(location: &str) -> Pkcs11KeySource {
        Pkcs11KeySource {
            location: location.to_string(),
            opened: OnceLock::new(),
        }
    }

    /// The location without its query (which may hold `pin-value`).
    fn shown(&self) -> &str {
        self.location
            .split_once('?')
            .map_or(self.location.as_str(), |(path, _)| path)
    }

    fn open(&self) -> Result<Arc<dyn KeyCustody>> {
        if let Some(opened) = self.opened.get() {
            return Ok(opened.clone());
        }
        let opened = enseal_pkcs11::open(&self.location)
            .map_err(|e| CliError::new(format!("{}: {e} [{}]", self.shown(), e.code())))?;
        Ok(self.opened.get_or_init(|| opened).clone())
    }
}

impl KeySource for Pkcs11KeySource {
    fn location(&self) -> String {
        self.shown().to_string()
    }

    fn keyring(&self, _unlock: &Unlock) -> Result<Keyring> {
        let mut ring = Keyring::new();
        ring.add_custody(self.open()?);
        Ok(ring)
    }

    fn public_keys(&self, _unlock: &Unlock) -> Result<Vec<PublicKey>> {
        Ok(vec![self.open()?.public_key().clone()])
    }
}
