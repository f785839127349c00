//! The in-memory Diffie-Hellman on AWS-LC (`aws-lc-rs`), native targets
//! only: X25519 and P-256 in about half and a fifth of RustCrypto's time on
//! this CPU (docs/PERFORMANCE.md, decapsulation), which is most of a new
//! session's open. `aws-lc-rs` is already in the tree through the AWS SDK.
//!
//! Core's `kem::check_enc` has refused a wrong length, a P-256 point off the
//! curve and a low-order X25519 point before `enc` gets here; AWS-LC checks
//! again (it parses the point itself) and any refusal is `Rejected`.

use super::CustodyError;
use crate::{Error, Result, Suite, kem};
use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey};
use zeroize::Zeroizing;

/// A static X25519 or P-256 private key held by AWS-LC. The scalar lives in
/// AWS-LC's own allocation, which `EVP_PKEY_free` cleanses when this drops;
/// the shared secret `agree` hands back is a zeroizing buffer too.
pub(super) struct AwsLcKey {
    key: PrivateKey,
    alg: &'static agreement::Algorithm,
}

impl AwsLcKey {
    /// `secret`: the X25519 scalar (any 32 bytes; clamped in the
    /// multiplication, RFC 7748) or the P-256 scalar (32 bytes big-endian,
    /// in [1, n)), as [`KeyPair::private_bytes`](crate::KeyPair::private_bytes) gives them.
    pub(super) fn new(suite: Suite, secret: &[u8]) -> Result<AwsLcKey> {
        let alg = match suite {
            Suite::X25519 => &agreement::X25519,
            #[cfg(feature = "p256")]
            Suite::P256 => &agreement::ECDH_P256,
            other => return Err(kem::not_built(other)),
        };
        let key = PrivateKey::from_private_key(alg, secret)
            .map_err(|_| Error::InvalidKey("private key bytes are not a valid scalar or seed"))?;
        Ok(AwsLcKey { key, alg })
    }

    /// `DH(sk, enc)`: the X25519 output, or the P-256 shared point's
    /// x-coordinate (SEC 1's `Z`), 32 bytes either way.
    pub(super) fn diffie_hellman(
        &self,
        enc: &[u8],
    ) -> core::result::Result<Zeroizing<[u8; 32]>, CustodyError> {
        let mut out = Zeroizing::new([0u8; 32]);
        agreement::agree(
            &self.key,
            UnparsedPublicKey::new(self.alg, enc),
            CustodyError::Rejected,
            |shared| {
                // 32 bytes for both curves; anything else is not a DH output.
                if shared.len() != out.len() {
                    return Err(CustodyError::Rejected);
                }
                out.copy_from_slice(shared);
                Ok(())
            },
        )?;
        Ok(out)
    }
}
