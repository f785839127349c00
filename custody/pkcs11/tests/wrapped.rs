//! The wrapped key: an enseal private key encrypted by a non-extractable
//! AES-256 key in the token, unwrapped into locked memory for a bounded
//! lifetime. One token call per lifetime, counted; a tampered file is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use enseal::{ErrorCode, KeyCustody, KeyPair, Keyring, Opener, Sealer, Suite};
use enseal_pkcs11::WrappedKey;
use std::sync::Arc;

fn wrapping_key() -> String {
    let label = common::label("wrap");
    enseal_pkcs11::generate_wrapping_key(&common::uri("", ""), &label).unwrap();
    common::uri(&format!("object={label};type=secret-key"), "")
}

fn pin_query(extra: &str) -> String {
    format!(
        "pin-source=file:{}{extra}",
        common::env("ENSEAL_TEST_PKCS11_PIN_FILE")
    )
}

#[test]
fn fields_open_through_a_wrapped_key_and_its_file_holds_no_secret() {
    let wrapping = wrapping_key();
    for suite in [Suite::P256, Suite::X25519, Suite::XWing] {
        let pair = KeyPair::generate(suite).unwrap();
        let file = enseal_pkcs11::wrap(&pair, &wrapping).unwrap();
        let json: serde_json::Value = serde_json::from_str(&file).unwrap();
        assert_eq!(json["type"], "enseal-wrapped-key");
        assert_eq!(json["kid"], pair.kid().to_string());
        // Neither the PIN nor the private key is in the file.
        let pin = std::fs::read_to_string(common::env("ENSEAL_TEST_PKCS11_PIN_FILE")).unwrap();
        assert!(
            !file.contains(pin.trim_end()) && !file.contains("pin-source"),
            "{file}"
        );
        let private = <base64ct::Base64UrlUnpadded as base64ct::Encoding>::encode_string(
            &pair.private_bytes(),
        );
        assert!(!file.contains(&private[..16]));

        let dir = tempdir();
        let path = dir.join("key.wrapped.json");
        std::fs::write(&path, &file).unwrap();
        let custody =
            enseal_pkcs11::open(&format!("wrapped:{}?{}", path.display(), pin_query(""))).unwrap();
        assert_eq!(
            custody.public_key().as_bytes(),
            pair.public_key().as_bytes()
        );
        let mut ring = Keyring::new();
        ring.add_custody(custody);
        let opener = Opener::new(ring);
        for s in 0..5 {
            let sealer = Sealer::new(pair.public_key()).unwrap();
            for i in 0..3 {
                let clear = format!("{suite:?} {s} {i}");
                let field = sealer.seal(clear.as_bytes(), "c").unwrap();
                assert_eq!(opener.open_string(&field, "c").unwrap().as_str(), clear);
            }
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(common::label("enseal-wrapped"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_lifetime_of_n_sessions_costs_exactly_one_token_call() {
    let wrapping = wrapping_key();
    let pair = KeyPair::generate(Suite::P256).unwrap();
    let file = enseal_pkcs11::wrap(&pair, &wrapping).unwrap();
    let key = Arc::new(WrappedKey::from_json(&file, &pin_query("&max-sessions=10")).unwrap());
    assert_eq!(key.unwraps(), 1, "unwrapped once when opened");
    assert_eq!(
        key.is_locked(),
        Some(true),
        "mlock'ed (ulimit -l allows a page)"
    );
    let debug = format!("{key:?}");
    assert!(
        debug.contains("[redacted]") && !debug.contains("pin-source"),
        "{debug}"
    );

    let mut ring = Keyring::new();
    ring.add_custody(key.clone());
    let opener = Opener::new(ring);
    let open_sessions = |n: usize| {
        for _ in 0..n {
            let field = Sealer::new(pair.public_key())
                .unwrap()
                .seal(b"v", "c")
                .unwrap();
            assert_eq!(opener.open(&field, "c").unwrap().as_slice(), b"v");
        }
    };
    open_sessions(10);
    assert_eq!(key.unwraps(), 1, "10 sessions: one lifetime");
    open_sessions(1);
    assert_eq!(
        key.unwraps(),
        2,
        "the 11th session: exactly one new token call"
    );
    open_sessions(9);
    assert_eq!(key.unwraps(), 2);
    open_sessions(25);
    assert_eq!(key.unwraps(), 5, "45 sessions, 10 per lifetime");

    // max-age=0: every session unwraps again (the other extreme: one token
    // call per session, like a key in the token).
    let key = Arc::new(WrappedKey::from_json(&file, &pin_query("&max-age=0")).unwrap());
    let mut ring = Keyring::new();
    ring.add_custody(key.clone());
    let field = Sealer::new(pair.public_key())
        .unwrap()
        .seal(b"v", "c")
        .unwrap();
    let sealed = enseal::Sealed::parse(&field).unwrap();
    for n in 0..3 {
        key.private_key_op(sealed.enc()).unwrap();
        assert_eq!(key.unwraps(), 2 + n);
    }
}

#[test]
fn a_tampered_or_misdirected_file_is_a_clear_error() {
    let wrapping = wrapping_key();
    let pair = KeyPair::generate(Suite::P256).unwrap();
    let file = enseal_pkcs11::wrap(&pair, &wrapping).unwrap();
    let json: serde_json::Value = serde_json::from_str(&file).unwrap();
    let other = KeyPair::generate(Suite::P256).unwrap();
    let other_file: serde_json::Value =
        serde_json::from_str(&enseal_pkcs11::wrap(&other, &wrapping).unwrap()).unwrap();

    let flip = |name: &str| {
        let mut j = json.clone();
        let s = j[name].as_str().unwrap().to_string();
        let mut bytes: Vec<char> = s.chars().collect();
        bytes[4] = if bytes[4] == 'A' { 'B' } else { 'A' };
        j[name] = bytes.into_iter().collect::<String>().into();
        j.to_string()
    };
    let swap = |name: &str| {
        let mut j = json.clone();
        j[name] = other_file[name].clone();
        j.to_string()
    };
    let cases = [
        (flip("ciphertext"), "does not authenticate"),
        (flip("iv"), "does not authenticate"),
        // Another key's public key and kid with this ciphertext: the AAD binds them.
        (
            {
                let mut j = json.clone();
                j["public_key"] = other_file["public_key"].clone();
                j["kid"] = other_file["kid"].clone();
                j.to_string()
            },
            "does not authenticate",
        ),
        (swap("kid"), "kid is not the public key's key id"),
        (
            {
                let mut j = json.clone();
                j["suite"] = "X25519".into();
                j.to_string()
            },
            "public_key",
        ),
        ("{}".to_string(), "no string"),
        ("not json".to_string(), "not JSON"),
    ];
    for (text, what) in cases {
        let err = WrappedKey::from_json(&text, &pin_query("")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument, "{err}");
        assert!(err.to_string().contains(what), "{what}: {err}");
    }
    // Wrapped under another wrapping key (same token): refused as well.
    let elsewhere = wrapping_key();
    let mut j = json.clone();
    j["wrapping_key"] = enseal_pkcs11_path(&elsewhere).into();
    let err = WrappedKey::from_json(&j.to_string(), &pin_query("")).unwrap_err();
    assert!(err.to_string().contains("does not authenticate"), "{err}");
    // The untouched file still opens.
    WrappedKey::from_json(&file, &pin_query("")).unwrap();
}

fn enseal_pkcs11_path(uri: &str) -> String {
    uri.split_once('?').unwrap().0.to_string()
}
