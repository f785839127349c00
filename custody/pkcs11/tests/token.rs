//! A private key in a real PKCS#11 token (SoftHSM2 2.6.1 under `cargo xtask
//! pkcs11-test`; kryoptic 1.5.4 under `cargo xtask kryoptic-test`): the RFC
//! 9180 P-256 vectors through the token, fields sealed to a key generated in
//! the token, the attributes that forbid extraction, and the session pool.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, AttributeInfo, AttributeType, KeyType, ObjectClass};
use enseal::{ErrorCode, KeyCustody, KeyPair, Keyring, Opener, Sealer, SoftwareKey, Suite};
use enseal_pkcs11::Pkcs11Key;
use std::sync::Arc;

const P256_OID: [u8; 10] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

fn vectors() -> Vec<serde_json::Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/upstream/hpke/rfc9180-aes256gcm-hkdfsha256-p256-x25519.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn unhex(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

/// Seals `n` fields in `sessions` sessions to `pair`'s public key.
fn seal_many(public: &enseal::PublicKey, sessions: usize, n: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in 0..sessions {
        let sealer = Sealer::new(public).unwrap();
        for i in 0..n {
            let clear = format!("session {s} value {i}");
            out.push((sealer.seal(clear.as_bytes(), "ctx").unwrap(), clear));
        }
    }
    out
}

#[test]
fn rfc9180_p256_vectors_through_the_token_equal_the_software_key() {
    let ctx = common::module();
    let mut checked = 0;
    for v in vectors() {
        // Base mode, DHKEM(P-256): the vector's recipient key is imported as
        // a session object (gone when `session` closes: it never persists).
        if v["mode"] != 0 || v["kem_id"] != 16 {
            continue;
        }
        let session = common::session(&ctx);
        let (sk, pk, enc) = (unhex(&v["skRm"]), unhex(&v["pkRm"]), unhex(&v["enc"]));
        let label = common::label("rfc9180");
        let mut point = vec![0x04, 0x41];
        point.extend_from_slice(&pk);
        for template in [
            vec![
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Value(sk.clone()),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Derive(true),
            ],
            vec![
                Attribute::Class(ObjectClass::PUBLIC_KEY),
                Attribute::EcPoint(point),
            ],
        ] {
            let mut template = template;
            template.extend([
                Attribute::KeyType(KeyType::EC),
                Attribute::EcParams(P256_OID.to_vec()),
                Attribute::Token(false),
                Attribute::Label(label.clone().into_bytes()),
                Attribute::Id(label.clone().into_bytes()),
            ]);
            session.create_object(&template).unwrap();
        }
        let key =
            Pkcs11Key::open(&common::uri(&format!("object={label};type=private"), "")).unwrap();
        assert_eq!(key.public_key().as_bytes(), &pk[..]);
        assert_eq!(key.public_key().suite(), Suite::P256);

        // The DH output on the vector's enc equals the in-memory key's
        // (which core's own tests check against the vector's shared_secret).
        let pair = KeyPair::from_private_bytes(Suite::P256, &sk).unwrap();
        let software = SoftwareKey::new(&pair).unwrap();
        let from_token = key.private_key_op(&enc).unwrap();
        assert_eq!(*from_token, *software.private_key_op(&enc).unwrap());
        // And a different enc gives a different DH (the token really computes it).
        let other = KeyPair::generate(Suite::P256).unwrap();
        assert_ne!(
            *key.private_key_op(other.public_key().as_bytes()).unwrap(),
            *from_token
        );

        // Fields sealed to pkRm open through the token, the software
        // custodian and the plain key pair alike: the same session secrets.
        let fields = seal_many(pair.public_key(), 3, 4);
        let mut token_ring = Keyring::new();
        assert!(token_ring.add_custody(Arc::new(key)));
        let mut software_ring = Keyring::new();
        assert!(software_ring.add_custody(Arc::new(software)));
        let openers = [
            Opener::new(token_ring),
            Opener::new(software_ring),
            Opener::new(Keyring::from_iter([pair])),
        ];
        for (field, clear) in &fields {
            for opener in &openers {
                assert_eq!(opener.open_string(field, "ctx").unwrap().as_str(), clear);
            }
            // The wrong context still fails as a bad field, not as an outage.
            assert_eq!(
                openers[0].open(field, "other").unwrap_err().code(),
                ErrorCode::DecryptFailed
            );
        }
        checked += 1;
        drop(session);
    }
    assert_eq!(checked, 2, "the file has two base-mode P-256 vectors");
}

#[test]
fn a_generated_key_is_not_extractable_and_opens_fields_from_many_sessions() {
    let label = common::label("generated");
    let public = enseal_pkcs11::generate(&common::uri("", ""), &label, Suite::P256).unwrap();
    assert_eq!(public.suite(), Suite::P256);
    // The same label again is refused, not a second key with one name.
    let again = enseal_pkcs11::generate(&common::uri("", ""), &label, Suite::P256).unwrap_err();
    assert_eq!(again.code(), ErrorCode::InvalidArgument, "{again}");

    let key = Arc::new(
        Pkcs11Key::open(&common::uri(
            &format!("object={label};type=private"),
            "pool-size=3",
        ))
        .unwrap(),
    );
    assert_eq!(key.public_key().as_bytes(), public.as_bytes());
    let debug = format!("{key:?}");
    let pin = std::fs::read_to_string(common::env("ENSEAL_TEST_PKCS11_PIN_FILE")).unwrap();
    assert!(!debug.contains(pin.trim_end()), "{debug}");

    let fields = seal_many(&public, 20, 5);
    let mut ring = Keyring::new();
    ring.add_custody(key.clone());
    let opener = Opener::new(ring);
    for (field, clear) in &fields {
        assert_eq!(opener.open_string(field, "ctx").unwrap().as_str(), clear);
    }
    // One token call per session; the opener's cache serves the rest.
    assert_eq!(
        key.token_calls(),
        1 + 20,
        "one to read the public key, then one per session"
    );
    // A point off the curve, given to the token directly (through an
    // opener, core refuses it before any custodian sees it): refused, and
    // the key keeps working. (SoftHSM2 says CKR_GENERAL_ERROR, which reads as
    // a token fault: retried once, then KEY_UNAVAILABLE; a token that calls
    // it an input error gives Rejected, i.e. DECRYPT_FAILED.)
    let mut off_curve = vec![0x04];
    off_curve.extend([0x01; 64]);
    assert!(key.private_key_op(&off_curve).is_err());
    let fresh = KeyPair::generate(Suite::P256).unwrap();
    key.private_key_op(fresh.public_key().as_bytes()).unwrap();
    assert_eq!(opener.cached_sessions(), 20);

    // Its attributes forbid extraction. (get_attributes silently leaves out
    // what the token refuses, so ask get_attribute_info.)
    let ctx = common::module();
    let session = common::session(&ctx);
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Label(label.clone().into_bytes()),
        ])
        .unwrap();
    let [private] = found.as_slice() else {
        panic!("one private key, got {found:?}")
    };
    let info = session
        .get_attribute_info(*private, &[AttributeType::Value])
        .unwrap();
    assert!(
        matches!(info[..], [AttributeInfo::Sensitive]),
        "CKA_VALUE: {info:?}"
    );
    assert!(
        session
            .get_attributes(*private, &[AttributeType::Value])
            .unwrap()
            .is_empty()
    );
    let flags = session
        .get_attributes(
            *private,
            &[
                AttributeType::Sensitive,
                AttributeType::AlwaysSensitive,
                AttributeType::NeverExtractable,
                AttributeType::Extractable,
                AttributeType::Token,
                AttributeType::Private,
                AttributeType::Derive,
            ],
        )
        .unwrap();
    let expected = [
        Attribute::Sensitive(true),
        Attribute::AlwaysSensitive(true),
        Attribute::NeverExtractable(true),
        Attribute::Extractable(false),
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Derive(true),
    ];
    assert_eq!(flags.len(), expected.len(), "{flags:?}");
    for want in &expected {
        assert!(flags.contains(want), "missing {want:?} in {flags:?}");
    }
    for relax in [Attribute::Extractable(true), Attribute::Sensitive(false)] {
        match session.update_attributes(*private, std::slice::from_ref(&relax)) {
            Err(CkError::Pkcs11(RvError::AttributeReadOnly | RvError::ActionProhibited, _)) => {}
            other => panic!("setting {relax:?}: {other:?}"),
        }
    }
}

#[test]
fn an_exhausted_pool_is_key_unavailable_after_the_bounded_wait() {
    let label = common::label("pool");
    let public = enseal_pkcs11::generate(&common::uri("", ""), &label, Suite::P256).unwrap();
    let object = format!("object={label};type=private");

    // Many threads, many sessions, one opener, a pool of 2: all open.
    let key =
        Arc::new(Pkcs11Key::open(&common::uri(&object, "pool-size=2&wait-ms=10000")).unwrap());
    let mut ring = Keyring::new();
    ring.add_custody(key.clone());
    let opener = Arc::new(Opener::new(ring));
    let fields = Arc::new(seal_many(&public, 64, 3));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (opener, fields) = (opener.clone(), fields.clone());
            std::thread::spawn(move || {
                for (field, clear) in fields.iter().skip(t).step_by(8) {
                    assert_eq!(opener.open_string(field, "ctx").unwrap().as_str(), clear);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(opener.cached_sessions() > 0);

    // One session, a 1 ms wait, the session held by a slow operation: the
    // others are refused as busy (KEY_UNAVAILABLE) instead of queueing.
    let key = Arc::new(Pkcs11Key::open(&common::uri(&object, "pool-size=1&wait-ms=1")).unwrap());
    let mut ring = Keyring::new();
    ring.add_custody(key.clone());
    let opener = Arc::new(Opener::with_cache_capacity(ring, 0));
    let fields = Arc::new(seal_many(&public, 200, 1));
    let results: Vec<_> = (0..6)
        .map(|t| {
            let (opener, fields) = (opener.clone(), fields.clone());
            std::thread::spawn(move || {
                let mut busy = 0;
                for (field, clear) in fields.iter().skip(t).step_by(6) {
                    match opener.open_string(field, "ctx") {
                        Ok(opened) => assert_eq!(opened.as_str(), clear),
                        Err(e) => {
                            assert_eq!(e.code(), ErrorCode::KeyUnavailable, "{e}");
                            assert!(e.to_string().contains("busy"), "{e}");
                            busy += 1;
                        }
                    }
                }
                busy
            })
        })
        .collect();
    let busy: usize = results.into_iter().map(|t| t.join().unwrap()).sum();
    assert!(
        busy > 0,
        "six threads on one session with a 1 ms wait never waited?"
    );
    // Nothing bad was cached: every field opens once the pressure is off.
    for (field, clear) in fields.iter() {
        assert_eq!(opener.open_string(field, "ctx").unwrap().as_str(), clear);
    }
}

#[test]
fn uris_that_name_nothing_are_invalid_arguments() {
    for (uri, what) in [
        (
            common::uri("object=no-such-key;type=private", ""),
            "no such object",
        ),
        (
            format!(
                "pkcs11:token=no-such-token;object=x?module-path={}",
                common::env("ENSEAL_PKCS11_MODULE")
            ),
            "token not present",
        ),
        (
            "pkcs11:object=x?module-path=/nonexistent/libp11.so".into(),
            "cannot load",
        ),
    ] {
        let err = enseal_pkcs11::open(&uri).unwrap_err();
        assert!(
            matches!(
                err.code(),
                ErrorCode::InvalidArgument | ErrorCode::KeyUnavailable
            ),
            "{uri}: {err}"
        );
        assert!(err.to_string().contains(what), "{uri}: {err}");
    }
    let err =
        enseal_pkcs11::open("pkcs11:object=x?module-path=/x&pin-value=s3cret&bogus=1").unwrap_err();
    assert!(!err.to_string().contains("s3cret"), "{err}");
}
