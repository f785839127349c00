//! Sealing sessions: one HPKE encapsulation, then many fields, each with its
//! own counter-derived nonce. Shared across threads through an atomic counter;
//! after `max_fields` fields, once the session is `max_age` old, or in a
//! child process after `fork()`, a fresh session is encapsulated
//! automatically. A sealer built from a keyset stops sealing once its key's
//! `not_after` has passed.

use crate::clock::{Clock, SystemClock};
use crate::context::AsContext;
use crate::fork::ForkGuard;
use crate::format::{self, MAX_PLAINTEXT_LEN};
use crate::session::Session;
use crate::{Error, Keyset, PublicKey, Result, Suite, kem, text};
use core::time::Duration;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

/// Fields sealed per session before a fresh encapsulation: 2^32, the most allowed.
pub const DEFAULT_FIELD_LIMIT: u64 = 1 << 32;

/// How old a session may get before the next field starts a fresh one: one
/// hour. Fields of one session share a session id that every server on the
/// way can see, and a session key read from a client's memory opens all of
/// them; an hour bounds both (a browser tab left open for a week seals to
/// at most one session per hour of use) while one form, filled in minutes,
/// stays one session, i.e. one encapsulation for the client and one
/// decapsulation for the opener. A new session costs one encapsulation
/// (tens of microseconds), so even a pipeline sealing all day pays nothing
/// measurable. docs/PERFORMANCE.md gives the cost of the clock read.
pub const DEFAULT_SESSION_MAX_AGE: Duration = Duration::from_secs(3600);

/// When a sealer starts a fresh session: after `max_fields` fields (1 ..=
/// 2^32) or once the session is `max_age` old (whole seconds, at least one;
/// read from the sealer's clock at each seal), whichever comes first. A
/// clock set back by `max_age` or more also ends a session. Besides these, a sealer starts a fresh session in a forked child
/// and on [`Sealer::rekey`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    /// Fields per session.
    pub max_fields: u64,
    /// Age of a session.
    pub max_age: Duration,
}

impl Default for SessionLimits {
    fn default() -> SessionLimits {
        SessionLimits {
            max_fields: DEFAULT_FIELD_LIMIT,
            max_age: DEFAULT_SESSION_MAX_AGE,
        }
    }
}

impl SessionLimits {
    fn check(&self) -> Result<()> {
        if !(1..=DEFAULT_FIELD_LIMIT).contains(&self.max_fields) {
            return Err(Error::InvalidArgument(
                "field limit must be between 1 and 2^32",
            ));
        }
        if self.max_age < Duration::from_secs(1) || self.max_age.subsec_nanos() != 0 {
            return Err(Error::InvalidArgument(
                "session maximum age must be a whole number of seconds, at least one",
            ));
        }
        Ok(())
    }
}

/// Seals fields to one recipient public key. Cheap per field, safe to share
/// between threads (`Sealer: Send + Sync`), never reuses a (key, nonce): not
/// across threads, and not across `fork()` (a child's first field starts a
/// fresh session). A process restored from a snapshot (VM clone, Lambda
/// SnapStart, CRaC) must call [`Sealer::rekey`] before sealing again: no
/// fork happened there, so nothing tells the sealer it was duplicated.
pub struct Sealer {
    recipient: PublicKey,
    field_limit: u64,
    /// `limits.max_age` in seconds.
    max_age: u64,
    randomness: Randomness,
    /// The recipient key's `not_after`, when it came from a keyset entry with one.
    not_after: Option<u64>,
    /// What session ages and `not_after` are checked against.
    clock: Box<dyn Clock>,
    session: RwLock<Arc<LiveSession>>,
    /// Moves each time `session` is replaced, so that a [`SealingRun`]
    /// holding counter values of the old one stops using them at once.
    epoch: AtomicU64,
}

enum Randomness {
    Os,
    #[cfg(feature = "test-vectors")]
    Fixed(std::sync::Mutex<std::collections::VecDeque<u8>>),
}

/// The session a sealer is sealing in: its secrets, its header prefix and
/// the next counter value.
pub(crate) struct LiveSession {
    pub(crate) session: Session,
    suite: Suite,
    /// `version || kem_id || kid || enc`: every header of the session starts so.
    prefix: Vec<u8>,
    next: AtomicU64,
    /// When it was encapsulated, by the sealer's clock.
    started: u64,
    /// Set in the process that encapsulated the session; a child must not use it.
    fork_guard: ForkGuard,
    /// Unique within the process, so an external AES-GCM can reuse a key it
    /// imported for the same session (`crate::hazmat`).
    #[cfg(feature = "hazmat")]
    pub(crate) number: u64,
}

impl Sealer {
    /// A sealer for `recipient` with the default [`SessionLimits`]. Encapsulates once, now.
    pub fn new(recipient: &PublicKey) -> Result<Sealer> {
        Sealer::with_limits(recipient, SessionLimits::default())
    }

    /// A sealer that re-encapsulates after every `field_limit` fields (1 ..=
    /// 2^32), and, as every sealer, once a session is
    /// [`DEFAULT_SESSION_MAX_AGE`] old.
    pub fn with_field_limit(recipient: &PublicKey, field_limit: u64) -> Result<Sealer> {
        let limits = SessionLimits {
            max_fields: field_limit,
            ..SessionLimits::default()
        };
        Sealer::with_limits(recipient, limits)
    }

    /// A sealer whose sessions end at `limits`.
    pub fn with_limits(recipient: &PublicKey, limits: SessionLimits) -> Result<Sealer> {
        Sealer::build(
            recipient,
            limits,
            Randomness::Os,
            None,
            Box::new(SystemClock),
        )
    }

    /// A sealer for the keyset's primary key. Every seal (and every new
    /// session) first reads the system clock, for the session's age and,
    /// when that key has a `not_after`, to fail with [`Error::KeyExpired`]
    /// once `now > not_after`, so a long-lived sealer stops at the end of
    /// its key's cryptoperiod.
    pub fn from_keyset(keyset: &Keyset) -> Result<Sealer> {
        Sealer::from_keyset_with_clock(keyset, SystemClock)
    }

    /// As [`Sealer::from_keyset`], with the time read from `clock`.
    pub fn from_keyset_with_clock(keyset: &Keyset, clock: impl Clock + 'static) -> Result<Sealer> {
        Sealer::from_keyset_with_clock_and_limits(keyset, clock, SessionLimits::default())
    }

    /// As [`Sealer::from_keyset`], with sessions ending at `limits`.
    pub fn from_keyset_with_limits(keyset: &Keyset, limits: SessionLimits) -> Result<Sealer> {
        Sealer::from_keyset_with_clock_and_limits(keyset, SystemClock, limits)
    }

    /// As [`Sealer::from_keyset`], with the time (for session ages and
    /// `not_after`) read from `clock` and sessions ending at `limits`.
    pub fn from_keyset_with_clock_and_limits(
        keyset: &Keyset,
        clock: impl Clock + 'static,
        limits: SessionLimits,
    ) -> Result<Sealer> {
        let primary = keyset.primary();
        Sealer::build(
            primary.key(),
            limits,
            Randomness::Os,
            primary.not_after(),
            Box::new(clock),
        )
    }

    /// A sealer whose encapsulations draw `randomness` in order instead of OS
    /// randomness, for known-answer vectors. Only in test builds.
    #[cfg(feature = "test-vectors")]
    #[doc(hidden)]
    pub fn with_fixed_randomness(
        recipient: &PublicKey,
        field_limit: u64,
        randomness: &[u8],
    ) -> Result<Sealer> {
        let fixed = std::sync::Mutex::new(randomness.iter().copied().collect());
        let limits = SessionLimits {
            max_fields: field_limit,
            ..SessionLimits::default()
        };
        Sealer::build(
            recipient,
            limits,
            Randomness::Fixed(fixed),
            None,
            Box::new(SystemClock),
        )
    }

    fn build(
        recipient: &PublicKey,
        limits: SessionLimits,
        randomness: Randomness,
        not_after: Option<u64>,
        clock: Box<dyn Clock>,
    ) -> Result<Sealer> {
        limits.check()?;
        let now = clock_now_checked(&*clock, not_after, recipient)?;
        let first = LiveSession::open(recipient, &randomness, now)?;
        Ok(Sealer {
            recipient: recipient.clone(),
            field_limit: limits.max_fields,
            max_age: limits.max_age.as_secs(),
            randomness,
            not_after,
            clock,
            session: RwLock::new(Arc::new(first)),
            epoch: AtomicU64::new(0),
        })
    }

    /// The recipient key's `not_after` (Unix seconds), when the sealer was
    /// built from a keyset entry that has one.
    pub fn not_after(&self) -> Option<u64> {
        self.not_after
    }

    /// The limits at which this sealer starts a fresh session.
    pub fn limits(&self) -> SessionLimits {
        SessionLimits {
            max_fields: self.field_limit,
            max_age: Duration::from_secs(self.max_age),
        }
    }

    /// The recipient public key.
    pub fn recipient(&self) -> &PublicKey {
        &self.recipient
    }

    /// Seals `plaintext`, bound to `context` (where the value lives, e.g.
    /// `"patients/8812/ssn"`), and returns the text form (`enseal1.` +
    /// base64url) for JSON fields and text columns. The same context is
    /// needed to open it.
    pub fn seal(&self, plaintext: &[u8], context: impl AsContext) -> Result<String> {
        self.seal_binary(plaintext, context)
            .map(|sealed| text::encode(&sealed))
    }

    /// As [`Sealer::seal`], returning the binary form (for files and bytes columns).
    pub fn seal_binary(&self, plaintext: &[u8], context: impl AsContext) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.sealed_len(plaintext.len()));
        self.seal_binary_into(plaintext, context, &mut out)?;
        Ok(out)
    }

    /// As [`Sealer::seal_binary`], appending the sealed field to `out`, so
    /// that a pipeline can reuse one buffer for many fields. On error `out`
    /// is unchanged.
    pub fn seal_binary_into(
        &self,
        plaintext: &[u8],
        context: impl AsContext,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::TooLarge);
        }
        let context = context.context_bytes();
        self.with_next_field(|live, counter| live.seal(counter, plaintext, context, out))
    }

    /// As [`Sealer::seal`], appending the text form's bytes (ASCII) to `out`,
    /// for callers that build text columns in one buffer (Arrow). On error
    /// `out` is unchanged.
    pub fn seal_text_into(
        &self,
        plaintext: &[u8],
        context: impl AsContext,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        // The binary form goes through a buffer kept per thread: an
        // allocation per value was a tenth of a column's time. It holds only
        // ciphertext.
        thread_local! {
            static BINARY: core::cell::RefCell<Vec<u8>> = const { core::cell::RefCell::new(Vec::new()) };
        }
        BINARY.with(|binary| match binary.try_borrow_mut() {
            Ok(mut binary) => {
                binary.clear();
                self.seal_binary_into(plaintext, context, &mut binary)?;
                text::encode_into(&binary, out);
                Ok(())
            }
            // Only reentrancy (a clock or randomness calling back) could get here.
            Err(_) => {
                let binary = self.seal_binary(plaintext, context)?;
                text::encode_into(&binary, out);
                Ok(())
            }
        })
    }

    /// Bytes of the text form of a `plaintext_len`-byte value for this
    /// sealer's recipient.
    pub fn sealed_text_len(&self, plaintext_len: usize) -> usize {
        text::encoded_len(self.sealed_len(plaintext_len))
    }

    /// As [`Sealer::seal_binary`], writing the sealed field at the start of
    /// `out` and returning its length, for callers that own fixed buffers.
    /// [`Error::BufferTooSmall`] (with the length needed; nothing written, no
    /// counter value used) when `out` is shorter than [`Sealer::sealed_len`].
    pub fn seal_binary_to(
        &self,
        plaintext: &[u8],
        context: impl AsContext,
        out: &mut [u8],
    ) -> Result<usize> {
        let needed = self.sealed_len(plaintext.len());
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::TooLarge);
        }
        let Some(target) = out.get_mut(..needed) else {
            return Err(Error::BufferTooSmall { needed });
        };
        let sealed = self.seal_binary(plaintext, context)?;
        target.copy_from_slice(&sealed);
        Ok(needed)
    }

    /// Bytes of the binary sealed field of a `plaintext_len`-byte value for
    /// this sealer's recipient.
    pub fn sealed_len(&self, plaintext_len: usize) -> usize {
        format::sealed_len(self.recipient.suite(), plaintext_len)
    }

    /// Claims the next counter value of a live session and hands both to
    /// `field`, starting a fresh session first when the current one is used
    /// up or belongs to the parent of this (forked) process.
    pub(crate) fn with_next_field<T>(
        &self,
        field: impl FnOnce(&LiveSession, u64) -> Result<T>,
    ) -> Result<T> {
        let now = self.now()?;
        loop {
            let unusable = {
                let session = self.session.read().unwrap_or_else(PoisonError::into_inner);
                // Checked before the counter moves: the parent may still be
                // using the counter values a child would claim. A clock that
                // jumped back by max_age or more ends the session too: a
                // session must not live on by a clock being set back.
                if self.may_seal_in(&session, now) {
                    let counter = session.next.fetch_add(1, Ordering::Relaxed);
                    if counter < self.field_limit {
                        return field(&session, counter);
                    }
                }
                Arc::clone(&session)
            };
            self.replace_session(&unusable, now)?;
        }
    }

    /// Whether `session` may take another field at `now`: young enough (a
    /// clock set back by `max_age` or more ends it too) and not inherited
    /// across a `fork()`. One rule for single fields and runs alike.
    fn may_seal_in(&self, session: &LiveSession, now: u64) -> bool {
        now.abs_diff(session.started) < self.max_age && !session.fork_guard.forked()
    }

    /// The clock's time; [`Error::KeyExpired`] once it is past `not_after`.
    fn now(&self) -> Result<u64> {
        clock_now_checked(&*self.clock, self.not_after, &self.recipient)
    }

    /// Starts a fresh session now (a new encapsulation), e.g. to separate
    /// batches, or after the process was restored from a snapshot. Refused
    /// with [`Error::KeyExpired`] once a keyset sealer's key has expired.
    pub fn rekey(&self) -> Result<()> {
        let now = self.now()?;
        let current = Arc::clone(&self.session.read().unwrap_or_else(PoisonError::into_inner));
        self.replace_session(&current, now)
    }

    fn replace_session(&self, unusable: &Arc<LiveSession>, now: u64) -> Result<()> {
        let mut current = self.session.write().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have replaced it while this one waited for the lock.
        if Arc::ptr_eq(&current, unusable) {
            *current = Arc::new(LiveSession::open(&self.recipient, &self.randomness, now)?);
            self.epoch.fetch_add(1, Ordering::Release);
        }
        Ok(())
    }

    /// A run of fields for one thread's loop over many values (a column):
    /// it claims counter values of the live session in blocks, so threads
    /// sealing with one sealer do not meet on its lock and counter for every
    /// field. Every field is still checked as [`Sealer::seal`] checks it:
    /// the session's age, `not_after`, a `fork()` since it was claimed, and
    /// a replaced session ([`Sealer::rekey`]), which ends the block at once.
    /// Counter values of a block left unused are never used.
    pub fn run(&self) -> SealingRun<'_> {
        SealingRun {
            sealer: self,
            block: None,
        }
    }
}

/// Counter values claimed at once by a [`SealingRun`]: few enough that a
/// block is used up in microseconds, many enough that the shared counter is
/// touched once per this many fields.
const RUN_BLOCK: u64 = 64;

/// A thread's run of fields with one [`Sealer`]: see [`Sealer::run`].
pub struct SealingRun<'s> {
    sealer: &'s Sealer,
    block: Option<Block>,
}

struct Block {
    session: Arc<LiveSession>,
    epoch: u64,
    next: u64,
    end: u64,
}

impl SealingRun<'_> {
    /// As [`Sealer::seal_binary_into`].
    pub fn seal_binary_into(
        &mut self,
        plaintext: &[u8],
        context: impl AsContext,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::TooLarge);
        }
        let context = context.context_bytes();
        self.with_next_field(|live, counter| live.seal(counter, plaintext, context, out))
    }

    /// As [`Sealer::seal_text_into`]; `scratch` holds the binary form on
    /// the way (ciphertext only), so that a loop allocates nothing per field.
    pub fn seal_text_into(
        &mut self,
        plaintext: &[u8],
        context: impl AsContext,
        out: &mut Vec<u8>,
        scratch: &mut Vec<u8>,
    ) -> Result<()> {
        scratch.clear();
        self.seal_binary_into(plaintext, context, scratch)?;
        text::encode_into(scratch, out);
        Ok(())
    }

    fn with_next_field<T>(
        &mut self,
        field: impl FnOnce(&LiveSession, u64) -> Result<T>,
    ) -> Result<T> {
        let sealer = self.sealer;
        let now = sealer.now()?;
        if let Some(block) = &mut self.block {
            let live = &block.session;
            if block.next < block.end
                && block.epoch == sealer.epoch.load(Ordering::Acquire)
                && sealer.may_seal_in(live, now)
            {
                let counter = block.next;
                block.next += 1;
                return field(live, counter);
            }
        }
        self.block = None;
        loop {
            let unusable = {
                let session = sealer
                    .session
                    .read()
                    .unwrap_or_else(PoisonError::into_inner);
                // Read under the lock: a replacement moves it under the write lock.
                let epoch = sealer.epoch.load(Ordering::Acquire);
                if sealer.may_seal_in(&session, now) {
                    let first = session.next.fetch_add(RUN_BLOCK, Ordering::Relaxed);
                    if first < sealer.field_limit {
                        let block = Block {
                            session: Arc::clone(&session),
                            epoch,
                            next: first + 1,
                            end: (first + RUN_BLOCK).min(sealer.field_limit),
                        };
                        let sealed = field(&block.session, first);
                        self.block = Some(block);
                        return sealed;
                    }
                }
                Arc::clone(&session)
            };
            sealer.replace_session(&unusable, now)?;
        }
    }
}

impl core::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sealer")
            .field("recipient", &self.recipient)
            .field("limits", &self.limits())
            .field("not_after", &self.not_after())
            .finish_non_exhaustive()
    }
}

impl LiveSession {
    fn open(recipient: &PublicKey, randomness: &Randomness, now: u64) -> Result<LiveSession> {
        let suite = recipient.suite();
        let ikm = match randomness {
            Randomness::Os => crate::rng::random_bytes(suite.encap_randomness_len())?,
            #[cfg(feature = "test-vectors")]
            Randomness::Fixed(bytes) => {
                let mut bytes = bytes.lock().unwrap_or_else(PoisonError::into_inner);
                if bytes.len() < suite.encap_randomness_len() {
                    return Err(Error::RandomnessUnavailable);
                }
                zeroize::Zeroizing::new(bytes.drain(..suite.encap_randomness_len()).collect())
            }
        };
        let (enc, secret) = kem::encapsulate(recipient.kem(), &ikm)?;
        Ok(LiveSession {
            session: Session::new(&secret)?,
            suite,
            prefix: format::session_prefix(suite, &recipient.kid(), &enc),
            next: AtomicU64::new(0),
            started: now,
            fork_guard: ForkGuard::new(),
            #[cfg(feature = "hazmat")]
            number: next_session_number(),
        })
    }

    /// Appends the header of field `counter`: the session prefix, then the counter.
    pub(crate) fn write_header(&self, counter: u64, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.prefix);
        out.extend_from_slice(&counter.to_be_bytes());
    }

    fn seal(
        &self,
        counter: u64,
        plaintext: &[u8],
        context: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let start = out.len();
        out.reserve(format::sealed_len(self.suite, plaintext.len()));
        self.write_header(counter, out);
        let sealed = self.session.seal(counter, start, plaintext, context, out);
        if sealed.is_err() {
            out.truncate(start);
        }
        sealed
    }
}

/// `clock`'s time; [`Error::KeyExpired`] once it is past `not_after`.
fn clock_now_checked(clock: &dyn Clock, not_after: Option<u64>, key: &PublicKey) -> Result<u64> {
    let now = clock.now()?;
    match not_after {
        Some(not_after) if now > not_after => Err(Error::KeyExpired(key.kid())),
        _ => Ok(now),
    }
}

#[cfg(feature = "hazmat")]
fn next_session_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
