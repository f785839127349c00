#![no_main]
//! The binary reader and the cached-session open path, without decapsulation.
//!
//! At start-up an opener over the three known-answer key pairs opens every
//! positive vector once, so it caches the three vector sessions. Then input
//! `selector || rest` becomes a sealed field (`selector & 3` picks the suite,
//! `(selector >> 2) & 7` the context, bit 7 the layout):
//!
//! * bit 7 clear: `session_prefix(suite) || rest`, so `rest` is the body
//!   (counter || ciphertext || tag) of a cached session: every input reaches
//!   the cache lookup and the AES-GCM tag check;
//! * bit 7 set: `rest` as the whole field, except that when its header names
//!   one of the keyring's keys with that key's suite, the bytes where `enc` is
//!   are overwritten with the cached session's `enc`. Version, suite, kid,
//!   counter and every length stay free, and no input costs a decapsulation.
//!
//! Checks: the result is exactly what the spec says. Steps 1–3 of opening
//! fail with the code docs/FORMAT.md §4 gives (worked out independently in
//! `common::header_error`); a kid/suite not in the keyring is `UNKNOWN_KEY`;
//! otherwise the field opens if and only if it is one of the vectors with
//! its own context (giving its plaintext), and is `DECRYPT_FAILED` otherwise.
//! `open_into` leaves its buffer untouched on error; the cache never changes.

mod common;
use common::{VECTORS, header_error};
use enseal::{ErrorCode, Opener, Suite};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

struct Cached {
    opener: Opener,
    contexts: Vec<Vec<u8>>,
}

static CACHED: LazyLock<Cached> = LazyLock::new(|| {
    let opener = Opener::new(common::vector_keyring());
    for field in VECTORS.iter().flat_map(|s| &s.fields) {
        assert_eq!(
            *opener
                .open_binary(&field.sealed, enseal::Context::bytes(&field.context))
                .unwrap(),
            field.plaintext
        );
    }
    assert_eq!(opener.cached_sessions(), Suite::ALL.len());
    let mut contexts = common::vector_contexts();
    contexts.extend([b"".to_vec(), b"ctx".to_vec()]);
    Cached { opener, contexts }
});

const MARKER: [u8; 2] = [0xa5, 0x5a];

fuzz_target!(|data: &[u8]| {
    let c = &*CACHED;
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let vectors = &VECTORS[usize::from(selector & 3) % VECTORS.len()];
    let context = &c.contexts[usize::from((selector >> 2) & 7) % c.contexts.len()];
    let mut sealed;
    if selector & 0x80 == 0 {
        sealed = vectors.session_prefix.clone();
        sealed.extend_from_slice(rest);
    } else {
        sealed = rest.to_vec();
        let ours = sealed.get(1..11).and_then(|head| {
            VECTORS.iter().find(|v| {
                head[..2] == v.suite.kem_id().to_be_bytes()
                    && head[2..] == v.pair.kid().as_bytes()[..]
            })
        });
        if let Some(v) = ours {
            let end = sealed.len().min(v.session_prefix.len());
            sealed[11..end].copy_from_slice(&v.enc[..end - 11]);
        }
    }

    let mut out = MARKER.to_vec();
    let got = c
        .opener
        .open_binary_into(&sealed, enseal::Context::bytes(&context), &mut out)
        .map_err(|e| e.code());

    let expected = match header_error(&sealed) {
        Some(code) => Err(code),
        None => {
            let suite = Suite::from_kem_id(u16::from_be_bytes([sealed[1], sealed[2]])).unwrap();
            let v = VECTORS.iter().find(|v| v.suite == suite).unwrap();
            if sealed[3..11] != v.pair.kid().as_bytes()[..] {
                Err(ErrorCode::UnknownKey)
            } else {
                match v
                    .fields
                    .iter()
                    .find(|f| f.sealed == sealed && f.context == *context)
                {
                    Some(field) => Ok(field),
                    None => Err(ErrorCode::DecryptFailed),
                }
            }
        }
    };
    match (got, expected) {
        (Ok(()), Ok(field)) => {
            assert_eq!(out[..MARKER.len()], MARKER);
            assert_eq!(out[MARKER.len()..], field.plaintext[..]);
        }
        (Err(got), Err(expected)) => {
            assert_eq!(got, expected, "sealed {sealed:02x?}");
            assert_eq!(out, MARKER, "open_into wrote to its buffer on error");
        }
        (got, expected) => panic!(
            "open gave {got:?}, the spec says {:?}; sealed {sealed:02x?}",
            expected.map(|f| &f.plaintext)
        ),
    }
    assert_eq!(c.opener.cached_sessions(), Suite::ALL.len());
});
