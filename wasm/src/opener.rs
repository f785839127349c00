//! `Opener`: opens sealed fields with a keyring (a Node back end, a test).

use crate::convert;
use crate::error::{JsResult, OrThrow, to_js};
use crate::keys::Keyring;
use crate::sealed::Sealed;
use crate::template::ContextTemplate;
use crate::webcrypto::{self, WebCryptoJob};
use enseal_core as core_api;
use enseal_core::{Context, Error};
use js_sys::Uint8Array;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

const BINARY: &str = "the binary form must be a Uint8Array; the text form opens with open";
const CONTEXT: &str = "a context must be a string or a Uint8Array";

/// Opens sealed fields with the private keys of a keyring, caching the
/// session keys it derives (a session's fields cost one decapsulation).
#[wasm_bindgen]
pub struct Opener {
    /// Shared with the WebCrypto jobs, which confirm the sessions they open.
    inner: Rc<core_api::Opener>,
    /// The WebCrypto key of the session the async path last used.
    imported: webcrypto::ImportedKey,
}

/// The text form, refused when `sealed` is not a string. (A `Sealed` never
/// gets here: `js/sealed.js` sends it to the `_openSealed` methods.)
fn text(sealed: &JsValue) -> JsResult<String> {
    convert::string(
        sealed,
        "a sealed value must be its text form (a string) or a Sealed; the binary form opens with openBinary",
    )
}

#[wasm_bindgen]
impl Opener {
    /// An opener over a copy of `keyring`'s keys.
    #[wasm_bindgen(constructor)]
    pub fn new(keyring: &Keyring) -> Opener {
        Opener {
            inner: Rc::new(core_api::Opener::new(keyring.inner.clone())),
            imported: webcrypto::ImportedKey::default(),
        }
    }

    /// Opens `sealed` (the text form `enseal1.…`, or a {@link Sealed}) that
    /// was sealed with `context`, and returns the value's bytes.
    pub fn open(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Sealed")] sealed: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Bytes")] context: JsValue,
    ) -> JsResult<Uint8Array> {
        let text = text(&sealed)?;
        self.open_to(Input::Text(&text), &context, false)
            .map(JsCast::unchecked_into)
    }

    /// As {@link Opener.open}, returning the value as a string
    /// (`INVALID_ARGUMENT` when it is not UTF-8).
    #[wasm_bindgen(js_name = openString, unchecked_return_type = "string")]
    pub fn open_string(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Sealed")] sealed: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Bytes")] context: JsValue,
    ) -> JsResult<JsValue> {
        let text = text(&sealed)?;
        self.open_to(Input::Text(&text), &context, true)
    }

    /// Opens the binary form (a `Uint8Array`, as {@link Sealer.sealBinary}
    /// returns) and returns the value's bytes.
    #[wasm_bindgen(js_name = openBinary)]
    pub fn open_binary(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] sealed: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Bytes")] context: JsValue,
    ) -> JsResult<Uint8Array> {
        let sealed = convert::byte_array(sealed, BINARY)?;
        let context = convert::bytes(&context, CONTEXT)?;
        let opened = self
            .inner
            .open_binary(&sealed, Context::bytes(&context))
            .or_throw()?;
        Ok(Uint8Array::from(&opened[..]))
    }

    /// Opens every text form of `sealed` with its context: `contexts` is one
    /// context per value, or a single context for all. All or nothing; an
    /// error names the value (`batch value 3: …`) and keeps its code.
    #[wasm_bindgen(js_name = openBatch, unchecked_return_type = "Uint8Array[]")]
    pub fn open_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] sealed: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Bytes | Bytes[]")] contexts: JsValue,
    ) -> JsResult<js_sys::Array> {
        let sealed = convert::array(&sealed, "openBatch takes an array of text forms")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_string().ok_or_else(|| {
                    to_js(Error::Batch {
                        index: i,
                        source: Box::new(Error::InvalidArgument(
                            "a batch value must be a text form (a string)",
                        )),
                    })
                })
            })
            .collect::<JsResult<Vec<String>>>()?;
        let contexts = convert::contexts(&contexts, CONTEXT)?;
        let contexts: Vec<Context<'_>> = contexts.iter().map(|c| Context::bytes(c)).collect();
        let opened = self.inner.open_batch(&sealed, &contexts).or_throw()?;
        Ok(opened
            .iter()
            .map(|v| JsValue::from(Uint8Array::from(&v[..])))
            .collect())
    }

    /// {@link Opener.open} of a `Sealed` (js/sealed.js calls it).
    #[wasm_bindgen(js_name = _openSealed, skip_typescript)]
    pub fn open_sealed(&self, sealed: &Sealed, context: JsValue) -> JsResult<JsValue> {
        self.open_to(Input::Parsed(&sealed.inner), &context, false)
    }

    /// {@link Opener.openString} of a `Sealed` (js/sealed.js calls it).
    #[wasm_bindgen(js_name = _openSealedString, skip_typescript)]
    pub fn open_sealed_string(&self, sealed: &Sealed, context: JsValue) -> JsResult<JsValue> {
        self.open_to(Input::Parsed(&sealed.inner), &context, true)
    }

    /// Opens the values at `pointers` (the syntax of {@link Sealer.sealJson})
    /// in a copy of `doc`, each with the context of its JSON Pointer and
    /// `recordId`, restoring each value's JSON type. Exactly those values are
    /// opened: a value there that is not a sealed string throws `NOT_SEALED`,
    /// and strings elsewhere stay as they are, so a client cannot have a
    /// sealed value it planted in a clear field opened. The way for servers.
    #[wasm_bindgen(js_name = openJson, unchecked_return_type = "unknown")]
    pub fn open_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object | string")] doc: JsValue,
        pointers: Vec<String>,
        #[wasm_bindgen(js_name = recordId)] record_id: Option<String>,
    ) -> JsResult<JsValue> {
        let text = convert::json_text(&doc, "a document must be an object or JSON text")?;
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let opened = self
            .inner
            .open_json_text(&text, &pointers, record_id.as_deref())
            .or_throw()?;
        convert::parse_json(&opened)
    }

    /// Opens every string that starts with `enseal1.` in a copy of `doc`,
    /// wherever it is, each with the context of its JSON Pointer and
    /// `recordId`. For tools that do not know the document's schema; servers
    /// use {@link Opener.openJson}, since here a clear value that carries the
    /// prefix makes the document unopenable.
    #[wasm_bindgen(js_name = openJsonAll, unchecked_return_type = "unknown")]
    pub fn open_json_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object | string")] doc: JsValue,
        #[wasm_bindgen(js_name = recordId)] record_id: Option<String>,
    ) -> JsResult<JsValue> {
        let text = convert::json_text(&doc, "a document must be an object or JSON text")?;
        let opened = self
            .inner
            .open_json_text_all(&text, record_id.as_deref())
            .or_throw()?;
        convert::parse_json(&opened)
    }

    /// Opens the values at `pointers` of the record `record` sealed by
    /// {@link Sealer.sealRecord} with `template` (exactly those, as
    /// {@link Opener.openJson}). Returns the opened record in the form
    /// given: JSON text for text, a new object for an object. A template
    /// field the record lacks throws `INVALID_TEMPLATE` naming it, before
    /// anything is opened.
    #[wasm_bindgen(js_name = openRecord, unchecked_return_type = "unknown")]
    pub fn open_record(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object | string")] record: JsValue,
        pointers: Vec<String>,
        template: &ContextTemplate,
    ) -> JsResult<JsValue> {
        let text = convert::json_text(&record, "a record must be an object or JSON text")?;
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let opened = self
            .inner
            .open_record(&text, &pointers, &template.inner)
            .or_throw()?;
        convert::same_form(&record, &opened)
    }

    /// Opens every string that starts with `enseal1.` in the record
    /// `record` (as {@link Opener.openJsonAll}), with `template`'s contexts;
    /// the opened record in the form given.
    #[wasm_bindgen(js_name = openRecordAll, unchecked_return_type = "unknown")]
    pub fn open_record_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object | string")] record: JsValue,
        template: &ContextTemplate,
    ) -> JsResult<JsValue> {
        let text = convert::json_text(&record, "a record must be an object or JSON text")?;
        let opened = self
            .inner
            .open_record_all(&text, &template.inner)
            .or_throw()?;
        convert::same_form(&record, &opened)
    }

    /// The first half of `openAsync` (`binary` false: the text form) and
    /// `openBinaryAsync` (`js/webcrypto.js`): a small value opened at once,
    /// or the WebCrypto job for a large one.
    #[wasm_bindgen(js_name = _openStart, skip_typescript)]
    pub fn open_start(&self, sealed: JsValue, context: JsValue, binary: bool) -> JsResult<JsValue> {
        let sealed = if binary {
            core_api::Sealed::from_binary(convert::byte_array(&sealed, BINARY)?)
        } else {
            core_api::Sealed::parse(&text(&sealed)?)
        }
        .or_throw()?;
        let context = convert::bytes(&context, CONTEXT)?;
        if sealed.binary_len() < webcrypto::THRESHOLD {
            let opened = self
                .inner
                .open(&sealed, Context::bytes(&context))
                .or_throw()?;
            return Ok(Uint8Array::from(&opened[..]).into());
        }
        let field = self
            .inner
            .delegate_open(sealed.as_binary(), Context::bytes(&context))
            .or_throw()?;
        let key = self
            .imported
            .get(field.session_id(), field.key(), "decrypt")?;
        let job = WebCryptoJob::open(key, field, Rc::clone(&self.inner))?;
        Ok(job.into())
    }

    /// The number of session keys currently cached.
    #[wasm_bindgen(getter, js_name = cachedSessions)]
    pub fn cached_sessions(&self) -> usize {
        self.inner.cached_sessions()
    }
}

/// What `open` and `openString` were given.
enum Input<'a> {
    Text(&'a str),
    Parsed(&'a core_api::Sealed),
}

impl Opener {
    /// The one body of `open`, `openString` and their `Sealed` variants (one
    /// copy in the wasm module instead of four): the plaintext's bytes, or
    /// the string core decoded.
    #[inline(never)]
    fn open_to(&self, sealed: Input<'_>, context: &JsValue, string: bool) -> JsResult<JsValue> {
        let context = convert::bytes(context, CONTEXT)?;
        let context = Context::bytes(&context);
        let opened = match (sealed, string) {
            (Input::Text(text), false) => self.inner.open(text, context),
            (Input::Parsed(sealed), false) => self.inner.open(sealed, context),
            (Input::Text(text), true) => {
                return Ok(JsValue::from_str(
                    &self.inner.open_string(text, context).or_throw()?,
                ));
            }
            (Input::Parsed(sealed), true) => {
                return Ok(JsValue::from_str(
                    &self.inner.open_string(sealed, context).or_throw()?,
                ));
            }
        }
        .or_throw()?;
        Ok(Uint8Array::from(&opened[..]).into())
    }
}
