//! `enseal ... --key awskms:ARN?endpoint=...`, the binary run as a process
//! against the loopback stand-in for AWS KMS (NOT AWS; the stand-in lives in
//! custody/awskms/tests/support/kms_standin.rs and runs in this test process).
#![cfg(feature = "awskms")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "../../custody/awskms/tests/support/kms_standin.rs"]
mod kms_standin;

use std::sync::atomic::Ordering;

use common::*;
use kms_standin::KmsStandIn;

const TEMPLATE: &str = "patients/{id}{pointer}";
const NDJSON: &str = concat!(
    r#"{"id":"1","ssn":"123-45-6789","note":"first"}"#,
    "\n",
    r#"{"id":"2","ssn":"987-65-4321","note":"second"}"#,
    "\n",
    r#"{"id":"3","ssn":"555-12-3456","note":"third"}"#,
    "\n",
);

/// Fake static credentials for the child process (the secret is random).
fn credentials() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "AKIDENSEALSTANDIN".to_string()),
        ("AWS_SECRET_ACCESS_KEY", random_hex(20)),
    ]
}

fn run_kms(d: &Dir, args: &[&str], env: &[(&'static str, String)]) -> std::process::Output {
    let mut cmd = d.command(args);
    cmd.stdin(std::process::Stdio::null())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn open_and_reseal_with_a_key_held_by_the_kms_standin() {
    let d = Dir::new();
    let mut standin = KmsStandIn::start();
    let uri = standin.uri("&timeout-ms=2000");
    let creds = credentials();
    standin.expect_secret(&creds[1].1);
    // The keyset's key is read from KMS itself (GetPublicKey).
    ok(&run_kms(
        &d,
        &["keyset", "init", "--key", &uri, "--out", "ks.json"],
        &creds,
    ));
    d.write("in.ndjson", NDJSON);
    ok(&d.run(&[
        "seal",
        "in.ndjson",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--field",
        "/note",
        "--context",
        TEMPLATE,
        "--out",
        "sealed.ndjson",
    ]));
    let sealed = d.text("sealed.ndjson");
    assert!(!sealed.contains("123-45-6789"));
    let open = |d: &Dir, env: &[(&'static str, String)]| {
        run_kms(
            d,
            &[
                "open",
                "sealed.ndjson",
                "--key",
                &uri,
                "--all",
                "--context",
                TEMPLATE,
            ],
            env,
        )
    };
    assert_eq!(ok(&open(&d, &creds)), NDJSON);
    assert!(standin.state.derived.load(Ordering::SeqCst) >= 1);
    // Temporary credentials: the session token goes along, signed.
    let token = random_hex(24);
    let mut with_token = creds.clone();
    with_token.push(("AWS_SESSION_TOKEN", token.clone()));
    assert_eq!(ok(&open(&d, &with_token)), NDJSON);
    let tokens = standin.state.session_tokens.lock().unwrap().clone();
    assert!(!tokens.is_empty() && tokens.iter().all(|t| *t == token));
    assert!(standin.state.violations.lock().unwrap().is_empty());
    // The child signed every request with the secret it was given (SigV4 recomputed).
    let signed = standin.state.access_keys.lock().unwrap().len();
    assert!(signed >= 2);
    assert_eq!(
        standin.state.signatures_verified.load(Ordering::SeqCst),
        signed
    );

    // Stand-in stopped: the open fails with KEY_UNAVAILABLE, nothing written.
    standin.stop();
    fails_with(&open(&d, &creds), &["KEY_UNAVAILABLE"]);
    standin.restart();
    assert_eq!(ok(&open(&d, &creds)), NDJSON);

    // No credentials: a clear error naming the variables, no request made.
    let before = standin.state.public_keys.load(Ordering::SeqCst);
    fails_with(&open(&d, &[]), &["AWS_ACCESS_KEY_ID", "KEY_UNAVAILABLE"]);
    assert_eq!(standin.state.public_keys.load(Ordering::SeqCst), before);
    // A malformed URI: INVALID_ARGUMENT.
    fails_with(
        &run_kms(
            &d,
            &[
                "open",
                "sealed.ndjson",
                "--key",
                "awskms:alias/no-region",
                "--all",
                "--context",
                TEMPLATE,
            ],
            &creds,
        ),
        &["awskms:", "INVALID_ARGUMENT"],
    );

    // Re-seal from the KMS key to a file key, then open with the file key alone.
    ok(&d.run(&[
        "key",
        "generate",
        "--suite",
        "x25519",
        "--out",
        "k2.jwk",
        "--public-out",
        "k2.jwk.pub",
        "--insecure-plaintext-key",
    ]));
    ok(&d.run(&["keyset", "init", "--key", "k2.jwk.pub", "--out", "ks2.json"]));
    ok(&run_kms(
        &d,
        &[
            "reseal",
            "sealed.ndjson",
            "--key",
            &uri,
            "--keyset",
            "ks2.json",
            "--all",
            "--context",
            TEMPLATE,
            "--out",
            "resealed.ndjson",
        ],
        &creds,
    ));
    let o = d.run(&[
        "open",
        "resealed.ndjson",
        "--key",
        "k2.jwk",
        "--insecure-plaintext-key",
        "--all",
        "--context",
        TEMPLATE,
    ]);
    assert_eq!(ok(&o), NDJSON);
}
