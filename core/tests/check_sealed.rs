//! `Keyset::check_sealed`: what a service holding no private key can check of
//! a field before it stores it. Sealed to a key of the keyset passes (primary
//! or not); a clear value, another key, a cut or re-encoded value fail, each
//! with its own code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{ErrorCode, KeyPair, Keyset, Sealer, Suite};

fn keyset_of(keys: &[&KeyPair]) -> Keyset {
    let mut keyset = Keyset::from_public_key(keys[0].public_key(), None, None).unwrap();
    for key in &keys[1..] {
        keyset.add(key.public_key(), None, None).unwrap();
    }
    keyset
}

#[test]
fn a_field_sealed_to_any_key_of_the_keyset_passes() {
    let primary = KeyPair::generate(Suite::X25519).unwrap();
    let older = KeyPair::generate(Suite::P256).unwrap();
    let keyset = keyset_of(&[&primary, &older]);
    for key in [&primary, &older] {
        let text = Sealer::new(key.public_key())
            .unwrap()
            .seal(b"078-05-1120", "/ssn")
            .unwrap();
        let sealed = keyset.check_sealed(&text).unwrap();
        assert_eq!(sealed.kid(), key.kid());
        assert_eq!(sealed.to_text(), text);
    }
}

#[test]
fn each_refusal_has_its_code() {
    let ours = KeyPair::generate(Suite::X25519).unwrap();
    let theirs = KeyPair::generate(Suite::X25519).unwrap();
    let keyset = keyset_of(&[&ours]);
    let good = Sealer::new(ours.public_key())
        .unwrap()
        .seal(b"078-05-1120", "/ssn")
        .unwrap();
    let to_theirs = Sealer::new(theirs.public_key())
        .unwrap()
        .seal(b"078-05-1120", "/ssn")
        .unwrap();
    let cases = [
        ("078-05-1120".to_string(), ErrorCode::BadPrefix),
        (to_theirs, ErrorCode::UnknownKey),
        (good[..40].to_string(), ErrorCode::Truncated),
        (format!("{good}="), ErrorCode::BadEncoding),
        (good.replacen('.', ".+", 1), ErrorCode::BadEncoding),
        (String::new(), ErrorCode::BadPrefix),
    ];
    for (text, code) in cases {
        let error = keyset.check_sealed(&text).unwrap_err();
        assert_eq!(error.code(), code, "{text:?}");
        // The message names what is wrong, never the value.
        assert!(!error.to_string().contains("078-05-1120"));
    }
}

#[test]
fn a_key_past_its_not_after_is_refused_with_key_expired() {
    use enseal::KeysetEntry;
    const CREATED: u64 = 1_700_000_000;
    const NOT_AFTER: u64 = 1_700_086_400;
    let retiring = KeyPair::generate(Suite::X25519).unwrap();
    let current = KeyPair::generate(Suite::X25519).unwrap();
    let mut keyset =
        Keyset::new(KeysetEntry::new(current.public_key().clone(), CREATED, None).unwrap());
    keyset
        .add_entry(
            KeysetEntry::new(retiring.public_key().clone(), CREATED, Some(NOT_AFTER)).unwrap(),
        )
        .unwrap();
    let text = Sealer::new(retiring.public_key())
        .unwrap()
        .seal(b"078-05-1120", "/ssn")
        .unwrap();
    // Through its last second, then not.
    assert!(keyset.check_sealed_at(&text, NOT_AFTER).is_ok());
    let error = keyset.check_sealed_at(&text, NOT_AFTER + 1).unwrap_err();
    assert_eq!(error.code(), ErrorCode::KeyExpired);
    assert!(error.to_string().contains(&retiring.kid().to_string()));
    // The system clock is past 2023-11-15 (NOT_AFTER).
    assert_eq!(
        keyset.check_sealed(&text).unwrap_err().code(),
        ErrorCode::KeyExpired
    );
    let fresh = Sealer::new(current.public_key())
        .unwrap()
        .seal(b"x", "/ssn")
        .unwrap();
    assert!(
        keyset.check_sealed_at(&fresh, u64::MAX).is_ok(),
        "no not_after: never expires"
    );
}
