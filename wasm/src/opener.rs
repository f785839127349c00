//! `Opener`: opens sealed fields with a keyring (a Node back end, a test).

use crate::convert;
use crate::error::{JsResult, OrThrow};
use crate::keys::Keyring;
use crate::webcrypto::{self, WebCryptoJob};
use enseal_core as core_api;
use js_sys::Uint8Array;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

const SEALED: &str = "a sealed value must be a string (text form) or a Uint8Array (binary form)";
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

/// The binary form of a sealed value given in either form.
fn binary(sealed: &JsValue) -> JsResult<Vec<u8>> {
    if let Some(text) = sealed.as_string() {
        core_api::decode_text(&text).or_throw()
    } else {
        convert::bytes(sealed, SEALED)
    }
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

    /// Opens `sealed` (text or binary form) that was sealed with `context`,
    /// and returns the value as a string (`INVALID_ARGUMENT` if it is not UTF-8).
    pub fn open(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] sealed: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] context: JsValue,
    ) -> JsResult<String> {
        let opened = self.open_binary(&sealed, &context)?;
        convert::utf8(&opened)
    }

    /// As {@link Opener.open}, returning the value's bytes.
    #[wasm_bindgen(js_name = openBytes)]
    pub fn open_bytes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] sealed: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] context: JsValue,
    ) -> JsResult<Uint8Array> {
        let opened = self.open_binary(&sealed, &context)?;
        Ok(Uint8Array::from(&opened[..]))
    }

    /// Opens the values at `pointers` (the syntax of {@link Sealer.sealJson})
    /// in a copy of `doc`, each with the context of its JSON Pointer and
    /// `recordId`, restoring each value's JSON type. Exactly those values are
    /// opened: a value there that is not a sealed string throws `NOT_SEALED`,
    /// and strings elsewhere stay as they are, so a client cannot have a
    /// sealed value it planted in a clear field opened. The way for servers.
    #[wasm_bindgen(js_name = openJson, unchecked_return_type = "any")]
    pub fn open_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object")] doc: JsValue,
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
    #[wasm_bindgen(js_name = openJsonAll, unchecked_return_type = "any")]
    pub fn open_json_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object")] doc: JsValue,
        #[wasm_bindgen(js_name = recordId)] record_id: Option<String>,
    ) -> JsResult<JsValue> {
        let text = convert::json_text(&doc, "a document must be an object or JSON text")?;
        let opened = self
            .inner
            .open_json_text_all(&text, record_id.as_deref())
            .or_throw()?;
        convert::parse_json(&opened)
    }

    /// The first half of `openBytesAsync` (`js/webcrypto.js`): a small
    /// value opened at once, or the WebCrypto job for a large one.
    #[wasm_bindgen(js_name = _openStart, skip_typescript)]
    pub fn open_start(&self, sealed: JsValue, context: JsValue) -> JsResult<JsValue> {
        let sealed = binary(&sealed)?;
        let context = convert::bytes(&context, CONTEXT)?;
        if sealed.len() < webcrypto::THRESHOLD {
            let opened = self.inner.open(&sealed, &context).or_throw()?;
            return Ok(Uint8Array::from(&opened[..]).into());
        }
        let field = self.inner.delegate_open(&sealed, &context).or_throw()?;
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

impl Opener {
    fn open_binary(
        &self,
        sealed: &JsValue,
        context: &JsValue,
    ) -> JsResult<zeroize::Zeroizing<Vec<u8>>> {
        let sealed = binary(sealed)?;
        let context = convert::bytes(context, CONTEXT)?;
        self.inner.open(&sealed, &context).or_throw()
    }
}
