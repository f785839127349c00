//! `cargo xtask pkcs11-test`: the PKCS#11 custody crate's tests against a
//! real SoftHSM2 (Debian's `softhsm2`, installed by `setup()`), with a
//! private token directory under `target/softhsm/` and its own
//! `SOFTHSM2_CONF`, initialised afresh on every run with random PINs.
//!
//! `cargo xtask kryoptic-test` (opt-in, not part of `test`): builds the
//! kryoptic 1.5.4 soft token from xtask/kryoptic/ (outside the workspace, so
//! cargo-deny of the product is unaffected) and runs the X25519
//! (`CKK_EC_MONTGOMERY`) tests, which SoftHSM2 2.6.1 cannot run, against it.

use crate::{Result, root, run};
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian's SoftHSM2 module (a symlink into the multiarch directory).
const SOFTHSM_MODULES: [&str; 2] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
];
/// The label of the test token.
pub const TOKEN_LABEL: &str = "enseal-test";

/// A PIN for the test token, from the OS's randomness (no PIN is written in the repository).
fn random_pin() -> Result<String> {
    use std::io::Read;
    let mut buf = [0u8; 12];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn write(path: &Path, text: &str) -> Result {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The module path, the conf path and the user PIN file of a freshly
/// initialised SoftHSM2 token under `dir`.
pub fn softhsm_token(dir: &Path) -> Result<(PathBuf, PathBuf, PathBuf)> {
    let module = SOFTHSM_MODULES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .ok_or("libsofthsm2.so not found: install Debian's softhsm2 (cargo xtask test does)")?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).map_err(|e| format!("{}: {e}", tokens.display()))?;
    let conf = dir.join("softhsm2.conf");
    write(
        &conf,
        &format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
            tokens.display()
        ),
    )?;
    let (so_pin, pin) = (random_pin()?, random_pin()?);
    let pin_file = dir.join("user.pin");
    write(&pin_file, &pin)?;
    run(Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args(["--init-token", "--free", "--label", TOKEN_LABEL])
        .args(["--so-pin", &so_pin, "--pin", &pin]))?;
    Ok((module, conf, pin_file))
}

/// Runs `cargo test -p enseal-pkcs11` against a fresh SoftHSM2 token.
pub fn test() -> Result {
    let (module, conf, pin_file) = softhsm_token(&root().join("target/softhsm"))?;
    run(
        Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["test", "-p", "enseal-pkcs11"])
            .env("SOFTHSM2_CONF", &conf)
            .env("ENSEAL_PKCS11_MODULE", &module)
            .env("ENSEAL_TEST_PKCS11_TOKEN", TOKEN_LABEL)
            .env("ENSEAL_TEST_PKCS11_PIN_FILE", &pin_file)
            .env("ENSEAL_TEST_PKCS11_VENDOR", "softhsm2"),
    )
}
