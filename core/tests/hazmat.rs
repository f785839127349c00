//! Fields sealed and opened by an external AES-256-GCM (`delegated-aead`,
//! what the wasm binding does with WebCrypto) are the same format: they open
//! with `Opener::open`, and sealed fields open through the delegated path.
#![cfg(feature = "hazmat")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use enseal::{Error, KeyPair, Keyring, Opener, Sealer, Suite};

fn external_seal(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], msg: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(key).unwrap();
    cipher
        .encrypt(&Nonce::from(*nonce), Payload { msg, aad })
        .unwrap()
}

fn external_open(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], msg: &[u8]) -> Option<Vec<u8>> {
    let cipher = Aes256Gcm::new_from_slice(key).unwrap();
    cipher
        .decrypt(&Nonce::from(*nonce), Payload { msg, aad })
        .ok()
}

fn setup(suite: Suite) -> (Sealer, Opener) {
    let key = KeyPair::generate(suite).unwrap();
    let mut ring = Keyring::new();
    ring.add(key.clone());
    (Sealer::new(key.public_key()).unwrap(), Opener::new(ring))
}

#[test]
fn delegated_seal_opens_with_core_and_shares_the_session_counter() {
    for suite in Suite::ALL {
        let (sealer, opener) = setup(suite);
        let first = sealer.seal_binary(b"before", "ctx").unwrap();
        let value = vec![7u8; 5000];
        let field = sealer.delegate_seal(value.len(), "attachments/1").unwrap();
        let body = external_seal(field.key(), field.nonce(), field.aad(), &value);
        let header = field.aad()[..enseal::format::header_len(suite)].to_vec();
        let sealed = field.finish(&body).unwrap();
        assert_eq!(&sealed[..header.len()], header.as_slice());
        assert_eq!(
            &sealed[..header.len() - 8],
            &first[..header.len() - 8],
            "same session"
        );
        assert_eq!(
            &sealed[header.len() - 8..header.len()],
            &1u64.to_be_bytes(),
            "next counter"
        );
        assert_eq!(
            opener
                .open_binary(&sealed, "attachments/1")
                .unwrap()
                .as_slice(),
            &value[..]
        );
        assert_eq!(
            opener.open_binary(&sealed, "attachments/2"),
            Err(Error::DecryptFailed)
        );
    }
}

#[test]
fn delegated_open_of_core_sealed_fields() {
    let (sealer, opener) = setup(Suite::X25519);
    let sealed = sealer.seal_binary(b"123-45-6789", "ssn").unwrap();
    let field = opener.delegate_open(&sealed, "ssn").unwrap();
    let opened = external_open(
        field.key(),
        field.nonce(),
        field.aad(),
        field.ciphertext_and_tag(),
    );
    assert_eq!(opened.as_deref(), Some(&b"123-45-6789"[..]));
    let wrong = opener.delegate_open(&sealed, "dob").unwrap();
    assert_eq!(
        external_open(
            wrong.key(),
            wrong.nonce(),
            wrong.aad(),
            wrong.ciphertext_and_tag()
        ),
        None
    );
    // Errors before the tag check are core's, as for `open`.
    assert_eq!(
        opener.delegate_open(&sealed[..20], "ssn").unwrap_err(),
        Error::Truncated
    );
    let (_, stranger) = setup(Suite::X25519);
    assert!(matches!(
        stranger.delegate_open(&sealed, "ssn"),
        Err(Error::UnknownKey(_))
    ));
}

#[test]
fn delegated_output_of_the_wrong_length_is_refused() {
    let (sealer, _) = setup(Suite::X25519);
    let field = sealer.delegate_seal(10, "c").unwrap();
    let good = sealer.delegate_seal(10, "c").unwrap();
    assert!(good.finish(&[0u8; 26]).is_ok());
    assert!(matches!(
        field.finish(&[0u8; 25]),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(
        sealer
            .delegate_seal(enseal::format::MAX_PLAINTEXT_LEN + 1, "c")
            .unwrap_err(),
        Error::TooLarge
    );
    let debug = format!("{:?}", sealer.delegate_seal(1, "c").unwrap());
    assert!(!debug.contains("key:"), "{debug}");
}

#[test]
fn field_limit_applies_to_delegated_fields() {
    let key = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::with_field_limit(key.public_key(), 2).unwrap();
    let ids: Vec<u64> = (0..5)
        .map(|_| sealer.delegate_seal(1, "c").unwrap().session_id())
        .collect();
    assert_eq!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    assert_eq!(ids[2], ids[3]);
    assert_ne!(ids[3], ids[4]);
}

#[test]
fn a_delegated_open_caches_its_session_only_once_confirmed() {
    let (sealer, opener) = setup(Suite::X25519);
    let first = sealer.seal_binary(b"first", "c").unwrap();
    let second = sealer.seal_binary(b"second", "c").unwrap();

    // A forged tag: WebCrypto would reject it, so nothing is confirmed or cached.
    let mut forged = first.clone();
    *forged.last_mut().unwrap() ^= 1;
    let field = opener.delegate_open(&forged, "c").unwrap();
    let rejected = external_open(
        field.key(),
        field.nonce(),
        field.aad(),
        field.ciphertext_and_tag(),
    );
    assert!(rejected.is_none());
    drop(field);
    assert_eq!(opener.cached_sessions(), 0);

    let field = opener.delegate_open(&first, "c").unwrap();
    let id = field.session_id().to_vec();
    let opened = external_open(
        field.key(),
        field.nonce(),
        field.aad(),
        field.ciphertext_and_tag(),
    );
    assert_eq!(opened.as_deref(), Some(&b"first"[..]));
    opener.confirm_delegated(field.into_pending());
    assert_eq!(opener.cached_sessions(), 1);

    // The next field of the session comes from the cache: same key and id, its own nonce.
    let field = opener.delegate_open(&second, "c").unwrap();
    assert_eq!(field.session_id(), &id[..]);
    let opened = external_open(
        field.key(),
        field.nonce(),
        field.aad(),
        field.ciphertext_and_tag(),
    );
    assert_eq!(opened.as_deref(), Some(&b"second"[..]));
    opener.confirm_delegated(field.into_pending());
    assert_eq!(opener.cached_sessions(), 1);
    // And core's own open uses the session the delegated path cached.
    assert_eq!(&opener.open_binary(&second, "c").unwrap()[..], b"second");

    // A field of a new session has another id, and is decapsulated again.
    sealer.rekey().unwrap();
    let third = sealer.seal_binary(b"third", "c").unwrap();
    let field = opener.delegate_open(&third, "c").unwrap();
    assert_ne!(field.session_id(), &id[..]);
    opener.confirm_delegated(field.into_pending());
    assert_eq!(opener.cached_sessions(), 2);
}
