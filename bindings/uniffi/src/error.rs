//! core's `Error` as one uniffi error with a variant per stable code, so each
//! language gets its idiom: Python exception classes, Kotlin and Swift thrown
//! errors, each carrying `code` (the stable number) and `detail` (the message).

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

        impl From<Error> for EnsealError {
            fn from(error: Error) -> Self {
                let (code, detail) = (error.code(), error.to_string());
                match code {
                    $(ErrorCode::$variant => EnsealError::$variant { code: code.as_u16(), detail },)*
                    _ => EnsealError::Internal { code: code.as_u16(), detail },
                }
            }
        }

        impl EnsealError {
            pub(crate) fn parts(&self) -> (u16, &str) {
                match self {
                    $(EnsealError::$variant { code, detail } => (*code, detail),)*
                }
            }

            /// The variant's name: the name of the generated class in each language.
            #[cfg_attr(not(feature = "python"), allow(dead_code))]
            pub(crate) fn variant(&self) -> &'static str {
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
    BadPrefix,
    BadEncoding,
    Truncated,
    TooLarge,
    UnsupportedVersion,
    UnsupportedSuite,
    UnknownKey,
    DecryptFailed,
    InvalidKey,
    InvalidKeyset,
    KeyExpired,
    InvalidJson,
    InvalidPointer,
    PathNotFound,
    AlreadySealed,
    NotSealed,
);

impl fmt::Display for EnsealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (code, detail) = self.parts();
        write!(f, "{detail} (enseal error {code})")
    }
}

impl std::error::Error for EnsealError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_maps_to_its_own_variant() {
        let samples = [
            Error::InvalidArgument("x"),
            Error::RandomnessUnavailable,
            Error::Internal("x"),
            Error::BadPrefix,
            Error::BadEncoding,
            Error::Truncated,
            Error::TooLarge,
            Error::UnsupportedVersion(9),
            Error::UnsupportedSuite(9),
            Error::UnknownKey(enseal_core::KeyId::from_bytes([0; 8])),
            Error::DecryptFailed,
            Error::InvalidKey("x"),
            Error::InvalidKeyset("x".into()),
            Error::KeyExpired(enseal_core::KeyId::from_bytes([0; 8])),
            Error::InvalidJson("x"),
            Error::InvalidPointer("x".into()),
            Error::PathNotFound("x".into()),
            Error::AlreadySealed("x".into()),
            Error::NotSealed("x".into()),
        ];
        assert_eq!(samples.len(), ErrorCode::ALL.len());
        for (error, code) in samples.into_iter().zip(ErrorCode::ALL) {
            let mapped = EnsealError::from(error);
            assert_eq!(mapped.parts().0, code.as_u16());
            let variant = format!("{mapped:?}");
            let expected: String = code
                .name()
                .split('_')
                .map(|w| w[..1].to_string() + &w[1..].to_lowercase())
                .collect();
            assert!(variant.starts_with(&expected), "{variant} for {code}");
            assert_eq!(mapped.variant(), expected);
        }
    }
}
