//! The only module that talks to the `hpke` crate: key generation and
//! (de)serialization per suite, and HPKE base-mode setup followed by the
//! enseal export. Everything above this works with bytes and [`SessionSecret`].

use crate::format::{EXPORT_CONTEXT, HPKE_INFO};
use crate::rng::FixedRng;
use crate::{Error, Result, Suite};
#[cfg(test)]
use hpke::OpModeR;
use hpke::aead::AesGcm256;
use hpke::kdf::HkdfSha256;
#[cfg(feature = "p256")]
use hpke::kem::DhP256HkdfSha256;
use hpke::kem::X25519HkdfSha256;
#[cfg(feature = "xwing")]
use hpke::kem::XWing;
use hpke::{Deserializable, Kem, OpModeS, Serializable};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Bytes exported from the HPKE context: a 32-byte AES key and a 12-byte base nonce.
pub(crate) const SESSION_SECRET_LEN: usize = 44;

/// The exported `key || base_nonce`, zeroized on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct SessionSecret {
    pub(crate) key: [u8; 32],
    pub(crate) base_nonce: [u8; 12],
}

impl SessionSecret {
    fn export(
        export: impl FnOnce(&mut [u8]) -> core::result::Result<(), hpke::HpkeError>,
    ) -> Result<Self> {
        let mut buf = Zeroizing::new([0u8; SESSION_SECRET_LEN]);
        export(buf.as_mut_slice()).map_err(|_| Error::Internal("HPKE export failed"))?;
        let mut secret = SessionSecret {
            key: [0; 32],
            base_nonce: [0; 12],
        };
        let (key, nonce) = buf.split_at(32);
        secret.key.copy_from_slice(key);
        secret.base_nonce.copy_from_slice(nonce);
        Ok(secret)
    }
}

type PkOf<K> = <K as Kem>::PublicKey;
type SkOf<K> = <K as Kem>::PrivateKey;

/// A parsed recipient public key.
#[derive(Clone)]
pub(crate) enum KemPublicKey {
    X25519(PkOf<X25519HkdfSha256>),
    #[cfg(feature = "p256")]
    P256(PkOf<DhP256HkdfSha256>),
    #[cfg(feature = "xwing")]
    XWing(Box<PkOf<XWing>>),
}

/// A parsed private key. The `hpke` types zeroize themselves on drop.
#[derive(Clone)]
pub(crate) enum KemSecretKey {
    X25519(SkOf<X25519HkdfSha256>),
    #[cfg(feature = "p256")]
    P256(SkOf<DhP256HkdfSha256>),
    #[cfg(feature = "xwing")]
    XWing(Box<SkOf<XWing>>),
}

/// The error for a suite this build leaves out (core features `p256`, `xwing`).
#[cfg_attr(all(feature = "p256", feature = "xwing"), allow(dead_code))]
pub(crate) fn not_built(suite: Suite) -> Error {
    Error::UnsupportedSuite(suite.kem_id())
}

impl KemPublicKey {
    pub(crate) fn from_bytes(suite: Suite, bytes: &[u8]) -> Result<Self> {
        if bytes.len() != suite.public_key_len() {
            return Err(Error::InvalidKey(
                "public key has the wrong length for its suite",
            ));
        }
        let bad = |_| Error::InvalidKey("public key bytes are not a valid point or key");
        Ok(match suite {
            Suite::X25519 => {
                if x25519_low_order(bytes) {
                    return Err(Error::InvalidKey(
                        "X25519 public key is a low-order point (every shared secret would be zero)",
                    ));
                }
                KemPublicKey::X25519(PkOf::<X25519HkdfSha256>::from_bytes(bytes).map_err(bad)?)
            }
            #[cfg(feature = "p256")]
            Suite::P256 => {
                KemPublicKey::P256(PkOf::<DhP256HkdfSha256>::from_bytes(bytes).map_err(bad)?)
            }
            #[cfg(feature = "xwing")]
            Suite::XWing => {
                // pk = pk_M (ML-KEM-768, 1184 bytes) || pk_X (X25519, 32 bytes).
                // A low-order pk_X would leave the hybrid with ML-KEM alone.
                if bytes.get(1184..).is_some_and(x25519_low_order) {
                    return Err(Error::InvalidKey(
                        "the X25519 part of the X-Wing public key is a low-order point",
                    ));
                }
                KemPublicKey::XWing(Box::new(PkOf::<XWing>::from_bytes(bytes).map_err(bad)?))
            }
            #[allow(unreachable_patterns)]
            _ => return Err(not_built(suite)),
        })
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        match self {
            KemPublicKey::X25519(pk) => pk.to_bytes().to_vec(),
            #[cfg(feature = "p256")]
            KemPublicKey::P256(pk) => pk.to_bytes().to_vec(),
            #[cfg(feature = "xwing")]
            KemPublicKey::XWing(pk) => pk.to_bytes().to_vec(),
        }
    }
}

impl KemSecretKey {
    /// RFC 9180 DeriveKeyPair (draft-ietf-hpke-pq's for X-Wing) from `ikm`.
    pub(crate) fn derive(suite: Suite, ikm: &[u8]) -> Result<(Self, KemPublicKey)> {
        Ok(match suite {
            Suite::X25519 => {
                let (sk, pk) = X25519HkdfSha256::derive_keypair(ikm);
                (KemSecretKey::X25519(sk), KemPublicKey::X25519(pk))
            }
            #[cfg(feature = "p256")]
            Suite::P256 => {
                let (sk, pk) = DhP256HkdfSha256::derive_keypair(ikm);
                (KemSecretKey::P256(sk), KemPublicKey::P256(pk))
            }
            #[cfg(feature = "xwing")]
            Suite::XWing => {
                let (sk, pk) = XWing::derive_keypair(ikm);
                (
                    KemSecretKey::XWing(Box::new(sk)),
                    KemPublicKey::XWing(Box::new(pk)),
                )
            }
            #[allow(unreachable_patterns)]
            _ => return Err(not_built(suite)),
        })
    }

    pub(crate) fn from_bytes(suite: Suite, bytes: &[u8]) -> Result<Self> {
        if bytes.len() != suite.private_key_len() {
            return Err(Error::InvalidKey(
                "private key has the wrong length for its suite",
            ));
        }
        let bad = |_| Error::InvalidKey("private key bytes are not a valid scalar or seed");
        Ok(match suite {
            Suite::X25519 => {
                KemSecretKey::X25519(SkOf::<X25519HkdfSha256>::from_bytes(bytes).map_err(bad)?)
            }
            #[cfg(feature = "p256")]
            Suite::P256 => {
                KemSecretKey::P256(SkOf::<DhP256HkdfSha256>::from_bytes(bytes).map_err(bad)?)
            }
            #[cfg(feature = "xwing")]
            Suite::XWing => {
                KemSecretKey::XWing(Box::new(SkOf::<XWing>::from_bytes(bytes).map_err(bad)?))
            }
            #[allow(unreachable_patterns)]
            _ => return Err(not_built(suite)),
        })
    }

    pub(crate) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(vec![0u8; 32]);
        match self {
            KemSecretKey::X25519(sk) => sk.write_exact(&mut out),
            #[cfg(feature = "p256")]
            KemSecretKey::P256(sk) => sk.write_exact(&mut out),
            #[cfg(feature = "xwing")]
            KemSecretKey::XWing(sk) => sk.write_exact(&mut out),
        }
        out
    }

    pub(crate) fn public_key(&self) -> KemPublicKey {
        match self {
            KemSecretKey::X25519(sk) => KemPublicKey::X25519(X25519HkdfSha256::sk_to_pk(sk)),
            #[cfg(feature = "p256")]
            KemSecretKey::P256(sk) => KemPublicKey::P256(DhP256HkdfSha256::sk_to_pk(sk)),
            #[cfg(feature = "xwing")]
            KemSecretKey::XWing(sk) => KemPublicKey::XWing(Box::new(XWing::sk_to_pk(sk))),
        }
    }
}

/// The X25519 public keys of small order, on the curve or its twist:
/// libsodium's list (`has_small_order`), u-coordinates 0, 1, the two of
/// order 8, p − 1, p and p + 1. RFC 7748 ignores the top bit, so it is
/// masked before comparing. Every DH with such a key gives zero (which
/// RFC 9180 §7.1.4 refuses), so a sealer could never use it.
fn x25519_low_order(key: &[u8]) -> bool {
    const LOW_ORDER: [[u8; 32]; 7] = [
        [0; 32],
        {
            let mut one = [0; 32];
            one[0] = 1;
            one
        },
        [
            0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f,
            0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16,
            0x5f, 0x49, 0xb8, 0x00,
        ],
        [
            0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83,
            0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd,
            0xd0, 0x9f, 0x11, 0x57,
        ],
        p_plus(-1),
        p_plus(0),
        p_plus(1),
    ];
    /// p + d for p = 2^255 - 19, little-endian.
    const fn p_plus(d: i8) -> [u8; 32] {
        let mut k = [0xff; 32];
        k[0] = (0xed_i16 + d as i16) as u8;
        k[31] = 0x7f;
        k
    }
    let Some((last, rest)) = key.split_last() else {
        return false;
    };
    LOW_ORDER
        .iter()
        .any(|bad| bad[..31] == *rest && bad[31] == last & 0x7f)
}

/// `SetupBaseS(pkR, "enseal/v1")`, then `Export("enseal/v1 field", 44)`.
/// `randomness` must be exactly `suite.encap_randomness_len()` bytes.
pub(crate) fn encapsulate(
    pk: &KemPublicKey,
    randomness: &[u8],
) -> Result<(Vec<u8>, SessionSecret)> {
    let mut secret = None;
    let enc = setup_sender(pk, randomness, HPKE_INFO, |export| {
        secret = Some(SessionSecret::export(|out| export(EXPORT_CONTEXT, out))?);
        Ok(())
    })?;
    Ok((
        enc,
        secret.ok_or(Error::Internal("HPKE export did not run"))?,
    ))
}

// The `hpke` crate's receiver: since the custody path opens every session
// (a direct DH, then `schedule`), it is the independent reference the
// tests hold that path to, on every published vector.
#[cfg(test)]
/// `SetupBaseR(enc, skR, "enseal/v1")`, then the same export. Any failure,
/// including an `enc` that is not a valid point, is the opaque [`Error::DecryptFailed`].
pub(crate) fn decapsulate(sk: &KemSecretKey, enc: &[u8]) -> Result<SessionSecret> {
    let mut secret = None;
    setup_receiver(sk, enc, HPKE_INFO, |export| {
        secret = Some(SessionSecret::export(|out| export(EXPORT_CONTEXT, out))?);
        Ok(())
    })?;
    secret.ok_or(Error::Internal("HPKE export did not run"))
}

/// An HPKE context's `Export(exporter_context, L)`, writing `L = out.len()` bytes.
pub(crate) type Exporter<'a> =
    &'a dyn Fn(&[u8], &mut [u8]) -> core::result::Result<(), hpke::HpkeError>;

/// Base-mode `SetupBaseS(pkR, info)` with AES-256-GCM and HKDF-SHA256; hands
/// the context's exporter to `use_ctx` and returns `enc`.
pub(crate) fn setup_sender(
    pk: &KemPublicKey,
    randomness: &[u8],
    info: &[u8],
    use_ctx: impl FnOnce(Exporter<'_>) -> Result<()>,
) -> Result<Vec<u8>> {
    match pk {
        KemPublicKey::X25519(pk) => {
            setup_sender_with::<X25519HkdfSha256>(pk, randomness, info, use_ctx)
        }
        #[cfg(feature = "p256")]
        KemPublicKey::P256(pk) => {
            setup_sender_with::<DhP256HkdfSha256>(pk, randomness, info, use_ctx)
        }
        #[cfg(feature = "xwing")]
        KemPublicKey::XWing(pk) => setup_sender_with::<XWing>(pk, randomness, info, use_ctx),
    }
}

// The `hpke` crate's receiver: since the custody path opens every session
// (a direct DH, then `schedule`), it is the independent reference the
// tests hold that path to, on every published vector.
#[cfg(test)]
/// Base-mode `SetupBaseR(enc, skR, info)`; hands the context's exporter to `use_ctx`.
pub(crate) fn setup_receiver(
    sk: &KemSecretKey,
    enc: &[u8],
    info: &[u8],
    use_ctx: impl FnOnce(Exporter<'_>) -> Result<()>,
) -> Result<()> {
    match sk {
        KemSecretKey::X25519(sk) => setup_receiver_with::<X25519HkdfSha256>(sk, enc, info, use_ctx),
        #[cfg(feature = "p256")]
        KemSecretKey::P256(sk) => setup_receiver_with::<DhP256HkdfSha256>(sk, enc, info, use_ctx),
        #[cfg(feature = "xwing")]
        KemSecretKey::XWing(sk) => setup_receiver_with::<XWing>(sk, enc, info, use_ctx),
    }
}

fn setup_sender_with<K: Kem>(
    pk: &K::PublicKey,
    randomness: &[u8],
    info: &[u8],
    use_ctx: impl FnOnce(Exporter<'_>) -> Result<()>,
) -> Result<Vec<u8>> {
    let mut rng = FixedRng::new(randomness);
    let (enc, ctx) =
        hpke::setup_sender_with_rng::<AesGcm256, HkdfSha256, K>(&OpModeS::Base, pk, info, &mut rng)
            .map_err(|_| Error::Internal("HPKE encapsulation failed"))?;
    if !rng.used_exactly() {
        return Err(Error::Internal(
            "encapsulation drew an unexpected amount of randomness",
        ));
    }
    use_ctx(&|context, out| ctx.export(context, out))?;
    Ok(enc.to_bytes().to_vec())
}

// The `hpke` crate's receiver: since the custody path opens every session
// (a direct DH, then `schedule`), it is the independent reference the
// tests hold that path to, on every published vector.
#[cfg(test)]
fn setup_receiver_with<K: Kem>(
    sk: &K::PrivateKey,
    enc: &[u8],
    info: &[u8],
    use_ctx: impl FnOnce(Exporter<'_>) -> Result<()>,
) -> Result<()> {
    let enc = K::EncappedKey::from_bytes(enc).map_err(|_| Error::DecryptFailed)?;
    let ctx = hpke::setup_receiver::<AesGcm256, HkdfSha256, K>(&OpModeR::Base, sk, &enc, info)
        .map_err(|_| Error::DecryptFailed)?;
    use_ctx(&|context, out| ctx.export(context, out))
}

/// Refuses an `enc` that must not be handed to a key's backend: the wrong
/// length, a P-256 point not on the curve, a low-order X25519 point. The
/// same inputs the `hpke` path refuses, with the same opaque error.
pub(crate) fn check_enc(suite: Suite, enc: &[u8]) -> Result<()> {
    if enc.len() != suite.enc_len() {
        return Err(Error::DecryptFailed);
    }
    match suite {
        Suite::X25519 if x25519_low_order(enc) => Err(Error::DecryptFailed),
        #[cfg(feature = "p256")]
        Suite::P256 => PkOf::<DhP256HkdfSha256>::from_bytes(enc)
            .map(drop)
            .map_err(|_| Error::DecryptFailed),
        Suite::X25519 => Ok(()),
        #[cfg(feature = "xwing")]
        Suite::XWing => Ok(()),
        #[allow(unreachable_patterns)]
        other => Err(not_built(other)),
    }
}

pub(crate) mod schedule;

#[cfg(test)]
mod custody_tests;
#[cfg(test)]
mod tests;
