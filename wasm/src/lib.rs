//! enseal for JavaScript: wasm-bindgen exports over the Rust core, packaged
//! as the npm package `enseal` (see `wasm/README.md`). Each class wraps a core
//! type and each method converts JavaScript values and errors; every decision
//! about the format or the cryptography is core's.
//!
//! Randomness comes from `crypto.getRandomValues` (getrandom's `wasm_js`
//! backend); where it is missing, sealing and key generation fail with
//! `RANDOMNESS_UNAVAILABLE` and nothing is sealed.

mod convert;
mod error;
mod keys;
mod opener;
mod sealer;
mod webcrypto;

pub use keys::{KeyPair, Keyring, Keyset, PublicKey};
pub use opener::Opener;
pub use sealer::Sealer;

use enseal_core as core_api;

// The page is single threaded (no `atomics` target feature) so talc needs no lock.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const SUITE_NAME: &str = r#"
import type { EnsealErrorCode } from '../error.js';
/** A KEM suite: X25519 (default), P-256 (HSM/KMS/FIPS deployments) or X-Wing (post-quantum hybrid). */
export type SuiteName = 'X25519' | 'P-256' | 'X-Wing';
"#;

/// True when `value` is a well-formed sealed value (`enseal1.…`, known
/// version and suite, complete header and tag). Needs no key.
#[wasm_bindgen(js_name = isSealed)]
pub fn is_sealed(#[wasm_bindgen(unchecked_param_type = "unknown")] value: &JsValue) -> bool {
    value
        .as_string()
        .is_some_and(|text| core_api::is_sealed(&text))
}

/// The context the JSON helpers bind a value at `pointer` of `recordId` to,
/// for opening such a value alone with {@link Opener.openBytes}.
#[wasm_bindgen(js_name = jsonContext)]
pub fn json_context(
    pointer: &str,
    #[wasm_bindgen(js_name = recordId)] record_id: Option<String>,
) -> Vec<u8> {
    core_api::json_context(pointer, record_id.as_deref())
}

/// Which AES-256-GCM implementation seals in wasm (`"aes-gcm"`, constant-time
/// software: wasm has no AES instructions; the async methods use WebCrypto
/// for large values).
#[wasm_bindgen(js_name = aesBackend, unchecked_return_type = "{ name: string; hardwareAccelerated: boolean }")]
pub fn aes_backend() -> JsValue {
    let backend = core_api::aes_backend();
    let report = js_sys::Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&report, &"name".into(), &backend.name().into());
    let _ = js_sys::Reflect::set(
        &report,
        &"hardwareAccelerated".into(),
        &backend.hardware_accelerated().into(),
    );
    report.into()
}

/// Every error code as `[name, number]`, in numeric order (what `EnsealError.code` and `.errno` take).
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "Array<[EnsealErrorCode, number]>")]
pub fn error_codes() -> js_sys::Array {
    core_api::ErrorCode::ALL
        .into_iter()
        .map(|c| js_sys::Array::of2(&c.name().into(), &JsValue::from(c.as_u16())))
        .collect()
}
