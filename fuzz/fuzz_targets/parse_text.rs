#![no_main]
//! The text form (docs/FORMAT.md §5): `decode_text`, `encode_text`,
//! `is_sealed` and `Opener::open_text`.
//!
//! Checks, for the input as text and with `enseal1.` put in front of it:
//! * `decode_text` refuses text without the exact prefix with `BAD_PREFIX`,
//!   and anything else only with `BAD_ENCODING` or `TOO_LARGE`;
//! * decoding is canonical: what decodes encodes back to the very same text;
//! * `is_sealed` is true exactly when `decode_text` succeeds *and* steps 1–3
//!   of opening pass on the bytes (§5; `common::header_error` works those
//!   out from the spec). It is not "decode_text succeeds": `enseal1.` alone
//!   decodes (to nothing) but is not sealed;
//! * `open_text` with a keyless opener fails with the decoding error, the
//!   step 1–3 error, or, exactly when `is_sealed`, `UNKNOWN_KEY`.
//!
//! And for the input as bytes: `decode_text(encode_text(bytes)) == bytes` and
//! `is_sealed(encode_text(bytes))` agrees with steps 1–3 on those bytes.

mod common;
use common::header_error;
use enseal::{ErrorCode, Keyring, Opener, TEXT_PREFIX, decode_text, encode_text, is_sealed};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static KEYLESS: LazyLock<Opener> = LazyLock::new(|| Opener::new(Keyring::new()));

fn check_text(text: &str) {
    let sealed = is_sealed(text);
    let decoded = decode_text(text);
    let opened = KEYLESS
        .open_text(text, b"ctx")
        .map(drop)
        .map_err(|e| e.code());
    match &decoded {
        Ok(bytes) => {
            assert_eq!(encode_text(bytes), text, "decoding is not canonical");
            assert_eq!(sealed, header_error(bytes).is_none(), "is_sealed({text:?})");
            let expected = header_error(bytes).unwrap_or(ErrorCode::UnknownKey);
            assert_eq!(opened, Err(expected), "open_text({text:?})");
        }
        Err(e) => {
            assert!(!sealed, "is_sealed({text:?}) but decode_text fails: {e}");
            let expected = if text.starts_with(TEXT_PREFIX) {
                assert!(
                    matches!(e.code(), ErrorCode::BadEncoding | ErrorCode::TooLarge),
                    "{e}"
                );
                e.code()
            } else {
                ErrorCode::BadPrefix
            };
            assert_eq!(e.code(), expected);
            assert_eq!(opened, Err(expected), "open_text({text:?})");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = encode_text(data);
    assert!(text.starts_with(TEXT_PREFIX));
    assert_eq!(decode_text(&text).unwrap(), data);
    assert_eq!(is_sealed(&text), header_error(data).is_none());
    if let Ok(text) = std::str::from_utf8(data) {
        check_text(text);
        check_text(&format!("{TEXT_PREFIX}{text}"));
    }
});
