//! AES-256-GCM for field data, behind one small interface with two vetted
//! backends that pass the same vectors (see the tests below):
//! - `ring` on native targets, measured fastest here (docs/PERFORMANCE.md);
//! - RustCrypto `aes-gcm` on wasm32, where `ring`'s assembly does not run.
//!
//! Both use AES and carry-less-multiply instructions when the CPU has them,
//! detected at run time, and constant-time software otherwise.

use crate::Result;
use core::fmt;

#[cfg(not(target_arch = "wasm32"))]
mod ring_backend;
mod rustcrypto_backend;

/// Bytes of a GCM nonce.
pub(crate) const NONCE_LEN: usize = 12;

/// One AES-256-GCM implementation.
pub(crate) trait Backend {
    /// An expanded key, ready for many seals and opens from several threads.
    type Key: Send + Sync;
    /// A short name for [`AesBackend`].
    const NAME: &'static str;
    fn new_key(key: &[u8; 32]) -> Result<Self::Key>;
    /// Appends `ciphertext || tag` to `out`; on error `out` is left as it was.
    fn seal(
        key: &Self::Key,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()>;
    /// Checks the tag and appends the decryption of `ciphertext || tag` to
    /// `out`. On error `out` is left as it was: no plaintext is released or
    /// left behind unless the tag verifies.
    fn open_into(
        key: &Self::Key,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        sealed: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()>;

    /// [`Backend::open_into`] a new buffer that is wiped when dropped.
    #[cfg(test)]
    fn open(
        key: &Self::Key,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let mut out = zeroize::Zeroizing::new(Vec::with_capacity(sealed.len()));
        Self::open_into(key, nonce, aad, sealed, &mut out)?;
        Ok(out)
    }
}

/// Wipes and removes what a failed operation appended to `out` after `start`.
fn discard_from(out: &mut Vec<u8>, start: usize) {
    if let Some(tail) = out.get_mut(start..) {
        zeroize::Zeroize::zeroize(tail);
    }
    out.truncate(start);
}

#[cfg(not(target_arch = "wasm32"))]
type Active = ring_backend::Ring;
#[cfg(target_arch = "wasm32")]
type Active = rustcrypto_backend::RustCrypto;

/// An AES-256-GCM key of the active backend.
pub(crate) struct FieldKey(<Active as Backend>::Key);

impl FieldKey {
    pub(crate) fn new(key: &[u8; 32]) -> Result<Self> {
        Active::new_key(key).map(FieldKey)
    }

    pub(crate) fn seal(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        Active::seal(&self.0, nonce, aad, plaintext, out)
    }

    pub(crate) fn open_into(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        sealed: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        Active::open_into(&self.0, nonce, aad, sealed, out)
    }
}

/// Which AES-256-GCM implementation seals field data in this build, and
/// whether the CPU gives it hardware AES and carry-less multiplication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AesBackend {
    name: &'static str,
    hardware: bool,
}

impl AesBackend {
    /// `"ring"` or `"aes-gcm"` (RustCrypto).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// True when the CPU has AES and carry-less-multiply instructions
    /// (AES-NI + PCLMULQDQ on x86-64, the ARMv8 crypto extension on AArch64),
    /// which both backends use when present. Always false on wasm32.
    pub fn hardware_accelerated(&self) -> bool {
        self.hardware
    }
}

impl fmt::Display for AesBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = if self.hardware {
            "hardware AES + carry-less multiply"
        } else {
            "constant-time software"
        };
        write!(f, "{} ({mode})", self.name)
    }
}

/// The AES-256-GCM backend sealing field data in this build.
pub fn aes_backend() -> AesBackend {
    AesBackend {
        name: Active::NAME,
        hardware: cpu_has_aes_and_clmul(),
    }
}

fn cpu_has_aes_and_clmul() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("aes")
            && std::arch::is_x86_feature_detected!("pclmulqdq")
    }
    #[cfg(target_arch = "aarch64")]
    {
        std::arch::is_aarch64_feature_detected!("aes")
            && std::arch::is_aarch64_feature_detected!("pmull")
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        false
    }
}

#[cfg(test)]
mod tests;
