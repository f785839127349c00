//! `cargo xtask pkcs11-test`: the PKCS#11 custody crate's tests against a
//! real SoftHSM2 (Debian's `softhsm2`, installed by `setup()`), with a
//! private token directory under `target/softhsm/` and its own
//! `SOFTHSM2_CONF`, initialised afresh on every run with random PINs.
//!
//! `cargo xtask kryoptic-test` (also run by `pkcs11-test` and `test`): builds the
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

/// Runs `cargo test -p enseal-pkcs11` against a fresh SoftHSM2 token, then
/// the X25519, P-256 and wrapped-key tests against kryoptic (its cold build
/// took 71 s here with one job, so it is part of `test`).
pub fn test() -> Result {
    softhsm_test()?;
    kryoptic_test()
}

fn softhsm_test() -> Result {
    let (module, conf, pin_file) = softhsm_token(&root().join("target/softhsm"))?;
    run(
        Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            // One test at a time in each test process: the tests' own module handles
            // call C_Initialize beside the crate's, and SoftHSM2 answers a
            // C_GetSlotList racing a C_Initialize with no slots (seen twice in CI
            // in x25519.rs). The crate itself initialises once per process.
            .args(["test", "-p", "enseal-pkcs11", "--", "--test-threads=1"])
            .env("SOFTHSM2_CONF", &conf)
            .env("ENSEAL_PKCS11_MODULE", &module)
            .env("ENSEAL_TEST_PKCS11_TOKEN", TOKEN_LABEL)
            .env("ENSEAL_TEST_PKCS11_PIN_FILE", &pin_file)
            .env("ENSEAL_TEST_PKCS11_VENDOR", "softhsm2"),
    )
}

/// libclang for kryoptic's bindgen step, from PyPI (Debian's `libclang-dev`
/// would also do, but pulls LLVM into every machine that runs `test`),
/// pinned by version and hash.
const LIBCLANG_WHEEL: &str = "libclang==18.1.1 \
    --hash=sha256:c533091d8a3bbf7460a00cb6c1a71da93bffe148f172c7d03b1c31fbf8aa2a0b\n";

/// Builds kryoptic 1.5.4 (xtask/kryoptic, its own workspace and lock,
/// `target/kryoptic`) and returns the path of its PKCS#11 module.
pub fn build_kryoptic() -> Result<PathBuf> {
    let tools = root().join("target/kryoptic-tools");
    // The site-packages directory is named after the venv's Python version.
    let find_native = || {
        std::fs::read_dir(tools.join("lib"))
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("site-packages/clang/native"))
            .find(|p| p.join("libclang.so").exists())
    };
    if find_native().is_none() {
        if !tools.join("bin/pip").exists() {
            run(Command::new("python3").args(["-m", "venv"]).arg(&tools))?;
        }
        let requirements = tools.join("requirements.txt");
        write(&requirements, LIBCLANG_WHEEL)?;
        run(Command::new(tools.join("bin/pip"))
            .args(["install", "--quiet", "--require-hashes", "--no-deps", "-r"])
            .arg(&requirements))?;
    }
    let native = find_native().ok_or("libclang.so not found in target/kryoptic-tools")?;
    // The wheel has no clang resource headers (stddef.h, …): gcc's serve.
    let gcc_include = std::fs::read_dir("/usr/lib/gcc/x86_64-linux-gnu")
        .map_err(|e| format!("/usr/lib/gcc/x86_64-linux-gnu: {e}"))?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("include"))
        .find(|p| p.join("stddef.h").exists())
        .ok_or("gcc's include directory not found (apt-get install gcc)")?;
    let target = root().join("target/kryoptic");
    let started = std::time::Instant::now();
    run(
        Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root().join("xtask/kryoptic"))
            .args(["build", "--locked", "--target-dir"])
            .arg(&target)
            .env("LIBCLANG_PATH", &native)
            .env(
                "BINDGEN_EXTRA_CLANG_ARGS",
                format!("-I{}", gcc_include.display()),
            ),
    )?;
    eprintln!(
        "xtask: kryoptic built in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    // Built as a dependency, the cdylib keeps its hashed name in deps/: the newest one.
    let deps = target.join("debug/deps");
    std::fs::read_dir(&deps)
        .map_err(|e| format!("{}: {e}", deps.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libkryoptic_pkcs11") && n.ends_with(".so"))
        })
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .ok_or_else(|| format!("no libkryoptic_pkcs11*.so in {}", deps.display()))
}

/// `cargo xtask kryoptic-test`: the X25519 (`CKK_EC_MONTGOMERY`) tests, and
/// the P-256 ones again, against a fresh kryoptic token.
pub fn kryoptic_test() -> Result {
    let module = build_kryoptic()?;
    let dir = root().join("target/kryoptic-token");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let conf = dir.join("kryoptic.conf");
    write(
        &conf,
        &format!(
            "[[slots]]\nslot = 1\ndbtype = \"sqlite\"\ndbargs = \"{}\"\n",
            dir.join("token.sql").display()
        ),
    )?;
    let pin_file = dir.join("user.pin");
    write(&pin_file, &random_pin()?)?;
    let so_pin_file = dir.join("so.pin");
    write(&so_pin_file, &random_pin()?)?;
    // kryoptic tokens are initialised by a client (C_InitToken, C_InitPIN):
    // the tests' harness does it when it finds this variable.
    run(
        Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "test",
                "-p",
                "enseal-pkcs11",
                "--test",
                "token",
                "--test",
                "x25519",
                "--test",
                "wrapped",
                "--",
                "--test-threads=1",
            ])
            .env("KRYOPTIC_CONF", &conf)
            .env("ENSEAL_PKCS11_MODULE", &module)
            .env("ENSEAL_TEST_PKCS11_TOKEN", TOKEN_LABEL)
            .env("ENSEAL_TEST_PKCS11_PIN_FILE", &pin_file)
            .env("ENSEAL_TEST_PKCS11_INIT_SO_PIN_FILE", &so_pin_file)
            .env("ENSEAL_TEST_PKCS11_VENDOR", "kryoptic"),
    )
}
