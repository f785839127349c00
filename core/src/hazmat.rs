//! **Hazardous materials**: the raw session key leaves core here. Nothing
//! else in enseal hands out key bytes; use this module only to run a field's
//! AES-256-GCM in an implementation outside enseal that is faster there
//! (WebCrypto in browsers and Node, where wasm has no AES instructions), and
//! keep the key inside that implementation (import it non-extractable, wipe
//! the copy). Misuse (the key logged, stored, or used for anything but the
//! one field) breaks every guarantee of the format.
//!
//! Core still decides everything that makes the format (header, counter,
//! nonce, AAD, lengths, the session and its limit); the caller only runs
//! AES-256-GCM with the key, nonce and AAD given here and hands the result
//! back. The output is byte-for-byte the format of [`Sealer::seal_binary`]
//! and opens with [`Opener::open_binary`], and the reverse.
//!
//! Behind the `hazmat` feature, off by default; only the wasm binding enables it.

use crate::audit::AuditOperation;
use crate::context::AsContext;
use crate::format::{self, Aad, MAX_PLAINTEXT_LEN, TAG_LEN};
use crate::session::Session;
use crate::{Error, Opener, Result, Sealer};
use core::fmt;
use zeroize::Zeroizing;

/// One field to seal with an external AES-256-GCM: encrypt the plaintext with
/// [`key`](Self::key), [`nonce`](Self::nonce) and [`aad`](Self::aad), then
/// pass `ciphertext || tag` to [`finish`](Self::finish).
pub struct DelegatedSeal {
    pub(crate) key: Zeroizing<[u8; 32]>,
    pub(crate) session_id: u64,
    pub(crate) nonce: [u8; 12],
    pub(crate) aad: Vec<u8>,
    pub(crate) header_len: usize,
    pub(crate) plaintext_len: usize,
}

impl DelegatedSeal {
    /// The session's AES-256 key. Secret: import it into the external
    /// implementation as non-extractable and wipe the copy.
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// Identifies the session within this process: equal ids mean equal
    /// keys, so an imported key may be reused for the same id.
    pub fn session_id(&self) -> u64 {
        self.session_id
    }

    /// The 12-byte GCM nonce of this field.
    pub fn nonce(&self) -> &[u8; 12] {
        &self.nonce
    }

    /// The additional authenticated data: `header || context`.
    pub fn aad(&self) -> &[u8] {
        &self.aad
    }

    /// The binary sealed field: the header, then `ciphertext || tag` as the
    /// external AES-256-GCM returned it (16-byte tag appended, as WebCrypto does).
    /// Output of the wrong length (not plaintext length + 16 bytes) is
    /// [`Error::InvalidArgument`]. Assembling the field is core's: a caller
    /// never writes the header itself.
    pub fn finish(self, ciphertext_and_tag: &[u8]) -> Result<Vec<u8>> {
        if ciphertext_and_tag.len() != self.plaintext_len + TAG_LEN {
            return Err(Error::InvalidArgument(
                "external AES-GCM output is not plaintext length + 16 bytes",
            ));
        }
        let mut sealed = Vec::with_capacity(self.header_len + ciphertext_and_tag.len());
        sealed.extend_from_slice(&self.aad[..self.header_len]);
        sealed.extend_from_slice(ciphertext_and_tag);
        Ok(sealed)
    }
}

impl fmt::Debug for DelegatedSeal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DelegatedSeal")
            .field("session_id", &self.session_id)
            .field("plaintext_len", &self.plaintext_len)
            .finish_non_exhaustive()
    }
}

/// One field to open with an external AES-256-GCM: decrypt
/// [`ciphertext_and_tag`](Self::ciphertext_and_tag) with [`key`](Self::key),
/// [`nonce`](Self::nonce) and [`aad`](Self::aad); any failure there is
/// [`Error::DecryptFailed`].
pub struct DelegatedOpen<'a> {
    key: Zeroizing<[u8; 32]>,
    nonce: [u8; 12],
    aad: Aad,
    body: &'a [u8],
    pending: PendingSession,
}

/// The session of a [`DelegatedOpen`], kept until the external AES-256-GCM
/// has checked the tag: [`Opener::confirm_delegated`] then caches it, so later
/// fields of the session skip the decapsulation. An unconfirmed session is
/// never cached (a forged `enc` takes no slot in the cache).
pub struct PendingSession {
    id: Box<[u8]>,
    /// `None` when the session came from the cache. Boxed: an expanded
    /// software AES key is ~1 KB, and this value travels with async jobs.
    derived: Option<Box<Session>>,
}

impl PendingSession {
    /// Identifies the session (public header bytes: version, suite, key id,
    /// `enc`), e.g. to reuse a key imported into WebCrypto.
    pub fn session_id(&self) -> &[u8] {
        &self.id
    }
}

impl fmt::Debug for PendingSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSession")
            .field("cached", &self.derived.is_none())
            .finish_non_exhaustive()
    }
}

impl DelegatedOpen<'_> {
    /// The session's AES-256 key. Secret, as for [`DelegatedSeal::key`].
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// The 12-byte GCM nonce of this field.
    pub fn nonce(&self) -> &[u8; 12] {
        &self.nonce
    }

    /// The additional authenticated data: `header || context`.
    pub fn aad(&self) -> &[u8] {
        self.aad.as_slice()
    }

    /// `ciphertext || tag`, what the external AES-256-GCM decrypts.
    pub fn ciphertext_and_tag(&self) -> &[u8] {
        self.body
    }

    /// Identifies the field's session; see [`PendingSession::session_id`].
    pub fn session_id(&self) -> &[u8] {
        self.pending.session_id()
    }

    /// The session, for [`Opener::confirm_delegated`] once the tag checked out.
    pub fn into_pending(self) -> PendingSession {
        self.pending
    }
}

impl fmt::Debug for DelegatedOpen<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DelegatedOpen")
            .field("len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Sealer {
    /// Reserves the next field of the session for an external AES-256-GCM
    /// of a `plaintext_len`-byte value bound to `context`. Counts against the
    /// field limit like [`Sealer::seal`]; a reserved field that is never
    /// finished only leaves an unused counter value.
    pub fn delegate_seal(
        &self,
        plaintext_len: usize,
        context: impl AsContext,
    ) -> Result<DelegatedSeal> {
        if plaintext_len > MAX_PLAINTEXT_LEN {
            return Err(Error::TooLarge);
        }
        let context = context.context_bytes();
        self.with_next_field(|live, counter| {
            let mut aad =
                Vec::with_capacity(format::header_len(self.recipient().suite()) + context.len());
            live.write_header(counter, &mut aad);
            let header_len = aad.len();
            aad.extend_from_slice(context);
            Ok(DelegatedSeal {
                key: live.session.raw_key_copy(),
                session_id: live.number,
                nonce: live.session.nonce(counter),
                aad,
                header_len,
                plaintext_len,
            })
        })
    }
}

impl Opener {
    /// Checks a binary sealed field and finds its session key (cached, or by
    /// decapsulation), for an external AES-256-GCM to decrypt. Errors are
    /// those of [`Opener::open`] up to the tag check.
    pub fn delegate_open<'a>(
        &self,
        sealed: &'a [u8],
        context: impl AsContext,
    ) -> Result<DelegatedOpen<'a>> {
        let context = context.context_bytes();
        let envelope = format::parse(sealed).inspect_err(|error| {
            self.audit_unparsed(AuditOperation::DelegateOpen, context, error);
        })?;
        let delegated = self.delegate_envelope(&envelope, context);
        let result = delegated.as_ref().map(drop);
        self.audit(
            AuditOperation::DelegateOpen,
            &envelope,
            Some(context),
            result,
        )?;
        delegated
    }

    fn delegate_envelope<'a>(
        &self,
        envelope: &format::Envelope<'a>,
        context: &[u8],
    ) -> Result<DelegatedOpen<'a>> {
        let id = envelope.session_id();
        let counter = envelope.counter;
        let keys = |session: &Session| (session.raw_key_copy(), session.nonce(counter));
        let ((key, nonce), derived) = match self.with_cached(id, keys) {
            Some(found) => (found, None),
            None => {
                let session = self.derive(envelope)?;
                (keys(&session), Some(Box::new(session)))
            }
        };
        Ok(DelegatedOpen {
            key,
            nonce,
            aad: Aad::new(envelope.header, context),
            body: envelope.body,
            pending: PendingSession {
                id: id.into(),
                derived,
            },
        })
    }

    /// Caches the session of a field the external AES-256-GCM opened (its
    /// tag was valid), as [`Opener::open`] caches the sessions it proves.
    pub fn confirm_delegated(&self, pending: PendingSession) {
        self.audit_confirmed(&pending.id);
        if let Some(session) = pending.derived {
            self.remember(&pending.id, *session);
        }
    }
}
