//! The time a sealer checks its sessions' age and its key's `not_after` against.

use crate::{Error, Result};

/// The system clock reads before 1970 (or cannot be read): a host problem,
/// not a bug of enseal's, so not `INTERNAL`.
const CLOCK_UNUSABLE: Error =
    Error::InvalidArgument("the system clock is before 1970 or unreadable");

/// A source of the current time in Unix seconds. [`SystemClock`] is the
/// default; tests and simulations inject their own
/// ([`crate::Sealer::from_keyset_with_clock`]). Any `Fn() -> u64` is a clock.
pub trait Clock: Send + Sync {
    /// Seconds since 1970-01-01T00:00:00Z, now.
    fn now(&self) -> Result<u64>;
}

/// The system's wall clock (`Date.now()` in a browser). On Linux and
/// Android its coarse variant (`CLOCK_REALTIME_COARSE`, a few milliseconds
/// behind at most): every seal reads it, and whole seconds are all a
/// session age or a `not_after` needs.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn now(&self) -> Result<u64> {
        use rustix::time::{ClockId, DynamicClockId, clock_gettime_dynamic};
        // The fallible call: the plain one panics should the system refuse
        // the clock (a seccomp filter), and this runs in every seal.
        let now = clock_gettime_dynamic(DynamicClockId::Known(ClockId::RealtimeCoarse))
            .map_err(|_| CLOCK_UNUSABLE)
            .and_then(|now| u64::try_from(now.tv_sec).map_err(|_| CLOCK_UNUSABLE))?;
        Ok(now)
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn now(&self) -> Result<u64> {
        web_time::SystemTime::now()
            .duration_since(web_time::UNIX_EPOCH)
            .map(|since| since.as_secs())
            .map_err(|_| CLOCK_UNUSABLE)
    }
}

impl<F: Fn() -> u64 + Send + Sync> Clock for F {
    fn now(&self) -> Result<u64> {
        Ok(self())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_agrees_with_std_to_the_second() {
        let std_now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let ours = SystemClock.now().unwrap_or(0);
        // The coarse clock lags by a few milliseconds at most.
        assert!(ours.abs_diff(std_now) <= 1, "{ours} vs {std_now}");
        assert!(ours > 1_700_000_000);
    }
}
