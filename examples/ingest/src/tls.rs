//! The two TLS configurations: the public intake listener (TLS 1.3 only,
//! session tickets on) and the internal listener, which also requires a
//! client certificate issued by the internal CA.

use rustls::crypto::CryptoProvider;
use rustls::server::{ServerSessionMemoryCache, WebPkiClientVerifier};
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// AWS-LC with TLS 1.3's cipher suites only. All three are AEADs
/// (AES-256-GCM, AES-128-GCM, ChaCha20-Poly1305), and the key exchanges are
/// ephemeral (X25519MLKEM768, X25519, P-256, P-384): nothing weak is left to
/// negotiate.
pub fn provider() -> Arc<CryptoProvider> {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    provider
        .cipher_suites
        .retain(|suite| suite.version() == &rustls::version::TLS13);
    Arc::new(provider)
}

/// Reads a certificate chain (PEM).
pub fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: not a PEM certificate chain: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate in it", path.display()));
    }
    Ok(certs)
}

/// Reads a private key (PEM: PKCS#8, SEC1 or PKCS#1).
pub fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_file(path)
        .map_err(|e| format!("{}: not a PEM private key: {e}", path.display()))
}

/// Reads CA certificates into a root store.
pub fn read_roots(path: &Path) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    for cert in read_certs(path)? {
        roots
            .add(cert)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(roots)
}

fn finish(mut config: ServerConfig) -> Result<Arc<ServerConfig>, String> {
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    // Resumption: stateless tickets (keys rotate every 6 hours, in memory
    // only) and a cache for clients that resume by id. A resumed handshake
    // skips the certificate signature and its verification.
    config.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new().map_err(|e| e.to_string())?;
    config.session_storage = ServerSessionMemoryCache::new(16_384);
    Ok(Arc::new(config))
}

/// The public listener: TLS 1.3 only, no client certificate.
pub fn public(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(read_certs(cert)?, read_key(key)?)
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    finish(config)
}

/// The internal listener: TLS 1.3 only, and a client certificate that
/// chains to `client_ca` is required in the handshake; a client without one
/// (or with another CA's) gets no HTTP at all.
pub fn internal(cert: &Path, key: &Path, client_ca: &Path) -> Result<Arc<ServerConfig>, String> {
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(read_roots(client_ca)?), provider())
            .build()
            .map_err(|e| format!("{}: {e}", client_ca.display()))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier)
        .with_single_cert(read_certs(cert)?, read_key(key)?)
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    finish(config)
}
