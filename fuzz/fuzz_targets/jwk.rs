#![no_main]
//! JWK text (docs/FORMAT.md §6) into `PublicKey::from_jwk` and `KeyPair::from_jwk`.
//!
//! Checks: a refusal is `INVALID_KEY` or `UNSUPPORTED_SUITE`. A key that
//! parses round-trips: `from_jwk(to_jwk(k)) == k` and `to_jwk` is then a
//! fixed point; its kid is the §2 key id of its bytes and `from_bytes` of
//! those bytes gives it back. A key pair round-trips the same way (same
//! private bytes, same public key), its `to_jwk` also reads as its public
//! key, and its `Debug` never shows the private member. When the text reads
//! both as a public key and as a key pair, they are the same public key.

use enseal::{ErrorCode, KeyId, KeyPair, PublicKey};
use libfuzzer_sys::fuzz_target;

fn check_public(key: &PublicKey) {
    let jwk = key.to_jwk();
    let again = PublicKey::from_jwk(&jwk).unwrap();
    assert_eq!(again, *key);
    assert_eq!(again.kid(), key.kid());
    assert_eq!(again.to_jwk(), jwk);
    assert_eq!(key.kid(), KeyId::compute(key.suite(), key.as_bytes()));
    assert_eq!(
        PublicKey::from_bytes(key.suite(), key.as_bytes()).unwrap(),
        *key
    );
}

fn check_pair(pair: &KeyPair) {
    check_public(pair.public_key());
    let jwk = pair.to_jwk();
    let again = KeyPair::from_jwk(&jwk).unwrap();
    assert_eq!(again.private_bytes(), pair.private_bytes());
    assert_eq!(again.public_key(), pair.public_key());
    assert_eq!(again.to_jwk(), jwk);
    assert_eq!(PublicKey::from_jwk(&jwk).unwrap(), *pair.public_key());
    let from_bytes = KeyPair::from_private_bytes(pair.suite(), &pair.private_bytes()).unwrap();
    assert_eq!(from_bytes.public_key(), pair.public_key());
    let doc: serde_json::Value = serde_json::from_str(&jwk).unwrap();
    let secret = doc
        .get("d")
        .or_else(|| doc.get("priv"))
        .and_then(|v| v.as_str())
        .unwrap();
    assert!(
        !format!("{pair:?}").contains(secret),
        "Debug shows the private key"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let allowed = |e: &enseal::Error| {
        matches!(
            e.code(),
            ErrorCode::InvalidKey | ErrorCode::UnsupportedSuite
        )
    };
    let public = PublicKey::from_jwk(text);
    let pair = KeyPair::from_jwk(text);
    match &public {
        Ok(key) => check_public(key),
        Err(e) => assert!(allowed(e), "PublicKey::from_jwk: {e:?}"),
    }
    match &pair {
        Ok(pair) => check_pair(pair),
        Err(e) => assert!(allowed(e), "KeyPair::from_jwk: {e:?}"),
    }
    if let (Ok(public), Ok(pair)) = (&public, &pair) {
        assert_eq!(public, pair.public_key());
    }
});
