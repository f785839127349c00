#![no_main]
//! HPKE decapsulation of untrusted `enc` values, for every suite.
//!
//! Input `selector || bytes`: `selector % 3` picks the suite; `bytes`, cut
//! or padded (with the real `enc`'s own tail) to the suite's `Nenc`, replace
//! the `enc` of that suite's "ssn" known-answer field, which otherwise stays
//! valid (version, kem_id, the kid of a key in the keyring, counter,
//! ciphertext, tag). The opener caches nothing, so every input costs one
//! decapsulation: this target is slow by nature (X-Wing most of all).
//!
//! Checks: the field opens, to its plaintext, exactly when `enc` is the real
//! one; any other `enc` (off-curve or non-canonical P-256 points, low-order
//! X25519 points, malformed ML-KEM ciphertexts) is `DECRYPT_FAILED`, never a
//! panic, another code, or plaintext.

mod common;
use common::VECTORS;
use enseal::{ErrorCode, Opener};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static OPENER: LazyLock<Opener> =
    LazyLock::new(|| Opener::with_cache_capacity(common::vector_keyring(), 0));

fuzz_target!(|data: &[u8]| {
    let opener = &*OPENER;
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let v = &VECTORS[usize::from(selector) % VECTORS.len()];
    let field = &v.fields[2];
    let n = v.enc.len();
    let mut enc = bytes[..bytes.len().min(n)].to_vec();
    enc.extend_from_slice(&v.enc[enc.len()..]);
    let mut sealed = field.sealed.clone();
    sealed[11..11 + n].copy_from_slice(&enc);

    match opener.open_binary(&sealed, enseal::Context::bytes(&field.context)) {
        Ok(plaintext) => {
            assert_eq!(enc, v.enc, "a forged enc opened");
            assert_eq!(*plaintext, field.plaintext);
        }
        Err(e) => {
            assert_ne!(enc, v.enc, "the real field failed: {e}");
            assert_eq!(e.code(), ErrorCode::DecryptFailed, "enc {enc:02x?}: {e}");
        }
    }
    assert_eq!(opener.cached_sessions(), 0);
});
