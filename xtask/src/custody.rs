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
    open_with_cli(&dir, &key_uri, &files, &conf)?;
    through_wrapped_key(&dir, &query, &conf, &python, &c_binary)?;
    through_kms_standin(&dir, &python, &c_binary)
}

/// Python, Kotlin and C open `sealed` through the key `uri` names, each
/// process prepared by `prepare` (credentials, a token's configuration).
fn open_in_bindings(
    uri: &str,
    sealed: &Path,
    python: &Path,
    c_binary: &Path,
    prepare: &dyn Fn(&mut Command),
) -> Result {
    let mut py = Command::new(python);
    py.arg(root().join("tests/custody/open.py"))
        .arg(uri)
        .arg(sealed);
    prepare(&mut py);
    run(&mut py)?;
    let mut kt = Command::new("java");
    kt.env_remove("LD_LIBRARY_PATH")
        .args([
            "-cp",
            &kotlin_classpath(),
            "EnsealTestKt",
            "--open-through-custody",
        ])
        .arg(uri)
        .arg(sealed);
    prepare(&mut kt);
    run(&mut kt)?;
    let mut c = Command::new(c_binary);
    c.arg("open").arg(uri).arg(sealed);
    prepare(&mut c);
    run(&mut c)
}

/// The wrapped key: a key file wrapped by an AES key generated inside the
/// token, its plaintext file deleted; a lifetime of 2 sessions, so the 4
/// sessions of the records unwrap it again. Python seals; Python, Kotlin,
/// C and the CLI open through `wrapped:`.
fn through_wrapped_key(
    dir: &Path,
    query: &str,
    conf: &Path,
    python: &Path,
    c_binary: &Path,
) -> Result {
    let (plain, public) = (dir.join("to-wrap.jwk"), dir.join("wrapped-public.jwk"));
    let wrapped = dir.join("key.wrapped.json");
    run(cli()
        .args([
            "key",
            "generate",
            "--suite",
            "p256",
            "--insecure-plaintext-key",
            "--force",
        ])
        .args(["--out", &path(&plain), "--public-out", &path(&public)]))?;
    run(cli()
        .env("SOFTHSM2_CONF", conf)
        .args([
            "key",
            "wrap",
            "--insecure-plaintext-key",
            "--force",
            "--generate-wrapping-key",
        ])
        .args([
            "--key",
            &path(&plain),
            "--out",
            &path(&wrapped),
            "--wrapping-key",
        ])
        .arg(format!(
            "pkcs11:token={};object=enseal-wrap;type=secret-key?{query}",
            crate::pkcs11::TOKEN_LABEL
        )))?;
    std::fs::remove_file(&plain).map_err(|e| format!("{}: {e}", plain.display()))?;
    let uri = format!("wrapped:{}?{query}&max-sessions=2", wrapped.display());
    let sealed = dir.join("sealed-to-wrapped-by-python.ndjson");
    run(Command::new(python)
        .arg(root().join("tests/custody/seal.py"))
        .arg(&public)
        .arg(&sealed))?;
    let token = |cmd: &mut Command| {
        cmd.env("SOFTHSM2_CONF", conf);
    };
    open_in_bindings(&uri, &sealed, python, c_binary, &token)?;
    open_with_cli(dir, &uri, &[sealed], conf)?;
    eprintln!("xtask: Python, Kotlin, C and the CLI opened through the wrapped key");
    Ok(())
}

/// The bindings' `awskms:` path, against the loopback stand-in for AWS KMS
/// (custody/awskms/tests/support/kms_standin.rs; not AWS): Python seals to
/// the stand-in's key, Python, Kotlin and C open through it; every request
/// the stand-in got must be SigV4-signed with the credentials given here.
fn through_kms_standin(dir: &Path, python: &Path, c_binary: &Path) -> Result {
    use std::io::Write as _;
    let (uri_file, public) = (dir.join("kms.uri"), dir.join("kms-public.jwk"));
    let _ = std::fs::remove_file(&uri_file);
    let secret: String = {
        let mut bytes = [0u8; 20];
        std::io::Read::read_exact(
            &mut std::fs::File::open("/dev/urandom").map_err(|e| e.to_string())?,
            &mut bytes,
        )
        .map_err(|e| e.to_string())?;
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    };
    let creds = |cmd: &mut Command| {
        cmd.env("AWS_ACCESS_KEY_ID", "AKIDENSEALSTANDIN")
            .env("AWS_SECRET_ACCESS_KEY", &secret)
            .env_remove("AWS_SESSION_TOKEN");
    };
    let mut standin = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    standin
        .args([
            "run",
            "--quiet",
            "-p",
            "enseal-awskms",
            "--example",
            "kms_standin",
            "--",
        ])
        .arg(&uri_file)
        .arg(&public)
        .stdin(std::process::Stdio::piped());
    creds(&mut standin);
    let mut child = standin.spawn().map_err(|e| format!("kms_standin: {e}"))?;
    let started = std::time::Instant::now();
    while !uri_file.exists() {
        if started.elapsed() > std::time::Duration::from_secs(600) {
            let _ = child.kill();
            return Err("the KMS stand-in did not start".into());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let uri = std::fs::read_to_string(&uri_file).map_err(|e| e.to_string())?;
    let sealed = dir.join("sealed-to-kms-by-python.ndjson");
    let opened = run(Command::new(python)
        .arg(root().join("tests/custody/seal.py"))
        .arg(&public)
        .arg(&sealed))
    .and_then(|()| open_in_bindings(&uri, &sealed, python, c_binary, &creds));
    // Closing its input stops the stand-in; it fails on any unsigned or malformed request.
    drop(child.stdin.take().map(|mut stdin| stdin.flush()));
    let status = child.wait().map_err(|e| e.to_string())?;
    opened?;
    if !status.success() {
        return Err(format!(
            "the KMS stand-in saw requests off the API reference: {status}"
        ));
    }
    eprintln!("xtask: Python, Kotlin and C opened through the AWS KMS stand-in");
    Ok(())
}

fn kotlin_classpath() -> String {
    let dir = root().join("target/kotlin");
    format!(
        "{}:{}:/usr/share/java/jna.jar",
        path(&dir.join("enseal-test.jar")),
        path(&dir.join("test-dist/enseal.jar"))
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
    eprintln!(
        "xtask: the CLI opened every record through {}",
        key_uri.split(':').next().unwrap_or("")
    );
    Ok(())
}

/// `cargo xtask bench-custody`: the custody benchmark (custody/uri/examples/
/// bench_custody.rs) in release, against a fresh SoftHSM2 token and the KMS
/// stand-in, printing the table docs/PERFORMANCE.md keeps. Not part of `test`.
pub(crate) fn bench() -> Result {
    let dir = root().join("target/bench-custody");
    let (module, conf, pin_file) = crate::pkcs11::softhsm_token(&dir.join("softhsm"))?;
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "enseal-custody",
                "--example",
                "bench_custody",
            ])
            .env("SOFTHSM2_CONF", &conf)
            .env("ENSEAL_PKCS11_MODULE", &module)
            .env("ENSEAL_BENCH_TOKEN", crate::pkcs11::TOKEN_LABEL)
            .env("ENSEAL_BENCH_PIN_FILE", &pin_file),
    )
}
