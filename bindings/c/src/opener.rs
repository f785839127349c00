//! `enseal_opener`: opens sealed fields with a keyring.

use crate::keyring::enseal_keyring;
use crate::memory::*;
use crate::sealer::enseal_sealer;
use crate::status::{enseal_status, guard, produce};
use crate::template::enseal_context_template;
use enseal_core::{Context, Opener, Resealed, ResealedRecord};
use std::ffi::c_char;

/// Opens sealed fields with a keyring. Thread-safe: many threads may open with
/// one opener at once.
pub struct enseal_opener {
    pub(crate) inner: Opener,
}

/// An opener over the keys of `keyring` (the keyring may be freed afterwards).
///
/// # Safety
/// `keyring` must be a live keyring; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_new(
    keyring: *const enseal_keyring,
    out: *mut *mut enseal_opener,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = Opener::new(unsafe { handle(keyring) }?.inner.clone());
        Ok(new_handle(enseal_opener { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Opens a sealed value in text form ("enseal1." + base64url) sealed with
/// `context`; the plaintext goes to `out` (free with enseal_bytes_free, which
/// wipes it).
///
/// # Safety
/// `sealed` must be NUL-terminated; `context` readable for `context_len`; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open(
    opener: *const enseal_opener,
    sealed: *const c_char,
    context: *const u8,
    context_len: usize,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, sealed, context) = unsafe {
            (
                handle(opener)?,
                str_arg(sealed)?,
                bytes_arg(context, context_len)?,
            )
        };
        Ok(secret_bytes_result(
            opener.inner.open(sealed, Context::bytes(context))?,
        ))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// As enseal_opener_open, giving the plaintext as a NUL-terminated UTF-8
/// string (free with enseal_string_free, which wipes it). A plaintext that is
/// not UTF-8, or that holds a NUL byte, is ENSEAL_INVALID_ARGUMENT and
/// nothing is returned.
///
/// # Safety
/// `sealed` must be NUL-terminated; `context` readable for `context_len`; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open_string(
    opener: *const enseal_opener,
    sealed: *const c_char,
    context: *const u8,
    context_len: usize,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, sealed, context) = unsafe {
            (
                handle(opener)?,
                str_arg(sealed)?,
                bytes_arg(context, context_len)?,
            )
        };
        let text = opener.inner.open_string(sealed, Context::bytes(context))?;
        // A C string ends at its first NUL: a value holding one cannot be
        // returned whole as text (enseal_opener_open gives its bytes).
        if text.as_bytes().contains(&0) {
            return Err(invalid(
                "the opened value holds a NUL byte: open it as bytes",
            ));
        }
        secret_string_result(text)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Opens a sealed value in binary form sealed with `context`; the plaintext
/// goes to `out` (free with enseal_bytes_free, which wipes it).
///
/// # Safety
/// Byte pointers must be readable for their lengths; `opener` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open_binary(
    opener: *const enseal_opener,
    sealed: *const u8,
    sealed_len: usize,
    context: *const u8,
    context_len: usize,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, sealed, context) = unsafe {
            (
                handle(opener)?,
                bytes_arg(sealed, sealed_len)?,
                bytes_arg(context, context_len)?,
            )
        };
        Ok(secret_bytes_result(
            opener.inner.open_binary(sealed, Context::bytes(context))?,
        ))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Opens a sealed value in binary form sealed with `context` into the
/// caller's buffer: `out_len` bytes at `out` (which must not overlap the
/// other arguments; NULL when `out_len` is 0). On success the plaintext is at
/// the start of `out` and `*out_written` is its length. When `out` is too
/// short the result is ENSEAL_BUFFER_TOO_SMALL with the length needed in
/// `*out_written`, found before anything is decrypted. On any error no
/// plaintext is left in `out` (wiping what the caller keeps there on success
/// is the caller's business). Other errors leave `*out_written` untouched.
///
/// # Safety
/// Byte pointers must be readable for their lengths and `out` writable for
/// `out_len`; `opener` live; `out_written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open_into(
    opener: *const enseal_opener,
    sealed: *const u8,
    sealed_len: usize,
    context: *const u8,
    context_len: usize,
    out: *mut u8,
    out_len: usize,
    out_written: *mut usize,
) -> enseal_status {
    guard(|| {
        out_arg(out_written)?;
        // SAFETY: forwarded from the function's contract.
        let (opener, sealed, context, out) = unsafe {
            (
                handle(opener)?,
                bytes_arg(sealed, sealed_len)?,
                bytes_arg(context, context_len)?,
                bytes_mut_arg(out, out_len)?,
            )
        };
        let written = opener
            .inner
            .open_binary_to(sealed, Context::bytes(context), out);
        // SAFETY: checked by out_arg; writable per the contract.
        unsafe { report_length(written, out_written) }
    })
}

/// Opens the values at `pointers` (the syntax of enseal_sealer_seal_json) in
/// the JSON document `json`, restoring each value's JSON type; the opened
/// document goes to `out` (free with enseal_string_free, which wipes it).
/// Exactly those values are opened: a value there that is not a sealed
/// string is ENSEAL_NOT_SEALED, and strings elsewhere stay as they are, so a
/// client cannot have a sealed value it planted in a clear field opened. This
/// is the way for servers. `record_id` may be NULL.
///
/// # Safety
/// `json` and each of the `pointer_count` entries of `pointers` must be
/// NUL-terminated strings; `record_id` NULL or NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open_json(
    opener: *const enseal_opener,
    json: *const c_char,
    pointers: *const *const c_char,
    pointer_count: usize,
    record_id: *const c_char,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, json, record_id, list) = unsafe {
            (
                handle(opener)?,
                str_arg(json)?,
                opt_str_arg(record_id)?,
                str_list_arg(pointers, pointer_count)?,
            )
        };
        secret_string_result(opener.inner.open_json_text(json, &list, record_id)?)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Opens every string that starts with "enseal1." in the JSON document
/// `json`, wherever it is; the opened document goes to `out` (free with
/// enseal_string_free, which wipes it). For tools that do not know the
/// document's schema; servers use enseal_opener_open_json. `record_id` may be
/// NULL.
///
/// # Safety
/// `json` NUL-terminated; `record_id` NULL or NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open_json_all(
    opener: *const enseal_opener,
    json: *const c_char,
    record_id: *const c_char,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, json, record_id) =
            unsafe { (handle(opener)?, str_arg(json)?, opt_str_arg(record_id)?) };
        secret_string_result(opener.inner.open_json_text_all(json, record_id)?)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Opens the values at `pointers` of the record `json` sealed by
/// enseal_sealer_seal_record with `context_template` (exactly those, as
/// enseal_opener_open_json); the opened record goes to `out` (free with
/// enseal_string_free, which wipes it). A template field the record lacks is
/// ENSEAL_INVALID_TEMPLATE, naming the field, before anything is opened.
///
/// # Safety
/// `json` and each of the `pointer_count` entries of `pointers` must be
/// NUL-terminated strings; `opener` and `context_template` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open_record(
    opener: *const enseal_opener,
    json: *const c_char,
    pointers: *const *const c_char,
    pointer_count: usize,
    context_template: *const enseal_context_template,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, json, list, template) = unsafe {
            (
                handle(opener)?,
                str_arg(json)?,
                str_list_arg(pointers, pointer_count)?,
                handle(context_template)?,
            )
        };
        secret_string_result(opener.inner.open_record(json, &list, &template.inner)?)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Opens every string that starts with "enseal1." in the record `json` (as
/// enseal_opener_open_json_all), with `context_template`'s contexts; the opened
/// record goes to `out` (free with enseal_string_free, which wipes it).
///
/// # Safety
/// `json` NUL-terminated; `opener` and `context_template` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open_record_all(
    opener: *const enseal_opener,
    json: *const c_char,
    context_template: *const enseal_context_template,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, json, template) =
            unsafe { (handle(opener)?, str_arg(json)?, handle(context_template)?) };
        secret_string_result(opener.inner.open_record_all(json, &template.inner)?)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Re-seals `sealed` (text form), sealed with `context`, to the key of `to`
/// (key rotation): opens it with this opener's keyring (audited as operation "reseal"
/// when the opener audits) and seals the plaintext with the same context. A
/// value already on `to`'s key is left as it is, decided from its key id
/// without opening it. On success `*out` is the value to store (the new
/// text, or a copy of `sealed` when it was current; free with
/// enseal_string_free) and `*resealed` (may be NULL) says which. Errors are
/// those of opening (ENSEAL_UNKNOWN_KEY once the old key has left the
/// keyring) and of sealing; nothing is written then.
///
/// # Safety
/// `opener` and `to` live; `sealed` NUL-terminated; `context` readable for
/// `context_len`; `out` writable; `resealed` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_reseal(
    opener: *const enseal_opener,
    sealed: *const c_char,
    context: *const u8,
    context_len: usize,
    to: *const enseal_sealer,
    out: *mut *mut c_char,
    resealed: *mut bool,
) -> enseal_status {
    guard(|| {
        out_arg(out)?;
        // SAFETY: forwarded from the function's contract.
        let (opener, sealed, context, to) = unsafe {
            (
                handle(opener)?,
                str_arg(sealed)?,
                bytes_arg(context, context_len)?,
                handle(to)?,
            )
        };
        let outcome = opener
            .inner
            .reseal(sealed, Context::bytes(context), &to.inner)?;
        let is_new = matches!(outcome, Resealed::Resealed(_));
        let text = string_result(&outcome.into_text(sealed))?;
        // SAFETY: checked by out_arg; `resealed` is NULL or writable per the contract.
        unsafe {
            write_out(out, text);
            if let Some(flag) = resealed.as_mut() {
                *flag = is_new;
            }
        }
        Ok(())
    })
}

/// Writes a re-sealed record and its counts through the caller's pointers.
///
/// # Safety
/// `out` non-NULL and writable; each count pointer NULL or writable.
unsafe fn write_resealed(
    record: ResealedRecord,
    out: *mut *mut c_char,
    resealed: *mut usize,
    already_current: *mut usize,
) -> Result<(), enseal_core::Error> {
    let text = string_result(&record.json)?;
    // SAFETY: forwarded contract.
    unsafe {
        write_out(out, text);
        if let Some(count) = resealed.as_mut() {
            *count = record.resealed;
        }
        if let Some(count) = already_current.as_mut() {
            *count = record.already_current;
        }
    }
    Ok(())
}

/// Re-seals to `to`'s key the values at `pointers` of the record `json`
/// sealed with `context_template` (as enseal_opener_reseal does each value:
/// those already on `to`'s key are left as they are, unopened; each keeps
/// its context and padded plaintext). All or nothing: on success `*out` is
/// the record (free with enseal_string_free) and `*resealed` and
/// `*already_current` (each may be NULL) count the values; on error nothing
/// is written.
///
/// # Safety
/// `json` and each of the `pointer_count` entries of `pointers` must be
/// NUL-terminated strings; `opener`, `context_template` and `to` live; `out`
/// writable; the count pointers NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_reseal_record(
    opener: *const enseal_opener,
    json: *const c_char,
    pointers: *const *const c_char,
    pointer_count: usize,
    context_template: *const enseal_context_template,
    to: *const enseal_sealer,
    out: *mut *mut c_char,
    resealed: *mut usize,
    already_current: *mut usize,
) -> enseal_status {
    guard(|| {
        out_arg(out)?;
        // SAFETY: forwarded from the function's contract.
        let (opener, json, list, template, to) = unsafe {
            (
                handle(opener)?,
                str_arg(json)?,
                str_list_arg(pointers, pointer_count)?,
                handle(context_template)?,
                handle(to)?,
            )
        };
        let record = opener
            .inner
            .reseal_record(json, &list, &template.inner, &to.inner)?;
        // SAFETY: checked by out_arg; the count pointers per the contract.
        unsafe { write_resealed(record, out, resealed, already_current) }
    })
}

/// As enseal_opener_reseal_record, for every sealed string of the record.
///
/// # Safety
/// `json` NUL-terminated; `opener`, `context_template` and `to` live; `out`
/// writable; the count pointers NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_reseal_record_all(
    opener: *const enseal_opener,
    json: *const c_char,
    context_template: *const enseal_context_template,
    to: *const enseal_sealer,
    out: *mut *mut c_char,
    resealed: *mut usize,
    already_current: *mut usize,
) -> enseal_status {
    guard(|| {
        out_arg(out)?;
        // SAFETY: forwarded from the function's contract.
        let (opener, json, template, to) = unsafe {
            (
                handle(opener)?,
                str_arg(json)?,
                handle(context_template)?,
                handle(to)?,
            )
        };
        let record = opener
            .inner
            .reseal_record_all(json, &template.inner, &to.inner)?;
        // SAFETY: checked by out_arg; the count pointers per the contract.
        unsafe { write_resealed(record, out, resealed, already_current) }
    })
}

/// Wipes and frees an opener and sets `*opener` to NULL. NULL is allowed.
///
/// # Safety
/// `opener` must be NULL, or point to NULL or to a live opener no thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_free(opener: *mut *mut enseal_opener) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(opener) }
}
