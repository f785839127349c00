//! The API contract of issue 12: sealed values readable without a key,
//! keysets built and rotated in core, caller buffers, text-by-default naming.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::format::{TEXT_PREFIX, sealed_len};
use enseal::{Context, Error, ErrorCode, KeyPair, Keyring, Keyset, Opener, Sealed, Sealer, Suite};

fn pair(suite: Suite) -> (KeyPair, Sealer, Opener) {
    let key = KeyPair::generate(suite).unwrap();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let opener = Opener::new(Keyring::from_iter([key.clone()]));
    (key, sealer, opener)
}

#[test]
fn a_sealed_value_tells_its_key_and_session_without_a_key() {
    for suite in Suite::ALL {
        let (key, sealer, opener) = pair(suite);
        let first = sealer.seal(b"123-45-6789", "patients/1/ssn").unwrap();
        let second = sealer.seal(b"E11.9", "patients/1/dx").unwrap();
        let (a, b) = (
            Sealed::parse(&first).unwrap(),
            Sealed::parse(&second).unwrap(),
        );
        assert_eq!(a.version(), 1);
        assert_eq!(a.suite(), suite);
        assert_eq!(a.kid(), key.kid());
        assert_eq!((a.counter(), b.counter()), (0, 1));
        assert_eq!(a.session_id(), b.session_id());
        assert_eq!(a.session_id().to_string().len(), 22);
        assert_eq!(a.plaintext_len(), 11);
        assert_eq!(a.binary_len(), sealed_len(suite, 11));
        assert_eq!(a.text_len(), first.len());
        assert_eq!(a.to_text(), first);
        assert_eq!(a.to_string(), first);
        assert_eq!(a.enc().len(), suite.enc_len());
        assert_eq!(Sealed::from_binary(a.to_binary()).unwrap(), a);
        // Opening takes the parsed value as it takes the text.
        assert_eq!(
            opener.open(&a, "patients/1/ssn").unwrap().as_slice(),
            b"123-45-6789"
        );
        assert_eq!(
            opener.open(&first, "patients/1/ssn").unwrap().as_slice(),
            b"123-45-6789"
        );
        // A fresh session has a different id.
        sealer.rekey().unwrap();
        let third = Sealed::parse(&sealer.seal(b"x", "c").unwrap()).unwrap();
        assert_ne!(third.session_id(), a.session_id());
        assert_eq!(third.counter(), 0);
        // Debug shows the header's fields, never the bytes (ciphertext or enc).
        assert_eq!(
            format!("{a:?}"),
            format!(
                "Sealed {{ suite: {suite:?}, kid: {:?}, session_id: {:?}, counter: 0, plaintext_len: 11 }}",
                key.kid(),
                a.session_id()
            )
        );
    }
}

#[test]
fn parsing_refuses_what_opening_would_refuse_before_the_key() {
    let (_, sealer, _) = pair(Suite::X25519);
    let text = sealer.seal(b"v", "c").unwrap();
    let binary = Sealed::parse(&text).unwrap().into_binary();
    assert_eq!(Sealed::parse("plain").unwrap_err(), Error::BadPrefix);
    assert_eq!(
        Sealed::parse(&format!("{TEXT_PREFIX}a=")).unwrap_err(),
        Error::BadEncoding
    );
    assert_eq!(
        Sealed::from_binary(&binary[..20]).unwrap_err(),
        Error::Truncated
    );
    let mut other_version = binary.clone();
    other_version[0] = 2;
    assert_eq!(
        Sealed::from_binary(other_version).unwrap_err(),
        Error::UnsupportedVersion(2)
    );
    let mut other_suite = binary;
    other_suite[1..3].copy_from_slice(&[0x00, 0x11]);
    assert_eq!(
        Sealed::from_binary(other_suite).unwrap_err(),
        Error::UnsupportedSuite(0x11)
    );
    assert!("enseal1.AQ".parse::<Sealed>().is_err());
}

#[test]
fn text_is_the_default_form_and_binary_is_named() {
    let (_, sealer, opener) = pair(Suite::P256);
    let text = sealer.seal(b"card", "cards/9/pan").unwrap();
    assert!(text.starts_with(TEXT_PREFIX));
    let binary = sealer.seal_binary(b"card", "cards/9/pan").unwrap();
    assert_eq!(binary.len(), sealer.sealed_len(4));
    assert_eq!(
        opener
            .open_binary(&binary, "cards/9/pan")
            .unwrap()
            .as_slice(),
        b"card"
    );
    assert_eq!(
        opener.open_string(&text, "cards/9/pan").unwrap().as_str(),
        "card"
    );
    let not_utf8 = sealer.seal(&[0xff, 0xfe], "c").unwrap();
    assert_eq!(
        opener.open_string(&not_utf8, "c").unwrap_err(),
        Error::InvalidArgument("opened value is not UTF-8")
    );
    // Byte contexts go through `Context::bytes`, and are the same bytes as text.
    let from_bytes = opener.open(&text, Context::bytes(b"cards/9/pan")).unwrap();
    assert_eq!(from_bytes.as_slice(), b"card");
}

#[test]
fn caller_buffers_report_the_length_needed_and_change_nothing() {
    let (_, sealer, opener) = pair(Suite::X25519);
    let needed = sealer.sealed_len(5);
    let mut small = vec![0xaa; needed - 1];
    assert_eq!(
        sealer
            .seal_binary_to(b"12345", "c", &mut small)
            .unwrap_err(),
        Error::BufferTooSmall { needed }
    );
    assert!(small.iter().all(|&b| b == 0xaa));
    let mut buffer = vec![0u8; needed + 10];
    assert_eq!(
        sealer.seal_binary_to(b"12345", "c", &mut buffer).unwrap(),
        needed
    );
    let sealed = buffer[..needed].to_vec();
    // The too-small attempt used no counter value: this is the session's first field.
    assert_eq!(Sealed::from_binary(sealed.clone()).unwrap().counter(), 0);

    let mut out = [0x55u8; 4];
    assert_eq!(
        opener.open_binary_to(&sealed, "c", &mut out).unwrap_err(),
        Error::BufferTooSmall { needed: 5 }
    );
    assert_eq!(out, [0x55; 4]);
    let mut out = [0x55u8; 8];
    assert_eq!(
        opener
            .open_binary_to(&sealed, "wrong", &mut out)
            .unwrap_err(),
        Error::DecryptFailed
    );
    assert_eq!(out, [0x55; 8]);
    assert_eq!(opener.open_binary_to(&sealed, "c", &mut out).unwrap(), 5);
    assert_eq!(&out[..5], b"12345");
    assert_eq!(ErrorCode::BufferTooSmall.as_u16(), 4);
}

#[test]
fn keysets_are_built_and_rotated_in_core() {
    let (old, new) = (
        KeyPair::generate(Suite::X25519).unwrap(),
        KeyPair::generate(Suite::P256).unwrap(),
    );
    let mut keyset = Keyset::from_public_key(old.public_key(), Some(100), None).unwrap();
    assert_eq!(keyset.primary_kid(), old.kid());
    keyset
        .add(new.public_key(), Some(200), Some(4_000_000_000))
        .unwrap();
    assert_eq!(keyset.len(), 2);
    assert_eq!(
        keyset.add(new.public_key(), None, None).unwrap_err().code(),
        ErrorCode::InvalidKeyset
    );
    // The primary cannot be retired; after a promotion the old key can.
    assert_eq!(
        keyset.retire(&old.kid()).unwrap_err().code(),
        ErrorCode::InvalidKeyset
    );
    keyset.promote(&new.kid()).unwrap();
    let round_trip = Keyset::from_json(&keyset.to_json()).unwrap();
    assert_eq!(round_trip, keyset);
    let sealed = Sealer::from_keyset(&round_trip)
        .unwrap()
        .seal(b"v", "c")
        .unwrap();
    assert_eq!(Sealed::parse(&sealed).unwrap().kid(), new.kid());
    keyset.retire(&old.kid()).unwrap();
    assert_eq!(keyset.len(), 1);
    assert!(keyset.get(&old.kid()).is_none());
    assert_eq!(
        keyset.retire(&old.kid()).unwrap_err().code(),
        ErrorCode::InvalidKeyset
    );
    // Dates: `created: None` is now; not_after must follow created.
    let now = Keyset::from_public_key(old.public_key(), None, None).unwrap();
    assert!(now.primary().created() > 1_700_000_000);
    assert!(Keyset::from_public_key(old.public_key(), Some(10), Some(10)).is_err());
}

#[test]
fn a_bad_keyset_entry_keeps_its_inner_error() {
    use std::error::Error as _;
    let doc =
        r#"{"primary": "AAAAAAAAAAA", "keys": [{"kty": "OKP", "crv": "X25519", "x": "AAAA"}]}"#;
    let error = Keyset::from_json(doc).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidKeyset);
    assert!(error.to_string().contains("keys[0]"), "{error}");
    let inner = error
        .source()
        .and_then(|s| s.downcast_ref::<Error>())
        .map(Error::code);
    assert_eq!(inner, Some(ErrorCode::InvalidKey));
}
