//! `cargo xtask custody-test`: fields sealed by every binding open through a
//! key inside an HSM (tests/custody/README.md). A fresh SoftHSM2 token gets a
//! P-256 key generated inside it, non-extractable (by the CLI); C, Python,
//! Kotlin, JavaScript (Node) and the CLI seal records to its public key; the
//! CLI, Python, Kotlin and C open all of them through the token's `pkcs11:`
//! URI. Runs after the bindings' own tests, which built what it uses.

use crate::{Result, root, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The label of the key generated in the token.
const KEY_LABEL: &str = "enseal-bindings";
const TEMPLATE: &str = "custody/{by}/{i}{pointer}";

fn cli() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(["run", "--quiet", "-p", "enseal-cli", "--"]);
    cmd
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

pub(crate) fn test() -> Result {
    let dir = root().join("target/custody");
    let (module, _conf, pin_file) = crate::pkcs11::softhsm_token(&dir.join("softhsm"))?;
    let conf = dir.join("softhsm/softhsm2.conf");
    let query = format!(
        "module-path={}&pin-source=file:{}",
        module.display(),
        pin_file.display()
    );
    let token_uri = format!("pkcs11:token={}?{query}", crate::pkcs11::TOKEN_LABEL);
    let key_uri = format!(
        "pkcs11:token={};object={KEY_LABEL};type=private?{query}",
        crate::pkcs11::TOKEN_LABEL
    );
    let public = dir.join("public.jwk");
    let env = |mut cmd: Command| {
        cmd.env("SOFTHSM2_CONF", &conf);
        cmd
    };

    // The key, generated inside the token; only its public half comes out.
    run(env(cli())
        .args([
            "key", "generate", "--pkcs11", &token_uri, "--label", KEY_LABEL,
        ])
        .args(["--suite", "p256", "--public-out", &path(&public), "--force"]))?;

    // Every binding seals.
    let sealed = |by: &str| dir.join(format!("sealed-by-{by}.ndjson"));
    let python = root().join("target/py-wheel-tests/bin/python");
    run(Command::new(&python)
        .arg(root().join("tests/custody/seal.py"))
        .arg(&public)
        .arg(sealed("python")))?;
    run(Command::new("node")
        .arg(root().join("wasm/tests/custody-seal.mjs"))
        .arg(&public)
        .arg(sealed("js")))?;
    run(Command::new("java")
        .env_remove("LD_LIBRARY_PATH")
        .args([
            "-cp",
            &kotlin_classpath(),
            "EnsealTestKt",
            "--seal-for-custody",
        ])
        .arg(&public)
        .arg(sealed("kotlin")))?;
    let c_binary =
        crate::c::compile_against_static(&root().join("bindings/c/tests/custody.c"), "custody")?;
    run(Command::new(&c_binary)
        .arg("seal")
        .arg(&public)
        .arg(sealed("c")))?;
    seal_with_cli(&dir, &public, &sealed("cli"))?;
    let files: Vec<PathBuf> = ["python", "js", "kotlin", "c", "cli"]
        .iter()
        .map(|by| sealed(by))
        .collect();

    // Every binding that opens, through the token.
    run(env(Command::new(&python))
        .arg(root().join("tests/custody/open.py"))
        .arg(&key_uri)
        .args(&files))?;
    run(env(Command::new("java"))
        .env_remove("LD_LIBRARY_PATH")
        .args([
            "-cp",
            &kotlin_classpath(),
            "EnsealTestKt",
            "--open-through-custody",
        ])
        .arg(&key_uri)
        .args(&files))?;
    run(env(Command::new(&c_binary))
        .arg("open")
        .arg(&key_uri)
        .args(&files))?;
    open_with_cli(&dir, &key_uri, &files, &conf)
}

fn kotlin_classpath() -> String {
    let dir = root().join("target/kotlin");
    format!(
        "{}:{}:/usr/share/java/jna.jar",
        path(&dir.join("enseal-test.jar")),
        path(&dir.join("dist/enseal.jar"))
    )
}

/// The CLI seals the same records (written here in clear first) to a keyset of the public key.
fn seal_with_cli(dir: &Path, public: &Path, out: &Path) -> Result {
    let clear = dir.join("clear-cli.ndjson");
    let records: String = (0..20)
        .map(|i| {
            format!("{{\"by\":\"cli\",\"i\":{i},\"ssn\":\"123-45-{i:04}\",\"dx\":\"J45.{i}\"}}\n")
        })
        .collect();
    std::fs::write(&clear, records).map_err(|e| format!("{}: {e}", clear.display()))?;
    let keyset = dir.join("keyset.json");
    run(cli()
        .args(["keyset", "init", "--force", "--key", &path(public), "--out"])
        .arg(&keyset))?;
    run(cli()
        .args(["seal", "--quiet", "--keyset", &path(&keyset)])
        .args(["--field", "/ssn", "--field", "/dx", "--context", TEMPLATE])
        .args(["--out", &path(out), "--force", &path(&clear)]))
}

/// The CLI opens every binding's records through the token; each opens to its clear record.
fn open_with_cli(dir: &Path, key_uri: &str, files: &[PathBuf], conf: &Path) -> Result {
    for file in files {
        let opened = dir.join("opened.ndjson");
        run(cli()
            .env("SOFTHSM2_CONF", conf)
            .args([
                "open",
                "--quiet",
                "--key",
                key_uri,
                "--all",
                "--context",
                TEMPLATE,
            ])
            .args(["--out", &path(&opened), "--force", &path(file)]))?;
        let text = std::fs::read_to_string(&opened).map_err(|e| e.to_string())?;
        let mut count = 0;
        for line in text.lines() {
            let record: serde_json::Value =
                serde_json::from_str(line).map_err(|e| e.to_string())?;
            let i = record["i"].as_u64().ok_or("no i")?;
            if record["ssn"] != format!("123-45-{i:04}") || record["dx"] != format!("J45.{i}") {
                return Err(format!("{}: record {i} opened to {record}", file.display()));
            }
            count += 1;
        }
        if count != 20 {
            return Err(format!("{}: {count} records, not 20", file.display()));
        }
    }
    eprintln!("xtask: the CLI opened every binding's records through the HSM");
    Ok(())
}
