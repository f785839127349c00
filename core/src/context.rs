//! The context a field is bound to: where the value lives (`"patients/8812/ssn"`).
//! A distinct type from the plaintext (`&[u8]`), so that the two cannot be
//! swapped by accident: `seal(b"123-45-6789", "patients/8812/ssn")` compiles,
//! `seal("patients/8812/ssn", b"123-45-6789")` does not.

use std::borrow::Cow;

/// A context in bytes: from text (`"patients/8812/ssn".into()`), or from bytes
/// with [`Context::bytes`], or made by [`json_context`](crate::json_context).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Context<'a>(Cow<'a, [u8]>);

impl<'a> Context<'a> {
    /// A context of arbitrary bytes (a binary record key, a foreign binding's argument).
    pub fn bytes(bytes: &'a [u8]) -> Context<'a> {
        Context(Cow::Borrowed(bytes))
    }

    /// A context that owns its bytes.
    pub fn owned(bytes: Vec<u8>) -> Context<'static> {
        Context(Cow::Owned(bytes))
    }

    /// The bytes that go into the AAD.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0.into_owned()
    }
}

impl<'a> From<&'a str> for Context<'a> {
    fn from(text: &'a str) -> Context<'a> {
        Context(Cow::Borrowed(text.as_bytes()))
    }
}

/// Anything a field's context can be given as: text (`&str`, `String`) or a
/// [`Context`]. Deliberately not `&[u8]`, the plaintext's type.
pub trait AsContext {
    /// The context's bytes.
    fn context_bytes(&self) -> &[u8];
}

impl AsContext for str {
    fn context_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsContext for String {
    fn context_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsContext for Context<'_> {
    fn context_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl<T: AsContext + ?Sized> AsContext for &T {
    fn context_bytes(&self) -> &[u8] {
        (**self).context_bytes()
    }
}

/// Swapping the plaintext and the context does not compile:
///
/// ```compile_fail
/// # let key = enseal::KeyPair::generate(enseal::Suite::X25519).unwrap();
/// # let sealer = enseal::Sealer::new(key.public_key()).unwrap();
/// let ssn: &[u8] = b"123-45-6789";
/// let place: &str = "patients/8812/ssn";
/// sealer.seal(place, ssn);
/// ```
///
/// while the right order does:
///
/// ```
/// # let key = enseal::KeyPair::generate(enseal::Suite::X25519).unwrap();
/// # let sealer = enseal::Sealer::new(key.public_key()).unwrap();
/// let ssn: &[u8] = b"123-45-6789";
/// let place: &str = "patients/8812/ssn";
/// sealer.seal(ssn, place).unwrap();
/// ```
#[cfg(doctest)]
pub struct SwappedArgumentsDoNotCompile;
