//! `enseal_keyset`: the public keyset document a sealer seals to the primary
//! of; built and rotated here (add, promote, retire) or parsed from JSON.

use crate::memory::*;
use crate::public_key::enseal_public_key;
use crate::sealed::{enseal_sealed_info, info};
use crate::status::{enseal_status, guard, produce};
use enseal_core::{Error, KeyId, Keyset};
use std::ffi::c_char;

/// A set of public keys with their dates, one of them primary. Reading
/// functions may run on many threads at once; enseal_keyset_add, _promote and
/// _retire change the keyset, and no other thread may use it meanwhile.
pub struct enseal_keyset {
    pub(crate) inner: Keyset,
}

/// One entry of a keyset, as enseal_keyset_entry writes it.
#[repr(C)]
pub struct enseal_keyset_entry_info {
    /// The key id: 11 characters of base64url and a NUL.
    pub kid: [c_char; 12],
    /// The key's suite id (ENSEAL_SUITE_*).
    pub suite: u16,
    /// When the key was created, in Unix seconds.
    pub created: u64,
    /// After this time (Unix seconds) nothing new may be sealed to the key; 0: no end.
    pub not_after: u64,
}

/// A keyset holding `key` as its primary, created at `created` (Unix seconds;
/// 0: now, from the system clock), sealable until `not_after` (Unix seconds;
/// 0: no end; otherwise later than `created`).
///
/// # Safety
/// `key` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_from_public_key(
    key: *const enseal_public_key,
    created: u64,
    not_after: u64,
    out: *mut *mut enseal_keyset,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let key = &unsafe { handle(key) }?.inner;
        let inner = Keyset::from_public_key(key, date(created), date(not_after))?;
        Ok(new_handle(enseal_keyset { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Adds `key` to the keyset (not as primary), dated as in
/// enseal_keyset_from_public_key. A key already there is
/// ENSEAL_INVALID_KEYSET. Changes the keyset: no other thread may use it
/// during the call.
///
/// # Safety
/// `keyset` and `key` must be live handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_add(
    keyset: *mut enseal_keyset,
    key: *const enseal_public_key,
    created: u64,
    not_after: u64,
) -> enseal_status {
    guard(|| {
        // SAFETY: forwarded from the function's contract.
        let (keyset, key) = unsafe { (keyset_mut(keyset)?, &handle(key)?.inner) };
        keyset.add(key, date(created), date(not_after))
    })
}

/// Makes the key with id `kid` primary: sealers made from the keyset from
/// now on seal to it. A kid not in the keyset is ENSEAL_INVALID_KEYSET.
/// Changes the keyset: no other thread may use it during the call.
///
/// # Safety
/// `keyset` must be a live keyset; `kid` NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_promote(
    keyset: *mut enseal_keyset,
    kid: *const c_char,
) -> enseal_status {
    guard(|| {
        // SAFETY: forwarded from the function's contract.
        let (keyset, kid) = unsafe { (keyset_mut(keyset)?, kid_arg(kid)?) };
        keyset.promote(&kid)
    })
}

/// Removes the key with id `kid`, so nothing new is sealed to it (its private
/// key keeps opening old values from a keyring). The primary cannot be
/// retired (promote another key first), and a kid not in the keyset is
/// refused: both ENSEAL_INVALID_KEYSET. Changes the keyset: no other thread
/// may use it during the call.
///
/// # Safety
/// `keyset` must be a live keyset; `kid` NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_retire(
    keyset: *mut enseal_keyset,
    kid: *const c_char,
) -> enseal_status {
    guard(|| {
        // SAFETY: forwarded from the function's contract.
        let (keyset, kid) = unsafe { (keyset_mut(keyset)?, kid_arg(kid)?) };
        keyset.retire(&kid)
    })
}

/// Parses and validates a public keyset document (docs/FORMAT.md §6).
///
/// # Safety
/// `json` must be a NUL-terminated string; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_from_json(
    json: *const c_char,
    out: *mut *mut enseal_keyset,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = Keyset::from_json(unsafe { str_arg(json) }?)?;
        Ok(new_handle(enseal_keyset { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The keyset document as JSON; free with enseal_string_free.
///
/// # Safety
/// `keyset` must be a live keyset; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_to_json(
    keyset: *const enseal_keyset,
    out: *mut *mut c_char,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `keyset`.
    unsafe { produce(out, || string_result(&handle(keyset)?.inner.to_json())) }
}

/// The number of keys in the keyset.
///
/// # Safety
/// `keyset` must be a live keyset; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_len(
    keyset: *const enseal_keyset,
    out: *mut usize,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `keyset`.
    unsafe { produce(out, || Ok(handle(keyset)?.inner.len())) }
}

/// The key id of the primary key; free with enseal_string_free.
///
/// # Safety
/// `keyset` must be a live keyset; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_primary_kid(
    keyset: *const enseal_keyset,
    out: *mut *mut c_char,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `keyset`.
    unsafe {
        produce(out, || {
            string_result(&handle(keyset)?.inner.primary_kid().to_string())
        })
    }
}

/// Entry `index` (0 to enseal_keyset_len - 1, in document order) of the
/// keyset; an index past the end is ENSEAL_INVALID_ARGUMENT.
///
/// # Safety
/// `keyset` must be a live keyset; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_entry(
    keyset: *const enseal_keyset,
    index: usize,
    out: *mut enseal_keyset_entry_info,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let keyset = unsafe { handle(keyset) }?;
        let entry = keyset
            .inner
            .entries()
            .get(index)
            .ok_or(invalid("the index is past the keyset's last entry"))?;
        Ok(enseal_keyset_entry_info {
            kid: fixed_text(&entry.key().kid().to_string())?,
            suite: entry.key().suite().kem_id(),
            created: entry.created(),
            not_after: entry.not_after().unwrap_or(0),
        })
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Checks that the sealed value `text` (text form) is sealed to a key of this
/// keyset that is not past its not_after at `now` (Unix seconds; 0: the
/// system clock), and writes what it says about itself to `out`: what a
/// service that stores sealed fields, and holds no private key, checks
/// before it accepts one. Errors: those of enseal_sealed_inspect
/// (ENSEAL_BAD_PREFIX for a clear value, ENSEAL_BAD_ENCODING,
/// ENSEAL_TRUNCATED, ...), then ENSEAL_UNKNOWN_KEY for a key id not in the
/// keyset (a prefix alone proves nothing: anyone can seal to a key of their
/// own), then ENSEAL_KEY_EXPIRED. Only opening checks the tag: a tampered
/// body passes here and fails ENSEAL_DECRYPT_FAILED where it is opened. On
/// error nothing is written.
///
/// # Safety
/// `keyset` must be a live keyset; `text` NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_check_sealed(
    keyset: *const enseal_keyset,
    text: *const c_char,
    now: u64,
    out: *mut enseal_sealed_info,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (keyset, text) = unsafe { (&handle(keyset)?.inner, str_arg(text)?) };
        let sealed = match now {
            0 => keyset.check_sealed(text)?,
            now => keyset.check_sealed_at(text, now)?,
        };
        info(&sealed)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Frees a keyset and sets `*keyset` to NULL. NULL is allowed.
///
/// # Safety
/// `keyset` must be NULL, or point to NULL or to a live keyset not in use elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_free(keyset: *mut *mut enseal_keyset) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(keyset) }
}

/// A key id argument: 11 characters of base64url.
///
/// # Safety
/// As [`str_arg`].
unsafe fn kid_arg(kid: *const c_char) -> Result<KeyId, Error> {
    // SAFETY: forwarded contract.
    unsafe { str_arg(kid) }?.parse()
}

/// C's dates: 0 means "the default" (now for `created`, no end for `not_after`).
fn date(seconds: u64) -> Option<u64> {
    (seconds != 0).then_some(seconds)
}

/// Borrows a keyset to change it.
///
/// # Safety
/// A non-NULL `keyset` must be a live keyset no other thread uses meanwhile.
unsafe fn keyset_mut<'a>(keyset: *mut enseal_keyset) -> Result<&'a mut Keyset, Error> {
    // SAFETY: forwarded contract.
    let keyset = unsafe { keyset.as_mut() }.ok_or(invalid("a handle is NULL"))?;
    Ok(&mut keyset.inner)
}
