//! The one error type of enseal. Codes are stable: they cross every FFI
//! boundary, so a number once given is never reused or renumbered.

use core::fmt;

/// Stable numeric code of an [`Error`], shared by every language binding.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ErrorCode {
    /// An argument is out of range or otherwise unusable.
    InvalidArgument = 1,
    /// The operating system (or the browser) gave no randomness.
    RandomnessUnavailable = 2,
    /// A bug in enseal or a binding (for example a caught panic).
    Internal = 3,
    /// A caller-supplied output buffer is too short for the result.
    BufferTooSmall = 4,
    /// An audit event could not be recorded; the open failed closed.
    AuditFailed = 5,
    /// Text does not start with the enseal prefix.
    BadPrefix = 100,
    /// Text after the prefix is not unpadded base64url.
    BadEncoding = 101,
    /// The sealed value is shorter than its header and tag.
    Truncated = 102,
    /// The value is larger than enseal accepts.
    TooLarge = 103,
    /// The version byte is not one this build reads.
    UnsupportedVersion = 104,
    /// The KEM id names no suite this build knows.
    UnsupportedSuite = 105,
    /// No private key with the sealed value's key id is in the keyring.
    UnknownKey = 200,
    /// Decryption failed: wrong key, wrong context or tampered data.
    DecryptFailed = 201,
    /// The HSM or KMS that holds the private key did not answer or refused
    /// service (token absent, session closed, throttled, timed out); nothing
    /// was opened and nothing was cached, so the same call can be retried.
    KeyUnavailable = 202,
    /// Key material or a JWK is invalid.
    InvalidKey = 300,
    /// A keyset or keyring document is invalid.
    InvalidKeyset = 301,
    /// The keyset's primary key is past its not-after date.
    KeyExpired = 302,
    /// A keyset is not a signed JWS, where the caller pinned signers.
    KeysetUnsigned = 303,
    /// A signed keyset's signature does not verify under a pinned signer key.
    KeysetBadSignature = 304,
    /// A signed keyset is past its expiry.
    KeysetExpired = 305,
    /// A signed keyset's version is lower than one already accepted.
    KeysetRollback = 306,
    /// A document is not valid JSON, or an opened value holds no JSON.
    InvalidJson = 400,
    /// A JSON Pointer is not valid RFC 6901 syntax.
    InvalidPointer = 401,
    /// A JSON Pointer names a location the document does not have.
    PathNotFound = 402,
    /// The value at a JSON Pointer is already sealed (or a clear string carries the prefix).
    AlreadySealed = 403,
    /// The value at a JSON Pointer to open is not a sealed string.
    NotSealed = 404,
    /// A context template is malformed, or a record cannot fill it.
    InvalidTemplate = 405,
}

impl ErrorCode {
    /// Every code, in numeric order. Bindings walk this list in their tests.
    pub const ALL: [ErrorCode; 27] = [
        ErrorCode::InvalidArgument,
        ErrorCode::RandomnessUnavailable,
        ErrorCode::Internal,
        ErrorCode::BufferTooSmall,
        ErrorCode::AuditFailed,
        ErrorCode::BadPrefix,
        ErrorCode::BadEncoding,
        ErrorCode::Truncated,
        ErrorCode::TooLarge,
        ErrorCode::UnsupportedVersion,
        ErrorCode::UnsupportedSuite,
        ErrorCode::UnknownKey,
        ErrorCode::DecryptFailed,
        ErrorCode::KeyUnavailable,
        ErrorCode::InvalidKey,
        ErrorCode::InvalidKeyset,
        ErrorCode::KeyExpired,
        ErrorCode::KeysetUnsigned,
        ErrorCode::KeysetBadSignature,
        ErrorCode::KeysetExpired,
        ErrorCode::KeysetRollback,
        ErrorCode::InvalidJson,
        ErrorCode::InvalidPointer,
        ErrorCode::PathNotFound,
        ErrorCode::AlreadySealed,
        ErrorCode::NotSealed,
        ErrorCode::InvalidTemplate,
    ];

    /// The stable number.
    pub const fn as_u16(self) -> u16 {
        self as u16
    }

    /// The code for a number, if it is one.
    pub fn from_u16(code: u16) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_u16() == code)
    }

    /// The stable SCREAMING_SNAKE name (what JavaScript sees as `error.code`).
    pub const fn name(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::RandomnessUnavailable => "RANDOMNESS_UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::BufferTooSmall => "BUFFER_TOO_SMALL",
            ErrorCode::AuditFailed => "AUDIT_FAILED",
            ErrorCode::BadPrefix => "BAD_PREFIX",
            ErrorCode::BadEncoding => "BAD_ENCODING",
            ErrorCode::Truncated => "TRUNCATED",
            ErrorCode::TooLarge => "TOO_LARGE",
            ErrorCode::UnsupportedVersion => "UNSUPPORTED_VERSION",
            ErrorCode::UnsupportedSuite => "UNSUPPORTED_SUITE",
            ErrorCode::UnknownKey => "UNKNOWN_KEY",
            ErrorCode::DecryptFailed => "DECRYPT_FAILED",
            ErrorCode::KeyUnavailable => "KEY_UNAVAILABLE",
            ErrorCode::InvalidKey => "INVALID_KEY",
            ErrorCode::InvalidKeyset => "INVALID_KEYSET",
            ErrorCode::KeyExpired => "KEY_EXPIRED",
            ErrorCode::KeysetUnsigned => "KEYSET_UNSIGNED",
            ErrorCode::KeysetBadSignature => "KEYSET_BAD_SIGNATURE",
            ErrorCode::KeysetExpired => "KEYSET_EXPIRED",
            ErrorCode::KeysetRollback => "KEYSET_ROLLBACK",
            ErrorCode::InvalidJson => "INVALID_JSON",
            ErrorCode::InvalidPointer => "INVALID_POINTER",
            ErrorCode::PathNotFound => "PATH_NOT_FOUND",
            ErrorCode::AlreadySealed => "ALREADY_SEALED",
            ErrorCode::NotSealed => "NOT_SEALED",
            ErrorCode::InvalidTemplate => "INVALID_TEMPLATE",
        }
    }
}

impl ErrorCode {
    /// One line saying what the code means: the text every binding's error
    /// list (C header, Python classes, TypeScript union, Kotlin) is generated
    /// from or checked against.
    pub const fn summary(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "An argument is out of range or otherwise unusable.",
            ErrorCode::RandomnessUnavailable => {
                "The platform gave no randomness; nothing was sealed."
            }
            ErrorCode::Internal => "A bug in enseal or a binding (for example a caught panic).",
            ErrorCode::BufferTooSmall => {
                "A caller-supplied output buffer is too short for the result."
            }
            ErrorCode::AuditFailed => {
                "An audit event could not be recorded, so the open failed closed."
            }
            ErrorCode::BadPrefix => "Text does not start with the enseal prefix \"enseal1.\".",
            ErrorCode::BadEncoding => "Text after the prefix is not canonical unpadded base64url.",
            ErrorCode::Truncated => "The sealed value is shorter than its header and tag.",
            ErrorCode::TooLarge => "The value is larger than enseal accepts (64 MiB of plaintext).",
            ErrorCode::UnsupportedVersion => "The version byte is not one this build reads.",
            ErrorCode::UnsupportedSuite => "The KEM id names no suite this build knows.",
            ErrorCode::UnknownKey => {
                "No private key with the sealed value's key id is in the keyring."
            }
            ErrorCode::DecryptFailed => {
                "Decryption failed: wrong key, wrong context or altered data."
            }
            ErrorCode::KeyUnavailable => {
                "The HSM or KMS holding the private key is unavailable; nothing was opened, retry later."
            }
            ErrorCode::InvalidKey => "Key material or a JWK is invalid.",
            ErrorCode::InvalidKeyset => {
                "A keyset or keyring document, or a change to it, is invalid."
            }
            ErrorCode::KeyExpired => "The keyset's primary key is past its not-after date.",
            ErrorCode::KeysetUnsigned => "A keyset is not a signed JWS, and signers are pinned.",
            ErrorCode::KeysetBadSignature => {
                "A signed keyset's signature does not verify under a pinned signer key."
            }
            ErrorCode::KeysetExpired => "A signed keyset is past its expiry.",
            ErrorCode::KeysetRollback => {
                "A signed keyset's version is lower than one already accepted."
            }
            ErrorCode::InvalidJson => {
                "A document is not valid JSON, or an opened value holds no JSON."
            }
            ErrorCode::InvalidPointer => {
                "A JSON Pointer is not RFC 6901 syntax, uses * on an object, or overlaps another."
            }
            ErrorCode::PathNotFound => {
                "A JSON Pointer names a location the document does not have."
            }
            ErrorCode::AlreadySealed => {
                "The value at a JSON Pointer is already sealed, or a clear string starts with the prefix."
            }
            ErrorCode::NotSealed => "The value at a JSON Pointer to open is not a sealed string.",
            ErrorCode::InvalidTemplate => {
                "A context template is malformed, or a record lacks a field it names."
            }
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that can go wrong in enseal.
///
/// Messages name what is wrong and where (a JSON Pointer, a key id, a suite),
/// never key material, plaintext or ciphertext. Decryption failures are
/// deliberately one opaque variant so that no caller becomes an oracle.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// An argument is out of range or otherwise unusable.
    InvalidArgument(&'static str),
    /// The platform gave no randomness; nothing was sealed.
    RandomnessUnavailable,
    /// A bug in enseal or a binding.
    Internal(&'static str),
    /// A caller's output buffer is shorter than the `needed` bytes of the result;
    /// nothing was written and no counter value was used.
    BufferTooSmall {
        /// Bytes the result needs.
        needed: usize,
    },
    /// An audit sink did not record an event (the audit file cannot be
    /// written, a callback refused or threw): the open failed closed and
    /// returned no plaintext. Says what, never the sink's own message.
    AuditFailed(&'static str),
    /// Text does not start with [`crate::format::constants::TEXT_PREFIX`].
    BadPrefix,
    /// Text after the prefix is not canonical unpadded base64url.
    BadEncoding,
    /// The sealed value ends before its header and tag do.
    Truncated,
    /// The value exceeds [`crate::format::constants::MAX_PLAINTEXT_LEN`] (or its sealed size).
    TooLarge,
    /// The version byte is not 1.
    UnsupportedVersion(u8),
    /// The KEM id names no known suite.
    UnsupportedSuite(u16),
    /// No private key in the keyring has this key id.
    UnknownKey(crate::KeyId),
    /// Wrong key, wrong context, or tampered data: deliberately not more precise.
    DecryptFailed,
    /// The HSM or KMS holding key `kid` did not answer or refused service;
    /// `reason` says which (token absent, throttled, timed out), never key
    /// material. Nothing was opened or cached: the call can be retried.
    KeyUnavailable {
        /// The key whose backend failed; `None` when the backend failed
        /// before it said which key it holds (connecting to it).
        kid: Option<crate::KeyId>,
        /// What the backend reported.
        reason: String,
    },
    /// A key location (a `pkcs11:` URI, an `awskms:` URI, a wrapped-key
    /// file) is malformed or names nothing usable; the text says what. The
    /// code is `INVALID_ARGUMENT`.
    InvalidKeyLocation(String),
    /// A column (Arrow, a table) cannot be used as asked: missing, named
    /// twice, or of the wrong kind (its text says which). The code is
    /// `INVALID_ARGUMENT`.
    InvalidColumn(String),
    /// A column's type is not one that can be sealed or opened, or read by a
    /// context template: `column` has `found`, `expected` is what fits. A
    /// type error in languages that have them (Python `TypeError`). The code
    /// is `INVALID_ARGUMENT`.
    ColumnType {
        /// The column's name.
        column: String,
        /// Its type, as Arrow names it.
        found: String,
        /// The kinds of column that fit.
        expected: &'static str,
    },
    /// Key material or a JWK is invalid.
    InvalidKey(&'static str),
    /// A keyset or keyring document is invalid.
    InvalidKeyset(String),
    /// A keyset key is past its not-after date: the primary, when sealing;
    /// the value's key, in [`Keyset::check_sealed`](crate::Keyset::check_sealed).
    KeyExpired(crate::KeyId),
    /// Signers are pinned but the keyset is not a compact JWS.
    KeysetUnsigned,
    /// The keyset's JWS does not verify under a pinned signer: `what` says
    /// why (unknown signer, algorithm not allowed, signature invalid).
    KeysetBadSignature(&'static str),
    /// The signed keyset expired at `expires` (Unix seconds).
    KeysetExpired {
        /// The keyset's `exp`, in Unix seconds.
        expires: u64,
    },
    /// The signed keyset's `version` is below the `accepted` one.
    KeysetRollback {
        /// The version of the keyset offered.
        version: u64,
        /// The highest version accepted before.
        accepted: u64,
    },
    /// A document is not JSON, or an opened value holds no JSON.
    InvalidJson(&'static str),
    /// A JSON Pointer is not valid RFC 6901 syntax.
    InvalidPointer(String),
    /// A JSON Pointer names a location the document does not have.
    PathNotFound(String),
    /// The value at this JSON Pointer is already sealed, or is a clear
    /// string that starts with the sealed prefix.
    AlreadySealed(String),
    /// The value at this JSON Pointer was to be opened but is not a sealed string.
    NotSealed(String),
    /// A context template is malformed, or a record cannot fill it (a field
    /// missing, not a scalar, or among the values being sealed).
    InvalidTemplate(String),
    /// Value `index` of a batch failed with `source`; the batch returned
    /// nothing. The code is the inner error's code.
    Batch {
        /// Position of the failing value in the batch, from 0.
        index: usize,
        /// Why that value failed.
        source: Box<Error>,
    },
    /// The value at JSON Pointer `pointer` of a document or record failed
    /// with `source` (e.g. [`Error::DecryptFailed`]); the document returned
    /// nothing. The code is the inner error's code.
    Field {
        /// The concrete pointer of the value (`/visits/1/note`).
        pointer: String,
        /// Why that value failed.
        source: Box<Error>,
    },
    /// Entry `index` (`keys[index]`) of a keyset or keyring document is
    /// invalid because of `source` (e.g. an [`Error::InvalidKey`]). The code is
    /// `INVALID_KEYSET`; the inner code is `source.code()`.
    KeysetEntry {
        /// Position of the entry in the document's `keys` array.
        index: usize,
        /// Why the entry is invalid.
        source: Box<Error>,
    },
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidArgument(_) => ErrorCode::InvalidArgument,
            Error::RandomnessUnavailable => ErrorCode::RandomnessUnavailable,
            Error::Internal(_) => ErrorCode::Internal,
            Error::BufferTooSmall { .. } => ErrorCode::BufferTooSmall,
            Error::AuditFailed(_) => ErrorCode::AuditFailed,
            Error::BadPrefix => ErrorCode::BadPrefix,
            Error::BadEncoding => ErrorCode::BadEncoding,
            Error::Truncated => ErrorCode::Truncated,
            Error::TooLarge => ErrorCode::TooLarge,
            Error::UnsupportedVersion(_) => ErrorCode::UnsupportedVersion,
            Error::UnsupportedSuite(_) => ErrorCode::UnsupportedSuite,
            Error::UnknownKey(_) => ErrorCode::UnknownKey,
            Error::DecryptFailed => ErrorCode::DecryptFailed,
            Error::KeyUnavailable { .. } => ErrorCode::KeyUnavailable,
            Error::InvalidKeyLocation(_) => ErrorCode::InvalidArgument,
            Error::InvalidColumn(_) | Error::ColumnType { .. } => ErrorCode::InvalidArgument,
            Error::InvalidKey(_) => ErrorCode::InvalidKey,
            Error::InvalidKeyset(_) => ErrorCode::InvalidKeyset,
            Error::KeyExpired(_) => ErrorCode::KeyExpired,
            Error::KeysetUnsigned => ErrorCode::KeysetUnsigned,
            Error::KeysetBadSignature(_) => ErrorCode::KeysetBadSignature,
            Error::KeysetExpired { .. } => ErrorCode::KeysetExpired,
            Error::KeysetRollback { .. } => ErrorCode::KeysetRollback,
            Error::InvalidJson(_) => ErrorCode::InvalidJson,
            Error::InvalidPointer(_) => ErrorCode::InvalidPointer,
            Error::PathNotFound(_) => ErrorCode::PathNotFound,
            Error::AlreadySealed(_) => ErrorCode::AlreadySealed,
            Error::NotSealed(_) => ErrorCode::NotSealed,
            Error::InvalidTemplate(_) => ErrorCode::InvalidTemplate,
            Error::Batch { source, .. } | Error::Field { source, .. } => source.code(),
            Error::KeysetEntry { .. } => ErrorCode::InvalidKeyset,
        }
    }

    /// For an error of a batch call, the position of the value that failed.
    pub fn batch_index(&self) -> Option<usize> {
        match self {
            Error::Batch { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// The JSON Pointer of the document value this error is about, when it names one.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            Error::Field { pointer, .. }
            | Error::PathNotFound(pointer)
            | Error::AlreadySealed(pointer)
            | Error::NotSealed(pointer) => Some(pointer),
            _ => None,
        }
    }

    /// Wraps the error of the document value at `pointer`. Returned as it
    /// is: an error that already names a pointer, and one that is not about
    /// the value (an expired key, no randomness, a bug).
    pub(crate) fn at_pointer(self, pointer: &str) -> Error {
        let about_the_sealer = matches!(
            self,
            Error::KeyExpired(_) | Error::RandomnessUnavailable | Error::Internal(_)
        );
        if self.pointer().is_some() || about_the_sealer {
            return self;
        }
        Error::Field {
            pointer: pointer.to_owned(),
            source: Box::new(self),
        }
    }

    /// Wraps the error of value `index` of a batch.
    pub(crate) fn in_batch(self, index: usize) -> Error {
        Error::Batch {
            index,
            source: Box::new(self),
        }
    }

    /// Wraps the error of entry `index` of a keyset or keyring document.
    pub(crate) fn in_entry(self, index: usize) -> Error {
        Error::KeysetEntry {
            index,
            source: Box::new(self),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument(what) => write!(f, "invalid argument: {what}"),
            Error::RandomnessUnavailable => {
                f.write_str("the platform random number generator is unavailable")
            }
            Error::Internal(what) => write!(f, "internal error: {what}"),
            Error::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Error::AuditFailed(what) => write!(f, "audit failed, nothing opened: {what}"),
            Error::BadPrefix => write!(
                f,
                "not a sealed value: text does not start with \"{}\"",
                crate::format::constants::TEXT_PREFIX
            ),
            Error::BadEncoding => {
                f.write_str("sealed text is not canonical unpadded base64url after the prefix")
            }
            Error::Truncated => f.write_str("sealed value is truncated"),
            Error::TooLarge => write!(
                f,
                "value is too large (plaintext limit is {} bytes)",
                crate::format::constants::MAX_PLAINTEXT_LEN
            ),
            Error::UnsupportedVersion(v) => write!(f, "unsupported sealed-field version {v}"),
            Error::UnsupportedSuite(id) => write!(f, "unsupported KEM suite 0x{id:04x}"),
            // One code for the keyring that opens and the keyset that checks.
            Error::UnknownKey(kid) => write!(
                f,
                "no key with key id {kid} (not in this keyring or keyset)"
            ),
            Error::DecryptFailed => f.write_str(
                "decryption failed (wrong key, wrong context, or the value was altered)",
            ),
            Error::KeyUnavailable {
                kid: Some(kid),
                reason,
            } => write!(
                f,
                "private key {kid} is unavailable ({reason}); nothing was opened, retry later"
            ),
            Error::KeyUnavailable { kid: None, reason } => {
                write!(f, "the key store is unavailable ({reason}); retry later")
            }
            Error::InvalidKeyLocation(what) => write!(f, "key location: {what}"),
            Error::InvalidColumn(what) => write!(f, "column: {what}"),
            Error::ColumnType {
                column,
                found,
                expected,
            } => write!(f, "column {column:?} is {found}; expected {expected}"),
            Error::InvalidKey(what) => write!(f, "invalid key: {what}"),
            Error::InvalidKeyset(what) => write!(f, "invalid keyset: {what}"),
            Error::KeyExpired(kid) => write!(f, "key {kid} is past its not-after date"),
            Error::KeysetUnsigned => {
                f.write_str("the keyset is not signed (a compact JWS), but signers are pinned")
            }
            Error::KeysetBadSignature(what) => write!(f, "the keyset's signature: {what}"),
            Error::KeysetExpired { expires } => {
                write!(f, "the signed keyset expired at {expires} (Unix seconds)")
            }
            Error::KeysetRollback { version, accepted } => write!(
                f,
                "the signed keyset is version {version}, older than version {accepted} already accepted"
            ),
            Error::InvalidJson(what) => write!(f, "invalid JSON: {what}"),
            Error::InvalidPointer(what) => write!(f, "invalid JSON Pointer: {what}"),
            Error::PathNotFound(p) => write!(f, "no value at JSON Pointer {p:?}"),
            Error::AlreadySealed(p) => write!(
                f,
                "value at JSON Pointer {p:?} is already sealed or starts with \"{}\"",
                crate::format::constants::TEXT_PREFIX
            ),
            Error::NotSealed(p) => write!(f, "value at JSON Pointer {p:?} is not a sealed string"),
            Error::InvalidTemplate(what) => write!(f, "context template: {what}"),
            Error::Batch { index, source } => write!(f, "batch value {index}: {source}"),
            Error::Field { pointer, source } => write!(f, "value at {pointer}: {source}"),
            Error::KeysetEntry { index, source } => {
                write!(f, "invalid keyset: keys[{index}]: {source}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Batch { source, .. }
            | Error::Field { source, .. }
            | Error::KeysetEntry { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_u16()), "duplicate code {code}");
            assert_eq!(ErrorCode::from_u16(code.as_u16()), Some(code));
        }
        assert_eq!(ErrorCode::from_u16(0), None);
        assert_eq!(ErrorCode::from_u16(9999), None);
    }

    #[test]
    fn nested_errors_keep_their_inner_code_and_source() {
        use std::error::Error as _;
        let batch = Error::DecryptFailed.in_batch(17);
        assert_eq!(batch.code(), ErrorCode::DecryptFailed);
        assert_eq!(batch.batch_index(), Some(17));
        assert!(
            batch
                .to_string()
                .starts_with("batch value 17: decryption failed")
        );
        let entry = Error::InvalidKey("bad x").in_entry(2);
        assert_eq!(entry.code(), ErrorCode::InvalidKeyset);
        let inner = entry.source().and_then(|s| s.downcast_ref::<Error>());
        assert_eq!(inner.map(Error::code), Some(ErrorCode::InvalidKey));
        assert_eq!(
            entry.to_string(),
            "invalid keyset: keys[2]: invalid key: bad x"
        );
        assert!(Error::Truncated.source().is_none());
    }

    #[test]
    fn every_code_has_a_one_line_summary() {
        for code in ErrorCode::ALL {
            let summary = code.summary();
            assert!(
                summary.ends_with('.') && !summary.contains('\n'),
                "{code}: {summary}"
            );
        }
    }

    #[test]
    fn codes_are_frozen() {
        // Renumbering breaks every binding and every stored error log: change never.
        let frozen: Vec<(u16, &str)> = ErrorCode::ALL
            .iter()
            .map(|c| (c.as_u16(), c.name()))
            .collect();
        assert_eq!(
            frozen,
            vec![
                (1, "INVALID_ARGUMENT"),
                (2, "RANDOMNESS_UNAVAILABLE"),
                (3, "INTERNAL"),
                (4, "BUFFER_TOO_SMALL"),
                (5, "AUDIT_FAILED"),
                (100, "BAD_PREFIX"),
                (101, "BAD_ENCODING"),
                (102, "TRUNCATED"),
                (103, "TOO_LARGE"),
                (104, "UNSUPPORTED_VERSION"),
                (105, "UNSUPPORTED_SUITE"),
                (200, "UNKNOWN_KEY"),
                (201, "DECRYPT_FAILED"),
                (202, "KEY_UNAVAILABLE"),
                (300, "INVALID_KEY"),
                (301, "INVALID_KEYSET"),
                (302, "KEY_EXPIRED"),
                (303, "KEYSET_UNSIGNED"),
                (304, "KEYSET_BAD_SIGNATURE"),
                (305, "KEYSET_EXPIRED"),
                (306, "KEYSET_ROLLBACK"),
                (400, "INVALID_JSON"),
                (401, "INVALID_POINTER"),
                (402, "PATH_NOT_FOUND"),
                (403, "ALREADY_SEALED"),
                (404, "NOT_SEALED"),
                (405, "INVALID_TEMPLATE"),
            ]
        );
    }
}
