//! Keys held by a custodian (HSM, KMS, wrapped key) through the public API:
//! an opener asks the custodian once per session, an outage is
//! KEY_UNAVAILABLE for exactly the affected values, nothing bad is cached,
//! and opening resumes when the backend returns.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{
    CustodyError, ErrorCode, KeyCustody, KeyPair, Keyring, Opener, PublicKey, Sealer,
    SoftwareBackend, SoftwareKey, Suite,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use zeroize::Zeroizing;

/// A software key whose backend can be switched off, counting the calls that reach it.
struct Switchable {
    key: SoftwareKey,
    up: AtomicBool,
    calls: AtomicUsize,
}

impl KeyCustody for Switchable {
    fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }
    fn private_key_op(&self, enc: &[u8]) -> Result<Zeroizing<[u8; 32]>, CustodyError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.up.load(Ordering::SeqCst) {
            self.key.private_key_op(enc)
        } else {
            Err(CustodyError::Unavailable("token not present".into()))
        }
    }
}

fn custodian(suite: Suite) -> (KeyPair, Arc<Switchable>, Opener) {
    let pair = KeyPair::generate(suite).unwrap();
    let held = Arc::new(Switchable {
        key: SoftwareKey::new(&pair).unwrap(),
        up: AtomicBool::new(true),
        calls: AtomicUsize::new(0),
    });
    let mut ring = Keyring::new();
    assert!(ring.add_custody(held.clone()));
    assert!(ring.is_in_custody(&pair.kid()) && ring.get(&pair.kid()).is_none());
    (pair, held, Opener::new(ring))
}

#[test]
fn every_suite_opens_through_a_custodian_once_per_session() {
    for suite in Suite::ALL {
        let (pair, held, opener) = custodian(suite);
        let sealer = Sealer::new(pair.public_key()).unwrap();
        let fields: Vec<String> = (0..5)
            .map(|i| sealer.seal(format!("value {i}").as_bytes(), "c").unwrap())
            .collect();
        for (i, field) in fields.iter().enumerate() {
            assert_eq!(
                opener.open_string(field, "c").unwrap().as_str(),
                format!("value {i}")
            );
        }
        assert_eq!(
            held.calls.load(Ordering::SeqCst),
            1,
            "{suite:?}: one session, one call"
        );
        // The same values open with the key in memory: same session secrets.
        let local = Opener::new(Keyring::from_iter([pair]));
        assert_eq!(
            local.open_string(&fields[3], "c").unwrap().as_str(),
            "value 3"
        );
    }
}

/// Claims one key's public half and holds another's private key.
struct Mismatched(PublicKey, SoftwareKey);

impl KeyCustody for Mismatched {
    fn public_key(&self) -> &PublicKey {
        &self.0
    }
    fn private_key_op(&self, enc: &[u8]) -> Result<Zeroizing<[u8; 32]>, CustodyError> {
        self.1.private_key_op(enc)
    }
}

#[test]
fn every_in_memory_backend_opens_the_same_fields_and_only_with_the_right_key() {
    for suite in Suite::ALL {
        let pair = KeyPair::generate(suite).unwrap();
        let other = KeyPair::generate(suite).unwrap();
        let field = Sealer::new(pair.public_key())
            .unwrap()
            .seal(b"one value", "c")
            .unwrap();
        for &backend in SoftwareBackend::ALL {
            let mut ring = Keyring::new();
            assert!(ring.add_custody(Arc::new(SoftwareKey::with_backend(&pair, backend).unwrap())));
            let opened = Opener::new(ring).open_string(&field, "c");
            assert_eq!(
                opened.unwrap().as_str(),
                "one value",
                "{suite:?} {backend:?}"
            );
            // The wrong private key behind the right public key: the DH
            // differs, so the session does, and the field does not open.
            let wrong = Mismatched(
                pair.public_key().clone(),
                SoftwareKey::with_backend(&other, backend).unwrap(),
            );
            let mut ring = Keyring::new();
            assert!(ring.add_custody(Arc::new(wrong)));
            let err = Opener::new(ring).open_string(&field, "c").unwrap_err();
            assert_eq!(
                err.code(),
                ErrorCode::DecryptFailed,
                "{suite:?} {backend:?}"
            );
        }
    }
}

#[test]
fn an_outage_is_key_unavailable_nothing_is_cached_and_opening_resumes() {
    let (pair, held, opener) = custodian(Suite::P256);
    let field = Sealer::new(pair.public_key())
        .unwrap()
        .seal(b"123-45-6789", "ssn")
        .unwrap();

    held.up.store(false, Ordering::SeqCst);
    let err = opener.open(&field, "ssn").unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyUnavailable);
    assert!(err.to_string().contains("token not present"), "{err}");
    assert!(err.to_string().contains(&pair.kid().to_string()), "{err}");
    assert_eq!(opener.cached_sessions(), 0);
    // Asked again on the next attempt: an outage is never remembered.
    assert_eq!(
        opener.open(&field, "ssn").unwrap_err().code(),
        ErrorCode::KeyUnavailable
    );
    assert_eq!(held.calls.load(Ordering::SeqCst), 2);

    held.up.store(true, Ordering::SeqCst);
    assert_eq!(
        opener.open(&field, "ssn").unwrap().as_slice(),
        b"123-45-6789"
    );
    assert_eq!(opener.cached_sessions(), 1);
}

#[test]
fn an_outage_names_the_value_in_a_document_and_returns_nothing() {
    let (pair, held, opener) = custodian(Suite::X25519);
    let doc = r#"{"ssn":"123-45-6789","dx":"J45"}"#;
    let sealed = Sealer::new(pair.public_key())
        .unwrap()
        .seal_json_text(doc, &["/ssn", "/dx"], Some("patients/1"))
        .unwrap();
    held.up.store(false, Ordering::SeqCst);
    let err = opener
        .open_json_text(&sealed, &["/ssn", "/dx"], Some("patients/1"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyUnavailable);
    assert_eq!(err.pointer(), Some("/ssn"));
    held.up.store(true, Ordering::SeqCst);
    let opened = opener
        .open_json_text(&sealed, &["/ssn", "/dx"], Some("patients/1"))
        .unwrap();
    assert_eq!(opened.as_str(), doc);
}

#[test]
fn a_custodian_cannot_shadow_a_key_already_in_the_keyring() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let mut ring = Keyring::from_iter([pair.clone()]);
    assert!(!ring.add_custody(Arc::new(SoftwareKey::new(&pair).unwrap())));
    assert!(!ring.is_in_custody(&pair.kid()));
    // Merging keeps what is there and adds the rest, custody entries included.
    let other = KeyPair::generate(Suite::P256).unwrap();
    let mut held_elsewhere = Keyring::new();
    held_elsewhere.add_custody(Arc::new(SoftwareKey::new(&other).unwrap()));
    held_elsewhere.add(pair.clone());
    assert_eq!(ring.merge(held_elsewhere), 1);
    assert!(ring.is_in_custody(&other.kid()) && !ring.is_in_custody(&pair.kid()));
    // A keyring's JWK set holds only the keys it has in memory.
    let mut held = Keyring::new();
    held.add_custody(Arc::new(SoftwareKey::new(&pair).unwrap()));
    assert_eq!(Keyring::from_jwks(&held.to_jwks()).unwrap().len(), 0);
    let debug = format!("{:?} {:?}", held, SoftwareKey::new(&pair).unwrap());
    assert!(
        debug.contains("in_custody") && debug.contains("[redacted]"),
        "{debug}"
    );
}

/// A custodian that takes its time, as a KMS over the network does.
struct Slow(SoftwareKey, AtomicUsize);

impl KeyCustody for Slow {
    fn public_key(&self) -> &PublicKey {
        self.0.public_key()
    }
    fn private_key_op(&self, enc: &[u8]) -> Result<Zeroizing<[u8; 32]>, CustodyError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(20));
        self.0.private_key_op(enc)
    }
}

#[test]
fn threads_opening_one_new_session_ask_the_custodian_once() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let slow = Arc::new(Slow(SoftwareKey::new(&pair).unwrap(), AtomicUsize::new(0)));
    let mut ring = Keyring::new();
    ring.add_custody(slow.clone());
    let opener = Opener::new(ring);
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let fields: Vec<String> = (0..8).map(|_| sealer.seal(b"x", "c").unwrap()).collect();
    std::thread::scope(|scope| {
        for field in &fields {
            let opener = &opener;
            scope.spawn(move || assert_eq!(opener.open(field, "c").unwrap().as_slice(), b"x"));
        }
    });
    assert_eq!(slow.1.load(Ordering::SeqCst), 1);
    // Two sessions opened at once are two calls, in parallel.
    let other = Sealer::new(pair.public_key())
        .unwrap()
        .seal(b"y", "c")
        .unwrap();
    let third = Sealer::new(pair.public_key())
        .unwrap()
        .seal(b"z", "c")
        .unwrap();
    std::thread::scope(|scope| {
        scope.spawn(|| opener.open(&other, "c").unwrap());
        scope.spawn(|| opener.open(&third, "c").unwrap());
    });
    assert_eq!(slow.1.load(Ordering::SeqCst), 3);
    assert_eq!(opener.cached_sessions(), 3);
}
