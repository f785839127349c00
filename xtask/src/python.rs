//! The Python wheel: build it with maturin, install it alone in a clean
//! virtual environment and import it, check its platform tag, then run pytest
//! against the installed wheel (never the source tree) with the pinned test
//! dependencies, and `mypy --strict` (pinned in tests/python/requirements.txt)
//! over a consumer that uses every export and a file of calls that must not
//! type-check, both against the wheel's stubs.

use crate::{Result, root, run};
use std::path::{Path, PathBuf};
use std::process::Command;

const MATURIN: &str = "maturin==1.16.0";
const WHEEL: &str = "wheel==0.45.1";

fn venv(dir: &Path, fresh: bool) -> Result<PathBuf> {
    if fresh && dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let python = dir.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(dir))?;
    }
    Ok(python)
}

/// Builds the wheel into target/wheels and returns its path.
pub(crate) fn build_wheel() -> Result<PathBuf> {
    let tools = venv(&root().join("target/py-tools"), false)?;
    run(Command::new(&tools).args(["-m", "pip", "install", "-q", MATURIN, WHEEL]))?;
    let out = root().join("target/wheels");
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| e.to_string())?;
    }
    run(Command::new(tools.with_file_name("maturin"))
        .args(["build", "--release", "--out"])
        .arg(&out)
        .current_dir(root().join("bindings/uniffi")))?;
    // maturin tags a uniffi wheel `py3-none`; the library also holds the
    // CPython hot path built on the stable ABI of 3.10 (pyo3 `abi3-py310`),
    // so the honest tag is `cp310-abi3`: pip then refuses it on PyPy.
    run(Command::new(&tools)
        .args([
            "-m",
            "wheel",
            "tags",
            "--remove",
            "--python-tag",
            "cp310",
            "--abi-tag",
            "abi3",
        ])
        .arg(only_wheel(&out)?))?;
    let wheel = only_wheel(&out)?;
    let name = wheel
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    if !name.contains("-cp310-abi3-manylinux") {
        return Err(format!("wheel {name} lacks the cp310-abi3 manylinux tags"));
    }
    eprintln!("xtask: wheel {name}");
    Ok(wheel)
}

fn only_wheel(dir: &Path) -> Result<PathBuf> {
    let wheels: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "whl"))
        .collect();
    match <[PathBuf; 1]>::try_from(wheels) {
        Ok([wheel]) => Ok(wheel),
        Err(found) => Err(format!(
            "expected one wheel in {}, found {found:?}",
            dir.display()
        )),
    }
}

pub(crate) fn test() -> Result {
    let wheel = build_wheel()?;
    // The wheel alone, in a clean environment: it installs and imports.
    let alone = venv(&root().join("target/py-wheel-alone"), true)?;
    run(Command::new(&alone)
        .args(["-m", "pip", "install", "-q"])
        .arg(&wheel))?;
    run(Command::new(&alone).args([
        "-c",
        "import enseal; k = enseal.KeyPair.generate(enseal.Suite.X25519); \
         s = enseal.Sealer(k.public_key).seal('123-45-6789', 'ssn'); \
         assert enseal.Opener([k]).open(s, 'ssn') == b'123-45-6789'; \
         print('wheel alone OK:', enseal.__version__, enseal.aes_backend())",
    ]))?;
    // The signed-keyset JOSE test runs the CLI binary (with jwcrypto beside it).
    crate::cargo(&["build", "-p", "enseal-cli"])?;
    // pytest against the installed wheel, run from outside the source tree.
    let tests = venv(&root().join("target/py-wheel-tests"), true)?;
    run(Command::new(&tests)
        .args(["-m", "pip", "install", "-q"])
        .arg(&wheel))?;
    run(Command::new(&tests)
        .args(["-m", "pip", "install", "-q", "-r"])
        .arg(root().join("bindings/uniffi/tests/python/requirements.txt")))?;
    run(Command::new(&tests)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(root().join("bindings/uniffi/tests/python"))
        .env("ENSEAL_CLI", root().join("target/debug/enseal"))
        .current_dir(std::env::temp_dir()))?;
    // The stubs: a consumer of every export type-checks (and runs), the
    // misuses do not (each carries the ignore of the error mypy must report;
    // --strict fails on an unused one).
    let typing = root().join("bindings/uniffi/tests/python/typing");
    run(Command::new(&tests)
        .args(["-m", "mypy", "--strict", "--no-incremental"])
        .arg(typing.join("consumer.py"))
        .arg(typing.join("must_fail.py"))
        .current_dir(std::env::temp_dir()))?;
    run(Command::new(&tests)
        .arg(typing.join("consumer.py"))
        .current_dir(std::env::temp_dir()))?;
    // Python seals, Rust opens: fields of every suite and size class.
    let exchange = root().join("target/py-sealed-fields.json");
    run(Command::new(&tests)
        .arg("-c")
        .arg(SEAL_FOR_RUST)
        .arg(&exchange))?;
    crate::cargo(&[
        "run",
        "--quiet",
        "-p",
        "enseal",
        "--example",
        "open_fields",
        "--",
        &exchange.display().to_string(),
    ])
}

const SEAL_FOR_RUST: &str = r#"
import json, os, sys, enseal
fields, keys = [], []
for suite in (enseal.Suite.X25519, enseal.Suite.P256, enseal.Suite.X_WING):
    key = enseal.KeyPair.generate(suite)
    sealer = enseal.Sealer(key.public_key)
    for size in (0, 1, 11, 1024, 65536):
        value, context = os.urandom(size), f"rows/{size}/{suite.name}".encode()
        fields.append({"sealed": sealer.seal(value, context), "context_hex": context.hex(), "plaintext_hex": value.hex()})
    keys.append(json.loads(key.to_jwk()))
json.dump({"private_jwks": {"keys": keys}, "fields": fields}, open(sys.argv[1], "w"))
"#;
