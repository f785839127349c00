//! The public Rust API: keys, JWK, keysets, keyrings, sessions, caching, limits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::format::{MAX_PLAINTEXT_LEN, TEXT_PREFIX};
use enseal::{
    Error, ErrorCode, KeyId, KeyPair, Keyring, Keyset, KeysetEntry, Opener, PublicKey, Sealer,
    Suite, is_sealed,
};
use std::collections::HashSet;

fn opener_for(pairs: &[&KeyPair]) -> Opener {
    let mut ring = Keyring::new();
    for p in pairs {
        ring.add((*p).clone());
    }
    Opener::new(ring)
}

#[test]
fn every_suite_round_trips_binary_and_text() {
    for suite in Suite::ALL {
        let pair = KeyPair::generate(suite).unwrap();
        let sealer = Sealer::new(pair.public_key()).unwrap();
        let opener = opener_for(&[&pair]);
        let sealed = sealer
            .seal_binary(b"123-45-6789", "patients/8812/ssn")
            .unwrap();
        assert_eq!(sealed.len(), enseal::format::sealed_len(suite, 11));
        assert_eq!(
            opener
                .open_binary(&sealed, "patients/8812/ssn")
                .unwrap()
                .as_slice(),
            b"123-45-6789"
        );
        let text = sealer.seal(b"F32.1", "patients/8812/diagnosis").unwrap();
        assert!(text.starts_with(TEXT_PREFIX) && is_sealed(&text));
        assert_eq!(
            opener
                .open(&text, "patients/8812/diagnosis")
                .unwrap()
                .as_slice(),
            b"F32.1"
        );
        assert_eq!(
            opener.open(&text, "patients/8813/diagnosis").unwrap_err(),
            Error::DecryptFailed
        );
    }
}

#[test]
fn two_seals_of_the_same_value_differ() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    assert_ne!(
        sealer.seal_binary(b"x", "c").unwrap(),
        sealer.seal_binary(b"x", "c").unwrap()
    );
    let other = Sealer::new(pair.public_key()).unwrap();
    assert_ne!(
        sealer.seal_binary(b"x", "c").unwrap()[..51],
        other.seal_binary(b"x", "c").unwrap()[..51]
    );
}

#[test]
fn field_limit_rotates_sessions_and_everything_still_opens() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::with_field_limit(pair.public_key(), 3).unwrap();
    let opener = opener_for(&[&pair]);
    let mut sessions = HashSet::new();
    for i in 0..10u8 {
        let sealed = sealer.seal_binary(&[i], "ctx").unwrap();
        let counter = u64::from_be_bytes(sealed[43..51].try_into().unwrap());
        assert!(counter < 3);
        sessions.insert(sealed[11..43].to_vec());
        assert_eq!(opener.open_binary(&sealed, "ctx").unwrap().as_slice(), &[i]);
    }
    assert_eq!(sessions.len(), 4);
    assert_eq!(opener.cached_sessions(), 4);
    assert_eq!(
        Sealer::with_field_limit(pair.public_key(), 0)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert!(Sealer::with_field_limit(pair.public_key(), (1 << 32) + 1).is_err());
    sealer.rekey().unwrap();
    let after = sealer.seal_binary(b"y", "ctx").unwrap();
    assert!(!sessions.contains(&after[11..43]));
}

#[test]
fn opener_caches_one_session_and_evicts_oldest() {
    let pair = KeyPair::generate(Suite::P256).unwrap();
    let opener = Opener::with_cache_capacity(
        {
            let mut r = Keyring::new();
            r.add(pair.clone());
            r
        },
        2,
    );
    let sealers: Vec<Sealer> = (0..3)
        .map(|_| Sealer::new(pair.public_key()).unwrap())
        .collect();
    for _ in 0..5 {
        let sealed = sealers[0].seal_binary(b"v", "c").unwrap();
        opener.open_binary(&sealed, "c").unwrap();
    }
    assert_eq!(opener.cached_sessions(), 1);
    for s in &sealers {
        opener
            .open_binary(
                &s.seal_binary(b"v", enseal::Context::bytes(b"c")).unwrap(),
                "c",
            )
            .unwrap();
    }
    assert_eq!(opener.cached_sessions(), 2);
    // A forged value never enters the cache.
    let mut forged = sealers[0].seal_binary(b"v", "c").unwrap();
    forged[20] ^= 1;
    assert!(opener.open_binary(&forged, "c").is_err());
    let uncached = Opener::with_cache_capacity(Keyring::from_iter([pair.clone()]), 0);
    uncached
        .open_binary(
            &sealers[1]
                .seal_binary(b"v", enseal::Context::bytes(b"c"))
                .unwrap(),
            "c",
        )
        .unwrap();
    assert_eq!(uncached.cached_sessions(), 0);
}

#[test]
fn keyring_keeps_opening_after_rotation() {
    let old = KeyPair::generate(Suite::X25519).unwrap();
    let new = KeyPair::generate(Suite::XWing).unwrap();
    let old_value = Sealer::new(old.public_key())
        .unwrap()
        .seal(b"old", "c")
        .unwrap();
    let mut keyset =
        Keyset::new(KeysetEntry::new(old.public_key().clone(), 1_700_000_000, None).unwrap());
    keyset
        .add_entry(
            KeysetEntry::new(new.public_key().clone(), 1_760_000_000, Some(4_102_444_800)).unwrap(),
        )
        .unwrap();
    keyset.promote(&new.kid()).unwrap();
    let sealer = Sealer::from_keyset_with_clock(&keyset, || 1_800_000_000).unwrap();
    assert_eq!(sealer.recipient(), new.public_key());
    let new_value = sealer.seal(b"new", "c").unwrap();
    let opener = opener_for(&[&old, &new]);
    assert_eq!(opener.open(&old_value, "c").unwrap().as_slice(), b"old");
    assert_eq!(opener.open(&new_value, "c").unwrap().as_slice(), b"new");
    let only_old = opener_for(&[&old]);
    assert_eq!(
        only_old.open(&new_value, "c").unwrap_err(),
        Error::UnknownKey(new.kid())
    );
    // Past its not-after date the primary is refused.
    assert_eq!(
        Sealer::from_keyset_with_clock(&keyset, || 4_102_444_801).unwrap_err(),
        Error::KeyExpired(new.kid())
    );
    assert!(Sealer::from_keyset(&keyset).is_ok());
}

#[test]
fn keyset_json_round_trips_and_is_validated() {
    let a = KeyPair::generate(Suite::X25519).unwrap();
    let b = KeyPair::generate(Suite::P256).unwrap();
    let c = KeyPair::generate(Suite::XWing).unwrap();
    let mut keyset = Keyset::new(KeysetEntry::new(a.public_key().clone(), 10, Some(20)).unwrap());
    keyset
        .add_entry(KeysetEntry::new(b.public_key().clone(), 11, None).unwrap())
        .unwrap();
    keyset
        .add_entry(KeysetEntry::new(c.public_key().clone(), 12, None).unwrap())
        .unwrap();
    keyset.promote(&c.kid()).unwrap();
    let json = keyset.to_json();
    assert!(!json.contains("\"d\"") && !json.contains("\"priv\""));
    let parsed = Keyset::from_json(&json).unwrap();
    assert_eq!(parsed, keyset);
    assert_eq!(parsed.primary().key().kid(), c.kid());
    assert_eq!(parsed.get(&a.kid()).unwrap().not_after(), Some(20));

    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let bad = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut d = doc.clone();
        edit(&mut d);
        Keyset::from_json(&d.to_string()).unwrap_err().code()
    };
    assert_eq!(
        bad(&|d| d["primary"] = "AAAAAAAAAAA".into()),
        ErrorCode::InvalidKeyset
    );
    assert_eq!(
        bad(&|d| d["keys"][0]["kid"] = d["keys"][1]["kid"].clone()),
        ErrorCode::InvalidKeyset
    );
    assert_eq!(
        bad(&|d| d["keys"][1] = d["keys"][0].clone()),
        ErrorCode::InvalidKeyset
    );
    assert_eq!(
        bad(&|d| d["keys"][0]["not_after"] = 5.into()),
        ErrorCode::InvalidKeyset
    );
    assert_eq!(
        bad(&|d| d["keys"][0]["suite"] = "P-256".into()),
        ErrorCode::InvalidKeyset
    );
    assert_eq!(
        bad(&|d| {
            d["keys"][0].as_object_mut().unwrap().remove("created");
        }),
        ErrorCode::InvalidKeyset
    );
    assert_eq!(
        bad(&|d| {
            d["keys"][0].as_object_mut().unwrap().remove("kid");
        }),
        ErrorCode::InvalidKeyset
    );
    assert_eq!(
        Keyset::from_json("[]").unwrap_err().code(),
        ErrorCode::InvalidKeyset
    );
    let mut dup = keyset.clone();
    assert!(
        dup.add_entry(KeysetEntry::new(a.public_key().clone(), 1, None).unwrap())
            .is_err()
    );
    assert!(dup.promote(&KeyId::from_bytes([0; 8])).is_err());
    assert!(KeysetEntry::new(a.public_key().clone(), 10, Some(10)).is_err());
}

#[test]
fn jwk_round_trips_for_every_suite() {
    for suite in Suite::ALL {
        let pair = KeyPair::generate(suite).unwrap();
        let public_jwk = pair.public_key().to_jwk();
        let public = PublicKey::from_jwk(&public_jwk).unwrap();
        assert_eq!(&public, pair.public_key());
        let private_jwk = pair.to_jwk();
        let back = KeyPair::from_jwk(&private_jwk).unwrap();
        assert_eq!(back.kid(), pair.kid());
        assert_eq!(back.private_bytes(), pair.private_bytes());
        // A private JWK also serves as a public one.
        assert_eq!(
            &PublicKey::from_jwk(&private_jwk).unwrap(),
            pair.public_key()
        );
        // Raw bytes too.
        assert_eq!(
            &PublicKey::from_bytes(suite, pair.public_key().as_bytes()).unwrap(),
            pair.public_key()
        );
        assert_eq!(
            KeyPair::from_private_bytes(suite, &pair.private_bytes())
                .unwrap()
                .kid(),
            pair.kid()
        );
        let shape: serde_json::Value = serde_json::from_str(&public_jwk).unwrap();
        match suite {
            Suite::X25519 => assert_eq!(
                (shape["kty"].as_str(), shape["crv"].as_str()),
                (Some("OKP"), Some("X25519"))
            ),
            Suite::P256 => assert_eq!(
                (shape["kty"].as_str(), shape["crv"].as_str()),
                (Some("EC"), Some("P-256"))
            ),
            _ => assert_eq!(
                (shape["kty"].as_str(), shape["alg"].as_str()),
                (Some("AKP"), Some("X-Wing"))
            ),
        }
        assert_eq!(shape["kid"].as_str().unwrap(), pair.kid().to_string());
    }
}

#[test]
fn bad_jwks_are_refused_with_invalid_key() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let other = KeyPair::generate(Suite::X25519).unwrap();
    let mut jwk: serde_json::Value = serde_json::from_str(&pair.to_jwk()).unwrap();
    let other_jwk: serde_json::Value = serde_json::from_str(&other.to_jwk()).unwrap();
    let code = |j: &serde_json::Value| KeyPair::from_jwk(&j.to_string()).unwrap_err().code();
    let mut mismatched = jwk.clone();
    mismatched["x"] = other_jwk["x"].clone();
    assert_eq!(code(&mismatched), ErrorCode::InvalidKey);
    let mut wrong_kid = jwk.clone();
    wrong_kid["kid"] = other_jwk["kid"].clone();
    assert_eq!(code(&wrong_kid), ErrorCode::InvalidKey);
    let mut sig = jwk.clone();
    sig["use"] = "sig".into();
    assert_eq!(code(&sig), ErrorCode::InvalidKey);
    let mut ed = jwk.clone();
    ed["crv"] = "Ed25519".into();
    assert_eq!(code(&ed), ErrorCode::InvalidKey);
    let mut rsa = jwk.clone();
    rsa["kty"] = "RSA".into();
    assert_eq!(code(&rsa), ErrorCode::InvalidKey);
    let mut short = jwk.clone();
    short["d"] = "AAAA".into();
    assert_eq!(code(&short), ErrorCode::InvalidKey);
    let mut padded = jwk.clone();
    padded["d"] = format!("{}=", jwk["d"].as_str().unwrap()).into();
    assert_eq!(code(&padded), ErrorCode::InvalidKey);
    jwk.as_object_mut().unwrap().remove("d");
    assert_eq!(code(&jwk), ErrorCode::InvalidKey);
    assert_eq!(
        KeyPair::from_jwk("not json").unwrap_err().code(),
        ErrorCode::InvalidKey
    );
    assert_eq!(
        PublicKey::from_bytes(Suite::P256, &[4; 65])
            .unwrap_err()
            .code(),
        ErrorCode::InvalidKey
    );
    assert_eq!(
        PublicKey::from_bytes(Suite::X25519, &[4; 31])
            .unwrap_err()
            .code(),
        ErrorCode::InvalidKey
    );
    assert_eq!(
        KeyPair::from_private_bytes(Suite::P256, &[0; 32])
            .unwrap_err()
            .code(),
        ErrorCode::InvalidKey
    );
    assert_eq!(
        KeyPair::from_private_bytes(Suite::P256, &[0xff; 32])
            .unwrap_err()
            .code(),
        ErrorCode::InvalidKey
    );
    assert_eq!(
        KeyPair::derive(Suite::X25519, &[1; 31]).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn null_members_refuse_the_key_and_name_the_member() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let public: serde_json::Value = serde_json::from_str(&pair.public_key().to_jwk()).unwrap();
    for member in ["kid", "use", "x", "d", "crv", "priv", "suite", "created"] {
        let mut jwk = public.clone();
        jwk[member] = serde_json::Value::Null;
        let err = PublicKey::from_jwk(&jwk.to_string()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{member}");
        assert!(err.to_string().contains(&format!("\"{member}\"")), "{err}");
    }
    let keyset = Keyset::new(KeysetEntry::new(pair.public_key().clone(), 1, Some(2)).unwrap());
    let mut doc: serde_json::Value = serde_json::from_str(&keyset.to_json()).unwrap();
    doc["keys"][0]["not_after"] = serde_json::Value::Null;
    let err = Keyset::from_json(&doc.to_string()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidKeyset);
    assert!(err.to_string().contains("keys[0]") && err.to_string().contains("not_after"));
}

#[test]
fn a_keyset_holding_private_keys_is_refused() {
    // An operator who publishes the keyring as the keyset is told, not obeyed.
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let xwing = KeyPair::generate(Suite::XWing).unwrap();
    for (key, member) in [(&pair, "d"), (&xwing, "priv")] {
        let keyset = Keyset::new(KeysetEntry::new(key.public_key().clone(), 1, None).unwrap());
        let mut doc: serde_json::Value = serde_json::from_str(&keyset.to_json()).unwrap();
        let private: serde_json::Value = serde_json::from_str(&key.to_jwk()).unwrap();
        doc["keys"][0][member] = private[member].clone();
        let err = Keyset::from_json(&doc.to_string()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKeyset);
        let message = err.to_string();
        assert!(
            message.contains("private") && message.contains(member),
            "{message}"
        );
        assert!(!message.contains(private[member].as_str().unwrap()));
    }
}

#[test]
fn low_order_x25519_keys_are_refused_in_every_form() {
    let mut order8 = [0u8; 32];
    order8.copy_from_slice(
        &hex::decode("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800").unwrap(),
    );
    let mut high_bit = [0u8; 32];
    high_bit[0] = 1;
    high_bit[31] = 0x80;
    for bad in [[0u8; 32], order8, high_bit] {
        assert_eq!(
            PublicKey::from_bytes(Suite::X25519, &bad)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidKey
        );
        let x = {
            use base64ct::Encoding;
            base64ct::Base64UrlUnpadded::encode_string(&bad)
        };
        let jwk = format!(r#"{{"kty":"OKP","crv":"X25519","x":"{x}"}}"#);
        assert_eq!(
            PublicKey::from_jwk(&jwk).unwrap_err().code(),
            ErrorCode::InvalidKey
        );
        let kid = enseal::KeyId::compute(Suite::X25519, &bad);
        let keyset = format!(
            r#"{{"primary":"{kid}","keys":[{{"kty":"OKP","crv":"X25519","x":"{x}","kid":"{kid}","suite":"X25519","created":1}}]}}"#
        );
        assert_eq!(
            Keyset::from_json(&keyset).unwrap_err().code(),
            ErrorCode::InvalidKeyset
        );
    }
}

#[test]
fn xwing_keys_with_a_low_order_x25519_part_are_refused() {
    let key = KeyPair::generate(Suite::XWing).unwrap();
    let mut public = key.public_key().as_bytes().to_vec();
    assert!(PublicKey::from_bytes(Suite::XWing, &public).is_ok());
    let x = public.len() - 32;
    public[x..].fill(0);
    assert_eq!(
        PublicKey::from_bytes(Suite::XWing, &public)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidKey
    );
    public[x] = 1;
    assert!(PublicKey::from_bytes(Suite::XWing, &public).is_err());
}

#[test]
fn keyring_jwks_round_trip() {
    let pairs: Vec<KeyPair> = Suite::ALL
        .iter()
        .map(|s| KeyPair::generate(*s).unwrap())
        .collect();
    let ring = Keyring::from_iter(pairs.iter().cloned());
    let back = Keyring::from_jwks(&ring.to_jwks()).unwrap();
    assert_eq!(back.len(), 3);
    assert_eq!(
        back.kids().collect::<Vec<_>>(),
        ring.kids().collect::<Vec<_>>()
    );
    // Adding a key that is there already changes nothing, by `add` or by collecting.
    let mut dup = back.clone();
    assert!(!dup.add(pairs[0].clone()));
    assert_eq!(dup.len(), 3);
    assert_eq!(
        Keyring::from_iter(pairs.iter().chain(&pairs).cloned()).len(),
        3
    );
    let twice = format!(
        "{{\"keys\": [{}, {}]}}",
        pairs[0].to_jwk().as_str(),
        pairs[0].to_jwk().as_str()
    );
    assert_eq!(
        Keyring::from_jwks(&twice).unwrap_err().code(),
        ErrorCode::InvalidKeyset
    );
    assert_eq!(
        Keyring::from_jwks("{\"keys\": [{\"kty\": \"OKP\"}]}")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidKeyset
    );
}

#[test]
fn oversized_values_are_refused_before_any_work() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let big = vec![0u8; MAX_PLAINTEXT_LEN + 1];
    assert_eq!(sealer.seal_binary(&big, "c").unwrap_err(), Error::TooLarge);
    let opener = opener_for(&[&pair]);
    let mut sealed = sealer.seal_binary(b"", "c").unwrap();
    sealed.resize(
        enseal::format::sealed_len(Suite::X25519, MAX_PLAINTEXT_LEN) + 1,
        0,
    );
    assert_eq!(
        opener.open_binary(&sealed, "c").unwrap_err(),
        Error::TooLarge
    );
    let text = format!(
        "{TEXT_PREFIX}{}",
        "A".repeat(MAX_PLAINTEXT_LEN / 3 * 4 + 4096)
    );
    assert_eq!(opener.open(&text, "c").unwrap_err(), Error::TooLarge);
    // The largest allowed value does seal and open.
    let max = vec![7u8; MAX_PLAINTEXT_LEN];
    let sealed = sealer.seal_binary(&max, "c").unwrap();
    assert_eq!(
        opener.open_binary(&sealed, "c").unwrap().len(),
        MAX_PLAINTEXT_LEN
    );
}

#[test]
fn is_sealed_is_strict() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let text = Sealer::new(pair.public_key())
        .unwrap()
        .seal(b"", "")
        .unwrap();
    assert!(is_sealed(&text));
    for not in [
        "",
        "enseal1.",
        "enseal1.AAAA",
        "hello",
        &text[1..],
        &format!("{text}="),
    ] {
        assert!(!is_sealed(not), "{not}");
    }
}

#[test]
fn aes_backend_reports_ring_with_hardware_here() {
    let backend = enseal::aes_backend();
    assert_eq!(backend.name(), "ring");
    #[cfg(target_arch = "x86_64")]
    assert_eq!(
        backend.hardware_accelerated(),
        std::arch::is_x86_feature_detected!("aes")
            && std::arch::is_x86_feature_detected!("pclmulqdq")
    );
}

#[test]
fn seal_into_appends_and_leaves_the_buffer_alone_on_error() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let opener = opener_for(&[&pair]);
    let mut buf = b"prefix".to_vec();
    sealer.seal_binary_into(b"one", "c", &mut buf).unwrap();
    let first_end = buf.len();
    sealer.seal_binary_into(b"two", "c", &mut buf).unwrap();
    assert_eq!(&buf[..6], b"prefix");
    assert_eq!(
        opener
            .open_binary(&buf[6..first_end], "c")
            .unwrap()
            .as_slice(),
        b"one"
    );
    assert_eq!(
        opener
            .open_binary(&buf[first_end..], "c")
            .unwrap()
            .as_slice(),
        b"two"
    );
    let before = buf.clone();
    let big = vec![0u8; MAX_PLAINTEXT_LEN + 1];
    assert_eq!(
        sealer.seal_binary_into(&big, "c", &mut buf).unwrap_err(),
        Error::TooLarge
    );
    assert_eq!(buf, before);
}

#[test]
fn open_into_appends_and_leaves_the_buffer_alone_on_error() {
    let pair = KeyPair::generate(Suite::P256).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let opener = opener_for(&[&pair]);
    let (a, b) = (
        sealer.seal_binary(b"alpha", "c").unwrap(),
        sealer.seal_binary(b"beta", "c").unwrap(),
    );
    let mut out = b">".to_vec();
    opener.open_binary_into(&a, "c", &mut out).unwrap();
    opener.open_binary_into(&b, "c", &mut out).unwrap();
    assert_eq!(out, b">alphabeta");
    let mut tampered = b.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert_eq!(
        opener
            .open_binary_into(&tampered, "c", &mut out)
            .unwrap_err(),
        Error::DecryptFailed
    );
    assert_eq!(
        opener
            .open_binary_into(&b[..10], "c", &mut out)
            .unwrap_err(),
        Error::Truncated
    );
    assert_eq!(out, b">alphabeta");
}

#[test]
fn batches_are_all_or_nothing() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let opener = opener_for(&[&pair]);
    let values: Vec<Vec<u8>> = (0..100u8).map(|i| vec![i; usize::from(i)]).collect();
    let contexts: Vec<String> = (0..100u8).map(|i| format!("rows/{i}/ssn")).collect();
    let sealed = sealer.seal_batch(&values, &contexts).unwrap();
    assert_eq!(sealed.len(), 100);
    let opened = opener.open_batch(&sealed, &contexts).unwrap();
    assert!(
        opened
            .iter()
            .zip(&values)
            .all(|(o, v)| o.as_slice() == v.as_slice())
    );
    let mut broken = sealed.clone();
    broken[50] = "enseal1.xx".into();
    let err = opener.open_batch(&broken, &contexts).unwrap_err();
    assert_eq!(err.code(), ErrorCode::BadEncoding);
    assert_eq!(err.batch_index(), Some(50));
    assert_eq!(
        sealer
            .seal_batch(&values, &contexts[1..])
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        opener
            .open_batch(&sealed[1..], &contexts)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
}
