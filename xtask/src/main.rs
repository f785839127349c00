//! `cargo xtask <task>`: the one entry point for building and testing enseal
//! across languages. Every task installs what it needs first, so each works
//! on a fresh machine of the project's kind (Debian, Rust by rustup, root).

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod awskms;
mod bench;
mod c;
mod custody;
mod deny;
mod ingest;
mod ingest_bench;
mod kotlin;
mod parity;
mod pipelines;
mod pkcs11;
mod postgres;
mod python;
mod web;

type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "\
usage: cargo xtask <task>

  check     the inner loop (seconds warm): fmt, clippy (host crates but the
            benchmarks), core's tests, the C header against cbindgen (when it is
            installed), the parity check on what is built; prints the time
  test      install prerequisites, then run every check and test (what CI runs):
            check's steps in full, cargo deny, the rust-version build, every
            binding, and the parity check on freshly generated bindings
  parity [--all] [--list]  docs/API.md's operation table against each language's
            API; --all: every language must be built (after kotlin-test, web-build);
            --list: print every name read
  deny      cargo deny check, offline, against .ci/advisory-db.tar.gz
  msrv      cargo check of core with the workspace's rust-version toolchain
  demo      seal and open a sample patient record (cargo run --example patient_record)
  vectors   regenerate tests/vectors/enseal-v1.json from fixed randomness
  bench     run the criterion benchmarks and write docs/PERFORMANCE.md
  fuzz [S]  run each cargo-fuzz target for S seconds (default 60) from fuzz/seeds; prints exec/s
  c-header  regenerate bindings/c/include/enseal.h with the pinned cbindgen
  c-test    only the C ABI part of `test`
  pkcs11-test  the PKCS#11 custody tests against a fresh SoftHSM2 token under target/softhsm
  custody-test fields sealed by every binding opened through an HSM (after the bindings' tests)
  bench-custody  fields/s opening with keys in memory, SoftHSM2, wrapped, and the KMS stand-in (10 ms)
  kryoptic-test  build the kryoptic soft token, run the X25519 (CKK_EC_MONTGOMERY) PKCS#11 tests on it
  kms-test  the AWS KMS custodian and `enseal open --key awskms:` against the loopback KMS stand-in
  python-test  build the x86_64 manylinux_2_17 wheel, install it in clean venvs, run pytest on it
  wheels       build and audit the manylinux_2_17 wheels for x86_64 and aarch64 (prints sizes, times)
  pipelines-test  enseal-arrow's tests, and enseal.spark on PySpark local[2] (after python-test)
  bench-pipelines  column rates in Rust and Python, and Spark against aes_encrypt, in one run
  kotlin-test  generate Kotlin and Swift, compile and run the Kotlin test on the JVM
  kotlin-package  build target/kotlin/dist: enseal.jar (bindings + native library) and libenseal_uniffi.so
  web-build    build and pack the npm package into target/npm (prints the .wasm size)
  web-test     the npm package in Node, headless Chromium and a Vite build
  ingest-test  the intake service (examples/ingest) against a fresh PostgreSQL 15 cluster and SQLite
  bench-ingest  the intake service under load (sealed vs plaintext, PostgreSQL and SQLite): docs/INGEST-REPORT.md
  web-bench    seal/open rates in Node and Chromium against @hpke/core, libsodium, WebCrypto
  c-install --prefix DIR   install libenseal, enseal.h and enseal.pc under DIR";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") => check(),
        Some("test") => test(),
        Some("deny") => deny::check(),
        Some("msrv") => msrv(),
        Some("demo") => cargo(&["run", "--quiet", "--example", "patient_record"]),
        Some("vectors") => vectors(),
        Some("bench") => bench::run(),
        Some("fuzz") => fuzz(args.get(1).map(String::as_str).unwrap_or("60")),
        Some("parity") => parity::run(
            args.iter().any(|a| a == "--all"),
            args.iter().any(|a| a == "--list"),
        ),
        Some("c-header") => c::header(),
        Some("c-test") => c::test(),
        Some("kms-test") => awskms::test(),
        Some("python-test") => python::test(),
        Some("pipelines-test") => pipelines::test(),
        Some("ingest-test") => ingest::test(),
        Some("bench-ingest") => ingest_bench::bench(),
        Some("bench-pipelines") => pipelines::bench(),
        Some("wheels") => python::wheels(),
        Some("pkcs11-test") => pkcs11::test(),
        Some("custody-test") => custody::test(),
        Some("bench-custody") => custody::bench(),
        Some("kryoptic-test") => pkcs11::kryoptic_test(),
        Some("kotlin-test") => kotlin::test(),
        Some("kotlin-package") => kotlin::package(kotlin::Build::Release).map(|_| ()),
        Some("web-build") => web::build().map(|_| ()),
        Some("web-test") => web::test(),
        Some("web-bench") => web::bench(),
        Some("c-install") => match (args.get(1).map(String::as_str), args.get(2)) {
            (Some("--prefix"), Some(prefix)) => c::install(Path::new(prefix)),
            _ => Err(USAGE.to_string()),
        },
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            println!(
                "steps: {} passed, 1 failed",
                STEPS.load(std::sync::atomic::Ordering::Relaxed)
            );
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Steps that ran and succeeded, for the closing summary line.
static STEPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub(crate) fn run(cmd: &mut Command) -> Result {
    eprintln!("xtask: $ {cmd:?}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let started = std::time::Instant::now();
    let status = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    eprintln!("xtask: ({:.0} s)", started.elapsed().as_secs_f64());
    if status.success() {
        STEPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {status}"))
    }
}

pub(crate) fn cargo(args: &[&str]) -> Result {
    run(Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args(args))
}

pub(crate) fn has(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Installs what the checks need and is missing: rustup components, Debian packages.
fn setup() -> Result {
    if !has("cargo-fmt", "--version") || !has("cargo-clippy", "--version") {
        run(Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]))?;
    }
    web::rust_target()?;
    python::rust_targets()?;
    // The benchmark crate links OpenSSL (a reference implementation) and is built by clippy.
    let missing: Vec<&str> = [
        "libssl-dev",
        "pkg-config",
        "valgrind",
        "gcc",
        "python3-venv",
        "libjna-java",
        "chromium",
        "chromium-driver",
        // Debian's age decrypts the CLI's key files in its tests (an independent reader of the format).
        "age",
        // SoftHSM2 2.6.1: the PKCS#11 token the custody tests run against (xtask/src/pkcs11.rs).
        "softhsm2",
        // kryoptic's token store (SQLite), built for the X25519 PKCS#11 tests.
        "libsqlite3-dev",
        // llvm-strip: the wheels' debug information, x86_64 and aarch64 (xtask/src/python.rs).
        "llvm",
        // PostgreSQL 15: the intake service's real database (xtask/src/postgres.rs).
        "postgresql",
        // The openssl CLI: the intake service's TLS tests offer it what rustls refuses.
        "openssl",
    ]
    .into_iter()
    .filter(|p| {
        !Command::new("dpkg")
            .args(["-s", p])
            .output()
            .is_ok_and(|o| o.status.success())
    })
    .collect();
    if !missing.is_empty() {
        run(Command::new("apt-get").arg("update").arg("-q"))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing))?;
    }
    Ok(())
}

/// Core's test features: the known-answer vectors and the hazmat module.
const CORE_TEST_FEATURES: &str = "test-vectors,hazmat";
const WORKSPACE_FEATURES: &str = "enseal/test-vectors,enseal/hazmat";

/// `cargo xtask check`: the fast tier, for the inner loop. Host builds only,
/// nothing installed but rustup components; the benchmark crate (which links
/// OpenSSL and criterion) and the wasm32, Python-feature, binding and
/// packaging builds are left to `test`.
fn check() -> Result {
    let started = std::time::Instant::now();
    if !has("cargo-fmt", "--version") || !has("cargo-clippy", "--version") {
        run(Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]))?;
    }
    let mut times: Vec<(&str, f64)> = Vec::new();
    let mut step = |name: &'static str, f: &dyn Fn() -> Result| -> Result {
        let t = std::time::Instant::now();
        let result = f();
        times.push((name, t.elapsed().as_secs_f64()));
        result
    };
    let outcome = (|| -> Result {
        step("fmt", &|| cargo(&["fmt", "--all", "--check"]))?;
        step("clippy", &|| {
            cargo(&[
                "clippy",
                "--workspace",
                "--exclude",
                "enseal-bench",
                "--all-targets",
                "--features",
                WORKSPACE_FEATURES,
                "--",
                "-D",
                "warnings",
            ])
        })?;
        step("core tests", &|| {
            cargo(&["test", "-p", "enseal", "--features", CORE_TEST_FEATURES])
        })?;
        step("xtask tests", &|| {
            cargo(&["test", "-p", "xtask", "--quiet"])
        })?;
        step("C header", &c_header_verify)?;
        step("parity", &|| parity::run(false, false))
    })();
    eprintln!();
    for (name, secs) in &times {
        eprintln!("xtask: {name:<12} {secs:>6.1} s");
    }
    let total = started.elapsed().as_secs_f64();
    match &outcome {
        Ok(()) => eprintln!("xtask: check passed in {total:.0} s"),
        Err(_) => eprintln!("xtask: check failed after {total:.0} s"),
    }
    outcome
}

/// The committed C header against what cbindgen makes of bindings/c now, when
/// cbindgen is installed (`cargo xtask c-test` installs the pinned one and checks
/// too).
fn c_header_verify() -> Result {
    if !has("cbindgen", "--version") {
        eprintln!(
            "xtask: note: cbindgen is not installed: the C header is left to `cargo xtask c-test`"
        );
        return Ok(());
    }
    c::check_header()
}

/// The workspace's declared `rust-version` (root Cargo.toml), checked: core
/// (what users build), every feature, with that toolchain, installed if missing.
fn msrv() -> Result {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    let version = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version"))
        .and_then(|v| v.split('"').nth(1))
        .ok_or("Cargo.toml: no rust-version in [workspace.package]")?
        .to_string();
    let installed = Command::new("rustup")
        .args(["run", &version, "rustc", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        run(Command::new("rustup").args([
            "toolchain",
            "install",
            &version,
            "--profile",
            "minimal",
        ]))?;
    }
    // Its own target directory: another compiler's artefacts never mix with the main build's.
    run(Command::new("rustup")
        .args([
            "run",
            &version,
            "cargo",
            "check",
            "-p",
            "enseal",
            "--all-features",
        ])
        .args(["--target-dir", "target/msrv"])
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTUP_TOOLCHAIN"))
}

fn test() -> Result {
    setup()?;
    cargo(&["fmt", "--all", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--features",
        WORKSPACE_FEATURES,
        "--",
        "-D",
        "warnings",
    ])?;
    deny::check()?;
    msrv()?;
    cargo(&["clippy", "-p", "enseal", "--lib", "--", "-D", "warnings"])?;
    // The wheel's CPython hot path, off in the workspace build (see its Cargo.toml).
    cargo(&[
        "clippy",
        "-p",
        "enseal-uniffi",
        "--features",
        "python",
        "--lib",
        "--",
        "-D",
        "warnings",
    ])?;
    // The npm package's two builds: every suite, and X25519 only (`enseal/x25519`).
    for features in ["--features=all-suites", "--no-default-features"] {
        cargo(&[
            "clippy",
            "-p",
            "enseal-wasm",
            "--target",
            "wasm32-unknown-unknown",
            features,
            "--",
            "-D",
            "warnings",
        ])?;
    }
    run(
        Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["doc", "-p", "enseal", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    // The known-answer test regenerates the vector file and diffs it; the
    // feature it needs refuses release builds, so tests run in the dev profile.
    cargo(&["test", "-p", "enseal", "--features", CORE_TEST_FEATURES])?;
    cargo(&["test", "-p", "xtask", "--quiet"])?;
    cargo(&["run", "--quiet", "--example", "patient_record"])?;
    // The operator CLI, run as a process (Debian's age reads its key files).
    cargo(&["test", "-p", "enseal-cli"])?;
    pkcs11::test()?;
    awskms::test()?;
    python_reference()?;
    c::test()?;
    cargo(&["test", "-p", "enseal-uniffi"])?;
    // The x86_64 manylinux_2_17 wheel, built, audited and tested. The aarch64
    // one is `cargo xtask wheels` only: it cannot run here, and its release
    // build took 12 to 16 minutes of a core, which pushed the suite past its
    // 35-minute budget.
    python::test()?;
    pipelines::test()?;
    kotlin::test()?;
    web::test()?;
    // After python-test (the wheel) and web-test (the npm package).
    ingest::test()?;
    // After the bindings' tests, which built the wheel, the jars, libenseal and the npm package.
    custody::test()?;
    // After kotlin-test and web-test: the generated Kotlin, Swift and .d.ts are fresh.
    parity::run(true, false)?;
    eprintln!("xtask: all checks passed");
    println!(
        "steps: {} passed, 0 failed",
        STEPS.load(std::sync::atomic::Ordering::Relaxed)
    );
    Ok(())
}

/// The independent Python opener (tests/reference) against the vector file,
/// in a virtual environment with the pinned `cryptography`.
fn python_reference() -> Result {
    let venv = root().join("target/py-reference");
    let python = venv.join("bin/python");
    if !python.exists() {
        if !has("python3", "--version") {
            return Err("python3 is required for the reference opener".into());
        }
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "-q",
        "-r",
        "tests/reference/requirements.txt",
    ]))?;
    run(Command::new(&python).args([
        "tests/reference/open_with_python.py",
        "tests/vectors/enseal-v1.json",
    ]))
}

fn vectors() -> Result {
    run(
        Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "test",
                "-p",
                "enseal",
                "--features",
                "test-vectors",
                "--test",
                "known_answers",
            ])
            .env("ENSEAL_WRITE_VECTORS", "1"),
    )
}

/// Runs every cargo-fuzz target for `seconds` each (one job), starting from the
/// committed seeds in fuzz/seeds/<target> (read only) and growing a scratch
/// corpus in fuzz/corpus/<target> (git-ignored), then prints each target's
/// executions, exec/s and coverage from libFuzzer's final stats.
fn fuzz(seconds: &str) -> Result {
    use std::io::{BufRead, BufReader};
    // fuzz/README.md says what each reads and checks.
    const TARGETS: [&str; 7] = [
        "open_cached",
        "open_decap",
        "parse_text",
        "parse_json",
        "jwk",
        "keyset",
        "keyring",
    ];
    if seconds.parse::<u64>().is_err() {
        return Err(format!(
            "fuzz: {seconds:?} is not a whole number of seconds"
        ));
    }
    if !has("cargo-fuzz", "--version") {
        cargo(&["install", "cargo-fuzz", "--version", "=0.13.2", "--locked"])?;
    }
    let dir = root().join("fuzz");
    // (target, executions, exec/s, cov, ft, passed)
    let mut rows: Vec<(&str, String, String, String, String, bool)> = Vec::new();
    for target in TARGETS {
        let corpus = dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(&dir)
            .args(["fuzz", "run", target])
            .arg(&corpus)
            .arg(dir.join("seeds").join(target))
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-print_final_stats=1",
            ])
            // cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable compiler accept them.
            .env("RUSTC_BOOTSTRAP", "1")
            .stderr(std::process::Stdio::piped());
        eprintln!("xtask: $ {cmd:?}");
        let started = std::time::Instant::now();
        let mut child = cmd.spawn().map_err(|e| format!("{cmd:?}: {e}"))?;
        let (mut execs, mut rate, mut cov, mut ft) =
            (String::new(), String::new(), String::new(), String::new());
        if let Some(stderr) = child.stderr.take() {
            // libFuzzer reports on stderr: pass it through, keeping what the table needs.
            for line in BufReader::new(stderr).split(b'\n') {
                let line = String::from_utf8_lossy(&line.map_err(|e| e.to_string())?).into_owned();
                eprintln!("{line}");
                let words: Vec<&str> = line.split_whitespace().collect();
                let after = |name: &str| {
                    let at = words.iter().position(|w| *w == name)?;
                    words.get(at + 1).map(|w| (*w).to_string())
                };
                if let Some(n) = after("stat::number_of_executed_units:") {
                    execs = n;
                } else if let Some(n) = after("stat::average_exec_per_sec:") {
                    rate = n;
                } else if let (Some(c), Some(f)) = (after("cov:"), after("ft:")) {
                    (cov, ft) = (c, f);
                }
            }
        }
        let status = child.wait().map_err(|e| format!("{cmd:?}: {e}"))?;
        eprintln!("xtask: ({:.0} s)", started.elapsed().as_secs_f64());
        if status.success() {
            STEPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        rows.push((target, execs, rate, cov, ft, status.success()));
    }
    println!(
        "{:<12} {:>12} {:>9} {:>6} {:>6}  result ({seconds} s each)",
        "target", "executions", "exec/s", "cov", "ft"
    );
    for (target, execs, rate, cov, ft, passed) in &rows {
        let result = if *passed {
            "ok"
        } else {
            "FAILED (see fuzz/artifacts/)"
        };
        println!("{target:<12} {execs:>12} {rate:>9} {cov:>6} {ft:>6}  {result}");
    }
    let failed: Vec<&str> = rows.iter().filter(|r| !r.5).map(|r| r.0).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzz targets failed: {}", failed.join(", ")))
    }
}
