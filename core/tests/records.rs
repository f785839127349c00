//! Records whose contexts come from a template over their own fields, and
//! re-sealing for key rotation, through the public API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{
    ContextTemplate, Error, ErrorCode, KeyPair, Keyring, Opener, Resealed, Sealed, Sealer, Suite,
};

fn template() -> ContextTemplate {
    ContextTemplate::parse("patients/{id}{pointer}").unwrap()
}

const RECORD: &str =
    r#"{"id":8812,"ssn":"123-45-6789","dx":{"code":"E11.9"},"visits":[{"note":"a"},{"note":"b"}]}"#;
const POINTERS: [&str; 3] = ["/ssn", "/dx/code", "/visits/*/note"];

fn keys() -> (KeyPair, Sealer, Opener) {
    let key = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let opener = Opener::new(Keyring::from_iter([key.clone()]));
    (key, sealer, opener)
}

#[test]
fn each_value_is_bound_to_its_templated_context() {
    let (_, sealer, opener) = keys();
    let sealed = sealer.seal_record(RECORD, &POINTERS, &template()).unwrap();
    assert!(!sealed.contains("123-45-6789") && !sealed.contains("E11.9"));
    let doc: serde_json::Value = serde_json::from_str(&sealed).unwrap();
    let ssn = doc["ssn"].as_str().unwrap();
    // The rule, computed by hand: what any binding or tool computes.
    opener.open(ssn, "patients/8812/ssn").unwrap();
    opener
        .open(
            doc["visits"][1]["note"].as_str().unwrap(),
            "patients/8812/visits/1/note",
        )
        .unwrap();
    assert_eq!(
        opener.open(ssn, "patients/8813/ssn").unwrap_err(),
        Error::DecryptFailed
    );
    let opened = opener.open_record(&sealed, &POINTERS, &template()).unwrap();
    assert_eq!(opened.as_str(), RECORD);
    assert_eq!(
        opener
            .open_record_all(&sealed, &template())
            .unwrap()
            .as_str(),
        RECORD
    );
    // Moved to another patient's record: the id is part of the context.
    let moved = sealed.replace("8812", "8813");
    assert_eq!(
        opener
            .open_record(&moved, &POINTERS, &template())
            .unwrap_err(),
        Error::Field {
            pointer: "/ssn".into(),
            source: Box::new(Error::DecryptFailed)
        }
    );
}

#[test]
fn records_that_cannot_fill_the_template_seal_nothing() {
    let (_, sealer, _) = keys();
    for (record, pointers, code) in [
        (r#"{"ssn":"1"}"#, &["/ssn"][..], ErrorCode::InvalidTemplate),
        (
            r#"{"id":null,"ssn":"1"}"#,
            &["/ssn"],
            ErrorCode::InvalidTemplate,
        ),
        (
            r#"{"id":7,"ssn":"1"}"#,
            &["/id", "/ssn"],
            ErrorCode::InvalidTemplate,
        ),
        (r#"{"id":7,"ssn":"1"}"#, &["/nope"], ErrorCode::PathNotFound),
        (r#"{"id":7,"ssn":"1""#, &["/ssn"], ErrorCode::InvalidJson),
    ] {
        let error = sealer
            .seal_record(record, pointers, &template())
            .unwrap_err();
        assert_eq!(error.code(), code, "{record} {pointers:?}: {error}");
    }
    let fixed = ContextTemplate::parse("patients/{id}/ssn").unwrap();
    sealer
        .seal_record(r#"{"id":7,"ssn":"1"}"#, &["/ssn"], &fixed)
        .unwrap();
    let error = sealer
        .seal_record(r#"{"id":7,"ssn":"1","dx":"2"}"#, &["/ssn", "/dx"], &fixed)
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidTemplate);
}

#[test]
fn reseal_moves_values_to_the_new_key_and_leaves_current_ones() {
    let (old, old_sealer, _) = keys();
    let new = KeyPair::generate(Suite::P256).unwrap();
    let new_sealer = Sealer::new(new.public_key()).unwrap();
    let both = Opener::new(Keyring::from_iter([old.clone(), new.clone()]));

    let on_old = old_sealer.seal(b"123-45-6789", "patients/1/ssn").unwrap();
    let Resealed::Resealed(on_new) = both.reseal(&on_old, "patients/1/ssn", &new_sealer).unwrap()
    else {
        panic!("a value on the old key must be re-sealed");
    };
    let parsed = Sealed::parse(&on_new).unwrap();
    assert_eq!((parsed.kid(), parsed.suite()), (new.kid(), Suite::P256));
    assert_eq!(
        both.reseal(&on_new, "patients/1/ssn", &new_sealer).unwrap(),
        Resealed::AlreadyCurrent
    );

    // Only the new key left: opens, and re-sealing a current value needs no key.
    let only_new = Opener::new(Keyring::from_iter([new.clone()]));
    assert_eq!(
        &only_new.open(&on_new, "patients/1/ssn").unwrap()[..],
        b"123-45-6789"
    );
    // Decided from the kid: even a wrong context is not looked at.
    assert_eq!(
        only_new.reseal(&on_new, "elsewhere", &new_sealer).unwrap(),
        Resealed::AlreadyCurrent
    );
    assert_eq!(
        only_new
            .reseal(&on_old, "patients/1/ssn", &new_sealer)
            .unwrap_err(),
        Error::UnknownKey(old.kid())
    );
    assert_eq!(
        both.reseal(&on_old, "patients/2/ssn", &new_sealer)
            .unwrap_err(),
        Error::DecryptFailed
    );
    assert_eq!(
        both.reseal("enseal1.x", "c", &new_sealer)
            .unwrap_err()
            .code(),
        ErrorCode::BadEncoding
    );
}

#[test]
fn reseal_record_keeps_contexts_padding_and_counts() {
    let (old, old_sealer, _) = keys();
    let new = KeyPair::generate(Suite::X25519).unwrap();
    let new_sealer = Sealer::new(new.public_key()).unwrap();
    let both = Opener::new(Keyring::from_iter([old.clone(), new.clone()]));
    let t = template();

    let sealed = old_sealer.seal_record(RECORD, &POINTERS, &t).unwrap();
    let once = both
        .reseal_record(&sealed, &POINTERS, &t, &new_sealer)
        .unwrap();
    assert_eq!((once.resealed, once.already_current), (4, 0));
    let again = both.reseal_record_all(&once.json, &t, &new_sealer).unwrap();
    assert_eq!((again.resealed, again.already_current), (0, 4));
    assert_eq!(again.json, once.json);

    let only_new = Opener::new(Keyring::from_iter([new.clone()]));
    assert_eq!(
        only_new
            .open_record(&once.json, &POINTERS, &t)
            .unwrap()
            .as_str(),
        RECORD
    );
    let doc: serde_json::Value = serde_json::from_str(&once.json).unwrap();
    // Padding kept: the plaintext is the same bytes, padded to 16.
    let ssn = Sealed::parse(doc["ssn"].as_str().unwrap()).unwrap();
    assert_eq!(ssn.plaintext_len(), 16);

    // All or nothing: a record with one value that cannot be opened.
    let mixed = once.json.replacen(
        doc["ssn"].as_str().unwrap(),
        &old_sealer.seal(b"\"x\"", "patients/9/ssn").unwrap(),
        1,
    );
    let error = both
        .reseal_record(&mixed, &POINTERS, &t, &new_sealer)
        .unwrap_err();
    assert_eq!(
        (error.code(), error.pointer()),
        (ErrorCode::DecryptFailed, Some("/ssn"))
    );
    let error = both
        .reseal_record(r#"{"id":1,"ssn":"clear"}"#, &["/ssn"], &t, &new_sealer)
        .unwrap_err();
    assert_eq!(error, Error::NotSealed("/ssn".into()));
}
