//! The reference intake service (`examples/ingest`): its Rust tests, which
//! run the service as a process over real TLS against SQLite and against a
//! fresh PostgreSQL 15 cluster (xtask/src/postgres.rs), and the key
//! rotation drill with enseal's CLI.

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
    drop(pg);
    Ok(())
}
