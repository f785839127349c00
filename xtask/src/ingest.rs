//! The reference intake service (`examples/ingest`): its Rust tests, which
//! run the service as a process over real TLS against SQLite and against a
//! fresh PostgreSQL 15 cluster (xtask/src/postgres.rs), and the key
//! rotation drill with enseal's CLI; the Python pipeline and the TLS
//! checks and scan (sslyze) over the installed wheel.

use crate::postgres::{self, Postgres};
use crate::{Result, cargo, root, run};
use std::process::Command;

pub(crate) fn test() -> Result {
    let pg = Postgres::start(&postgres::dir("test"))?;
    // The rotation drill runs enseal's CLI as an operator would.
    cargo(&["build", "-p", "enseal-cli"])?;
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root())
            .args(["test", "-p", "enseal-ingest", "--", "--include-ignored"])
            .env("ENSEAL_CLI", root().join("target/debug/enseal"))
            .env("ENSEAL_INGEST_TEST_POSTGRES", &pg.url),
    )?;
    python(&pg)?;
    browser(&pg)?;
    drop(pg);
    Ok(())
}

/// The intake form in Chromium over HTTPS against the service on
/// PostgreSQL, then the pipeline on what it stored (wasm/tests, where the
/// installed npm package and playwright-core are: after `web-test`).
fn browser(pg: &Postgres) -> Result {
    run(Command::new("node")
        .args(["--test", "--test-concurrency=1", "ingest-form.test.js"])
        .current_dir(root().join("wasm/tests"))
        .env(
            "ENSEAL_INGEST_BIN",
            root().join("target/debug/enseal-ingest"),
        )
        .env(
            "ENSEAL_INGEST_PYTHON",
            root().join("target/py-ingest/bin/python"),
        )
        .env("ENSEAL_INGEST_TEST_POSTGRES", &pg.url))
}

/// The pipeline (`examples/ingest/pipeline/fetch_day.py`, on the installed
/// wheel) and the TLS checks (Python's ssl, the openssl CLI, sslyze), in a
/// fresh virtual environment, against the service on PostgreSQL.
fn python(pg: &Postgres) -> Result {
    let python = crate::python::venv(&root().join("target/py-ingest"), true)?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "-q", "-r"])
        .arg(root().join("examples/ingest/tests/python/requirements.txt")))?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "-q", "--no-deps"])
        .arg(crate::pipelines::wheel()?))?;
    cargo(&["build", "-p", "enseal-ingest"])?;
    run(Command::new(&python)
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "examples/ingest/tests/python",
        ])
        .env(
            "ENSEAL_INGEST_BIN",
            root().join("target/debug/enseal-ingest"),
        )
        .env("ENSEAL_INGEST_TEST_POSTGRES", &pg.url))
}
