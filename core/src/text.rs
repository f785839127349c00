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
    let mut out = Vec::with_capacity(body.len() * 3 / 4 + 1);
    decode_body(body, &mut out)?;
    Ok(out)
}

/// As [`decode`], into `out` (cleared first), so that a loop reuses one buffer.
pub(crate) fn decode_into(text: &str, out: &mut Vec<u8>) -> Result<()> {
    let body = text.strip_prefix(TEXT_PREFIX).ok_or(Error::BadPrefix)?;
    if text.len() > MAX_TEXT_LEN {
        return Err(Error::TooLarge);
    }
    out.clear();
    decode_body(body, out)
}

/// The canonical unpadded base64url `body`, appended to `out`. A sealed
/// value is public, so the decoder need not be constant-time: on native
/// targets the faster `base64` crate, configured as strict as base64ct (no
/// padding, no whitespace, non-zero trailing bits refused).
#[cfg(not(target_arch = "wasm32"))]
fn decode_body(body: &str, out: &mut Vec<u8>) -> Result<()> {
    use base64::Engine as _;
    const STRICT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(false),
    );
    STRICT.decode_vec(body, out).map_err(|_| Error::BadEncoding)
}

#[cfg(target_arch = "wasm32")]
fn decode_body(body: &str, out: &mut Vec<u8>) -> Result<()> {
    out.extend_from_slice(&Base64UrlUnpadded::decode_vec(body).map_err(|_| Error::BadEncoding)?);
    Ok(())
}

/// True when `text` is a well-formed sealed value of a known version and
/// suite: the prefix, canonical base64url and a complete header and tag.
/// It does not need or check any key.
pub fn is_sealed(text: &str) -> bool {
    text.starts_with(TEXT_PREFIX) && decode(text).is_ok_and(|bytes| format::parse(&bytes).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both decoders give the same answer: the fast one on native targets
    /// and base64ct (wasm32, and the encoder everywhere), on valid input and
    /// on every way to be non-canonical.
    #[test]
    fn the_fast_decoder_is_as_strict_as_base64ct() {
        let mut cases: Vec<String> = vec![
            String::new(),
            "A".into(),
            "AA".into(),
            "AB".into(),
            "AAA".into(),
            "AAB".into(),
            "AAAA".into(),
            "AA==".into(),
            "AA=".into(),
            "A A".into(),
            "AA\n".into(),
            "+/".into(),
            "-_".into(),
            "-_-_".into(),
            "Zg".into(),
            "Zh".into(),
            "Zm8".into(),
            "Zm9".into(),
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let text = Base64UrlUnpadded::encode_string(&bytes);
            cases.push(text.clone());
            // One character changed, dropped or added at the end.
            for c in ['A', 'B', '_', '-', '=', '+', '/', '.'] {
                let mut bad = text.clone();
                bad.pop();
                bad.push(c);
                cases.push(bad);
                cases.push(format!("{text}{c}"));
            }
        }
        for case in cases {
            let mut fast = Vec::new();
            let fast = decode_body(&case, &mut fast).map(|()| fast);
            let reference = Base64UrlUnpadded::decode_vec(&case).map_err(|_| Error::BadEncoding);
            assert_eq!(fast, reference, "{case:?}");
        }
    }
}
