//! The npm package `enseal`: build the wasm module, bind it with the pinned
//! wasm-bindgen CLI, shrink it with npm's binaryen wasm-opt, assemble the
//! package from `wasm/js`, `npm pack` it; then test the packed tarball in
//! Node (ESM and CommonJS), headless Chromium, a Vite build and the example
//! form, and hand fields sealed in JavaScript to Rust.
//!
//! wasm-pack is not used: it builds one target per package, while `enseal`
//! is one module with a browser and a Node entry (see wasm/README.md), and
//! installing it would cost CI minutes for a cargo build, wasm-bindgen and
//! wasm-opt that this file runs directly.

use crate::{Result, has, root, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm-bindgen CLI must match the library in Cargo.lock exactly.
const WASM_BINDGEN: &str = "0.2.130";
const TARGET: &str = "wasm32-unknown-unknown";

fn tests_dir() -> PathBuf {
    root().join("wasm/tests")
}

fn npm(args: &[&str], dir: &Path) -> Result {
    run(Command::new("npm").args(args).current_dir(dir))
}

/// Adds the wasm32 target to the Rust toolchain when missing.
pub(crate) fn rust_target() -> Result {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(TARGET))
        .unwrap_or(false);
    if installed {
        Ok(())
    } else {
        run(Command::new("rustup").args(["target", "add", TARGET]))
    }
}

/// Installs the Rust target, the wasm-bindgen CLI and the npm tools (binaryen,
/// playwright-core, vite, the @hpke peer) when missing.
fn tools() -> Result {
    rust_target()?;
    let bindgen_ok = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(WASM_BINDGEN));
    if !bindgen_ok {
        // Not --locked: its lock file pins a crate version the registry lacks (TOOLCHAIN.md).
        run(Command::new("cargo").args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &format!("={WASM_BINDGEN}"),
        ]))?;
    }
    npm(&["ci", "--no-audit", "--no-fund"], &tests_dir())
}

/// The package's wasm builds: every suite (the main entry, `glue/`) and
/// X25519 only (`enseal/x25519`, `glue-x25519/`).
const WASM_BUILDS: [(&str, &[&str]); 2] =
    [("glue", &[]), ("glue-x25519", &["--no-default-features"])];

/// Builds and packs the package; returns the tarball.
pub(crate) fn build() -> Result<PathBuf> {
    tools()?;
    let out = root().join("target/npm");
    let package = out.join("enseal");
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| e.to_string())?;
    }
    for (dir, features) in WASM_BUILDS {
        build_wasm(&package.join(dir), features)?;
    }
    for entry in std::fs::read_dir(root().join("wasm/js")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().ok_or("bad file name")?;
        std::fs::copy(&path, package.join(name)).map_err(|e| e.to_string())?;
    }
    npm(&["pack", "--silent", "./enseal"], &out)?;
    Ok(out.join("enseal-0.1.0.tgz"))
}

/// cargo, wasm-bindgen and wasm-opt for one wasm build, into `glue`.
fn build_wasm(glue: &Path, features: &[&str]) -> Result {
    run(Command::new(env_cargo())
        .args([
            "build",
            "-p",
            "enseal-wasm",
            "--target",
            TARGET,
            "--profile",
            "wasm",
        ])
        .env("CARGO_ENCODED_RUSTFLAGS", remapped_paths())
        .args(features))?;
    run(Command::new("wasm-bindgen")
        .arg(root().join(format!("target/{TARGET}/wasm/enseal_wasm.wasm")))
        .args(["--target", "web", "--out-name", "enseal", "--out-dir"])
        .arg(glue))?;
    let wasm = glue.join("enseal_bg.wasm");
    let raw = size(&wasm)?;
    // npm's binaryen, never Debian's: its wasm-opt 108 corrupts current wasm-bindgen output.
    run(Command::new(tests_dir().join("node_modules/.bin/wasm-opt"))
        .arg("-Oz")
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm))?;
    let optimized = size(&wasm)?;
    let gzipped = gzip_size(&wasm)?;
    eprintln!(
        "xtask: {}: enseal_bg.wasm {raw} B from rustc+wasm-bindgen, {optimized} B after wasm-opt -Oz, {gzipped} B gzipped (-9)",
        glue.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
    );
    Ok(())
}

/// Panic locations name source files: ship `crates.io/aes-0.9.2/src/…` and
/// `enseal/core/src/…`, not this machine's directories (shorter, too).
fn remapped_paths() -> String {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|_| std::env::var("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    let registries = std::fs::read_dir(home.join("registry/src"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| format!("--remap-path-prefix={}=crates.io", entry.path().display()));
    let workspace = format!("--remap-path-prefix={}=enseal", root().display());
    registries
        .chain([workspace])
        .collect::<Vec<_>>()
        .join("\x1f")
}

fn env_cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn size(path: &Path) -> Result<u64> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn gzip_size(path: &Path) -> Result<usize> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    Ok(out.stdout.len())
}

/// Builds the tarball and installs it into wasm/tests as users install it:
/// from the tarball, never from the source folder.
fn build_and_install() -> Result {
    let tarball = build()?;
    run(Command::new("npm")
        .args(["install", "--no-save", "--no-audit", "--no-fund"])
        .arg(&tarball)
        .current_dir(tests_dir()))
}

/// The whole web test: build, install the tarball, run every JS test, open in Rust.
pub(crate) fn test() -> Result {
    if !has("chromium", "--version") {
        return Err("chromium is missing: `cargo xtask test` installs Debian's chromium".into());
    }
    build_and_install()?;
    type_tests()?;
    run(Command::new("node")
        .args([
            "--test",
            "--test-concurrency=1",
            "node.test.js",
            "browser.test.js",
            "vite.test.js",
        ])
        .current_dir(tests_dir()))?;
    run(Command::new(env_cargo()).args([
        "run",
        "--quiet",
        "--example",
        "open_fields",
        "--",
        "target/web/wasm-fields.json",
    ]))
}

/// The shipped declarations under `tsc --strict` without skipLibCheck (the
/// pinned `typescript` of wasm/tests/package.json): the consumer file that
/// uses every export and must-not-compile lines (`wasm/tests/types`), and
/// every README code block that imports from 'enseal', as a user copies it;
/// with `lib` ES2022 and again with esnext (which declares `Symbol.dispose`).
fn type_tests() -> Result {
    let types = tests_dir().join("types");
    let mut written = 0;
    for readme in ["README.md", "wasm/js/README.md"] {
        let text =
            std::fs::read_to_string(root().join(readme)).map_err(|e| format!("{readme}: {e}"))?;
        for block in code_blocks(&text).filter(|b| b.contains("from 'enseal'")) {
            written += 1;
            let file = types.join(format!("readme-{written}.ts"));
            let source = format!(
                "// From {readme} (cargo xtask web-test writes this file).\n{block}\nexport {{}};\n"
            );
            std::fs::write(&file, source).map_err(|e| format!("{}: {e}", file.display()))?;
        }
    }
    if written < 2 {
        return Err("the READMEs should have JavaScript examples that import from 'enseal'".into());
    }
    let tsc = tests_dir().join("node_modules/.bin/tsc");
    for config in ["tsconfig.json", "tsconfig.esnext.json"] {
        run(Command::new(&tsc).arg("-p").arg(types.join(config)))?;
    }
    eprintln!(
        "xtask: type tests: consumer.ts and {written} README blocks pass tsc --strict (2 lib settings)"
    );
    Ok(())
}

/// The bodies of the fenced `js` and `ts` code blocks of a Markdown text.
fn code_blocks(markdown: &str) -> impl Iterator<Item = String> + '_ {
    let mut lines = markdown.lines();
    std::iter::from_fn(move || {
        lines.find(|l| matches!(l.trim(), "```js" | "```ts"))?;
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        Some(body.join("\n"))
    })
}

/// The browser and Node benchmark (not a test): prints the table for docs/PERFORMANCE.md.
/// Also builds the bench-only module with the small-field floor (bare AES-256-GCM in wasm,
/// feature `bench-baseline`), which is never part of the package.
pub(crate) fn bench() -> Result {
    build_and_install()?;
    let bench_wasm = root().join("target/web-bench");
    build_wasm(
        &bench_wasm.join("baseline"),
        &["--features", "bench-baseline"],
    )?;
    // The glue imports `../error.js`, as in the package.
    std::fs::copy(root().join("wasm/js/error.js"), bench_wasm.join("error.js"))
        .map_err(|e| e.to_string())?;
    run(Command::new("node")
        .arg("bench.js")
        .current_dir(tests_dir()))
}
