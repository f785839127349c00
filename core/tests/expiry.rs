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

/// The session id of a freshly sealed value.
fn session_of(sealer: &Sealer) -> enseal::SessionId {
    enseal::Sealed::parse(&sealer.seal(b"v", "c").unwrap())
        .unwrap()
        .session_id()
}

#[test]
fn a_session_older_than_its_maximum_age_is_replaced_at_the_next_seal() {
    let (_, keyset) = keyset(None);
    let now = Arc::new(AtomicU64::new(CREATED));
    let clock = Arc::clone(&now);
    let limits = enseal::SessionLimits {
        max_age: std::time::Duration::from_secs(600),
        ..Default::default()
    };
    let sealer = Sealer::from_keyset_with_clock_and_limits(
        &keyset,
        move || clock.load(Ordering::Relaxed),
        limits,
    )
    .unwrap();
    assert_eq!(sealer.limits(), limits);
    let first = session_of(&sealer);
    now.store(CREATED + 599, Ordering::Relaxed);
    assert_eq!(
        session_of(&sealer),
        first,
        "599 s old: still the same session"
    );
    now.store(CREATED + 600, Ordering::Relaxed);
    let second = session_of(&sealer);
    assert_ne!(second, first, "600 s old: a fresh session");
    // The fresh session's age counts from its own start. A clock set back a
    // little keeps it; set back by the maximum age or more, it ends the
    // session rather than let it live on (a year back, then a year of use).
    now.store(CREATED + 1199, Ordering::Relaxed);
    assert_eq!(session_of(&sealer), second);
    now.store(CREATED + 700, Ordering::Relaxed);
    assert_eq!(session_of(&sealer), second, "100 s back: kept");
    now.store(CREATED, Ordering::Relaxed);
    let third = session_of(&sealer);
    assert_ne!(third, second, "600 s back: a fresh session");
    now.store(CREATED - 365 * 86_400, Ordering::Relaxed);
    assert_ne!(session_of(&sealer), third, "a year back: a fresh session");
}

#[test]
fn the_default_maximum_age_is_an_hour_and_applies_to_every_sealer() {
    assert_eq!(
        enseal::SessionLimits::default().max_age,
        enseal::DEFAULT_SESSION_MAX_AGE
    );
    assert_eq!(enseal::DEFAULT_SESSION_MAX_AGE.as_secs(), 3600);
    let (_, keyset) = keyset(None);
    let now = Arc::new(AtomicU64::new(CREATED));
    let clock = Arc::clone(&now);
    let sealer =
        Sealer::from_keyset_with_clock(&keyset, move || clock.load(Ordering::Relaxed)).unwrap();
    let first = session_of(&sealer);
    now.store(CREATED + 3599, Ordering::Relaxed);
    assert_eq!(session_of(&sealer), first);
    // A tab left open for a week.
    now.store(CREATED + 7 * 86_400, Ordering::Relaxed);
    assert_ne!(session_of(&sealer), first);
    assert_eq!(
        Sealer::new(keyset.primary().key()).unwrap().limits(),
        enseal::SessionLimits::default()
    );
}

#[test]
fn unusable_limits_are_refused() {
    let (_, keyset) = keyset(None);
    for limits in [
        enseal::SessionLimits {
            max_age: std::time::Duration::from_millis(999),
            ..Default::default()
        },
        enseal::SessionLimits {
            max_age: std::time::Duration::from_millis(1500),
            ..Default::default()
        },
        enseal::SessionLimits {
            max_fields: 0,
            ..Default::default()
        },
        enseal::SessionLimits {
            max_fields: (1 << 32) + 1,
            ..Default::default()
        },
    ] {
        let error = Sealer::from_keyset_with_limits(&keyset, limits).unwrap_err();
        assert_eq!(
            error.code(),
            enseal::ErrorCode::InvalidArgument,
            "{limits:?}"
        );
    }
}
