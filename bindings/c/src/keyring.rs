//! `enseal_keyring_builder` and `enseal_keyring`: private keys by key id, for
//! opening. A keyring is built with a builder and then frozen, as rustls-ffi
//! builds its configs: the builder is the only mutable step, and a built
//! keyring never changes, so it needs no lock and no copy.

use crate::keypair::enseal_keypair;
use crate::memory::*;
use crate::status::{enseal_status, guard, produce};
use enseal_core::Keyring;
use std::ffi::c_char;

/// A keyring being built. Not thread-safe: one thread at a time.
pub struct enseal_keyring_builder {
    inner: Keyring,
}

/// A frozen keyring: immutable, so any number of threads may use one at once.
pub struct enseal_keyring {
    pub(crate) inner: Keyring,
}

/// An empty keyring builder.
///
/// # Safety
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_builder_new(
    out: *mut *mut enseal_keyring_builder,
) -> enseal_status {
    let make = || {
        Ok(new_handle(enseal_keyring_builder {
            inner: Keyring::new(),
        }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Adds a copy of `pair` to the builder. A key whose key id is already there
/// is the same key (the key id is a hash of the public key): it is left as it
/// is, and `*out_added` says false. `out_added` may be NULL.
///
/// # Safety
/// `builder` and `pair` must be live handles; `out_added` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_builder_add(
    builder: *mut enseal_keyring_builder,
    pair: *const enseal_keypair,
    out_added: *mut bool,
) -> enseal_status {
    guard(|| {
        // SAFETY: forwarded from the function's contract.
        let pair = unsafe { handle(pair) }?;
        // SAFETY: the caller promises a live builder used by no other thread now.
        let builder = unsafe { builder.as_mut() }.ok_or(invalid("a handle is NULL"))?;
        let added = builder.inner.add(pair.inner.clone());
        // SAFETY: NULL or writable, per the contract.
        if let Some(out) = unsafe { out_added.as_mut() } {
            *out = added;
        }
        Ok(())
    })
}

/// Adds the private key that `uri` names, held outside the process: a key
/// in a PKCS#11 token (`pkcs11:` URI, RFC 7512), a key file wrapped by one
/// (`wrapped:PATH?...`), or an AWS KMS key (`awskms:ARN`); docs/CUSTODY.md
/// gives the forms. The backend is reached once here, for the public key;
/// opening then asks it once per session. A malformed URI is
/// ENSEAL_INVALID_ARGUMENT, a backend that cannot be reached
/// ENSEAL_KEY_UNAVAILABLE; the message never holds the URI's PIN. A key whose
/// key id is already there is left as it is and `*out_added` says false.
/// `out_added` may be NULL.
///
/// # Safety
/// `builder` must be a live handle; `uri` a NUL-terminated string;
/// `out_added` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_builder_add_custody(
    builder: *mut enseal_keyring_builder,
    uri: *const c_char,
    out_added: *mut bool,
) -> enseal_status {
    guard(|| {
        // SAFETY: forwarded from the function's contract.
        let uri = unsafe { str_arg(uri) }?;
        // SAFETY: the caller promises a live builder used by no other thread now.
        let builder = unsafe { builder.as_mut() }.ok_or(invalid("a handle is NULL"))?;
        let added = builder.inner.add_custody(enseal_custody::open(uri)?);
        // SAFETY: NULL or writable, per the contract.
        if let Some(out) = unsafe { out_added.as_mut() } {
            *out = added;
        }
        Ok(())
    })
}

/// Freezes the builder's keys into a keyring and consumes the builder: on
/// success `*builder` is set to NULL (nothing left to free or to add to). On
/// error (a NULL argument) nothing changes.
///
/// # Safety
/// `builder` must point to a live builder handle; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_builder_build(
    builder: *mut *mut enseal_keyring_builder,
    out: *mut *mut enseal_keyring,
) -> enseal_status {
    let make = || {
        // SAFETY: the caller passes a valid pointer to a builder pointer.
        let slot = unsafe { builder.as_mut() }.ok_or(invalid("a handle is NULL"))?;
        if slot.is_null() {
            return Err(invalid("a handle is NULL"));
        }
        // SAFETY: the handle came from `new_handle`; the slot is cleared so
        // the caller cannot free or use it again.
        let owned = unsafe { Box::from_raw(std::mem::replace(slot, std::ptr::null_mut())) };
        Ok(new_handle(enseal_keyring { inner: owned.inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Wipes and frees a builder and sets `*builder` to NULL. NULL is allowed.
///
/// # Safety
/// `builder` must be NULL, or point to NULL or to a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_builder_free(builder: *mut *mut enseal_keyring_builder) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(builder) }
}

/// A keyring from a private JWK set `{"keys": [...]}` (two keys with one key
/// id are ENSEAL_INVALID_KEYSET).
///
/// # Safety
/// `jwks` must be a NUL-terminated string; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_from_jwks(
    jwks: *const c_char,
    out: *mut *mut enseal_keyring,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = Keyring::from_jwks(unsafe { str_arg(jwks) }?)?;
        Ok(new_handle(enseal_keyring { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The number of keys in the keyring.
///
/// # Safety
/// `keyring` must be a live keyring; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_len(
    keyring: *const enseal_keyring,
    out: *mut usize,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `keyring`.
    unsafe { produce(out, || Ok(handle(keyring)?.inner.len())) }
}

/// Key id number `index` (0 to enseal_keyring_len - 1, ordered by the key
/// ids' bytes); an
/// index past the end is ENSEAL_INVALID_ARGUMENT. Free with enseal_string_free.
///
/// # Safety
/// `keyring` must be a live keyring; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_kid(
    keyring: *const enseal_keyring,
    index: usize,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let kid = unsafe { handle(keyring) }?
            .inner
            .kids()
            .nth(index)
            .ok_or(invalid("the index is past the keyring's last key"))?;
        string_result(&kid.to_string())
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The keyring as a private JWK set. Secret: free with enseal_string_free,
/// which wipes it.
///
/// # Safety
/// `keyring` must be a live keyring; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_to_jwks(
    keyring: *const enseal_keyring,
    out: *mut *mut c_char,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `keyring`.
    unsafe {
        produce(out, || {
            secret_string_result(handle(keyring)?.inner.to_jwks())
        })
    }
}

/// Wipes and frees a keyring and sets `*keyring` to NULL. NULL is allowed.
///
/// # Safety
/// `keyring` must be NULL, or point to NULL or to a live keyring no thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_free(keyring: *mut *mut enseal_keyring) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(keyring) }
}
