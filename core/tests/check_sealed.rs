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
