#![no_main]
//! Arbitrary text into `is_sealed` and `Opener::open_text`: never a panic;
//! `is_sealed` false means opening fails before any decryption.

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = &*common::FIXTURE;
    let Ok(text) = std::str::from_utf8(data) else { return };
    for candidate in [text.to_string(), format!("{}{text}", enseal::TEXT_PREFIX)] {
        let sealed = enseal::is_sealed(&candidate);
        let opened = f.opener.open_text(&candidate, b"ctx");
        assert!(opened.is_err());
        if !sealed {
            let code = opened.unwrap_err().code();
            assert!(code != enseal::ErrorCode::DecryptFailed && code != enseal::ErrorCode::UnknownKey);
        }
    }
});
