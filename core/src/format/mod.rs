//! The wire format, byte by byte (docs/FORMAT.md): the constants of the HPKE
//! setup, the binary layout of a sealed field
//! `version(1) || kem_id(2) || kid(8) || enc(Nenc) || counter(8) || ciphertext || tag(16)`,
//! its AAD (`header || context`), nonces and limits, and the text prefix.
//! Everything that decides what bytes enseal writes is here.

use crate::{Error, KeyId, Result, Suite};

pub(crate) mod constants;
pub use constants::{
    EXPORT_CONTEXT, HPKE_INFO, KID_LABEL, MAX_PLAINTEXT_LEN, TAG_LEN, TEXT_PREFIX, VERSION,
};

pub(crate) const KID_LEN: usize = 8;
/// Where `enc` starts: after version, KEM id and key id.
pub(crate) const ENC_OFFSET: usize = 1 + 2 + KID_LEN;
const COUNTER_LEN: usize = 8;
const FIXED_HEADER_LEN: usize = 1 + 2 + KID_LEN + COUNTER_LEN;

/// Bytes of the header for `suite` (everything before the ciphertext).
pub const fn header_len(suite: Suite) -> usize {
    FIXED_HEADER_LEN + suite.enc_len()
}

/// Bytes of a binary sealed field holding `plaintext_len` bytes.
pub const fn sealed_len(suite: Suite, plaintext_len: usize) -> usize {
    header_len(suite) + plaintext_len + TAG_LEN
}

/// The largest binary sealed field of any suite.
pub(crate) const MAX_SEALED_LEN: usize = sealed_len(Suite::XWing, MAX_PLAINTEXT_LEN);

/// A binary sealed field split into its parts. Nothing is authenticated yet.
#[derive(Clone, Copy)]
pub(crate) struct Envelope<'a> {
    pub(crate) suite: Suite,
    pub(crate) kid: KeyId,
    pub(crate) enc: &'a [u8],
    pub(crate) counter: u64,
    /// The whole header, which is also the start of the AAD.
    pub(crate) header: &'a [u8],
    /// `ciphertext || tag`.
    pub(crate) body: &'a [u8],
}

/// Splits `sealed` into its parts, checking every length.
pub(crate) fn parse(sealed: &[u8]) -> Result<Envelope<'_>> {
    let (&version, rest) = sealed.split_first().ok_or(Error::Truncated)?;
    if version != VERSION {
        return Err(Error::UnsupportedVersion(version));
    }
    let (kem_id, rest) = rest.split_first_chunk::<2>().ok_or(Error::Truncated)?;
    let suite = Suite::from_kem_id(u16::from_be_bytes(*kem_id))?;
    if sealed.len() > sealed_len(suite, MAX_PLAINTEXT_LEN) {
        return Err(Error::TooLarge);
    }
    if sealed.len() < sealed_len(suite, 0) {
        return Err(Error::Truncated);
    }
    let (kid, rest) = rest
        .split_first_chunk::<KID_LEN>()
        .ok_or(Error::Truncated)?;
    let (enc, rest) = rest
        .split_at_checked(suite.enc_len())
        .ok_or(Error::Truncated)?;
    let (counter, body) = rest
        .split_first_chunk::<COUNTER_LEN>()
        .ok_or(Error::Truncated)?;
    let (header, _) = sealed
        .split_at_checked(header_len(suite))
        .ok_or(Error::Truncated)?;
    Ok(Envelope {
        suite,
        kid: KeyId::from_bytes(*kid),
        enc,
        counter: u64::from_be_bytes(*counter),
        header,
        body,
    })
}

impl<'a> Envelope<'a> {
    /// What a session is known by: `version || kem_id || kid || enc`, the
    /// header without its counter.
    pub(crate) fn session_id(&self) -> &'a [u8] {
        let (prefix, _) = self.header.split_at(self.header.len() - COUNTER_LEN);
        prefix
    }

    /// Bytes of plaintext the field holds.
    pub(crate) fn plaintext_len(&self) -> usize {
        self.body.len() - TAG_LEN
    }
}

/// The header up to, not including, the counter: fixed for a whole session.
pub(crate) fn session_prefix(suite: Suite, kid: &KeyId, enc: &[u8]) -> Vec<u8> {
    let mut prefix = Vec::with_capacity(header_len(suite) - COUNTER_LEN);
    prefix.push(VERSION);
    prefix.extend_from_slice(&suite.kem_id().to_be_bytes());
    prefix.extend_from_slice(kid.as_bytes());
    prefix.extend_from_slice(enc);
    prefix
}

/// `base_nonce XOR I2OSP(counter, 12)`, as RFC 9180 §5.2 computes nonces.
pub(crate) fn field_nonce(base_nonce: &[u8; 12], counter: u64) -> [u8; 12] {
    let mut nonce = *base_nonce;
    for (n, c) in nonce.iter_mut().skip(4).zip(counter.to_be_bytes()) {
        *n ^= c;
    }
    nonce
}

/// `aad = header || context`. Short AADs live on the stack, so the common
/// case costs no allocation per field.
pub(crate) enum Aad {
    Stack([u8; Aad::STACK], usize),
    Heap(Vec<u8>),
}

impl Aad {
    // Covers an X25519 or P-256 header with a context of 44 bytes or more.
    const STACK: usize = 128;

    pub(crate) fn new(header: &[u8], context: &[u8]) -> Aad {
        let total = header.len() + context.len();
        if total <= Aad::STACK {
            let mut buf = [0u8; Aad::STACK];
            let (h, rest) = buf.split_at_mut(header.len());
            h.copy_from_slice(header);
            rest[..context.len()].copy_from_slice(context);
            Aad::Stack(buf, total)
        } else {
            let mut aad = Vec::with_capacity(total);
            aad.extend_from_slice(header);
            aad.extend_from_slice(context);
            Aad::Heap(aad)
        }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Aad::Stack(buf, len) => &buf[..*len],
            Aad::Heap(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_is_xor_of_big_endian_counter() {
        let base = [0xffu8; 12];
        let n = field_nonce(&base, 0x0102_0304_0506_0708);
        assert_eq!(
            n,
            [
                0xff, 0xff, 0xff, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7
            ]
        );
        assert_eq!(field_nonce(&base, 0), base);
    }

    #[test]
    fn overheads() {
        assert_eq!(sealed_len(Suite::X25519, 0), 67);
        assert_eq!(sealed_len(Suite::P256, 0), 100);
        assert_eq!(sealed_len(Suite::XWing, 0), 1155);
    }

    #[test]
    fn parse_rejects_every_short_length_without_panicking() {
        let mut v = vec![VERSION, 0x00, 0x20];
        v.resize(sealed_len(Suite::X25519, 0), 0);
        assert!(parse(&v).is_ok());
        for len in 0..v.len() {
            assert_eq!(parse(&v[..len]).err(), Some(Error::Truncated), "len {len}");
        }
    }
}
