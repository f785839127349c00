//! Key pairs, public keys, keysets and keyrings as JavaScript classes.

use crate::convert;
use crate::error::{JsResult, OrThrow};
use crate::sealed::Sealed;
use enseal_core as core_api;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

const DATES: &str = "keyset dates must be whole, non-negative Unix seconds";
const KEY_BYTES: &str = "key bytes must be a Uint8Array";

/// A recipient key pair. The private key is wiped when the object is freed
/// (call `free()`, or let the garbage collector's finalizer do it).
#[wasm_bindgen]
pub struct KeyPair {
    pub(crate) inner: core_api::KeyPair,
}

#[wasm_bindgen]
impl KeyPair {
    /// A fresh random key pair. `suite` is `"X25519"` (the default), `"P-256"` or `"X-Wing"`.
    pub fn generate(
        #[wasm_bindgen(unchecked_optional_param_type = "SuiteName")] suite: Option<String>,
    ) -> JsResult<KeyPair> {
        let inner = core_api::KeyPair::generate(convert::suite(suite)?).or_throw()?;
        Ok(KeyPair { inner })
    }

    /// A key pair from a private JWK (an object or JSON text).
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(
        #[wasm_bindgen(unchecked_param_type = "JsonWebKey | string")] jwk: JsValue,
    ) -> JsResult<KeyPair> {
        let text = zeroize::Zeroizing::new(convert::json_text(
            &jwk,
            "a JWK must be an object or JSON text",
        )?);
        let inner = core_api::KeyPair::from_jwk(&text).or_throw()?;
        Ok(KeyPair { inner })
    }

    /// A key pair from its private key bytes (what {@link KeyPair.privateBytes}
    /// returns). Secret: wipe your copy when done.
    #[wasm_bindgen(js_name = fromPrivateBytes)]
    pub fn from_private_bytes(
        #[wasm_bindgen(unchecked_param_type = "SuiteName")] suite: String,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    ) -> JsResult<KeyPair> {
        let suite = convert::suite(Some(suite))?;
        let bytes = zeroize::Zeroizing::new(convert::byte_array(bytes, KEY_BYTES)?);
        let inner = core_api::KeyPair::from_private_bytes(suite, &bytes).or_throw()?;
        Ok(KeyPair { inner })
    }

    /// The private key bytes. Secret: store them like a password.
    #[wasm_bindgen(js_name = privateBytes)]
    pub fn private_bytes(&self) -> Uint8Array {
        Uint8Array::from(self.inner.private_bytes().as_slice())
    }

    /// The public half, to give to sealers.
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key().clone(),
        }
    }

    /// The private key as a JWK object. Secret: store it like a password.
    #[wasm_bindgen(js_name = toJwk, unchecked_return_type = "JsonWebKey")]
    pub fn to_jwk(&self) -> JsResult<JsValue> {
        convert::parse_json(&self.inner.to_jwk())
    }

    /// The key id: 11 characters of base64url, the same in every language.
    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }

    /// The suite name.
    #[wasm_bindgen(getter, unchecked_return_type = "SuiteName")]
    pub fn suite(&self) -> String {
        self.inner.suite().name().to_string()
    }
}

/// A recipient public key.
#[wasm_bindgen]
pub struct PublicKey {
    pub(crate) inner: core_api::PublicKey,
}

#[wasm_bindgen]
impl PublicKey {
    /// A public key from a JWK (object or JSON text); a private JWK also works, only its public part is kept.
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(
        #[wasm_bindgen(unchecked_param_type = "JsonWebKey | string")] jwk: JsValue,
    ) -> JsResult<PublicKey> {
        let text = zeroize::Zeroizing::new(convert::json_text(
            &jwk,
            "a JWK must be an object or JSON text",
        )?);
        let inner = core_api::PublicKey::from_jwk(&text).or_throw()?;
        Ok(PublicKey { inner })
    }

    /// A public key from its serialization (32 bytes for X25519, 65 for P-256, 1216 for X-Wing).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "SuiteName")] suite: String,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    ) -> JsResult<PublicKey> {
        let suite = convert::suite(Some(suite))?;
        let bytes = convert::byte_array(bytes, KEY_BYTES)?;
        let inner = core_api::PublicKey::from_bytes(suite, &bytes).or_throw()?;
        Ok(PublicKey { inner })
    }

    /// The public key as a JWK object.
    #[wasm_bindgen(js_name = toJwk, unchecked_return_type = "JsonWebKey")]
    pub fn to_jwk(&self) -> JsResult<JsValue> {
        convert::parse_json(&self.inner.to_jwk())
    }

    /// The serialized public key.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(self.inner.to_bytes().as_slice())
    }

    /// The key id.
    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }

    /// The suite name.
    #[wasm_bindgen(getter, unchecked_return_type = "SuiteName")]
    pub fn suite(&self) -> String {
        self.inner.suite().name().to_string()
    }
}

/// A public keyset document: what a client fetches from its back end.
#[wasm_bindgen]
pub struct Keyset {
    pub(crate) inner: core_api::Keyset,
}

#[wasm_bindgen]
impl Keyset {
    /// Parses and validates a keyset document (an object or JSON text).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "object | string")] keyset: JsValue,
    ) -> JsResult<Keyset> {
        let text = convert::json_text(&keyset, "a keyset must be an object or JSON text")?;
        let inner = core_api::Keyset::from_json(&text).or_throw()?;
        Ok(Keyset { inner })
    }

    /// A keyset of one primary key. `options.created` and `options.notAfter`
    /// are Unix seconds; `created` defaults to now, `notAfter` to never.
    #[wasm_bindgen(js_name = fromPublicKey)]
    pub fn from_public_key(
        key: &PublicKey,
        #[wasm_bindgen(unchecked_optional_param_type = "{ created?: number; notAfter?: number }")]
        options: Option<js_sys::Object>,
    ) -> JsResult<Keyset> {
        let (created, not_after) = dates(options.as_ref())?;
        let inner = core_api::Keyset::from_public_key(&key.inner, created, not_after).or_throw()?;
        Ok(Keyset { inner })
    }

    /// The keyset document as a plain object.
    #[wasm_bindgen(js_name = toJson, unchecked_return_type = "object")]
    pub fn to_json(&self) -> JsResult<JsValue> {
        convert::parse_json(&self.inner.to_json())
    }

    /// Adds `key` (not the primary: {@link Keyset.promote} makes it so), with
    /// the dates of {@link Keyset.fromPublicKey}. A key already in the keyset
    /// is `INVALID_KEYSET`.
    pub fn add(
        &mut self,
        key: &PublicKey,
        #[wasm_bindgen(unchecked_optional_param_type = "{ created?: number; notAfter?: number }")]
        options: Option<js_sys::Object>,
    ) -> JsResult<()> {
        let (created, not_after) = dates(options.as_ref())?;
        self.inner.add(&key.inner, created, not_after).or_throw()
    }

    /// Makes the key `kid` the primary: new sealers seal to it.
    pub fn promote(&mut self, kid: &str) -> JsResult<()> {
        self.inner.promote(&convert::kid(kid)?).or_throw()
    }

    /// Removes the key `kid`; the primary cannot be retired (`INVALID_KEYSET`).
    pub fn retire(&mut self, kid: &str) -> JsResult<()> {
        self.inner.retire(&convert::kid(kid)?).or_throw()
    }

    /// The key id of the primary key.
    #[wasm_bindgen(getter, js_name = primaryKid)]
    pub fn primary_kid(&self) -> String {
        self.inner.primary_kid().to_string()
    }

    /// Checks that `text` (the text form) is sealed to a key of this keyset
    /// that is not past its `notAfter` (the clock), and returns it parsed:
    /// what a service that stores sealed fields, holding no private key,
    /// checks before it accepts one. Throws `BAD_PREFIX` for a clear value
    /// and the other errors of {@link Sealed.parse}, then `UNKNOWN_KEY`, then
    /// `KEY_EXPIRED`. Only opening checks the tag.
    #[wasm_bindgen(js_name = checkSealed)]
    pub fn check_sealed(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: &JsValue,
    ) -> JsResult<Sealed> {
        let text = convert::string(text, "Keyset.checkSealed takes the text form (a string)")?;
        Ok(Sealed {
            inner: self.inner.check_sealed(&text).or_throw()?,
        })
    }

    /// Every key with its dates, in document order.
    #[wasm_bindgen(getter, unchecked_return_type = "KeysetEntry[]")]
    pub fn entries(&self) -> js_sys::Array {
        self.inner
            .entries()
            .iter()
            .map(|e| {
                let not_after = e
                    .not_after()
                    .map_or(JsValue::UNDEFINED, |t| (t as f64).into());
                convert::object(&[
                    (
                        "key",
                        PublicKey {
                            inner: e.key().clone(),
                        }
                        .into(),
                    ),
                    ("kid", e.key().kid().to_string().into()),
                    ("created", (e.created() as f64).into()),
                    ("notAfter", not_after),
                ])
            })
            .collect()
    }

    /// The number of keys.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }
}

/// `created` and `notAfter` of a keyset options object; core defaults them.
fn dates(options: Option<&js_sys::Object>) -> JsResult<(Option<u64>, Option<u64>)> {
    Ok((
        convert::whole_option(options, "created", 0.0, DATES)?,
        convert::whole_option(options, "notAfter", 0.0, DATES)?,
    ))
}

/// Private keys by key id, for opening (a back end, or a test).
#[wasm_bindgen]
pub struct Keyring {
    pub(crate) inner: core_api::Keyring,
}

#[wasm_bindgen]
impl Keyring {
    /// An empty keyring.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Keyring {
        Keyring {
            inner: core_api::Keyring::new(),
        }
    }

    /// A keyring from a private JWK set `{"keys": [...]}` (an object or JSON text).
    #[wasm_bindgen(js_name = fromJwks)]
    pub fn from_jwks(
        #[wasm_bindgen(unchecked_param_type = "{ keys: JsonWebKey[] } | string")] jwks: JsValue,
    ) -> JsResult<Keyring> {
        let text = zeroize::Zeroizing::new(convert::json_text(
            &jwks,
            "a JWK set must be an object or JSON text",
        )?);
        let inner = core_api::Keyring::from_jwks(&text).or_throw()?;
        Ok(Keyring { inner })
    }

    /// Adds a key pair; returns false (and changes nothing) when a key of
    /// that id is already there: the id is a hash of the public key.
    pub fn add(&mut self, key: &KeyPair) -> bool {
        self.inner.add(key.inner.clone())
    }

    /// The key ids.
    #[wasm_bindgen(getter)]
    pub fn kids(&self) -> Vec<String> {
        self.inner.kids().map(|k| k.to_string()).collect()
    }

    /// The number of keys.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    /// The keyring as a private JWK set object. Secret.
    #[wasm_bindgen(js_name = toJwks, unchecked_return_type = "{ keys: JsonWebKey[] }")]
    pub fn to_jwks(&self) -> JsResult<JsValue> {
        convert::parse_json(&self.inner.to_jwks())
    }
}
