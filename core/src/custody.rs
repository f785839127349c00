//! Private keys held outside enseal: in an HSM (PKCS#11), a cloud KMS, or
//! memory that a wrapping key unlocks for a while.
//!
//! Opening a session needs the private key for one step only: the
//! Diffie-Hellman on the session's `enc` (DHKEM suites), or the KEM
//! decapsulation itself (X-Wing). [`KeyCustody`] is that step. Core checks
//! `enc` before it is handed over, then computes the rest of RFC 9180's key
//! schedule and the enseal export itself, the same for every backend, so a
//! backend cannot get the format wrong and the RFC 9180 vectors prove each one.
//!
//! Add a custodian to a [`Keyring`](crate::Keyring) with
//! [`Keyring::add_custody`](crate::Keyring::add_custody); an
//! [`Opener`](crate::Opener) then opens its sessions through it, with the
//! session cache in front, so a backend is asked once per session.

use crate::{Error, KeyPair, PublicKey, Result, Suite, kem};
use core::fmt;
use zeroize::Zeroizing;

/// Why a custodian did not perform the private-key operation.
#[derive(Clone, PartialEq, Eq)]
pub enum CustodyError {
    /// The backend did not answer or refused service: token absent, session
    /// closed, throttled, timed out, queue full. The text says which, and
    /// must never hold key material. Opening fails with
    /// [`Error::KeyUnavailable`](crate::Error::KeyUnavailable), nothing is
    /// cached, and the same open can be retried once the backend is back.
    Unavailable(String),
    /// The backend refused this `enc` as invalid input. Opening fails with
    /// the opaque [`Error::DecryptFailed`](crate::Error::DecryptFailed), like
    /// any other bad session.
    Rejected,
}

impl fmt::Debug for CustodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustodyError::Unavailable(why) => f.debug_tuple("Unavailable").field(why).finish(),
            CustodyError::Rejected => f.write_str("Rejected"),
        }
    }
}

impl fmt::Display for CustodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustodyError::Unavailable(why) => write!(f, "key unavailable: {why}"),
            CustodyError::Rejected => f.write_str("the key's backend refused the input"),
        }
    }
}

impl std::error::Error for CustodyError {}

/// The one operation that needs a private key, performed wherever the key
/// lives. Implementations must be safe to call from many threads at once
/// (an opener is shared); a pool or a queue bound belongs inside them.
pub trait KeyCustody: Send + Sync {
    /// The public key of the private key held (suite and bytes): sessions
    /// are matched to it by key id, and DHKEM's key schedule uses its bytes.
    fn public_key(&self) -> &PublicKey;

    /// For X25519 and P-256: `DH(skR, pkE)` with `pkE = enc`, 32 bytes (the
    /// X25519 output, or the P-256 shared point's x-coordinate: what
    /// PKCS#11's `CKM_ECDH1_DERIVE` with `CKD_NULL` and AWS KMS's
    /// `DeriveSharedSecret` return). For X-Wing: `Decap(sk, enc)`, its
    /// 32-byte shared secret. Core has already refused an `enc` of the wrong
    /// length, off the curve or of low order.
    fn private_key_op(&self, enc: &[u8])
    -> core::result::Result<Zeroizing<[u8; 32]>, CustodyError>;
}

impl fmt::Debug for dyn KeyCustody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCustody")
            .field("kid", &self.public_key().kid())
            .finish_non_exhaustive()
    }
}

/// A private key in process memory behind the custody interface: the
/// reference every other backend is tested against, and what a wrapped key
/// becomes once unwrapped. (A [`KeyPair`] added to a keyring opens its
/// sessions through a `SoftwareKey` of its own, made when it is added.)
///
/// On native targets an X25519 or P-256 key is held by AWS-LC (the fastest
/// backend measured, docs/PERFORMANCE.md): its scalar is in AWS-LC's own
/// heap allocation, wiped when the key drops, not inside this value, so
/// placing a `SoftwareKey` on locked pages does not lock the scalar. X-Wing
/// seeds, and every key on wasm32, are held inside the value.
pub struct SoftwareKey {
    secret: RawSecret,
    public: PublicKey,
}

impl SoftwareKey {
    /// The custodian for `pair`'s private key (copied; zeroized on drop),
    /// on the fastest vetted backend this target has.
    pub fn new(pair: &KeyPair) -> Result<SoftwareKey> {
        SoftwareKey::with_backend(pair, SoftwareBackend::DEFAULT)
    }

    /// [`SoftwareKey::new`] on a chosen backend: for the tests and the
    /// benchmark that compare backends in one run, and for a caller that
    /// places the key in locked memory (`enseal-pkcs11`'s wrapped keys):
    /// only [`SoftwareBackend::RustCrypto`] holds the scalar inside the
    /// `SoftwareKey` itself (every backend gives the same bytes).
    #[doc(hidden)]
    pub fn with_backend(pair: &KeyPair, backend: SoftwareBackend) -> Result<SoftwareKey> {
        Ok(SoftwareKey {
            secret: RawSecret::from_pair(pair, backend)?,
            public: pair.public_key().clone(),
        })
    }

    /// The backend that performs this key's private-key step.
    #[doc(hidden)]
    pub fn backend(&self) -> SoftwareBackend {
        self.secret.backend()
    }
}

/// Which vetted implementation performs a [`SoftwareKey`]'s Diffie-Hellman.
/// X-Wing has one implementation (the `x-wing` crate) on every backend.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoftwareBackend {
    /// RustCrypto: `x25519-dalek` and `p256`. The only one on wasm32.
    RustCrypto,
    /// AWS-LC through `aws-lc-rs` (native targets): its X25519 and P-256
    /// take a half and a fifth of RustCrypto's time here (docs/PERFORMANCE.md).
    #[cfg(not(target_arch = "wasm32"))]
    AwsLc,
}

impl SoftwareBackend {
    /// The backend [`SoftwareKey::new`] uses: the fastest measured on this
    /// target (`cargo run --release -p enseal-bench --example decap_paths`).
    #[cfg(not(target_arch = "wasm32"))]
    pub const DEFAULT: SoftwareBackend = SoftwareBackend::AwsLc;
    /// The backend [`SoftwareKey::new`] uses: AWS-LC's C does not build for wasm32.
    #[cfg(target_arch = "wasm32")]
    pub const DEFAULT: SoftwareBackend = SoftwareBackend::RustCrypto;

    /// Every backend this target compiles, the default first.
    pub const ALL: &'static [SoftwareBackend] = &[
        SoftwareBackend::DEFAULT,
        #[cfg(not(target_arch = "wasm32"))]
        SoftwareBackend::RustCrypto,
    ];

    /// A short name, for benchmark tables.
    pub fn name(self) -> &'static str {
        match self {
            SoftwareBackend::RustCrypto => "RustCrypto",
            #[cfg(not(target_arch = "wasm32"))]
            SoftwareBackend::AwsLc => "AWS-LC",
        }
    }
}

impl KeyCustody for SoftwareKey {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn private_key_op(
        &self,
        enc: &[u8],
    ) -> core::result::Result<Zeroizing<[u8; 32]>, CustodyError> {
        self.secret.private_key_op(enc)
    }
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("kid", &self.public.kid())
            .field("backend", &self.secret.backend())
            .field("private_key", &"[redacted]")
            .finish()
    }
}

/// A private key as the raw primitive the custody interface performs: the
/// X25519 scalar, the P-256 scalar, or the X-Wing seed, on one backend.
// 1.7 KB for X-Wing: one per custodian, never moved in a hot path.
#[allow(clippy::large_enum_variant)]
enum RawSecret {
    X25519(x25519_dalek::StaticSecret),
    #[cfg(feature = "p256")]
    P256(p256::SecretKey),
    /// X25519 or P-256 in AWS-LC's memory, which its `EVP_PKEY_free` wipes
    /// (`OPENSSL_free` cleanses every allocation) when this is dropped.
    #[cfg(not(target_arch = "wasm32"))]
    AwsLc(aws_lc::AwsLcKey),
    #[cfg(feature = "xwing")]
    // Not boxed: a custodian in locked memory (the wrapped key) keeps the
    // seed on its own pages; the X-Wing key is large, the others small.
    XWing(x_wing::DecapsulationKey),
}

impl RawSecret {
    fn from_pair(pair: &KeyPair, backend: SoftwareBackend) -> Result<RawSecret> {
        let bytes = pair.private_bytes();
        let bad = Error::InvalidKey("private key bytes are not a valid scalar or seed");
        #[cfg(not(target_arch = "wasm32"))]
        if backend == SoftwareBackend::AwsLc && pair.suite() != Suite::XWing {
            return aws_lc::AwsLcKey::new(pair.suite(), &bytes).map(RawSecret::AwsLc);
        }
        let _ = backend;
        Ok(match pair.suite() {
            Suite::X25519 => {
                let mut scalar = Zeroizing::new([0u8; 32]);
                scalar.copy_from_slice(bytes.get(..32).ok_or(bad)?);
                RawSecret::X25519(x25519_dalek::StaticSecret::from(*scalar))
            }
            #[cfg(feature = "p256")]
            Suite::P256 => RawSecret::P256(p256::SecretKey::from_slice(&bytes).map_err(|_| bad)?),
            #[cfg(feature = "xwing")]
            Suite::XWing => {
                let mut seed = Zeroizing::new([0u8; 32]);
                seed.copy_from_slice(bytes.get(..32).ok_or(bad)?);
                RawSecret::XWing(x_wing::DecapsulationKey::from(*seed))
            }
            #[allow(unreachable_patterns)]
            suite => return Err(kem::not_built(suite)),
        })
    }

    fn backend(&self) -> SoftwareBackend {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            RawSecret::AwsLc(_) => SoftwareBackend::AwsLc,
            _ => SoftwareBackend::RustCrypto,
        }
    }

    /// The custody operation in software (see [`KeyCustody::private_key_op`]).
    fn private_key_op(
        &self,
        enc: &[u8],
    ) -> core::result::Result<Zeroizing<[u8; 32]>, CustodyError> {
        let mut out = Zeroizing::new([0u8; 32]);
        match self {
            RawSecret::X25519(sk) => {
                let pk: [u8; 32] = enc.try_into().map_err(|_| CustodyError::Rejected)?;
                let dh = sk.diffie_hellman(&x25519_dalek::PublicKey::from(pk));
                out.copy_from_slice(dh.as_bytes());
            }
            #[cfg(feature = "p256")]
            RawSecret::P256(sk) => {
                let pk =
                    p256::PublicKey::from_sec1_bytes(enc).map_err(|_| CustodyError::Rejected)?;
                let dh = p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine());
                out.copy_from_slice(dh.raw_secret_bytes());
            }
            #[cfg(not(target_arch = "wasm32"))]
            RawSecret::AwsLc(sk) => return sk.diffie_hellman(enc),
            #[cfg(feature = "xwing")]
            RawSecret::XWing(sk) => {
                use x_wing::Decapsulate;
                let ct = x_wing::Ciphertext::try_from(enc).map_err(|_| CustodyError::Rejected)?;
                let mut ss = sk.decapsulate(&ct);
                out.copy_from_slice(&ss);
                zeroize::Zeroize::zeroize(ss.as_mut_slice());
            }
        }
        Ok(out)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod aws_lc;

/// The session secret of `enc` through a key custodian: core checks `enc`,
/// the custodian performs the one private-key step, and core computes the
/// rest of RFC 9180 (DHKEM's ExtractAndExpand, the base-mode key schedule
/// and the export) in `kem::schedule`.
pub(crate) fn decapsulate_with(custody: &dyn KeyCustody, enc: &[u8]) -> Result<kem::SessionSecret> {
    let public = custody.public_key();
    let suite = public.suite();
    kem::check_enc(suite, enc)?;
    let output = custody
        .private_key_op(enc)
        .map_err(|failure| match failure {
            CustodyError::Unavailable(reason) => Error::KeyUnavailable {
                kid: Some(public.kid()),
                reason,
            },
            CustodyError::Rejected => Error::DecryptFailed,
        })?;
    let shared_secret = match suite {
        #[cfg(feature = "xwing")]
        Suite::XWing => output,
        _ => {
            // RFC 9180 §7.1.4: an all-zero X25519 output is refused (the
            // low-order check above should make it unreachable).
            // (A P-256 x-coordinate of zero is a valid point: Wycheproof tcId 3.)
            let zero = subtle::ConstantTimeEq::ct_eq(&output[..], &[0u8; 32][..]);
            if suite == Suite::X25519 && bool::from(zero) {
                return Err(Error::DecryptFailed);
            }
            kem::schedule::dhkem_shared_secret(suite, &output, enc, public.as_bytes())?
        }
    };
    kem::schedule::session_secret(suite, &shared_secret)
}
