//! `enseal_status` (ENSEAL_OK or one of core's stable error codes), the
//! per-thread last error, and the guard every entry point runs in so that no
//! panic crosses into C.

use enseal_core::{Error, ErrorCode};
use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The result of every enseal C function that can fail: `ENSEAL_OK` or one of
/// core's stable error codes, the same numbers in every enseal binding.
///
/// enseal only ever returns this type; it never takes one as an argument, so
/// no out-of-range number from C can reach Rust as an enum.
//
// The numbers and docs are core's `ErrorCode`s written out (cbindgen reads
// source, it cannot call core); the tests below check this list against
// `ErrorCode::ALL` in both directions and the header's text against
// `ErrorCode::summary`, so a new core code cannot be left out.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum enseal_status {
    /// Success.
    ENSEAL_OK = 0,
    /// An argument is out of range or otherwise unusable.
    ENSEAL_INVALID_ARGUMENT = 1,
    /// The platform gave no randomness; nothing was sealed.
    ENSEAL_RANDOMNESS_UNAVAILABLE = 2,
    /// A bug in enseal or a binding (for example a caught panic).
    ENSEAL_INTERNAL = 3,
    /// A caller-supplied output buffer is too short for the result.
    ENSEAL_BUFFER_TOO_SMALL = 4,
    /// An audit event could not be recorded, so the open failed closed.
    ENSEAL_AUDIT_FAILED = 5,
    /// Text does not start with the enseal prefix "enseal1.".
    ENSEAL_BAD_PREFIX = 100,
    /// Text after the prefix is not canonical unpadded base64url.
    ENSEAL_BAD_ENCODING = 101,
    /// The sealed value is shorter than its header and tag.
    ENSEAL_TRUNCATED = 102,
    /// The value is larger than enseal accepts (64 MiB of plaintext).
    ENSEAL_TOO_LARGE = 103,
    /// The version byte is not one this build reads.
    ENSEAL_UNSUPPORTED_VERSION = 104,
    /// The KEM id names no suite this build knows.
    ENSEAL_UNSUPPORTED_SUITE = 105,
    /// No private key with the sealed value's key id is in the keyring.
    ENSEAL_UNKNOWN_KEY = 200,
    /// Decryption failed: wrong key, wrong context or altered data.
    ENSEAL_DECRYPT_FAILED = 201,
    /// The HSM or KMS holding the private key is unavailable; nothing was opened, retry later.
    ENSEAL_KEY_UNAVAILABLE = 202,
    /// Key material or a JWK is invalid.
    ENSEAL_INVALID_KEY = 300,
    /// A keyset or keyring document, or a change to it, is invalid.
    ENSEAL_INVALID_KEYSET = 301,
    /// The keyset's primary key is past its not-after date.
    ENSEAL_KEY_EXPIRED = 302,
    /// A keyset is not a signed JWS, and signers are pinned.
    ENSEAL_KEYSET_UNSIGNED = 303,
    /// A signed keyset's signature does not verify under a pinned signer key.
    ENSEAL_KEYSET_BAD_SIGNATURE = 304,
    /// A signed keyset is past its expiry.
    ENSEAL_KEYSET_EXPIRED = 305,
    /// A signed keyset's version is lower than one already accepted.
    ENSEAL_KEYSET_ROLLBACK = 306,
    /// A document is not valid JSON, or an opened value holds no JSON.
    ENSEAL_INVALID_JSON = 400,
    /// A JSON Pointer is not RFC 6901 syntax, uses * on an object, or overlaps another.
    ENSEAL_INVALID_POINTER = 401,
    /// A JSON Pointer names a location the document does not have.
    ENSEAL_PATH_NOT_FOUND = 402,
    /// The value at a JSON Pointer is already sealed, or a clear string starts with the prefix.
    ENSEAL_ALREADY_SEALED = 403,
    /// The value at a JSON Pointer to open is not a sealed string.
    ENSEAL_NOT_SEALED = 404,
    /// A context template is malformed, or a record lacks a field it names.
    ENSEAL_INVALID_TEMPLATE = 405,
}

use enseal_status::*;

/// Every status, in numeric order.
/// cbindgen:ignore
const STATUSES: [enseal_status; 28] = [
    ENSEAL_OK,
    ENSEAL_INVALID_ARGUMENT,
    ENSEAL_RANDOMNESS_UNAVAILABLE,
    ENSEAL_INTERNAL,
    ENSEAL_BUFFER_TOO_SMALL,
    ENSEAL_AUDIT_FAILED,
    ENSEAL_BAD_PREFIX,
    ENSEAL_BAD_ENCODING,
    ENSEAL_TRUNCATED,
    ENSEAL_TOO_LARGE,
    ENSEAL_UNSUPPORTED_VERSION,
    ENSEAL_UNSUPPORTED_SUITE,
    ENSEAL_UNKNOWN_KEY,
    ENSEAL_DECRYPT_FAILED,
    ENSEAL_KEY_UNAVAILABLE,
    ENSEAL_INVALID_KEY,
    ENSEAL_INVALID_KEYSET,
    ENSEAL_KEY_EXPIRED,
    ENSEAL_KEYSET_UNSIGNED,
    ENSEAL_KEYSET_BAD_SIGNATURE,
    ENSEAL_KEYSET_EXPIRED,
    ENSEAL_KEYSET_ROLLBACK,
    ENSEAL_INVALID_JSON,
    ENSEAL_INVALID_POINTER,
    ENSEAL_PATH_NOT_FOUND,
    ENSEAL_ALREADY_SEALED,
    ENSEAL_NOT_SEALED,
    ENSEAL_INVALID_TEMPLATE,
];

impl enseal_status {
    /// The status with core's number for `code`. A code missing here would
    /// come out as ENSEAL_INTERNAL; the tests below make that a build failure.
    pub(crate) fn of(code: ErrorCode) -> enseal_status {
        let number = i64::from(code.as_u16());
        STATUSES
            .into_iter()
            .find(|status| *status as i64 == number)
            .unwrap_or(ENSEAL_INTERNAL)
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn record(message: &str) {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|last| *last.borrow_mut() = text);
}

/// Runs one entry point: its error becomes a status and the thread's last
/// error message (core's text); a panic becomes `ENSEAL_INTERNAL` instead of
/// unwinding into C.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Error>) -> enseal_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            record("");
            ENSEAL_OK
        }
        Ok(Err(error)) => {
            record(&error.to_string());
            enseal_status::of(error.code())
        }
        Err(_) => {
            record("internal error: a panic was caught at the C boundary");
            ENSEAL_INTERNAL
        }
    }
}

/// As [`guard`], for errors whose message says more than core's text (an
/// I/O error's path and reason): the status is the error's, the thread's
/// last error message is the given text.
pub(crate) fn guard_detailed(body: impl FnOnce() -> Result<(), (Error, String)>) -> enseal_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            record("");
            ENSEAL_OK
        }
        Ok(Err((error, message))) => {
            record(&message);
            enseal_status::of(error.code())
        }
        Err(_) => {
            record("internal error: a panic was caught at the C boundary");
            ENSEAL_INTERNAL
        }
    }
}

/// Runs `make` inside [`guard`] and writes its value through `out` on
/// success; `out` is checked first, so nothing is computed for a NULL one.
///
/// # Safety
/// `out` must be NULL or valid for a write of `T`.
pub(crate) unsafe fn produce<T>(
    out: *mut T,
    make: impl FnOnce() -> Result<T, Error>,
) -> enseal_status {
    guard(|| {
        crate::memory::out_arg(out)?;
        let value = make()?;
        // SAFETY: checked non-NULL just above; writable per the caller's contract.
        unsafe { out.write(value) };
        Ok(())
    })
}

/// Core's description of the last error on the calling thread ("" after a
/// success). It never contains key material or plaintext. The pointer stays
/// valid until the next enseal call on the same thread; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn enseal_last_error() -> *const c_char {
    LAST_ERROR.with(|last| last.borrow().as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(status: enseal_status) -> String {
        format!("{status:?}")
    }

    #[test]
    fn every_core_code_has_its_status() {
        for code in ErrorCode::ALL {
            let status = enseal_status::of(code);
            assert_eq!(status as i64, i64::from(code.as_u16()), "{code:?}");
            assert_eq!(name(status), format!("ENSEAL_{}", code.name()));
        }
    }

    #[test]
    fn every_status_is_ok_or_a_core_code() {
        assert_eq!(STATUSES.len(), ErrorCode::ALL.len() + 1);
        assert_eq!(STATUSES[0], ENSEAL_OK);
        assert_eq!(ENSEAL_OK as i32, 0);
        for status in &STATUSES[1..] {
            let code = u16::try_from(*status as i64)
                .ok()
                .and_then(ErrorCode::from_u16)
                .unwrap_or_else(|| panic!("{status:?} is not a core code"));
            assert_eq!(name(*status), format!("ENSEAL_{}", code.name()));
        }
        let mut sorted = STATUSES;
        sorted.sort_by_key(|s| *s as i64);
        assert_eq!(sorted, STATUSES, "ALL is in numeric order");
    }

    /// The committed header says what core says: each code's line, and the
    /// doc comment above it is core's summary of that code.
    #[test]
    fn the_header_lists_every_code_with_core_s_summary() {
        let header = include_str!("../include/enseal.h");
        let lines: Vec<&str> = header.lines().map(str::trim).collect();
        for code in ErrorCode::ALL {
            let line = format!("ENSEAL_{} = {},", code.name(), code.as_u16());
            let at = lines
                .iter()
                .position(|l| *l == line)
                .unwrap_or_else(|| panic!("enseal.h lacks `{line}`"));
            // The doc comment above it: "/**", " * text" lines, " */".
            let open = (0..at)
                .rev()
                .find(|i| lines[*i] == "/**")
                .unwrap_or_else(|| panic!("no doc comment above `{line}`"));
            let doc = lines[open + 1..at - 1]
                .iter()
                .map(|l| l.trim_start_matches('*').trim())
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(doc, code.summary(), "the doc of {line}");
        }
        let codes = lines
            .iter()
            .filter(|l| l.starts_with("ENSEAL_") && l.contains(" = ") && l.ends_with(','))
            .count();
        assert_eq!(
            codes,
            ErrorCode::ALL.len() + 1,
            "ENSEAL_OK and one line per code"
        );
    }

    /// enseal_status only comes out of enseal: no function takes one (an
    /// out-of-range number from C would be undefined behaviour as a Rust enum).
    #[test]
    fn no_function_takes_a_status() {
        let header = include_str!("../include/enseal.h");
        // cbindgen writes each declaration on one line (`args = "horizontal"`).
        let declarations: Vec<&str> = header
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()) && l.ends_with(");"))
            .collect();
        assert!(declarations.len() > 50);
        for declaration in declarations {
            let arguments = &declaration[declaration.find('(').unwrap()..];
            assert!(
                !arguments.contains("enseal_status"),
                "takes an enseal_status: {declaration}"
            );
        }
    }

    #[test]
    fn errors_become_their_status_and_core_s_message() {
        let status = guard(|| Err(Error::DecryptFailed));
        assert_eq!(status, ENSEAL_DECRYPT_FAILED);
        // SAFETY: enseal_last_error returns a live NUL-terminated string.
        let message = unsafe { std::ffi::CStr::from_ptr(enseal_last_error()) };
        assert_eq!(message.to_str().unwrap(), Error::DecryptFailed.to_string());
        assert_eq!(guard(|| panic!("boom")), ENSEAL_INTERNAL);
        assert_eq!(guard(|| Ok(())), ENSEAL_OK);
        // SAFETY: as above.
        assert!(unsafe { std::ffi::CStr::from_ptr(enseal_last_error()) }.is_empty());
    }
}
