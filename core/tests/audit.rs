//! Audit of every open: events through a closure sink, the hash-chained file
//! log and its verifier, through the public API only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{
    AuditEvent, AuditLog, AuditOperation, AuditSink, Context, Error, ErrorCode, KeyPair, Keyring,
    Opener, Sealed, Sealer, Suite, verify_audit_log,
};
use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What a closure sink saw, owned.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    operation: AuditOperation,
    error: Option<ErrorCode>,
    kid: Option<String>,
    session: Option<String>,
    context: Option<Vec<u8>>,
    actor: String,
}

fn collecting() -> (Arc<Mutex<Vec<Seen>>>, Arc<dyn AuditSink>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let seen = Arc::clone(&seen);
        move |event: &AuditEvent<'_>| {
            assert!(event.time > 1_700_000_000, "time is Unix seconds");
            assert_eq!(event.succeeded(), event.error.is_none());
            seen.lock().unwrap().push(Seen {
                operation: event.operation,
                error: event.error,
                kid: event.kid.map(|k| k.to_string()),
                session: event.session_id().map(|s| s.to_string()),
                context: event.context.map(<[u8]>::to_vec),
                actor: event.actor.to_string(),
            });
            Ok(())
        }
    };
    (seen, Arc::new(sink))
}

fn key() -> KeyPair {
    KeyPair::generate(Suite::X25519).unwrap()
}

fn temp_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("audit");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.jsonl", std::process::id()));
    let _ = fs::remove_file(&path);
    path
}

#[test]
fn every_open_and_failed_open_is_an_event() {
    let key = key();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let (seen, sink) = collecting();
    let opener = Opener::new(Keyring::from_iter([key])).with_audit(sink, "billing-service");
    let ssn = sealer.seal(b"123-45-6789", "patients/8812/ssn").unwrap();
    let parsed = Sealed::parse(&ssn).unwrap();

    opener.open(&ssn, "patients/8812/ssn").unwrap();
    opener.open_string(&parsed, "patients/8812/ssn").unwrap();
    opener
        .open_binary(parsed.as_binary(), "patients/8812/ssn")
        .unwrap();
    let mut small = [0u8; 3];
    assert_eq!(
        opener
            .open_binary_to(parsed.as_binary(), "patients/8812/ssn", &mut small)
            .unwrap_err()
            .code(),
        ErrorCode::BufferTooSmall
    );
    assert_eq!(
        opener.open(&ssn, "patients/8813/ssn").unwrap_err(),
        Error::DecryptFailed
    );
    assert!(opener.open("enseal1.!!", "x").is_err());
    assert!(opener.open_binary(b"\x07junk", "x").is_err());

    let seen = seen.lock().unwrap();
    let ops: Vec<_> = seen.iter().map(|s| (s.operation, s.error)).collect();
    assert_eq!(
        ops,
        [
            (AuditOperation::Decapsulate, None),
            (AuditOperation::Open, None),
            (AuditOperation::Open, None),
            (AuditOperation::Open, None),
            (AuditOperation::Open, Some(ErrorCode::BufferTooSmall)),
            (AuditOperation::Open, Some(ErrorCode::DecryptFailed)),
            (AuditOperation::Open, Some(ErrorCode::BadEncoding)),
            (AuditOperation::Open, Some(ErrorCode::UnsupportedVersion)),
        ]
    );
    let session = parsed.session_id().to_string();
    let kid = parsed.kid().to_string();
    for event in &seen[..6] {
        assert_eq!(event.session.as_deref(), Some(session.as_str()));
        assert_eq!(event.kid.as_deref(), Some(kid.as_str()));
        assert_eq!(event.actor, "billing-service");
    }
    assert_eq!(seen[0].context, None, "a decapsulation is per session");
    assert_eq!(seen[1].context.as_deref(), Some(&b"patients/8812/ssn"[..]));
    assert_eq!(seen[5].context.as_deref(), Some(&b"patients/8813/ssn"[..]));
    assert_eq!(
        (seen[6].kid.as_ref(), seen[6].session.as_ref()),
        (None, None)
    );
}

#[test]
fn batches_and_json_fields_are_audited_one_event_per_value() {
    let key = key();
    let kid = key.kid().to_string();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let (seen, sink) = collecting();
    let opener = Opener::new(Keyring::from_iter([key])).with_audit(sink, "etl");
    let values: [&[u8]; 3] = [b"a", b"b", b"c"];
    let sealed = sealer.seal_batch(&values, &["col"]).unwrap();
    opener.open_batch(&sealed, &["col"]).unwrap();
    let doc = sealer
        .seal_json_text(
            r#"{"id":"7","ssn":"1","dx":"2"}"#,
            &["/ssn", "/dx"],
            Some("7"),
        )
        .unwrap();
    opener
        .open_json_text(&doc, &["/ssn", "/dx"], Some("7"))
        .unwrap();
    let seen = seen.lock().unwrap();
    let opens: Vec<_> = seen
        .iter()
        .filter(|s| s.operation == AuditOperation::Open)
        .collect();
    assert_eq!(opens.len(), 5);
    assert!(
        opens
            .iter()
            .all(|s| s.error.is_none() && s.kid.as_deref() == Some(&kid))
    );
    let decaps = seen.len() - opens.len();
    assert_eq!(decaps, 1, "one decapsulation per session: {seen:?}");
}

#[test]
fn a_refusing_sink_fails_the_open_closed() {
    let key = key();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let sink = |event: &AuditEvent<'_>| match event.operation {
        AuditOperation::Open => Err(Error::Internal("audit store down")),
        _ => Ok(()),
    };
    let opener = Opener::new(Keyring::from_iter([key])).with_audit(Arc::new(sink), "svc");
    let sealed = sealer.seal_binary(b"secret", "c").unwrap();
    let mut out = b"kept".to_vec();
    assert_eq!(
        opener.open_binary_into(&sealed, "c", &mut out).unwrap_err(),
        Error::Internal("audit store down")
    );
    assert_eq!(out, b"kept", "the plaintext is gone");
    // A failed open keeps its own error.
    assert_eq!(
        opener.open_binary(&sealed, "d").unwrap_err(),
        Error::DecryptFailed
    );
}

#[test]
fn binary_contexts_are_base64url_and_the_default_opener_makes_no_events() {
    let key = key();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let sealed = sealer
        .seal(b"v", Context::bytes(&[0xff, 0x00, 0x80]))
        .unwrap();
    let path = temp_path("binary-context");
    let log = Arc::new(AuditLog::open(&path).unwrap());
    let ring = Keyring::from_iter([key]);
    Opener::new(ring.clone())
        .open(&sealed, Context::bytes(&[0xff, 0x00, 0x80]))
        .unwrap();
    let opener = Opener::new(ring).with_audit(log.clone(), "svc");
    opener
        .open(&sealed, Context::bytes(&[0xff, 0x00, 0x80]))
        .unwrap();
    log.flush().unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains(r#""context_base64url":"_wCA""#), "{text}");
    assert!(text.contains(r#""context":null"#), "{text}");
}

/// Writes a log of `opens` events from `threads` threads and returns its path.
fn write_log(name: &str, threads: usize, opens: usize) -> (PathBuf, KeyPair, Vec<u8>) {
    let key = key();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let plaintext = b"DIAGNOSIS-E11.9-unique-plaintext".to_vec();
    let sealed = sealer.seal(&plaintext, "patients/1/dx").unwrap();
    let wrong = sealer.seal(&plaintext, "patients/2/dx").unwrap();
    let path = temp_path(name);
    let log = Arc::new(AuditLog::open(&path).unwrap());
    let ring = Keyring::from_iter([KeyPair::from_jwk(&key.to_jwk()).unwrap()]);
    let opener = Opener::new(ring).with_audit(log.clone(), "svc \"a\"");
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (opener, sealed, wrong) = (&opener, &sealed, &wrong);
            scope.spawn(move || {
                for i in 0..opens {
                    if (t + i) % 7 == 3 {
                        assert!(opener.open(wrong, "patients/1/dx").is_err());
                    } else {
                        opener.open(sealed, "patients/1/dx").unwrap();
                    }
                }
            });
        }
    });
    drop(opener);
    drop(Arc::try_unwrap(log).unwrap()); // dropping flushes
    (path, key, plaintext)
}

#[test]
fn the_log_verifies_and_counts_per_actor_and_kid_from_several_threads() {
    let (path, key, _) = write_log("threads", 4, 250);
    let report = verify_audit_log(fs::read(&path).unwrap().as_slice()).unwrap();
    assert!(report.is_intact(), "{:?}", report.problem);
    // 1,000 opens and one decapsulation per session (one session here,
    // maybe a few more if threads raced to derive it before it was cached).
    assert!((1001..=1004).contains(&report.events), "{}", report.events);
    assert_eq!(report.per_actor["svc \"a\""], report.events);
    assert_eq!(report.per_kid[&key.kid().to_string()], report.events);
    let failures = (0..4)
        .flat_map(|t| (0..250).map(move |i| (t + i) % 7 == 3))
        .filter(|f| *f)
        .count();
    assert_eq!(report.failures, failures as u64);
    assert_eq!(report.last_hash.len(), 64);
}

#[test]
fn no_plaintext_and_no_key_material_in_the_log() {
    let (path, key, plaintext) = write_log("secrets", 1, 20);
    let log = fs::read(&path).unwrap();
    let contains = |needle: &[u8]| log.windows(needle.len()).any(|w| w == needle);
    let private = key.private_bytes();
    let jwk = key.to_jwk();
    let d = jwk
        .split("\"d\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert!(!contains(&plaintext));
    assert!(!contains(&plaintext[..12]));
    assert!(!contains(&private[..]));
    assert!(!contains(&private[..8]));
    assert!(!contains(d.as_bytes()));
    let hex: String = private.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!contains(hex.as_bytes()));
}

/// The log's lines, to tamper with.
fn lines(path: &PathBuf) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| format!("{l}\n"))
        .collect()
}

fn verify_lines(lines: &[String]) -> enseal::AuditReport {
    verify_audit_log(lines.concat().as_bytes()).unwrap()
}

#[test]
fn tampering_is_detected_deleted_edited_reordered_inserted_and_truncated() {
    let (path, _, _) = write_log("tamper", 1, 10);
    let good = lines(&path);
    assert_eq!(good.len(), 11);
    assert!(verify_lines(&good).is_intact());

    let mut deleted = good.clone();
    deleted.remove(4);
    let problem = verify_lines(&deleted).problem.unwrap();
    assert_eq!(problem.line, 5, "{problem:?}");

    let mut edited = good.clone();
    edited[3] = edited[3].replace("\"actor\":\"svc", "\"actor\":\"eve");
    assert_ne!(edited[3], good[3]);
    let report = verify_lines(&edited);
    let problem = report.problem.unwrap();
    assert_eq!(problem.line, 4);
    assert!(problem.reason.contains("edited"), "{problem:?}");
    assert_eq!(report.events, 3, "counts stop at the break");

    let mut reordered = good.clone();
    reordered.swap(6, 7);
    assert_eq!(verify_lines(&reordered).problem.unwrap().line, 7);

    // A line copied from elsewhere in the log, with its own valid hash.
    let mut inserted = good.clone();
    inserted.insert(5, good[2].clone());
    assert_eq!(verify_lines(&inserted).problem.unwrap().line, 6);

    // Lines cut from the end leave a valid, shorter chain: only a copy of
    // the last hash kept elsewhere tells (as does a rewrite of the chain
    // from an edited line on, which needs no key).
    let report = verify_lines(&good[..10]);
    assert!(report.is_intact());
    assert_ne!(report.last_hash, verify_lines(&good).last_hash);

    let mut truncated = good.clone();
    let last = truncated.pop().unwrap();
    truncated.push(last[..last.len() / 2].to_string());
    let problem = verify_lines(&truncated).problem.unwrap();
    assert_eq!(problem.line, 11);
    assert!(problem.reason.contains("cut short"), "{problem:?}");
    // Cut just before its end of line, too.
    truncated[10] = last[..last.len() - 1].to_string();
    assert_eq!(verify_lines(&truncated).problem.unwrap().line, 11);
}

#[test]
fn a_log_reopened_continues_its_chain_and_a_broken_one_is_refused() {
    let (path, key, _) = write_log("reopen", 1, 5);
    let sealer = Sealer::new(key.public_key()).unwrap();
    let sealed = sealer.seal(b"x", "c").unwrap();
    {
        let log = Arc::new(AuditLog::open(&path).unwrap());
        let opener = Opener::new(Keyring::from_iter([key])).with_audit(log, "second-run");
        opener.open(&sealed, "c").unwrap();
    }
    let report = verify_audit_log(fs::read(&path).unwrap().as_slice()).unwrap();
    assert!(report.is_intact(), "{:?}", report.problem);
    assert_eq!(report.events, 8);
    assert_eq!(report.per_actor["second-run"], 2);

    let mut broken = lines(&path);
    broken.remove(1);
    fs::write(&path, broken.concat()).unwrap();
    let before = fs::read(&path).unwrap();
    let error = AuditLog::open(&path).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    assert!(error.to_string().contains("line 2"), "{error}");
    assert_eq!(fs::read(&path).unwrap(), before, "nothing appended");
}

#[cfg(feature = "hazmat")]
#[test]
fn delegated_opens_are_audited() {
    let key = key();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let (seen, sink) = collecting();
    let opener = Opener::new(Keyring::from_iter([key])).with_audit(sink, "web");
    let sealed = sealer.seal_binary(b"v", "c").unwrap();
    let delegated = opener.delegate_open(&sealed, "c").unwrap();
    opener.confirm_delegated(delegated.into_pending());
    assert!(opener.delegate_open(b"junk", "c").is_err());
    let ops: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| (s.operation, s.error, s.kid.is_some()))
        .collect();
    assert_eq!(
        ops,
        [
            (AuditOperation::Decapsulate, None, true),
            (AuditOperation::DelegateOpen, None, true),
            (AuditOperation::ConfirmDelegated, None, true),
            (
                AuditOperation::DelegateOpen,
                Some(ErrorCode::UnsupportedVersion),
                false
            ),
        ]
    );
}

#[test]
fn long_events_and_escaped_text_chain_like_short_ones() {
    let key = KeyPair::generate(Suite::XWing).unwrap();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let context = format!("records/\"q\"\\\n\t{}", "é".repeat(200));
    let sealed = sealer.seal(b"v", context.as_str()).unwrap();
    let path = temp_path("long");
    let log = Arc::new(AuditLog::open(&path).unwrap());
    let opener = Opener::new(Keyring::from_iter([key])).with_audit(log.clone(), "actor\u{1}");
    opener.open(&sealed, context.as_str()).unwrap();
    log.flush().unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let report = verify_audit_log(text.as_bytes()).unwrap();
    assert!(report.is_intact(), "{:?}", report.problem);
    assert_eq!(report.per_actor["actor\u{1}"], 2);
    assert!(text.contains(r#"records/\"q\"\\\n\t"#), "{text}");
    assert!(text.contains(r#""actor":"actor\u0001""#), "{text}");
    let session = Sealed::parse(&sealed).unwrap().session_id().to_string();
    assert!(text.contains(&format!(r#""session":"{session}""#)));
}
