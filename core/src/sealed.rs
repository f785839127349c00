//! A sealed value as a value: parsed and validated once, and readable without
//! any key. "Which key sealed this?" (rotation, re-sealing, `inspect`) is
//! [`Sealed::kid`]; opening takes a `Sealed` as it takes text.

use crate::format;
use crate::{Error, KeyId, Result, Suite, text};
use base64ct::{Base64UrlUnpadded, Encoding};
use core::fmt;
use core::str::FromStr;
use sha2::{Digest, Sha256};

/// A parsed sealed field: its binary form and what its header says. Parsing
/// checks the prefix, the encoding, the version, the suite and every length;
/// only opening checks the tag.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    binary: Vec<u8>,
    suite: Suite,
    kid: KeyId,
    counter: u64,
}

/// Identifies the session a field was sealed in, without being secret:
/// the first 16 bytes of SHA-256 over `version || kem_id || kid || enc`.
/// Fields with the same session id share one encapsulation, so opening them
/// costs one decapsulation. Shown as 22 characters of base64url.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId([u8; 16]);

impl SessionId {
    /// The 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The id of the session whose header minus counter is `prefix`.
    pub(crate) fn of_session_prefix(prefix: &[u8]) -> SessionId {
        let digest = Sha256::digest(prefix);
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        SessionId(id)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Base64UrlUnpadded::encode_string(&self.0))
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({self})")
    }
}

impl Sealed {
    /// Parses the text form (`enseal1.` + base64url).
    pub fn parse(text: &str) -> Result<Sealed> {
        Sealed::from_binary(text::decode(text)?)
    }

    /// Parses the binary form.
    pub fn from_binary(binary: impl Into<Vec<u8>>) -> Result<Sealed> {
        let binary = binary.into();
        let (suite, kid, counter) = {
            let envelope = format::parse(&binary)?;
            (envelope.suite, envelope.kid, envelope.counter)
        };
        Ok(Sealed {
            binary,
            suite,
            kid,
            counter,
        })
    }

    /// `version || kem_id || kid || enc`: the header without its counter.
    fn session_prefix(&self) -> &[u8] {
        &self.binary[..format::ENC_OFFSET + self.suite.enc_len()]
    }

    /// The format version (1).
    pub fn version(&self) -> u8 {
        format::VERSION
    }

    /// The suite of the key it was sealed to.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// The key id of the key it was sealed to.
    pub fn kid(&self) -> KeyId {
        self.kid
    }

    /// The session it was sealed in.
    pub fn session_id(&self) -> SessionId {
        SessionId::of_session_prefix(self.session_prefix())
    }

    /// The field's counter within its session (0 for the first field).
    pub fn counter(&self) -> u64 {
        self.counter
    }

    /// The encapsulated key of its session (`enc`), public.
    pub fn enc(&self) -> &[u8] {
        &self.session_prefix()[format::ENC_OFFSET..]
    }

    /// Bytes of plaintext it holds (before any padding was removed: the JSON
    /// helper's spaces count).
    pub fn plaintext_len(&self) -> usize {
        self.binary.len() - format::sealed_len(self.suite, 0)
    }

    /// Bytes of the binary form.
    pub fn binary_len(&self) -> usize {
        self.binary.len()
    }

    /// Characters of the text form.
    pub fn text_len(&self) -> usize {
        text::encoded_len(self.binary.len())
    }

    /// The text form (`enseal1.` + base64url); also what `Display` writes.
    pub fn to_text(&self) -> String {
        text::encode(&self.binary)
    }

    /// The binary form.
    pub fn as_binary(&self) -> &[u8] {
        &self.binary
    }

    /// The binary form, copied.
    pub fn to_binary(&self) -> Vec<u8> {
        self.binary.clone()
    }

    /// The binary form, without copying.
    pub fn into_binary(self) -> Vec<u8> {
        self.binary
    }
}

impl FromStr for Sealed {
    type Err = Error;

    fn from_str(text: &str) -> Result<Sealed> {
        Sealed::parse(text)
    }
}

impl TryFrom<Vec<u8>> for Sealed {
    type Error = Error;

    fn try_from(binary: Vec<u8>) -> Result<Sealed> {
        Sealed::from_binary(binary)
    }
}

impl TryFrom<&[u8]> for Sealed {
    type Error = Error;

    fn try_from(binary: &[u8]) -> Result<Sealed> {
        Sealed::from_binary(binary)
    }
}

impl fmt::Display for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("suite", &self.suite)
            .field("kid", &self.kid)
            .field("session_id", &self.session_id())
            .field("counter", &self.counter)
            .field("plaintext_len", &self.plaintext_len())
            .finish()
    }
}

/// What [`Opener::open`](crate::Opener::open) takes: a sealed value in text
/// form (`&str`, `String`) or a [`Sealed`]. The binary form goes to
/// [`Opener::open_binary`](crate::Opener::open_binary).
pub trait AsSealed {
    /// The binary form, decoded from text if need be.
    #[doc(hidden)]
    fn with_binary<T>(&self, open: impl FnOnce(&[u8]) -> Result<T>) -> Result<T>;
}

impl AsSealed for str {
    fn with_binary<T>(&self, open: impl FnOnce(&[u8]) -> Result<T>) -> Result<T> {
        open(&text::decode(self)?)
    }
}

impl AsSealed for String {
    fn with_binary<T>(&self, open: impl FnOnce(&[u8]) -> Result<T>) -> Result<T> {
        self.as_str().with_binary(open)
    }
}

impl AsSealed for Sealed {
    fn with_binary<T>(&self, open: impl FnOnce(&[u8]) -> Result<T>) -> Result<T> {
        open(&self.binary)
    }
}

impl<S: AsSealed + ?Sized> AsSealed for &S {
    fn with_binary<T>(&self, open: impl FnOnce(&[u8]) -> Result<T>) -> Result<T> {
        (**self).with_binary(open)
    }
}
