//! core's `Error` as one uniffi error with a variant per stable code, so each
//! language gets its idiom: Kotlin and Swift thrown errors (`EnsealException.
//! DecryptFailed`, `EnsealError.decryptFailed`), each variant carrying `code`
//! (the stable number) and `detail` (core's message, without secrets). The base
//! type carries them too, as methods (`e.code()`, `e.errorName()`, `e.detail()`
//! in Kotlin), so no language needs a `when` over the variants.
//!
//! The variant list is written once, below, and a test holds it to
//! `enseal_core::ErrorCode::ALL` in both directions (names and numbers).
//! Python raises its own top-level classes (`enseal.DecryptFailedError`), built
//! from the `code` of the error uniffi or the hot path hands it.

use enseal_core::{Error, ErrorCode};
use std::fmt;

macro_rules! error_enum {
    ($($variant:ident),* $(,)?) => {
        /// An enseal failure: the variant names it, `code` is its stable number.
        #[derive(Debug, uniffi::Error)]
        pub enum EnsealError {
            $(
                #[allow(missing_docs)]
                $variant { code: u16, detail: String },
            )*
        }

        impl EnsealError {
            /// The variant for `code`, with `detail`.
            pub(crate) fn of(code: ErrorCode, detail: String) -> Self {
                match code {
                    $(ErrorCode::$variant => EnsealError::$variant { code: code.as_u16(), detail },)*
                    // ErrorCode is non-exhaustive; the test below proves no
                    // code of this core version reaches this arm.
                    _ => EnsealError::Internal { code: code.as_u16(), detail },
                }
            }

            pub(crate) fn parts(&self) -> (u16, &str) {
                match self {
                    $(EnsealError::$variant { code, detail } => (*code, detail),)*
                }
            }

            /// Every variant's name, in declaration order (for the test).
            #[cfg(test)]
            const VARIANTS: &'static [&'static str] = &[$(stringify!($variant)),*];

            #[cfg(test)]
            fn variant(&self) -> &'static str {
                match self {
                    $(EnsealError::$variant { .. } => stringify!($variant),)*
                }
            }
        }
    };
}

error_enum!(
    InvalidArgument,
    RandomnessUnavailable,
    Internal,
    BufferTooSmall,
    AuditFailed,
    BadPrefix,
    BadEncoding,
    Truncated,
    TooLarge,
    UnsupportedVersion,
    UnsupportedSuite,
    UnknownKey,
    DecryptFailed,
    KeyUnavailable,
    InvalidKey,
    InvalidKeyset,
    KeyExpired,
    KeysetUnsigned,
    KeysetBadSignature,
    KeysetExpired,
    KeysetRollback,
    InvalidJson,
    InvalidPointer,
    PathNotFound,
    AlreadySealed,
    NotSealed,
    InvalidTemplate,
);

impl From<Error> for EnsealError {
    fn from(error: Error) -> Self {
        EnsealError::of(error.code(), error.to_string())
    }
}

/// What every variant carries, on the base type of each language.
#[uniffi::export]
impl EnsealError {
    /// The stable number (the same in every enseal binding).
    pub fn code(&self) -> u16 {
        self.parts().0
    }

    /// The stable name, such as `"DECRYPT_FAILED"`.
    pub fn error_name(&self) -> String {
        ErrorCode::from_u16(self.parts().0)
            .map_or("INTERNAL", ErrorCode::name)
            .to_owned()
    }

    /// What went wrong, without secrets.
    pub fn detail(&self) -> String {
        self.parts().1.to_owned()
    }
}

/// A foreign audit sink (or other callback) that failed in a way its
/// language's binding did not turn into an `EnsealError`: the call fails
/// closed with `INTERNAL`, never a panic across the FFI.
impl From<uniffi::UnexpectedUniFFICallbackError> for EnsealError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        EnsealError::of(
            ErrorCode::Internal,
            format!("a callback failed unexpectedly: {}", error.reason),
        )
    }
}

impl fmt::Display for EnsealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (code, detail) = self.parts();
        write!(f, "{detail} (enseal error {code})")
    }
}

impl std::error::Error for EnsealError {}

/// `DECRYPT_FAILED` as `DecryptFailed`: the variant (and class) name of a code.
#[cfg(test)]
pub(crate) fn camel(name: &str) -> String {
    name.split('_')
        .map(|w| w[..1].to_string() + &w[1..].to_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variants_are_exactly_the_core_codes() {
        // core -> uniffi: every code has the variant of its name and keeps its number.
        for code in ErrorCode::ALL {
            let mapped = EnsealError::of(code, "x".into());
            assert_eq!(mapped.variant(), camel(code.name()), "{code:?}");
            assert_eq!(mapped.code(), code.as_u16());
            assert_eq!(mapped.error_name(), code.name());
        }
        // uniffi -> core: no variant without a code.
        let names: Vec<String> = ErrorCode::ALL.iter().map(|c| camel(c.name())).collect();
        for variant in EnsealError::VARIANTS {
            assert!(
                names.contains(&variant.to_string()),
                "{variant} is no core code"
            );
        }
        assert_eq!(EnsealError::VARIANTS.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn a_batch_error_keeps_its_inner_code_and_names_the_index() {
        let error = Error::Batch {
            index: 17,
            source: Box::new(Error::DecryptFailed),
        };
        let mapped = EnsealError::from(error);
        assert_eq!(mapped.variant(), "DecryptFailed");
        assert!(mapped.detail().contains("17"), "{}", mapped.detail());
    }
}
