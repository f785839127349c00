//! Signed keysets (docs/FORMAT.md §10): `enseal_signer_pins`, the signer
//! public keys a client trusts, and the two ways to take a keyset only when
//! it verifies under them: as a keyset handle, or straight to a sealer.

use crate::keyset::enseal_keyset;
use crate::memory::*;
use crate::sealer::enseal_sealer;
use crate::status::{enseal_status, guard, produce};
use enseal_core::{Error, Keyset, Sealer, SignerPins, VerifiedKeyset};
use std::ffi::c_char;

/// The pinned keyset signers (Ed25519 public keys). Immutable: may be used
/// from many threads at once.
pub struct enseal_signer_pins {
    inner: SignerPins,
}

/// What a signed keyset said, once its signature verified.
#[repr(C)]
pub struct enseal_signed_keyset_info {
    /// The signed version (at least 1). A client that keeps state stores the
    /// highest it accepted and passes it as `min_version` next time.
    pub version: u64,
    /// The signed expiry (Unix seconds): fetch a new keyset by then.
    pub expires: u64,
    /// The signer's key id (RFC 7638 thumbprint): 43 characters of base64url and a NUL.
    pub signer: [c_char; 44],
}

/// Parses pinned signer keys: a JWK set `{"keys": [...]}` of public Ed25519
/// OKP JWKs (RFC 8037), at least one. A private key (`d`) in it, an empty set
/// or a key pinned twice is ENSEAL_INVALID_KEYSET; a bad key ENSEAL_INVALID_KEY.
///
/// # Safety
/// `jwks` must be NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_signer_pins_from_jwks(
    jwks: *const c_char,
    out: *mut *mut enseal_signer_pins,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = SignerPins::from_jwks(unsafe { str_arg(jwks) }?)?;
        Ok(new_handle(enseal_signer_pins { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The number of pinned signers.
///
/// # Safety
/// `pins` must be live pins; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_signer_pins_len(
    pins: *const enseal_signer_pins,
    out: *mut usize,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `pins`.
    unsafe { produce(out, || Ok(handle(pins)?.inner.len())) }
}

/// Frees pins and sets `*pins` to NULL. NULL is allowed.
///
/// # Safety
/// `pins` must be NULL, or point to NULL or to live pins not in use elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_signer_pins_free(pins: *mut *mut enseal_signer_pins) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(pins) }
}

/// Verifies a signed keyset (a JWS, docs/FORMAT.md §10) against `pins` and
/// returns the keyset it carries. `min_version`: the highest version
/// accepted before (0: none); `now`: Unix seconds to check the expiry
/// against (0: the system clock). `info`, when not NULL, receives the
/// version, expiry and signer. Errors, in the order checked:
/// ENSEAL_KEYSET_UNSIGNED (not a JWS: say, the plain keyset JSON),
/// ENSEAL_KEYSET_BAD_SIGNATURE (an unpinned signer, a header other than
/// EdDSA, or a signature that does not verify), ENSEAL_KEYSET_EXPIRED,
/// ENSEAL_KEYSET_ROLLBACK, ENSEAL_INVALID_KEYSET (a verified document that
/// is no keyset). On error nothing is written.
///
/// # Safety
/// `jws` must be NUL-terminated; `pins` live pins; `out` writable; `info`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_from_signed(
    jws: *const c_char,
    pins: *const enseal_signer_pins,
    min_version: u64,
    now: u64,
    out: *mut *mut enseal_keyset,
    info: *mut enseal_signed_keyset_info,
) -> enseal_status {
    guard(|| {
        out_arg(out)?;
        // SAFETY: forwarded from the function's contract.
        let verified = unsafe { verify(jws, pins, min_version, now) }?;
        let details = info_of(&verified)?;
        let keyset = new_handle(enseal_keyset {
            inner: verified.keyset().clone(),
        });
        // SAFETY: `out` checked non-NULL above; `info` NULL-checked in `write_info`.
        unsafe {
            write_out(out, keyset);
            write_info(info, details);
        }
        Ok(())
    })
}

/// A sealer for the primary key of a signed keyset that verifies under
/// `pins`: enseal_keyset_from_signed (same arguments and errors) then
/// enseal_sealer_from_keyset, so nothing is ever sealed to a keyset that did
/// not verify.
///
/// # Safety
/// As enseal_keyset_from_signed; `out` receives the sealer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_from_signed_keyset(
    jws: *const c_char,
    pins: *const enseal_signer_pins,
    min_version: u64,
    now: u64,
    out: *mut *mut enseal_sealer,
    info: *mut enseal_signed_keyset_info,
) -> enseal_status {
    guard(|| {
        out_arg(out)?;
        // SAFETY: forwarded from the function's contract.
        let verified = unsafe { verify(jws, pins, min_version, now) }?;
        let details = info_of(&verified)?;
        let sealer = new_handle(enseal_sealer {
            inner: Sealer::from_keyset(verified.keyset())?,
        });
        // SAFETY: `out` checked non-NULL above; `info` NULL-checked in `write_info`.
        unsafe {
            write_out(out, sealer);
            write_info(info, details);
        }
        Ok(())
    })
}

/// C's 0s: no minimum version, the system clock.
///
/// # Safety
/// `jws` NUL-terminated, `pins` a live handle.
unsafe fn verify(
    jws: *const c_char,
    pins: *const enseal_signer_pins,
    min_version: u64,
    now: u64,
) -> Result<VerifiedKeyset, Error> {
    // SAFETY: forwarded contract.
    let (jws, pins) = unsafe { (str_arg(jws)?, &handle(pins)?.inner) };
    let min_version = (min_version != 0).then_some(min_version);
    match now {
        0 => Keyset::from_signed(jws, pins, min_version),
        now => Keyset::from_signed_at(jws, pins, min_version, now),
    }
}

fn info_of(verified: &VerifiedKeyset) -> Result<enseal_signed_keyset_info, Error> {
    Ok(enseal_signed_keyset_info {
        version: verified.version(),
        expires: verified.expires(),
        signer: fixed_text(verified.signer())?,
    })
}

/// # Safety
/// `info` must be NULL or writable.
unsafe fn write_info(info: *mut enseal_signed_keyset_info, details: enseal_signed_keyset_info) {
    if !info.is_null() {
        // SAFETY: non-NULL, writable per the caller's contract.
        unsafe { write_out(info, details) }
    }
}
