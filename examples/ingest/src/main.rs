//! `enseal-ingest`: the reference intake service (see the library's docs).
//!
//! With no arguments it runs in development mode: certificates, a keyset and
//! an SQLite database are made once under `./enseal-ingest-dev/`. In
//! production every one of them is given.

use clap::{Args, Parser, Subcommand};
use enseal_ingest::http::{self, App};
use enseal_ingest::keys::Keys;
use enseal_ingest::pki::{self, Pki};
use enseal_ingest::store::Store;
use enseal_ingest::{dev, server, tls};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
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
    /// Database connections in the pool.
    #[arg(long, env = "ENSEAL_INGEST_DB_CONNECTIONS", default_value_t = 8)]
    db_connections: u32,
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
    let mut store = Store::open(&database, args.db_connections).await?;
    #[cfg(feature = "plaintext-baseline")]
    if args.plaintext_baseline {
        tracing::warn!(
            "plaintext baseline: protected fields are NOT checked; rows go to intakes_plaintext (load report only)"
        );
        store.use_plaintext_baseline();
    }
    let store = Arc::new(store);
    let app = Arc::new(App {
        keys: Arc::clone(&keys),
        store: Arc::clone(&store),
        package_dir,
        max_body: args.max_body,
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
    let signals = tokio::spawn(handle_signals(stop, keys));
    let public = tokio::spawn(server::serve(
        "intake",
        public,
        public_tls,
        http::public(Arc::clone(&app)),
        stopped.clone(),
    ));
    let internal = tokio::spawn(server::serve(
        "records",
        internal,
        internal_tls,
        http::internal(app),
        stopped,
    ));
    let _ = public.await;
    let _ = internal.await;
    signals.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// SIGTERM or SIGINT: stop accepting and drain. SIGHUP: reload the keyset.
async fn handle_signals(stop: watch::Sender<bool>, keys: Arc<Keys>) {
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        tracing::error!("cannot install signal handlers");
        return;
    };
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
        None => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
            .and_then(|runtime| runtime.block_on(serve(cli.serve))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("enseal-ingest: {e}");
            ExitCode::FAILURE
        }
    }
}
