//! Sealing sessions: one HPKE encapsulation, then many fields, each with its
//! own counter-derived nonce. Shared across threads through an atomic counter;
//! after `field_limit` fields, or in a child process after `fork()`, a fresh
//! session is encapsulated automatically. A sealer built from a keyset stops
//! sealing once its key's `not_after` has passed.

use crate::cipher::FieldKey;
use crate::clock::{Clock, SystemClock};
use crate::fork::ForkGuard;
use crate::format::{self, MAX_PLAINTEXT_LEN};
use crate::kem;
use crate::{Error, Keyset, PublicKey, Result, Suite, text};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use zeroize::Zeroizing;

/// Fields sealed per session before a fresh encapsulation: 2^32, the most allowed.
pub const DEFAULT_FIELD_LIMIT: u64 = 1 << 32;

/// Seals fields to one recipient public key. Cheap per field, safe to share
/// between threads (`Sealer: Send + Sync`), never reuses a (key, nonce): not
/// across threads, and not across `fork()` (a child's first field starts a
/// fresh session). A process restored from a snapshot (VM clone, Lambda
/// SnapStart, CRaC) must call [`Sealer::rekey`] before sealing again: no
/// fork happened there, so nothing tells the sealer it was duplicated.
pub struct Sealer {
    recipient: PublicKey,
    field_limit: u64,
    randomness: Randomness,
    expiry: Option<Expiry>,
    session: RwLock<Arc<Session>>,
}

/// The recipient key's `not_after` and the clock it is checked against.
struct Expiry {
    not_after: u64,
    clock: Box<dyn Clock>,
}

enum Randomness {
    Os,
    #[cfg(feature = "test-vectors")]
    Fixed(std::sync::Mutex<std::collections::VecDeque<u8>>),
}

struct Session {
    key: FieldKey,
    base_nonce: Zeroizing<[u8; 12]>,
    suite: Suite,
    /// `version || kem_id || kid || enc`: every header of the session starts so.
    prefix: Vec<u8>,
    next: AtomicU64,
    /// Set in the process that encapsulated the session; a child must not use it.
    fork_guard: ForkGuard,
    /// The AES key bytes and a process-unique session number, kept only for
    /// sealing with an external AES-GCM (`crate::delegated`).
    #[cfg(feature = "delegated-aead")]
    delegated: (Zeroizing<[u8; 32]>, u64),
}

impl Sealer {
    /// A sealer for `recipient` with the default field limit. Encapsulates once, now.
    pub fn new(recipient: &PublicKey) -> Result<Sealer> {
        Sealer::with_field_limit(recipient, DEFAULT_FIELD_LIMIT)
    }

    /// A sealer that re-encapsulates after every `field_limit` fields (1 ..= 2^32).
    pub fn with_field_limit(recipient: &PublicKey, field_limit: u64) -> Result<Sealer> {
        Sealer::build(recipient, field_limit, Randomness::Os, None)
    }

    /// A sealer for the keyset's primary key. When that key has a
    /// `not_after`, every seal (and every new session) first reads the system
    /// clock and fails with [`Error::KeyExpired`] once `now > not_after`, so a
    /// long-lived sealer stops at the end of its key's cryptoperiod.
    pub fn from_keyset(keyset: &Keyset) -> Result<Sealer> {
        Sealer::from_keyset_with_clock(keyset, SystemClock)
    }

    /// As [`Sealer::from_keyset`], with the time read from `clock`.
    pub fn from_keyset_with_clock(keyset: &Keyset, clock: impl Clock + 'static) -> Result<Sealer> {
        let primary = keyset.primary();
        let expiry = primary.not_after().map(|not_after| Expiry {
            not_after,
            clock: Box::new(clock),
        });
        Sealer::build(primary.key(), DEFAULT_FIELD_LIMIT, Randomness::Os, expiry)
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
        Sealer::build(recipient, field_limit, Randomness::Fixed(fixed), None)
    }

    fn build(
        recipient: &PublicKey,
        field_limit: u64,
        randomness: Randomness,
        expiry: Option<Expiry>,
    ) -> Result<Sealer> {
        if !(1..=DEFAULT_FIELD_LIMIT).contains(&field_limit) {
            return Err(Error::InvalidArgument(
                "field limit must be between 1 and 2^32",
            ));
        }
        if let Some(expiry) = &expiry {
            expiry.check(recipient)?;
        }
        let first = Session::open(recipient, &randomness)?;
        Ok(Sealer {
            recipient: recipient.clone(),
            field_limit,
            randomness,
            expiry,
            session: RwLock::new(Arc::new(first)),
        })
    }

    /// The recipient key's `not_after` (Unix seconds), when the sealer was
    /// built from a keyset entry that has one.
    pub fn not_after(&self) -> Option<u64> {
        self.expiry.as_ref().map(|e| e.not_after)
    }

    /// The recipient public key.
    pub fn recipient(&self) -> &PublicKey {
        &self.recipient
    }

    /// Seals `plaintext`, bound to `context` (where the value lives, e.g.
    /// `b"patients/8812/ssn"`), and returns the binary sealed field.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let mut out =
            Vec::with_capacity(format::sealed_len(self.recipient.suite(), plaintext.len()));
        self.seal_into(plaintext, context, &mut out)?;
        Ok(out)
    }

    /// As [`Sealer::seal`], appending the sealed field to `out`, so that a
    /// pipeline can reuse one buffer for many fields. On error `out` is unchanged.
    pub fn seal_into(&self, plaintext: &[u8], context: &[u8], out: &mut Vec<u8>) -> Result<()> {
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::TooLarge);
        }
        self.with_next_field(|session, counter| session.seal(counter, plaintext, context, out))
    }

    /// Claims the next counter value of a live session and hands both to
    /// `field`, starting a fresh session first when the current one is used
    /// up or belongs to the parent of this (forked) process.
    fn with_next_field<T>(&self, field: impl FnOnce(&Session, u64) -> Result<T>) -> Result<T> {
        if let Some(expiry) = &self.expiry {
            expiry.check(&self.recipient)?;
        }
        loop {
            let unusable = {
                let session = self.session.read().unwrap_or_else(PoisonError::into_inner);
                // Checked before the counter moves: the parent may still be
                // using the counter values a child would claim.
                if !session.fork_guard.forked() {
                    let counter = session.next.fetch_add(1, Ordering::Relaxed);
                    if counter < self.field_limit {
                        return field(&session, counter);
                    }
                }
                Arc::clone(&session)
            };
            self.replace_session(&unusable)?;
        }
    }

    /// Seals `plaintext` and returns the text form (`enseal1.` + base64url).
    pub fn seal_text(&self, plaintext: &[u8], context: &[u8]) -> Result<String> {
        self.seal(plaintext, context)
            .map(|sealed| text::encode(&sealed))
    }

    /// Seals the values at `pointers` (RFC 6901, `*` over array elements) in a
    /// copy of the document `json` and returns its JSON text; see
    /// docs/FORMAT.md §7. Each value's JSON text is padded with spaces to a
    /// multiple of [`DEFAULT_JSON_PADDING`](crate::DEFAULT_JSON_PADDING)
    /// bytes, so that `true` and `false` seal to the same length. On any
    /// error nothing is returned. The document must be I-JSON (RFC 7493): a
    /// duplicate member name is `InvalidJson`. Pointers that overlap, `*` on
    /// an object, and a clear string that already starts with `enseal1.` are
    /// refused.
    pub fn seal_json_text(
        &self,
        json: &str,
        pointers: &[&str],
        record_id: Option<&str>,
    ) -> Result<String> {
        self.seal_json_text_padded(json, pointers, record_id, crate::DEFAULT_JSON_PADDING)
    }

    /// As [`Sealer::seal_json_text`], padding each value to a multiple of
    /// `pad_to` bytes (0 or 1: no padding; at most 65536), e.g. 64 to hide
    /// the length of names.
    pub fn seal_json_text_padded(
        &self,
        json: &str,
        pointers: &[&str],
        record_id: Option<&str>,
        pad_to: usize,
    ) -> Result<String> {
        crate::document::seal(self, json, pointers, record_id, pad_to)
    }

    /// [`Sealer::seal_json_text`] on a `serde_json` value.
    #[cfg(feature = "serde_json")]
    pub fn seal_json(
        &self,
        doc: &serde_json::Value,
        pointers: &[&str],
        record_id: Option<&str>,
    ) -> Result<serde_json::Value> {
        self.seal_json_padded(doc, pointers, record_id, crate::DEFAULT_JSON_PADDING)
    }

    /// [`Sealer::seal_json_text_padded`] on a `serde_json` value.
    #[cfg(feature = "serde_json")]
    pub fn seal_json_padded(
        &self,
        doc: &serde_json::Value,
        pointers: &[&str],
        record_id: Option<&str>,
        pad_to: usize,
    ) -> Result<serde_json::Value> {
        crate::document::through_text(doc, "sealed document did not parse", |text| {
            self.seal_json_text_padded(text, pointers, record_id, pad_to)
        })
    }

    /// Starts a fresh session now (a new encapsulation), e.g. to separate
    /// batches, or after the process was restored from a snapshot. Refused
    /// with [`Error::KeyExpired`] once a keyset sealer's key has expired.
    pub fn rekey(&self) -> Result<()> {
        if let Some(expiry) = &self.expiry {
            expiry.check(&self.recipient)?;
        }
        let current = Arc::clone(&self.session.read().unwrap_or_else(PoisonError::into_inner));
        self.replace_session(&current)
    }

    /// Takes the next counter value of a live session for a field sealed
    /// elsewhere (`crate::delegated`), renewing the session as `seal_into` does.
    #[cfg(feature = "delegated-aead")]
    pub(crate) fn reserve(
        &self,
        plaintext_len: usize,
        context: &[u8],
    ) -> Result<crate::delegated::DelegatedSeal> {
        self.with_next_field(|session, counter| {
            let mut aad = Vec::with_capacity(session.prefix.len() + 8 + context.len());
            session.write_header(counter, &mut aad);
            let header_len = aad.len();
            aad.extend_from_slice(context);
            Ok(crate::delegated::DelegatedSeal {
                key: session.delegated.0.clone(),
                session_id: session.delegated.1,
                nonce: format::field_nonce(&session.base_nonce, counter),
                aad,
                header_len,
                plaintext_len,
            })
        })
    }

    fn replace_session(&self, unusable: &Arc<Session>) -> Result<()> {
        let mut current = self.session.write().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have replaced it while this one waited for the lock.
        if Arc::ptr_eq(&current, unusable) {
            *current = Arc::new(Session::open(&self.recipient, &self.randomness)?);
        }
        Ok(())
    }
}

impl core::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sealer")
            .field("recipient", &self.recipient)
            .field("field_limit", &self.field_limit)
            .field("not_after", &self.not_after())
            .finish_non_exhaustive()
    }
}

impl Session {
    fn open(recipient: &PublicKey, randomness: &Randomness) -> Result<Session> {
        let suite = recipient.suite();
        let ikm = match randomness {
            Randomness::Os => crate::rng::random_bytes(suite.encap_randomness_len())?,
            #[cfg(feature = "test-vectors")]
            Randomness::Fixed(bytes) => {
                let mut bytes = bytes.lock().unwrap_or_else(PoisonError::into_inner);
                if bytes.len() < suite.encap_randomness_len() {
                    return Err(Error::RandomnessUnavailable);
                }
                Zeroizing::new(bytes.drain(..suite.encap_randomness_len()).collect())
            }
        };
        let (enc, secret) = kem::encapsulate(recipient.kem(), &ikm)?;
        Ok(Session {
            key: FieldKey::new(&secret.key)?,
            base_nonce: Zeroizing::new(secret.base_nonce),
            suite,
            prefix: format::session_prefix(suite, &recipient.kid(), &enc),
            next: AtomicU64::new(0),
            fork_guard: ForkGuard::new(),
            #[cfg(feature = "delegated-aead")]
            delegated: (Zeroizing::new(secret.key), next_session_id()),
        })
    }

    /// Appends the header of field `counter`: the session prefix, then the counter.
    fn write_header(&self, counter: u64, out: &mut Vec<u8>) {
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
        let nonce = format::field_nonce(&self.base_nonce, counter);
        let aad = Aad::new(&out[start..], context);
        let sealed = self.key.seal(nonce, aad.as_slice(), plaintext, out);
        if sealed.is_err() {
            out.truncate(start);
        }
        sealed
    }
}

impl Expiry {
    fn check(&self, key: &PublicKey) -> Result<()> {
        if self.clock.now()? > self.not_after {
            return Err(Error::KeyExpired(key.kid()));
        }
        Ok(())
    }
}

#[cfg(feature = "delegated-aead")]
fn next_session_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// `aad = header || context`. Short AADs live on the stack, so the common
/// case costs no allocation per field.
pub(crate) enum Aad {
    Stack([u8; Aad::STACK], usize),
    Heap(Vec<u8>),
}

impl Aad {
    // Covers an X25519 or P-256 header with a context of 44 bytes or more.
    const STACK: usize = 128;

    pub(crate) fn new(header: &[u8], context: &[u8]) -> Aad {
        let total = header.len() + context.len();
        if total <= Aad::STACK {
            let mut buf = [0u8; Aad::STACK];
            let (h, rest) = buf.split_at_mut(header.len());
            h.copy_from_slice(header);
            rest[..context.len()].copy_from_slice(context);
            Aad::Stack(buf, total)
        } else {
            let mut aad = Vec::with_capacity(total);
            aad.extend_from_slice(header);
            aad.extend_from_slice(context);
            Aad::Heap(aad)
        }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Aad::Stack(buf, len) => &buf[..*len],
            Aad::Heap(v) => v,
        }
    }
}
