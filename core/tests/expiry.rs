//! A sealer built from a keyset stops sealing once its key's `not_after` has
//! passed, whatever it had sealed before, with the time from an injected clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{Error, KeyPair, Keyset, KeysetEntry, Sealer, Suite};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const CREATED: u64 = 1_800_000_000;
const NOT_AFTER: u64 = 1_800_086_400;

fn keyset(not_after: Option<u64>) -> (KeyPair, Keyset) {
    let key = KeyPair::generate(Suite::X25519).unwrap();
    let entry = KeysetEntry::new(key.public_key().clone(), CREATED, not_after).unwrap();
    (key, Keyset::new(entry))
}

#[test]
fn a_live_sealer_refuses_every_operation_after_not_after() {
    let (key, keyset) = keyset(Some(NOT_AFTER));
    let now = Arc::new(AtomicU64::new(NOT_AFTER - 10));
    let clock = Arc::clone(&now);
    let sealer =
        Sealer::from_keyset_with_clock(&keyset, move || clock.load(Ordering::Relaxed)).unwrap();
    assert_eq!(sealer.not_after(), Some(NOT_AFTER));
    sealer.seal_binary(b"in time", "c").unwrap();

    // The whole second `not_after` is still inside the key's period.
    now.store(NOT_AFTER, Ordering::Relaxed);
    sealer.seal(b"last second", "c").unwrap();
    sealer.rekey().unwrap();

    now.store(NOT_AFTER + 1, Ordering::Relaxed);
    let expired = Error::KeyExpired(key.kid());
    assert_eq!(sealer.seal_binary(b"late", "c").unwrap_err(), expired);
    assert_eq!(sealer.seal(b"late", "c").unwrap_err(), expired);
    assert_eq!(
        sealer
            .seal_json_text(r#"{"a":1}"#, &["/a"], None)
            .unwrap_err(),
        expired
    );
    assert_eq!(sealer.rekey().unwrap_err(), expired);
    let mut out = b"kept".to_vec();
    assert_eq!(
        sealer.seal_binary_into(b"late", "c", &mut out).unwrap_err(),
        expired
    );
    assert_eq!(out, b"kept");
    assert_eq!(
        Sealer::from_keyset_with_clock(&keyset, || NOT_AFTER + 1).unwrap_err(),
        expired
    );
}

#[test]
fn keys_without_an_end_date_and_bare_public_keys_never_expire() {
    let (key, keyset) = keyset(None);
    let sealer = Sealer::from_keyset_with_clock(&keyset, || u64::MAX).unwrap();
    assert_eq!(sealer.not_after(), None);
    sealer.seal_binary(b"v", "c").unwrap();
    let bare = Sealer::new(key.public_key()).unwrap();
    assert_eq!(bare.not_after(), None);
    bare.seal_binary(b"v", "c").unwrap();
}

#[test]
fn the_system_clock_is_the_default() {
    use enseal::{Clock, SystemClock};
    let now = SystemClock.now().unwrap();
    assert!(now > CREATED - 100_000_000, "the clock reads {now}");
    let key = KeyPair::generate(Suite::X25519).unwrap();
    let entry = |not_after| KeysetEntry::new(key.public_key().clone(), 1, Some(not_after)).unwrap();
    assert_eq!(
        Sealer::from_keyset(&Keyset::new(entry(now - 60))).unwrap_err(),
        Error::KeyExpired(key.kid())
    );
    Sealer::from_keyset(&Keyset::new(entry(now + 3600)))
        .unwrap()
        .seal_binary(b"v", "c")
        .unwrap();
}
