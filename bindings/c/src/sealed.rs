//! Sealed values without a key: `enseal_sealed_inspect` reads what a sealed
//! value says about itself, `enseal_is_sealed` checks its form, and
//! `enseal_json_context` gives the context enseal_sealer_seal_json binds a
//! document value to.

use crate::memory::*;
use crate::status::{enseal_status, produce};
use enseal_core::{Error, Sealed};
use std::ffi::c_char;

/// What a sealed value says about itself, as enseal_sealed_inspect writes it.
/// Nothing here is secret: it is all in the clear header.
#[repr(C)]
pub struct enseal_sealed_info {
    /// The format version (1).
    pub version: u8,
    /// The suite id of the key it was sealed to (ENSEAL_SUITE_*).
    pub suite: u16,
    /// The key id it was sealed to: 11 characters of base64url and a NUL,
    /// as enseal_public_key_kid and enseal_keypair_kid give it.
    pub kid: [c_char; 12],
    /// The session it was sealed in (fields with one session id share one
    /// encapsulation): 22 characters of base64url and a NUL.
    pub session_id: [c_char; 23],
    /// The field's counter within its session.
    pub counter: u64,
    /// Bytes of plaintext it holds.
    pub plaintext_len: usize,
    /// Bytes of its binary form.
    pub binary_len: usize,
    /// Characters of its text form (without a NUL).
    pub text_len: usize,
}

/// The header of a parsed value, as C reads it.
pub(crate) fn info(sealed: &Sealed) -> Result<enseal_sealed_info, Error> {
    Ok(enseal_sealed_info {
        version: sealed.version(),
        suite: sealed.suite().kem_id(),
        kid: fixed_text(&sealed.kid().to_string())?,
        session_id: fixed_text(&sealed.session_id().to_string())?,
        counter: sealed.counter(),
        plaintext_len: sealed.plaintext_len(),
        binary_len: sealed.binary_len(),
        text_len: sealed.text_len(),
    })
}

/// Reads the header of a sealed value in text form without a key ("which key
/// sealed this?", for rotation and re-sealing). Parsing checks the prefix,
/// the encoding, the version, the suite and every length (the errors of
/// opening up to the key); only opening checks that the value is authentic,
/// so treat what this says as a claim until the value opens.
///
/// # Safety
/// `text` must be NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealed_inspect(
    text: *const c_char,
    out: *mut enseal_sealed_info,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `str_arg` forwards the contract on `text`.
    unsafe { produce(out, || info(&Sealed::parse(str_arg(text)?)?)) }
}

/// As enseal_sealed_inspect, for the binary form (`len` bytes at `sealed`).
///
/// # Safety
/// `sealed` must be readable for `len` bytes; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealed_inspect_binary(
    sealed: *const u8,
    len: usize,
    out: *mut enseal_sealed_info,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `bytes_arg` forwards the contract on `sealed`.
    unsafe { produce(out, || info(&Sealed::from_binary(bytes_arg(sealed, len)?)?)) }
}

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
        Ok(bytes_result(
            enseal_core::json_context(pointer, record_id).into_bytes(),
        ))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}
