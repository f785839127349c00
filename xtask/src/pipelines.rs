//! Pipelines: `enseal-arrow`'s Rust tests, and `enseal.spark` on PySpark in
//! local mode through the installed wheel (after `python-test` built it);
//! `bench-pipelines` measures columns in Rust and Python, and Spark against
//! its own `aes_encrypt`, in one run (docs/PERFORMANCE.md).

use crate::{Result, cargo, root, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The one wheel `python-test` left in target/wheels.
pub(crate) fn wheel() -> Result<PathBuf> {
    let dir = root().join("target/wheels");
    let wheels: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| {
            format!(
                "{}: {e} (run `cargo xtask python-test` first)",
                dir.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "whl")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.contains("x86_64"))
        })
        .collect();
    match <[PathBuf; 1]>::try_from(wheels) {
        Ok([wheel]) => Ok(wheel),
        Err(found) => Err(format!(
            "expected one x86_64 wheel in {}, found {found:?}",
            dir.display()
        )),
    }
}

/// A fresh virtual environment with the wheel and the Spark requirements.
fn spark_venv() -> Result<PathBuf> {
    let dir = root().join("target/py-spark");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
    let python = dir.join("bin/python");
    run(Command::new(&python)
        .args(["-m", "pip", "install", "-q", "-r"])
        .arg(root().join("bindings/uniffi/tests/spark/requirements.txt")))?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "-q", "--no-deps"])
        .arg(wheel()?))?;
    Ok(python)
}

fn java_present() -> Result {
    if crate::has("java", "-version") {
        Ok(())
    } else {
        Err("PySpark needs a Java runtime (java on PATH): this machine kind has Java 17".into())
    }
}

pub(crate) fn test() -> Result {
    cargo(&["test", "-p", "enseal-arrow"])?;
    java_present()?;
    // The CLI opens what Spark sealed, and seals what Spark opens.
    cargo(&["build", "-p", "enseal-cli"])?;
    let cli = root().join("target/debug/enseal");
    // A P-256 key generated inside a fresh SoftHSM2 token, which the
    // executors open through (`pkcs11:` URI); only its public half comes out.
    let dir = root().join("target/pipelines");
    let (module, conf, pin_file) = crate::pkcs11::softhsm_token(&dir.join("softhsm"))?;
    let query = format!(
        "module-path={}&pin-source=file:{}",
        module.display(),
        pin_file.display()
    );
    let token = crate::pkcs11::TOKEN_LABEL;
    let public = dir.join("spark-key.public.jwk");
    run(Command::new(&cli)
        .env("SOFTHSM2_CONF", &conf)
        .args([
            "key",
            "generate",
            "--suite",
            "p256",
            "--label",
            "spark-key",
            "--force",
        ])
        .arg("--pkcs11")
        .arg(format!("pkcs11:token={token}?{query}"))
        .arg("--public-out")
        .arg(&public))?;
    let python = spark_venv()?;
    run(Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(root().join("bindings/uniffi/tests/spark"))
        .env("ENSEAL_CLI", &cli)
        .env("SOFTHSM2_CONF", &conf)
        .env(
            "ENSEAL_SPARK_PKCS11_KEY",
            format!("pkcs11:token={token};object=spark-key;type=private?{query}"),
        )
        .env("ENSEAL_SPARK_PKCS11_PUBLIC", &public)
        .current_dir(std::env::temp_dir()))
}

pub(crate) fn bench() -> Result {
    cargo(&[
        "build",
        "--release",
        "-p",
        "enseal-arrow",
        "--example",
        "bench_columns",
    ])?;
    let rust = root().join("target/bench-columns-rust.json");
    let out = Command::new(root().join("target/release/examples/bench_columns"))
        .arg("--json")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("bench_columns failed".into());
    }
    std::fs::write(&rust, &out.stdout).map_err(|e| e.to_string())?;
    run(&mut Command::new(
        root().join("target/release/examples/bench_columns"),
    ))?;
    // The wheel of this tree (a no-op when it is up to date).
    crate::python::build_wheel()?;
    java_present()?;
    let python = spark_venv()?;
    run(Command::new(&python)
        .arg(root().join("bench/pipelines/bench_columns.py"))
        .arg(&rust))?;
    run(Command::new(&python).arg(Path::new(&root()).join("bench/spark/bench_spark.py")))
}
