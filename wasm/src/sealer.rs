//! `Sealer`: seals fields to one recipient, in a session.

use crate::convert;
use crate::error::{JsResult, OrThrow};
use crate::keys::{Keyset, PublicKey};
use crate::signed::{self, SignerPins};
use crate::template::ContextTemplate;
use crate::webcrypto::{self, WebCryptoJob};
use enseal_core as core_api;
use enseal_core::Context;
use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

const VALUE: &str = "a value to seal must be a string or a Uint8Array";
const CONTEXT: &str = "a context must be a string or a Uint8Array";

/// Seals fields to one recipient public key. One key encapsulation per
/// session, then each field costs one AES-256-GCM: seal every field of a form
/// or record with the same sealer.
#[wasm_bindgen]
pub struct Sealer {
    inner: core_api::Sealer,
    /// The WebCrypto key of the session the async path last used.
    imported: webcrypto::ImportedKey,
}

/// The `{ fieldLimit, maxSessionAge }` options as core's limits: each
/// absent one is core's default; the ranges are core's to check.
fn limits(options: Option<&js_sys::Object>) -> JsResult<core_api::SessionLimits> {
    let defaults = core_api::SessionLimits::default();
    let field_limit = convert::whole_option(
        options,
        "fieldLimit",
        1.0,
        "fieldLimit must be a whole number from 1 to 2^32",
    )?;
    let max_age = convert::whole_option(
        options,
        "maxSessionAge",
        0.0,
        "maxSessionAge must be a whole number of seconds (at least 1)",
    )?;
    Ok(core_api::SessionLimits {
        max_fields: field_limit.unwrap_or(defaults.max_fields),
        max_age: max_age.map_or(defaults.max_age, std::time::Duration::from_secs),
    })
}

impl Sealer {
    fn wrap(inner: core_api::Sealer) -> Sealer {
        Sealer {
            inner,
            imported: webcrypto::ImportedKey::default(),
        }
    }
}

#[wasm_bindgen]
impl Sealer {
    /// A sealer for `recipient`. A session ends, and the next field starts a
    /// fresh one, after `options.fieldLimit` fields (1 to 2^32, default 2^32)
    /// or once it is `options.maxSessionAge` seconds old (at least 1, default
    /// 3600: a tab left open for a week still changes session every hour);
    /// out of range throws `INVALID_ARGUMENT`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        recipient: &PublicKey,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ fieldLimit?: number, maxSessionAge?: number }"
        )]
        options: Option<js_sys::Object>,
    ) -> JsResult<Sealer> {
        let limits = limits(options.as_ref())?;
        let inner = core_api::Sealer::with_limits(&recipient.inner, limits).or_throw()?;
        Ok(Sealer::wrap(inner))
    }

    /// A sealer for the keyset's primary key, with the session limits of
    /// the constructor's options. When that key has a `notAfter`, every seal
    /// (and `rekey`) first reads the clock and throws `KEY_EXPIRED` once it
    /// has passed; so does this, for an expired key.
    #[wasm_bindgen(js_name = fromKeyset)]
    pub fn from_keyset(
        keyset: &Keyset,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ fieldLimit?: number, maxSessionAge?: number }"
        )]
        options: Option<js_sys::Object>,
    ) -> JsResult<Sealer> {
        let limits = limits(options.as_ref())?;
        Ok(Sealer::wrap(
            core_api::Sealer::from_keyset_with_limits(&keyset.inner, limits).or_throw()?,
        ))
    }

    /// A sealer for the primary key of a signed keyset that verifies under
    /// `pins` (as {@link Keyset.fromSigned}, with its `options.minVersion`),
    /// with the session limits of the constructor's options. Nothing can be
    /// sealed to a keyset that does not verify: this throws its code
    /// (`KEYSET_UNSIGNED`, `KEYSET_BAD_SIGNATURE`, `KEYSET_EXPIRED`,
    /// `KEYSET_ROLLBACK`) and no sealer exists.
    #[wasm_bindgen(js_name = fromSignedKeyset)]
    pub fn from_signed_keyset(
        #[wasm_bindgen(unchecked_param_type = "string")] jws: JsValue,
        pins: &SignerPins,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ minVersion?: number, fieldLimit?: number, maxSessionAge?: number }"
        )]
        options: Option<js_sys::Object>,
    ) -> JsResult<Sealer> {
        let limits = limits(options.as_ref())?;
        let verified = signed::verify(&jws, pins, options.as_ref())?;
        Ok(Sealer::wrap(
            core_api::Sealer::from_keyset_with_limits(verified.keyset(), limits).or_throw()?,
        ))
    }

    /// When this sealer starts a fresh session: after `fieldLimit` fields, or
    /// once a session is `maxSessionAge` seconds old.
    #[wasm_bindgen(getter, unchecked_return_type = "SessionLimits")]
    pub fn limits(&self) -> JsValue {
        let limits = self.inner.limits();
        convert::object(&[
            ("fieldLimit", JsValue::from(limits.max_fields as f64)),
            (
                "maxSessionAge",
                JsValue::from(limits.max_age.as_secs() as f64),
            ),
        ])
    }

    /// Seals the values at `pointers` (the syntax of {@link Sealer.sealJson})
    /// of the record `record` (one JSON object: a form, an NDJSON line, a CSV
    /// row as an object), each with the context `template` gives it
    /// (docs/FORMAT.md §7.1), padded as `sealJson` pads (`options.padTo`,
    /// default 16). Returns the sealed record in the form given: JSON text
    /// for text (numbers stay as written), a new object for an object. A
    /// template field the record lacks (or holds as `null`, an object, an
    /// array), a field among the values being sealed, and a template without
    /// `{pointer}` for two or more values throw `INVALID_TEMPLATE` naming
    /// the field. All or nothing.
    #[wasm_bindgen(js_name = sealRecord, unchecked_return_type = "unknown")]
    pub fn seal_record(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object | string")] record: JsValue,
        pointers: Vec<String>,
        template: &ContextTemplate,
        #[wasm_bindgen(unchecked_optional_param_type = "{ padTo?: number }")] options: Option<
            js_sys::Object,
        >,
    ) -> JsResult<JsValue> {
        let pad_to = pad_to(options.as_ref())?;
        let text = zeroize::Zeroizing::new(convert::json_text(
            &record,
            "a record must be an object or JSON text",
        )?);
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let sealed = self
            .inner
            .seal_record_padded(&text, &pointers, &template.inner, pad_to)
            .or_throw()?;
        convert::same_form(&record, &sealed)
    }

    /// Seals `value` (a string is sealed as UTF-8) bound to `context` (where
    /// the value lives, e.g. `"patients/8812/ssn"`); returns the text form
    /// `enseal1.…`. The same context is needed to open it.
    #[wasm_bindgen(unchecked_return_type = "string")]
    pub fn seal(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Bytes")] value: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Bytes")] context: JsValue,
    ) -> JsResult<JsValue> {
        self.seal_value(&value, &context, true)
    }

    /// As {@link Sealer.seal}, returning the binary form (67 bytes shorter
    /// for X25519; for files and binary stores).
    #[wasm_bindgen(js_name = sealBinary)]
    pub fn seal_binary(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Bytes")] value: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Bytes")] context: JsValue,
    ) -> JsResult<Uint8Array> {
        self.seal_value(&value, &context, false)
            .map(JsCast::unchecked_into)
    }

    /// Seals every value of `values` with its context: `contexts` is one
    /// context per value, or a single context for all. Returns the text
    /// forms. All or nothing; an error names the value (`batch value 3: …`)
    /// and keeps its code.
    #[wasm_bindgen(js_name = sealBatch)]
    pub fn seal_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Bytes[]")] values: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Bytes | Bytes[]")] contexts: JsValue,
    ) -> JsResult<Vec<String>> {
        let values = convert::array(&values, "sealBatch takes an array of values")?;
        let values = values
            .iter()
            .enumerate()
            .map(|(i, v)| convert::batch_bytes(i, v, VALUE).map(zeroize::Zeroizing::new))
            .collect::<JsResult<Vec<_>>>()?;
        let contexts = convert::contexts(&contexts, CONTEXT)?;
        let contexts: Vec<Context<'_>> = contexts.iter().map(|c| Context::bytes(c)).collect();
        self.inner.seal_batch(&values, &contexts).or_throw()
    }

    /// Seals the values at `pointers` (JSON Pointers, RFC 6901; `*` matches
    /// every array element, and is `INVALID_POINTER` on an object, as are
    /// overlapping pointers) of a copy of `doc`, each bound to its pointer and
    /// `recordId`. Returns the copy; `doc` is not changed. All or nothing.
    /// Each value's JSON text is padded with spaces to a multiple of
    /// `options.padTo` bytes (default 16, so `true` and `false` seal to the
    /// same length; 0 or 1: no padding; at most 65536), e.g. 64 to hide the
    /// length of names. A clear string that already starts with `enseal1.`
    /// is `ALREADY_SEALED`.
    #[wasm_bindgen(js_name = sealJson, unchecked_return_type = "unknown")]
    pub fn seal_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object | string")] doc: JsValue,
        pointers: Vec<String>,
        #[wasm_bindgen(js_name = recordId, unchecked_optional_param_type = "string | null")]
        record_id: Option<String>,
        #[wasm_bindgen(unchecked_optional_param_type = "{ padTo?: number }")] options: Option<
            js_sys::Object,
        >,
    ) -> JsResult<JsValue> {
        let pad_to = pad_to(options.as_ref())?;
        let text = zeroize::Zeroizing::new(convert::json_text(
            &doc,
            "a document must be an object or JSON text",
        )?);
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let sealed = self
            .inner
            .seal_json_text_padded(&text, &pointers, record_id.as_deref(), pad_to)
            .or_throw()?;
        convert::parse_json(&sealed)
    }

    /// The first half of `sealBinaryAsync`/`sealAsync` (`js/webcrypto.js`):
    /// a small value sealed at once, or the WebCrypto job for a large one.
    #[wasm_bindgen(js_name = _sealStart, skip_typescript)]
    pub fn seal_start(&self, value: JsValue, context: JsValue, text: bool) -> JsResult<JsValue> {
        let context = convert::bytes(&context, CONTEXT)?;
        // Byte arrays stay in JavaScript until the size is known: a large one
        // goes to WebCrypto as it is, never copied into wasm.
        let value = match value.dyn_into::<Uint8Array>() {
            Ok(array) if array.length() as usize >= webcrypto::THRESHOLD => array,
            Ok(array) => {
                let bytes = zeroize::Zeroizing::new(array.to_vec());
                return self.seal_small(&bytes, &context, text);
            }
            Err(other) => {
                let bytes = zeroize::Zeroizing::new(convert::bytes(&other, VALUE)?);
                if bytes.len() < webcrypto::THRESHOLD {
                    return self.seal_small(&bytes, &context, text);
                }
                Uint8Array::from(bytes.as_slice())
            }
        };
        let field = self
            .inner
            .delegate_seal(value.length() as usize, Context::bytes(&context))
            .or_throw()?;
        let id = field.session_id().to_be_bytes();
        let key = self.imported.get(&id, field.key(), "encrypt")?;
        Ok(WebCryptoJob::seal(field, key, value, text)?.into())
    }

    /// Starts a fresh session now (a new key encapsulation): to separate
    /// batches, and right after the process was restored from a snapshot (VM
    /// clone, Lambda SnapStart), which no sealer can detect. `KEY_EXPIRED`
    /// once a keyset sealer's key is past its `notAfter`.
    pub fn rekey(&self) -> JsResult<()> {
        self.inner.rekey().or_throw()
    }

    /// The Unix second after which this sealer refuses to seal
    /// (`KEY_EXPIRED`): its keyset key's `notAfter`; `undefined`: never.
    #[wasm_bindgen(getter, js_name = notAfter)]
    pub fn not_after(&self) -> Option<f64> {
        self.inner.not_after().map(|t| t as f64)
    }
}

/// `options.padTo` of `sealJson` and `sealRecord`.
fn pad_to(options: Option<&js_sys::Object>) -> JsResult<usize> {
    Ok(
        match convert::whole_option(
            options,
            "padTo",
            0.0,
            "padTo must be a whole number from 0 to 65536",
        )? {
            // Out of range on wasm32 is refused by core, as any value over 65536.
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
            None => core_api::DEFAULT_JSON_PADDING,
        },
    )
}

impl Sealer {
    /// The one body of `seal` and `sealBinary` (one copy in the wasm module).
    #[inline(never)]
    fn seal_value(&self, value: &JsValue, context: &JsValue, text: bool) -> JsResult<JsValue> {
        let value = zeroize::Zeroizing::new(convert::bytes(value, VALUE)?);
        let context = convert::bytes(context, CONTEXT)?;
        self.seal_small(&value, &context, text)
    }

    /// Below the WebCrypto threshold: sealed in wasm, as `seal`/`sealBinary` do.
    fn seal_small(&self, plaintext: &[u8], context: &[u8], text: bool) -> JsResult<JsValue> {
        let context = Context::bytes(context);
        if text {
            return Ok(JsValue::from_str(
                &self.inner.seal(plaintext, context).or_throw()?,
            ));
        }
        let sealed = self.inner.seal_binary(plaintext, context).or_throw()?;
        Ok(Uint8Array::from(sealed.as_slice()).into())
    }
}
