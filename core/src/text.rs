//! The text encoding: `enseal1.` followed by the binary form in unpadded
//! base64url (RFC 4648 §5), so a sealed value fits a JSON string or a text column.

use crate::format::{self, MAX_SEALED_LEN, TEXT_PREFIX};
use crate::{Error, Result};
use base64ct::{Base64UrlUnpadded, Encoding};

const MAX_TEXT_LEN: usize = TEXT_PREFIX.len() + (MAX_SEALED_LEN * 4).div_ceil(3);

/// The text form of a binary sealed field.
pub(crate) fn encode(sealed: &[u8]) -> String {
    let mut text = String::with_capacity(encoded_len(sealed.len()));
    text.push_str(TEXT_PREFIX);
    text.push_str(&Base64UrlUnpadded::encode_string(sealed));
    text
}

/// Appends the text form of a binary sealed field to `out`.
pub(crate) fn encode_into(sealed: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(TEXT_PREFIX.as_bytes());
    let body = start + TEXT_PREFIX.len();
    out.resize(start + encoded_len(sealed.len()), 0);
    // The slice is exactly the encoded length, so encoding cannot fail.
    let written = out
        .get_mut(body..)
        .map(|tail| Base64UrlUnpadded::encode(sealed, tail).map(str::len));
    debug_assert!(matches!(written, Some(Ok(n)) if n + body == out.len()));
}

/// Characters of the text form of a `binary_len`-byte sealed field.
pub(crate) fn encoded_len(binary_len: usize) -> usize {
    TEXT_PREFIX.len() + (binary_len * 4).div_ceil(3)
}

/// The binary form of a sealed value in text form. Only checks the encoding.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>> {
    let body = text.strip_prefix(TEXT_PREFIX).ok_or(Error::BadPrefix)?;
    if text.len() > MAX_TEXT_LEN {
        return Err(Error::TooLarge);
    }
    // base64ct is strict: no padding, no whitespace, no non-zero trailing bits.
    Base64UrlUnpadded::decode_vec(body).map_err(|_| Error::BadEncoding)
}

/// True when `text` is a well-formed sealed value of a known version and
/// suite: the prefix, canonical base64url and a complete header and tag.
/// It does not need or check any key.
pub fn is_sealed(text: &str) -> bool {
    text.starts_with(TEXT_PREFIX) && decode(text).is_ok_and(|bytes| format::parse(&bytes).is_ok())
}
