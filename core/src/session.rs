//! A session's secrets, the same on both sides: the AES-256-GCM field key and
//! the base nonce exported from one HPKE context. The sealer adds a counter
//! and a header prefix; the opener caches sessions by their header.

use crate::cipher::FieldKey;
use crate::format::{self, Aad, Envelope};
use crate::{Result, kem};
use zeroize::Zeroizing;

pub(crate) struct Session {
    key: FieldKey,
    base_nonce: Zeroizing<[u8; 12]>,
    /// The key's bytes, for an AES-GCM outside core (`crate::hazmat`) to import.
    #[cfg(feature = "hazmat")]
    raw_key: Zeroizing<[u8; 32]>,
}

impl Session {
    pub(crate) fn new(secret: &kem::SessionSecret) -> Result<Session> {
        Ok(Session {
            key: FieldKey::new(&secret.key)?,
            base_nonce: Zeroizing::new(secret.base_nonce),
            #[cfg(feature = "hazmat")]
            raw_key: Zeroizing::new(secret.key),
        })
    }

    /// The nonce of field `counter`.
    pub(crate) fn nonce(&self, counter: u64) -> [u8; 12] {
        format::field_nonce(&self.base_nonce, counter)
    }

    /// Appends `ciphertext || tag` of field `counter` to `out`, whose bytes
    /// from `header_start` on are the field's header.
    pub(crate) fn seal(
        &self,
        counter: u64,
        header_start: usize,
        plaintext: &[u8],
        context: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let aad = Aad::new(&out[header_start..], context);
        self.key
            .seal(self.nonce(counter), aad.as_slice(), plaintext, out)
    }

    /// Checks the tag of `envelope` and appends its plaintext to `out`.
    pub(crate) fn open_into(
        &self,
        envelope: &Envelope<'_>,
        context: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let aad = Aad::new(envelope.header, context);
        self.key.open_into(
            self.nonce(envelope.counter),
            aad.as_slice(),
            envelope.body,
            out,
        )
    }

    /// A copy of the raw field key: the one way a session key leaves core,
    /// for `crate::hazmat` only.
    #[cfg(feature = "hazmat")]
    pub(crate) fn raw_key_copy(&self) -> Zeroizing<[u8; 32]> {
        self.raw_key.clone()
    }
}
