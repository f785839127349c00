//! `enseal_public_key`: a recipient public key, what a sealer seals to.

use crate::memory::*;
use crate::status::{enseal_status, produce};
use enseal_core::{PublicKey, Suite};
use std::ffi::c_char;

/// A recipient public key. Immutable: any number of threads may use one at once.
pub struct enseal_public_key {
    pub(crate) inner: PublicKey,
}

/// A public key from its serialization (32, 65 or 1216 bytes by suite).
///
/// # Safety
/// `key` must point to `key_len` readable bytes; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_from_bytes(
    suite: u16,
    key: *const u8,
    key_len: usize,
    out: *mut *mut enseal_public_key,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let key = unsafe { bytes_arg(key, key_len) }?;
        let inner = PublicKey::from_bytes(Suite::from_kem_id(suite)?, key)?;
        Ok(new_handle(enseal_public_key { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A public key from a JWK (NUL-terminated JSON).
///
/// # Safety
/// `jwk` must be a NUL-terminated string; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_from_jwk(
    jwk: *const c_char,
    out: *mut *mut enseal_public_key,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = PublicKey::from_jwk(unsafe { str_arg(jwk) }?)?;
        Ok(new_handle(enseal_public_key { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The public key as a JWK; free with enseal_string_free.
///
/// # Safety
/// `key` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_to_jwk(
    key: *const enseal_public_key,
    out: *mut *mut c_char,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `key`.
    unsafe { produce(out, || string_result(&handle(key)?.inner.to_jwk())) }
}

/// The serialized public key; free with enseal_bytes_free.
///
/// # Safety
/// `key` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_to_bytes(
    key: *const enseal_public_key,
    out: *mut enseal_bytes,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `key`.
    unsafe { produce(out, || Ok(bytes_result(handle(key)?.inner.to_bytes()))) }
}

/// The key id (11 characters of base64url); free with enseal_string_free.
///
/// # Safety
/// `key` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_kid(
    key: *const enseal_public_key,
    out: *mut *mut c_char,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `key`.
    unsafe { produce(out, || string_result(&handle(key)?.inner.kid().to_string())) }
}

/// The public key's suite id (ENSEAL_SUITE_*).
///
/// # Safety
/// `key` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_suite(
    key: *const enseal_public_key,
    out: *mut u16,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `key`.
    unsafe { produce(out, || Ok(handle(key)?.inner.suite().kem_id())) }
}

/// Frees a public key and sets `*key` to NULL. NULL is allowed.
///
/// # Safety
/// `key` must be NULL, or point to NULL or to a live public key not in use elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_free(key: *mut *mut enseal_public_key) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(key) }
}
