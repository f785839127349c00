//! A PIN the token refuses, in a process of its own: a custodian that
//! fails to open drops its module handle (`C_Finalize`), which would end the
//! sessions of tests running beside it in one process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[test]
fn a_refused_pin_is_named_in_the_error_without_the_pin() {
    // A wrong PIN: the token refuses the login, and the error says so without
    // the PIN. (That the custodian then stops offering it, so the token does
    // not lock it, is token.rs's `pin_refused`; not counted here.)
    common::uri("", "");
    let wrong = format!(
        "pkcs11:token={};object=anything;type=private?module-path={}&pin-value=wrong-{}",
        common::env("ENSEAL_TEST_PKCS11_TOKEN"),
        common::env("ENSEAL_PKCS11_MODULE"),
        common::label("pin")
    );
    let err = enseal_pkcs11::open(&wrong).unwrap_err();
    assert!(err.to_string().contains("refused the PIN"), "{err}");
    assert!(!err.to_string().contains("wrong-"), "{err}");
}
