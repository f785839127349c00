//! Secrets never show: not in Debug, not in errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64UrlUnpadded, Encoding};
use enseal::{Error, ErrorCode, KeyPair, Keyring, Opener, Sealer, Suite};

fn forms_of(secret: &[u8]) -> Vec<String> {
    vec![
        hex::encode(secret),
        Base64UrlUnpadded::encode_string(secret),
        format!("{secret:?}"),
    ]
}

#[test]
fn debug_output_never_shows_private_keys() {
    for suite in Suite::ALL {
        let pair = KeyPair::generate(suite).unwrap();
        let secret = pair.private_bytes();
        let ring = Keyring::from_iter([pair.clone()]);
        let sealer = Sealer::new(pair.public_key()).unwrap();
        let opener = Opener::new(ring.clone());
        let printed = [
            format!("{pair:?}"),
            format!("{pair:#?}"),
            format!("{ring:?}"),
            format!("{opener:?}"),
            format!("{sealer:?}"),
        ];
        for p in &printed {
            for form in forms_of(&secret) {
                assert!(!p.contains(&form), "{p} shows the private key");
            }
        }
        assert!(printed[0].contains("[redacted]"));
        assert!(printed[0].contains(&pair.kid().to_string()));
    }
}

#[test]
fn errors_never_carry_plaintext_or_keys() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let secret_hex = hex::encode(pair.private_bytes());
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let opener = Opener::new(Keyring::from_iter([pair.clone()]));
    let plaintext = b"SECRET-PLAINTEXT-4111111111111111";
    let sealed = sealer.seal_binary(plaintext, "ctx").unwrap();
    let mut errors: Vec<Error> = vec![opener.open_binary(&sealed, "other").unwrap_err()];
    for i in 0..sealed.len() {
        let mut t = sealed.clone();
        t[i] ^= 0x80;
        errors.push(opener.open_binary(&t, "ctx").unwrap_err());
    }
    for len in 0..sealed.len() {
        errors.push(opener.open_binary(&sealed[..len], "ctx").unwrap_err());
    }
    let mut jwk: serde_json::Value = serde_json::from_str(&pair.to_jwk()).unwrap();
    jwk["kid"] = "AAAAAAAAAAA".into();
    errors.push(KeyPair::from_jwk(&jwk.to_string()).unwrap_err());
    for e in &errors {
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("SECRET-PLAINTEXT"), "{shown}");
        assert!(!shown.contains(&secret_hex), "{shown}");
        assert!(!shown.contains(jwk["d"].as_str().unwrap()), "{shown}");
    }
    // Tampering anywhere in the AEAD part is one opaque error.
    let h = enseal::format::header_len(Suite::X25519);
    for i in h..sealed.len() {
        let mut t = sealed.clone();
        t[i] ^= 1;
        assert_eq!(
            opener.open_binary(&t, "ctx").unwrap_err().code(),
            ErrorCode::DecryptFailed
        );
    }
}

#[test]
fn jwk_json_holds_the_secret_only_where_asked() {
    let pair = KeyPair::generate(Suite::P256).unwrap();
    let public = pair.public_key().to_jwk();
    let private = pair.to_jwk();
    let d = Base64UrlUnpadded::encode_string(&pair.private_bytes());
    assert!(!public.contains(&d));
    assert!(private.contains(&d));
}
