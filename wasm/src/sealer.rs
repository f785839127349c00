//! `Sealer`: seals fields to one recipient, in a session.

use crate::convert;
use crate::error::{JsResult, OrThrow};
use crate::keys::{Keyset, PublicKey};
use crate::webcrypto;
use enseal_core as core_api;
use js_sys::Uint8Array;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::CryptoKey;

const VALUE: &str = "a value to seal must be a string or a Uint8Array";
const CONTEXT: &str = "a context must be a string or a Uint8Array";

/// Seals fields to one recipient public key. One key encapsulation per
/// session, then each field costs one AES-256-GCM: seal every field of a form
/// or record with the same sealer.
#[wasm_bindgen]
pub struct Sealer {
    inner: core_api::Sealer,
    /// The WebCrypto key of the session the async path last used.
    imported: RefCell<Option<(u64, CryptoKey)>>,
}

impl Sealer {
    fn wrap(inner: core_api::Sealer) -> Sealer {
        Sealer {
            inner,
            imported: RefCell::new(None),
        }
    }
}

#[wasm_bindgen]
impl Sealer {
    /// A sealer for `recipient`. `options.fieldLimit` (1 to 2^32, default
    /// 2^32) is how many fields one session seals before a fresh one starts.
    #[wasm_bindgen(constructor)]
    pub fn new(
        recipient: &PublicKey,
        #[wasm_bindgen(unchecked_param_type = "{ fieldLimit?: number }")] options: Option<
            js_sys::Object,
        >,
    ) -> JsResult<Sealer> {
        let inner = match convert::whole_option(
            options.as_ref(),
            "fieldLimit",
            1.0,
            "fieldLimit must be a whole number from 1 to 2^32",
        )? {
            Some(limit) => core_api::Sealer::with_field_limit(&recipient.inner, limit),
            None => core_api::Sealer::new(&recipient.inner),
        }
        .or_throw()?;
        Ok(Sealer::wrap(inner))
    }

    /// A sealer for the keyset's primary key; refused (`KEY_EXPIRED`) past its `notAfter`.
    #[wasm_bindgen(js_name = fromKeyset)]
    pub fn from_keyset(keyset: &Keyset) -> JsResult<Sealer> {
        Ok(Sealer::wrap(
            core_api::Sealer::from_keyset(&keyset.inner).or_throw()?,
        ))
    }

    /// Seals `value` (a string is sealed as UTF-8) bound to `context` (where
    /// the value lives, e.g. `"patients/8812/ssn"`); returns the text form
    /// `enseal1.…`. The same context is needed to open it.
    pub fn seal(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] value: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] context: JsValue,
    ) -> JsResult<String> {
        let value = zeroize::Zeroizing::new(convert::bytes(&value, VALUE)?);
        let context = convert::bytes(&context, CONTEXT)?;
        self.inner.seal_text(&value, &context).or_throw()
    }

    /// As {@link Sealer.seal}, returning the binary form (67 bytes shorter
    /// than base64url for nothing; for files and binary stores).
    #[wasm_bindgen(js_name = sealBinary)]
    pub fn seal_binary(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] value: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] context: JsValue,
    ) -> JsResult<Uint8Array> {
        let value = zeroize::Zeroizing::new(convert::bytes(&value, VALUE)?);
        let context = convert::bytes(&context, CONTEXT)?;
        let sealed = self.inner.seal(&value, &context).or_throw()?;
        Ok(Uint8Array::from(&sealed[..]))
    }

    /// Seals the values at `pointers` (JSON Pointers, RFC 6901; `*` matches
    /// every array element) of a copy of `doc`, each bound to its pointer and
    /// `recordId`. Returns the copy; `doc` is not changed. All or nothing.
    #[wasm_bindgen(js_name = sealJson, unchecked_return_type = "any")]
    pub fn seal_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object")] doc: JsValue,
        pointers: Vec<String>,
        #[wasm_bindgen(js_name = recordId)] record_id: Option<String>,
    ) -> JsResult<JsValue> {
        let text = zeroize::Zeroizing::new(convert::json_text(
            &doc,
            "a document must be an object or JSON text",
        )?);
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let sealed = self
            .inner
            .seal_json_text(&text, &pointers, record_id.as_deref())
            .or_throw()?;
        convert::parse_json(&sealed)
    }

    /// As {@link Sealer.sealBinary}, but values of 2 KiB and more are
    /// encrypted by WebCrypto (hardware AES) instead of wasm, without being
    /// copied into wasm memory. Same format.
    #[wasm_bindgen(js_name = sealBinaryAsync, unchecked_return_type = "Promise<Uint8Array>")]
    pub async fn seal_binary_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] value: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] context: JsValue,
    ) -> JsResult<JsValue> {
        Ok(self.seal_async_binary(value, context).await?.into())
    }

    /// As {@link Sealer.seal} (text form), with the WebCrypto path of
    /// {@link Sealer.sealBinaryAsync} for large values.
    #[wasm_bindgen(js_name = sealAsync, unchecked_return_type = "Promise<string>")]
    pub async fn seal_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] value: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] context: JsValue,
    ) -> JsResult<JsValue> {
        let sealed = self.seal_async_binary(value, context).await?.to_vec();
        Ok(JsValue::from_str(&core_api::encode_text(&sealed)))
    }

    /// Starts a fresh session now (a new key encapsulation).
    pub fn rekey(&self) -> JsResult<()> {
        self.inner.rekey().or_throw()
    }
}

impl Sealer {
    async fn seal_async_binary(&self, value: JsValue, context: JsValue) -> JsResult<Uint8Array> {
        let context = convert::bytes(&context, CONTEXT)?;
        // Byte arrays stay in JavaScript until the size is known: a large one
        // goes to WebCrypto as it is, never copied into wasm.
        let value = match value.dyn_into::<Uint8Array>() {
            Ok(array) if array.length() as usize >= webcrypto::THRESHOLD => array,
            Ok(array) => {
                let bytes = zeroize::Zeroizing::new(array.to_vec());
                return self.seal_small(&bytes, &context);
            }
            Err(other) => {
                let bytes = zeroize::Zeroizing::new(convert::bytes(&other, VALUE)?);
                if bytes.len() < webcrypto::THRESHOLD {
                    return self.seal_small(&bytes, &context);
                }
                Uint8Array::from(bytes.as_slice())
            }
        };
        let field = self
            .inner
            .delegate_seal(value.length() as usize, &context)
            .or_throw()?;
        let key = self.session_key(&field).await?;
        let body = webcrypto::encrypt(&key, field.nonce(), field.aad(), &value).await?;
        field.check_output_len(body.length() as usize).or_throw()?;
        let header = field.header();
        let sealed = Uint8Array::new_with_length((header.len() + body.length() as usize) as u32);
        sealed.subarray(0, header.len() as u32).copy_from(header);
        sealed.set(&body, header.len() as u32);
        Ok(sealed)
    }

    /// Below the WebCrypto threshold: sealed in wasm, as `sealBinary` does.
    fn seal_small(&self, plaintext: &[u8], context: &[u8]) -> JsResult<Uint8Array> {
        let sealed = self.inner.seal(plaintext, context).or_throw()?;
        Ok(Uint8Array::from(sealed.as_slice()))
    }

    async fn session_key(&self, field: &core_api::delegated::DelegatedSeal) -> JsResult<CryptoKey> {
        let cached = self
            .imported
            .borrow()
            .as_ref()
            .and_then(|(id, key)| (*id == field.session_id()).then(|| key.clone()));
        if let Some(key) = cached {
            return Ok(key);
        }
        let key = webcrypto::import_key(field.key(), "encrypt").await?;
        *self.imported.borrow_mut() = Some((field.session_id(), key.clone()));
        Ok(key)
    }
}
