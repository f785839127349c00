//! `enseal-ingest`: the reference intake service (see the library's docs).
//!
//! With no arguments it runs in development mode: certificates, a keyset and
//! an SQLite database are made once under `./enseal-ingest-dev/`. In
//! production every one of them is given.

use clap::{Args, Parser, Subcommand};
use enseal_ingest::http::{self, App};
use enseal_ingest::keys::Keys;
use enseal_ingest::pki::{self, Pki};
use enseal_ingest::store::{self, Store};
use enseal_ingest::{dev, rotation, server, tls};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

#[derive(Parser)]
#[command(
    name = "enseal-ingest",
    version,
    about = "enseal's reference intake service"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Makes a throw-away CA, a server certificate for localhost and a client
    /// certificate under DIR (for development and tests only).
    Pki {
        /// Where to write ca.pem, server.pem/.key and client.pem/.key.
        dir: PathBuf,
        /// The client certificate's common name.
        #[arg(long, default_value = "pipeline")]
        client_name: String,
    },
    /// Key rotation, step 1: writes the stored intakes (sealed values as
    /// stored) to an NDJSON file for `enseal reseal` (docs/INGEST-REPORT.md).
    Export {
        /// The database (sqlite:PATH or postgres://…).
        #[arg(long, env = "ENSEAL_INGEST_DATABASE")]
        database: String,
        /// The NDJSON file to write (mode 0600).
        #[arg(long)]
        out: PathBuf,
        /// Leave out the rows already sealed to this key id (the new primary).
        /// One key id in 64 starts with `-`: that is a key id, not an option.
        #[arg(long, allow_hyphen_values = true, value_name = "KID")]
        skip_kid: Option<enseal::KeyId>,
    },
    /// Key rotation, step 3: replaces the stored sealed values with
    /// `enseal reseal`'s output, all rows in one transaction, after checking
    /// each is sealed to the primary key of the signed keyset.
    ImportResealed {
        /// `enseal reseal`'s output (NDJSON).
        file: PathBuf,
        /// The database (sqlite:PATH or postgres://…).
        #[arg(long, env = "ENSEAL_INGEST_DATABASE")]
        database: String,
        /// The signed keyset the values must be sealed to (its primary key).
        #[arg(long, env = "ENSEAL_INGEST_KEYSET")]
        keyset: PathBuf,
        /// The pinned keyset signers.
        #[arg(long, env = "ENSEAL_INGEST_SIGNERS")]
        signers: PathBuf,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// The public listener (intake form and POST /intake), TLS 1.3.
    #[arg(long, env = "ENSEAL_INGEST_LISTEN", default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// The internal listener (GET /records), TLS 1.3 with client certificates.
    #[arg(
        long,
        env = "ENSEAL_INGEST_INTERNAL_LISTEN",
        default_value = "127.0.0.1:8444"
    )]
    internal_listen: SocketAddr,
    /// sqlite:PATH or postgres://USER@HOST/DB (a password from PGPASSWORD or
    /// the URL). Default: SQLite in the dev directory.
    #[arg(long, env = "ENSEAL_INGEST_DATABASE")]
    database: Option<String>,
    /// Database connections in the pool (default: 8 for PostgreSQL; 1 for
    /// SQLite, which has one writer: more connections only queue in its
    /// busy handler, measured in docs/INGEST-REPORT.md).
    #[arg(long, env = "ENSEAL_INGEST_DB_CONNECTIONS")]
    db_connections: Option<u32>,
    /// The service's certificate chain (PEM). With --key and --client-ca.
    #[arg(long, env = "ENSEAL_INGEST_CERT", requires_all = ["key", "client_ca"])]
    cert: Option<PathBuf>,
    /// The service's private key (PEM).
    #[arg(long, env = "ENSEAL_INGEST_KEY", requires = "cert")]
    key: Option<PathBuf>,
    /// The CA whose client certificates the internal listener accepts (PEM).
    #[arg(long, env = "ENSEAL_INGEST_CLIENT_CA", requires = "cert")]
    client_ca: Option<PathBuf>,
    /// The signed keyset (JWS, `enseal keyset sign`). With --signers.
    #[arg(long, env = "ENSEAL_INGEST_KEYSET", requires = "signers")]
    keyset: Option<PathBuf>,
    /// The pinned keyset signers (a JWK set of Ed25519 public keys).
    #[arg(long, env = "ENSEAL_INGEST_SIGNERS", requires = "keyset")]
    signers: Option<PathBuf>,
    /// Where development mode keeps what it makes.
    #[arg(
        long,
        env = "ENSEAL_INGEST_DEV_DIR",
        default_value = "enseal-ingest-dev"
    )]
    dev_dir: PathBuf,
    /// The enseal npm package's directory, served under /enseal/.
    #[arg(long, env = "ENSEAL_INGEST_PACKAGE_DIR")]
    package_dir: Option<PathBuf>,
    /// The largest intake body accepted, in bytes.
    #[arg(long, env = "ENSEAL_INGEST_MAX_BODY", default_value_t = 16 * 1024)]
    max_body: usize,
    /// Seconds a row waits before GET /records shows it: longer than an
    /// insert can take to commit, so a cursor through a day skips nothing.
    #[arg(long, env = "ENSEAL_INGEST_RECORDS_SETTLE", default_value_t = 30)]
    records_settle: u32,
    /// Seconds a request may take, body included (then 408).
    #[arg(long, env = "ENSEAL_INGEST_REQUEST_TIMEOUT", default_value_t = 30)]
    request_timeout: u32,
    /// Seconds a connection may read and write nothing before it is closed
    /// (more than --request-timeout).
    #[arg(long, env = "ENSEAL_INGEST_IDLE_TIMEOUT", default_value_t = 60)]
    idle_timeout: u32,
    /// The load report's baseline only: accept protected fields in the clear
    /// and store them in a table of their own (feature plaintext-baseline).
    #[cfg(feature = "plaintext-baseline")]
    #[arg(long)]
    plaintext_baseline: bool,
}

fn init_logging() {
    // ENSEAL_INGEST_LOG=warn|info|debug; logs never carry field values.
    let level = std::env::var("ENSEAL_INGEST_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    if args.idle_timeout <= args.request_timeout || args.request_timeout == 0 {
        return Err(
            "--idle-timeout must be longer than --request-timeout, which must be at least 1".into(),
        );
    }
    let idle_timeout = Duration::from_secs(args.idle_timeout.into());
    let (cert, key, client_ca) = match (args.cert, args.key, args.client_ca) {
        (Some(cert), Some(key), Some(ca)) => (cert, key, ca),
        _ => {
            let dir = args.dev_dir.join("pki");
            let mut pki = Pki::at(&dir);
            if !pki.exists() {
                pki = pki::generate(&dir, "pipeline")?;
                tracing::warn!(dir = %dir.display(), "development mode: made a throw-away CA, server and client certificate");
            }
            (pki.server_cert, pki.server_key, pki.ca)
        }
    };
    let (keyset, signers) = match (args.keyset, args.signers) {
        (Some(keyset), Some(signers)) => (keyset, signers),
        _ => {
            let made = dev::keyset(&args.dev_dir)?;
            tracing::warn!(
                keyset = %made.keyset.display(),
                private_keyring = %made.private_keyring.display(),
                "development mode: using a dev keyset (its private keyring is for the pipeline; the service does not read it)"
            );
            (made.keyset, made.signers)
        }
    };
    let database = match args.database {
        Some(url) => url,
        None => {
            std::fs::create_dir_all(&args.dev_dir)
                .map_err(|e| format!("{}: {e}", args.dev_dir.display()))?;
            format!("sqlite:{}", args.dev_dir.join("ingest.db").display())
        }
    };
    let package_dir = args.package_dir.unwrap_or_else(|| {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/npm/enseal"
        ))
    });
    if !package_dir.join("x25519.js").exists() {
        tracing::warn!(dir = %package_dir.display(), "the enseal npm package is not there: the form will not load until `cargo xtask web-build` makes it");
    }

    let keys = Arc::new(Keys::load(&keyset, &signers)?);
    #[allow(unused_mut)]
    let connections = args
        .db_connections
        .unwrap_or(match store::Backend::of(&database)? {
            store::Backend::Sqlite => 1,
            store::Backend::Postgres => 8,
        });
    let store = Store::open(&database, connections).await?;
    #[cfg(feature = "plaintext-baseline")]
    let store = {
        let mut store = store;
        if args.plaintext_baseline {
            tracing::warn!(
                "plaintext baseline: protected fields are NOT checked; rows go to intakes_plaintext (load report only)"
            );
            store.use_plaintext_baseline();
        }
        store
    };
    let store = Arc::new(store);
    let app = Arc::new(App {
        keys: Arc::clone(&keys),
        store: Arc::clone(&store),
        package_dir,
        max_body: args.max_body,
        records_settle: i64::from(args.records_settle),
        request_timeout: Duration::from_secs(args.request_timeout.into()),
        #[cfg(feature = "plaintext-baseline")]
        plaintext_baseline: args.plaintext_baseline,
    });
    let public_tls = tls::public(&cert, &key)?;
    let internal_tls = tls::internal(&cert, &key, &client_ca)?;
    let bind = |addr: SocketAddr| async move {
        TcpListener::bind(addr)
            .await
            .map_err(|e| format!("listen on {addr}: {e}"))
    };
    let public = bind(args.listen).await?;
    let internal = bind(args.internal_listen).await?;
    let (public_addr, internal_addr) = (
        public.local_addr().map_err(|e| e.to_string())?,
        internal.local_addr().map_err(|e| e.to_string())?,
    );
    // Installed before anything announces the service: a SIGHUP's default
    // action is to terminate, so a reload sent right after start would
    // otherwise kill it.
    let signals = Signals {
        term: signal(SignalKind::terminate()).map_err(|e| format!("SIGTERM: {e}"))?,
        int: signal(SignalKind::interrupt()).map_err(|e| format!("SIGINT: {e}"))?,
        hup: signal(SignalKind::hangup()).map_err(|e| format!("SIGHUP: {e}"))?,
    };
    let current = keys.current();
    tracing::info!(
        database = ?store.backend(),
        keyset_version = current.verified.version(),
        primary = %current.keyset().primary_kid(),
        "serving"
    );
    // Tests and scripts read this line for the addresses (ports may be 0).
    println!(
        "enseal-ingest: listening intake=https://{public_addr} records=https://{internal_addr}"
    );

    let (stop, stopped) = watch::channel(false);
    let signals = tokio::spawn(handle_signals(signals, stop, keys));
    let public = tokio::spawn(server::serve(
        "intake",
        public,
        public_tls,
        http::public(Arc::clone(&app)),
        idle_timeout,
        stopped.clone(),
    ));
    let internal = tokio::spawn(server::serve(
        "records",
        internal,
        internal_tls,
        http::internal(app),
        idle_timeout,
        stopped,
    ));
    let _ = public.await;
    let _ = internal.await;
    signals.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The signals the service acts on.
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

/// SIGTERM or SIGINT: stop accepting and drain. SIGHUP: reload the keyset.
async fn handle_signals(signals: Signals, stop: watch::Sender<bool>, keys: Arc<Keys>) {
    let Signals {
        mut term,
        mut int,
        mut hup,
    } = signals;
    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => match keys.reload() {
                Ok(version) => tracing::info!(version, "keyset reloaded"),
                Err(e) => tracing::error!(error = %e, "keyset not reloaded; the current one stays"),
            },
        }
    }
    tracing::info!("shutting down: draining connections");
    let _ = stop.send(true);
}

fn block_on<T>(task: impl std::future::Future<Output = Result<T, String>>) -> Result<T, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(task)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Some(Command::Pki { dir, client_name }) => pki::generate(&dir, &client_name).map(|pki| {
            println!(
                "wrote {} and the server and client certificates",
                pki.ca.display()
            );
        }),
        Some(Command::Export {
            database,
            out,
            skip_kid,
        }) => block_on(async {
            let store = Store::open(&database, 2).await?;
            let skip_kid = skip_kid.map(|kid| kid.to_string());
            let count = rotation::export(&store, &out, skip_kid.as_deref()).await;
            store.close().await;
            println!("exported {} intakes to {}", count?, out.display());
            Ok(())
        }),
        Some(Command::ImportResealed {
            file,
            database,
            keyset,
            signers,
        }) => block_on(async {
            let keys = Keys::load(&keyset, &signers)?;
            let store = Store::open(&database, 2).await?;
            let imported = rotation::import(&store, &file, &keys.current()).await;
            store.close().await;
            let imported = imported?;
            println!(
                "replaced the sealed values of {} intakes; {} still sealed to another key than the primary",
                imported.replaced, imported.remaining
            );
            Ok(())
        }),
        None => block_on(serve(cli.serve)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("enseal-ingest: {e}");
            ExitCode::FAILURE
        }
    }
}
