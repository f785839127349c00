//! Kotlin on the JVM, and Swift as far as this machine allows: generate the
//! bindings from the built library (uniffi library mode, pinned uniffi-bindgen),
//! compile the Kotlin binding, its helpers and its test with kotlinc, and run
//! the test on the JVM through JNA. Swift sources, header and modulemap are
//! generated on every run; no Swift toolchain exists here, so only the C
//! header is checked (it must parse as C).

use crate::{Result, cargo, root, run};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const KOTLIN_COMPILER: &str = "kotlin-compiler@2.4.20";
const JNA_JAR: &str = "/usr/share/java/jna.jar";

// The dev profile: its dependencies are already built by `cargo test`, and a
// second LTO release build after maturin's would cost CI minutes for nothing.
fn library() -> PathBuf {
    root().join("target/debug/libenseal_uniffi.so")
}

fn generate(language: &str, out: &Path) -> Result {
    cargo(&["build", "-p", "enseal-uniffi"])?;
    let lib = library().display().to_string();
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
    std::fs::write(to, out).map_err(|e| e.to_string())
}

pub(crate) fn test() -> Result {
    let dir = root().join("target/kotlin");
    let generated = dir.join("gen");
    generate("kotlin", &generated)?;
    write_vectors(&dir.join("vectors.tsv"))?;
    let (kotlinc, jna) = (kotlinc()?, jna()?);
    let jar = dir.join("enseal-test.jar");
    run(Command::new(&kotlinc)
        .arg(generated.join("org/enseal/enseal.kt"))
        .arg("bindings/uniffi/kotlin/org/enseal/EnsealExtensions.kt")
        .arg("bindings/uniffi/tests/kotlin/EnsealTest.kt")
        .args(["-nowarn", "-include-runtime", "-cp"])
        .arg(&jna)
        .arg("-d")
        .arg(&jar))?;
    let classpath = format!("{}:{}", jar.display(), jna.display());
    let lib_dir = library()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    run(Command::new("java")
        .arg(format!("-Djna.library.path={}", lib_dir.display()))
        .args(["-cp", &classpath, "EnsealTestKt"])
        .arg(dir.join("vectors.tsv")))?;
    swift()
}

fn swift() -> Result {
    let out = root().join("target/swift/Sources");
    generate("swift", &out)?;
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
