//! Accepting connections: TLS first (a client that fails the handshake never
//! reaches HTTP), then HTTP/1.1 or HTTP/2 by ALPN, until shutdown. On
//! shutdown the listener closes at once and connections in flight get
//! [`DRAIN`] to finish: a request whose row committed still gets its 201.
//! Bounded against slow or idle clients: [`MAX_CONNECTIONS`], a handshake
//! and header timeout, an idle timeout, HTTP/2 keep-alive pings and at most
//! 64 streams, and a whole-request deadline (`App::request_timeout`).

use crate::http::Peer;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
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

/// Serves `router` on `listener` over TLS until `shutdown` turns true,
/// closing a connection that has read and written nothing for
/// `idle_timeout`. `name` labels the log lines.
pub async fn serve(
    name: &'static str,
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    router: Router,
    idle_timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(tls);
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
        let mut stop = shutdown.clone();
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
            builder
                .http2()
                .timer(TokioTimer::new())
                .max_concurrent_streams(64)
                .keep_alive_interval(Some(Duration::from_secs(20)))
                .keep_alive_timeout(Duration::from_secs(10));
            let (stream, idle) = Watched::new(stream);
            let connection =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router));
            tokio::pin!(connection);
            // Until the connection ends, the service stops, or nothing has
            // been read or written for `idle_timeout` (longer than any
            // request may take, see `App::request_timeout`); the last two end
            // it gracefully: a request in flight still gets its answer.
            let ended = loop {
                tokio::select! {
                    ended = connection.as_mut() => break Some(ended),
                    _ = stop.changed() => break None,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {
                        if idle.elapsed() >= idle_timeout {
                            break None;
                        }
                    }
                }
            };
            let ended = match ended {
                Some(ended) => ended,
                None => {
                    connection.as_mut().graceful_shutdown();
                    match tokio::time::timeout(DRAIN, connection.as_mut()).await {
                        Ok(ended) => ended,
                        Err(_) => Ok(()),
                    }
                }
            };
            if let Err(e) = ended {
                tracing::debug!(listener = name, %addr, error = %e, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    // Every connection holds a slot until it has ended: all slots back means
    // all connections drained (each gets DRAIN from the signal, and a little
    // more here for its task to finish).
    let all = u32::try_from(MAX_CONNECTIONS).unwrap_or(u32::MAX);
    if tokio::time::timeout(DRAIN + Duration::from_secs(1), slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(
            listener = name,
            "connections still open after the drain period: closed"
        );
    }
}

/// When a connection last read or wrote a byte.
#[derive(Clone)]
struct Idle(Arc<std::sync::atomic::AtomicU64>, std::time::Instant);

impl Idle {
    fn touch(&self) {
        let ms = self.1.elapsed().as_millis() as u64;
        self.0.store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    fn elapsed(&self) -> Duration {
        let last = Duration::from_millis(self.0.load(std::sync::atomic::Ordering::Relaxed));
        self.1.elapsed().saturating_sub(last)
    }
}

/// A stream that records its last read or write in an [`Idle`].
struct Watched<S> {
    inner: S,
    idle: Idle,
}

impl<S> Watched<S> {
    fn new(inner: S) -> (Watched<S>, Idle) {
        let idle = Idle(Arc::default(), std::time::Instant::now());
        (
            Watched {
                inner,
                idle: idle.clone(),
            },
            idle,
        )
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.idle.touch();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.idle.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
