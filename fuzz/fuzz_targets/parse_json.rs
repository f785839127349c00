#![no_main]
//! Arbitrary text into everything that reads JSON (enseal's own reader,
//! core/src/json.rs): keys, keysets, keyrings and both document helpers.
//! Never a panic; a refusal is always the error kind of the API it came from.

mod common;
use enseal::{ErrorCode, KeyPair, Keyring, Keyset, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = &*common::FIXTURE;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let code = |r: Result<(), enseal::Error>| r.err().map(|e| e.code());
    for got in [
        code(PublicKey::from_jwk(text).map(drop)),
        code(KeyPair::from_jwk(text).map(drop)),
    ] {
        assert!(matches!(
            got,
            None | Some(ErrorCode::InvalidKey | ErrorCode::UnsupportedSuite)
        ));
    }
    for got in [
        code(Keyset::from_json(text).map(drop)),
        code(Keyring::from_jwks(text).map(drop)),
    ] {
        assert!(matches!(got, None | Some(ErrorCode::InvalidKeyset)));
    }
    const POINTERS: [&str; 2] = ["/a", "/b/*/0"];
    match f.sealer.seal_json_text(text, &POINTERS, Some("r")) {
        // What was sealed opens at the same pointers.
        Ok(sealed) => assert!(
            f.opener
                .open_json_text(&sealed, &POINTERS, Some("r"))
                .is_ok()
        ),
        Err(e) => assert!(matches!(
            e.code(),
            ErrorCode::InvalidJson
                | ErrorCode::PathNotFound
                | ErrorCode::AlreadySealed
                | ErrorCode::InvalidPointer
        )),
    }
    let _ = f.opener.open_json_text(text, &POINTERS, Some("r"));
    let _ = f.opener.open_json_text_all(text, Some("r"));
});
