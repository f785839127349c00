//! `enseal_keypair`: a recipient key pair, private key included.

use crate::memory::*;
use crate::public_key::enseal_public_key;
use crate::status::{enseal_status, produce};
use enseal_core::{KeyPair, Suite};
use std::ffi::c_char;

/// A recipient key pair (private key included; wiped when freed). Immutable:
/// any number of threads may use one at once.
pub struct enseal_keypair {
    pub(crate) inner: KeyPair,
}

/// Generates a fresh key pair of `suite` (ENSEAL_SUITE_*).
///
/// # Safety
/// `out` must be valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_generate(
    suite: u16,
    out: *mut *mut enseal_keypair,
) -> enseal_status {
    let make = || {
        let inner = KeyPair::generate(Suite::from_kem_id(suite)?)?;
        Ok(new_handle(enseal_keypair { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A key pair from a serialized private key (32 bytes; the seed for X-Wing).
///
/// # Safety
/// `key` must point to `key_len` readable bytes; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_from_private_bytes(
    suite: u16,
    key: *const u8,
    key_len: usize,
    out: *mut *mut enseal_keypair,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let key = unsafe { bytes_arg(key, key_len) }?;
        let inner = KeyPair::from_private_bytes(Suite::from_kem_id(suite)?, key)?;
        Ok(new_handle(enseal_keypair { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A key pair from a private JWK (NUL-terminated JSON).
///
/// # Safety
/// `jwk` must be a NUL-terminated string; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_from_jwk(
    jwk: *const c_char,
    out: *mut *mut enseal_keypair,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = KeyPair::from_jwk(unsafe { str_arg(jwk) }?)?;
        Ok(new_handle(enseal_keypair { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The private JWK of a key pair. Secret: free it with enseal_string_free,
/// which wipes it.
///
/// # Safety
/// `pair` must be a live key pair; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_to_jwk(
    pair: *const enseal_keypair,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let pair = unsafe { handle(pair) }?;
        secret_string_result(pair.inner.to_jwk())
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The serialized private key (32 bytes). Secret: free with enseal_bytes_free,
/// which wipes it.
///
/// # Safety
/// `pair` must be a live key pair; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_private_bytes(
    pair: *const enseal_keypair,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let pair = unsafe { handle(pair) }?;
        Ok(secret_bytes_result(pair.inner.private_bytes()))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A new handle to the public half of a key pair (free it with
/// enseal_public_key_free).
///
/// # Safety
/// `pair` must be a live key pair; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_public_key(
    pair: *const enseal_keypair,
    out: *mut *mut enseal_public_key,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = unsafe { handle(pair) }?.inner.public_key().clone();
        Ok(new_handle(enseal_public_key { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The key id (11 characters of base64url); free with enseal_string_free.
///
/// # Safety
/// `pair` must be a live key pair; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_kid(
    pair: *const enseal_keypair,
    out: *mut *mut c_char,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `pair`.
    unsafe {
        produce(out, || {
            string_result(&handle(pair)?.inner.kid().to_string())
        })
    }
}

/// The key pair's suite id (ENSEAL_SUITE_*).
///
/// # Safety
/// `pair` must be a live key pair; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_suite(
    pair: *const enseal_keypair,
    out: *mut u16,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `pair`.
    unsafe { produce(out, || Ok(handle(pair)?.inner.suite().kem_id())) }
}

/// Wipes and frees a key pair and sets `*pair` to NULL. NULL is allowed.
///
/// # Safety
/// `pair` must be NULL, or point to NULL or to a live key pair not in use elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_free(pair: *mut *mut enseal_keypair) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(pair) }
}
