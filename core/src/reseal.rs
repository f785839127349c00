//! Re-sealing for key rotation: open a value with the old key and seal its
//! plaintext, with the same context, to the new primary. A value already on
//! the new key is recognised from its key id, without opening it, so a
//! re-seal run can be repeated (or resumed) and only does the missing work.

use crate::context::AsContext;
use crate::sealed::AsSealed;
use crate::{AuditOperation, Opener, Result, Sealer};

/// What [`Opener::reseal`] did with one value.
#[derive(Clone, PartialEq, Eq)]
#[must_use]
pub enum Resealed {
    /// The value is already sealed to the target's key; it stays as it is.
    AlreadyCurrent,
    /// The value sealed anew to the target's key, in text form.
    Resealed(String),
}

impl Resealed {
    /// The value to store: the new text, or `original` when it was current.
    pub fn into_text(self, original: &str) -> String {
        match self {
            Resealed::AlreadyCurrent => original.to_owned(),
            Resealed::Resealed(text) => text,
        }
    }
}

impl core::fmt::Debug for Resealed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // A sealed value is not secret, but a Debug print needs no more than this.
        match self {
            Resealed::AlreadyCurrent => f.write_str("AlreadyCurrent"),
            Resealed::Resealed(text) => write!(f, "Resealed({} chars)", text.len()),
        }
    }
}

/// A record after [`Opener::reseal_record`]: its JSON text and what was done.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResealedRecord {
    /// The record's JSON text, with the re-sealed values in place.
    pub json: String,
    /// Values sealed anew to the target key.
    pub resealed: usize,
    /// Values whose header names the target key, left as they are without
    /// being opened (so not checked: a damaged one fails when it is opened).
    pub already_current: usize,
}

impl Opener {
    /// Re-seals `sealed` (text form or a [`Sealed`](crate::Sealed)), sealed
    /// with `context`, to `to`'s key: opens it with this opener's keyring
    /// (audited as [`AuditOperation::Reseal`], when the opener audits) and
    /// seals the plaintext with the same context. A value whose key id is
    /// already `to`'s is [`Resealed::AlreadyCurrent`], decided from its
    /// header without opening it: that says which key it claims, not that
    /// it is authentic or has this context (opening it tells). Errors are
    /// those of opening (e.g. [`Error::UnknownKey`](crate::Error::UnknownKey)
    /// when the old key has been dropped) and of sealing; the plaintext is
    /// wiped either way.
    pub fn reseal(
        &self,
        sealed: impl AsSealed,
        context: impl AsContext,
        to: &Sealer,
    ) -> Result<Resealed> {
        let context = context.context_bytes();
        let mut decoded = false;
        let result = sealed.with_binary(|binary| {
            decoded = true;
            if crate::format::parse(binary).is_ok_and(|e| e.kid == to.recipient().kid()) {
                return Ok(Resealed::AlreadyCurrent);
            }
            // A value that does not parse fails (and is audited) here.
            let mut plaintext = zeroize::Zeroizing::new(Vec::with_capacity(binary.len()));
            self.open_binary_as(AuditOperation::Reseal, binary, context, &mut plaintext)?;
            to.seal(&plaintext, crate::Context::bytes(context))
                .map(Resealed::Resealed)
        });
        if let (false, Err(error)) = (decoded, &result) {
            self.audit_unparsed(AuditOperation::Reseal, context, error);
        }
        result
    }
}
