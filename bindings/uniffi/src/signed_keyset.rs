//! Signed keysets (docs/FORMAT.md §10): pinned signers and the keyset taken
//! only when its JWS verifies under them. Translations of core's
//! `SignerPins`, `Keyset::from_signed` and `Sealer::from_signed_keyset`;
//! every check is core's.

use crate::{Keyset, Result, Sealer};
use enseal_core as core_api;
use std::sync::{Arc, RwLock};

/// The keyset signers a client trusts (Ed25519 public keys), from a JWK set
/// `{"keys": [...]}`. Pin the next signer beside the current one before the
/// operator switches, so rotation never strands a client.
#[derive(uniffi::Object)]
pub struct SignerPins {
    inner: core_api::SignerPins,
}

#[uniffi::export]
impl SignerPins {
    /// Pins from a JWK set of public Ed25519 OKP JWKs (RFC 8037). An empty
    /// set, a private key or a key pinned twice is `InvalidKeyset`; a bad
    /// key `InvalidKey`.
    #[uniffi::constructor]
    pub fn from_jwks(jwks: String) -> Result<Arc<Self>> {
        Ok(Arc::new(SignerPins {
            inner: core_api::SignerPins::from_jwks(&jwks)?,
        }))
    }

    /// Number of pinned signers (`__len__` in Python). Never 0, so no
    /// `is_empty`, as for keysets.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u64 {
        self.inner.len() as u64
    }

    /// The pinned signers' key ids (RFC 7638 thumbprints), in set order.
    pub fn kids(&self) -> Vec<String> {
        self.inner.kids()
    }
}

/// What a signed keyset said, once its signature verified.
#[derive(uniffi::Record)]
pub struct VerifiedKeyset {
    /// The keyset the signer signed.
    pub keyset: Arc<Keyset>,
    /// The signed version (at least 1): keep the highest accepted and pass
    /// it as `min_version` next time.
    pub version: u64,
    /// The signed expiry (Unix seconds): fetch a new keyset by then.
    pub expires: u64,
    /// The signer's key id (RFC 7638 thumbprint).
    pub signer: String,
}

/// Verifies a signed keyset (`Keyset.from_signed` in Python and Kotlin)
/// against `pins`, now by the system clock. `min_version`: the highest
/// version accepted before. Errors in the order checked: `KeysetUnsigned`,
/// `KeysetBadSignature`, `KeysetExpired`, `KeysetRollback`, `InvalidKeyset`.
#[uniffi::export(default(min_version = None))]
pub fn verify_signed_keyset(
    jws: String,
    pins: Arc<SignerPins>,
    min_version: Option<u64>,
) -> Result<VerifiedKeyset> {
    let verified = core_api::Keyset::from_signed(&jws, &pins.inner, min_version)?;
    Ok(VerifiedKeyset {
        version: verified.version(),
        expires: verified.expires(),
        signer: verified.signer().to_owned(),
        keyset: Arc::new(Keyset {
            inner: RwLock::new(verified.keyset().clone()),
        }),
    })
}

#[uniffi::export]
impl Sealer {
    /// A sealer for the primary key of a signed keyset that verifies under
    /// `pins` (as `verify_signed_keyset`); nothing is ever sealed to a keyset
    /// that did not verify.
    #[uniffi::constructor(default(min_version = None))]
    pub fn from_signed_keyset(
        jws: String,
        pins: Arc<SignerPins>,
        min_version: Option<u64>,
    ) -> Result<Arc<Self>> {
        Ok(Arc::new(Sealer {
            inner: core_api::Sealer::from_signed_keyset(&jws, &pins.inner, min_version)?,
        }))
    }
}
