#![no_main]
//! Private keyring documents (`{"keys": [private JWK, ...]}`, docs/FORMAT.md
//! §6) into `Keyring::from_jwks`.
//!
//! Checks: a refusal is `INVALID_KEYSET`. A keyring that parses holds each
//! key under its own kid; `to_jwks` parses back to a keyring with the same
//! kids and the same private keys, and `to_jwks` is then a fixed point;
//! every key round-trips through its own JWK; `Debug` shows no private key.

use enseal::{ErrorCode, KeyPair, Keyring};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ring = match Keyring::from_jwks(text) {
        Ok(ring) => ring,
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::InvalidKeyset, "{e:?}");
            return;
        }
    };
    let kids: Vec<_> = ring.kids().collect();
    assert_eq!(kids.len(), ring.len());
    assert_eq!(ring.is_empty(), kids.is_empty());
    assert!(
        kids.windows(2).all(|w| w[0] < w[1]),
        "kids not sorted and unique"
    );
    let jwks = ring.to_jwks();
    let doc: serde_json::Value = serde_json::from_str(&jwks).unwrap();
    let debug = format!("{ring:?}");
    for jwk in doc["keys"].as_array().unwrap() {
        let secret = jwk
            .get("d")
            .or_else(|| jwk.get("priv"))
            .and_then(|v| v.as_str())
            .unwrap();
        assert!(!debug.contains(secret), "Debug shows a private key");
    }
    let again = Keyring::from_jwks(&jwks).unwrap_or_else(|e| panic!("to_jwks does not parse: {e}"));
    assert_eq!(again.kids().collect::<Vec<_>>(), kids);
    for kid in &kids {
        let pair = ring.get(kid).unwrap();
        assert_eq!(pair.kid(), *kid);
        let other = again.get(kid).unwrap();
        assert_eq!(other.private_bytes(), pair.private_bytes());
        assert_eq!(other.public_key(), pair.public_key());
        let single = KeyPair::from_jwk(&pair.to_jwk()).unwrap();
        assert_eq!(single.private_bytes(), pair.private_bytes());
    }
    assert_eq!(*again.to_jwks(), *jwks);
});
