//! Randomness. enseal draws all randomness itself, fallibly, then hands the
//! bytes to `hpke` through a fixed-buffer RNG: the platform RNG failing becomes
//! an error instead of the panic `hpke`'s own RNG path would raise, and test
//! builds can fix the bytes for known-answer vectors through the same path.

use crate::{Error, Result};
use core::convert::Infallible;
use hpke::rand_core::{TryCryptoRng, TryRng};
use zeroize::Zeroizing;

/// Fills `buf` from the platform CSPRNG (`getrandom`; `crypto.getRandomValues` on the web).
pub(crate) fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|_| Error::RandomnessUnavailable)
}

/// `len` fresh random bytes, zeroized when dropped.
pub(crate) fn random_bytes(len: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    fill(&mut out)?;
    Ok(out)
}

/// Serves exactly the bytes it was given. Asking for more is a bug in enseal's
/// bookkeeping of how much a KEM draws; it is recorded and turned into an error
/// by the caller rather than a panic inside `hpke`.
pub(crate) struct FixedRng<'a> {
    bytes: &'a [u8],
    overrun: bool,
}

impl<'a> FixedRng<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        FixedRng {
            bytes,
            overrun: false,
        }
    }

    /// True when every byte was used and no more were asked for.
    pub(crate) fn used_exactly(&self) -> bool {
        self.bytes.is_empty() && !self.overrun
    }
}

impl TryRng for FixedRng<'_> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> core::result::Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> core::result::Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Infallible> {
        if dst.len() > self.bytes.len() {
            self.overrun = true;
            dst.fill(0);
            self.bytes = &[];
        } else {
            let (now, rest) = self.bytes.split_at(dst.len());
            dst.copy_from_slice(now);
            self.bytes = rest;
        }
        Ok(())
    }
}

impl TryCryptoRng for FixedRng<'_> {}
