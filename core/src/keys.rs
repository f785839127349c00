//! Key pairs, public keys and key ids, with raw-byte and JWK (RFC 7517) forms.

use crate::format::KID_LABEL;
use crate::json;
use crate::jwk::{self, Jwk};
use crate::kem::{KemPublicKey, KemSecretKey};
use crate::kid::KeyId;
use crate::{Error, Result, Suite, rng};
use base64ct::{Base64UrlUnpadded, Encoding};
use core::fmt;
use core::str::FromStr;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

impl KeyId {
    /// The key id of a serialized public key of `suite`.
    pub fn compute(suite: Suite, public_key: &[u8]) -> KeyId {
        let digest = Sha256::new()
            .chain_update(KID_LABEL)
            .chain_update(suite.kem_id().to_be_bytes())
            .chain_update(public_key)
            .finalize();
        let mut kid = [0u8; 8];
        kid.copy_from_slice(&digest[..8]);
        KeyId::from_bytes(kid)
    }
}

impl FromStr for KeyId {
    type Err = Error;

    /// Parses the 11-character base64url form.
    fn from_str(s: &str) -> Result<KeyId> {
        let mut kid = [0u8; 8];
        match Base64UrlUnpadded::decode(s, &mut kid) {
            Ok(b) if b.len() == 8 => Ok(KeyId::from_bytes(kid)),
            _ => Err(Error::InvalidKey(
                "key id is not 8 bytes of unpadded base64url",
            )),
        }
    }
}

/// A recipient's public key: what a sealer encrypts to.
#[derive(Clone)]
pub struct PublicKey {
    suite: Suite,
    kid: KeyId,
    bytes: Vec<u8>,
    kem: KemPublicKey,
}

impl PublicKey {
    /// A public key from its serialization (RFC 9180 SerializePublicKey: 32 bytes
    /// for X25519, 65-byte uncompressed SEC1 point for P-256, 1216 bytes for X-Wing).
    pub fn from_bytes(suite: Suite, bytes: &[u8]) -> Result<PublicKey> {
        let kem = KemPublicKey::from_bytes(suite, bytes)?;
        Ok(PublicKey::from_kem(suite, kem))
    }

    fn from_kem(suite: Suite, kem: KemPublicKey) -> PublicKey {
        let bytes = kem.to_bytes();
        PublicKey {
            suite,
            kid: KeyId::compute(suite, &bytes),
            bytes,
            kem,
        }
    }

    /// The suite this key belongs to.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// The key id every sealed field to this key carries.
    pub fn kid(&self) -> KeyId {
        self.kid
    }

    /// The serialized public key.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The serialized public key, copied.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// The public key as a JWK (JSON text); see docs/FORMAT.md §5 for the shapes.
    pub fn to_jwk(&self) -> String {
        json::public_text(jwk::to_json(&self.to_jwk_struct()))
    }

    pub(crate) fn to_jwk_struct(&self) -> Jwk {
        Jwk::public(self.suite, &self.bytes, self.kid)
    }

    /// A public key from a JWK. A private JWK is accepted and only its public part kept.
    pub fn from_jwk(json: &str) -> Result<PublicKey> {
        PublicKey::from_jwk_struct(&jwk::from_json(json)?)
    }

    pub(crate) fn from_jwk_struct(jwk: &Jwk) -> Result<PublicKey> {
        let (suite, bytes) = jwk.public_part()?;
        let key = PublicKey::from_bytes(suite, &bytes)?;
        jwk.check_kid(key.kid)?;
        Ok(key)
    }

    pub(crate) fn kem(&self) -> &KemPublicKey {
        &self.kem
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.suite == other.suite && self.bytes == other.bytes
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("suite", &self.suite)
            .field("kid", &self.kid)
            .finish()
    }
}

/// A recipient's key pair: what an opener decrypts with. The private key is
/// zeroized on drop and never shown by `Debug`.
#[derive(Clone)]
pub struct KeyPair {
    secret: KemSecretKey,
    public: PublicKey,
}

impl KeyPair {
    /// A fresh random key pair of `suite`.
    pub fn generate(suite: Suite) -> Result<KeyPair> {
        let ikm = rng::random_bytes(32)?;
        KeyPair::derive(suite, &ikm)
    }

    /// RFC 9180 `DeriveKeyPair(ikm)` (draft-ietf-hpke-pq's for X-Wing).
    /// `ikm` must be secret and hold at least 32 bytes of entropy; fewer than
    /// 32 bytes is refused. Use [`KeyPair::generate`] unless keys come from a KDF.
    pub fn derive(suite: Suite, ikm: &[u8]) -> Result<KeyPair> {
        if ikm.len() < 32 {
            return Err(Error::InvalidArgument("ikm must be at least 32 bytes"));
        }
        let (secret, public) = KemSecretKey::derive(suite, ikm)?;
        Ok(KeyPair {
            secret,
            public: PublicKey::from_kem(suite, public),
        })
    }

    /// A key pair from a serialized private key (RFC 9180 SerializePrivateKey;
    /// the 32-byte seed for X-Wing). The public key is recomputed.
    pub fn from_private_bytes(suite: Suite, bytes: &[u8]) -> Result<KeyPair> {
        let secret = KemSecretKey::from_bytes(suite, bytes)?;
        let public = PublicKey::from_kem(suite, secret.public_key());
        Ok(KeyPair { secret, public })
    }

    /// The serialized private key. Handle with care; it is zeroized when dropped.
    pub fn private_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.secret.to_bytes()
    }

    /// The public half, to give to sealers.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        self.public.suite
    }

    /// The key id.
    pub fn kid(&self) -> KeyId {
        self.public.kid
    }

    /// The private key as a JWK (JSON text, with `d` or `priv`), zeroized on drop.
    pub fn to_jwk(&self) -> Zeroizing<String> {
        jwk::to_json(&self.to_jwk_struct())
    }

    pub(crate) fn to_jwk_struct(&self) -> Jwk {
        self.public
            .to_jwk_struct()
            .with_private(self.suite(), &self.private_bytes())
    }

    /// A key pair from a private JWK. Public members, when present, must match the private key.
    pub fn from_jwk(json: &str) -> Result<KeyPair> {
        KeyPair::from_jwk_struct(&jwk::from_json(json)?)
    }

    pub(crate) fn from_jwk_struct(jwk: &Jwk) -> Result<KeyPair> {
        let (suite, private) = jwk.private_part()?;
        let pair = KeyPair::from_private_bytes(suite, &private)?;
        if let Some(public) = jwk.public_part_if_present()? {
            if public.0 != suite || !bool::from(public.1.ct_eq(pair.public.as_bytes())) {
                return Err(Error::InvalidKey(
                    "the JWK's public members do not match its private key",
                ));
            }
        }
        jwk.check_kid(pair.kid())?;
        Ok(pair)
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("suite", &self.suite())
            .field("kid", &self.kid())
            .field("private_key", &"[redacted]")
            .finish()
    }
}
