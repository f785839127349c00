//! # enseal: client-side field-level encryption
//!
//! A client seals sensitive fields (an SSN, a diagnosis, a card number) to a
//! recipient's public key before the data leaves it; only the holder of the
//! private key opens them. **HPKE** (RFC 9180, base mode) encapsulates one
//! session key per session to the recipient, and **AES-256-GCM** seals each
//! field with a counter-derived nonce, bound to a context that names where the
//! value lives. The wire format is [`format`](mod@format), specified byte by byte in
//! `docs/FORMAT.md`.
//!
//! ```
//! use enseal::{KeyPair, Keyring, Opener, Sealed, Sealer, Suite};
//!
//! let service = KeyPair::generate(Suite::X25519)?;                    // once, on the backend
//! let sealer = Sealer::new(service.public_key())?;                    // client: public key only
//! let ssn = sealer.seal(b"123-45-6789", "patients/8812/ssn")?;        // "enseal1.AQAg..."
//!
//! assert_eq!(Sealed::parse(&ssn)?.kid(), service.kid());              // no key needed to ask
//! let opener = Opener::new(Keyring::from_iter([service]));            // backend: private keyring
//! let opened = opener.open(&ssn, "patients/8812/ssn")?;
//! assert_eq!(opened.as_slice(), b"123-45-6789");
//! assert!(opener.open(&ssn, "patients/8813/ssn").is_err());           // bound to its place
//! # Ok::<(), enseal::Error>(())
//! ```
//!
//! ## The API
//! - Keys: [`KeyPair`] (private), [`PublicKey`], [`KeyId`], as raw bytes or JWK
//!   (RFC 7517); [`Keyset`], the public keyset document with a primary key and
//!   validity dates that clients fetch; [`Keyring`], the private keys an opener
//!   holds, old ones included, so old data opens after rotation.
//! - Signed keysets (`docs/FORMAT.md` §10): [`Keyset::sign`] with an
//!   offline [`SigningKey`] (Ed25519, a JWS), [`Keyset::from_signed`] against
//!   pinned [`SignerPins`] into a [`VerifiedKeyset`], or straight to
//!   [`Sealer::from_signed_keyset`], so a substituted keyset is refused.
//! - Sealing: [`Sealer`] (`seal` → text, `seal_binary` → bytes, `seal_batch`,
//!   `seal_json_text` for the fields of a JSON document). Thread-safe and
//!   fork-safe; a keyset sealer stops at its key's `not_after`.
//! - Opening: [`Opener`] (`open`, `open_string`, `open_binary`, `open_batch`,
//!   `open_json_text`), with a bounded cache of proven sessions.
//! - Auditing: [`Opener::with_audit`] sends an [`AuditEvent`] for every open
//!   to an [`AuditSink`] (a closure, or the hash-chained file `AuditLog`);
//!   [`verify_audit_log`] checks such a file.
//! - Inspecting: [`Sealed`], a parsed value's suite, key id, session and
//!   lengths, without a key.
//! - Contexts are text or a [`Context`], never the plaintext's `&[u8]`, so the
//!   two arguments cannot be swapped by accident.
//! - Errors: one [`Error`] enum with stable [`ErrorCode`]s shared by every
//!   language binding.
//!
//! The same operations exist in C, Python, Kotlin, Swift and JavaScript under
//! the same names (`docs/API.md`).
//!
//! ## Features
//! `p256` and `xwing` (default) add those suites; `serde_json` (default) the
//! `serde_json::Value` forms of the JSON helper; `hazmat` (off) the
//! `hazmat` module, which hands a session key to an external AES-GCM.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(all(feature = "test-vectors", not(debug_assertions)))]
compile_error!(
    "the `test-vectors` feature fixes encapsulation randomness; it is for known-answer tests only \
     and must never be enabled in a release build"
);

mod audit;
mod batch;
mod cipher;
mod clock;
mod context;
mod custody;
mod document;
mod error;
mod fork;
pub mod format;
#[cfg(feature = "hazmat")]
pub mod hazmat;
mod json;
mod jwk;
mod kem;
mod keyring;
mod keys;
mod keyset;
mod kid;
mod opener;
mod pointer;
mod reseal;
mod rng;
mod sealed;
mod sealer;
mod session;
mod signed_keyset;
mod suite;
mod template;
#[cfg(test)]
mod test_support;
mod text;

#[cfg(not(target_arch = "wasm32"))]
pub use audit::AuditLog;
pub use audit::{AuditEvent, AuditOperation, AuditSink};
pub use audit::{AuditProblem, AuditReport, verify_audit_log};
pub use cipher::{AesBackend, aes_backend};
pub use clock::{Clock, SystemClock};
pub use context::{AsContext, Context};
#[doc(hidden)]
pub use custody::SoftwareBackend;
pub use custody::{CustodyError, KeyCustody, SoftwareKey};
pub use document::{DEFAULT_JSON_PADDING, json_context, record_value_plaintext, record_value_text};
pub use error::{Error, ErrorCode};
pub use keyring::Keyring;
pub use keys::{KeyPair, PublicKey};
pub use keyset::{Keyset, KeysetEntry};
pub use kid::KeyId;
pub use opener::{DEFAULT_CACHE_CAPACITY, Opener, OpeningRun};
pub use reseal::{Resealed, ResealedRecord};
pub use sealed::{AsSealed, Sealed, SessionId};
pub use sealer::{DEFAULT_FIELD_LIMIT, DEFAULT_SESSION_MAX_AGE, Sealer, SealingRun, SessionLimits};
pub use signed_keyset::{SignerPins, SigningKey, VerifiedKeyset};
pub use suite::Suite;
pub use template::ContextTemplate;
pub use text::is_sealed;

/// The version of this library (the crate's version), e.g. for a support report.
pub const LIBRARY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Result type of every fallible enseal operation.
pub type Result<T> = core::result::Result<T, Error>;

/// The README's Rust examples compile and run as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
