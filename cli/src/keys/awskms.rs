//! `awskms:` key sources: a P-256 `KEY_AGREEMENT` key held by AWS KMS, opened
//! through [`enseal_awskms`]. The private key never enters this process: each
//! session's Diffie-Hellman is one `DeriveSharedSecret` call. URI form and
//! credentials: docs/AWSKMS.md.

use enseal::{Keyring, PublicKey};

use super::{KeySource, Unlock};
use crate::error::{CliError, Result};

/// An AWS KMS key named by its `awskms:` URI.
pub struct AwsKmsKeySource {
    uri: String,
}

impl AwsKmsKeySource {
    /// The source for `uri` (`awskms:<key ARN>[?...]`); nothing is contacted yet.
    pub fn new(uri: &str) -> AwsKmsKeySource {
        AwsKmsKeySource {
            uri: uri.to_string(),
        }
    }

    fn custodian(&self) -> Result<std::sync::Arc<dyn enseal::KeyCustody>> {
        enseal_awskms::open(&self.uri)
            .map_err(|e| CliError::new(format!("{}: {e} [{}]", self.location(), e.code())))
    }
}

impl KeySource for AwsKmsKeySource {
    fn location(&self) -> String {
        // The URI names a key and an endpoint, never a credential.
        self.uri.clone()
    }

    fn keyring(&self, _unlock: &Unlock) -> Result<Keyring> {
        let mut ring = Keyring::new();
        ring.add_custody(self.custodian()?);
        Ok(ring)
    }

    fn public_keys(&self, _unlock: &Unlock) -> Result<Vec<PublicKey>> {
        Ok(vec![self.custodian()?.public_key().clone()])
    }
}
