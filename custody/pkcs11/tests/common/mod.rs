//! The token the tests run against, from the environment `cargo xtask
//! pkcs11-test` (or `kryoptic-test`) sets: a freshly initialised token,
//! its label and a file with its user PIN.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run these tests with `cargo xtask pkcs11-test`, which sets up a SoftHSM2 token")
    })
}

/// Which token implementation: "softhsm2" or "kryoptic".
pub fn vendor() -> String {
    env("ENSEAL_TEST_PKCS11_VENDOR")
}

/// `pkcs11:token=…` plus `path` attributes, with the PIN file and `query`.
pub fn uri(path: &str, query: &str) -> String {
    ensure_token();
    let token = env("ENSEAL_TEST_PKCS11_TOKEN");
    let pin = env("ENSEAL_TEST_PKCS11_PIN_FILE");
    let sep = if path.is_empty() { "" } else { ";" };
    let amp = if query.is_empty() { "" } else { "&" };
    format!("pkcs11:token={token}{sep}{path}?pin-source=file:{pin}{amp}{query}")
}

/// A label no other test of this run uses.
pub fn label(what: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{what}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// The module as the tests' own handle (the same library instance as the
/// crate's: `C_Initialize` is process-wide, so "already initialised" is fine).
pub fn module() -> Pkcs11 {
    ensure_token();
    raw_module()
}

fn raw_module() -> Pkcs11 {
    let ctx = Pkcs11::new(env("ENSEAL_PKCS11_MODULE")).unwrap();
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => panic!("C_Initialize: {e}"),
    }
    ctx
}

/// A logged-in read-write session of the tests' own, on the test token.
pub fn session(ctx: &Pkcs11) -> Session {
    let label = env("ENSEAL_TEST_PKCS11_TOKEN");
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label().trim_end() == label)
        .expect("the test token");
    let session = ctx.open_rw_session(slot).unwrap();
    let pin = std::fs::read_to_string(env("ENSEAL_TEST_PKCS11_PIN_FILE")).unwrap();
    match session.login(UserType::User, Some(&AuthPin::new(pin.trim_end().into()))) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
        Err(e) => panic!("C_Login: {e}"),
    }
    session
}

/// kryoptic's token is initialised by a client (SoftHSM2's by softhsm2-util in
/// the xtask): when the xtask says so, `C_InitToken` + `C_InitPIN` once per
/// test process, before the crate opens any session.
fn ensure_token() {
    static DONE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        // C_Initialize once, fully, before any test thread (or the crate)
        // calls into the module: SoftHSM2 answers a C_GetSlotList racing
        // a C_Initialize in another thread with no slots.
        let ctx = raw_module();
        let Ok(so_file) = std::env::var("ENSEAL_TEST_PKCS11_INIT_SO_PIN_FILE") else {
            return;
        };
        let slot = ctx.get_all_slots().unwrap()[0];
        let so = AuthPin::new(std::fs::read_to_string(so_file).unwrap().trim_end().into());
        ctx.init_token(slot, &so, &env("ENSEAL_TEST_PKCS11_TOKEN"))
            .unwrap();
        let session = ctx.open_rw_session(slot).unwrap();
        session.login(UserType::So, Some(&so)).unwrap();
        let pin = std::fs::read_to_string(env("ENSEAL_TEST_PKCS11_PIN_FILE")).unwrap();
        session
            .init_pin(&AuthPin::new(pin.trim_end().into()))
            .unwrap();
        session.logout().unwrap();
    });
}
