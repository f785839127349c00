//! Status codes (core's stable error codes), the per-thread last error, and the
//! guard every entry point runs in so that no panic crosses into C.

use enseal_core::{Error, ErrorCode};
use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The result of every enseal C function: `ENSEAL_OK` or an error code.
pub type enseal_status = i32;

// The numbers are core's `ErrorCode`s written out, so that cbindgen can put
// them in the header; a test below checks each against core.

/// Success.
pub const ENSEAL_OK: enseal_status = 0;
/// An argument is NULL, out of range, of a bad length, or not UTF-8.
pub const ENSEAL_INVALID_ARGUMENT: enseal_status = 1;
/// The platform gave no randomness; nothing was sealed.
pub const ENSEAL_RANDOMNESS_UNAVAILABLE: enseal_status = 2;
/// A bug in enseal (for example a caught panic).
pub const ENSEAL_INTERNAL: enseal_status = 3;
/// Text does not start with "enseal1.".
pub const ENSEAL_BAD_PREFIX: enseal_status = 100;
/// Text after the prefix is not canonical unpadded base64url.
pub const ENSEAL_BAD_ENCODING: enseal_status = 101;
/// The sealed value is shorter than its header and tag.
pub const ENSEAL_TRUNCATED: enseal_status = 102;
/// The value exceeds the 64 MiB plaintext limit.
pub const ENSEAL_TOO_LARGE: enseal_status = 103;
/// The version byte is not 1.
pub const ENSEAL_UNSUPPORTED_VERSION: enseal_status = 104;
/// Unknown KEM id.
pub const ENSEAL_UNSUPPORTED_SUITE: enseal_status = 105;
/// No private key with the value's key id in the keyring.
pub const ENSEAL_UNKNOWN_KEY: enseal_status = 200;
/// Wrong key, wrong context, or altered data.
pub const ENSEAL_DECRYPT_FAILED: enseal_status = 201;
/// Key bytes or a JWK are invalid.
pub const ENSEAL_INVALID_KEY: enseal_status = 300;
/// A keyset or keyring document is invalid.
pub const ENSEAL_INVALID_KEYSET: enseal_status = 301;
/// The keyset's primary key is past its not-after date.
pub const ENSEAL_KEY_EXPIRED: enseal_status = 302;
/// A document is not JSON, or an opened value holds no JSON.
pub const ENSEAL_INVALID_JSON: enseal_status = 400;
/// A JSON Pointer is not RFC 6901 syntax, uses `*` on an object, or overlaps another.
pub const ENSEAL_INVALID_POINTER: enseal_status = 401;
/// A JSON Pointer names a missing location.
pub const ENSEAL_PATH_NOT_FOUND: enseal_status = 402;
/// The value at a JSON Pointer is already sealed, or a clear string starts with "enseal1.".
pub const ENSEAL_ALREADY_SEALED: enseal_status = 403;
/// The value at a JSON Pointer to open is not a sealed string.
pub const ENSEAL_NOT_SEALED: enseal_status = 404;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn record(message: &str) {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|last| *last.borrow_mut() = text);
}

/// Runs one entry point: its error becomes a status code and the thread's last
/// error message; a panic becomes `ENSEAL_INTERNAL` instead of unwinding into C.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Error>) -> enseal_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            record("");
            ENSEAL_OK
        }
        Ok(Err(error)) => {
            record(&error.to_string());
            enseal_status::from(error.code().as_u16())
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

/// The stable name of a status code ("OK", "DECRYPT_FAILED", ...), or
/// "UNKNOWN_STATUS". The string is static: never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn enseal_status_str(status: enseal_status) -> *const c_char {
    let name: &'static [u8] = match u16::try_from(status).ok().and_then(ErrorCode::from_u16) {
        _ if status == ENSEAL_OK => b"OK\0",
        Some(code) => name_with_nul(code),
        None => b"UNKNOWN_STATUS\0",
    };
    name.as_ptr().cast()
}

fn name_with_nul(code: ErrorCode) -> &'static [u8] {
    macro_rules! names {
        ($($variant:ident => $text:literal),* $(,)?) => {
            match code {
                $(ErrorCode::$variant => concat!($text, "\0").as_bytes(),)*
                _ => b"UNKNOWN_STATUS\0",
            }
        };
    }
    names! {
        InvalidArgument => "INVALID_ARGUMENT", RandomnessUnavailable => "RANDOMNESS_UNAVAILABLE",
        Internal => "INTERNAL", BadPrefix => "BAD_PREFIX", BadEncoding => "BAD_ENCODING",
        Truncated => "TRUNCATED", TooLarge => "TOO_LARGE", UnsupportedVersion => "UNSUPPORTED_VERSION",
        UnsupportedSuite => "UNSUPPORTED_SUITE", UnknownKey => "UNKNOWN_KEY", DecryptFailed => "DECRYPT_FAILED",
        InvalidKey => "INVALID_KEY", InvalidKeyset => "INVALID_KEYSET", KeyExpired => "KEY_EXPIRED",
        InvalidJson => "INVALID_JSON", InvalidPointer => "INVALID_POINTER", PathNotFound => "PATH_NOT_FOUND",
        AlreadySealed => "ALREADY_SEALED", NotSealed => "NOT_SEALED",
    }
}

/// A description of the last error on the calling thread ("" after a success).
/// It never contains key material or plaintext. The pointer stays valid until
/// the next enseal call on the same thread; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn enseal_last_error_message() -> *const c_char {
    LAST_ERROR.with(|last| last.borrow().as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_core_code_has_a_constant_and_a_name() {
        let constants = [
            ENSEAL_INVALID_ARGUMENT,
            ENSEAL_RANDOMNESS_UNAVAILABLE,
            ENSEAL_INTERNAL,
            ENSEAL_BAD_PREFIX,
            ENSEAL_BAD_ENCODING,
            ENSEAL_TRUNCATED,
            ENSEAL_TOO_LARGE,
            ENSEAL_UNSUPPORTED_VERSION,
            ENSEAL_UNSUPPORTED_SUITE,
            ENSEAL_UNKNOWN_KEY,
            ENSEAL_DECRYPT_FAILED,
            ENSEAL_INVALID_KEY,
            ENSEAL_INVALID_KEYSET,
            ENSEAL_KEY_EXPIRED,
            ENSEAL_INVALID_JSON,
            ENSEAL_INVALID_POINTER,
            ENSEAL_PATH_NOT_FOUND,
            ENSEAL_ALREADY_SEALED,
            ENSEAL_NOT_SEALED,
        ];
        assert_eq!(constants.len(), ErrorCode::ALL.len());
        for (constant, code) in constants.iter().zip(ErrorCode::ALL) {
            assert_eq!(*constant, i32::from(code.as_u16()));
            // SAFETY: enseal_status_str returns a static NUL-terminated string.
            let name = unsafe { CStr::from_ptr(enseal_status_str(*constant)) };
            assert_eq!(name.to_str().unwrap(), code.name());
        }
    }
}
