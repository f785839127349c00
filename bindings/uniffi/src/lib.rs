//! enseal for Python, Kotlin and Swift, through uniffi. Each object wraps a
//! core type (`inner`) and each method converts arguments and errors; every
//! decision is core's. Objects are `Send + Sync`, as core's are, so the
//! generated classes may be shared between threads.
//!
//! Secrets that Rust receives (plaintext, private keys and JWKs, documents to
//! seal) are wiped when the call returns, and each secret result is copied
//! once out of core's wiping buffer, which is then wiped: the copy handed to
//! uniffi's lowering code is the only one left, and that code frees it
//! without wiping (SECURITY.md, "Secrets in memory").

use enseal_core as core_api;
use std::sync::{Arc, RwLock};
use zeroize::Zeroizing;

uniffi::setup_scaffolding!("enseal");

#[cfg(feature = "python")]
mod cpython;
mod error;
pub use error::EnsealError;

type Result<T> = std::result::Result<T, EnsealError>;

/// A KEM suite: the kind of recipient key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Suite {
    /// DHKEM(X25519, HKDF-SHA256): the default.
    X25519,
    /// DHKEM(P-256, HKDF-SHA256): for HSM, KMS and FIPS deployments.
    P256,
    /// X-Wing (ML-KEM-768 + X25519): post-quantum hybrid.
    XWing,
}

impl From<Suite> for core_api::Suite {
    fn from(s: Suite) -> Self {
        match s {
            Suite::X25519 => core_api::Suite::X25519,
            Suite::P256 => core_api::Suite::P256,
            Suite::XWing => core_api::Suite::XWing,
        }
    }
}

fn suite_from_core(s: core_api::Suite) -> Suite {
    match s {
        core_api::Suite::P256 => Suite::P256,
        core_api::Suite::XWing => Suite::XWing,
        _ => Suite::X25519,
    }
}

/// A recipient key pair. The private key is wiped when the object is freed.
#[derive(uniffi::Object)]
pub struct KeyPair {
    inner: core_api::KeyPair,
}

#[uniffi::export]
impl KeyPair {
    /// A fresh random key pair of `suite`.
    #[uniffi::constructor]
    pub fn generate(suite: Suite) -> Result<Arc<Self>> {
        Ok(Arc::new(KeyPair {
            inner: core_api::KeyPair::generate(suite.into())?,
        }))
    }

    /// A key pair from a private JWK.
    #[uniffi::constructor]
    pub fn from_jwk(jwk: String) -> Result<Arc<Self>> {
        let jwk = Zeroizing::new(jwk);
        Ok(Arc::new(KeyPair {
            inner: core_api::KeyPair::from_jwk(&jwk)?,
        }))
    }

    /// A key pair from a serialized private key (32 bytes; the seed for X-Wing).
    #[uniffi::constructor]
    pub fn from_private_bytes(suite: Suite, private_key: Vec<u8>) -> Result<Arc<Self>> {
        let private_key = Zeroizing::new(private_key);
        Ok(Arc::new(KeyPair {
            inner: core_api::KeyPair::from_private_bytes(suite.into(), &private_key)?,
        }))
    }

    /// The public half, to give to sealers.
    pub fn public_key(&self) -> Arc<PublicKey> {
        Arc::new(PublicKey {
            inner: self.inner.public_key().clone(),
        })
    }

    /// The private key as a JWK. Secret.
    pub fn to_jwk(&self) -> String {
        self.inner.to_jwk().as_str().to_owned()
    }

    /// The serialized private key. Secret.
    pub fn private_bytes(&self) -> Vec<u8> {
        self.inner.private_bytes().as_slice().to_vec()
    }

    /// The key id (11 characters of base64url).
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        suite_from_core(self.inner.suite())
    }
}

/// A recipient public key.
#[derive(uniffi::Object)]
pub struct PublicKey {
    inner: core_api::PublicKey,
}

#[uniffi::export]
impl PublicKey {
    /// A public key from a JWK (a private JWK also works; only its public part is kept).
    #[uniffi::constructor]
    pub fn from_jwk(jwk: String) -> Result<Arc<Self>> {
        let jwk = Zeroizing::new(jwk);
        Ok(Arc::new(PublicKey {
            inner: core_api::PublicKey::from_jwk(&jwk)?,
        }))
    }

    /// A public key from its serialization.
    #[uniffi::constructor]
    pub fn from_bytes(suite: Suite, public_key: Vec<u8>) -> Result<Arc<Self>> {
        Ok(Arc::new(PublicKey {
            inner: core_api::PublicKey::from_bytes(suite.into(), &public_key)?,
        }))
    }

    /// The public key as a JWK.
    pub fn to_jwk(&self) -> String {
        self.inner.to_jwk()
    }

    /// The serialized public key.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.as_bytes().to_vec()
    }

    /// The key id.
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        suite_from_core(self.inner.suite())
    }
}

/// A public keyset document: what a client fetches.
#[derive(uniffi::Object)]
pub struct Keyset {
    inner: core_api::Keyset,
}

#[uniffi::export]
impl Keyset {
    /// Parses and validates a keyset document.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Keyset {
            inner: core_api::Keyset::from_json(&json)?,
        }))
    }

    /// The keyset document as JSON.
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The key id of the primary key.
    pub fn primary_kid(&self) -> String {
        self.inner.primary().key().kid().to_string()
    }

    /// Every key id, in document order.
    pub fn kids(&self) -> Vec<String> {
        self.inner
            .entries()
            .iter()
            .map(|e| e.key().kid().to_string())
            .collect()
    }
}

/// Private keys by key id, for opening.
#[derive(uniffi::Object)]
pub struct Keyring {
    inner: RwLock<core_api::Keyring>,
}

#[uniffi::export]
impl Keyring {
    /// An empty keyring.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Keyring {
            inner: RwLock::new(core_api::Keyring::new()),
        })
    }

    /// A keyring from a private JWK set `{"keys": [...]}`.
    #[uniffi::constructor]
    pub fn from_jwks(json: String) -> Result<Arc<Self>> {
        let json = Zeroizing::new(json);
        Ok(Arc::new(Keyring {
            inner: RwLock::new(core_api::Keyring::from_jwks(&json)?),
        }))
    }

    /// An independent copy: keys added to either one later are not in the other.
    pub fn copy(&self) -> Arc<Self> {
        Arc::new(Keyring {
            inner: RwLock::new(self.snapshot()),
        })
    }

    /// Adds a key pair; a duplicate key id is an error.
    pub fn add(&self, key: Arc<KeyPair>) -> Result<()> {
        let mut ring = self
            .inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(ring.add(key.inner.clone())?)
    }

    /// The key ids.
    pub fn kids(&self) -> Vec<String> {
        let ring = self
            .inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ring.kids().map(|k| k.to_string()).collect()
    }

    /// The keyring as a private JWK set. Secret.
    pub fn to_jwks(&self) -> String {
        let ring = self
            .inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ring.to_jwks().as_str().to_owned()
    }
}

impl Keyring {
    fn snapshot(&self) -> core_api::Keyring {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Seals fields to one public key. Safe to share between threads.
#[derive(uniffi::Object)]
pub struct Sealer {
    pub(crate) inner: core_api::Sealer,
}

#[uniffi::export]
impl Sealer {
    /// A sealer for `recipient`.
    #[uniffi::constructor]
    pub fn new(recipient: Arc<PublicKey>) -> Result<Arc<Self>> {
        Ok(Arc::new(Sealer {
            inner: core_api::Sealer::new(&recipient.inner)?,
        }))
    }

    /// A sealer that starts a fresh session after every `field_limit` fields (1 to 2^32).
    #[uniffi::constructor]
    pub fn with_field_limit(recipient: Arc<PublicKey>, field_limit: u64) -> Result<Arc<Self>> {
        Ok(Arc::new(Sealer {
            inner: core_api::Sealer::with_field_limit(&recipient.inner, field_limit)?,
        }))
    }

    /// A sealer for the keyset's primary key (refused past its not-after date).
    #[uniffi::constructor]
    pub fn from_keyset(keyset: Arc<Keyset>) -> Result<Arc<Self>> {
        Ok(Arc::new(Sealer {
            inner: core_api::Sealer::from_keyset(&keyset.inner)?,
        }))
    }

    /// Seals `plaintext` bound to `context`; the binary form.
    pub fn seal(&self, plaintext: Vec<u8>, context: Vec<u8>) -> Result<Vec<u8>> {
        let plaintext = Zeroizing::new(plaintext);
        Ok(self.inner.seal(&plaintext, &context)?)
    }

    /// Seals `plaintext` bound to `context`; the text form ("enseal1." + base64url).
    pub fn seal_text(&self, plaintext: Vec<u8>, context: Vec<u8>) -> Result<String> {
        let plaintext = Zeroizing::new(plaintext);
        Ok(self.inner.seal_text(&plaintext, &context)?)
    }

    /// Seals many values in one call (text form), each with its own context or
    /// all with a single one. All or nothing.
    pub fn seal_text_batch(
        &self,
        plaintexts: Vec<Vec<u8>>,
        contexts: Vec<Vec<u8>>,
    ) -> Result<Vec<String>> {
        let plaintexts = Zeroizing::new(plaintexts);
        Ok(self.inner.seal_text_batch(&plaintexts, &contexts)?)
    }

    /// Seals the values at `pointers` of the JSON document `json`, each
    /// padded to a multiple of 16 bytes.
    pub fn seal_json(
        &self,
        json: String,
        pointers: Vec<String>,
        record_id: Option<String>,
    ) -> Result<String> {
        let json = Zeroizing::new(json);
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        Ok(self
            .inner
            .seal_json_text(&json, &pointers, record_id.as_deref())?)
    }

    /// As `seal_json`, padding each value to a multiple of `pad_to` bytes (0: none).
    pub fn seal_json_padded(
        &self,
        json: String,
        pointers: Vec<String>,
        record_id: Option<String>,
        pad_to: u32,
    ) -> Result<String> {
        let json = Zeroizing::new(json);
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        Ok(self.inner.seal_json_text_padded(
            &json,
            &pointers,
            record_id.as_deref(),
            pad_to as usize,
        )?)
    }

    /// Starts a fresh session now. Call it after the process was restored
    /// from a snapshot (VM clone, Lambda SnapStart, CRaC); a `fork()` is
    /// detected without it.
    pub fn rekey(&self) -> Result<()> {
        Ok(self.inner.rekey()?)
    }

    /// The recipient key's `not_after` (Unix seconds) for a keyset sealer, if any.
    pub fn not_after(&self) -> Option<u64> {
        self.inner.not_after()
    }
}

/// Opens sealed fields with a keyring. Safe to share between threads.
#[derive(uniffi::Object)]
pub struct Opener {
    pub(crate) inner: core_api::Opener,
}

#[uniffi::export]
impl Opener {
    /// An opener over a snapshot of `keyring`.
    #[uniffi::constructor]
    pub fn new(keyring: Arc<Keyring>) -> Arc<Self> {
        Arc::new(Opener {
            inner: core_api::Opener::new(keyring.snapshot()),
        })
    }

    /// Opens a binary sealed field sealed with `context`.
    pub fn open(&self, sealed: Vec<u8>, context: Vec<u8>) -> Result<Vec<u8>> {
        Ok(self.inner.open(&sealed, &context)?.as_slice().to_vec())
    }

    /// Opens a sealed value in text form.
    pub fn open_text(&self, sealed: String, context: Vec<u8>) -> Result<Vec<u8>> {
        Ok(self.inner.open_text(&sealed, &context)?.as_slice().to_vec())
    }

    /// Opens many sealed values (text form), each with its own context or all
    /// with a single one. All or nothing.
    pub fn open_text_batch(
        &self,
        sealed: Vec<String>,
        contexts: Vec<Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .inner
            .open_text_batch(&sealed, &contexts)?
            .iter()
            .map(|p| p.as_slice().to_vec())
            .collect())
    }

    /// Opens exactly the values at `pointers` of the JSON document `json`; a
    /// value there that is not sealed is `NotSealed`.
    pub fn open_json(
        &self,
        json: String,
        pointers: Vec<String>,
        record_id: Option<String>,
    ) -> Result<String> {
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        Ok(self
            .inner
            .open_json_text(&json, &pointers, record_id.as_deref())?
            .as_str()
            .to_owned())
    }

    /// Opens every string that starts with `enseal1.` in the JSON document `json`.
    pub fn open_json_all(&self, json: String, record_id: Option<String>) -> Result<String> {
        Ok(self
            .inner
            .open_json_text_all(&json, record_id.as_deref())?
            .as_str()
            .to_owned())
    }
}

/// True when `text` is a well-formed sealed value (no key needed).
#[uniffi::export]
pub fn is_sealed(text: String) -> bool {
    core_api::is_sealed(&text)
}

/// The JSON document helper's context for a value at `pointer` of record `record_id`.
#[uniffi::export]
pub fn json_context(pointer: String, record_id: Option<String>) -> Vec<u8> {
    core_api::json_context(&pointer, record_id.as_deref())
}

/// Which AES-256-GCM implementation runs and whether it uses the CPU's AES instructions.
#[derive(Debug, uniffi::Record)]
pub struct AesBackend {
    /// "ring" or "aes-gcm".
    pub name: String,
    /// True when AES and carry-less-multiply instructions are in use.
    pub hardware_accelerated: bool,
}

/// The AES-256-GCM backend of this build.
#[uniffi::export]
pub fn aes_backend() -> AesBackend {
    let b = core_api::aes_backend();
    AesBackend {
        name: b.name().to_string(),
        hardware_accelerated: b.hardware_accelerated(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copied_keyring_is_independent_and_opens() {
        let (first, second) = (
            KeyPair::generate(Suite::X25519).unwrap(),
            KeyPair::generate(Suite::P256).unwrap(),
        );
        let ring = Keyring::new();
        ring.add(first.clone()).unwrap();
        let copy = ring.copy();
        copy.add(second.clone()).unwrap();
        assert_eq!(ring.kids(), vec![first.kid()]);
        assert_eq!(copy.kids().len(), 2);
        let sealed = Sealer::new(second.public_key())
            .unwrap()
            .seal_text(b"v".to_vec(), b"c".to_vec())
            .unwrap();
        let opened = Opener::new(copy).open_text(sealed.clone(), b"c".to_vec());
        assert_eq!(opened.unwrap(), b"v");
        assert!(Opener::new(ring).open_text(sealed, b"c".to_vec()).is_err());
    }
}
