//! Signed keysets (docs/FORMAT.md §10) for JavaScript: the pinned signer
//! keys and the keyset that verified under one. Verifying only: signing keys
//! stay offline with the operator (`enseal keyset sign`), so the package has
//! no signing call. Every rule (the header, the signature, expiry, rollback)
//! is core's; this file converts arguments and results.

use crate::convert;
use crate::error::{JsResult, OrThrow};
use crate::keys::Keyset;
use enseal_core as core_api;
use wasm_bindgen::prelude::*;

const MIN_VERSION: &str =
    "minVersion must be a whole, non-negative number (a version accepted before)";
const JWS: &str = "a signed keyset must be the JWS text (keyset.jws as fetched)";

/// The signer public keys a client pins (Ed25519 JWKs, RFC 8037): a signed
/// keyset verifies only under one of them. Pin the next signer beside the
/// current one before the operator rotates.
#[wasm_bindgen]
pub struct SignerPins {
    pub(crate) inner: core_api::SignerPins,
}

#[wasm_bindgen]
impl SignerPins {
    /// Pins from a public JWK set `{"keys": [...]}` (an object or JSON text)
    /// of Ed25519 keys. An empty set, a private key (`d`), a key pinned
    /// twice or a `kid` that is not the key's RFC 7638 thumbprint is refused
    /// (`INVALID_KEYSET` / `INVALID_KEY`).
    #[wasm_bindgen(js_name = fromJwks)]
    pub fn from_jwks(
        #[wasm_bindgen(unchecked_param_type = "{ keys: JsonWebKey[] } | string")] jwks: JsValue,
    ) -> JsResult<SignerPins> {
        let text = convert::json_text(&jwks, "a JWK set must be an object or JSON text")?;
        let inner = core_api::SignerPins::from_jwks(&text).or_throw()?;
        Ok(SignerPins { inner })
    }

    /// The key ids (RFC 7638 thumbprints) of the pinned signers, in set order.
    #[wasm_bindgen(getter)]
    pub fn kids(&self) -> Vec<String> {
        self.inner.kids()
    }

    /// The number of pinned signers (at least 1).
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }
}

/// A keyset whose signature verified under a pinned signer, with its signed
/// version and expiry (what {@link Keyset.fromSigned} returns).
#[wasm_bindgen]
pub struct VerifiedKeyset {
    inner: core_api::VerifiedKeyset,
}

#[wasm_bindgen]
impl VerifiedKeyset {
    /// The keyset document the signer signed (a new `Keyset` at each read:
    /// `free()` it, or let the finalizer, as any other).
    #[wasm_bindgen(getter)]
    pub fn keyset(&self) -> Keyset {
        Keyset {
            inner: self.inner.keyset().clone(),
        }
    }

    /// The signed version (at least 1). Keep the highest accepted (e.g. in
    /// `localStorage`) and pass it as `minVersion` next time: an older
    /// keyset is then `KEYSET_ROLLBACK`.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> f64 {
        self.inner.version() as f64
    }

    /// The signed expiry (Unix seconds): fetch a fresh keyset before then.
    #[wasm_bindgen(getter)]
    pub fn expires(&self) -> f64 {
        self.inner.expires() as f64
    }

    /// The key id (RFC 7638 thumbprint) of the pinned signer that signed it.
    #[wasm_bindgen(getter)]
    pub fn signer(&self) -> String {
        self.inner.signer().to_string()
    }
}

/// The JWS text and `options.minVersion`, verified by core now.
pub(crate) fn verify(
    jws: &JsValue,
    pins: &SignerPins,
    options: Option<&js_sys::Object>,
) -> JsResult<core_api::VerifiedKeyset> {
    // An object (a plain keyset someone parsed) goes to core as its JSON
    // text, which core refuses as KEYSET_UNSIGNED: it is no JWS.
    let text = convert::json_text(jws, JWS)?;
    let min_version = convert::whole_option(options, "minVersion", 0.0, MIN_VERSION)?;
    core_api::Keyset::from_signed(&text, &pins.inner, min_version).or_throw()
}

#[wasm_bindgen]
impl Keyset {
    /// Verifies a signed keyset (the compact JWS text, `keyset.jws`) against
    /// `pins`, now by the clock. `options.minVersion` is the highest version
    /// accepted before, when the client keeps it. Throws, in this order:
    /// `KEYSET_UNSIGNED` (not a JWS: the plain keyset JSON),
    /// `KEYSET_BAD_SIGNATURE` (not by a pinned signer, tampered, or an
    /// algorithm other than EdDSA, `none` included), `KEYSET_EXPIRED`,
    /// `KEYSET_ROLLBACK` (a version below `minVersion`), `INVALID_KEYSET`.
    #[wasm_bindgen(js_name = fromSigned)]
    pub fn from_signed(
        #[wasm_bindgen(unchecked_param_type = "string")] jws: JsValue,
        pins: &SignerPins,
        #[wasm_bindgen(unchecked_optional_param_type = "{ minVersion?: number }")] options: Option<
            js_sys::Object,
        >,
    ) -> JsResult<VerifiedKeyset> {
        let inner = verify(&jws, pins, options.as_ref())?;
        Ok(VerifiedKeyset { inner })
    }
}
