//! Fork detection for sealing sessions. A `fork()` copies a sealer's session,
//! counter included, into the child: parent and child would then seal
//! different values under the same (key, nonce), which exposes their XOR and
//! GCM's authentication key. Each session carries a [`ForkGuard`]; the sealer
//! asks it before every field and encapsulates a fresh session in a child.
//!
//! On Unix a `pthread_atfork` child handler (crate `forkguard`) bumps a
//! process-wide counter, so the check is one relaxed atomic load instead of
//! a `getpid` system call per field (measured in docs/PERFORMANCE.md). Should
//! registering the handler fail, the guard compares process ids instead.
//! Not detected: a child made by a raw `clone` system call that skips libc's
//! fork handlers, and a snapshot restore (VM clone, Lambda SnapStart, CRaC),
//! which duplicates a process without any fork: call
//! [`crate::Sealer::rekey`] right after one.

/// Tells whether the process has forked since the guard was made.
#[derive(Clone, Debug)]
pub(crate) struct ForkGuard(Flavor);

#[derive(Clone, Debug)]
enum Flavor {
    #[cfg(unix)]
    Atfork(forkguard::atfork::Guard),
    #[cfg(unix)]
    Pid(forkguard::pid::Guard),
    /// No `fork` exists here (wasm, Windows).
    #[cfg(not(unix))]
    Never,
}

impl ForkGuard {
    /// A guard for the current process.
    pub(crate) fn new() -> ForkGuard {
        #[cfg(unix)]
        {
            match forkguard::atfork::Guard::try_new() {
                Ok(guard) => ForkGuard(Flavor::Atfork(guard)),
                Err(_) => ForkGuard(Flavor::Pid(forkguard::pid::Guard::default())),
            }
        }
        #[cfg(not(unix))]
        {
            ForkGuard(Flavor::Never)
        }
    }

    /// True in a process forked after this guard was made. Never resets:
    /// a session that was forked stays forked.
    #[inline]
    pub(crate) fn forked(&self) -> bool {
        match &self.0 {
            // `detected_fork` records what it saw; a clone keeps `self` as made.
            #[cfg(unix)]
            Flavor::Atfork(guard) => guard.clone().detected_fork(),
            #[cfg(unix)]
            Flavor::Pid(guard) => guard.clone().detected_fork(),
            #[cfg(not(unix))]
            Flavor::Never => false,
        }
    }
}
