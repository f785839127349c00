//! The custodian for a private key inside a PKCS#11 token, and key generation in the token.

use crate::token::{Pool, SessionError, Token, describe};
use crate::uri::Pkcs11Uri;
use cryptoki::error::Error as CkError;
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::elliptic_curve::{EcKdf, Ecdh1DeriveParams};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use enseal::{CustodyError, Error, KeyCustody, PublicKey, Result, Suite};
use zeroize::{Zeroize, Zeroizing};

/// DER of the P-256 curve OID 1.2.840.10045.3.1.7 (`CKA_EC_PARAMS`).
pub(crate) const P256_OID: [u8; 10] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
/// DER of the X25519 OID 1.3.101.110 (RFC 8410).
pub(crate) const X25519_OID: [u8; 5] = [0x06, 0x03, 0x2B, 0x65, 0x6E];
/// `CKA_EC_PARAMS` as a PrintableString "curve25519" (PKCS#11 3.0 §2.3.7 allows it).
const X25519_NAME: &[u8] = b"\x13\x0acurve25519";

/// A private key in a PKCS#11 token, behind [`KeyCustody`]: each session's
/// Diffie-Hellman is one `C_DeriveKey(CKM_ECDH1_DERIVE, CKD_NULL, enc)`
/// into a session-only generic secret, whose `CKA_VALUE` is read and the
/// object destroyed. P-256 keys are `CKK_EC`; X25519 keys are the standard
/// `CKK_EC_MONTGOMERY` (and SoftHSM2's Edwards-typed key with the X25519 OID).
///
/// Thread-safe: a pool of `pool-size` sessions, and an open that finds none
/// free within `wait-ms` is `KEY_UNAVAILABLE` ("busy") rather than queued
/// without bound.
pub struct Pkcs11Key {
    pool: Pool,
    public: PublicKey,
}

impl std::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Key")
            .field("kid", &self.public.kid())
            .field("suite", &self.public.suite())
            .field("pool", &self.pool)
            .finish()
    }
}

impl Pkcs11Key {
    /// Opens the private key `uri` names (RFC 7512; see the crate docs for
    /// the attributes). The public key is read from the public-key object
    /// with the same `CKA_ID` (or label). Fails with `INVALID_ARGUMENT` when
    /// the URI is malformed or names no single key, `KEY_UNAVAILABLE` when
    /// the token is absent.
    pub fn open(uri: &str) -> Result<Pkcs11Key> {
        let token = Token::new(Pkcs11Uri::parse(uri)?)?;
        let class = token.class(ObjectClass::PRIVATE_KEY)?;
        let (pool, _) = Pool::new(token, class)?;
        let public = pool
            .with(|session, key| Ok(public_key_of(session, key)))
            .map_err(|e| match e {
                CustodyError::Unavailable(reason) => Error::KeyUnavailable { kid: None, reason },
                CustodyError::Rejected => Error::InvalidKeyLocation(format!(
                    "{}: the token refused to describe the key",
                    pool.token().uri().describe()
                )),
            })?
            .map_err(|what| {
                Error::InvalidKeyLocation(format!("{}: {what}", pool.token().uri().describe()))
            })?;
        Ok(Pkcs11Key { pool, public })
    }

    /// The number of token operations attempted so far (derives, and the
    /// one retry after a failure): what the benchmark and tests count.
    pub fn token_calls(&self) -> u64 {
        self.pool.calls()
    }
}

impl KeyCustody for Pkcs11Key {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn private_key_op(&self, enc: &[u8]) -> std::result::Result<Zeroizing<[u8; 32]>, CustodyError> {
        let out = self.pool.with(|session, key| derive(session, key, enc))?;
        out.ok_or_else(|| {
            CustodyError::Unavailable(format!(
                "{}: the token's derived secret is not 32 bytes",
                self.pool.token().uri().describe()
            ))
        })
    }
}

/// One ECDH derive: the shared secret as a session object, read and destroyed.
/// `Ok(None)`: the token returned a secret of the wrong size.
fn derive(
    session: &Session,
    key: ObjectHandle,
    enc: &[u8],
) -> std::result::Result<Option<Zeroizing<[u8; 32]>>, CkError> {
    let params = Ecdh1DeriveParams::new(EcKdf::null(), enc);
    let secret = session.derive_key(
        &Mechanism::Ecdh1Derive(params),
        key,
        &[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::ValueLen(32.into()),
            // The secret must be readable (it is what core needs), and is a
            // session object that lives until destroy_object below.
            Attribute::Sensitive(false),
            Attribute::Extractable(true),
            Attribute::Token(false),
        ],
    )?;
    let value = session.get_attributes(secret, &[AttributeType::Value]);
    let destroyed = session.destroy_object(secret);
    let mut attributes = value?;
    let mut out = None;
    for attribute in &mut attributes {
        if let Attribute::Value(bytes) = attribute {
            if let Ok(array) = <[u8; 32]>::try_from(bytes.as_slice()) {
                out = Some(Zeroizing::new(array));
            }
            bytes.zeroize();
        }
    }
    // Checked after the secret is wiped: a failed destroy must not leave it
    // in memory (the session, whose object may live on, is then dropped).
    destroyed?;
    Ok(out)
}

/// The suite of a private key object, from its key type and curve.
fn suite_of(session: &Session, key: ObjectHandle) -> std::result::Result<Suite, String> {
    let attrs = session
        .get_attributes(key, &[AttributeType::KeyType, AttributeType::EcParams])
        .map_err(|e| describe(&e))?;
    let (mut key_type, mut params) = (None, None);
    for a in attrs {
        match a {
            Attribute::KeyType(t) => key_type = Some(t),
            Attribute::EcParams(p) => params = Some(p),
            _ => {}
        }
    }
    match (key_type, params.as_deref()) {
        (Some(KeyType::EC), Some(p)) if p == P256_OID => Ok(Suite::P256),
        (Some(KeyType::EC_MONTGOMERY), Some(p)) if p == X25519_OID || p == X25519_NAME => {
            Ok(Suite::X25519)
        }
        // SoftHSM2 2.6's non-standard X25519 key: CKK_EC_EDWARDS with the X25519 OID.
        (Some(KeyType::EC_EDWARDS), Some(p)) if p == X25519_OID => Ok(Suite::X25519),
        (t, _) => Err(format!(
            "the key is not a P-256 (CKK_EC) or X25519 (CKK_EC_MONTGOMERY) key ({t:?})"
        )),
    }
}

/// `CKA_EC_POINT` as the suite's public key bytes: a DER OCTET STRING
/// (what PKCS#11 specifies) or the raw point (what some tokens return).
pub(crate) fn ec_point(suite: Suite, value: &[u8]) -> std::result::Result<PublicKey, String> {
    let len = suite.public_key_len();
    let raw = if value.len() == len + 2 && value[0] == 0x04 && usize::from(value[1]) == len {
        &value[2..]
    } else if value.len() == len {
        value
    } else {
        return Err(format!(
            "CKA_EC_POINT is {} bytes, not a {} public key",
            value.len(),
            suite.name()
        ));
    };
    PublicKey::from_bytes(suite, raw).map_err(|e| format!("CKA_EC_POINT: {e}"))
}

/// The public key of private key `key`: `CKA_EC_POINT` of the public-key
/// object with the same `CKA_ID` (or, without one, the same label).
fn public_key_of(session: &Session, key: ObjectHandle) -> std::result::Result<PublicKey, String> {
    let suite = suite_of(session, key)?;
    let attrs = session
        .get_attributes(key, &[AttributeType::Id, AttributeType::Label])
        .map_err(|e| describe(&e))?;
    let mut template = vec![Attribute::Class(ObjectClass::PUBLIC_KEY)];
    for a in attrs {
        match a {
            Attribute::Id(id) if !id.is_empty() => template.push(Attribute::Id(id)),
            Attribute::Label(l) if !l.is_empty() => template.push(Attribute::Label(l)),
            _ => {}
        }
    }
    if template.len() == 1 {
        return Err(
            "the private key has neither CKA_ID nor CKA_LABEL to find its public key".into(),
        );
    }
    let found = session.find_objects(&template).map_err(|e| describe(&e))?;
    let [public] = found.as_slice() else {
        return Err(format!(
            "{} public-key objects share the private key's CKA_ID/CKA_LABEL (expected 1)",
            found.len()
        ));
    };
    let point = session
        .get_attributes(*public, &[AttributeType::EcPoint])
        .map_err(|e| describe(&e))?;
    match point.into_iter().next() {
        Some(Attribute::EcPoint(value)) => ec_point(suite, &value),
        _ => Err("the public-key object has no CKA_EC_POINT".into()),
    }
}

/// Generates a key pair for `suite` inside the token `token_uri` names
/// (its token attributes, PIN and module; `object`/`id` are ignored),
/// labelled `label`, with a fresh random `CKA_ID`. The private key is
/// `CKA_TOKEN`, `CKA_PRIVATE`, `CKA_SENSITIVE`, not `CKA_EXTRACTABLE`, and
/// `CKA_DERIVE` only; the returned public key (from `CKA_EC_POINT`) goes
/// into the public keyset. Open the private key afterwards with
/// `pkcs11:token=…;object=LABEL;type=private`.
///
/// P-256 works on SoftHSM2; X25519 needs a token with standard
/// `CKM_EC_MONTGOMERY_KEY_PAIR_GEN` (kryoptic; not SoftHSM2 2.6). X-Wing
/// has no PKCS#11 mechanism and is refused.
pub fn generate(token_uri: &str, label: &str, suite: Suite) -> Result<PublicKey> {
    let (mechanism, key_type, params) = match suite {
        Suite::P256 => (Mechanism::EccKeyPairGen, KeyType::EC, P256_OID.to_vec()),
        Suite::X25519 => (
            Mechanism::EccMontgomeryKeyPairGen,
            KeyType::EC_MONTGOMERY,
            X25519_OID.to_vec(),
        ),
        _ => {
            return Err(Error::InvalidArgument(
                "PKCS#11 keys can be P-256 or X25519 (X-Wing has no PKCS#11 mechanism)",
            ));
        }
    };
    if label.is_empty() {
        return Err(Error::InvalidArgument("the key's label is empty"));
    }
    let mut uri = Pkcs11Uri::parse(token_uri)?;
    uri.object = None;
    uri.id = None;
    let token = Token::new(uri)?;
    let unavailable = |e: SessionError, token: &Token| {
        let reason = e.describe(token);
        if e.transient() {
            Error::KeyUnavailable { kid: None, reason }
        } else {
            Error::InvalidKeyLocation(reason)
        }
    };
    let session = token.session().map_err(|e| unavailable(e, &token))?;
    let ck = |e: CkError| Error::KeyUnavailable {
        kid: None,
        reason: format!("{}: {}", token.uri().describe(), describe(&e)),
    };
    let existing = session
        .find_objects(&[Attribute::Label(label.as_bytes().to_vec())])
        .map_err(ck)?;
    if !existing.is_empty() {
        return Err(Error::InvalidKeyLocation(format!(
            "{}: an object labelled {label:?} exists already",
            token.uri().describe()
        )));
    }
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|_| Error::RandomnessUnavailable)?;
    let common = [
        Attribute::Token(true),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Id(id.to_vec()),
        Attribute::Derive(true),
    ];
    let mut public_template = common.to_vec();
    public_template.extend([Attribute::KeyType(key_type), Attribute::EcParams(params)]);
    let mut private_template = common.to_vec();
    private_template.extend([
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Sign(false),
        Attribute::Decrypt(false),
        Attribute::Unwrap(false),
    ]);
    let (public, private) = session
        .generate_key_pair(&mechanism, &public_template, &private_template)
        .map_err(|e| {
            if crate::token::classify(&e) == crate::token::Failure::Transient {
                ck(e)
            } else {
                // SoftHSM2 2.6.1 and X25519: CKR_MECHANISM_INVALID.
                Error::InvalidKeyLocation(format!(
                    "{}: the token cannot generate a {} key pair: {}",
                    token.uri().describe(),
                    suite.name(),
                    describe(&e)
                ))
            }
        })?;
    let point = session
        .get_attributes(public, &[AttributeType::EcPoint])
        .map_err(ck)?;
    let checked = match point.into_iter().next() {
        Some(Attribute::EcPoint(value)) => ec_point(suite, &value),
        _ => Err("the generated public key has no CKA_EC_POINT".into()),
    };
    match checked {
        Ok(public_key) => Ok(public_key),
        Err(what) => {
            // A key pair whose public half we cannot use would only confuse the next open.
            let _ = session.destroy_object(private);
            let _ = session.destroy_object(public);
            Err(Error::InvalidKeyLocation(format!(
                "{}: {what}",
                token.uri().describe()
            )))
        }
    }
}
