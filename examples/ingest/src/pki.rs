//! Throw-away certificates for development and tests: a CA, the service's
//! certificate (for `localhost`, 127.0.0.1 and ::1) and one client
//! certificate for an internal pipeline. Production uses the organisation's
//! own CA; nothing here is for that.

use crate::files::{write_private, write_public};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Where [`generate`] writes, under one directory.
#[derive(Debug, Clone)]
pub struct Pki {
    /// The CA certificate (PEM): clients trust it for the service, and the
    /// internal listener trusts it for clients.
    pub ca: PathBuf,
    /// The service's certificate (PEM).
    pub server_cert: PathBuf,
    /// The service's private key (PKCS#8 PEM, mode 0600).
    pub server_key: PathBuf,
    /// The pipeline's client certificate (PEM).
    pub client_cert: PathBuf,
    /// The pipeline's private key (PKCS#8 PEM, mode 0600).
    pub client_key: PathBuf,
}

impl Pki {
    /// The file names under `dir`.
    pub fn at(dir: &Path) -> Pki {
        Pki {
            ca: dir.join("ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server.key"),
            client_cert: dir.join("client.pem"),
            client_key: dir.join("client.key"),
        }
    }

    /// Whether every file is there.
    pub fn exists(&self) -> bool {
        [
            &self.ca,
            &self.server_cert,
            &self.server_key,
            &self.client_cert,
            &self.client_key,
        ]
        .iter()
        .all(|p| p.exists())
    }
}

fn err(what: &str) -> impl Fn(rcgen::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// Makes a new CA, server and client certificate under `dir` (created if
/// missing), ECDSA P-256. The CA's private key is never written: nothing can
/// be issued under it once this returns. `client_name` is the client
/// certificate's common name.
pub fn generate(dir: &Path, client_name: &str) -> Result<Pki, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let pki = Pki::at(dir);

    let ca_key = KeyPair::generate().map_err(err("CA key"))?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err("CA"))?;
    // A name of its own per CA: a certificate from another throw-away CA is
    // then refused as unknown, not as a bad signature under a namesake.
    let serial = uuid::Uuid::new_v4().simple().to_string();
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("enseal-ingest throw-away CA {}", &serial[..8]),
    );
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).map_err(err("CA"))?;
    let issuer = Issuer::new(ca, ca_key);

    let leaf = |names: Vec<String>, cn: &str, usage: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate().map_err(err("key"))?;
        let mut params = CertificateParams::new(names).map_err(err("certificate"))?;
        params.distinguished_name.push(DnType::CommonName, cn);
        params.extended_key_usages = vec![usage];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        // RFC 5280 §4.2.1.1: what strict path builders (sslyze's) require.
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(err("certificate"))?;
        Ok::<_, String>((cert.pem(), Zeroizing::new(key.serialize_pem())))
    };
    let (server_pem, server_key) = leaf(
        vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
        "localhost",
        ExtendedKeyUsagePurpose::ServerAuth,
    )?;
    let (client_pem, client_key) =
        leaf(Vec::new(), client_name, ExtendedKeyUsagePurpose::ClientAuth)?;

    write_public(&pki.ca, ca_cert.pem().as_bytes())?;
    write_public(&pki.server_cert, server_pem.as_bytes())?;
    write_public(&pki.client_cert, client_pem.as_bytes())?;
    write_private(&pki.server_key, server_key.as_bytes())?;
    write_private(&pki.client_key, client_key.as_bytes())?;
    Ok(pki)
}
