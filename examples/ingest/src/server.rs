//! Accepting connections: TLS first (a client that fails the handshake never
//! reaches HTTP), then HTTP/1.1 or HTTP/2 by ALPN, until shutdown. On
//! shutdown the listener closes at once and connections in flight get
//! [`DRAIN`] to finish: a request whose row committed still gets its 201.

use crate::http::Peer;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// A client gets this long to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// And this long to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections in flight get this long after a shutdown signal.
pub const DRAIN: Duration = Duration::from_secs(10);
/// Open connections per listener: past this a new one is closed at once, so
/// idle or slow clients cannot take every file descriptor.
pub const MAX_CONNECTIONS: usize = 8192;

/// `sha256:<hex>` of a certificate's DER.
pub fn fingerprint(der: &[u8]) -> String {
    let mut out = String::from("sha256:");
    for byte in Sha256::digest(der) {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Serves `router` on `listener` over TLS until `shutdown` turns true.
/// `name` labels the log lines.
pub async fn serve(
    name: &'static str,
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let (tcp, addr) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // EMFILE and the like: back off rather than spin.
                tracing::warn!(listener = name, error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::warn!(listener = name, %addr, "connection limit reached: closed");
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let router = router.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    tracing::info!(listener = name, %addr, error = %e, "TLS handshake refused");
                    return;
                }
                Err(_) => {
                    tracing::info!(listener = name, %addr, "TLS handshake timed out");
                    return;
                }
            };
            let peer = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|certs| certs.first())
                .map(|cert| Peer(fingerprint(cert.as_ref())));
            let router = match peer {
                Some(peer) => router.layer(axum::Extension(peer)),
                None => router,
            };
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            let connection =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router));
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(listener = name, %addr, error = %e, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(DRAIN) => {
            tracing::warn!(listener = name, "connections still open after the drain period: closed");
        }
    }
}
