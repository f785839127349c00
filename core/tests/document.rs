//! The JSON document helper.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{Error, ErrorCode, KeyPair, Keyring, Opener, Sealer, Suite, is_sealed, json_context};
use serde_json::{Value, json};

/// The error of the document value at `pointer`.
fn field(pointer: &str, source: Error) -> Error {
    Error::Field {
        pointer: pointer.into(),
        source: Box::new(source),
    }
}

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
        opener
            .open_json(&sealed, &pointers, Some("patient-8812"))
            .unwrap(),
        doc
    );
    assert_eq!(
        opener.open_json_all(&sealed, Some("patient-8812")).unwrap(),
        doc
    );
    // The record id is bound: another record's id does not open it.
    assert_eq!(
        opener
            .open_json(&sealed, &pointers, Some("patient-8813"))
            .unwrap_err(),
        field("/ssn", Error::DecryptFailed)
    );
    // The error names the value, keeps the code, and says no more.
    let error = opener.open_json_all(&sealed, None).unwrap_err();
    assert_eq!(error, field("/ssn", Error::DecryptFailed));
    assert_eq!(
        (error.code(), error.pointer()),
        (enseal::ErrorCode::DecryptFailed, Some("/ssn"))
    );
    assert_eq!(
        error.to_string(),
        "value at /ssn: decryption failed (wrong key, wrong context, or the value was altered)"
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
        opener
            .open_json(&sealed, &["/ssn", "/dob"], None)
            .unwrap_err(),
        field("/dob", Error::DecryptFailed)
    );
}

#[test]
fn context_is_length_prefixed() {
    assert_eq!(
        json_context("/ssn", Some("r1")).as_bytes(),
        b"\x00\x00\x00\x02r1\x00\x00\x00\x04/ssn"
    );
    assert_eq!(
        json_context("/ssn", None).as_bytes(),
        b"\x00\x00\x00\x00\x00\x00\x00\x04/ssn"
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
            .open(value, json_context("/a~1b/~0", Some("r")))
            .unwrap()
            .as_slice(),
        b"5               "
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
        ErrorCode::InvalidPointer
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
        opener
            .open_json(&sealed, &["/ssn"], None)
            .unwrap_err()
            .code(),
        ErrorCode::BadEncoding
    );
    assert_eq!(
        opener.open_json_all(&sealed, None).unwrap_err().code(),
        ErrorCode::BadEncoding
    );
    // A sealed non-JSON plaintext in a document is reported as such.
    let raw = sealer.seal(b"not json", json_context("/x", None)).unwrap();
    assert_eq!(
        opener
            .open_json(&json!({"x": raw}), &["/x"], None)
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
    let opened = opener
        .open_json_text(&sealed, &["/ssn"], Some("r"))
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&opened).unwrap(),
        json!({"ssn":"123-45-6789","n":1})
    );
    // The whole document may be sealed with the empty pointer.
    let whole = sealer.seal_json(&json!({"a": 1}), &[""], None).unwrap();
    assert!(whole.is_string());
    assert_eq!(
        opener.open_json(&whole, &[""], None).unwrap(),
        json!({"a": 1})
    );
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
    let opened = opener
        .open_json_text(&sealed, &["/acct", "/a/y"], Some("r"))
        .unwrap();
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
        opener
            .open_json_text(&twice, &["/ssn"], None)
            .unwrap_err()
            .code(),
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

#[test]
fn values_are_padded_so_booleans_and_short_values_seal_to_one_length() {
    let (sealer, opener) = pair_and_tools();
    let len = |doc: Value, pad: Option<usize>| {
        let sealed = match pad {
            None => sealer.seal_json(&doc, &["/v"], None).unwrap(),
            Some(pad) => sealer.seal_json_padded(&doc, &["/v"], None, pad).unwrap(),
        };
        assert_eq!(opener.open_json(&sealed, &["/v"], None).unwrap(), doc);
        sealed["v"].as_str().unwrap().len()
    };
    // The review's probe: 113 vs 114 characters before padding.
    assert_eq!(
        len(json!({"v": true}), Some(0)) + 1,
        len(json!({"v": false}), Some(0))
    );
    let same = [
        json!({"v": true}),
        json!({"v": false}),
        json!({"v": null}),
        json!({"v": 7}),
        json!({"v": "F32.1"}),
        json!({"v": "123-45-6789"}),
        json!({"v": "fourteen chars"}),
    ];
    let lengths: Vec<usize> = same.into_iter().map(|d| len(d, None)).collect();
    assert!(lengths.windows(2).all(|w| w[0] == w[1]), "{lengths:?}");
    // 16 JSON bytes fill the bucket; the 17th opens the next one.
    assert!(len(json!({"v": "fifteen chars.."}), None) > lengths[0]);
    // A bigger bucket hides names of different lengths.
    assert_eq!(
        len(json!({"v": "Ada"}), Some(64)),
        len(
            json!({"v": "Augusta Ada King, Countess of Lovelace"}),
            Some(64)
        )
    );
    // The padding is spaces after the JSON text, as FORMAT.md §7 says.
    let sealed = sealer
        .seal_json(&json!({"v": true}), &["/v"], None)
        .unwrap();
    let raw = opener
        .open(sealed["v"].as_str().unwrap(), json_context("/v", None))
        .unwrap();
    assert_eq!(raw.as_slice(), b"true            ");
    assert_eq!(
        sealer
            .seal_json_padded(&json!({"v": 1}), &["/v"], None, 65537)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn wildcards_on_objects_and_overlapping_pointers_are_refused() {
    let (sealer, opener) = pair_and_tools();
    let doc = json!({"o": {"i": "x", "*": "y"}, "a": [1, 2]});
    for pointers in [
        &["/o/*"][..],
        &["/o", "/o/i"],
        &["/o/i", "/o"],
        &["/a/*", "/a/1"],
        &["/a", "/a/*"],
        &["", "/a"],
    ] {
        let err = sealer.seal_json(&doc, pointers, None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidPointer, "{pointers:?}");
        let err = opener.open_json(&doc, pointers, None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidPointer, "{pointers:?}");
    }
    let err = sealer.seal_json(&doc, &["/o/*"], None).unwrap_err();
    assert!(err.to_string().contains("object"), "{err}");
    for pointers in [["/o", "/o/i"], ["/o/i", "/o"]] {
        let err = sealer.seal_json(&doc, &pointers, None).unwrap_err();
        assert!(err.to_string().contains("/o and /o/i overlap"), "{err}");
    }
    let err = sealer.seal_json(&doc, &["/a/1", "/a/*"], None).unwrap_err();
    assert!(err.to_string().contains("/a/1 and /a/* overlap"), "{err}");
    // Overlap is decided on the pointers: `*` over an empty array still overlaps its parent.
    let empty = json!({"v": []});
    assert_eq!(
        sealer
            .seal_json(&empty, &["/v", "/v/*/x"], None)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidPointer
    );
    // Siblings and a prefix of a member's name are not overlaps.
    let doc = json!({"o": 1, "oo": 2, "p": [3, 4]});
    sealer
        .seal_json(&doc, &["/o", "/oo", "/p/0", "/p/1"], None)
        .unwrap();
}

#[test]
fn sealing_refuses_clear_strings_that_carry_the_prefix() {
    let (sealer, _) = pair_and_tools();
    let doc = json!({"ssn": "123-45-6789", "notes": ["ok", "enseal1.hello"]});
    assert_eq!(
        sealer.seal_json(&doc, &["/ssn"], None).unwrap_err(),
        Error::AlreadySealed("/notes/1".into())
    );
    // Sealing that very string is fine: it comes back as the text it was.
    sealer.seal_json(&doc, &["/ssn", "/notes/1"], None).unwrap();
    // Values sealed earlier stay where they are while more fields are sealed.
    let once = sealer.seal_json(&record(), &["/ssn"], None).unwrap();
    let twice = sealer.seal_json(&once, &["/dob"], None).unwrap();
    assert_eq!(twice["ssn"], once["ssn"]);
}

#[test]
fn opening_by_pointers_opens_only_those_values() {
    let (sealer, opener) = pair_and_tools();
    let sealed = sealer
        .seal_json(&record(), &["/ssn", "/visits/*/diagnosis"], Some("r"))
        .unwrap();
    // A client plants a value sealed for /name (anyone with the public key can).
    let mut planted = sealed.clone();
    planted["name"] = sealer
        .seal_json(&json!({"name": {"admin": true}}), &["/name"], Some("r"))
        .unwrap()["name"]
        .clone();
    planted["notes"] = "enseal1.hello".into();
    let opened = opener
        .open_json(&planted, &["/ssn", "/visits/*/diagnosis"], Some("r"))
        .unwrap();
    assert_eq!(opened["ssn"], "123-45-6789");
    assert_eq!(opened["visits"][1]["diagnosis"]["code"], "J45");
    assert_eq!(
        opened["name"], planted["name"],
        "a planted value was opened"
    );
    assert_eq!(opened["notes"], "enseal1.hello");
    // open_json_all opens the planted value and chokes on the clear one.
    assert_eq!(
        opener
            .open_json_all(&planted, Some("r"))
            .unwrap_err()
            .code(),
        ErrorCode::BadEncoding
    );
    // A protected field sent in the clear is refused, naming it.
    let mut clear = sealed.clone();
    clear["ssn"] = "123-45-6789".into();
    let err = opener.open_json(&clear, &["/ssn"], Some("r")).unwrap_err();
    assert_eq!(err, Error::NotSealed("/ssn".into()));
    assert!(!err.to_string().contains("123-45-6789"));
    let mut number = sealed;
    number["ssn"] = 123456789.into();
    assert_eq!(
        opener.open_json(&number, &["/ssn"], Some("r")).unwrap_err(),
        Error::NotSealed("/ssn".into())
    );
    assert_eq!(
        opener
            .open_json(&number, &["/missing"], Some("r"))
            .unwrap_err()
            .code(),
        ErrorCode::PathNotFound
    );
}
