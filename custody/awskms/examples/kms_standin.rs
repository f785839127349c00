//! The loopback STAND-IN for AWS KMS (tests/support/kms_standin.rs; not AWS)
//! as a process, for the cross-binding test (xtask/src/custody.rs): starts it
//! with a fresh P-256 key, writes the key's `awskms:` URI and public JWK to
//! the two files given, and serves until its standard input closes.
//! Requests are checked against `AWS_SECRET_ACCESS_KEY` from the environment.
//!
//! `cargo run -p enseal-awskms --example kms_standin -- URI_FILE PUBLIC_JWK_FILE`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/kms_standin.rs"]
mod kms_standin;

use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [uri_file, public_file] = args.as_slice() else {
        panic!("usage: kms_standin URI_FILE PUBLIC_JWK_FILE");
    };
    let standin = kms_standin::KmsStandIn::start();
    std::fs::write(public_file, standin.public_key().to_jwk()).unwrap();
    // Written last: the file's presence says the stand-in is listening.
    std::fs::write(uri_file, standin.uri("")).unwrap();
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    let state = &standin.state;
    let violations = state.violations.lock().unwrap();
    let count = |n: &std::sync::atomic::AtomicUsize| n.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!(
        "kms stand-in: {} GetPublicKey, {} DeriveSharedSecret, {} signatures verified, violations {violations:?}",
        count(&state.public_keys),
        count(&state.derived),
        count(&state.signatures_verified),
    );
    // The test reads this: a request off the API reference, or unsigned, fails it.
    let signed = count(&state.public_keys) + count(&state.derived);
    if !violations.is_empty() || count(&state.signatures_verified) != signed || signed == 0 {
        std::process::exit(1);
    }
}
