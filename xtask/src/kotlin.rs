//! Kotlin on the JVM, and Swift as far as this machine allows. One native
//! build serves both: the library WITHOUT the `python` feature (the wheel's
//! library needs a Python interpreter's symbols: loaded from Kotlin it fails
//! with `undefined symbol: PyModuleDef_Init`), the dev build under
//! `target/debug` for the test and the release build under `target/release`
//! for `kotlin-package` (the wheels build the crate with that feature under
//! `target/<triple>/release`, so none overwrites another's file).
//!
//! From it: the Kotlin and Swift sources (uniffi library mode, pinned
//! uniffi-bindgen), and the JVM package in `target/kotlin/dist`: `enseal.jar`
//! (the compiled bindings and `EnsealExtensions.kt`, plus the library as the
//! JNA resource `linux-x86-64/libenseal_uniffi.so`) beside the library itself.
//! The test (`tests/kotlin/EnsealTest.kt`) is compiled separately against that
//! jar, as a user's code would be, and run on the JVM with JNA and
//! `-Djna.library.path`. Swift: no toolchain here, so the generated C header is
//! checked to parse as C.

use crate::{Result, cargo, root, run};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const KOTLIN_COMPILER: &str = "kotlin-compiler@2.4.20";
const JNA_JAR: &str = "/usr/share/java/jna.jar";

/// Which build of the library (without the `python` feature) a step uses.
/// The test uses the dev build: `cargo test -p
/// enseal-uniffi` has compiled its dependencies, so it costs no second cold
/// compile (a release build took ~3 min of the suite), and keeps overflow
/// checks and debug assertions on. `kotlin-package` ships the release build.
#[derive(Clone, Copy)]
pub(crate) enum Build {
    Dev,
    Release,
}

/// Builds the library once for every consumer and returns its path.
fn library(build: Build) -> Result<PathBuf> {
    Ok(match build {
        Build::Dev => {
            cargo(&["build", "-p", "enseal-uniffi"])?;
            root().join("target/debug/libenseal_uniffi.so")
        }
        Build::Release => {
            cargo(&["build", "--release", "-p", "enseal-uniffi"])?;
            root().join("target/release/libenseal_uniffi.so")
        }
    })
}

fn generate(lib: &Path, language: &str, out: &Path) -> Result {
    let lib = lib.display().to_string();
    let out = out.display().to_string();
    // `--bin`, not `-p`: the same package selection (the workspace's default
    // members) as maturin's own call, so the binary it built is reused.
    cargo(&[
        "run",
        "--quiet",
        "--bin",
        "uniffi-bindgen",
        "--",
        "generate",
        "--library",
        &lib,
        "--language",
        language,
        "--out-dir",
        &out,
        "--no-format",
        "--config",
        "bindings/uniffi/uniffi.toml",
    ])
}

fn kotlinc() -> Result<PathBuf> {
    let tools = root().join("target/kotlin-tools");
    let bin = tools.join("node_modules/kotlin-compiler/bin/kotlinc");
    if !bin.exists() {
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&tools)
            .arg(KOTLIN_COMPILER))?;
    }
    Ok(bin)
}

fn jna() -> Result<PathBuf> {
    if !Path::new(JNA_JAR).exists() {
        run(Command::new("apt-get").args(["install", "-y", "-q", "libjna-java"]))?;
    }
    Ok(PathBuf::from(JNA_JAR))
}

/// The shared vectors as tab-separated lines (text fields hex-encoded), so the
/// JVM test needs no JSON library.
fn write_vectors(to: &Path) -> Result {
    let text = std::fs::read_to_string(root().join("tests/vectors/enseal-v1.json"))
        .map_err(|e| e.to_string())?;
    let kat: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut out = String::new();
    for suite in kat["suites"].as_array().ok_or("no suites")? {
        writeln!(
            out,
            "key\t{}\t{}\t{}",
            suite["kem_id"],
            s(&suite["private_key"]),
            s(&suite["kid"])
        )
        .ok();
        for c in suite["positive"].as_array().ok_or("no positive cases")? {
            writeln!(
                out,
                "pos\t{}\t{}\t{}\t{}",
                s(&c["context_hex"]),
                s(&c["plaintext_hex"]),
                s(&c["sealed_hex"]),
                s(&c["sealed_text"])
            )
            .ok();
        }
    }
    for c in kat["negative"].as_array().ok_or("no negative cases")? {
        let (kind, sealed) = match c.get("sealed_text") {
            Some(t) => (
                "text",
                s(t).bytes().map(|b| format!("{b:02x}")).collect::<String>(),
            ),
            None => ("bin", s(&c["sealed_hex"])),
        };
        writeln!(
            out,
            "neg\t{}\t{kind}\t{sealed}\t{}\t{}\t{}",
            s(&c["name"]),
            s(&c["context_hex"]),
            s(&c["error"]),
            c["code"]
        )
        .ok();
    }
    template_vectors(&mut out)?;
    std::fs::write(to, out).map_err(|e| e.to_string())
}

fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The shared context-template cases (tests/vectors/context-templates.json)
/// as `tpl` lines: template, record, pointer, context (or empty), error (or
/// empty), and the record's top-level scalar fields as `key=value` pairs
/// (hex, `;`-separated) for rendering from a map, each with its text as the
/// record writes it (a number as written, `true`/`false`).
fn template_vectors(out: &mut String) -> Result {
    let path = root().join("tests/vectors/context-templates.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    for case in file["cases"].as_array().ok_or("no template cases")? {
        let record = s(&case["record"]);
        let parsed: serde_json::Value =
            serde_json::from_str(&record).map_err(|e| format!("{record}: {e}"))?;
        let mut fields = Vec::new();
        for (name, value) in parsed.as_object().into_iter().flatten() {
            let text = match value {
                serde_json::Value::String(t) => t.clone(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Number(n) => raw_number(&record, name, n)?,
                _ => continue, // null, objects and arrays have no text
            };
            fields.push(format!("{}={}", hex_of(name), hex_of(&text)));
        }
        writeln!(
            out,
            "tpl\t{}\t{}\t{}\t{}\t{}\t{}",
            hex_of(&s(&case["template"])),
            hex_of(&record),
            hex_of(&s(&case["pointer"])),
            hex_of(&s(&case["context"])),
            s(&case["error"]),
            fields.join(";")
        )
        .ok();
    }
    Ok(())
}

/// The text of the top-level number member `name` as `record` writes it
/// (serde_json would print `-1.5e3` as `-1500.0`); checked against the parsed value.
fn raw_number(record: &str, name: &str, parsed: &serde_json::Number) -> Result<String> {
    let key = format!("{}:", serde_json::Value::String(name.to_string()));
    let at = record
        .find(&key)
        .ok_or_else(|| format!("{record}: no {key}"))?
        + key.len();
    let raw: String = record[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || "+-.eE".contains(*c))
        .collect();
    if raw.parse::<f64>().ok() != parsed.as_f64() {
        return Err(format!("{record}: {raw:?} is not the number of {name}"));
    }
    Ok(raw)
}

/// The JVM package: `target/kotlin/dist/{enseal.jar, libenseal_uniffi.so}`
/// from the release library (`kotlin-package`), or `target/kotlin/test-dist/`
/// from the dev library (the tests), so that a test run never leaves a
/// debug build where the package is shipped from.
pub(crate) struct Package {
    pub(crate) jar: PathBuf,
    pub(crate) lib_dir: PathBuf,
}

/// Builds the library once, generates Kotlin and Swift from it, and packages
/// the Kotlin bindings as a jar.
pub(crate) fn package(build: Build) -> Result<Package> {
    let lib = library(build)?;
    let dir = root().join("target/kotlin");
    let generated = dir.join("gen");
    generate(&lib, "kotlin", &generated)?;
    swift(&lib)?;
    let dist = dir.join(match build {
        Build::Dev => "test-dist",
        Build::Release => "dist",
    });
    let classes = dir.join("classes");
    for fresh in [&dist, &classes] {
        if fresh.exists() {
            std::fs::remove_dir_all(fresh).map_err(|e| format!("{}: {e}", fresh.display()))?;
        }
    }
    let resources = classes.join("linux-x86-64");
    std::fs::create_dir_all(&resources).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&dist).map_err(|e| e.to_string())?;
    run(Command::new(kotlinc()?)
        .arg(generated.join("org/enseal/enseal.kt"))
        .arg("bindings/uniffi/kotlin/org/enseal/EnsealExtensions.kt")
        .args(["-nowarn", "-cp"])
        .arg(jna()?)
        .arg("-d")
        .arg(&classes))?;
    let copy = |to: &Path| {
        std::fs::copy(&lib, to.join("libenseal_uniffi.so"))
            .map(|_| ())
            .map_err(|e| format!("{}: {e}", to.display()))
    };
    copy(&resources)?;
    copy(&dist)?;
    let jar = dist.join("enseal.jar");
    run(Command::new("jar")
        .arg("--create")
        .arg("--file")
        .arg(&jar)
        .arg("-C")
        .arg(&classes)
        .arg("."))?;
    eprintln!(
        "xtask: {} and {}",
        jar.display(),
        dist.join("libenseal_uniffi.so").display()
    );
    Ok(Package { jar, lib_dir: dist })
}

pub(crate) fn test() -> Result {
    let package = package(Build::Dev)?;
    let dir = root().join("target/kotlin");
    write_vectors(&dir.join("vectors.tsv"))?;
    let jna = jna()?;
    // The test is a consumer: compiled against the jar, not with its sources.
    let test_jar = dir.join("enseal-test.jar");
    run(Command::new(kotlinc()?)
        .arg("bindings/uniffi/tests/kotlin/EnsealTest.kt")
        .args(["-nowarn", "-include-runtime", "-cp"])
        .arg(format!("{}:{}", package.jar.display(), jna.display()))
        .arg("-d")
        .arg(&test_jar))?;
    let classpath = format!(
        "{}:{}:{}",
        test_jar.display(),
        package.jar.display(),
        jna.display()
    );
    run(Command::new("java")
        .arg(format!("-Djna.library.path={}", package.lib_dir.display()))
        .args(["-cp", &classpath, "EnsealTestKt"])
        .arg(dir.join("vectors.tsv")))?;
    // Signed keysets: documents the CLI signed, verified through the jar.
    let fixtures = crate::c::signed_keyset_fixtures()?;
    let signed_jar = dir.join("enseal-signed-keyset-test.jar");
    run(Command::new(kotlinc()?)
        .arg("bindings/uniffi/tests/kotlin/SignedKeysetTest.kt")
        .args(["-nowarn", "-include-runtime", "-cp"])
        .arg(format!("{}:{}", package.jar.display(), jna.display()))
        .arg("-d")
        .arg(&signed_jar))?;
    run(Command::new("java")
        .arg(format!("-Djna.library.path={}", package.lib_dir.display()))
        .arg("-cp")
        .arg(format!(
            "{}:{}:{}",
            signed_jar.display(),
            package.jar.display(),
            jna.display()
        ))
        .arg("SignedKeysetTestKt")
        .arg(&fixtures))?;
    // The library inside the jar serves as well, with no library path at all
    // (and none inherited: `cargo run` puts target/debug on LD_LIBRARY_PATH).
    run(Command::new("java")
        .env_remove("LD_LIBRARY_PATH")
        .args(["-cp", &classpath, "EnsealTestKt", "--smoke"])
        .current_dir(std::env::temp_dir()))
}

fn swift(lib: &Path) -> Result {
    let out = root().join("target/swift/Sources");
    generate(lib, "swift", &out)?;
    for file in ["Enseal.swift", "EnsealFFI.h", "EnsealFFI.modulemap"] {
        if !out.join(file).exists() {
            return Err(format!("uniffi-bindgen did not write {file}"));
        }
    }
    // The only Swift artefact this machine can check: the FFI header is valid C.
    let probe = out.with_file_name("header_check.c");
    std::fs::write(
        &probe,
        "#include \"EnsealFFI.h\"\nint main(void) { return 0; }\n",
    )
    .map_err(|e| e.to_string())?;
    run(Command::new("gcc")
        .args([
            "-fsyntax-only",
            "-std=c11",
            "-Wall",
            "-Werror",
            "-D_Nullable=",
            "-D_Nonnull=",
        ])
        .arg(format!("-I{}", out.display()))
        .arg(&probe))
}
