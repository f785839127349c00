#![no_main]
//! The text form (docs/FORMAT.md §5): `Sealed::parse`, `Sealed::from_binary`,
//! `is_sealed` and `Opener::open`.
//!
//! Checks, for the input as text and with `enseal1.` put in front of it:
//! * `Sealed::parse` refuses text without the exact prefix with `BAD_PREFIX`;
//!   with the prefix, it fails exactly as steps 1–3 of opening do
//!   (`BAD_ENCODING`, `TOO_LARGE`, or the header error that
//!   `common::header_error` works out from the spec);
//! * parsing is canonical: what parses writes back the very same text;
//! * `is_sealed` is true exactly when `Sealed::parse` succeeds;
//! * `open` with a keyless opener fails with the parsing error or, exactly
//!   when the value parses, `UNKNOWN_KEY`.
//!
//! And for the input as bytes: `Sealed::from_binary` succeeds exactly when
//! steps 1–3 pass, and its text form parses back to the same value.

mod common;
use common::header_error;
use enseal::format::TEXT_PREFIX;
use enseal::{ErrorCode, Keyring, Opener, Sealed, is_sealed};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static KEYLESS: LazyLock<Opener> = LazyLock::new(|| Opener::new(Keyring::new()));

fn check_text(text: &str) {
    let sealed = is_sealed(text);
    let parsed = Sealed::parse(text);
    let opened = KEYLESS.open(text, "ctx").map(drop).map_err(|e| e.code());
    match &parsed {
        Ok(value) => {
            assert!(sealed, "parses but is_sealed({text:?}) is false");
            assert_eq!(value.to_text(), text, "parsing is not canonical");
            assert_eq!(header_error(value.as_binary()), None);
            assert_eq!(opened, Err(ErrorCode::UnknownKey), "open({text:?})");
        }
        Err(e) => {
            assert!(!sealed, "is_sealed({text:?}) but Sealed::parse fails: {e}");
            if !text.starts_with(TEXT_PREFIX) {
                assert_eq!(e.code(), ErrorCode::BadPrefix);
            }
            assert_eq!(opened, Err(e.code()), "open({text:?})");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    match Sealed::from_binary(data) {
        Ok(value) => {
            assert_eq!(header_error(data), None);
            let text = value.to_text();
            assert!(text.starts_with(TEXT_PREFIX));
            assert!(is_sealed(&text));
            assert_eq!(Sealed::parse(&text).unwrap(), value);
            assert_eq!(value.as_binary(), data);
        }
        Err(e) => assert_eq!(Some(e.code()), header_error(data)),
    }
    if let Ok(text) = std::str::from_utf8(data) {
        check_text(text);
        check_text(&format!("{TEXT_PREFIX}{text}"));
    }
});
