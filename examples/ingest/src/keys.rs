//! The keyset the service accepts fields for. It is the signed keyset the
//! browser also fetches (`/keyset.jws`), verified here under the same pinned
//! signers: the service and the page cannot disagree on what is current.
//! The service holds public keys only.
//!
//! Rotation: replace the file and send SIGHUP (or restart). A reload takes
//! a keyset of the same or a higher version only; an older one is refused
//! and the current one stays.

use crate::files::read_text;
use enseal::{Keyset, SignerPins, VerifiedKeyset};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// One verified signed keyset, with the JWS as it is served.
pub struct Published {
    /// The verified keyset (version, expiry, signer, keys).
    pub verified: VerifiedKeyset,
    /// The compact JWS, served unchanged to browsers.
    pub jws: String,
}

impl Published {
    /// The keyset whose keys fields must be sealed to.
    pub fn keyset(&self) -> &Keyset {
        self.verified.keyset()
    }
}

/// The current keyset and where it comes from.
pub struct Keys {
    path: PathBuf,
    pins: SignerPins,
    pins_json: String,
    current: RwLock<Arc<Published>>,
}

fn load(path: &Path, pins: &SignerPins, min_version: Option<u64>) -> Result<Published, String> {
    let jws = read_text(path)?.trim().to_string();
    let verified = Keyset::from_signed(&jws, pins, min_version)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Published { verified, jws })
}

impl Keys {
    /// Reads the signed keyset at `keyset` and the pinned signers (a JWK
    /// set of Ed25519 public keys) at `signers`, and verifies it.
    pub fn load(keyset: &Path, signers: &Path) -> Result<Keys, String> {
        let pins_json = read_text(signers)?;
        let pins =
            SignerPins::from_jwks(&pins_json).map_err(|e| format!("{}: {e}", signers.display()))?;
        let published = load(keyset, &pins, None)?;
        Ok(Keys {
            path: keyset.to_path_buf(),
            pins,
            pins_json,
            current: RwLock::new(Arc::new(published)),
        })
    }

    /// The keyset in force now.
    pub fn current(&self) -> Arc<Published> {
        match self.current.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The pinned signers' JWK set, as the page embeds it.
    pub fn pins_json(&self) -> &str {
        &self.pins_json
    }

    /// Reads the keyset file again. Returns the version now in force; on an
    /// error (bad signature, older version, expired) the current one stays.
    pub fn reload(&self) -> Result<u64, String> {
        let now = self.current();
        let next = load(&self.path, &self.pins, Some(now.verified.version()))?;
        let version = next.verified.version();
        match self.current.write() {
            Ok(mut current) => *current = Arc::new(next),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(next),
        }
        Ok(version)
    }
}
