//! `enseal_sealer`: seals fields to one public key (or a keyset's primary).

use crate::keyset::enseal_keyset;
use crate::memory::*;
use crate::public_key::enseal_public_key;
use crate::status::{enseal_status, guard, produce};
use crate::template::enseal_context_template;
use enseal_core::{Context, Sealer, SessionLimits};
use std::ffi::c_char;
use std::time::Duration;

/// Seals fields to one public key. Thread-safe: many threads may seal with one
/// sealer at once.
///
/// Fork-safe: a sealer used in a child after `fork()` starts a fresh session
/// there before its first field, so parent and child never share a (key,
/// nonce). A snapshot restore (VM clone, Lambda SnapStart, CRaC) duplicates
/// the process without a fork and cannot be detected: call
/// enseal_sealer_rekey right after restoring.
pub struct enseal_sealer {
    pub(crate) inner: Sealer,
}

/// The padding bucket of enseal_sealer_seal_json that hides the length of
/// short values (`true` and `false` seal to one length).
pub const ENSEAL_DEFAULT_JSON_PADDING: usize = 16;

/// The default maximum age of a session in seconds (one hour), for
/// enseal_sealer_new_with_limits and enseal_sealer_from_keyset_with_limits:
/// a sealer kept for days (a browser tab, a long-running service) still
/// starts a fresh session every hour, which bounds what one session key
/// opens and how long one session id links fields.
pub const ENSEAL_DEFAULT_SESSION_MAX_AGE: u64 = 3600;

/// Core's limits for a field limit (0: the default, 2^32) and a maximum age
/// in seconds (not defaulted: 0 is too young and core refuses it).
fn limits(field_limit: u64, max_session_age: u64) -> SessionLimits {
    let defaults = SessionLimits::default();
    SessionLimits {
        max_fields: match field_limit {
            0 => defaults.max_fields,
            limit => limit,
        },
        max_age: Duration::from_secs(max_session_age),
    }
}

/// A sealer for `recipient`. `field_limit` is the number of fields per session
/// before a fresh encapsulation (1 to 2^32), or 0 for the default (2^32).
///
/// # Safety
/// `recipient` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_new(
    recipient: *const enseal_public_key,
    field_limit: u64,
    out: *mut *mut enseal_sealer,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let recipient = &unsafe { handle(recipient) }?.inner;
        let inner = match field_limit {
            0 => Sealer::new(recipient)?,
            limit => Sealer::with_field_limit(recipient, limit)?,
        };
        Ok(new_handle(enseal_sealer { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A sealer for the keyset's primary key. When that key has a `not_after`,
/// the clock is read before every seal (and every rekey or new session), and
/// each fails with ENSEAL_KEY_EXPIRED once it has passed, so a long-lived
/// sealer stops at the end of its key's cryptoperiod; this function also
/// refuses an already expired key.
///
/// # Safety
/// `keyset` must be a live keyset; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_from_keyset(
    keyset: *const enseal_keyset,
    out: *mut *mut enseal_sealer,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = Sealer::from_keyset(&unsafe { handle(keyset) }?.inner)?;
        Ok(new_handle(enseal_sealer { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// As enseal_sealer_new, with sessions that also end once they are
/// `max_session_age` seconds old (at least 1; ENSEAL_DEFAULT_SESSION_MAX_AGE
/// is the default of the other constructors): before each field the sealer
/// reads the clock, and a session that old is replaced by a fresh one first.
/// 0 is ENSEAL_INVALID_ARGUMENT. `field_limit` as enseal_sealer_new (0: the
/// default).
///
/// # Safety
/// `recipient` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_new_with_limits(
    recipient: *const enseal_public_key,
    field_limit: u64,
    max_session_age: u64,
    out: *mut *mut enseal_sealer,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let recipient = &unsafe { handle(recipient) }?.inner;
        let inner = Sealer::with_limits(recipient, limits(field_limit, max_session_age))?;
        Ok(new_handle(enseal_sealer { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// As enseal_sealer_from_keyset, with the session limits of
/// enseal_sealer_new_with_limits.
///
/// # Safety
/// `keyset` must be a live keyset; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_from_keyset_with_limits(
    keyset: *const enseal_keyset,
    field_limit: u64,
    max_session_age: u64,
    out: *mut *mut enseal_sealer,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let keyset = &unsafe { handle(keyset) }?.inner;
        let inner = Sealer::from_keyset_with_limits(keyset, limits(field_limit, max_session_age))?;
        Ok(new_handle(enseal_sealer { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The limits at which the sealer starts a fresh session: fields per session
/// (`*field_limit`) and maximum age in seconds (`*max_session_age`). Either
/// pointer may be NULL when that value is not wanted.
///
/// # Safety
/// `sealer` must be a live sealer; each non-NULL pointer writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_limits(
    sealer: *const enseal_sealer,
    field_limit: *mut u64,
    max_session_age: *mut u64,
) -> enseal_status {
    guard(|| {
        // SAFETY: forwarded from the function's contract.
        let limits = unsafe { handle(sealer) }?.inner.limits();
        // SAFETY: each pointer is NULL (skipped) or writable per the contract.
        unsafe {
            if let Some(out) = field_limit.as_mut() {
                *out = limits.max_fields;
            }
            if let Some(out) = max_session_age.as_mut() {
                *out = limits.max_age.as_secs();
            }
        }
        Ok(())
    })
}

/// Seals `plaintext` bound to `context`; the text form ("enseal1." +
/// base64url) goes to `out` (free with enseal_string_free). Pointers may be
/// NULL when their length is 0.
///
/// # Safety
/// Byte pointers must be readable for their lengths; `sealer` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_seal(
    sealer: *const enseal_sealer,
    plaintext: *const u8,
    plaintext_len: usize,
    context: *const u8,
    context_len: usize,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (sealer, plaintext, context) = unsafe {
            (
                handle(sealer)?,
                bytes_arg(plaintext, plaintext_len)?,
                bytes_arg(context, context_len)?,
            )
        };
        string_result(&sealer.inner.seal(plaintext, Context::bytes(context))?)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// As enseal_sealer_seal, giving the binary form (for files and bytes
/// columns; free with enseal_bytes_free).
///
/// # Safety
/// Byte pointers must be readable for their lengths; `sealer` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_seal_binary(
    sealer: *const enseal_sealer,
    plaintext: *const u8,
    plaintext_len: usize,
    context: *const u8,
    context_len: usize,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (sealer, plaintext, context) = unsafe {
            (
                handle(sealer)?,
                bytes_arg(plaintext, plaintext_len)?,
                bytes_arg(context, context_len)?,
            )
        };
        Ok(bytes_result(
            sealer
                .inner
                .seal_binary(plaintext, Context::bytes(context))?,
        ))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// As enseal_sealer_seal_binary, writing the binary form into the caller's
/// buffer: `out_len` bytes at `out` (which must not overlap the other
/// arguments; NULL when `out_len` is 0). On success the sealed field is at
/// the start of `out` and `*out_written` is its length. When `out` is too
/// short the result is ENSEAL_BUFFER_TOO_SMALL with the length needed in
/// `*out_written`; nothing is written to `out` and no counter value is used,
/// so a call with `out_len` 0 asks the length. Other errors leave
/// `*out_written` untouched.
///
/// # Safety
/// Byte pointers must be readable for their lengths and `out` writable for
/// `out_len`; `sealer` live; `out_written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_seal_into(
    sealer: *const enseal_sealer,
    plaintext: *const u8,
    plaintext_len: usize,
    context: *const u8,
    context_len: usize,
    out: *mut u8,
    out_len: usize,
    out_written: *mut usize,
) -> enseal_status {
    guard(|| {
        out_arg(out_written)?;
        // SAFETY: forwarded from the function's contract.
        let (sealer, plaintext, context, out) = unsafe {
            (
                handle(sealer)?,
                bytes_arg(plaintext, plaintext_len)?,
                bytes_arg(context, context_len)?,
                bytes_mut_arg(out, out_len)?,
            )
        };
        let written = sealer
            .inner
            .seal_binary_to(plaintext, Context::bytes(context), out);
        // SAFETY: checked by out_arg; writable per the contract.
        unsafe { report_length(written, out_written) }
    })
}

/// Seals the values at `pointers` (RFC 6901 JSON Pointers, `*` over array
/// elements; `*` on an object and overlapping pointers are
/// ENSEAL_INVALID_POINTER) in the JSON document `json`; the sealed document
/// goes to `out` (free with enseal_string_free). Each value's JSON text is
/// padded with spaces to a multiple of `pad_to` bytes before sealing:
/// ENSEAL_DEFAULT_JSON_PADDING (16) makes `true` and `false` (and short
/// values) seal to one length, 64 hides the length of names, 0 or 1 pads
/// nothing; more than 65536 is ENSEAL_INVALID_ARGUMENT. A clear string that
/// starts with "enseal1." without being a sealed value is
/// ENSEAL_ALREADY_SEALED. `record_id` may be NULL.
///
/// # Safety
/// `json` and each of the `pointer_count` entries of `pointers` must be
/// NUL-terminated strings; `record_id` NULL or NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_seal_json(
    sealer: *const enseal_sealer,
    json: *const c_char,
    pointers: *const *const c_char,
    pointer_count: usize,
    record_id: *const c_char,
    pad_to: usize,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (sealer, json, record_id, list) = unsafe {
            (
                handle(sealer)?,
                str_arg(json)?,
                opt_str_arg(record_id)?,
                str_list_arg(pointers, pointer_count)?,
            )
        };
        let sealed = sealer
            .inner
            .seal_json_text_padded(json, &list, record_id, pad_to)?;
        string_result(&sealed)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Seals the values at `pointers` (the syntax and rules of
/// enseal_sealer_seal_json) of the record `json` (one JSON object: an NDJSON
/// line, a CSV row as an object), each with the context `context_template` gives it
/// (docs/FORMAT.md §7.1), padded to a multiple of `pad_to` bytes as
/// enseal_sealer_seal_json does (ENSEAL_DEFAULT_JSON_PADDING). A template
/// field the record lacks (or holds as null, an object or an array), a field
/// among the values being sealed, and a template without "{pointer}" for two
/// or more values are ENSEAL_INVALID_TEMPLATE, naming the field. The sealed
/// record goes to `out` (free with enseal_string_free); nothing on error.
///
/// # Safety
/// `json` and each of the `pointer_count` entries of `pointers` must be
/// NUL-terminated strings; `sealer` and `context_template` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_seal_record(
    sealer: *const enseal_sealer,
    json: *const c_char,
    pointers: *const *const c_char,
    pointer_count: usize,
    context_template: *const enseal_context_template,
    pad_to: usize,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (sealer, json, list, template) = unsafe {
            (
                handle(sealer)?,
                str_arg(json)?,
                str_list_arg(pointers, pointer_count)?,
                handle(context_template)?,
            )
        };
        let sealed = sealer
            .inner
            .seal_record_padded(json, &list, &template.inner, pad_to)?;
        string_result(&sealed)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Starts a fresh session now (a new encapsulation): to separate batches, and
/// right after the process was restored from a snapshot (VM clone, Lambda
/// SnapStart, CRaC), which no sealer can detect. ENSEAL_KEY_EXPIRED once a
/// keyset sealer's key is past its not-after date.
///
/// # Safety
/// `sealer` must be a live sealer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_rekey(sealer: *const enseal_sealer) -> enseal_status {
    // SAFETY: forwarded from the function's contract.
    guard(|| unsafe { handle(sealer) }?.inner.rekey())
}

/// The not-after date (Unix seconds) of the key a keyset sealer seals to, or
/// 0 when it has none (and for a sealer made by enseal_sealer_new).
///
/// # Safety
/// `sealer` must be a live sealer; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_not_after(
    sealer: *const enseal_sealer,
    out: *mut u64,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `sealer`.
    unsafe { produce(out, || Ok(handle(sealer)?.inner.not_after().unwrap_or(0))) }
}

/// Frees a sealer and sets `*sealer` to NULL. NULL is allowed.
///
/// # Safety
/// `sealer` must be NULL, or point to NULL or to a live sealer no thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_free(sealer: *mut *mut enseal_sealer) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(sealer) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_padding_macro_is_core_s_default() {
        assert_eq!(
            super::ENSEAL_DEFAULT_JSON_PADDING,
            enseal_core::DEFAULT_JSON_PADDING
        );
    }

    #[test]
    fn the_session_age_macro_is_core_s_default() {
        assert_eq!(
            super::ENSEAL_DEFAULT_SESSION_MAX_AGE,
            enseal_core::DEFAULT_SESSION_MAX_AGE.as_secs()
        );
    }
}
