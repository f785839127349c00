//! Bulk AES-256-GCM through WebCrypto (`crypto.subtle`), which runs the
//! platform's hardware AES; wasm has no AES instructions. Core supplies key,
//! nonce and AAD (`enseal::delegated`), so the result is the same format.

use crate::error::{JsResult, to_js};
use enseal_core::Error;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

/// Values at least this long go to WebCrypto in the async methods; shorter
/// ones are sealed in wasm, where a call costs less than WebCrypto's promise
/// round trip. Measured crossover: docs/PERFORMANCE.md ("web").
pub(crate) const THRESHOLD: usize = 2 * 1024;

fn subtle() -> JsResult<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .ok()
        .filter(|c| c.is_object())
        .ok_or_else(|| {
            to_js(Error::InvalidArgument(
                "WebCrypto (crypto.subtle) is not available",
            ))
        })?;
    Reflect::get(&crypto, &JsValue::from_str("subtle"))
        .ok()
        .filter(|s| s.is_object())
        .map(JsCast::unchecked_into)
        .ok_or_else(|| {
            to_js(Error::InvalidArgument(
                "WebCrypto (crypto.subtle) is not available",
            ))
        })
}

fn params(nonce: &[u8; 12], aad: &[u8]) -> JsResult<Object> {
    let params = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&params, &JsValue::from_str(k), v);
    set("name", &JsValue::from_str("AES-GCM"))
        .and_then(|_| set("iv", &Uint8Array::from(&nonce[..])))
        .and_then(|_| set("additionalData", &Uint8Array::from(aad)))
        .and_then(|_| set("tagLength", &JsValue::from_f64(128.0)))
        .map_err(|_| to_js(Error::Internal("cannot build AES-GCM parameters")))?;
    Ok(params)
}

/// Imports `key` as a non-extractable AES-GCM key and wipes the JS copy.
pub(crate) async fn import_key(key: &[u8; 32], usage: &str) -> JsResult<CryptoKey> {
    let raw = Uint8Array::from(&key[..]);
    let algorithm = Object::new();
    Reflect::set(
        &algorithm,
        &JsValue::from_str("name"),
        &JsValue::from_str("AES-GCM"),
    )
    .map_err(|_| to_js(Error::Internal("cannot build AES-GCM parameters")))?;
    let usages = Array::of1(&JsValue::from_str(usage));
    let promise = subtle()?
        .import_key_with_object("raw", &raw, &algorithm, false, &usages)
        .map_err(|_| to_js(Error::Internal("WebCrypto refused the AES key")));
    raw.fill(0, 0, 32);
    let key = JsFuture::from(promise?)
        .await
        .map_err(|_| to_js(Error::Internal("WebCrypto refused the AES key")))?;
    Ok(key.unchecked_into())
}

/// `ciphertext || tag` of `plaintext`, read by WebCrypto where it is.
pub(crate) async fn encrypt(
    key: &CryptoKey,
    nonce: &[u8; 12],
    aad: &[u8],
    plaintext: &Uint8Array,
) -> JsResult<Uint8Array> {
    let promise = subtle()?
        .encrypt_with_object_and_buffer_source(&params(nonce, aad)?, key, plaintext)
        .map_err(|_| to_js(Error::Internal("WebCrypto AES-GCM encryption failed")))?;
    let sealed = JsFuture::from(promise)
        .await
        .map_err(|_| to_js(Error::Internal("WebCrypto AES-GCM encryption failed")))?;
    Ok(Uint8Array::new(&sealed))
}

/// The plaintext of `ciphertext || tag`; any WebCrypto failure is a failed tag.
pub(crate) async fn decrypt(
    key: &CryptoKey,
    nonce: &[u8; 12],
    aad: &[u8],
    sealed: &[u8],
) -> JsResult<Uint8Array> {
    let promise = subtle()?
        .decrypt_with_object_and_u8_array(&params(nonce, aad)?, key, sealed)
        .map_err(|_| to_js(Error::DecryptFailed))?;
    let plaintext = JsFuture::from(promise)
        .await
        .map_err(|_| to_js(Error::DecryptFailed))?;
    Ok(Uint8Array::new(&plaintext))
}
