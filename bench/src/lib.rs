//! Benchmarks live in `benches/` and `examples/`; this holds what they share.

use ring::aead::{Aad, LessSafeKey, Nonce};

/// Raw ring AES-256-GCM with enseal's contract: borrowed plaintext in, a new
/// `ciphertext || tag` buffer out (ring only seals in place, so it copies first).
pub fn ring_seal_owned(
    key: &LessSafeKey,
    nonce: [u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(plaintext.len() + 16);
    out.extend_from_slice(plaintext);
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut out,
        )
        .unwrap_or_else(|_| unreachable!("ring refused to seal a benchmark input"));
    out.extend_from_slice(tag.as_ref());
    out
}
