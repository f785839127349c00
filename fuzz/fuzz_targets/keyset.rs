#![no_main]
//! Public keyset documents (docs/FORMAT.md §6) into `Keyset::from_json`.
//!
//! Checks: a refusal is `INVALID_KEYSET`. A keyset that parses keeps the
//! rules §6 states (kids unique, the primary among the keys, `not_after`
//! after `created`), its `to_json` is valid JSON that parses back to an equal
//! keyset, and `to_json` is then a fixed point; every key round-trips
//! through its own JWK.

use enseal::{ErrorCode, Keyset, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let keyset = match Keyset::from_json(text) {
        Ok(keyset) => keyset,
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::InvalidKeyset, "{e:?}");
            return;
        }
    };
    let entries = keyset.entries();
    assert!(!entries.is_empty());
    let primary = keyset.primary().key().kid();
    assert!(entries.iter().any(|e| e.key().kid() == primary));
    for (i, entry) in entries.iter().enumerate() {
        assert!(
            entries[..i]
                .iter()
                .all(|e| e.key().kid() != entry.key().kid()),
            "duplicate kid"
        );
        assert!(entry.not_after().is_none_or(|end| end > entry.created()));
        assert_eq!(keyset.get(&entry.key().kid()), Some(entry));
        assert_eq!(
            PublicKey::from_jwk(&entry.key().to_jwk()).unwrap(),
            *entry.key()
        );
    }
    let json = keyset.to_json();
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "to_json is not JSON: {json}"
    );
    let again =
        Keyset::from_json(&json).unwrap_or_else(|e| panic!("to_json does not parse: {e}\n{json}"));
    assert_eq!(again, keyset);
    assert_eq!(again.primary().key().kid(), primary);
    assert_eq!(again.to_json(), json);
});
