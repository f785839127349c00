// Each target uses part of this module.
#![allow(dead_code)]

use enseal::{KeyPair, Keyring, Opener, Sealer, Suite};
use std::sync::LazyLock;

/// An opener holding one key per suite, and a valid sealed value per suite
/// for the fuzzer to start mutating from.
pub struct Fixture {
    pub opener: Opener,
    pub seeds: Vec<Vec<u8>>,
    /// Seals to the opener's X25519 key.
    pub sealer: Sealer,
}

pub static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let pairs: Vec<KeyPair> = Suite::ALL
        .iter()
        .map(|s| KeyPair::generate(*s).unwrap())
        .collect();
    let seeds = pairs
        .iter()
        .map(|p| {
            Sealer::new(p.public_key())
                .unwrap()
                .seal_binary(b"123-45-6789", "ctx")
                .unwrap()
        })
        .collect();
    let sealer = Sealer::new(pairs[0].public_key()).unwrap();
    Fixture {
        opener: Opener::new(Keyring::from_iter(pairs)),
        seeds,
        sealer,
    }
});

/// One positive case of tests/vectors/enseal-v1.json.
pub struct Field {
    pub context: Vec<u8>,
    pub plaintext: Vec<u8>,
    pub sealed: Vec<u8>,
}

/// One suite of the known-answer vectors: the recipient key pair (published
/// test keys), the session its cases were sealed in, and those cases.
pub struct VectorSuite {
    pub suite: Suite,
    pub pair: KeyPair,
    /// `version || kem_id || kid || enc`: what the opener's cache knows the session by.
    pub session_prefix: Vec<u8>,
    pub enc: Vec<u8>,
    pub fields: Vec<Field>,
}

/// The known-answer vectors, one entry per suite in `Suite::ALL` order.
pub static VECTORS: LazyLock<Vec<VectorSuite>> = LazyLock::new(|| {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/vectors/enseal-v1.json")).unwrap();
    let hex_of = |v: &serde_json::Value, name: &str| hex(v[name].as_str().unwrap());
    let suites: Vec<VectorSuite> = doc["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let suite = Suite::from_name(s["suite"].as_str().unwrap()).unwrap();
            let pair = KeyPair::from_private_bytes(suite, &hex_of(s, "private_key")).unwrap();
            let enc = hex_of(s, "enc_hex");
            let mut session_prefix = vec![enseal::format::VERSION];
            session_prefix.extend_from_slice(&suite.kem_id().to_be_bytes());
            session_prefix.extend_from_slice(pair.kid().as_bytes());
            session_prefix.extend_from_slice(&enc);
            let fields = s["positive"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| Field {
                    context: hex_of(p, "context_hex"),
                    plaintext: hex_of(p, "plaintext_hex"),
                    sealed: hex_of(p, "sealed_hex"),
                })
                // The suite's one session; cases sealed in sessions of their
                // own (X-Wing's zero-point `enc`) are not part of this model.
                .filter(|f: &Field| f.sealed.starts_with(&session_prefix))
                .collect();
            VectorSuite {
                suite,
                pair,
                session_prefix,
                enc,
                fields,
            }
        })
        .collect();
    assert_eq!(
        suites.iter().map(|s| s.suite).collect::<Vec<_>>(),
        Suite::ALL
    );
    suites
});

/// The distinct contexts of the positive cases, in order of first appearance.
pub fn vector_contexts() -> Vec<Vec<u8>> {
    let mut contexts: Vec<Vec<u8>> = Vec::new();
    for field in VECTORS.iter().flat_map(|s| &s.fields) {
        if !contexts.contains(&field.context) {
            contexts.push(field.context.clone());
        }
    }
    contexts
}

/// A keyring of the three vector key pairs.
pub fn vector_keyring() -> Keyring {
    Keyring::from_iter(VECTORS.iter().map(|s| s.pair.clone()))
}

pub fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// What steps 1–3 of opening (docs/FORMAT.md §4) say about `sealed`, worked
/// out from the spec alone: the error they end with, or `None` when they pass.
pub fn header_error(sealed: &[u8]) -> Option<enseal::ErrorCode> {
    use enseal::ErrorCode::{TooLarge, Truncated, UnsupportedSuite, UnsupportedVersion};
    let Some(&version) = sealed.first() else {
        return Some(Truncated);
    };
    if version != enseal::format::VERSION {
        return Some(UnsupportedVersion);
    }
    let Some(kem_id) = sealed.get(1..3) else {
        return Some(Truncated);
    };
    let Ok(suite) = Suite::from_kem_id(u16::from_be_bytes([kem_id[0], kem_id[1]])) else {
        return Some(UnsupportedSuite);
    };
    if sealed.len() > enseal::format::sealed_len(suite, enseal::format::MAX_PLAINTEXT_LEN) {
        return Some(TooLarge);
    }
    if sealed.len() < enseal::format::sealed_len(suite, 0) {
        return Some(Truncated);
    }
    None
}
