//! `Sealed`: a parsed sealed value, inspected without any key.

use crate::convert;
use crate::error::{JsResult, OrThrow};
use enseal_core as core_api;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

/// A sealed value, parsed and checked (prefix, encoding, version, suite,
/// lengths), that tells which key it was sealed to without opening it:
/// for key rotation ("which values still need the old key?") and tools.
/// {@link Opener.open} takes it as it takes the text form.
#[wasm_bindgen]
pub struct Sealed {
    pub(crate) inner: core_api::Sealed,
}

#[wasm_bindgen]
impl Sealed {
    /// Parses the text form `enseal1.…` (the errors of opening up to the key:
    /// `BAD_PREFIX`, `BAD_ENCODING`, `TRUNCATED`, `TOO_LARGE`,
    /// `UNSUPPORTED_VERSION`, `UNSUPPORTED_SUITE`).
    pub fn parse(
        #[wasm_bindgen(unchecked_param_type = "string")] text: &JsValue,
    ) -> JsResult<Sealed> {
        let text = convert::string(
            text,
            "Sealed.parse takes the text form (a string); for bytes use Sealed.fromBinary",
        )?;
        Ok(Sealed {
            inner: core_api::Sealed::parse(&text).or_throw()?,
        })
    }

    /// Parses the binary form (a `Uint8Array`), with the errors of {@link Sealed.parse}.
    #[wasm_bindgen(js_name = fromBinary)]
    pub fn from_binary(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    ) -> JsResult<Sealed> {
        let bytes = convert::byte_array(
            bytes,
            "Sealed.fromBinary takes the binary form (a Uint8Array); for text use Sealed.parse",
        )?;
        Ok(Sealed {
            inner: core_api::Sealed::from_binary(bytes).or_throw()?,
        })
    }

    /// The format version (1).
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> u8 {
        self.inner.version()
    }

    /// The suite of the key it was sealed to.
    #[wasm_bindgen(getter, unchecked_return_type = "SuiteName")]
    pub fn suite(&self) -> String {
        self.inner.suite().name().to_string()
    }

    /// The id of the key it was sealed to (as `PublicKey.kid`).
    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }

    /// The session it was sealed in: 22 characters of base64url.
    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.inner.session_id().to_string()
    }

    /// Its number within the session (0 for the first field).
    #[wasm_bindgen(getter)]
    pub fn counter(&self) -> u64 {
        // A bigint: a value not yet authenticated may carry any 64-bit counter
        // (docs/FORMAT.md §4), which a number would round.
        self.inner.counter()
    }

    /// The plaintext's length in bytes.
    #[wasm_bindgen(getter, js_name = plaintextLen)]
    pub fn plaintext_len(&self) -> usize {
        self.inner.plaintext_len()
    }

    /// The length of the binary form in bytes.
    #[wasm_bindgen(getter, js_name = binaryLen)]
    pub fn binary_len(&self) -> usize {
        self.inner.binary_len()
    }

    /// The length of the text form in characters.
    #[wasm_bindgen(getter, js_name = textLen)]
    pub fn text_len(&self) -> usize {
        self.inner.text_len()
    }

    /// The text form `enseal1.…`.
    #[wasm_bindgen(js_name = toText)]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// The binary form.
    #[wasm_bindgen(js_name = toBinary)]
    pub fn to_binary(&self) -> Uint8Array {
        Uint8Array::from(self.inner.as_binary())
    }
}
