//! Signed keysets (docs/FORMAT.md §10): a client pins its operator's signer
//! keys and refuses a keyset that they did not sign, that expired, or that
//! is older than one it accepted. Verification only: signing keys stay
//! offline, with the operator's CLI (`enseal keyset sign`).

use crate::{Keyset, Result, Sealer, core_api, limits};
use std::sync::{Arc, RwLock};

/// The signer public keys (Ed25519 JWKs) a client trusts to sign its keyset.
#[derive(uniffi::Object)]
pub struct SignerPins {
    inner: core_api::SignerPins,
}

#[uniffi::export]
impl SignerPins {
    /// The pins from a JWK set `{"keys": [public OKP Ed25519 JWKs]}`.
    #[uniffi::constructor]
    pub fn from_jwks(jwks: String) -> Result<Arc<Self>> {
        Ok(Arc::new(SignerPins {
            inner: core_api::SignerPins::from_jwks(&jwks)?,
        }))
    }

    /// The number of pinned signers.
    // No `is_empty`: a pin set always holds a key.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u64 {
        self.inner.len() as u64
    }

    /// The pinned signers' key ids (RFC 7638 thumbprints).
    pub fn kids(&self) -> Vec<String> {
        self.inner.kids()
    }
}

/// A keyset whose signature verified under a pinned signer, with its signed
/// version and expiry.
#[derive(uniffi::Object)]
pub struct VerifiedKeyset {
    // Core's keyset, copied out fresh on each read: a `Keyset` handed out
    // can be changed (`add`, `promote`), and what was signed must not be.
    keyset: core_api::Keyset,
    version: u64,
    expires: u64,
    signer: String,
}

#[uniffi::export]
impl VerifiedKeyset {
    /// Verifies the signed keyset `jws` against `pins`. `min_version` is the
    /// highest version accepted before (when the caller keeps state).
    #[uniffi::constructor(default(min_version = None))]
    pub fn from_signed(
        jws: String,
        pins: Arc<SignerPins>,
        min_version: Option<u64>,
    ) -> Result<Arc<Self>> {
        let verified = core_api::Keyset::from_signed(&jws, &pins.inner, min_version)?;
        Ok(Arc::new(VerifiedKeyset {
            keyset: verified.keyset().clone(),
            version: verified.version(),
            expires: verified.expires(),
            signer: verified.signer().to_owned(),
        }))
    }

    /// The keyset the signer signed: a new copy on each call, so changing
    /// it never changes what this verified keyset holds.
    pub fn keyset(&self) -> Arc<Keyset> {
        Arc::new(Keyset {
            inner: RwLock::new(self.keyset.clone()),
        })
    }

    /// The signed version: store the highest accepted and pass it as `min_version`.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The signed expiry (Unix seconds).
    pub fn expires(&self) -> u64 {
        self.expires
    }

    /// The key id of the pinned signer that signed it.
    pub fn signer(&self) -> String {
        self.signer.clone()
    }
}

#[uniffi::export]
impl Sealer {
    /// A sealer on the primary key of a signed keyset that verifies under
    /// `pins`; nothing is sealed to a keyset that does not.
    #[uniffi::constructor(default(min_version = None, max_session_age = None))]
    pub fn from_signed_keyset(
        jws: String,
        pins: Arc<SignerPins>,
        min_version: Option<u64>,
        max_session_age: Option<u64>,
    ) -> Result<Arc<Self>> {
        let verified = core_api::Keyset::from_signed(&jws, &pins.inner, min_version)?;
        Ok(Arc::new(Sealer {
            inner: core_api::Sealer::from_keyset_with_limits(
                verified.keyset(),
                limits(None, max_session_age),
            )?,
        }))
    }
}
