//! X25519 keys in a token. The standard type is `CKK_EC_MONTGOMERY`
//! (PKCS#11 3.0), which kryoptic implements (`cargo xtask kryoptic-test`)
//! and SoftHSM2 2.6.1 does not; SoftHSM2's own X25519 key is a non-standard
//! `CKK_EC_EDWARDS` with the X25519 OID, which the custodian accepts too.
//! Each test says which token it needs and checks what that token does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, AttributeInfo, AttributeType, KeyType, ObjectClass};
use enseal::{ErrorCode, KeyCustody, KeyPair, Keyring, Opener, Sealer, SoftwareKey, Suite};
use enseal_pkcs11::Pkcs11Key;
use std::sync::Arc;

const X25519_OID: [u8; 5] = [0x06, 0x03, 0x2B, 0x65, 0x6E];

fn vectors() -> Vec<serde_json::Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/upstream/hpke/rfc9180-aes256gcm-hkdfsha256-p256-x25519.json"
    );
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all.into_iter()
        .filter(|v| v["mode"] == 0 && v["kem_id"] == 32)
        .collect()
}

fn unhex(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

/// Fields sealed to `public` in several sessions open through `custody`.
fn opens_fields(custody: Arc<dyn KeyCustody>, public: &enseal::PublicKey) {
    let mut ring = Keyring::new();
    ring.add_custody(custody);
    let opener = Opener::new(ring);
    for s in 0..5 {
        let sealer = Sealer::new(public).unwrap();
        for i in 0..3 {
            let clear = format!("x25519 {s} {i}");
            let field = sealer.seal(clear.as_bytes(), "c").unwrap();
            assert_eq!(opener.open_string(&field, "c").unwrap().as_str(), clear);
        }
    }
    assert_eq!(opener.cached_sessions(), 5);
}

/// Imports the RFC 9180 X25519 vectors' recipient keys as session objects
/// of `key_type`, and checks the DH on each vector's enc and fields sealed
/// to pkRm against the in-memory key.
fn rfc9180_vectors_as(key_type: KeyType) {
    let ctx = common::module();
    let vectors = vectors();
    assert_eq!(vectors.len(), 2, "two base-mode X25519 vectors");
    for v in vectors {
        let session = common::session(&ctx);
        let (sk, pk, enc) = (unhex(&v["skRm"]), unhex(&v["pkRm"]), unhex(&v["enc"]));
        let label = common::label("rfc9180-x25519");
        let mut point = vec![0x04, 0x20];
        point.extend_from_slice(&pk);
        let common_attrs = [
            Attribute::KeyType(key_type),
            Attribute::EcParams(X25519_OID.to_vec()),
            Attribute::Token(false),
            Attribute::Label(label.clone().into_bytes()),
            Attribute::Id(label.clone().into_bytes()),
        ];
        let mut private = vec![
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Value(sk.clone()),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Derive(true),
        ];
        private.extend(common_attrs.iter().cloned());
        session.create_object(&private).unwrap();
        let mut public = vec![
            Attribute::Class(ObjectClass::PUBLIC_KEY),
            Attribute::EcPoint(point),
        ];
        public.extend(common_attrs.iter().cloned());
        session.create_object(&public).unwrap();

        let key =
            Pkcs11Key::open(&common::uri(&format!("object={label};type=private"), "")).unwrap();
        assert_eq!(key.public_key().suite(), Suite::X25519);
        assert_eq!(key.public_key().as_bytes(), &pk[..]);
        let pair = KeyPair::from_private_bytes(Suite::X25519, &sk).unwrap();
        let software = SoftwareKey::new(&pair).unwrap();
        assert_eq!(
            *key.private_key_op(&enc).unwrap(),
            *software.private_key_op(&enc).unwrap()
        );
        opens_fields(Arc::new(key), pair.public_key());
        drop(session);
    }
}

#[test]
fn standard_montgomery_keys_generate_and_open_where_the_token_has_them() {
    let label = common::label("x25519");
    let generated = enseal_pkcs11::generate(&common::uri("", ""), &label, Suite::X25519);
    if common::vendor() == "softhsm2" {
        // SoftHSM2 2.6.1: no CKM_EC_MONTGOMERY_KEY_PAIR_GEN. Said clearly, not a panic.
        let err = generated.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument, "{err}");
        assert!(err.to_string().contains("MechanismInvalid"), "{err}");
        return;
    }
    let public = generated.unwrap();
    assert_eq!(public.suite(), Suite::X25519);
    let key = Pkcs11Key::open(&common::uri(&format!("object={label};type=private"), "")).unwrap();
    assert_eq!(key.public_key().as_bytes(), public.as_bytes());
    opens_fields(Arc::new(key), &public);

    let ctx = common::module();
    let session = common::session(&ctx);
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Label(label.into_bytes()),
        ])
        .unwrap();
    let [private] = found.as_slice() else {
        panic!("{found:?}")
    };
    let kt = session
        .get_attributes(*private, &[AttributeType::KeyType])
        .unwrap();
    assert_eq!(kt, vec![Attribute::KeyType(KeyType::EC_MONTGOMERY)]);
    let info = session
        .get_attribute_info(*private, &[AttributeType::Value])
        .unwrap();
    assert!(matches!(info[..], [AttributeInfo::Sensitive]), "{info:?}");
    let flags = session
        .get_attributes(
            *private,
            &[
                AttributeType::AlwaysSensitive,
                AttributeType::NeverExtractable,
                AttributeType::Extractable,
            ],
        )
        .unwrap();
    for want in [
        Attribute::AlwaysSensitive(true),
        Attribute::NeverExtractable(true),
        Attribute::Extractable(false),
    ] {
        assert!(flags.contains(&want), "{want:?} not in {flags:?}");
    }
    assert!(
        session
            .update_attributes(*private, &[Attribute::Extractable(true)])
            .is_err()
    );
}

#[test]
fn rfc9180_x25519_vectors_through_the_token() {
    if common::vendor() == "softhsm2" {
        // The standard type is refused by SoftHSM2 2.6.1 ...
        let ctx = common::module();
        let session = common::session(&ctx);
        let refused = session.create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::EC_MONTGOMERY),
            Attribute::EcParams(X25519_OID.to_vec()),
            Attribute::Value(vec![7; 32]),
            Attribute::Token(false),
            Attribute::Derive(true),
        ]);
        assert!(
            matches!(
                refused,
                Err(CkError::Pkcs11(
                    RvError::AttributeValueInvalid | RvError::TemplateInconsistent,
                    _
                ))
            ),
            "SoftHSM2 now accepts CKK_EC_MONTGOMERY: update docs/CUSTODY.md ({refused:?})"
        );
        // ... its Edwards-typed X25519 key is what it has, and it derives right.
        rfc9180_vectors_as(KeyType::EC_EDWARDS);
    } else {
        rfc9180_vectors_as(KeyType::EC_MONTGOMERY);
    }
}
