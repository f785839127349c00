//! Private keys held outside the process, named by the key URIs every
//! binding takes (resolved by `enseal-custody`): `pkcs11:` (RFC 7512, a key
//! inside a token), `wrapped:PATH?QUERY` (a key file a token unwraps) and
//! `awskms:ARN` (docs/CUSTODY.md, docs/AWSKMS.md). The private key never
//! becomes a `KeyPair` here: the source yields a custodian, and the opener
//! asks it once per session.

use std::sync::{Arc, OnceLock};

use enseal::{KeyCustody, Keyring, PublicKey};

use super::{KeySource, Unlock};
use crate::error::{CliError, Result};

/// A key held by a token, wrapped by one, or held by AWS KMS.
pub struct CustodyKeySource {
    location: String,
    /// Opened once: each open logs in and starts a session pool, unwraps,
    /// or reads the KMS key's public key.
    opened: OnceLock<Arc<dyn KeyCustody>>,
}

impl CustodyKeySource {
    /// The source at `location` (a key URI); nothing is opened yet.
    pub fn new(location: &str) -> CustodyKeySource {
        CustodyKeySource {
            location: location.to_string(),
            opened: OnceLock::new(),
        }
    }

    /// The location without its query (which may hold a `pin-value`).
    fn shown(&self) -> &str {
        self.location
            .split_once('?')
            .map_or(self.location.as_str(), |(path, _)| path)
    }

    fn open(&self) -> Result<Arc<dyn KeyCustody>> {
        if let Some(opened) = self.opened.get() {
            return Ok(opened.clone());
        }
        let opened = enseal_custody::open(&self.location)
            .map_err(|e| CliError::new(format!("{}: {e} [{}]", self.shown(), e.code())))?;
        Ok(self.opened.get_or_init(|| opened).clone())
    }
}

impl KeySource for CustodyKeySource {
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
