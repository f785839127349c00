//! The Python wheels: built with maturin for glibc 2.17 (manylinux2014) on
//! x86_64 and aarch64, cross-linked by zig from PyPI so that no manylinux
//! container is needed, each checked by auditwheel and by reading the glibc
//! symbol versions its libraries need; then the x86_64 wheel, the one shipped,
//! is installed alone in a clean virtual environment and imported, pytest runs
//! against the installed wheel (never the source tree) with the pinned test
//! dependencies, and `mypy --strict` (pinned in tests/python/requirements.txt)
//! over a consumer that uses every export and a file of calls that must not
//! type-check, both against the wheel's stubs.
//!
//! Why 2.17: a wheel built against this machine's glibc is tagged
//! `manylinux_2_34`, which pip refuses on Amazon Linux 2, RHEL 8, Debian 11
//! and the Spark images built on them, where pipelines run.

use crate::{Result, root, run};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const MATURIN: &str = "maturin==1.16.0";
const WHEEL: &str = "wheel==0.45.1";
/// The C compiler and linker for both targets (aws-lc-sys's C, the link
/// against glibc 2.17's symbol set).
const ZIG: &str = "ziglang==0.17.1";
const AUDITWHEEL: &str = "auditwheel==6.8.2";

/// The oldest glibc the wheels run on, (major, minor): manylinux2014.
const GLIBC: (u32, u32) = (2, 17);

/// One wheel's platform.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Arch {
    /// The Rust target built for.
    triple: &'static str,
    /// The architecture as wheel tags spell it.
    tag: &'static str,
    /// The architecture as pyelftools names an ELF file's machine.
    elf: &'static str,
}

/// The wheel the tests install: this machine's architecture.
const X86_64: Arch = Arch {
    triple: "x86_64-unknown-linux-gnu",
    tag: "x86_64",
    elf: "x64",
};
/// Built and audited only: there is no aarch64 machine to run it on here.
const AARCH64: Arch = Arch {
    triple: "aarch64-unknown-linux-gnu",
    tag: "aarch64",
    elf: "AArch64",
};
const ARCHES: [Arch; 2] = [X86_64, AARCH64];

pub(crate) fn venv(dir: &Path, fresh: bool) -> Result<PathBuf> {
    if fresh && dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let python = dir.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(dir))?;
    }
    Ok(python)
}

/// The build tools' virtual environment, with the pinned tools installed.
fn tools() -> Result<PathBuf> {
    let tools = venv(&root().join("target/py-tools"), false)?;
    run(Command::new(&tools).args([
        "-m", "pip", "install", "-q", MATURIN, WHEEL, ZIG, AUDITWHEEL,
    ]))?;
    // Debian's llvm (on the image; the install step lists it too).
    if !crate::has("llvm-strip", "--version") {
        run(Command::new("apt-get").args([
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
            "llvm",
        ]))?;
    }
    Ok(tools)
}

/// Installs the Rust targets of the wheels that are missing (the install step
/// calls this too, so a fresh machine has them).
pub(crate) fn rust_targets() -> Result {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .map_err(|e| format!("rustup: {e}"))?;
    for arch in ARCHES {
        if !installed.lines().any(|l| l.trim() == arch.triple) {
            run(Command::new("rustup").args(["target", "add", arch.triple]))?;
        }
    }
    Ok(())
}

/// A built, re-tagged and audited wheel.
struct Built {
    path: PathBuf,
    report: String,
}

/// Builds the x86_64 wheel (the one the tests install) into target/wheels
/// and returns its path; an aarch64 wheel already there is left alone.
pub(crate) fn build_wheel() -> Result<PathBuf> {
    let tools = tools()?;
    rust_targets()?;
    let built = build(&tools, X86_64)?;
    eprintln!("{}", built.report);
    Ok(built.path)
}

/// `cargo xtask wheels`: both wheels, each audited, with their sizes and
/// build times.
pub(crate) fn wheels() -> Result {
    let tools = tools()?;
    rust_targets()?;
    let mut reports = Vec::new();
    for arch in ARCHES {
        reports.push(build(&tools, arch)?.report);
    }
    for report in reports {
        eprintln!("{report}");
    }
    Ok(())
}

fn build(tools: &Path, arch: Arch) -> Result<Built> {
    let started = Instant::now();
    let out = root().join("target/wheels");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for old in wheels_of(&out, arch)? {
        std::fs::remove_file(&old).map_err(|e| format!("{}: {e}", old.display()))?;
    }
    // maturin finds zig as `python3 -m ziglang`: the tools' python first on PATH.
    let path = std::env::join_paths(
        std::iter::once(tools.parent().unwrap_or(tools).to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ),
    )
    .map_err(|e| e.to_string())?;
    run(Command::new(tools.with_file_name("maturin"))
        .args(["build", "--release", "--zig", "--compatibility"])
        .arg(format!("manylinux_{}_{}", GLIBC.0, GLIBC.1))
        .args(["--target", arch.triple, "--out"])
        .arg(&out)
        .env("PATH", path)
        // Cargo strips release libraries of debug info by default, and with
        // zig as the linker that also drops the symbol table uniffi-bindgen
        // reads the interface from ("No UniFFI metadata found"). An explicit --target also keeps
        // these zig-linked builds in target/<triple>, apart from the host
        // release builds (target/release) of the C library and the benchmarks.
        .env("CARGO_PROFILE_RELEASE_STRIP", "none")
        .current_dir(root().join("bindings/uniffi")))?;
    strip_debug(tools, &only_wheel(&out, arch)?, &out, arch)?;
    // maturin tags a uniffi wheel `py3-none`; the library also holds the
    // CPython hot path built on the stable ABI of 3.10 (pyo3 `abi3-py310`),
    // so the honest tag is `cp310-abi3`: pip then refuses it on PyPy.
    run(Command::new(tools)
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
        .arg(only_wheel(&out, arch)?))?;
    let wheel = only_wheel(&out, arch)?;
    let name = file_name(&wheel);
    tagged(&name, arch)?;
    let tag = audit(tools, &wheel, arch)?;
    let libraries = glibc_needed(tools, &wheel, arch)?;
    let secs = started.elapsed().as_secs_f64();
    let size = std::fs::metadata(&wheel).map_err(|e| e.to_string())?.len();
    let mut report = format!(
        "xtask: wheel {name}: {:.2} MB, built and checked in {secs:.0} s; auditwheel: {tag}",
        size as f64 / 1e6
    );
    for (library, glibc) in libraries {
        report.push_str(&format!("; {library} needs {glibc} at most"));
    }
    Ok(Built {
        path: wheel,
        report,
    })
}

/// Drops the debug information of the wheel's libraries (the standard
/// library's, which the build had to keep, see `CARGO_PROFILE_RELEASE_STRIP`):
/// on x86_64 the library goes from 17.9 to 10.5 MB and the wheel from 6.0 to
/// 4.0 MB. The symbol tables stay. Debian's llvm-strip, because binutils'
/// `strip` cannot read an aarch64 file and zig 0.17's `objcopy` answers
/// "unimplemented".
fn strip_debug(tools: &Path, wheel: &Path, out: &Path, arch: Arch) -> Result {
    // One scratch directory per architecture: `cargo xtask wheels` leaves
    // the first wheel's behind while it builds the second.
    let scratch = out.join(format!(".unpacked-{}", arch.triple));
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    }
    run(Command::new(tools)
        .args(["-m", "wheel", "unpack", "--dest"])
        .arg(&scratch)
        .arg(wheel))?;
    let mut libraries = Vec::new();
    shared_libraries(&scratch, &mut libraries)?;
    if libraries.is_empty() {
        return Err(format!("{}: no shared library to strip", file_name(wheel)));
    }
    run(Command::new("llvm-strip")
        .arg("--strip-debug")
        .args(&libraries))?;
    let [unpacked] = <[PathBuf; 1]>::try_from(subdirectories(&scratch)?)
        .map_err(|found| format!("{}: unpacked into {found:?}", scratch.display()))?;
    std::fs::remove_file(wheel).map_err(|e| format!("{}: {e}", wheel.display()))?;
    // `wheel pack` writes a fresh RECORD (the libraries' hashes changed) and
    // names the wheel from the tags in its WHEEL file.
    run(Command::new(tools)
        .args(["-m", "wheel", "pack", "--dest-dir"])
        .arg(out)
        .arg(unpacked))?;
    std::fs::remove_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))
}

fn subdirectories(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect())
}

fn shared_libraries(dir: &Path, found: &mut Vec<PathBuf>) -> Result {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = file_name(&path);
        if path.is_dir() {
            shared_libraries(&path, found)?;
        } else if name.ends_with(".so") || name.contains(".so.") {
            found.push(path);
        }
    }
    Ok(())
}

/// The wheel's file name carries `cp310-abi3` and, among its platform tags
/// (maturin writes `manylinux2014_<arch>.manylinux_2_17_<arch>`), the
/// manylinux tag of [`GLIBC`] on `arch`.
fn tagged(name: &str, arch: Arch) -> Result {
    let platform = format!("manylinux_{}_{}_{}", GLIBC.0, GLIBC.1, arch.tag);
    let fields: Vec<&str> = name.trim_end_matches(".whl").split('-').collect();
    match fields.as_slice() {
        [_, _, "cp310", "abi3", platforms] if platforms.split('.').any(|p| p == platform) => Ok(()),
        _ => Err(format!("wheel {name} lacks the tags cp310-abi3-{platform}")),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string()
}

fn wheels_of(dir: &Path, arch: Arch) -> Result<Vec<PathBuf>> {
    let suffix = format!("_{}.whl", arch.tag);
    Ok(std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && file_name(p).ends_with(&suffix))
        .collect())
}

fn only_wheel(dir: &Path, arch: Arch) -> Result<PathBuf> {
    match <[PathBuf; 1]>::try_from(wheels_of(dir, arch)?) {
        Ok([wheel]) => Ok(wheel),
        Err(found) => Err(format!(
            "expected one {} wheel in {}, found {found:?}",
            arch.tag,
            dir.display()
        )),
    }
}

fn output(cmd: &mut Command) -> Result<String> {
    eprintln!("xtask: $ {cmd:?}");
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `auditwheel show`: the wheel must be manylinux for glibc 2.17 or older on
/// its architecture. Returns the tag auditwheel reports.
fn audit(tools: &Path, wheel: &Path, arch: Arch) -> Result<String> {
    let report = output(
        Command::new(tools.with_file_name("auditwheel"))
            .arg("show")
            .arg(wheel)
            .current_dir(std::env::temp_dir()),
    )?;
    audited_tag(&report, arch).map_err(|e| format!("{}: {e}", file_name(wheel)))
}

/// The platform tag in `auditwheel show`'s report (which wraps its lines),
/// accepted when it is manylinux on `arch` for glibc [`GLIBC`] or older.
fn audited_tag(report: &str, arch: Arch) -> Result<String> {
    let text = report.split_whitespace().collect::<Vec<_>>().join(" ");
    let tag = text
        .split("consistent with the following platform tag: \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| format!("auditwheel reported no platform tag: {text}"))?;
    let glibc = tag
        .strip_prefix("manylinux_")
        .and_then(|rest| rest.strip_suffix(&format!("_{}", arch.tag)))
        .and_then(|v| v.split_once('_'))
        .and_then(|(major, minor)| Some((major.parse().ok()?, minor.parse().ok()?)));
    match glibc {
        Some(v) if v <= GLIBC => Ok(tag.to_string()),
        _ => Err(format!(
            "auditwheel reports {tag}, not manylinux_{}_{}_{} or older: {text}",
            GLIBC.0, GLIBC.1, arch.tag
        )),
    }
}

/// Lists each shared library in a wheel with its ELF machine and the symbol
/// versions it needs (`.gnu.version_r`), read with pyelftools (auditwheel's
/// own ELF reader): `name<TAB>machine<TAB>version,version,...`.
const NEEDED_VERSIONS: &str = r#"
import io, sys, zipfile
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for name in wheel.namelist():
        if not (name.endswith(".so") or ".so." in name):
            continue
        elf = ELFFile(io.BytesIO(wheel.read(name)))
        versions = set()
        for section in elf.iter_sections():
            if isinstance(section, GNUVerNeedSection):
                for _, aux in section.iter_versions():
                    versions.update(a.name for a in aux)
        print(name, elf.get_machine_arch(), ",".join(sorted(versions)), sep="\t")
"#;

/// Each shared library of the wheel with the newest glibc symbol version it
/// needs; an error when one is for another machine or needs a glibc newer
/// than [`GLIBC`] (a second check beside auditwheel's, which also names the
/// number to report).
fn glibc_needed(tools: &Path, wheel: &Path, arch: Arch) -> Result<Vec<(String, String)>> {
    let listing = output(
        Command::new(tools)
            .arg("-c")
            .arg(NEEDED_VERSIONS)
            .arg(wheel),
    )?;
    newest_glibc(&listing, arch).map_err(|e| format!("{}: {e}", file_name(wheel)))
}

fn newest_glibc(listing: &str, arch: Arch) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    for line in listing.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = line.split('\t');
        let (Some(name), Some(machine), versions) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(format!("unexpected line from the ELF reader: {line:?}"));
        };
        if machine != arch.elf {
            return Err(format!("{name} is for {machine}, not {}", arch.elf));
        }
        let mut newest: Option<(Vec<u32>, &str)> = None;
        for version in versions.unwrap_or_default().split(',') {
            let Some(number) = version.strip_prefix("GLIBC_") else {
                continue;
            };
            let parts: Option<Vec<u32>> = number.split('.').map(|p| p.parse().ok()).collect();
            // GLIBC_PRIVATE and the like: no stable glibc has them.
            let parts = parts.ok_or_else(|| format!("{name} needs {version}"))?;
            if newest.as_ref().is_none_or(|(n, _)| parts > *n) {
                newest = Some((parts, version));
            }
        }
        let newest = match newest {
            None => "no versioned glibc symbol".to_string(),
            Some((parts, version)) => {
                if parts.as_slice() > [GLIBC.0, GLIBC.1].as_slice() {
                    return Err(format!(
                        "{name} needs {version}, newer than glibc {}.{}",
                        GLIBC.0, GLIBC.1
                    ));
                }
                version.to_string()
            }
        };
        found.push((name.to_string(), newest));
    }
    if found.is_empty() {
        return Err("no shared library in the wheel".into());
    }
    Ok(found)
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

#[cfg(test)]
mod tests {
    use super::*;

    // auditwheel 6.8.2's report on this machine's native (glibc 2.34) build,
    // wrapped as it prints it.
    const NATIVE: &str = r#"
enseal-0.1.0-cp310-abi3-manylinux_2_34_x86_64.whl is consistent with
the following platform tag: "manylinux_2_34_x86_64".

The wheel references external versioned symbols in these
system-provided shared libraries: libc.so.6 with versions {'GLIBC_2.25', 'GLIBC_2.34'}

This constrains the platform tag to "manylinux_2_34_x86_64".
"#;

    fn report(tag: &str) -> String {
        format!("x.whl is consistent with\nthe following platform tag: \"{tag}\".\n")
    }

    #[test]
    fn audit_accepts_glibc_2_17_or_older_on_the_right_machine() {
        for tag in ["manylinux_2_17_x86_64", "manylinux_2_5_x86_64"] {
            assert_eq!(audited_tag(&report(tag), X86_64).as_deref(), Ok(tag));
        }
        let tag = "manylinux_2_17_aarch64";
        assert_eq!(audited_tag(&report(tag), AARCH64).as_deref(), Ok(tag));
    }

    #[test]
    fn audit_refuses_a_newer_glibc_another_machine_or_no_tag() {
        assert!(
            audited_tag(NATIVE, X86_64)
                .unwrap_err()
                .contains("manylinux_2_34_x86_64")
        );
        for (tag, arch) in [
            ("manylinux_2_18_x86_64", X86_64),
            ("manylinux_2_17_x86_64", AARCH64),
            ("manylinux_2_17_aarch64", X86_64),
            ("linux_x86_64", X86_64),
            ("musllinux_1_2_x86_64", X86_64),
        ] {
            assert!(audited_tag(&report(tag), arch).is_err(), "{tag}");
        }
        assert!(audited_tag("no tag here", X86_64).is_err());
    }

    #[test]
    fn file_name_tags() {
        let name = "enseal-0.1.0-cp310-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl";
        assert_eq!(tagged(name, X86_64), Ok(()));
        assert_eq!(
            tagged(
                "enseal-0.1.0-cp310-abi3-manylinux_2_17_aarch64.whl",
                AARCH64
            ),
            Ok(())
        );
        for (name, arch) in [
            (name, AARCH64),
            ("enseal-0.1.0-py3-none-manylinux_2_17_x86_64.whl", X86_64),
            ("enseal-0.1.0-cp310-abi3-manylinux_2_34_x86_64.whl", X86_64),
            (
                "enseal-0.1.0-cp310-abi3-manylinux_2_17_x86_64_v2.whl",
                X86_64,
            ),
        ] {
            assert!(tagged(name, arch).is_err(), "{name}");
        }
    }

    #[test]
    fn newest_glibc_is_read_per_library_and_bounded() {
        let listing = "enseal/_native/libenseal_uniffi.so\tx64\tGCC_3.0,GLIBC_2.14,GLIBC_2.17,GLIBC_2.2.5,GLIBC_2.3.4\n";
        assert_eq!(
            newest_glibc(listing, X86_64),
            Ok(vec![(
                "enseal/_native/libenseal_uniffi.so".to_string(),
                "GLIBC_2.17".to_string()
            )])
        );
        for bad in [
            "a.so\tx64\tGLIBC_2.17,GLIBC_2.34",
            "a.so\tx64\tGLIBC_2.18",
            "a.so\tx64\tGLIBC_PRIVATE",
            "a.so\tAArch64\tGLIBC_2.17",
            "garbage",
            "",
        ] {
            assert!(newest_glibc(bad, X86_64).is_err(), "{bad:?}");
        }
    }
}
