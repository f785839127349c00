#![doc = include_str!("../../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(all(feature = "test-vectors", not(debug_assertions)))]
compile_error!(
    "the `test-vectors` feature fixes encapsulation randomness; it is for known-answer tests only \
     and must never be enabled in a release build"
);

mod batch;
mod cipher;
mod clock;
#[cfg(feature = "delegated-aead")]
pub mod delegated;
mod document;
mod error;
mod fork;
mod format;
mod json;
mod jwk;
mod kem;
mod keyring;
mod keys;
mod keyset;
mod opener;
mod pointer;
mod rng;
mod sealer;
mod suite;
#[cfg(test)]
mod test_support;
mod text;

pub use cipher::{AesBackend, aes_backend};
pub use clock::{Clock, SystemClock};
pub use document::{DEFAULT_JSON_PADDING, json_context};
pub use error::{Error, ErrorCode};
pub use format::{MAX_PLAINTEXT_LEN, TAG_LEN, VERSION, header_len, sealed_len};
pub use keyring::Keyring;
pub use keys::{KeyId, KeyPair, PublicKey};
pub use keyset::{Keyset, KeysetEntry};
pub use opener::{DEFAULT_CACHE_CAPACITY, Opener};
pub use sealer::{DEFAULT_FIELD_LIMIT, Sealer};
pub use suite::Suite;
pub use text::{TEXT_PREFIX, decode_text, encode_text, is_sealed};

/// The HPKE `info` string every enseal session is set up with.
pub const HPKE_INFO: &[u8] = b"enseal/v1";
/// The HPKE exporter context from which the field key and base nonce are exported.
pub const EXPORT_CONTEXT: &[u8] = b"enseal/v1 field";
/// The prefix hashed with the suite and public key to make a key id.
pub const KID_LABEL: &[u8] = b"enseal/v1 kid";

/// Result type of every fallible enseal operation.
pub type Result<T> = core::result::Result<T, Error>;
