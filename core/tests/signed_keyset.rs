//! Signed keysets (docs/FORMAT.md §10) through the public API: the round
//! trip, every refusal with its code, signer rotation and the check order.
//! Forged documents are signed by the *pinned* key with ed25519-dalek
//! directly, so each refusal comes from the rule it tests, not from a bad
//! signature.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64UrlUnpadded, Encoding};
use ed25519_dalek::Signer as _;
use enseal::{
    Error, ErrorCode, KeyPair, Keyring, Keyset, Opener, Sealer, SignerPins, SigningKey, Suite,
};
use serde_json::{Value, json};

const NOW: u64 = 1_800_000_000;

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(text).unwrap()
}

fn keyset() -> Keyset {
    let key = KeyPair::generate(Suite::X25519).unwrap();
    Keyset::from_public_key(key.public_key(), Some(NOW - 100), None).unwrap()
}

fn pins(signers: &[&SigningKey]) -> SignerPins {
    let keys: Vec<Value> = signers
        .iter()
        .map(|s| serde_json::from_str(&s.public_jwk()).unwrap())
        .collect();
    SignerPins::from_jwks(&json!({ "keys": keys }).to_string()).unwrap()
}

/// A JWS over any header and payload, signed with `signer`'s key outside enseal.
fn forge(signer: &SigningKey, header: &Value, payload: &Value) -> String {
    let jwk: Value = serde_json::from_str(&signer.to_jwk()).unwrap();
    let seed: [u8; 32] = unb64(jwk["d"].as_str().unwrap()).try_into().unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let signature = key.sign(input.as_bytes()).to_bytes();
    format!("{input}.{}", b64(&signature))
}

fn header(signer: &SigningKey) -> Value {
    json!({"alg": "EdDSA", "typ": "enseal-keyset+jws", "kid": signer.kid()})
}

fn payload(keyset: &Keyset, version: u64) -> Value {
    json!({
        "typ": "enseal-keyset",
        "version": version,
        "iat": NOW,
        "exp": NOW + 3600,
        "keyset": serde_json::from_str::<Value>(&keyset.to_json()).unwrap(),
    })
}

fn code(result: enseal::Result<enseal::VerifiedKeyset>) -> ErrorCode {
    result.map(|_| ()).unwrap_err().code()
}

/// The `&'static str` a bad signature carries.
fn bad_signature_reason(result: enseal::Result<enseal::VerifiedKeyset>) -> &'static str {
    match result {
        Err(Error::KeysetBadSignature(why)) => why,
        other => panic!(
            "expected KEYSET_BAD_SIGNATURE, got {:?}",
            other.map(|v| v.version())
        ),
    }
}

#[test]
fn sign_then_verify_round_trip() {
    let signer = SigningKey::generate().unwrap();
    let keyset = keyset();
    let jws = keyset.sign_at(&signer, 7, NOW + 86_400, NOW).unwrap();
    assert_eq!(jws.split('.').count(), 3);

    let verified = Keyset::from_signed_at(&jws, &pins(&[&signer]), Some(7), NOW + 10).unwrap();
    assert_eq!(verified.keyset(), &keyset);
    assert_eq!(verified.version(), 7);
    assert_eq!(verified.expires(), NOW + 86_400);
    assert_eq!(verified.signer(), signer.kid());

    // The header is exactly these members, and the keyset inside the payload
    // is the keyset document itself.
    let parts: Vec<&str> = jws.split('.').collect();
    let header: Value = serde_json::from_slice(&unb64(parts[0])).unwrap();
    assert_eq!(
        header,
        json!({"alg": "EdDSA", "typ": "enseal-keyset+jws", "kid": signer.kid()})
    );
    let body: Value = serde_json::from_slice(&unb64(parts[1])).unwrap();
    assert_eq!(body["typ"], "enseal-keyset");
    assert_eq!(body["version"], 7);
    assert_eq!(body["iat"], NOW);
    assert_eq!(body["exp"], NOW + 86_400);
    assert_eq!(
        body["keyset"],
        serde_json::from_str::<Value>(&keyset.to_json()).unwrap()
    );
    // A trailing newline (a file as served) changes nothing.
    assert!(Keyset::from_signed_at(&format!("{jws}\n"), &pins(&[&signer]), None, NOW).is_ok());
}

#[test]
fn a_sealer_from_a_signed_keyset_seals_to_its_primary() {
    let signer = SigningKey::generate().unwrap();
    let service = KeyPair::generate(Suite::X25519).unwrap();
    let keyset = Keyset::from_public_key(service.public_key(), None, None).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let jws = keyset.sign(&signer, 1, now + 3600).unwrap();
    let sealer = Sealer::from_signed_keyset(&jws, &pins(&[&signer]), None).unwrap();
    assert_eq!(sealer.recipient(), service.public_key());
    let sealed = sealer.seal(b"123-45-6789", "patients/1/ssn").unwrap();
    let opener = Opener::new(Keyring::from_iter([service]));
    assert_eq!(
        opener.open(&sealed, "patients/1/ssn").unwrap().as_slice(),
        b"123-45-6789"
    );

    // Nothing is built from a keyset that does not verify.
    let other = SigningKey::generate().unwrap();
    let refused = Sealer::from_signed_keyset(&jws, &pins(&[&other]), None);
    assert_eq!(
        refused.err().map(|e| e.code()),
        Some(ErrorCode::KeysetBadSignature)
    );
    let unsigned = Sealer::from_signed_keyset(&keyset.to_json(), &pins(&[&signer]), None);
    assert_eq!(
        unsigned.err().map(|e| e.code()),
        Some(ErrorCode::KeysetUnsigned)
    );
    let old = Sealer::from_signed_keyset(&jws, &pins(&[&signer]), Some(2));
    assert_eq!(old.err().map(|e| e.code()), Some(ErrorCode::KeysetRollback));
}

#[test]
fn the_plain_keyset_and_other_non_jws_text_are_unsigned() {
    let signer = SigningKey::generate().unwrap();
    let pins = pins(&[&signer]);
    let keyset = keyset();
    let jws = keyset.sign_at(&signer, 1, NOW + 60, NOW).unwrap();
    let (input, signature) = jws.rsplit_once('.').unwrap();
    for text in [
        keyset.to_json(),
        String::new(),
        "\n".into(),
        "abc".into(),
        "abc.def".into(),
        format!("{jws}.xyz"),
        format!(".{}", &jws[jws.find('.').unwrap() + 1..]),
        // Standard base64's alphabet, or padding: not base64url.
        format!("{input}.+{}", &signature[1..]),
        format!("{input}.{signature}=="),
        format!("{input}.{}", "A".repeat(85) + "="),
    ] {
        assert_eq!(
            Keyset::from_signed_at(&text, &pins, None, NOW).map(|v| v.version()),
            Err(Error::KeysetUnsigned),
            "{text:?}"
        );
    }
}

#[test]
fn headers_outside_the_rules_are_refused_though_the_pinned_key_signed_them() {
    let signer = SigningKey::generate().unwrap();
    let pins = pins(&[&signer]);
    let body = payload(&keyset(), 1);
    // Control: the same forge with the right header verifies.
    assert!(
        Keyset::from_signed_at(&forge(&signer, &header(&signer), &body), &pins, None, NOW).is_ok()
    );

    let public: Value = serde_json::from_str(&signer.public_jwk()).unwrap();
    let with = |name: &str, value: Value| {
        let mut h = header(&signer);
        h[name] = value;
        h
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        ("alg none", with("alg", json!("none")), "\"alg\""),
        ("alg HS256", with("alg", json!("HS256")), "\"alg\""),
        ("alg Ed25519", with("alg", json!("Ed25519")), "\"alg\""),
        (
            "no alg",
            json!({"typ": "enseal-keyset+jws", "kid": signer.kid()}),
            "\"alg\"",
        ),
        ("crit", with("crit", json!(["exp"])), "\"crit\""),
        ("jwk", with("jwk", public.clone()), "carries a key"),
        (
            "jku",
            with("jku", json!("https://example.invalid/k")),
            "carries a key",
        ),
        (
            "x5u",
            with("x5u", json!("https://example.invalid/c")),
            "carries a key",
        ),
        ("x5c", with("x5c", json!(["MIIB"])), "carries a key"),
        ("wrong typ", with("typ", json!("JWT")), "\"typ\""),
        (
            "no typ",
            json!({"alg": "EdDSA", "kid": signer.kid()}),
            "\"typ\"",
        ),
        ("extra member", with("cty", json!("json")), "other than"),
        (
            "no kid",
            json!({"alg": "EdDSA", "typ": "enseal-keyset+jws"}),
            "\"kid\"",
        ),
        ("kid not a string", with("kid", json!(1)), "\"kid\""),
    ];
    for (name, h, reason) in cases {
        let jws = forge(&signer, &h, &body);
        let why = bad_signature_reason(Keyset::from_signed_at(&jws, &pins, None, NOW));
        assert!(why.contains(reason), "{name}: {why}");
    }

    // The unsecured form of RFC 7515 (alg none, empty signature) is a JWS, refused as such.
    let h = b64(with("alg", json!("none")).to_string().as_bytes());
    let unsecured = format!("{h}.{}.", b64(body.to_string().as_bytes()));
    let why = bad_signature_reason(Keyset::from_signed_at(&unsecured, &pins, None, NOW));
    assert!(why.contains("\"alg\""), "{why}");

    // A header that is no JSON object.
    for raw in ["[1]", "not json", "{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\"}"] {
        let jws = format!("{}.{}.AAAA", b64(raw.as_bytes()), b64(b"{}"));
        let why = bad_signature_reason(Keyset::from_signed_at(&jws, &pins, None, NOW));
        assert!(why.contains("header"), "{raw}: {why}");
    }
    // Header segment of a length base64url cannot have.
    let jws = format!("AAAAA.{}.AAAA", b64(b"{}"));
    let why = bad_signature_reason(Keyset::from_signed_at(&jws, &pins, None, NOW));
    assert!(why.contains("base64url"), "{why}");
}

#[test]
fn unpinned_signers_and_tampering_are_bad_signatures() {
    let signer = SigningKey::generate().unwrap();
    let stranger = SigningKey::generate().unwrap();
    let pins = pins(&[&signer]);
    let keyset = keyset();

    let by_stranger = keyset.sign_at(&stranger, 1, NOW + 60, NOW).unwrap();
    let why = bad_signature_reason(Keyset::from_signed_at(&by_stranger, &pins, None, NOW));
    assert!(why.contains("pinned signer"), "{why}");

    // The stranger names the pinned kid: the signature is checked under the pinned key and fails.
    let impostor = forge(&stranger, &header(&signer), &payload(&keyset, 1));
    let why = bad_signature_reason(Keyset::from_signed_at(&impostor, &pins, None, NOW));
    assert!(why.contains("does not verify"), "{why}");

    let jws = keyset.sign_at(&signer, 1, NOW + 60, NOW).unwrap();
    let parts: Vec<&str> = jws.split('.').collect();

    let mut sig = unb64(parts[2]);
    sig[0] ^= 0x01;
    let flipped_sig = format!("{}.{}.{}", parts[0], parts[1], b64(&sig));
    let why = bad_signature_reason(Keyset::from_signed_at(&flipped_sig, &pins, None, NOW));
    assert!(why.contains("does not verify"), "{why}");

    let mut body = unb64(parts[1]);
    let at = body.len() / 2;
    body[at] ^= 0x01;
    let flipped_payload = format!("{}.{}.{}", parts[0], b64(&body), parts[2]);
    let why = bad_signature_reason(Keyset::from_signed_at(&flipped_payload, &pins, None, NOW));
    assert!(why.contains("does not verify"), "{why}");

    let short = format!("{}.{}.{}", parts[0], parts[1], &parts[2][..40]);
    let why = bad_signature_reason(Keyset::from_signed_at(&short, &pins, None, NOW));
    assert!(why.contains("64 bytes"), "{why}");
    let empty = format!("{}.{}.", parts[0], parts[1]);
    let why = bad_signature_reason(Keyset::from_signed_at(&empty, &pins, None, NOW));
    assert!(why.contains("64 bytes"), "{why}");
}

#[test]
fn expiry_and_rollback() {
    let signer = SigningKey::generate().unwrap();
    let pins = pins(&[&signer]);
    let jws = keyset().sign_at(&signer, 5, NOW + 60, NOW).unwrap();

    assert!(Keyset::from_signed_at(&jws, &pins, None, NOW + 60).is_ok());
    assert_eq!(
        Keyset::from_signed_at(&jws, &pins, None, NOW + 61)
            .map(|_| ())
            .unwrap_err(),
        Error::KeysetExpired { expires: NOW + 60 }
    );

    assert!(Keyset::from_signed_at(&jws, &pins, Some(5), NOW).is_ok());
    assert!(Keyset::from_signed_at(&jws, &pins, Some(1), NOW).is_ok());
    assert_eq!(
        Keyset::from_signed_at(&jws, &pins, Some(6), NOW)
            .map(|_| ())
            .unwrap_err(),
        Error::KeysetRollback {
            version: 5,
            accepted: 6
        }
    );

    // The system-clock form: this keyset expired decades before now.
    let old = keyset().sign_at(&signer, 1, 1_000_001, 1_000_000).unwrap();
    assert_eq!(
        code(Keyset::from_signed(&old, &pins, None)),
        ErrorCode::KeysetExpired
    );
}

#[test]
fn a_rotating_signer_verifies_under_either_pin() {
    let old = SigningKey::generate().unwrap();
    let new = SigningKey::generate().unwrap();
    let both = pins(&[&old, &new]);
    assert_eq!(both.len(), 2);
    assert_eq!(both.kids(), vec![old.kid(), new.kid()]);
    let keyset = keyset();
    let by_old = keyset.sign_at(&old, 1, NOW + 60, NOW).unwrap();
    let by_new = keyset.sign_at(&new, 2, NOW + 60, NOW).unwrap();
    assert_eq!(
        Keyset::from_signed_at(&by_old, &both, None, NOW)
            .unwrap()
            .signer(),
        old.kid()
    );
    assert_eq!(
        Keyset::from_signed_at(&by_new, &both, None, NOW)
            .unwrap()
            .signer(),
        new.kid()
    );
    // After the old key is unpinned, only the new signer's keyset verifies.
    let new_only = pins(&[&new]);
    assert_eq!(
        code(Keyset::from_signed_at(&by_old, &new_only, None, NOW)),
        ErrorCode::KeysetBadSignature
    );
    assert!(Keyset::from_signed_at(&by_new, &new_only, None, NOW).is_ok());
}

#[test]
fn a_verified_payload_that_is_no_keyset_is_an_invalid_keyset() {
    let signer = SigningKey::generate().unwrap();
    let pins = pins(&[&signer]);
    let good = payload(&keyset(), 1);
    let with = |name: &str, value: Value| {
        let mut p = good.clone();
        p[name] = value;
        p
    };
    let mut no_keyset = good.clone();
    no_keyset.as_object_mut().unwrap().remove("keyset");
    for (name, body) in [
        ("typ", with("typ", json!("JWT"))),
        ("version 0", with("version", json!(0))),
        ("version text", with("version", json!("1"))),
        ("iat missing", {
            let mut p = good.clone();
            p.as_object_mut().unwrap().remove("iat");
            p
        }),
        ("exp not after iat", with("exp", json!(NOW))),
        ("exp fraction", with("exp", json!(1.5))),
        ("no keyset", no_keyset),
        (
            "keyset not a keyset",
            with("keyset", json!({"primary": "x", "keys": []})),
        ),
        ("keyset with a private key", {
            let key = KeyPair::generate(Suite::X25519).unwrap();
            let mut jwk: Value = serde_json::from_str(&key.to_jwk()).unwrap();
            jwk["suite"] = json!("X25519");
            jwk["created"] = json!(NOW);
            with(
                "keyset",
                json!({"primary": key.kid().to_string(), "keys": [jwk]}),
            )
        }),
    ] {
        let jws = forge(&signer, &header(&signer), &body);
        assert_eq!(
            code(Keyset::from_signed_at(&jws, &pins, None, NOW)),
            ErrorCode::InvalidKeyset,
            "{name}"
        );
    }
    // A payload that is no JSON at all, validly signed.
    let h = b64(header(&signer).to_string().as_bytes());
    let jwk: Value = serde_json::from_str(&signer.to_jwk()).unwrap();
    let seed: [u8; 32] = unb64(jwk["d"].as_str().unwrap()).try_into().unwrap();
    let input = format!("{h}.{}", b64(b"not json"));
    let sig = ed25519_dalek::SigningKey::from_bytes(&seed).sign(input.as_bytes());
    let jws = format!("{input}.{}", b64(&sig.to_bytes()));
    assert_eq!(
        code(Keyset::from_signed_at(&jws, &pins, None, NOW)),
        ErrorCode::InvalidKeyset
    );
}

/// shape → header → pin → signature → exp → version → keyset: each document
/// below breaks two rules and must report the earlier.
#[test]
fn checks_run_in_the_documented_order() {
    let signer = SigningKey::generate().unwrap();
    let stranger = SigningKey::generate().unwrap();
    let pins = pins(&[&signer]);
    let expired_old_broken = {
        let mut p = payload(&keyset(), 1);
        p["exp"] = json!(NOW - 1);
        p["iat"] = json!(NOW - 100);
        p["keyset"] = json!({"not": "a keyset"});
        p
    };
    // exp before version before keyset.
    let jws = forge(&signer, &header(&signer), &expired_old_broken);
    assert_eq!(
        code(Keyset::from_signed_at(&jws, &pins, Some(2), NOW)),
        ErrorCode::KeysetExpired
    );
    // version before keyset.
    let jws = forge(&signer, &header(&signer), &{
        let mut p = expired_old_broken.clone();
        p["exp"] = json!(NOW + 100);
        p
    });
    assert_eq!(
        code(Keyset::from_signed_at(&jws, &pins, Some(2), NOW)),
        ErrorCode::KeysetRollback
    );
    assert_eq!(
        code(Keyset::from_signed_at(&jws, &pins, None, NOW)),
        ErrorCode::InvalidKeyset
    );
    // signature before exp: an expired document with a bad signature is a bad signature.
    let jws = forge(&stranger, &header(&signer), &expired_old_broken);
    assert_eq!(
        code(Keyset::from_signed_at(&jws, &pins, Some(2), NOW)),
        ErrorCode::KeysetBadSignature
    );
    // header before pin: an unpinned signer with alg none is refused for its alg.
    let mut h = header(&stranger);
    h["alg"] = json!("none");
    let why = bad_signature_reason(Keyset::from_signed_at(
        &forge(&stranger, &h, &expired_old_broken),
        &pins,
        None,
        NOW,
    ));
    assert!(why.contains("\"alg\""), "{why}");
    // shape before everything.
    assert_eq!(
        code(Keyset::from_signed_at("{}", &pins, Some(2), NOW)),
        ErrorCode::KeysetUnsigned
    );
}

#[test]
fn signing_keys_round_trip_and_keep_their_secret() {
    let key = SigningKey::generate().unwrap();
    let jwk: Value = serde_json::from_str(&key.to_jwk()).unwrap();
    assert_eq!(jwk["kty"], "OKP");
    assert_eq!(jwk["crv"], "Ed25519");
    assert_eq!(unb64(jwk["d"].as_str().unwrap()).len(), 32);
    assert_eq!(jwk["kid"], key.kid());
    let again = SigningKey::from_jwk(&key.to_jwk()).unwrap();
    assert_eq!(again.kid(), key.kid());
    assert_eq!(again.public_jwk(), key.public_jwk());

    let public: Value = serde_json::from_str(&key.public_jwk()).unwrap();
    assert_eq!(public.as_object().unwrap().len(), 4, "{public}");
    assert!(public.get("d").is_none());
    assert_eq!(key.kid().len(), 43);

    let d = jwk["d"].as_str().unwrap();
    let debug = format!("{key:?}");
    assert!(!debug.contains(d), "{debug}");
    assert!(debug.contains(&key.kid()));

    // Only the d alone is enough; a wrong x, kid, curve, alg or use is refused.
    let only_d = json!({"kty": "OKP", "crv": "Ed25519", "d": d}).to_string();
    assert_eq!(SigningKey::from_jwk(&only_d).unwrap().kid(), key.kid());
    let other = SigningKey::generate().unwrap();
    let other_x: Value = serde_json::from_str(&other.public_jwk()).unwrap();
    let mut bad = Vec::new();
    let mut with = |name: &str, value: Value| {
        let mut j = jwk.clone();
        j[name] = value;
        bad.push(j.to_string());
    };
    with("x", other_x["x"].clone());
    with("kid", json!(other.kid()));
    with("crv", json!("X25519"));
    with("kty", json!("EC"));
    with("alg", json!("ES256"));
    with("use", json!("enc"));
    with("d", json!("AAAA"));
    bad.push(key.public_jwk());
    bad.push("not json".into());
    for text in bad {
        let err = SigningKey::from_jwk(&text).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{text}");
        assert!(!err.to_string().contains(d));
    }
}

#[test]
fn pin_sets_are_public_keys_only() {
    let key = SigningKey::generate().unwrap();
    let public: Value = serde_json::from_str(&key.public_jwk()).unwrap();
    let private: Value = serde_json::from_str(&key.to_jwk()).unwrap();
    let mut wrong_kid = public.clone();
    wrong_kid["kid"] = json!(SigningKey::generate().unwrap().kid());
    let mut no_kid = public.clone();
    no_kid.as_object_mut().unwrap().remove("kid");
    assert_eq!(
        SignerPins::from_jwks(&json!({"keys": [no_kid]}).to_string())
            .unwrap()
            .kids(),
        vec![key.kid()]
    );

    let cases = [
        (json!({"keys": [private]}), ErrorCode::InvalidKeyset),
        (json!({"keys": []}), ErrorCode::InvalidKeyset),
        (
            json!({"keys": [public.clone(), public.clone()]}),
            ErrorCode::InvalidKeyset,
        ),
        (json!([public.clone()]), ErrorCode::InvalidKeyset),
        (public.clone(), ErrorCode::InvalidKeyset),
        (json!({"keys": [wrong_kid]}), ErrorCode::InvalidKey),
        (
            json!({"keys": [{"kty": "OKP", "crv": "X25519", "x": public["x"]}]}),
            ErrorCode::InvalidKey,
        ),
        (
            json!({"keys": [{"kty": "OKP", "crv": "Ed25519"}]}),
            ErrorCode::InvalidKey,
        ),
        // The identity point: a small-order key no signature should be checked under.
        (
            json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": b64(&{let mut p = [0u8; 32]; p[0] = 1; p})}]}),
            ErrorCode::InvalidKey,
        ),
    ];
    for (doc, expected) in cases {
        let err = SignerPins::from_jwks(&doc.to_string()).unwrap_err();
        assert_eq!(err.code(), expected, "{doc}");
    }
}

#[test]
fn signing_refuses_version_zero_and_a_past_expiry() {
    let signer = SigningKey::generate().unwrap();
    let keyset = keyset();
    for (version, expires) in [(0, NOW + 60), (1, NOW), (1, NOW - 1)] {
        assert_eq!(
            keyset
                .sign_at(&signer, version, expires, NOW)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidArgument
        );
    }
}
