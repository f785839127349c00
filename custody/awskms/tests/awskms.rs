//! The AWS KMS custodian through the real `aws-sdk-kms` client, against the
//! loopback stand-in for AWS KMS (tests/support/kms_standin.rs; NOT AWS).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/kms_standin.rs"]
mod kms_standin;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Barrier, Once};

use enseal::{
    Context, Error, ErrorCode, KeyCustody, KeyPair, Keyring, Opener, Sealer, SoftwareKey, Suite,
};
use kms_standin::{ALIAS_ARN, KmsStandIn};
use serde_json::Value;

/// The access key id the tests sign with (an obvious fake; the secret is random).
const ACCESS_KEY_ID: &str = "AKIDENSEALSTANDIN";

/// Static credentials in the environment, which is where the crate reads them.
fn credentials() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let mut secret = [0u8; 20];
        getrandom::fill(&mut secret).unwrap();
        // SAFETY: set once, before the first custodian of this process is
        // opened; nothing here reads the environment outside std's lock (the
        // SDK has no aws-config, and the endpoint is an IP literal: no resolver).
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
            std::env::set_var("AWS_SECRET_ACCESS_KEY", hex::encode(secret));
            std::env::remove_var("AWS_SESSION_TOKEN");
        }
    });
}

fn opener_for(custody: Arc<dyn KeyCustody>) -> Opener {
    let mut ring = Keyring::new();
    assert!(ring.add_custody(custody));
    Opener::new(ring)
}

fn unhex(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().unwrap()).unwrap()
}

fn vectors(path: &str) -> Value {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/");
    serde_json::from_str(&std::fs::read_to_string(format!("{root}{path}")).unwrap()).unwrap()
}

fn assert_clean(standin: &KmsStandIn) {
    assert!(
        standin.state.violations.lock().unwrap().is_empty(),
        "requests unlike the API reference: {:?}",
        standin.state.violations.lock().unwrap()
    );
    let keys = standin.state.access_keys.lock().unwrap();
    assert!(!keys.is_empty() && keys.iter().all(|k| k == ACCESS_KEY_ID));
    // Every request's SigV4 signature was recomputed with the secret and matched.
    assert_eq!(
        standin.state.signatures_verified.load(Ordering::SeqCst),
        keys.len()
    );
}

#[test]
fn rfc9180_p256_vector_key_derives_what_the_software_key_derives() {
    credentials();
    let rfc = vectors("upstream/hpke/rfc9180-aes256gcm-hkdfsha256-p256-x25519.json");
    let mut checked = 0;
    for case in rfc.as_array().unwrap() {
        if case["kem_id"] != 16 || case["mode"] != 0 {
            continue;
        }
        let pair = KeyPair::from_private_bytes(Suite::P256, &unhex(&case["skRm"])).unwrap();
        assert_eq!(
            pair.public_key().as_bytes(),
            unhex(&case["pkRm"]).as_slice()
        );
        let standin = KmsStandIn::start_with(KeyPair::from_jwk(&pair.to_jwk()).unwrap());
        let kms = enseal_awskms::open(&standin.uri("")).unwrap();
        assert_eq!(kms.public_key(), pair.public_key());
        let software = SoftwareKey::new(&pair).unwrap();
        // The one private-key step on the vector's enc: the same raw ECDH
        // x-coordinate (core's own tests prove SoftwareKey's gives the
        // vector's shared_secret and exports).
        let enc = unhex(&case["enc"]);
        assert_eq!(
            *kms.private_key_op(&enc).unwrap(),
            *software.private_key_op(&enc).unwrap()
        );
        // Whole session secrets: fields sealed to pkRm open the same through
        // the KMS keyring, the SoftwareKey keyring and the key in memory.
        let via_kms = opener_for(kms);
        let via_software = opener_for(Arc::new(software));
        let local = Opener::new(Keyring::from_iter([pair.clone()]));
        let sealer = Sealer::new(pair.public_key()).unwrap();
        for i in 0..3 {
            let field = sealer
                .seal(format!("vector {i}").as_bytes(), "ctx")
                .unwrap();
            for opener in [&via_kms, &via_software, &local] {
                assert_eq!(
                    opener.open_string(&field, "ctx").unwrap().as_str(),
                    format!("vector {i}")
                );
            }
        }
        assert_eq!(standin.state.derived.load(Ordering::SeqCst), 2); // enc + one session
        assert_eq!(standin.state.public_keys.load(Ordering::SeqCst), 1);
        assert_clean(&standin);
        checked += 1;
    }
    assert!(checked >= 1);
}

#[test]
fn enseal_known_answer_fields_open_through_kms() {
    credentials();
    let kat = vectors("enseal-v1.json");
    let mut opened = 0;
    for suite in kat["suites"].as_array().unwrap() {
        if suite["suite"] != "P256" && suite["kem_id"] != 16 {
            continue;
        }
        let pair = KeyPair::from_jwk(&suite["private_jwk"].to_string()).unwrap();
        let standin = KmsStandIn::start_with(pair);
        let opener = opener_for(enseal_awskms::open(&standin.uri("")).unwrap());
        for case in suite["positive"].as_array().unwrap() {
            let context = unhex(&case["context_hex"]);
            let opened_value = opener
                .open_binary(&unhex(&case["sealed_hex"]), Context::bytes(&context))
                .unwrap();
            assert_eq!(
                opened_value.as_slice(),
                unhex(&case["plaintext_hex"]).as_slice()
            );
            opened += 1;
        }
        assert_clean(&standin);
    }
    assert!(opened >= 1, "no P-256 known answers found");
}

#[test]
fn fields_sealed_to_the_standin_key_open_and_debug_shows_no_secret() {
    credentials();
    let standin = KmsStandIn::start();
    // An alias ARN works as well as a key ARN.
    let uri = format!("awskms:{ALIAS_ARN}?endpoint={}", standin.endpoint());
    let key = enseal_awskms::AwsKmsKey::open(&uri).unwrap();
    assert_eq!(key.key_id(), ALIAS_ARN);
    let debug = format!("{key:?}");
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY").unwrap();
    assert!(
        debug.contains(ALIAS_ARN) && !debug.contains(&secret),
        "{debug}"
    );
    let sealer = Sealer::new(standin.public_key()).unwrap();
    let opener = opener_for(Arc::new(key));
    let fields: Vec<String> = (0..20)
        .map(|i| sealer.seal(format!("value {i}").as_bytes(), "c").unwrap())
        .collect();
    for (i, field) in fields.iter().enumerate() {
        assert_eq!(
            opener.open_string(field, "c").unwrap().as_str(),
            format!("value {i}")
        );
    }
    // One sealer, one session: one KMS call for twenty fields.
    assert_eq!(standin.state.derived.load(Ordering::SeqCst), 1);
    // A wrong context is the opaque DECRYPT_FAILED, not KEY_UNAVAILABLE.
    let other = Sealer::new(standin.public_key())
        .unwrap()
        .seal(b"x", "c")
        .unwrap();
    assert_eq!(
        opener.open(&other, "wrong").unwrap_err().code(),
        ErrorCode::DecryptFailed
    );
    assert_clean(&standin);
}

#[test]
fn open_checks_the_key_spec_and_usage_and_names_missing_keys() {
    credentials();
    let standin = KmsStandIn::start();
    *standin.state.key_usage.lock().unwrap() = "ENCRYPT_DECRYPT".into();
    let err = enseal_awskms::open(&standin.uri("")).unwrap_err();
    assert!(
        matches!(err, Error::InvalidKey(m) if m.contains("KEY_AGREEMENT")),
        "{err:?}"
    );
    *standin.state.key_usage.lock().unwrap() = "KEY_AGREEMENT".into();
    *standin.state.key_spec.lock().unwrap() = "ECC_SECG_P256K1".into();
    let err = enseal_awskms::open(&standin.uri("")).unwrap_err();
    assert!(
        matches!(err, Error::InvalidKey(m) if m.contains("ECC_NIST_P256")),
        "{err:?}"
    );
    // A key KMS does not know: KEY_UNAVAILABLE before any key id is known.
    let missing = format!(
        "awskms:arn:aws:kms:eu-west-1:111122223333:key/nope?endpoint={}",
        standin.endpoint()
    );
    match enseal_awskms::open(&missing).unwrap_err() {
        Error::KeyUnavailable { kid: None, reason } => {
            assert!(reason.contains("NotFoundException"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // A malformed URI is INVALID_ARGUMENT.
    let err = enseal_awskms::open("awskms:alias/enseal").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
    assert!(matches!(err, Error::InvalidKeyLocation(_)));
}

/// Many sessions opened from many threads while the stand-in stops and
/// restarts: each open either succeeds or is KEY_UNAVAILABLE (202), none is
/// lost (all open after the restart), no failed session is cached.
#[test]
fn standin_stopped_mid_run_is_key_unavailable_and_opening_resumes() {
    credentials();
    let mut standin = KmsStandIn::start();
    standin.state.latency_ms.store(5, Ordering::SeqCst);
    let opener = Arc::new(opener_for(
        enseal_awskms::open(&standin.uri("&timeout-ms=1500&max-in-flight=8")).unwrap(),
    ));
    const SESSIONS: usize = 60;
    const PER_SESSION: usize = 3;
    let fields: Arc<Vec<(String, String)>> = Arc::new(
        (0..SESSIONS)
            .flat_map(|s| {
                let sealer = Sealer::new(standin.public_key()).unwrap();
                (0..PER_SESSION)
                    .map(|f| {
                        let plain = format!("session {s} field {f}");
                        (sealer.seal(plain.as_bytes(), "ctx").unwrap(), plain)
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
    );
    // Eight threads open disjoint sessions (thread t: sessions t, t+8, ...);
    // the stand-in stops once about a third of the sessions have been derived.
    const THREADS: usize = 8;
    let start = Arc::new(Barrier::new(THREADS + 1));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (opener, fields, start) = (opener.clone(), fields.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let mut failed = Vec::new();
                let mut opened = 0;
                for s in (t..SESSIONS).step_by(THREADS) {
                    for f in 0..PER_SESSION {
                        let (field, plain) = &fields[s * PER_SESSION + f];
                        match opener.open_string(field, "ctx") {
                            Ok(value) => {
                                assert_eq!(value.as_str(), plain);
                                opened += 1;
                            }
                            Err(e) => {
                                assert_eq!(e.code(), ErrorCode::KeyUnavailable, "{e:?}");
                                assert_eq!(e.code() as u16, 202);
                                failed.push(s * PER_SESSION + f);
                            }
                        }
                    }
                }
                (opened, failed)
            })
        })
        .collect();
    start.wait();
    while standin.state.derived.load(Ordering::SeqCst) < SESSIONS / 3 {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    standin.stop();
    let results: Vec<(usize, Vec<usize>)> =
        workers.into_iter().map(|w| w.join().unwrap()).collect();
    let opened: usize = results.iter().map(|r| r.0).sum();
    let failed: Vec<usize> = results.into_iter().flat_map(|r| r.1).collect();
    eprintln!(
        "stand-in stopped mid-run: {opened} opened, {} KEY_UNAVAILABLE",
        failed.len()
    );
    assert_eq!(opened + failed.len(), SESSIONS * PER_SESSION);
    assert!(
        !failed.is_empty(),
        "the stop came too late to affect any open"
    );
    assert!(opened > 0);
    // Only sessions that opened are cached: every field of a cached session
    // opened, and a failed field's session is not in the cache.
    let sessions_opened: std::collections::BTreeSet<usize> = (0..SESSIONS * PER_SESSION)
        .filter(|i| !failed.contains(i))
        .map(|i| i / PER_SESSION)
        .collect();
    assert_eq!(opener.cached_sessions(), sessions_opened.len());
    // While stopped: still KEY_UNAVAILABLE, still nothing cached.
    let (field, _) = &fields[failed[0]];
    let err = opener.open_string(field, "ctx").unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyUnavailable);
    assert!(format!("{err}").contains("awskms"), "{err}");
    assert_eq!(opener.cached_sessions(), sessions_opened.len());
    // Back on the same port: every failed field opens with the same opener.
    standin.restart();
    for &i in &failed {
        let (field, plain) = &fields[i];
        assert_eq!(opener.open_string(field, "ctx").unwrap().as_str(), plain);
    }
    assert_eq!(opener.cached_sessions(), SESSIONS);
    assert_clean(&standin);
}

/// `max-in-flight` bounds the requests KMS sees at once, and an open that
/// cannot get a slot within `wait-ms` is KEY_UNAVAILABLE ("busy").
#[test]
fn requests_in_flight_are_bounded_and_a_full_queue_is_busy() {
    credentials();
    let standin = KmsStandIn::start();
    standin.state.latency_ms.store(40, Ordering::SeqCst);
    let key = enseal_awskms::open(&standin.uri("&max-in-flight=3&wait-ms=10000")).unwrap();
    let sealer_fields: Vec<String> = (0..48)
        .map(|_| {
            Sealer::new(standin.public_key())
                .unwrap()
                .seal(b"v", "c")
                .unwrap()
        })
        .collect();
    let opener = Arc::new(opener_for(key));
    let fields = Arc::new(sealer_fields);
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let (opener, fields) = (opener.clone(), fields.clone());
            std::thread::spawn(move || {
                for field in fields.iter().skip(t).step_by(16) {
                    assert_eq!(opener.open(field, "c").unwrap().as_slice(), b"v");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let max = standin.state.max_in_flight.load(Ordering::SeqCst);
    assert!(max <= 3, "{max} requests in flight at once, bound 3");
    assert!(max >= 2, "no concurrency reached the stand-in ({max})");
    assert_eq!(standin.state.derived.load(Ordering::SeqCst), 48);

    // One slot, a long request, a short wait: the second open is busy.
    let busy = Arc::new(enseal_awskms::open(&standin.uri("&max-in-flight=1&wait-ms=20")).unwrap());
    standin.state.latency_ms.store(400, Ordering::SeqCst);
    let enc = KeyPair::generate(Suite::P256)
        .unwrap()
        .public_key()
        .as_bytes()
        .to_vec();
    let first = {
        let (busy, enc) = (busy.clone(), enc.clone());
        std::thread::spawn(move || busy.private_key_op(&enc).map(|_| ()))
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    match busy.private_key_op(&enc).map(|_| ()) {
        Err(enseal::CustodyError::Unavailable(why)) => assert!(why.contains("busy"), "{why}"),
        other => panic!("expected busy, got {other:?}"),
    }
    assert!(first.join().unwrap().is_ok());
    assert_clean(&standin);
}

/// Opening, using and dropping a custodian from inside another tokio
/// runtime (an async service) neither panics nor deadlocks.
#[test]
fn works_from_inside_another_async_runtime() {
    credentials();
    let standin = KmsStandIn::start();
    let field = Sealer::new(standin.public_key())
        .unwrap()
        .seal(b"async", "c")
        .unwrap();
    let uri = standin.uri("");
    let outer = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    outer.block_on(async move {
        let opener = opener_for(enseal_awskms::open(&uri).unwrap());
        assert_eq!(opener.open(&field, "c").unwrap().as_slice(), b"async");
        let failing = enseal_awskms::open("awskms:arn:aws:kms:eu-west-1:111122223333:key/x?endpoint=http://127.0.0.1:1&timeout-ms=300");
        assert!(failing.is_err());
        drop(opener);
    });
    assert_eq!(standin.state.derived.load(Ordering::SeqCst), 1);
}

/// The mapping of KMS's final errors: a key or policy out of service is
/// KEY_UNAVAILABLE naming the AWS code (never cached, opens once fixed); so
/// is ValidationException, since core validated `enc` before asking: it can
/// only be a misconfiguration, never bad data (not DECRYPT_FAILED).
#[test]
fn kms_errors_map_to_key_unavailable() {
    credentials();
    let standin = KmsStandIn::start();
    let opener = opener_for(enseal_awskms::open(&standin.uri("")).unwrap());
    let field = Sealer::new(standin.public_key())
        .unwrap()
        .seal(b"v", "c")
        .unwrap();
    for kind in [
        "DisabledException",
        "KMSInvalidStateException",
        "NotFoundException",
        "InvalidKeyUsageException",
        "AccessDeniedException",
        "KeyUnavailableException",
        "DependencyTimeoutException",
        "KMSInternalException",
        "UnrecognizedClientException",
        "ValidationException",
    ] {
        *standin.state.inject.lock().unwrap() = Some(kind.into());
        match opener.open(&field, "c").unwrap_err() {
            Error::KeyUnavailable {
                kid: Some(_),
                reason,
            } => {
                assert!(reason.contains(kind), "{kind}: {reason}")
            }
            other => panic!("{kind}: {other:?}"),
        }
    }
    assert_eq!(opener.cached_sessions(), 0);
    *standin.state.inject.lock().unwrap() = None;
    assert_eq!(opener.open(&field, "c").unwrap().as_slice(), b"v");
    assert_clean(&standin);
}
