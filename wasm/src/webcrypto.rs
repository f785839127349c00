//! Bulk AES-256-GCM through WebCrypto (`crypto.subtle`), which runs the
//! platform's hardware AES; wasm has no AES instructions. Core supplies key,
//! nonce and AAD and assembles the result (`enseal::hazmat`), so it is the
//! same format. The methods' declarations are in `js/webcrypto.d.ts`.
//!
//! The async methods are split in two synchronous halves around one awaited
//! WebCrypto call, and the await itself is in `js/webcrypto.js`: wasm-bindgen's
//! future machinery (a closure registered per await and per promise) cost
//! ~40 µs a call in Chromium, more than WebCrypto encrypting 16 KiB.

use crate::error::{JsResult, to_js};
use enseal_core::Error;
use enseal_core::hazmat::{DelegatedOpen, DelegatedSeal, PendingSession};
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::SubtleCrypto;

/// Values at least this long go to WebCrypto in the async methods; shorter
/// ones are sealed in wasm, where a call costs less than WebCrypto's promise
/// round trip. Measured crossover: docs/PERFORMANCE.md ("web").
pub(crate) const THRESHOLD: usize = 2 * 1024;

const UNAVAILABLE: &str = "WebCrypto (crypto.subtle) is not available";

fn subtle() -> JsResult<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .ok()
        .filter(|c| c.is_object())
        .ok_or_else(|| to_js(Error::InvalidArgument(UNAVAILABLE)))?;
    Reflect::get(&crypto, &JsValue::from_str("subtle"))
        .ok()
        .filter(|s| s.is_object())
        .map(JsCast::unchecked_into)
        .ok_or_else(|| to_js(Error::InvalidArgument(UNAVAILABLE)))
}

fn aes_gcm(fields: &[(&str, &JsValue)]) -> JsResult<Object> {
    let params = Object::new();
    for (name, value) in [("name", &JsValue::from_str("AES-GCM"))]
        .into_iter()
        .chain(fields.iter().copied())
    {
        Reflect::set(&params, &JsValue::from_str(name), value)
            .map_err(|_| to_js(Error::Internal("cannot build AES-GCM parameters")))?;
    }
    Ok(params)
}

/// The AES-GCM parameters of one field.
fn field_params(nonce: &[u8; 12], aad: &[u8]) -> JsResult<Object> {
    aes_gcm(&[
        ("iv", &Uint8Array::from(&nonce[..])),
        ("additionalData", &Uint8Array::from(aad)),
    ])
}

/// The `CryptoKey` (a promise of it) of the last session a sealer or opener
/// handed to WebCrypto: a session's key is imported once, not per value.
#[derive(Default)]
pub(crate) struct ImportedKey(RefCell<Option<(Box<[u8]>, Promise)>>);

impl ImportedKey {
    /// The key of session `id`, imported from `key` for `usage` unless it is
    /// the session imported last.
    pub(crate) fn get(&self, id: &[u8], key: &[u8; 32], usage: &str) -> JsResult<Promise> {
        let mut imported = self.0.borrow_mut();
        match &*imported {
            Some((last, promise)) if **last == *id => Ok(promise.clone()),
            _ => {
                let promise = import_key(key, usage)?;
                *imported = Some((id.into(), promise.clone()));
                Ok(promise)
            }
        }
    }
}

/// Starts importing `key` as a non-extractable AES-GCM key and wipes the JS
/// copy (WebCrypto copies key data when called, before the promise settles).
fn import_key(key: &[u8; 32], usage: &str) -> JsResult<Promise> {
    let raw = Uint8Array::from(&key[..]);
    let usages = Array::of1(&JsValue::from_str(usage));
    let promise = subtle()?.import_key_with_object("raw", &raw, &aes_gcm(&[])?, false, &usages);
    raw.fill(0, 0, 32);
    promise.map_err(|_| to_js(Error::Internal("WebCrypto refused the AES key")))
}

enum Finish {
    /// Core assembles the sealed value; returned as binary or text.
    Seal { field: DelegatedSeal, text: bool },
    /// WebCrypto's plaintext is the result; its session is now proven.
    Open {
        opener: Rc<enseal_core::Opener>,
        session: PendingSession,
    },
}

/// One WebCrypto AES-GCM call prepared in wasm: `js/webcrypto.js` runs
/// `crypto.subtle[operation](algorithm, await key, input)` and hands the
/// result to `finish`, or calls `fail` when WebCrypto rejects.
#[wasm_bindgen(skip_typescript)]
pub struct WebCryptoJob {
    operation: &'static str,
    algorithm: Object,
    key: Promise,
    input: Uint8Array,
    finish: Finish,
}

impl WebCryptoJob {
    /// Encrypts `plaintext` (left where it is in JS) for `field` with `key`.
    pub(crate) fn seal(
        field: DelegatedSeal,
        key: Promise,
        plaintext: Uint8Array,
        text: bool,
    ) -> JsResult<WebCryptoJob> {
        Ok(WebCryptoJob {
            operation: "encrypt",
            algorithm: field_params(field.nonce(), field.aad())?,
            key,
            input: plaintext,
            finish: Finish::Seal { field, text },
        })
    }

    /// Decrypts `field` with `key`; on success `opener` caches its session.
    pub(crate) fn open(
        key: Promise,
        field: DelegatedOpen<'_>,
        opener: Rc<enseal_core::Opener>,
    ) -> JsResult<WebCryptoJob> {
        Ok(WebCryptoJob {
            operation: "decrypt",
            algorithm: field_params(field.nonce(), field.aad())?,
            key,
            input: Uint8Array::from(field.ciphertext_and_tag()),
            finish: Finish::Open {
                opener,
                session: field.into_pending(),
            },
        })
    }
}

#[wasm_bindgen]
impl WebCryptoJob {
    /// "encrypt" or "decrypt".
    #[wasm_bindgen(getter)]
    pub fn operation(&self) -> String {
        self.operation.to_string()
    }

    /// The AES-GCM parameters (name, iv, additionalData).
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> Object {
        self.algorithm.clone()
    }

    /// A promise of the session's `CryptoKey`.
    #[wasm_bindgen(getter)]
    pub fn key(&self) -> Promise {
        self.key.clone()
    }

    /// The bytes WebCrypto works on.
    #[wasm_bindgen(getter)]
    pub fn input(&self) -> Uint8Array {
        self.input.clone()
    }

    /// The method's result from WebCrypto's output: the sealed field (binary
    /// or text) or the plaintext.
    pub fn finish(self, output: Uint8Array) -> JsResult<JsValue> {
        match self.finish {
            Finish::Open { opener, session } => {
                opener.confirm_delegated(session);
                Ok(output.into())
            }
            Finish::Seal { field, text } => {
                let sealed = field.finish(&output.to_vec()).map_err(to_js)?;
                if text {
                    let sealed = enseal_core::Sealed::from_binary(sealed).map_err(to_js)?;
                    Ok(JsValue::from_str(&sealed.to_text()))
                } else {
                    Ok(Uint8Array::from(sealed.as_slice()).into())
                }
            }
        }
    }

    /// The error to throw when WebCrypto rejected the job.
    pub fn fail(self) -> JsValue {
        to_js(match self.finish {
            Finish::Open { .. } => Error::DecryptFailed,
            Finish::Seal { .. } => Error::Internal("WebCrypto AES-GCM encryption failed"),
        })
    }
}
