//! A wrapped key with a bounded lifetime: the enseal private key stored
//! AES-256-GCM-encrypted by a non-extractable AES key inside a PKCS#11
//! token, unwrapped (`C_Decrypt`, `CKM_AES_GCM`) into locked memory, used
//! for at most `max-age` seconds or `max-sessions` sessions, then zeroized
//! and unwrapped again on the next use: one token call per lifetime instead
//! of one per session. The file format is in docs/CUSTODY.md.

use crate::locked::Locked;
use crate::token::{Pool, Token, describe};
use crate::uri::Pkcs11Uri;
use base64ct::{Base64UrlUnpadded, Encoding};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::object::{Attribute, KeyType, ObjectClass};
use enseal::{
    CustodyError, Error, KeyCustody, KeyPair, PublicKey, Result, SoftwareBackend, SoftwareKey,
    Suite,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The `type` of a wrapped-key file.
const FILE_TYPE: &str = "enseal-wrapped-key";
/// Domain separation of the AAD (docs/CUSTODY.md).
const AAD_LABEL: &[u8] = b"enseal wrapped key v1";
/// Default lifetime of an unwrapped key.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);
/// Default number of sessions one unwrapped key opens before it is dropped.
pub const DEFAULT_MAX_SESSIONS: u64 = 10_000;

/// The additional data bound to the ciphertext: label, suite, kid, public key.
fn aad(public: &PublicKey) -> Vec<u8> {
    let mut aad = AAD_LABEL.to_vec();
    aad.push(0);
    aad.extend_from_slice(public.suite().name().as_bytes());
    aad.push(0);
    aad.extend_from_slice(public.kid().as_bytes());
    aad.extend_from_slice(public.as_bytes());
    aad
}

fn invalid(what: impl Into<String>) -> Error {
    Error::InvalidKeyLocation(format!("wrapped key: {}", what.into()))
}

/// Generates the wrapping key: AES-256 inside the token `token_uri` names,
/// labelled `label`, `CKA_TOKEN`, `CKA_PRIVATE`, `CKA_SENSITIVE`, not
/// `CKA_EXTRACTABLE`, for `C_Encrypt`/`C_Decrypt` only. Refuses a label in use.
pub fn generate_wrapping_key(token_uri: &str, label: &str) -> Result<()> {
    if label.is_empty() {
        return Err(Error::InvalidArgument("the key's label is empty"));
    }
    let mut uri = Pkcs11Uri::parse(token_uri)?;
    uri.object = None;
    uri.id = None;
    let token = Token::new(uri)?;
    let session = token.session().map_err(|e| {
        let reason = e.describe(&token);
        if e.transient() {
            Error::KeyUnavailable { kid: None, reason }
        } else {
            Error::InvalidKeyLocation(reason)
        }
    })?;
    let ck = |e: CkError| Error::KeyUnavailable {
        kid: None,
        reason: format!("{}: {}", token.uri().describe(), describe(&e)),
    };
    if !session
        .find_objects(&[Attribute::Label(label.as_bytes().to_vec())])
        .map_err(ck)?
        .is_empty()
    {
        return Err(Error::InvalidKeyLocation(format!(
            "{}: an object labelled {label:?} exists already",
            token.uri().describe()
        )));
    }
    session
        .generate_key(
            &Mechanism::AesKeyGen,
            &[
                Attribute::Class(ObjectClass::SECRET_KEY),
                Attribute::KeyType(KeyType::AES),
                Attribute::ValueLen(32.into()),
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Encrypt(true),
                Attribute::Decrypt(true),
                Attribute::Wrap(false),
                Attribute::Unwrap(false),
                Attribute::Label(label.as_bytes().to_vec()),
            ],
        )
        .map_err(ck)?;
    Ok(())
}

/// Encrypts `pair`'s private key under the AES key `wrapping_key_uri` names
/// (`pkcs11:…;object=…;type=secret-key?pin-source=…`), returning the JSON
/// file (docs/CUSTODY.md). The file records the URI without its query, so
/// no PIN or module path is written.
pub fn wrap(pair: &KeyPair, wrapping_key_uri: &str) -> Result<String> {
    let token = Token::new(Pkcs11Uri::parse(wrapping_key_uri)?)?;
    let class = token.class(ObjectClass::SECRET_KEY)?;
    let (pool, _) = Pool::new(token, class)?;
    let public = pair.public_key();
    let aad = aad(public);
    let mut iv = [0u8; 12];
    getrandom::fill(&mut iv).map_err(|_| Error::RandomnessUnavailable)?;
    let plaintext = pair.private_bytes();
    let ciphertext = pool
        .with(|session, key| {
            let mut nonce = iv;
            let params = GcmParams::new(&mut nonce, &aad, 128.into())?;
            session.encrypt(&Mechanism::AesGcm(params), key, &plaintext)
        })
        .map_err(|e| match e {
            CustodyError::Unavailable(reason) => Error::KeyUnavailable { kid: None, reason },
            CustodyError::Rejected => invalid("the token refused to encrypt"),
        })?;
    let file = serde_json::json!({
        "type": FILE_TYPE,
        "version": 1,
        "suite": public.suite().name(),
        "kid": public.kid().to_string(),
        "public_key": Base64UrlUnpadded::encode_string(public.as_bytes()),
        "wrapping_key": Pkcs11Uri::path_only(wrapping_key_uri),
        "alg": "A256GCM",
        "iv": Base64UrlUnpadded::encode_string(&iv),
        "ciphertext": Base64UrlUnpadded::encode_string(&ciphertext),
    });
    serde_json::to_string_pretty(&file)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|_| invalid("cannot serialize"))
}

/// An unwrapped key and its use so far.
struct Held {
    key: Locked<SoftwareKey>,
    born: Instant,
    used: AtomicU64,
}

/// The custodian of a wrapped key (see the module docs): thread-safe; an
/// expired key is re-unwrapped by one caller while the others wait for it.
pub struct WrappedKey {
    pool: Pool,
    public: PublicKey,
    iv: [u8; 12],
    aad: Vec<u8>,
    ciphertext: Vec<u8>,
    max_age: Duration,
    max_sessions: u64,
    held: Mutex<Option<Arc<Held>>>,
    unwraps: AtomicU64,
}

impl std::fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WrappedKey")
            .field("kid", &self.public.kid())
            .field("suite", &self.public.suite())
            .field("wrapping_key", &self.pool.token().uri().describe())
            .field("max_age", &self.max_age)
            .field("max_sessions", &self.max_sessions)
            .field("private_key", &"[redacted]")
            .finish()
    }
}

/// A JSON string member of the file.
fn member<'a>(file: &'a serde_json::Value, name: &str) -> Result<&'a str> {
    file.get(name)
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| invalid(format!("the file has no string \"{name}\"")))
}

fn b64(file: &serde_json::Value, name: &str) -> Result<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(member(file, name)?)
        .map_err(|_| invalid(format!("\"{name}\" is not unpadded base64url")))
}

impl WrappedKey {
    /// Opens `wrapped:PATH[?QUERY]`: the file at PATH, its wrapping key
    /// found by the file's `wrapping_key` URI with QUERY's `pin-source`/
    /// `pin-value`, `module-path`, `pool-size`, `wait-ms` added, and the
    /// lifetime `max-age` (seconds, default 300) and `max-sessions`
    /// (default 10000). The key is unwrapped once here, so a tampered file
    /// or a wrong wrapping key fails now (`INVALID_ARGUMENT`), not on the
    /// first open; a token that is down is `KEY_UNAVAILABLE`.
    pub fn open(location: &str) -> Result<WrappedKey> {
        let rest = location
            .strip_prefix("wrapped:")
            .ok_or_else(|| invalid("not a wrapped: location"))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let text =
            std::fs::read_to_string(path).map_err(|e| invalid(format!("{path}: {}", e.kind())))?;
        WrappedKey::from_json(&text, query)
    }

    /// As [`WrappedKey::open`], from the file's text and the query.
    pub fn from_json(text: &str, query: &str) -> Result<WrappedKey> {
        let file: serde_json::Value =
            serde_json::from_str(text).map_err(|_| invalid("the file is not JSON"))?;
        if member(&file, "type")? != FILE_TYPE
            || file.get("version").and_then(serde_json::Value::as_u64) != Some(1)
        {
            return Err(invalid(format!("not an {FILE_TYPE} version 1 file")));
        }
        if member(&file, "alg")? != "A256GCM" {
            return Err(invalid("alg is not A256GCM"));
        }
        let suite = Suite::from_name(member(&file, "suite")?)?;
        let public = PublicKey::from_bytes(suite, &b64(&file, "public_key")?)
            .map_err(|e| invalid(format!("public_key: {e}")))?;
        if member(&file, "kid")? != public.kid().to_string() {
            return Err(invalid("kid is not the public key's key id"));
        }
        let iv: [u8; 12] = b64(&file, "iv")?
            .try_into()
            .map_err(|_| invalid("iv is not 12 bytes"))?;
        let ciphertext = b64(&file, "ciphertext")?;
        let wrapping = member(&file, "wrapping_key")?;
        if wrapping.contains('?') || !wrapping.starts_with("pkcs11:") {
            return Err(invalid("wrapping_key is not a pkcs11: URI without a query"));
        }
        let uri = Pkcs11Uri::parse(&format!("{wrapping}?{query}"))?;
        let mut max_age = DEFAULT_MAX_AGE;
        let mut max_sessions = DEFAULT_MAX_SESSIONS;
        for (name, value) in &uri.extra {
            match name.as_str() {
                "max-age" => {
                    max_age = Duration::from_secs(
                        value
                            .parse()
                            .map_err(|_| invalid("max-age is not a number of seconds"))?,
                    )
                }
                _ => {
                    max_sessions = value
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| invalid("max-sessions is not a positive number"))?
                }
            }
        }
        let token = Token::new(uri)?;
        let class = token.class(ObjectClass::SECRET_KEY)?;
        let (pool, _) = Pool::new(token, class)?;
        let key = WrappedKey {
            pool,
            aad: aad(&public),
            public,
            iv,
            ciphertext,
            max_age,
            max_sessions,
            held: Mutex::new(None),
            unwraps: AtomicU64::new(0),
        };
        let held = key.unwrap_key().map_err(|e| match e {
            Unwrap::Token(reason) => Error::KeyUnavailable {
                kid: Some(key.public.kid()),
                reason,
            },
            Unwrap::Invalid(what) => invalid(what),
        })?;
        *key.held.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(held));
        Ok(key)
    }

    /// How many times the key was unwrapped (token `C_Decrypt` calls that succeeded or failed).
    pub fn unwraps(&self) -> u64 {
        self.unwraps.load(Ordering::Relaxed)
    }

    /// Whether the unwrapped key's memory is locked (`mlock` can fail under
    /// a low `RLIMIT_MEMLOCK`; the key is then used unlocked). `None` while
    /// no key is unwrapped.
    pub fn is_locked(&self) -> Option<bool> {
        self.held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|h| h.key.is_locked())
    }

    /// One `C_Decrypt`, checked against the file's public key.
    fn unwrap_key(&self) -> std::result::Result<Held, Unwrap> {
        self.unwraps.fetch_add(1, Ordering::Relaxed);
        let decrypted = self
            .pool
            .with(|session, key| {
                let mut nonce = self.iv;
                let params = GcmParams::new(&mut nonce, &self.aad, 128.into())?;
                match session.decrypt(&Mechanism::AesGcm(params), key, &self.ciphertext) {
                    Ok(plain) => Ok(Ok(Zeroizing::new(plain))),
                    // The tag did not verify: the file was changed, or this is not its
                    // key. (SoftHSM2 2.6.1 reports a GCM tag mismatch as
                    // CKR_GENERAL_ERROR, so that counts as one from C_Decrypt too.)
                    Err(CkError::Pkcs11(
                        RvError::EncryptedDataInvalid
                        | RvError::EncryptedDataLenRange
                        | RvError::GeneralError,
                        _,
                    )) => Ok(Err(())),
                    Err(e) => Err(e),
                }
            })
            .map_err(|e| match e {
                CustodyError::Unavailable(reason) => Unwrap::Token(reason),
                CustodyError::Rejected => Unwrap::Invalid(
                    "the token refused the ciphertext (tampered file?)".into(),
                ),
            })?
            .map_err(|()| {
                Unwrap::Invalid(
                    "the ciphertext does not authenticate under the wrapping key: the file was altered or wrapped by another key".into(),
                )
            })?;
        let pair = KeyPair::from_private_bytes(self.public.suite(), &decrypted)
            .map_err(|_| Unwrap::Invalid("the unwrapped bytes are not a private key".into()))?;
        if pair.public_key().as_bytes() != self.public.as_bytes() {
            return Err(Unwrap::Invalid(
                "the unwrapped private key does not match the file's public key".into(),
            ));
        }
        // RustCrypto keeps the scalar inside the `SoftwareKey` itself, so it
        // lives on the locked, undumped pages below; AWS-LC's (the default,
        // twice to five times faster) would sit on AWS-LC's own heap.
        let software = SoftwareKey::with_backend(&pair, SoftwareBackend::RustCrypto)
            .map_err(|_| Unwrap::Invalid("the unwrapped bytes are not a private key".into()))?;
        let key = Locked::new(software)
            .ok_or_else(|| Unwrap::Token("out of memory for the unwrapped key".into()))?;
        Ok(Held {
            key,
            born: Instant::now(),
            used: AtomicU64::new(0),
        })
    }

    /// The unwrapped key for one more session: the held one if it is within
    /// its lifetime, else a fresh unwrap (the old one is dropped and zeroized
    /// once the sessions using it right now are done).
    fn current(&self) -> std::result::Result<Arc<Held>, CustodyError> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(h) = held.as_ref() {
            if h.born.elapsed() < self.max_age
                && h.used.fetch_add(1, Ordering::Relaxed) < self.max_sessions
            {
                return Ok(h.clone());
            }
        }
        // Expired: forget it before asking the token, so a failed unwrap
        // leaves no stale key behind.
        *held = None;
        let fresh = Arc::new(self.unwrap_key().map_err(|e| match e {
            Unwrap::Token(reason) => CustodyError::Unavailable(reason),
            // The file was checked at open; the same bytes cannot stop
            // authenticating unless the token's key changed.
            Unwrap::Invalid(what) => CustodyError::Unavailable(what),
        })?);
        fresh.used.store(1, Ordering::Relaxed);
        *held = Some(fresh.clone());
        Ok(fresh)
    }
}

enum Unwrap {
    /// The token failed: retry later.
    Token(String),
    /// The file does not unwrap to its key.
    Invalid(String),
}

impl KeyCustody for WrappedKey {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn private_key_op(&self, enc: &[u8]) -> std::result::Result<Zeroizing<[u8; 32]>, CustodyError> {
        self.current()?.key.private_key_op(enc)
    }
}
