//! Development mode: what `cargo run -p enseal-ingest` uses when it is given
//! no certificates and no keyset. Everything is made once under the dev
//! directory and reused. Nothing here is for production: there the keyset is
//! signed offline (`enseal keyset sign`) and the private key is in a KMS or
//! HSM, never on the service's machine.

use crate::files::{write_private, write_public};
use enseal::{KeyPair, Keyring, Keyset, SigningKey, Suite};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// A year: long enough that a dev keyset outlives the work it serves.
const DEV_KEYSET_LIFETIME: u64 = 365 * 24 * 3600;

/// The dev keyset's files.
pub struct DevKeyset {
    /// The signed keyset (JWS) the service and the page use.
    pub keyset: PathBuf,
    /// The pinned signer's public JWK set.
    pub signers: PathBuf,
    /// The private keyring (JWK set, 0600), for the pipeline that opens.
    pub private_keyring: PathBuf,
}

/// Makes (once) an X25519 key, a keyset signer, and the signed keyset
/// naming the key, under `dir`. The private keyring is written for the
/// pipeline to use and dropped (zeroized): the service never reads it.
pub fn keyset(dir: &Path) -> Result<DevKeyset, String> {
    let files = DevKeyset {
        keyset: dir.join("keyset.jws"),
        signers: dir.join("signers.json"),
        private_keyring: dir.join("private-keyring.json"),
    };
    if files.keyset.exists() && files.signers.exists() {
        return Ok(files);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let fail = |e: enseal::Error| e.to_string();
    let key = KeyPair::generate(Suite::X25519).map_err(fail)?;
    let keyset = Keyset::from_public_key(key.public_key(), None, None).map_err(fail)?;
    let mut keyring = Keyring::new();
    keyring.add(key);
    write_private(&files.private_keyring, keyring.to_jwks().as_bytes())?;
    let signer = SigningKey::generate().map_err(fail)?;
    write_private(&dir.join("keyset-signer.jwk"), signer.to_jwk().as_bytes())?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let jws = keyset
        .sign(&signer, 1, now + DEV_KEYSET_LIFETIME)
        .map_err(fail)?;
    write_public(&files.keyset, jws.as_bytes())?;
    let pins = format!("{{\"keys\": [{}]}}\n", signer.public_jwk());
    write_public(&files.signers, pins.as_bytes())?;
    Ok(files)
}
