//! The reference intake service (`examples/ingest`): its Rust tests, which
//! run the service as a process over real TLS against SQLite and against a
//! fresh PostgreSQL 15 cluster (xtask/src/postgres.rs).

use crate::postgres::{self, Postgres};
use crate::{Result, root, run};
use std::process::Command;

pub(crate) fn test() -> Result {
    let pg = Postgres::start(&postgres::dir("test"))?;
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root())
            .args(["test", "-p", "enseal-ingest"])
            .env("ENSEAL_INGEST_TEST_POSTGRES", &pg.url),
    )?;
    drop(pg);
    Ok(())
}
