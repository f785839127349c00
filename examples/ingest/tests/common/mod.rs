//! The service under test, run as a process (the binary cargo built), and
//! what tests need around it: its databases, its keyset, clients.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{ContextTemplate, Keyset, Sealer, SignerPins};
use enseal_ingest::client;
use enseal_ingest::intake::{CONTEXT_TEMPLATE, PAD_TO, PROTECTED_IN_RECORD};
use rustls::ClientConfig;
use sqlx::AnyPool;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the form types.
pub const NAME: &str = "Ada Lovelace";
pub const DOB: &str = "1815-12-10";
pub const SSN: &str = "078-05-1120";
pub const DIAGNOSIS: &str = "E11.9 type 2 diabetes mellitus";

/// One running service.
pub struct Service {
    child: Child,
    pub intake: SocketAddr,
    pub records: SocketAddr,
    pub dir: PathBuf,
    logs: Arc<Mutex<String>>,
}

/// How to start one.
pub struct Options<'a> {
    pub dir: &'a Path,
    pub database: Option<&'a str>,
    /// Fixed ports (for a restart on the same addresses); 0 = any.
    pub ports: (u16, u16),
    /// The working directory (dev mode's default dir is relative to it).
    pub cwd: Option<&'a Path>,
    /// Pass --dev-dir (false: rely on the default, relative to `cwd`).
    pub dev_dir_flag: bool,
    /// `--records-settle`: 0 in tests that fetch only rows they saw
    /// acknowledged (committed).
    pub records_settle: u32,
    /// More flags.
    pub args: &'a [&'a str],
}

impl<'a> Options<'a> {
    pub fn new(dir: &'a Path, database: &'a str) -> Options<'a> {
        Options {
            dir,
            database: Some(database),
            ports: (0, 0),
            cwd: None,
            dev_dir_flag: true,
            records_settle: 0,
            args: &[],
        }
    }
}

impl Service {
    pub fn start(options: &Options<'_>) -> Service {
        let mut command = Command::new(env!("CARGO_BIN_EXE_enseal-ingest"));
        command
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", options.ports.0))
            .arg("--internal-listen")
            .arg(format!("127.0.0.1:{}", options.ports.1))
            .arg("--records-settle")
            .arg(options.records_settle.to_string())
            .env("ENSEAL_INGEST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Only what the test passes: no ENSEAL_INGEST_* from the environment.
        for (key, _) in std::env::vars() {
            if key.starts_with("ENSEAL_INGEST_") && key != "ENSEAL_INGEST_LOG" {
                command.env_remove(key);
            }
        }
        if options.dev_dir_flag {
            command.arg("--dev-dir").arg(options.dir);
        }
        if let Some(database) = options.database {
            command.arg("--database").arg(database);
        }
        command.args(options.args);
        if let Some(cwd) = options.cwd {
            command.current_dir(cwd);
        }
        let mut child = command.spawn().expect("start enseal-ingest");
        let logs = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut logs = sink.lock().unwrap();
                logs.push_str(&line);
                logs.push('\n');
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("enseal-ingest: listening") {
                    let _ = tx.send(line);
                }
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the service did not start; its log:\n{}",
                    logs.lock().unwrap()
                );
            }
        };
        let addr = |key: &str| -> SocketAddr {
            let start = line.find(key).unwrap() + key.len();
            line[start..]
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        Service {
            intake: addr("intake=https://"),
            records: addr("records=https://"),
            child,
            dir: options.dir.to_path_buf(),
            logs,
        }
    }

    /// Everything it logged so far.
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// SIGKILL: no drain, no cleanup (a crash, an OOM kill).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait: the orderly stop of a deploy.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A connection to the intake listener.
    pub async fn web(&self) -> client::Connection {
        client::connect(self.intake, self.public_client())
            .await
            .unwrap()
    }

    /// A connection to the records listener, with the pipeline's certificate.
    pub async fn internal(&self) -> client::Connection {
        client::connect(self.records, self.internal_client())
            .await
            .unwrap()
    }

    pub fn public_client(&self) -> Arc<ClientConfig> {
        client::config(&self.dir.join("pki/ca.pem"), None, true).unwrap()
    }

    pub fn internal_client(&self) -> Arc<ClientConfig> {
        let pki = self.dir.join("pki");
        client::config(
            &pki.join("ca.pem"),
            Some((&pki.join("client.pem"), &pki.join("client.key"))),
            true,
        )
        .unwrap()
    }

    /// The keyset the service accepts, read as a client does: the signed
    /// keyset verified under the pinned signers.
    pub fn keyset(&self) -> Keyset {
        let jws = std::fs::read_to_string(self.dir.join("keyset.jws")).unwrap();
        let pins =
            SignerPins::from_jwks(&std::fs::read_to_string(self.dir.join("signers.json")).unwrap())
                .unwrap();
        Keyset::from_signed(jws.trim(), &pins, None)
            .unwrap()
            .keyset()
            .clone()
    }

    pub fn sealer(&self) -> Sealer {
        Sealer::from_keyset(&self.keyset()).unwrap()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The form's body: the patient with SSN and diagnosis sealed as a record
/// with the service's context template, exactly as form.js makes it.
pub fn sealed_body(sealer: &Sealer, record_id: &str) -> String {
    let body = serde_json::json!({
        "recordId": record_id,
        "patient": {"name": NAME, "dob": DOB, "ssn": SSN, "diagnosis": DIAGNOSIS},
    });
    sealer
        .seal_record_padded(&body.to_string(), &PROTECTED_IN_RECORD, &template(), PAD_TO)
        .unwrap()
}

/// The service's context template, parsed.
pub fn template() -> ContextTemplate {
    ContextTemplate::parse(CONTEXT_TEMPLATE).unwrap()
}

/// An SQLite database under `dir`.
pub fn sqlite_in(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("db").display())
}

/// A fresh scratch directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "enseal-ingest-test-{name}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The databases each store-touching test runs against: SQLite always, and
/// PostgreSQL when `ENSEAL_INGEST_TEST_POSTGRES` names a server (the test
/// command starts one), with a fresh database for this test.
pub async fn databases(dir: &Path, test: &str) -> Vec<(&'static str, String)> {
    let mut list = vec![(
        "sqlite",
        format!("sqlite:{}", dir.join("ingest.db").display()),
    )];
    if let Ok(base) = std::env::var("ENSEAL_INGEST_TEST_POSTGRES") {
        sqlx::any::install_default_drivers();
        let name = format!("t_{test}_{}", uuid::Uuid::new_v4().simple());
        let admin = AnyPool::connect(&base).await.expect("PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let (server, _) = base.rsplit_once('/').unwrap();
        list.push(("postgres", format!("{server}/{name}")));
    }
    list
}

/// Rows read back directly from the database, not through the service.
/// A row: id, record id, kid, name, dob, ssn, diagnosis.
pub type Row = (i64, String, String, String, String, String, String);

pub async fn rows(url: &str) -> Vec<Row> {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(url).await.unwrap();
    let rows = sqlx::query_as::<_, Row>(
        "SELECT id, record_id, kid, name, dob, ssn, diagnosis FROM intakes ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows
}
