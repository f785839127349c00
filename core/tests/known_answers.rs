//! The project's own known-answer vectors, tests/vectors/enseal-v1.json.
//!
//! Always: every positive case opens to its plaintext (binary and text) and
//! every negative case fails with its error code; every binding repeats this.
//! With `--features test-vectors`: the whole file is regenerated from fixed
//! randomness and must equal the committed file byte for byte
//! (`ENSEAL_WRITE_VECTORS=1` writes it instead).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use enseal::{ErrorCode, Opener};

#[test]
fn positive_cases_open_to_their_plaintext() {
    let kat = load_kat();
    let opener = Opener::new(kat_keyring(&kat));
    let mut opened = 0;
    for suite in kat["suites"].as_array().unwrap() {
        for case in suite["positive"].as_array().unwrap() {
            let context = hexf(case, "context_hex");
            let plaintext = hexf(case, "plaintext_hex");
            let sealed = hexf(case, "sealed_hex");
            assert_eq!(
                opener
                    .open_binary(&sealed, enseal::Context::bytes(&context))
                    .unwrap()
                    .as_slice(),
                plaintext.as_slice()
            );
            let text = case["sealed_text"].as_str().unwrap();
            assert!(enseal::is_sealed(text));
            assert_eq!(
                opener
                    .open(text, enseal::Context::bytes(&context))
                    .unwrap()
                    .as_slice(),
                plaintext.as_slice()
            );
            opened += 1;
        }
    }
    assert_eq!(opened, 16);
}

#[test]
fn negative_cases_fail_with_their_code() {
    let kat = load_kat();
    let opener = Opener::new(kat_keyring(&kat));
    let cases = kat["negative"].as_array().unwrap();
    let mut codes = std::collections::BTreeSet::new();
    for case in cases {
        let context = hexf(case, "context_hex");
        let result = match case.get("sealed_text") {
            Some(text) => opener.open(text.as_str().unwrap(), enseal::Context::bytes(&context)),
            None => opener.open_binary(&hexf(case, "sealed_hex"), enseal::Context::bytes(&context)),
        };
        let err = result.expect_err(case["name"].as_str().unwrap());
        let want = ErrorCode::from_u16(case["code"].as_u64().unwrap() as u16).unwrap();
        assert_eq!(err.code(), want, "{}: {err}", case["name"]);
        assert_eq!(want.name(), case["error"].as_str().unwrap());
        if let Some(text) = case.get("sealed_text") {
            assert!(
                !enseal::is_sealed(text.as_str().unwrap()) || want.as_u16() >= 200,
                "{}",
                case["name"]
            );
        }
        codes.insert(want.name());
    }
    assert_eq!(cases.len(), 111);
    // The cases that catch lenient decoders and point parsers, by name and code.
    let count = |prefix: &str, code: &str| {
        cases
            .iter()
            .filter(|c| c["name"].as_str().unwrap().starts_with(prefix) && c["error"] == code)
            .count()
    };
    assert_eq!(count("text: correct padding", "BAD_ENCODING"), 2);
    assert_eq!(
        count("X25519: enc is a low-order point", "DECRYPT_FAILED"),
        14
    );
    assert_eq!(
        count("P-256: enc compressed (33 bytes), SSN", "TRUNCATED"),
        1
    );
    assert_eq!(
        count("P-256: enc compressed (33 bytes), 1KiB", "DECRYPT_FAILED"),
        1
    );
    assert_eq!(count("P-256: enc in hybrid form", "DECRYPT_FAILED"), 1);
    assert_eq!(count("X-Wing: X25519 part of enc", "DECRYPT_FAILED"), 1);
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        [
            "BAD_ENCODING",
            "BAD_PREFIX",
            "DECRYPT_FAILED",
            "TRUNCATED",
            "UNKNOWN_KEY",
            "UNSUPPORTED_SUITE",
            "UNSUPPORTED_VERSION"
        ]
    );
}

#[cfg(feature = "test-vectors")]
#[test]
fn vector_file_is_reproduced_from_fixed_randomness() {
    let generated = generate::all();
    let path = vectors_dir().join(KAT_FILE);
    if std::env::var_os("ENSEAL_WRITE_VECTORS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == generated,
        "tests/vectors/{KAT_FILE} differs from what this build generates"
    );
}

#[cfg(feature = "test-vectors")]
mod generate {
    use super::*;
    use enseal::format::{TEXT_PREFIX, header_len};
    use enseal::{KeyPair, Sealer, Suite};
    use serde_json::{Value, json};
    use sha2::{Digest, Sha256};

    fn label_bytes(label: &str, len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0u8;
        while out.len() < len {
            out.extend(
                Sha256::new()
                    .chain_update(label)
                    .chain_update([i])
                    .finalize(),
            );
            i += 1;
        }
        out.truncate(len);
        out
    }

    fn randomness_len(suite: Suite) -> usize {
        if suite == Suite::XWing { 64 } else { 32 }
    }

    const SSN: &[u8] = b"123-45-6789";

    fn plaintexts() -> Vec<(&'static str, &'static str, Vec<u8>)> {
        let pattern = |n: usize| (0..n).map(|i| (i % 251) as u8).collect::<Vec<u8>>();
        vec![
            ("empty", "patients/8812/notes", vec![]),
            ("one-byte", "patients/8812/flag", vec![0x59]),
            ("ssn", "patients/8812/ssn", SSN.to_vec()),
            ("1KiB", "patients/8812/diagnosis", pattern(1024)),
            ("64KiB", "patients/8812/scan", pattern(65536)),
        ]
    }

    /// The exported key || base_nonce, recomputed with `hpke` directly, for implementers.
    fn exported_secret(pair: &KeyPair, enc: &[u8]) -> Vec<u8> {
        use hpke::aead::AesGcm256;
        use hpke::kdf::HkdfSha256;
        use hpke::kem::{DhP256HkdfSha256, X25519HkdfSha256, XWing};
        use hpke::{Deserializable, Kem, OpModeR};
        fn run<K: Kem>(sk: &[u8], enc: &[u8]) -> Vec<u8> {
            let sk = K::PrivateKey::from_bytes(sk).unwrap();
            let enc = K::EncappedKey::from_bytes(enc).unwrap();
            let ctx = hpke::setup_receiver::<AesGcm256, HkdfSha256, K>(
                &OpModeR::Base,
                &sk,
                &enc,
                b"enseal/v1",
            )
            .unwrap();
            let mut out = vec![0u8; 44];
            ctx.export(b"enseal/v1 field", &mut out).unwrap();
            out
        }
        let sk = pair.private_bytes();
        match pair.suite() {
            Suite::X25519 => run::<X25519HkdfSha256>(&sk, enc),
            Suite::P256 => run::<DhP256HkdfSha256>(&sk, enc),
            _ => run::<XWing>(&sk, enc),
        }
    }

    /// The X25519 encodings of low-order points (libsodium's blocklist, RFC 7748
    /// little-endian u): 0, 1, the two points of order 8, p-1, p, p+1.
    fn low_order_points() -> Vec<(&'static str, [u8; 32])> {
        let le = |h: &str| -> [u8; 32] { hex::decode(h).unwrap().try_into().unwrap() };
        vec![
            ("0", [0; 32]),
            (
                "1",
                le("0100000000000000000000000000000000000000000000000000000000000000"),
            ),
            (
                "order 8, first",
                le("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
            ),
            (
                "order 8, second",
                le("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
            ),
            (
                "p-1",
                le("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            ),
            (
                "p",
                le("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            ),
            (
                "p+1",
                le("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            ),
        ]
    }

    /// An X-Wing field whose enc carries the zero point as its X25519 part
    /// (`ct_x`), sealed validly: X-Wing decapsulation never fails, and a
    /// sealer who ran the ML-KEM encapsulation knows `ss_M`, while `ss_X` is
    /// the all-zero X25519 output, so anyone with the public key can build
    /// it. The generator takes the session secret from `SetupBaseR` (it has
    /// the private key), then seals with a plain AES-256-GCM.
    fn xwing_low_order_positive(pair: &KeyPair, session_enc: &[u8]) -> Value {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        use aes_gcm::{Aes256Gcm, Nonce};
        let mut enc = session_enc.to_vec();
        enc[1088..].fill(0);
        let secret = exported_secret(pair, &enc);
        let (counter, context) = (0u64, "patients/8812/ssn");
        let mut header = vec![1u8];
        header.extend_from_slice(&Suite::XWing.kem_id().to_be_bytes());
        header.extend_from_slice(pair.kid().as_bytes());
        header.extend_from_slice(&enc);
        header.extend_from_slice(&counter.to_be_bytes());
        let mut nonce: [u8; 12] = secret[32..44].try_into().unwrap();
        for (n, c) in nonce[4..].iter_mut().zip(counter.to_be_bytes()) {
            *n ^= c;
        }
        let aad = [header.as_slice(), context.as_bytes()].concat();
        let body = Aes256Gcm::new_from_slice(&secret[..32])
            .unwrap()
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: SSN,
                    aad: &aad,
                },
            )
            .unwrap();
        let sealed = [header, body].concat();
        json!({
            "name": "ssn, X25519 part of enc is the zero point (own session)",
            "counter": counter,
            "context": context,
            "context_hex": hex::encode(context),
            "plaintext_hex": hex::encode(SSN),
            "sealed_hex": hex::encode(&sealed),
            "sealed_text": format!("{TEXT_PREFIX}{}", base64url(&sealed)),
        })
    }

    struct SuiteCases {
        json: Value,
        pair: KeyPair,
        ssn: (Vec<u8>, Vec<u8>),
        kib: (Vec<u8>, Vec<u8>),
        outsider_ssn: Vec<u8>,
        outsider_kid: [u8; 8],
    }

    fn suite_cases(suite: Suite) -> SuiteCases {
        let name = suite.name();
        let ikm = label_bytes(&format!("enseal/v1 test vector recipient {name}"), 32);
        let pair = KeyPair::derive(suite, &ikm).unwrap();
        let randomness = label_bytes(
            &format!("enseal/v1 test vector encapsulation {name}"),
            randomness_len(suite),
        );
        let sealer =
            Sealer::with_fixed_randomness(pair.public_key(), 1 << 32, &randomness).unwrap();
        let mut positive = Vec::new();
        let (mut ssn, mut kib) = (Default::default(), Default::default());
        let mut enc = Vec::new();
        for (counter, (case, context, plaintext)) in plaintexts().into_iter().enumerate() {
            let sealed = sealer
                .seal_binary(&plaintext, enseal::Context::bytes(context.as_bytes()))
                .unwrap();
            enc = sealed[11..11 + suite.enc_len()].to_vec();
            let text = format!("{TEXT_PREFIX}{}", base64url(&sealed));
            if case == "ssn" {
                ssn = (sealed.clone(), context.as_bytes().to_vec());
            }
            if case == "1KiB" {
                kib = (sealed.clone(), context.as_bytes().to_vec());
            }
            positive.push(json!({
                "name": case,
                "counter": counter,
                "context": context,
                "context_hex": hex::encode(context),
                "plaintext_hex": hex::encode(&plaintext),
                "sealed_hex": hex::encode(&sealed),
                "sealed_text": text,
            }));
        }
        if suite == Suite::XWing {
            positive.push(xwing_low_order_positive(&pair, &enc));
        }
        let outsider = KeyPair::derive(
            suite,
            &label_bytes(&format!("enseal/v1 test vector outsider {name}"), 32),
        )
        .unwrap();
        let outsider_rand = label_bytes(
            &format!("enseal/v1 test vector outsider encapsulation {name}"),
            randomness_len(suite),
        );
        let outsider_sealer =
            Sealer::with_fixed_randomness(outsider.public_key(), 1 << 32, &outsider_rand).unwrap();
        let outsider_ssn = outsider_sealer
            .seal_binary(SSN, enseal::Context::bytes(&ssn.1))
            .unwrap();
        let json = json!({
            "suite": name,
            "kem_id": suite.kem_id(),
            "ikm_hex": hex::encode(&ikm),
            "private_key": hex::encode(pair.private_bytes().as_slice()),
            "public_key": hex::encode(pair.public_key().as_bytes()),
            "kid": pair.kid().to_string(),
            "kid_hex": hex::encode(pair.kid().as_bytes()),
            "public_jwk": serde_json::from_str::<Value>(&pair.public_key().to_jwk()).unwrap(),
            "private_jwk": serde_json::from_str::<Value>(&pair.to_jwk()).unwrap(),
            "encap_randomness_hex": hex::encode(&randomness),
            "enc_hex": hex::encode(&enc),
            "exported_secret_hex": hex::encode(exported_secret(&pair, &enc)),
            "positive": positive,
        });
        SuiteCases {
            json,
            outsider_kid: *outsider.kid().as_bytes(),
            pair,
            ssn,
            kib,
            outsider_ssn,
        }
    }

    fn base64url(bytes: &[u8]) -> String {
        use base64ct::{Base64UrlUnpadded, Encoding};
        Base64UrlUnpadded::encode_string(bytes)
    }

    fn binary(name: String, sealed: &[u8], context: &[u8], code: ErrorCode) -> Value {
        json!({ "name": name, "sealed_hex": hex::encode(sealed), "context_hex": hex::encode(context),
                "error": code.name(), "code": code.as_u16() })
    }

    fn text(name: String, sealed_text: &str, context: &[u8], code: ErrorCode) -> Value {
        json!({ "name": name, "sealed_text": sealed_text, "context_hex": hex::encode(context),
                "error": code.name(), "code": code.as_u16() })
    }

    fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
        let mut v = bytes.to_vec();
        v[at] ^= 0x01;
        v
    }

    fn negatives(s: &SuiteCases, all: &[SuiteCases]) -> Vec<Value> {
        let suite = s.pair.suite();
        let n = suite.name();
        let (ssn, ctx) = (&s.ssn.0, &s.ssn.1);
        let h = header_len(suite);
        let enc_at = 11;
        let mut out = vec![
            binary(
                format!("{n}: wrong context"),
                ssn,
                b"patients/8813/ssn",
                ErrorCode::DecryptFailed,
            ),
            binary(
                format!("{n}: empty context"),
                ssn,
                b"",
                ErrorCode::DecryptFailed,
            ),
            binary(
                format!("{n}: sealed to a key not in the keyring"),
                &s.outsider_ssn,
                ctx,
                ErrorCode::UnknownKey,
            ),
        ];
        // Another key's session with our kid written in: the kid finds our key, which cannot open it.
        let mut forged = s.outsider_ssn.clone();
        forged[3..11].copy_from_slice(s.pair.kid().as_bytes());
        out.push(binary(
            format!("{n}: wrong key (kid rewritten to ours)"),
            &forged,
            ctx,
            ErrorCode::DecryptFailed,
        ));
        assert_ne!(s.outsider_kid, *s.pair.kid().as_bytes());
        // Every header field altered.
        let mut v = ssn.clone();
        v[0] = 0x02;
        out.push(binary(
            format!("{n}: version 2"),
            &v,
            ctx,
            ErrorCode::UnsupportedVersion,
        ));
        v[0] = 0x00;
        out.push(binary(
            format!("{n}: version 0"),
            &v,
            ctx,
            ErrorCode::UnsupportedVersion,
        ));
        let mut v = ssn.clone();
        v[1..3].copy_from_slice(&0x0011u16.to_be_bytes());
        out.push(binary(
            format!("{n}: kem_id 0x0011 (P-384, unsupported)"),
            &v,
            ctx,
            ErrorCode::UnsupportedSuite,
        ));
        for other in all.iter().map(|o| o.pair.suite()).filter(|o| *o != suite) {
            // Same bytes read as another suite: either too short for it, or its kid has no key of that suite.
            let mut v = s.kib.0.clone();
            v[1..3].copy_from_slice(&other.kem_id().to_be_bytes());
            let code = if v.len() < enseal::format::sealed_len(other, 0) {
                ErrorCode::Truncated
            } else {
                ErrorCode::UnknownKey
            };
            out.push(binary(
                format!("{n}: 1KiB value with kem_id of {}", other.name()),
                &v,
                &s.kib.1,
                code,
            ));
        }
        out.push(binary(
            format!("{n}: kid altered"),
            &flip(ssn, 3 + 7),
            ctx,
            ErrorCode::UnknownKey,
        ));
        out.push(binary(
            format!("{n}: enc altered (first byte)"),
            &flip(ssn, enc_at),
            ctx,
            ErrorCode::DecryptFailed,
        ));
        out.push(binary(
            format!("{n}: enc altered (last byte)"),
            &flip(ssn, h - 9),
            ctx,
            ErrorCode::DecryptFailed,
        ));
        out.push(binary(
            format!("{n}: counter altered"),
            &flip(ssn, h - 1),
            ctx,
            ErrorCode::DecryptFailed,
        ));
        out.push(binary(
            format!("{n}: ciphertext bit flipped"),
            &flip(ssn, h),
            ctx,
            ErrorCode::DecryptFailed,
        ));
        out.push(binary(
            format!("{n}: tag bit flipped"),
            &flip(ssn, ssn.len() - 1),
            ctx,
            ErrorCode::DecryptFailed,
        ));
        let mut appended = ssn.clone();
        appended.push(0);
        out.push(binary(
            format!("{n}: trailing byte appended"),
            &appended,
            ctx,
            ErrorCode::DecryptFailed,
        ));
        // Truncation at every length class.
        for (class, len) in [
            ("empty", 0),
            ("version only", 1),
            ("inside kem_id", 2),
            ("after kem_id", 3),
            ("inside kid", 7),
            ("inside enc", enc_at + suite.enc_len() / 2),
            ("inside counter", h - 4),
            ("header only", h),
            ("inside tag", h + 15),
        ] {
            out.push(binary(
                format!("{n}: truncated, {class} ({len} bytes)"),
                &ssn[..len],
                ctx,
                ErrorCode::Truncated,
            ));
        }
        out.push(binary(
            format!("{n}: last byte cut"),
            &ssn[..ssn.len() - 1],
            ctx,
            ErrorCode::DecryptFailed,
        ));
        out.extend(enc_form_negatives(s));
        out
    }

    /// Encapsulated keys in forms the suite does not allow.
    fn enc_form_negatives(s: &SuiteCases) -> Vec<Value> {
        let suite = s.pair.suite();
        let n = suite.name();
        let (ssn, ctx) = (&s.ssn.0, &s.ssn.1);
        let enc_at = 11;
        let mut out = Vec::new();
        match suite {
            Suite::X25519 => {
                // A low-order enc gives an all-zero DH output: decapsulation fails.
                for (point, bytes) in low_order_points() {
                    for top_bit in [false, true] {
                        let mut v = ssn.clone();
                        v[enc_at..enc_at + 32].copy_from_slice(&bytes);
                        if top_bit {
                            v[enc_at + 31] |= 0x80;
                        }
                        let top = if top_bit { ", top bit set" } else { "" };
                        out.push(binary(
                            format!("{n}: enc is a low-order point (u = {point}{top})"),
                            &v,
                            ctx,
                            ErrorCode::DecryptFailed,
                        ));
                    }
                }
            }
            Suite::P256 => {
                let enc = &ssn[enc_at..enc_at + 65];
                let odd = enc[64] & 1;
                // Compressed SEC1 (33 bytes): the field is 32 bytes shorter.
                let compressed = [&[0x02 | odd], &enc[1..33]].concat();
                let shorten = |sealed: &[u8]| {
                    [
                        &sealed[..enc_at],
                        compressed.as_slice(),
                        &sealed[enc_at + 65..],
                    ]
                    .concat()
                };
                let short_ssn = shorten(ssn);
                assert!(short_ssn.len() < enseal::format::sealed_len(suite, 0));
                out.push(binary(
                    format!("{n}: enc compressed (33 bytes), SSN value"),
                    &short_ssn,
                    ctx,
                    ErrorCode::Truncated,
                ));
                // Long enough to parse: the 65 bytes read as enc start with 0x02/0x03.
                let short_kib = shorten(&s.kib.0);
                assert_eq!(&s.kib.0[enc_at..enc_at + 65], enc);
                out.push(binary(
                    format!("{n}: enc compressed (33 bytes), 1KiB value"),
                    &short_kib,
                    &s.kib.1,
                    ErrorCode::DecryptFailed,
                ));
                // Hybrid SEC1 (0x06/0x07 || x || y, 65 bytes): a valid point, a wrong form.
                let mut v = ssn.clone();
                v[enc_at] = 0x06 | odd;
                out.push(binary(
                    format!("{n}: enc in hybrid form (0x0{})", 6 | odd),
                    &v,
                    ctx,
                    ErrorCode::DecryptFailed,
                ));
            }
            _ => {
                // X-Wing never fails decapsulation: a zero-point X25519 part
                // decapsulates to another secret and the tag fails (the suite's
                // positive cases hold a valid field with such an enc).
                let mut v = ssn.clone();
                v[enc_at + 1088..enc_at + 1120].fill(0);
                out.push(binary(
                    format!("{n}: X25519 part of enc replaced by the zero point"),
                    &v,
                    ctx,
                    ErrorCode::DecryptFailed,
                ));
            }
        }
        out
    }

    fn text_negatives(s: &SuiteCases) -> Vec<Value> {
        let (ssn, ctx) = (&s.ssn.0, &s.ssn.1);
        let good = format!("{TEXT_PREFIX}{}", base64url(ssn));
        let body = &good[TEXT_PREFIX.len()..];
        let std_alphabet = format!("{TEXT_PREFIX}+/{}", &body[2..]);
        let impossible_len = format!("{good}{}", &"AAA"[..(5 - body.len() % 4) % 4]);
        assert_eq!((impossible_len.len() - TEXT_PREFIX.len()) % 4, 1);
        let mut out = vec![
            text("text: empty string".into(), "", ctx, ErrorCode::BadPrefix),
            text("text: no prefix".into(), body, ctx, ErrorCode::BadPrefix),
            text(
                "text: version 2 prefix".into(),
                &format!("enseal2.{body}"),
                ctx,
                ErrorCode::BadPrefix,
            ),
            text(
                "text: upper-case prefix".into(),
                &format!("ENSEAL1.{body}"),
                ctx,
                ErrorCode::BadPrefix,
            ),
            text(
                "text: leading space".into(),
                &format!(" {good}"),
                ctx,
                ErrorCode::BadPrefix,
            ),
            text(
                "text: padding".into(),
                &format!("{good}=="),
                ctx,
                ErrorCode::BadEncoding,
            ),
            text(
                "text: standard alphabet".into(),
                &std_alphabet,
                ctx,
                ErrorCode::BadEncoding,
            ),
            text(
                "text: trailing newline".into(),
                &format!("{good}\n"),
                ctx,
                ErrorCode::BadEncoding,
            ),
            text(
                "text: inner space".into(),
                &format!("{}{} {}", TEXT_PREFIX, &body[..10], &body[10..]),
                ctx,
                ErrorCode::BadEncoding,
            ),
            text(
                "text: impossible length (4n+1)".into(),
                &impossible_len,
                ctx,
                ErrorCode::BadEncoding,
            ),
            text(
                "text: prefix only".into(),
                TEXT_PREFIX,
                ctx,
                ErrorCode::Truncated,
            ),
            text(
                "text: wrong context".into(),
                &good,
                b"patients/8813/ssn",
                ErrorCode::DecryptFailed,
            ),
        ];
        // Non-canonical last character (same bytes, non-zero unused bits), on
        // the empty-plaintext value whose encoding has unused bits.
        let empty = hex::decode(s.json["positive"][0]["sealed_hex"].as_str().unwrap()).unwrap();
        let body = base64url(&empty);
        assert_ne!(body.len() % 4, 0);
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let idx = alphabet.find(body.chars().last().unwrap()).unwrap();
        let bumped = alphabet.chars().nth(idx ^ 1).unwrap();
        let nc = format!("{TEXT_PREFIX}{}{bumped}", &body[..body.len() - 1]);
        out.push(text(
            "text: non-canonical trailing bits".into(),
            &nc,
            b"patients/8812/notes",
            ErrorCode::BadEncoding,
        ));
        // Correct `=` padding, as a standard (padding) encoder writes it, on
        // values whose unpadded length is not a multiple of 4.
        for (i, pads) in [(0, "=="), (1, "=")] {
            let case = &s.json["positive"][i];
            let sealed = hex::decode(case["sealed_hex"].as_str().unwrap()).unwrap();
            let body = base64url(&sealed);
            assert_eq!((body.len() + pads.len()) % 4, 0);
            out.push(text(
                format!(
                    "text: correct padding \"{pads}\" ({} value)",
                    case["name"].as_str().unwrap()
                ),
                &format!("{TEXT_PREFIX}{body}{pads}"),
                case["context"].as_str().unwrap().as_bytes(),
                ErrorCode::BadEncoding,
            ));
        }
        out
    }

    pub fn all() -> String {
        let suites: Vec<SuiteCases> = Suite::ALL.into_iter().map(suite_cases).collect();
        let mut negative = Vec::new();
        for s in &suites {
            negative.extend(negatives(s, &suites));
        }
        negative.extend(text_negatives(&suites[0]));
        let doc = json!({
            "description": "enseal sealed-field format v1 known answers. Schema: tests/vectors/README.md. Regenerate: cargo xtask vectors.",
            "format_version": 1,
            "text_prefix": TEXT_PREFIX,
            "hpke": { "mode": "base", "kdf_id": 1, "aead_id": 2, "info": "enseal/v1", "exporter_context": "enseal/v1 field", "exported_length": 44 },
            "suites": suites.iter().map(|s| s.json.clone()).collect::<Vec<_>>(),
            "negative": negative,
        });
        let mut text = serde_json::to_string_pretty(&doc).unwrap();
        text.push('\n');
        text
    }
}

#[test]
fn format_md_worked_examples_match_the_vectors() {
    let doc = std::fs::read_to_string(vectors_dir().join("../../docs/FORMAT.md")).unwrap();
    let flat: String = doc.chars().filter(|c| !c.is_whitespace()).collect();
    let kat = load_kat();
    for suite in kat["suites"].as_array().unwrap() {
        let ssn = suite["positive"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "ssn")
            .unwrap();
        for field in ["sealed_hex", "sealed_text"] {
            assert!(
                flat.contains(ssn[field].as_str().unwrap()),
                "FORMAT.md lacks {} {field}",
                suite["suite"]
            );
        }
        assert!(
            flat.contains(
                suite["exported_secret_hex"]
                    .as_str()
                    .unwrap()
                    .get(..64)
                    .unwrap()
            )
        );
    }
}
