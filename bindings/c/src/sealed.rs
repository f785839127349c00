//! Sealed values without a key: `enseal_sealed_inspect` reads what a sealed
//! value says about itself, `enseal_is_sealed` checks its form, and
//! `enseal_json_context` gives the context enseal_sealer_seal_json binds a
//! document value to.

use crate::memory::*;
use crate::status::{enseal_status, produce};
use std::ffi::c_char;

/// Writes whether `text` is a well-formed sealed value in text form (no key
/// needed).
///
/// # Safety
/// `text` must be NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_is_sealed(text: *const c_char, out: *mut bool) -> enseal_status {
    // SAFETY: `produce` checks `out`; `str_arg` forwards the contract on `text`.
    unsafe { produce(out, || Ok(enseal_core::is_sealed(str_arg(text)?))) }
}

/// The context enseal_sealer_seal_json binds the value at `pointer` (a
/// concrete JSON Pointer, `*` replaced by the index) of the record
/// `record_id` (NULL for none) to: with it, enseal_opener_open opens one
/// value taken out of a sealed document. Free with enseal_bytes_free.
///
/// # Safety
/// `pointer` NUL-terminated; `record_id` NULL or NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_json_context(
    pointer: *const c_char,
    record_id: *const c_char,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (pointer, record_id) = unsafe { (str_arg(pointer)?, opt_str_arg(record_id)?) };
        Ok(bytes_result(enseal_core::json_context(pointer, record_id)))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}
