//! enseal for JavaScript: wasm-bindgen exports over the Rust core, packaged
//! as the npm package `enseal` (see `wasm/README.md`). Each class wraps a core
//! type and each method converts JavaScript values and errors; every decision
//! about the format or the cryptography is core's.
//!
//! Randomness comes from `crypto.getRandomValues` (getrandom's `wasm_js`
//! backend); where it is missing, sealing and key generation fail with
//! `RANDOMNESS_UNAVAILABLE` and nothing is sealed.

#[cfg(feature = "bench-baseline")]
mod baseline;
mod convert;
mod error;
mod keys;
mod opener;
mod sealed;
mod sealer;
mod signed;
mod template;
mod webcrypto;

pub use keys::{KeyPair, Keyring, Keyset, PublicKey};
pub use opener::Opener;
pub use sealed::Sealed;
pub use sealer::Sealer;
pub use signed::{SignerPins, VerifiedKeyset};
pub use template::ContextTemplate;

use enseal_core as core_api;

// The page is single threaded (no `atomics` target feature) so talc needs no lock.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
import type { EnsealErrorCode } from '../error.js';
/** A KEM suite: X25519 (default), P-256 (HSM/KMS/FIPS deployments) or X-Wing (post-quantum hybrid). */
export type SuiteName = 'X25519' | 'P-256' | 'X-Wing';
/** A value or a context: a string is taken as its UTF-8 bytes. */
export type Bytes = string | Uint8Array;
/** One key of a {@link Keyset}: the key, its id and its dates (Unix seconds). */
export interface KeysetEntry {
  readonly key: PublicKey;
  readonly kid: string;
  readonly created: number;
  /** After this, a sealer for this key refuses to seal (`KEY_EXPIRED`); `undefined`: never. */
  readonly notAfter: number | undefined;
}
/** When a {@link Sealer} starts a fresh session (`sealer.limits`). */
export interface SessionLimits {
  /** Fields per session (1 to 2^32). */
  readonly fieldLimit: number;
  /** Seconds a session lasts at most (at least 1; default 3600). */
  readonly maxSessionAge: number;
}
/** Which AES-256-GCM implementation seals in wasm. */
export interface AesBackend {
  readonly name: string;
  readonly hardwareAccelerated: boolean;
}
// `Symbol.dispose` (the objects' `[Symbol.dispose]()`, for `using`) without
// requiring the consumer's `lib` to include esnext.disposable.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
"#;

/// True when `value` is a well-formed sealed value in the text form
/// (`enseal1.…`, known version and suite, complete header and tag). Needs no key.
#[wasm_bindgen(js_name = isSealed)]
pub fn is_sealed(#[wasm_bindgen(unchecked_param_type = "unknown")] value: &JsValue) -> bool {
    value
        .as_string()
        .is_some_and(|text| core_api::is_sealed(&text))
}

/// The context the JSON helpers bind a value at `pointer` of `recordId` to,
/// for opening such a value alone with {@link Opener.open}.
#[wasm_bindgen(js_name = jsonContext)]
pub fn json_context(
    pointer: &str,
    #[wasm_bindgen(js_name = recordId)] record_id: Option<String>,
) -> Vec<u8> {
    core_api::json_context(pointer, record_id.as_deref()).into_bytes()
}

/// Which AES-256-GCM implementation seals in wasm (`"aes-gcm"`, constant-time
/// software: wasm has no AES instructions; the async methods use WebCrypto
/// for large values). For reports: choose nothing by it.
#[wasm_bindgen(js_name = aesBackend, unchecked_return_type = "AesBackend")]
pub fn aes_backend() -> JsValue {
    let backend = core_api::aes_backend();
    convert::object(&[
        ("name", backend.name().into()),
        ("hardwareAccelerated", backend.hardware_accelerated().into()),
    ])
}

/// Every error code as `[name, number]`, in numeric order (what `EnsealError.code` and `.errno` take).
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "Array<[EnsealErrorCode, number]>")]
pub fn error_codes() -> js_sys::Array {
    core_api::ErrorCode::ALL
        .into_iter()
        .map(|c| js_sys::Array::of2(&c.name().into(), &JsValue::from(c.as_u16())))
        .collect()
}

/// The library's version (`"0.1.0"`), the same in every language.
#[wasm_bindgen]
pub fn version() -> String {
    core_api::LIBRARY_VERSION.to_string()
}
