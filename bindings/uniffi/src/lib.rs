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
use enseal_core::Context;
use std::sync::{Arc, RwLock};
use zeroize::Zeroizing;

uniffi::setup_scaffolding!("enseal");

mod audit;
#[cfg(feature = "python")]
mod columns;
#[cfg(feature = "python")]
mod cpython;
mod error;
mod records;
mod signed_keyset;
pub use audit::{AuditEvent, AuditLog, AuditProblem, AuditReport, AuditSink, verify_audit_log};
pub use error::EnsealError;
pub use records::{ContextTemplate, Resealed, ResealedRecord};
pub use signed_keyset::{SignerPins, VerifiedKeyset};

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
        core_api::Suite::X25519 => Suite::X25519,
        core_api::Suite::P256 => Suite::P256,
        core_api::Suite::XWing => Suite::XWing,
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
        self.inner.to_bytes()
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

/// One key of a keyset: what `Keyset.entries` lists.
#[derive(uniffi::Record)]
pub struct KeysetEntry {
    /// The public key.
    pub public_key: Arc<PublicKey>,
    /// Its key id.
    pub kid: String,
    /// Its suite.
    pub suite: Suite,
    /// When it was made (Unix seconds).
    pub created: u64,
    /// After this (Unix seconds) sealers refuse it; none: no end.
    pub not_after: Option<u64>,
}

/// A public keyset document: what a client fetches, and what a key owner
/// builds and rotates (`add`, `promote`, `retire`, then `to_json`).
#[derive(uniffi::Object)]
pub struct Keyset {
    inner: RwLock<core_api::Keyset>,
}

fn kid_from(kid: &str) -> Result<core_api::KeyId> {
    Ok(kid.parse::<core_api::KeyId>()?)
}

#[uniffi::export]
impl Keyset {
    /// A keyset of one key, its primary. `created` defaults to now,
    /// `not_after` to none (Unix seconds).
    #[uniffi::constructor(default(created = None, not_after = None))]
    pub fn from_public_key(
        key: Arc<PublicKey>,
        created: Option<u64>,
        not_after: Option<u64>,
    ) -> Result<Arc<Self>> {
        Ok(Arc::new(Keyset {
            inner: RwLock::new(core_api::Keyset::from_public_key(
                &key.inner, created, not_after,
            )?),
        }))
    }

    /// Parses and validates a keyset document.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Keyset {
            inner: RwLock::new(core_api::Keyset::from_json(&json)?),
        }))
    }

    /// The keyset document as JSON.
    pub fn to_json(&self) -> String {
        read(&self.inner).to_json()
    }

    /// Adds a key (not primary). `created` defaults to now, `not_after` to none.
    #[uniffi::method(default(created = None, not_after = None))]
    pub fn add(
        &self,
        key: Arc<PublicKey>,
        created: Option<u64>,
        not_after: Option<u64>,
    ) -> Result<()> {
        Ok(write(&self.inner).add(&key.inner, created, not_after)?)
    }

    /// Makes the key `kid` the primary: the one new sealers use.
    pub fn promote(&self, kid: String) -> Result<()> {
        Ok(write(&self.inner).promote(&kid_from(&kid)?)?)
    }

    /// Removes the key `kid`; the primary cannot be retired.
    pub fn retire(&self, kid: String) -> Result<()> {
        Ok(write(&self.inner).retire(&kid_from(&kid)?)?)
    }

    /// The key id of the primary key.
    pub fn primary_kid(&self) -> String {
        read(&self.inner).primary_kid().to_string()
    }

    /// Checks that `text` is sealed to a key of this keyset that is not past
    /// its not_after (the system clock), and returns it parsed: what a
    /// service that stores sealed fields, holding no private key, checks
    /// before it accepts one. `BAD_PREFIX` for a clear value and the other
    /// parse errors, then `UNKNOWN_KEY`, then `KEY_EXPIRED`. Only opening
    /// checks the tag.
    pub fn check_sealed(&self, text: String) -> Result<Arc<Sealed>> {
        Ok(Arc::new(Sealed {
            inner: read(&self.inner).check_sealed(&text)?,
        }))
    }

    /// Every key, in document order.
    pub fn entries(&self) -> Vec<KeysetEntry> {
        read(&self.inner)
            .entries()
            .iter()
            .map(|e| KeysetEntry {
                public_key: Arc::new(PublicKey {
                    inner: e.key().clone(),
                }),
                kid: e.key().kid().to_string(),
                suite: suite_from_core(e.key().suite()),
                created: e.created(),
                not_after: e.not_after(),
            })
            .collect()
    }

    /// The number of keys.
    // No `is_empty`: docs/API.md names `len` only (a keyset is never empty).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u64 {
        read(&self.inner).len() as u64
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
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

    /// Adds a key pair: true when added, false when a key of that key id
    /// (the same key: the id is a hash of the public key) is already there.
    pub fn add(&self, key: Arc<KeyPair>) -> bool {
        write(&self.inner).add(key.inner.clone())
    }

    /// Adds the private key `uri` names, held outside the process: a
    /// `pkcs11:` URI (RFC 7512), a `wrapped:` key file, or an `awskms:` key
    /// (docs/CUSTODY.md). The backend is reached once here; opening asks it
    /// once per session. False when that key id is already there.
    pub fn add_custody(&self, uri: String) -> Result<bool> {
        let custody = enseal_custody::open(&uri)?;
        Ok(write(&self.inner).add_custody(custody))
    }

    /// The key ids.
    pub fn kids(&self) -> Vec<String> {
        read(&self.inner).kids().map(|k| k.to_string()).collect()
    }

    /// The number of keys.
    // No `is_empty`: docs/API.md names `len` only (a keyset is never empty).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u64 {
        read(&self.inner).len() as u64
    }

    /// The keyring as a private JWK set. Secret.
    pub fn to_jwks(&self) -> String {
        read(&self.inner).to_jwks().as_str().to_owned()
    }
}

impl Keyring {
    fn snapshot(&self) -> core_api::Keyring {
        read(&self.inner).clone()
    }
}

/// A sealed value, parsed and validated, read without any key: which key and
/// suite it was sealed to, its session, counter and lengths.
#[derive(uniffi::Object)]
pub struct Sealed {
    pub(crate) inner: core_api::Sealed,
}

#[uniffi::export]
impl Sealed {
    /// Parses the text form (`enseal1.` + base64url).
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Sealed {
            inner: core_api::Sealed::parse(&text)?,
        }))
    }

    /// Parses the binary form.
    #[uniffi::constructor]
    pub fn from_binary(binary: Vec<u8>) -> Result<Arc<Self>> {
        Ok(Arc::new(Sealed {
            inner: core_api::Sealed::from_binary(binary)?,
        }))
    }

    /// The format version.
    pub fn version(&self) -> u8 {
        self.inner.version()
    }

    /// The suite of the key it was sealed to.
    pub fn suite(&self) -> Suite {
        suite_from_core(self.inner.suite())
    }

    /// The key id of the key it was sealed to.
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }

    /// The session it was sealed in (22 characters of base64url).
    pub fn session_id(&self) -> String {
        self.inner.session_id().to_string()
    }

    /// Its counter within the session.
    pub fn counter(&self) -> u64 {
        self.inner.counter()
    }

    /// The plaintext's length in bytes.
    pub fn plaintext_len(&self) -> u64 {
        self.inner.plaintext_len() as u64
    }

    /// The binary form's length in bytes.
    pub fn binary_len(&self) -> u64 {
        self.inner.binary_len() as u64
    }

    /// The text form's length in characters.
    pub fn text_len(&self) -> u64 {
        self.inner.text_len() as u64
    }

    /// The text form.
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// The binary form.
    pub fn to_binary(&self) -> Vec<u8> {
        self.inner.to_binary()
    }
}

/// Seals fields to one public key. Safe to share between threads.
#[derive(uniffi::Object)]
pub struct Sealer {
    pub(crate) inner: core_api::Sealer,
}

fn contexts(contexts: &[Vec<u8>]) -> Vec<Context<'_>> {
    contexts.iter().map(|c| Context::bytes(c)).collect()
}

/// When a sealer starts a fresh session: after `max_fields` fields or once
/// the session is `max_age` seconds old, whichever comes first.
#[derive(Debug, uniffi::Record)]
pub struct SessionLimits {
    /// Fields per session.
    pub max_fields: u64,
    /// Age of a session, in seconds.
    pub max_age: u64,
}

/// core's limits: the default field limit unless given, the default age
/// (one hour) unless given; core checks both.
fn limits(max_fields: Option<u64>, max_age: Option<u64>) -> core_api::SessionLimits {
    let default = core_api::SessionLimits::default();
    core_api::SessionLimits {
        max_fields: max_fields.unwrap_or(default.max_fields),
        max_age: max_age.map_or(default.max_age, std::time::Duration::from_secs),
    }
}

#[uniffi::export]
impl Sealer {
    /// A sealer for `recipient`. `max_session_age` (seconds, at least 1;
    /// default one hour) bounds how old a session gets before the next field
    /// starts a fresh one.
    #[uniffi::constructor(default(max_session_age = None))]
    pub fn new(recipient: Arc<PublicKey>, max_session_age: Option<u64>) -> Result<Arc<Self>> {
        Ok(Arc::new(Sealer {
            inner: core_api::Sealer::with_limits(&recipient.inner, limits(None, max_session_age))?,
        }))
    }

    /// A sealer that starts a fresh session after every `field_limit` fields
    /// (1 to 2^32) or `max_session_age` seconds.
    #[uniffi::constructor(default(max_session_age = None))]
    pub fn with_field_limit(
        recipient: Arc<PublicKey>,
        field_limit: u64,
        max_session_age: Option<u64>,
    ) -> Result<Arc<Self>> {
        Ok(Arc::new(Sealer {
            inner: core_api::Sealer::with_limits(
                &recipient.inner,
                limits(Some(field_limit), max_session_age),
            )?,
        }))
    }

    /// A sealer for the keyset's primary key (refused past its not-after
    /// date), sessions at most `max_session_age` seconds old.
    #[uniffi::constructor(default(max_session_age = None))]
    pub fn from_keyset(keyset: Arc<Keyset>, max_session_age: Option<u64>) -> Result<Arc<Self>> {
        Ok(Arc::new(Sealer {
            inner: core_api::Sealer::from_keyset_with_limits(
                &read(&keyset.inner),
                limits(None, max_session_age),
            )?,
        }))
    }

    /// The limits at which this sealer starts a fresh session.
    pub fn limits(&self) -> SessionLimits {
        let limits = self.inner.limits();
        SessionLimits {
            max_fields: limits.max_fields,
            max_age: limits.max_age.as_secs(),
        }
    }

    /// Seals `plaintext` bound to `context`; the text form ("enseal1." + base64url).
    pub fn seal(&self, plaintext: Vec<u8>, context: Vec<u8>) -> Result<String> {
        let plaintext = Zeroizing::new(plaintext);
        Ok(self.inner.seal(&plaintext, Context::bytes(&context))?)
    }

    /// Seals `plaintext` bound to `context`; the binary form.
    pub fn seal_binary(&self, plaintext: Vec<u8>, context: Vec<u8>) -> Result<Vec<u8>> {
        let plaintext = Zeroizing::new(plaintext);
        Ok(self
            .inner
            .seal_binary(&plaintext, Context::bytes(&context))?)
    }

    /// Seals many values in one call (text form), each with its own context or
    /// all with a single one. All or nothing; an error names the value's index.
    pub fn seal_batch(
        &self,
        plaintexts: Vec<Vec<u8>>,
        contexts: Vec<Vec<u8>>,
    ) -> Result<Vec<String>> {
        let plaintexts = Zeroizing::new(plaintexts);
        Ok(self
            .inner
            .seal_batch(&plaintexts, &self::contexts(&contexts))?)
    }

    /// Seals the values at `pointers` of the JSON document `json`, each padded
    /// to a multiple of `pad_to` bytes (0: none) so that short values such as
    /// `true` and `false` seal to one length.
    #[uniffi::method(default(record_id = None, pad_to = 16))]
    pub fn seal_json(
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

    /// Opens a sealed value in text form, sealed with `context`.
    pub fn open(&self, sealed: String, context: Vec<u8>) -> Result<Vec<u8>> {
        Ok(self
            .inner
            .open(&sealed, Context::bytes(&context))?
            .as_slice()
            .to_vec())
    }

    /// Opens a parsed sealed value (`open` in Kotlin and Swift: uniffi.toml
    /// renames it, so `open` takes text or a `Sealed`).
    pub fn open_sealed(&self, sealed: Arc<Sealed>, context: Vec<u8>) -> Result<Vec<u8>> {
        Ok(self
            .inner
            .open(&sealed.inner, Context::bytes(&context))?
            .as_slice()
            .to_vec())
    }

    /// Opens a parsed sealed value and decodes it as UTF-8 (`openString` in
    /// Kotlin and Swift, renamed as `open_sealed` is).
    pub fn open_string_sealed(&self, sealed: Arc<Sealed>, context: Vec<u8>) -> Result<String> {
        Ok(self
            .inner
            .open_string(&sealed.inner, Context::bytes(&context))?
            .as_str()
            .to_owned())
    }

    /// Opens a sealed value in text form and decodes it as UTF-8.
    pub fn open_string(&self, sealed: String, context: Vec<u8>) -> Result<String> {
        Ok(self
            .inner
            .open_string(&sealed, Context::bytes(&context))?
            .as_str()
            .to_owned())
    }

    /// Opens a sealed value in binary form.
    pub fn open_binary(&self, sealed: Vec<u8>, context: Vec<u8>) -> Result<Vec<u8>> {
        Ok(self
            .inner
            .open_binary(&sealed, Context::bytes(&context))?
            .as_slice()
            .to_vec())
    }

    /// Opens many sealed values (text form), each with its own context or all
    /// with a single one. All or nothing; an error names the value's index.
    pub fn open_batch(&self, sealed: Vec<String>, contexts: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .inner
            .open_batch(&sealed, &self::contexts(&contexts))?
            .iter()
            .map(|p| p.as_slice().to_vec())
            .collect())
    }

    /// Opens exactly the values at `pointers` of the JSON document `json`; a
    /// value there that is not sealed is `NotSealed`.
    #[uniffi::method(default(record_id = None))]
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
    #[uniffi::method(default(record_id = None))]
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
#[uniffi::export(default(record_id = None))]
pub fn json_context(pointer: String, record_id: Option<String>) -> Vec<u8> {
    core_api::json_context(&pointer, record_id.as_deref()).into_bytes()
}

/// The version of the enseal library ("0.1.0").
#[uniffi::export]
pub fn library_version() -> String {
    core_api::LIBRARY_VERSION.to_owned()
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
        assert!(ring.add(first.clone()));
        assert!(!ring.add(first.clone()), "the same key twice");
        let copy = ring.copy();
        assert!(copy.add(second.clone()));
        assert_eq!(ring.kids(), vec![first.kid()]);
        assert_eq!((ring.len(), copy.len()), (1, 2));
        let sealed = Sealer::new(second.public_key(), None)
            .unwrap()
            .seal(b"v".to_vec(), b"c".to_vec())
            .unwrap();
        let opened = Opener::new(copy).open(sealed.clone(), b"c".to_vec());
        assert_eq!(opened.unwrap(), b"v");
        assert!(Opener::new(ring).open(sealed, b"c".to_vec()).is_err());
    }

    #[test]
    fn every_suite_maps_both_ways() {
        for suite in [Suite::X25519, Suite::P256, Suite::XWing] {
            assert_eq!(suite_from_core(suite.into()), suite);
        }
    }
}
