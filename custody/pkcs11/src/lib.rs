//! enseal private keys in PKCS#11 custody.
//!
//! Two custodians for [`enseal::KeyCustody`], added to a keyring with
//! [`enseal::Keyring::add_custody`]:
//!
//! - [`Pkcs11Key`]: the private key inside a token (an HSM, SoftHSM2,
//!   kryoptic), generated there non-extractable ([`generate`]); every
//!   session's Diffie-Hellman is one `C_DeriveKey(CKM_ECDH1_DERIVE)`.
//! - [`WrappedKey`]: the private key in a file, AES-256-GCM-encrypted by a
//!   non-extractable AES key inside a token ([`wrap`],
//!   [`generate_wrapping_key`]); unwrapped into locked memory for a bounded
//!   lifetime, so the token is asked once per lifetime, not once per session.
//!
//! Locations ([`open`]):
//!
//! ```text
//! pkcs11:token=LABEL;object=KEY;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin
//! wrapped:/etc/enseal/key.wrapped.json?pin-source=file:/run/pin&max-age=300&max-sessions=10000
//! ```
//!
//! `pkcs11:` is RFC 7512. Path attributes: `token`, `manufacturer`,
//! `serial`, `model`, `slot-id` select the token; `object` (`CKA_LABEL`),
//! `id` (`CKA_ID`, percent-encoded bytes) and `type` (`private`, or
//! `secret-key` for a wrapping key) select the object; others are refused.
//! Query attributes: `module-path` (else the environment variable
//! `ENSEAL_PKCS11_MODULE`; there is no built-in default, so a deployment
//! never loads a test token by accident), `pin-source` (`file:PATH`, a
//! trailing newline dropped) or `pin-value` (RFC 7512 §2.4; both held
//! zeroized, never printed), and enseal's `pool-size` (sessions, 1-64,
//! default 2) and `wait-ms` (how long an open waits for a free session
//! before it fails as busy, default 2000). `wrapped:` takes the same
//! query plus `max-age` (seconds) and `max-sessions`.
//!
//! Errors: a malformed URI or one that names no single object is
//! `INVALID_ARGUMENT` ([`enseal::Error::InvalidKeyLocation`]); a token that
//! is absent, closed the session, forgot the login or is busy is
//! `KEY_UNAVAILABLE` (202) after one retry on a fresh session, and the same
//! open succeeds once the token is back. docs/CUSTODY.md has the set-up,
//! the wrapped-key file format and what each mode protects against.

mod key;
mod locked;
mod token;
mod uri;
mod wrapped;

use enseal::{Error, KeyCustody, Result};
use std::sync::Arc;

pub use key::{Pkcs11Key, generate};
pub use uri::{DEFAULT_POOL_SIZE, DEFAULT_WAIT, MODULE_ENV};
pub use wrapped::{DEFAULT_MAX_AGE, DEFAULT_MAX_SESSIONS, WrappedKey, generate_wrapping_key, wrap};

/// Opens the custodian a location names: a `pkcs11:` URI naming a private
/// key ([`Pkcs11Key::open`]) or a `wrapped:PATH?QUERY` wrapped-key file
/// ([`WrappedKey::open`]).
pub fn open(uri: &str) -> Result<Arc<dyn KeyCustody>> {
    if uri.starts_with("pkcs11:") {
        Ok(Arc::new(Pkcs11Key::open(uri)?))
    } else if uri.starts_with("wrapped:") {
        Ok(Arc::new(WrappedKey::open(uri)?))
    } else {
        Err(Error::InvalidKeyLocation(
            "not a pkcs11: or wrapped: key location".into(),
        ))
    }
}

/// The object label (`CKA_LABEL`) a `pkcs11:` URI names with `object=`,
/// percent-decoded as RFC 7512 says (`object=my%20wrap` is `my wrap`).
pub fn object_label(uri: &str) -> Result<Option<String>> {
    Ok(uri::Pkcs11Uri::parse(uri)?.object)
}

/// Opens a wrapped-key location, `wrapped:PATH?QUERY` ([`WrappedKey::open`]).
pub fn open_wrapped(location: &str) -> Result<Arc<dyn KeyCustody>> {
    Ok(Arc::new(WrappedKey::open(location)?))
}
