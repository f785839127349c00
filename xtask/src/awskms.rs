//! `cargo xtask kms-test`: the AWS KMS custodian (custody/awskms) through the
//! real `aws-sdk-kms` client against its loopback stand-in for AWS KMS
//! (custody/awskms/tests/support/kms_standin.rs, a test server on 127.0.0.1,
//! not AWS), then the CLI's `--key awskms:` run as a process against it.
//!
//! Nothing to install: the stand-in is Rust on crates already in the graph,
//! and the SDK's TLS backend (aws-lc-sys) builds with the C compiler `setup`
//! already requires (no cmake, no nasm on x86-64 Linux). AWS itself is never
//! contacted: there are no credentials here, and the tests set fake ones.

use crate::{Result, cargo};

/// Runs the custodian's tests and the CLI's AWS KMS test.
pub fn test() -> Result {
    cargo(&["test", "-p", "enseal-awskms"])?;
    cargo(&["test", "-p", "enseal-cli", "--test", "awskms"])
}
