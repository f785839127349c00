//! The JSON document helper.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{Error, ErrorCode, KeyPair, Keyring, Opener, Sealer, Suite, is_sealed, json_context};
use serde_json::{Value, json};

fn pair_and_tools() -> (Sealer, Opener) {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    (sealer, Opener::new(Keyring::from_iter([pair])))
}

fn record() -> Value {
    json!({
        "name": "Ada Lovelace",
        "dob": "1815-12-10",
        "ssn": "123-45-6789",
        "visits": [
            {"date": "2026-01-02", "diagnosis": "F32.1", "billed": 120.5, "urgent": false, "notes": null},
            {"date": "2026-03-04", "diagnosis": {"code": "J45", "text": "asthma"}, "billed": 80, "urgent": true, "notes": ["a", 1]}
        ]
    })
}

#[test]
fn seals_selected_fields_and_restores_every_type() {
    let (sealer, opener) = pair_and_tools();
    let doc = record();
    let pointers = [
        "/ssn",
        "/visits/*/diagnosis",
        "/visits/*/billed",
        "/visits/*/urgent",
        "/visits/*/notes",
    ];
    let sealed = sealer
        .seal_json(&doc, &pointers, Some("patient-8812"))
        .unwrap();
    assert_eq!(sealed["name"], "Ada Lovelace");
    assert_eq!(sealed["visits"][0]["date"], "2026-01-02");
    for p in [
        "/ssn",
        "/visits/0/diagnosis",
        "/visits/1/diagnosis",
        "/visits/0/billed",
        "/visits/1/urgent",
        "/visits/0/notes",
    ] {
        assert!(
            is_sealed(sealed.pointer(p).unwrap().as_str().unwrap()),
            "{p}"
        );
    }
    let text = sealed.to_string();
    for secret in ["123-45-6789", "F32.1", "asthma", "J45"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    assert_eq!(
        opener.open_json(&sealed, Some("patient-8812")).unwrap(),
        doc
    );
    // The record id is bound: another record's id does not open it.
    assert_eq!(
        opener.open_json(&sealed, Some("patient-8813")).unwrap_err(),
        Error::DecryptFailed
    );
    assert_eq!(
        opener.open_json(&sealed, None).unwrap_err(),
        Error::DecryptFailed
    );
}

#[test]
fn a_value_moved_to_another_field_does_not_open() {
    let (sealer, opener) = pair_and_tools();
    let mut sealed = sealer
        .seal_json(&record(), &["/ssn", "/dob"], None)
        .unwrap();
    let ssn = sealed["ssn"].clone();
    sealed["dob"] = ssn;
    assert_eq!(
        opener.open_json(&sealed, None).unwrap_err(),
        Error::DecryptFailed
    );
}

#[test]
fn context_is_length_prefixed() {
    assert_eq!(
        json_context("/ssn", Some("r1")),
        b"\x00\x00\x00\x02r1\x00\x00\x00\x04/ssn".to_vec()
    );
    assert_eq!(
        json_context("/ssn", None),
        b"\x00\x00\x00\x00\x00\x00\x00\x04/ssn".to_vec()
    );
    assert_ne!(json_context("/b", Some("a")), json_context("b", Some("a/")));
    // A sealed document value opens with the plain opener and the documented context.
    let (sealer, opener) = pair_and_tools();
    let sealed = sealer
        .seal_json(&json!({"a/b": {"~": 5}}), &["/a~1b/~0"], Some("r"))
        .unwrap();
    let value = sealed["a/b"]["~"].as_str().unwrap();
    assert_eq!(
        opener
            .open_text(value, &json_context("/a~1b/~0", Some("r")))
            .unwrap()
            .as_slice(),
        b"5"
    );
}

#[test]
fn errors_are_specific_and_leave_nothing_half_done() {
    let (sealer, _) = pair_and_tools();
    let doc = record();
    let err = sealer
        .seal_json(&doc, &["/ssn", "/visits/*/missing"], None)
        .unwrap_err();
    assert_eq!(err, Error::PathNotFound("/visits/0/missing".into()));
    assert_eq!(
        sealer
            .seal_json(&doc, &["/visits/7"], None)
            .unwrap_err()
            .code(),
        ErrorCode::PathNotFound
    );
    assert_eq!(
        sealer
            .seal_json(&doc, &["/name/first"], None)
            .unwrap_err()
            .code(),
        ErrorCode::PathNotFound
    );
    assert_eq!(
        sealer.seal_json(&doc, &["ssn"], None).unwrap_err().code(),
        ErrorCode::InvalidPointer
    );
    assert_eq!(
        sealer.seal_json(&doc, &["/a~9"], None).unwrap_err().code(),
        ErrorCode::InvalidPointer
    );
    assert_eq!(doc, record(), "input document changed");
    let once = sealer.seal_json(&doc, &["/ssn"], None).unwrap();
    assert_eq!(
        sealer.seal_json(&once, &["/ssn"], None).unwrap_err(),
        Error::AlreadySealed("/ssn".into())
    );
    assert_eq!(
        sealer
            .seal_json(&doc, &["/ssn", "/ssn"], None)
            .unwrap_err()
            .code(),
        ErrorCode::AlreadySealed
    );
    assert_eq!(
        sealer
            .seal_json_text("{", &["/a"], None)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidJson
    );
    // Wildcard over an empty array matches nothing, which is not an error.
    assert_eq!(
        sealer
            .seal_json(&json!({"v": []}), &["/v/*/x"], None)
            .unwrap(),
        json!({"v": []})
    );
}

#[test]
fn open_json_rejects_broken_sealed_strings() {
    let (sealer, opener) = pair_and_tools();
    let mut sealed = sealer.seal_json(&record(), &["/ssn"], None).unwrap();
    sealed["ssn"] = format!("{}!", sealed["ssn"].as_str().unwrap()).into();
    assert_eq!(
        opener.open_json(&sealed, None).unwrap_err().code(),
        ErrorCode::BadEncoding
    );
    // A sealed non-JSON plaintext in a document is reported as such.
    let raw = sealer
        .seal_text(b"not json", &json_context("/x", None))
        .unwrap();
    assert_eq!(
        opener
            .open_json(&json!({"x": raw}), None)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidJson
    );
}

#[test]
fn text_api_round_trips() {
    let (sealer, opener) = pair_and_tools();
    let sealed = sealer
        .seal_json_text(r#"{"ssn":"123-45-6789","n":1}"#, &["/ssn"], Some("r"))
        .unwrap();
    assert!(!sealed.contains("123-45-6789"));
    let opened = opener.open_json_text(&sealed, Some("r")).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&opened).unwrap(),
        json!({"ssn":"123-45-6789","n":1})
    );
    // The whole document may be sealed with the empty pointer.
    let whole = sealer.seal_json(&json!({"a": 1}), &[""], None).unwrap();
    assert!(whole.is_string());
    assert_eq!(opener.open_json(&whole, None).unwrap(), json!({"a": 1}));
}

#[test]
fn text_api_keeps_member_order_and_numbers_exactly() {
    let (sealer, opener) = pair_and_tools();
    // A 23-digit account number would lose digits through an f64.
    let doc = r#"{"z":1,"acct":12345678901234567890123,"a":{"y":1E5,"b":-0.10},"m":"\u00e9\n"}"#;
    let sealed = sealer
        .seal_json_text(doc, &["/acct", "/a/y"], Some("r"))
        .unwrap();
    assert!(sealed.starts_with(r#"{"z":1,"acct":"enseal1."#), "{sealed}");
    assert!(!sealed.contains("12345678901234567890123"));
    let opened = opener.open_json_text(&sealed, Some("r")).unwrap();
    assert_eq!(
        opened.as_str(),
        r#"{"z":1,"acct":12345678901234567890123,"a":{"y":1E5,"b":-0.10},"m":"é\n"}"#
    );
}

#[test]
fn duplicate_member_names_are_refused_not_merged() {
    let (sealer, opener) = pair_and_tools();
    // Readers disagree on which "ssn" counts: sealing one of them could leave the other readable.
    let doc = r#"{"ssn":"123-45-6789","ssn":"x"}"#;
    let err = sealer.seal_json_text(doc, &["/ssn"], None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidJson);
    assert!(!err.to_string().contains("123-45-6789"));
    let sealed = sealer
        .seal_json_text(r#"{"ssn":"123-45-6789"}"#, &["/ssn"], None)
        .unwrap();
    let twice = sealed.replacen('{', r#"{"ssn":"plain","#, 1);
    assert_eq!(
        opener.open_json_text(&twice, None).unwrap_err().code(),
        ErrorCode::InvalidJson
    );
    // The same holds for keys and keysets.
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let jwk = pair.public_key().to_jwk();
    let doubled = jwk.replacen('{', r#"{"x":"AAAA","#, 1);
    assert_eq!(
        enseal::PublicKey::from_jwk(&doubled).unwrap_err().code(),
        ErrorCode::InvalidKey
    );
}
