//! Opening sealed fields with a private keyring. Keys derived from a session's
//! `enc` are cached (bounded, zeroized on eviction), so the fields of one
//! session cost one decapsulation between them.
//!
//! Sealing is anonymous: anyone with the public key can make valid sessions
//! at will, so a valid tag keeps forgeries out of the cache but not an
//! attacker's own sessions. Eviction is therefore second-chance (CLOCK): a
//! session whose fields were opened again since it was cached is passed over
//! once, so a flood of sessions opened only once (all a flood costs nothing
//! to make) evicts each other before it evicts sessions in repeated use.
//! Whether a session is cached still shows in timing (a forged tag fails in
//! ~2 µs on a hit, ~150 µs on a miss): see SECURITY.md.

use crate::audit::{AuditEvent, AuditOperation, AuditSink};
use crate::context::{AsContext, Context};
use crate::format::{self, Envelope};
use crate::sealed::AsSealed;
use crate::session::Session;
use crate::{Clock, Error, Keyring, Result, SystemClock, kem, text};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use zeroize::{Zeroize, Zeroizing};

/// Sessions an opener remembers by default.
pub const DEFAULT_CACHE_CAPACITY: usize = 1024;

/// Opens sealed fields with the private keys of a [`Keyring`]. Safe to share between threads.
pub struct Opener {
    keyring: Keyring,
    cache: RwLock<SessionCache>,
    /// Sessions of keys in custody being derived now, so that threads
    /// opening fields of one new session ask the HSM or KMS once between them.
    in_flight: Mutex<HashMap<Box<[u8]>, Gate>>,
    /// `None` (the default): no event is made, nothing is paid.
    audit: Option<Audit>,
}

/// Held by the one thread deriving a session of a key in custody.
type Gate = Arc<Mutex<()>>;

/// A thread's place in the single flight of one session: joined under the
/// map's lock, left on drop (on every way out, a backend's panic included),
/// so no entry outlives its last thread.
struct InFlight<'a> {
    opener: &'a Opener,
    session_id: &'a [u8],
    gate: Option<Gate>,
}

impl<'a> InFlight<'a> {
    fn join(opener: &'a Opener, session_id: &'a [u8]) -> InFlight<'a> {
        let mut in_flight = opener
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let gate = Arc::clone(in_flight.entry(session_id.into()).or_default());
        InFlight {
            opener,
            session_id,
            gate: Some(gate),
        }
    }

    fn gate(&self) -> &Mutex<()> {
        // Always Some until drop.
        self.gate.as_deref().unwrap_or(&UNUSED_GATE)
    }
}

/// What `InFlight::gate` would lend after drop (never reached).
static UNUSED_GATE: Mutex<()> = Mutex::new(());

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        // References are only taken under this lock, so the last thread out
        // (its own dropped) sees the map's alone and removes the entry.
        let mut in_flight = self
            .opener
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.gate = None;
        if in_flight
            .get(self.session_id)
            .is_some_and(|g| Arc::strong_count(g) == 1)
        {
            in_flight.remove(self.session_id);
        }
    }
}

/// The sink and actor of an audited opener.
struct Audit {
    sink: Arc<dyn AuditSink>,
    actor: Box<str>,
}

impl Audit {
    /// Records `operation` on the value of `envelope` (`None`: it did not
    /// parse) with `context` (`None`: a session-level operation).
    fn record(
        &self,
        operation: AuditOperation,
        envelope: Option<&Envelope<'_>>,
        context: Option<&[u8]>,
        result: core::result::Result<(), &Error>,
    ) -> Result<()> {
        self.sink.record(&AuditEvent {
            time: SystemClock.now().unwrap_or(0),
            operation,
            error: result.err().map(Error::code),
            kid: envelope.map(|e| e.kid),
            suite: envelope.map(|e| e.suite),
            session_prefix: envelope.map(|e| e.session_id()),
            context,
            actor: &self.actor,
        })
    }
}

/// Session keys by `version || kem_id || kid || enc` (the header minus its
/// counter), evicted by second chance. Dropping an entry zeroizes its key.
struct SessionCache {
    capacity: usize,
    sessions: HashMap<Box<[u8]>, Arc<Cached>>,
    /// The clock hand's queue: oldest insertion (or second chance) first.
    order: VecDeque<Box<[u8]>>,
    /// The last session inserted, checked before hashing: the fields of one
    /// record or batch usually share a session.
    newest: Option<(Box<[u8]>, Arc<Cached>)>,
}

/// A cached session and whether a field of it was opened since it was
/// cached or last passed over.
struct Cached {
    session: Session,
    used_again: AtomicBool,
}

impl Cached {
    fn touch(&self) -> &Session {
        // Written only when it changes: hits from many threads then share
        // the cache line instead of bouncing it.
        if !self.used_again.load(Ordering::Relaxed) {
            self.used_again.store(true, Ordering::Relaxed);
        }
        &self.session
    }
}

impl SessionCache {
    fn get_shared(&self, id: &[u8]) -> Option<Arc<Cached>> {
        match &self.newest {
            Some((newest, cached)) if **newest == *id => Some(Arc::clone(cached)),
            _ => self.sessions.get(id).map(Arc::clone),
        }
    }

    fn get(&self, id: &[u8]) -> Option<&Session> {
        match &self.newest {
            Some((newest, cached)) if **newest == *id => Some(cached.touch()),
            _ => self.sessions.get(id).map(|cached| cached.touch()),
        }
    }

    fn insert(&mut self, id: &[u8], session: Session) {
        if self.capacity == 0 || self.sessions.contains_key(id) {
            return;
        }
        while self.sessions.len() >= self.capacity {
            self.evict_one();
        }
        let cached = Arc::new(Cached {
            session,
            used_again: AtomicBool::new(false),
        });
        self.sessions.insert(id.into(), Arc::clone(&cached));
        self.order.push_back(id.into());
        self.newest = Some((id.into(), cached));
    }

    /// Evicts the oldest session not used again since it was cached or last
    /// passed over; sessions used again are passed over once each. When every
    /// session was used again, one full turn clears them all and the oldest goes.
    fn evict_one(&mut self) {
        for _ in 0..=self.order.len() {
            let Some(oldest) = self.order.pop_front() else {
                return;
            };
            let spared = self
                .sessions
                .get(&oldest)
                .is_some_and(|c| c.used_again.swap(false, Ordering::Relaxed));
            if spared {
                self.order.push_back(oldest);
                continue;
            }
            self.sessions.remove(&oldest);
            if self.newest.as_ref().is_some_and(|(id, _)| *id == oldest) {
                self.newest = None;
            }
            return;
        }
    }
}

impl Opener {
    /// An opener over `keyring` with the default session cache.
    pub fn new(keyring: Keyring) -> Opener {
        Opener::with_cache_capacity(keyring, DEFAULT_CACHE_CAPACITY)
    }

    /// An opener that remembers at most `capacity` sessions (0 disables the cache).
    pub fn with_cache_capacity(keyring: Keyring, capacity: usize) -> Opener {
        Opener {
            keyring,
            cache: RwLock::new(SessionCache {
                capacity,
                sessions: HashMap::new(),
                order: VecDeque::new(),
                newest: None,
            }),
            in_flight: Mutex::new(HashMap::new()),
            audit: None,
        }
    }

    /// This opener, auditing: every open, failed open, decapsulation and
    /// delegated open sends an [`AuditEvent`] naming `actor` (the service or
    /// user opening) to `sink`. Fails closed: when the sink refuses the
    /// event of a successful open, the open fails with the sink's error and
    /// its plaintext is wiped. An opener without it makes no events.
    pub fn with_audit(mut self, sink: Arc<dyn AuditSink>, actor: impl Into<String>) -> Opener {
        self.audit = Some(Audit {
            sink,
            actor: actor.into().into_boxed_str(),
        });
        self
    }

    /// Records a failed `operation` of a value that did not parse (or decode).
    pub(crate) fn audit_unparsed(&self, operation: AuditOperation, context: &[u8], error: &Error) {
        if let Some(audit) = &self.audit {
            // A failure's own error is the one to return, whatever the sink says.
            let _ = audit.record(operation, None, Some(context), Err(error));
        }
    }

    /// Records `operation` on `envelope`'s value. On a sink error after a
    /// success, that error (the caller then fails closed).
    pub(crate) fn audit(
        &self,
        operation: AuditOperation,
        envelope: &Envelope<'_>,
        context: Option<&[u8]>,
        result: core::result::Result<(), &Error>,
    ) -> Result<()> {
        match &self.audit {
            None => Ok(()),
            Some(audit) => {
                let recorded = audit.record(operation, Some(envelope), context, result);
                if result.is_ok() { recorded } else { Ok(()) }
            }
        }
    }

    /// Records the confirmation of a delegated open of session `prefix`.
    #[cfg(feature = "hazmat")]
    pub(crate) fn audit_confirmed(&self, prefix: &[u8]) {
        let Some(audit) = &self.audit else { return };
        let kid = prefix
            .get(3..format::ENC_OFFSET)
            .and_then(|kid| <[u8; 8]>::try_from(kid).ok())
            .map(crate::KeyId::from_bytes);
        let suite = prefix
            .get(1..3)
            .and_then(|id| crate::Suite::from_kem_id(u16::from_be_bytes([id[0], id[1]])).ok());
        // Nothing is handed out here: a refused event changes nothing.
        let _ = audit.sink.record(&AuditEvent {
            time: SystemClock.now().unwrap_or(0),
            operation: AuditOperation::ConfirmDelegated,
            error: None,
            kid,
            suite,
            session_prefix: Some(prefix),
            context: None,
            actor: &audit.actor,
        });
    }

    /// The keyring.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Number of sessions currently cached.
    pub fn cached_sessions(&self) -> usize {
        self.cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .sessions
            .len()
    }

    /// Opens a sealed value in text form (or a parsed [`Sealed`](crate::Sealed))
    /// that was sealed with `context`. The plaintext is wiped when the
    /// returned buffer is dropped.
    pub fn open(
        &self,
        sealed: impl AsSealed,
        context: impl AsContext,
    ) -> Result<Zeroizing<Vec<u8>>> {
        if self.audit.is_none() {
            return sealed.with_binary(|binary| self.open_binary(binary, context));
        }
        let context = context.context_bytes();
        let mut decoded = false;
        let result = sealed.with_binary(|binary| {
            decoded = true;
            self.open_binary(binary, Context::bytes(context))
        });
        if let (false, Err(error)) = (decoded, &result) {
            self.audit_unparsed(AuditOperation::Open, context, error);
        }
        result
    }

    /// As [`Opener::open`], appending the plaintext to `out` (whose wiping is
    /// then the caller's business), so that one buffer serves many values of
    /// a column. On error `out` is unchanged.
    pub fn open_into(
        &self,
        sealed: impl AsSealed,
        context: impl AsContext,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let context = context.context_bytes();
        let mut decoded = false;
        let result = sealed.with_binary(|binary| {
            decoded = true;
            self.open_binary_as(AuditOperation::Open, binary, context, out)
        });
        if let (false, Err(error)) = (decoded, &result) {
            self.audit_unparsed(AuditOperation::Open, context, error);
        }
        result
    }

    /// As [`Opener::open`], returning the plaintext as UTF-8 text;
    /// [`Error::InvalidArgument`] (and no plaintext) when it is not UTF-8.
    pub fn open_string(
        &self,
        sealed: impl AsSealed,
        context: impl AsContext,
    ) -> Result<Zeroizing<String>> {
        let mut bytes = self.open(sealed, context)?;
        match String::from_utf8(core::mem::take(&mut *bytes)) {
            Ok(text) => Ok(Zeroizing::new(text)),
            Err(not_utf8) => {
                drop(Zeroizing::new(not_utf8.into_bytes()));
                Err(Error::InvalidArgument("opened value is not UTF-8"))
            }
        }
    }

    /// Opens a binary sealed field that was sealed with `context`.
    pub fn open_binary(
        &self,
        sealed: &[u8],
        context: impl AsContext,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(Vec::with_capacity(sealed.len()));
        self.open_binary_into(sealed, context, &mut out)?;
        Ok(out)
    }

    /// As [`Opener::open_binary`], appending the plaintext to `out` (whose
    /// wiping is then the caller's business), so that one buffer serves many
    /// fields. On error `out` is unchanged.
    pub fn open_binary_into(
        &self,
        sealed: &[u8],
        context: impl AsContext,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let context = context.context_bytes();
        self.open_binary_as(AuditOperation::Open, sealed, context, out)
    }

    /// [`Opener::open_binary_into`], audited as `operation`.
    pub(crate) fn open_binary_as(
        &self,
        operation: AuditOperation,
        sealed: &[u8],
        context: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let envelope = format::parse(sealed).inspect_err(|error| {
            self.audit_unparsed(operation, context, error);
        })?;
        self.open_envelope(operation, &envelope, context, out)
    }

    /// [`format::parse`], auditing a failure.
    fn parse<'a>(&self, sealed: &'a [u8], context: &[u8]) -> Result<Envelope<'a>> {
        format::parse(sealed).inspect_err(|error| {
            self.audit_unparsed(AuditOperation::Open, context, error);
        })
    }

    /// As [`Opener::open_binary`], writing the plaintext at the start of
    /// `out` and returning its length. [`Error::BufferTooSmall`] (with the
    /// length needed) before anything is decrypted when `out` is too short;
    /// on any error nothing of the plaintext is left in `out`.
    pub fn open_binary_to(
        &self,
        sealed: &[u8],
        context: impl AsContext,
        out: &mut [u8],
    ) -> Result<usize> {
        let context = context.context_bytes();
        let envelope = self.parse(sealed, context)?;
        let needed = envelope.plaintext_len();
        let Some(target) = out.get_mut(..needed) else {
            let error = Error::BufferTooSmall { needed };
            self.audit(AuditOperation::Open, &envelope, Some(context), Err(&error))?;
            return Err(error);
        };
        let mut plaintext = Zeroizing::new(Vec::with_capacity(needed));
        self.open_envelope(AuditOperation::Open, &envelope, context, &mut plaintext)?;
        target.copy_from_slice(&plaintext);
        Ok(needed)
    }

    fn open_envelope(
        &self,
        operation: AuditOperation,
        envelope: &Envelope<'_>,
        context: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        if self.audit.is_none() {
            return self.open_unaudited(envelope, context, out);
        }
        let start = out.len();
        let result = self.open_unaudited(envelope, context, out);
        let recorded = self.audit(operation, envelope, Some(context), result.as_ref().copied());
        if let (Ok(()), Err(refused)) = (&result, recorded) {
            out[start..].zeroize();
            out.truncate(start);
            return Err(refused);
        }
        result
    }

    /// A run of opens for one thread's loop over many values (a column):
    /// it keeps the session of the last value it opened, so values of one
    /// session open without the shared cache's lock, and decodes text forms
    /// into one buffer. Same results and errors as [`Opener::open_into`] /
    /// [`Opener::open_binary_into`]; with an audit sink every open goes the
    /// audited way. The run holds its session's key until it is dropped.
    pub fn run(&self) -> OpeningRun<'_> {
        OpeningRun {
            opener: self,
            last: None,
            binary: Vec::new(),
        }
    }

    fn open_unaudited(
        &self,
        envelope: &Envelope<'_>,
        context: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let session_id = envelope.session_id();
        {
            // Decrypting under the read lock keeps the hot path free of
            // reference counting; readers do not block each other.
            let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(session) = cache.get(session_id) {
                return session.open_into(envelope, context, out);
            }
        }
        if self.keyring.is_in_custody(&envelope.kid) {
            return self.open_in_custody(envelope, context, out);
        }
        self.derive_and_open(envelope, context, out)
    }

    fn derive_and_open(
        &self,
        envelope: &Envelope<'_>,
        context: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let session = self.derive(envelope)?;
        session.open_into(envelope, context, out)?;
        // Only sessions proven by a valid tag are cached: a forged `enc`
        // costs a decapsulation but takes no slot. (A session the attacker
        // sealed itself does take one; eviction favours sessions in use.)
        self.remember(envelope.session_id(), session);
        Ok(())
    }

    /// A cache miss for a key in custody: one thread per session asks the
    /// backend; the others wait for it and then find the session cached.
    /// When it failed (an outage, a forged tag), the next one tries itself:
    /// a failure is never shared or remembered.
    fn open_in_custody(
        &self,
        envelope: &Envelope<'_>,
        context: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let session_id = envelope.session_id();
        let turn = InFlight::join(self, session_id);
        let _held = turn.gate().lock().unwrap_or_else(PoisonError::into_inner);
        let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
        match cache.get(session_id) {
            Some(session) => session.open_into(envelope, context, out),
            None => {
                drop(cache);
                self.derive_and_open(envelope, context, out)
            }
        }
    }

    /// The session secret of `envelope`, from the keyring (no cache).
    pub(crate) fn decapsulate(&self, envelope: &Envelope<'_>) -> Result<kem::SessionSecret> {
        let entry = self
            .keyring
            .entry(&envelope.kid)
            .filter(|k| k.suite() == envelope.suite)
            .ok_or(Error::UnknownKey(envelope.kid))?;
        // Keys in memory and in custody take the same path: one private-key
        // step, then core's key schedule (a custodian's failure is returned
        // before any session exists, so nothing is cached).
        crate::custody::decapsulate_with(entry.custody(), envelope.enc)
    }

    /// A session from the keyring; audited (fails closed) when the opener is.
    pub(crate) fn derive(&self, envelope: &Envelope<'_>) -> Result<Session> {
        let session = self
            .decapsulate(envelope)
            .and_then(|secret| Session::new(&secret));
        let result = session.as_ref().map(drop);
        self.audit(AuditOperation::Decapsulate, envelope, None, result)?;
        session
    }

    /// Caches a session whose tag was found valid.
    pub(crate) fn remember(&self, session_id: &[u8], session: Session) {
        self.cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(session_id, session);
    }

    /// Runs `read` on the cached session `session_id`, if there is one.
    #[cfg(feature = "hazmat")]
    pub(crate) fn with_cached<T>(
        &self,
        session_id: &[u8],
        read: impl FnOnce(&Session) -> T,
    ) -> Option<T> {
        let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
        cache.get(session_id).map(read)
    }
}

impl core::fmt::Debug for Opener {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Opener")
            .field("keyring", &self.keyring)
            .field("cached_sessions", &self.cached_sessions())
            .finish()
    }
}

/// A thread's run of opens with one [`Opener`]: see [`Opener::run`].
pub struct OpeningRun<'o> {
    opener: &'o Opener,
    last: Option<(Box<[u8]>, Arc<Cached>)>,
    /// The binary form of the text form being opened (ciphertext only).
    binary: Vec<u8>,
}

impl OpeningRun<'_> {
    /// As [`Opener::open_into`], for the text form.
    pub fn open_into(
        &mut self,
        sealed: &str,
        context: impl AsContext,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        if self.opener.audit.is_some() {
            return self.opener.open_into(sealed, context, out);
        }
        let mut binary = core::mem::take(&mut self.binary);
        let result = text::decode_into(sealed, &mut binary)
            .and_then(|()| self.open_binary_into(&binary, context, out));
        self.binary = binary;
        result
    }

    /// As [`Opener::open_binary_into`].
    pub fn open_binary_into(
        &mut self,
        sealed: &[u8],
        context: impl AsContext,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let opener = self.opener;
        if opener.audit.is_some() {
            return opener.open_binary_into(sealed, context, out);
        }
        let context = context.context_bytes();
        let envelope = format::parse(sealed)?;
        let id = envelope.session_id();
        if let Some((last, cached)) = &self.last {
            if **last == *id {
                return cached.touch().open_into(&envelope, context, out);
            }
        }
        opener.open_unaudited(&envelope, context, out)?;
        let cache = opener.cache.read().unwrap_or_else(PoisonError::into_inner);
        self.last = cache.get_shared(id).map(|cached| (id.into(), cached));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(byte: u8) -> Session {
        Session::new(&kem::SessionSecret {
            key: [byte; 32],
            base_nonce: [byte; 12],
        })
        .unwrap()
    }

    fn id(n: usize) -> Vec<u8> {
        n.to_be_bytes().to_vec()
    }

    #[test]
    fn a_flood_of_one_use_sessions_does_not_evict_sessions_in_use() {
        let mut cache = SessionCache {
            capacity: DEFAULT_CACHE_CAPACITY,
            sessions: HashMap::new(),
            order: VecDeque::new(),
            newest: None,
        };
        let hot = b"hot session".to_vec();
        cache.insert(&hot, session(1));
        assert!(cache.get(&hot).is_some());
        // 1,100 fresh sessions, each opened once (free to make for anyone
        // holding the public key), while the hot one keeps being opened.
        for n in 0..1_100 {
            cache.insert(&id(n), session(2));
            if n % 500 == 0 {
                assert!(cache.get(&hot).is_some(), "evicted after {n}");
            }
        }
        assert!(cache.get(&hot).is_some(), "the hot session was flushed");
        assert_eq!(cache.sessions.len(), DEFAULT_CACHE_CAPACITY);
        assert_eq!(cache.order.len(), DEFAULT_CACHE_CAPACITY);
        // The flood evicted its own oldest members instead.
        assert!(cache.get(&id(0)).is_none());
        assert!(cache.get(&id(1_099)).is_some());
    }

    #[test]
    fn when_every_session_is_in_use_the_oldest_goes() {
        let mut cache = SessionCache {
            capacity: 3,
            sessions: HashMap::new(),
            order: VecDeque::new(),
            newest: None,
        };
        for n in 0..3 {
            cache.insert(&id(n), session(3));
            assert!(cache.get(&id(n)).is_some());
        }
        cache.insert(&id(3), session(3));
        assert!(cache.get(&id(0)).is_none());
        assert!((1..4).all(|n| cache.get(&id(n)).is_some()));
        assert_eq!(cache.sessions.len(), 3);
    }
}
