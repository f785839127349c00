//! Throttling beyond the SDK's own retries is KEY_UNAVAILABLE, against the
//! loopback stand-in for AWS KMS (NOT AWS). Its own test binary, hence its
//! own process: the SDK's retry token bucket is shared per process, and the
//! other tests' outages must not have drained it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/kms_standin.rs"]
mod kms_standin;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use enseal::{Error, ErrorCode, Keyring, Opener, Sealer};
use kms_standin::KmsStandIn;

#[test]
fn throttling_after_the_sdk_retries_is_key_unavailable_and_not_cached() {
    let mut secret = [0u8; 20];
    getrandom::fill(&mut secret).unwrap();
    // SAFETY: the only test of this process, before any custodian exists.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDENSEALSTANDIN");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", hex::encode(secret));
    }
    let standin = KmsStandIn::start();
    let mut ring = Keyring::new();
    ring.add_custody(enseal_awskms::open(&standin.uri("&timeout-ms=20000")).unwrap());
    let opener = Arc::new(Opener::new(ring));
    let field = Sealer::new(standin.public_key())
        .unwrap()
        .seal(b"throttled", "c")
        .unwrap();
    standin.state.throttle.store(true, Ordering::SeqCst);
    let err = opener.open(&field, "c").unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyUnavailable);
    match &err {
        Error::KeyUnavailable {
            kid: Some(kid),
            reason,
        } => {
            assert_eq!(*kid, standin.public_key().kid());
            assert!(reason.contains("ThrottlingException"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // The SDK retried it itself (standard mode, 3 attempts) before giving up.
    assert_eq!(standin.state.throttled.load(Ordering::SeqCst), 3);
    assert_eq!(standin.state.derived.load(Ordering::SeqCst), 0);
    assert_eq!(opener.cached_sessions(), 0);
    // Throttling over: the same field opens.
    standin.state.throttle.store(false, Ordering::SeqCst);
    assert_eq!(opener.open(&field, "c").unwrap().as_slice(), b"throttled");
    assert_eq!(opener.cached_sessions(), 1);
}
