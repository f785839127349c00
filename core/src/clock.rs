//! The time a keyset sealer checks its key's `not_after` against.

use crate::{Error, Result};

/// A source of the current time in Unix seconds. [`SystemClock`] is the
/// default; tests and simulations inject their own
/// ([`crate::Sealer::from_keyset_with_clock`]). Any `Fn() -> u64` is a clock.
pub trait Clock: Send + Sync {
    /// Seconds since 1970-01-01T00:00:00Z, now.
    fn now(&self) -> Result<u64>;
}

/// The system's wall clock (`Date.now()` in a browser).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Result<u64> {
        web_time::SystemTime::now()
            .duration_since(web_time::UNIX_EPOCH)
            .map(|since| since.as_secs())
            .map_err(|_| Error::Internal("system clock is before 1970"))
    }
}

impl<F: Fn() -> u64 + Send + Sync> Clock for F {
    fn now(&self) -> Result<u64> {
        Ok(self())
    }
}
