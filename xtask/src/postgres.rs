//! A throw-away PostgreSQL 15 cluster (Debian's `postgresql`) for the
//! intake service's tests and load runs: made under `target/` with a
//! password generated for the run, listening on 127.0.0.1 only, and stopped
//! when the value is dropped. PostgreSQL refuses to run as root, so as root
//! the cluster is the `postgres` user's.

use crate::{Result, root, run};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = "/usr/lib/postgresql/15/bin";

/// A running cluster; stopped (fast shutdown) on drop.
pub(crate) struct Postgres {
    data: PathBuf,
    as_postgres: bool,
    /// `postgres://enseal:…@127.0.0.1:PORT/ingest`.
    pub(crate) url: String,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn command(as_postgres: bool, program: &str) -> Command {
    let program = format!("{BIN}/{program}");
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &program]);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn password() -> Result<String> {
    let mut bytes = [0u8; 18];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn chown_postgres(path: &Path) -> Result {
    run(Command::new("chown")
        .args(["-R", "postgres:postgres"])
        .arg(path))
}

impl Postgres {
    /// Makes a fresh cluster in `dir` (removing an old one) and starts it.
    pub(crate) fn start(dir: &Path) -> Result<Postgres> {
        if !Path::new(BIN).join("initdb").exists() {
            return Err(format!(
                "{BIN}/initdb is missing: `cargo xtask test` installs Debian's postgresql"
            ));
        }
        if dir.exists() {
            if let Ok(old) = Postgres::existing(dir) {
                drop(old);
            }
            std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let data = dir.join("data");
        let socket = dir.join("socket");
        std::fs::create_dir_all(&socket).map_err(|e| e.to_string())?;
        let as_postgres = is_root();
        let password = password()?;
        let pwfile = dir.join("pwfile");
        std::fs::write(&pwfile, &password).map_err(|e| e.to_string())?;
        if as_postgres {
            chown_postgres(dir)?;
        }
        run(command(as_postgres, "initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "enseal",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--no-instructions",
            ])
            .arg(format!("--pwfile={}", pwfile.display())))?;
        std::fs::remove_file(&pwfile).map_err(|e| e.to_string())?;
        let port = free_port()?;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=100 -c fsync=on -c synchronous_commit=on",
            socket.display()
        );
        run(command(as_postgres, "pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .args(["-w", "-o", &options, "start"]))?;
        let pg = Postgres {
            data,
            as_postgres,
            url: format!("postgres://enseal:{password}@127.0.0.1:{port}/ingest"),
        };
        run(Command::new("psql")
            .arg(format!(
                "postgres://enseal:{password}@127.0.0.1:{port}/postgres"
            ))
            .args([
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "CREATE DATABASE ingest",
            ]))?;
        Ok(pg)
    }

    /// A cluster left running in `dir` by an interrupted run, to stop it.
    fn existing(dir: &Path) -> Result<Postgres> {
        let data = dir.join("data");
        if !data.join("postmaster.pid").exists() {
            return Err("not running".into());
        }
        Ok(Postgres {
            data,
            as_postgres: is_root(),
            url: String::new(),
        })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = command(self.as_postgres, "pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"])
            .status();
    }
}

/// Where the intake service's runs keep their cluster.
pub(crate) fn dir(name: &str) -> PathBuf {
    root().join("target/ingest").join(name)
}
