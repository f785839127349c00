//! The JSON document helper (docs/FORMAT.md §7): seal the values at chosen
//! pointers, open every sealed string. Each value's plaintext is its JSON
//! text, so it comes back with its type; its context names its place.

use crate::json::{self, Value};
use crate::{Error, Opener, Result, Sealer, pointer, text};
use zeroize::Zeroizing;

/// The context a document value is sealed with:
/// `u32be(len(record_id)) || record_id || u32be(len(pointer)) || pointer`,
/// where `pointer` is the concrete, escaped JSON Pointer and a missing record
/// id is the empty string.
pub fn json_context(pointer: &str, record_id: Option<&str>) -> Vec<u8> {
    let record_id = record_id.unwrap_or("");
    let mut context = Vec::with_capacity(8 + record_id.len() + pointer.len());
    for part in [record_id, pointer] {
        // Documents are capped far below 4 GiB by MAX_PLAINTEXT_LEN and memory.
        context.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        context.extend_from_slice(part.as_bytes());
    }
    context
}

/// Seals the values at `pointers` in the document `json`; returns its JSON text.
pub(crate) fn seal(
    sealer: &Sealer,
    json: &str,
    pointers: &[&str],
    record_id: Option<&str>,
) -> Result<String> {
    let mut out = parse(json)?;
    for pointer_text in pointers {
        let tokens = pointer::parse(pointer_text)?;
        for path in pointer::expand(&out, &tokens)? {
            let at = pointer::to_text(&path);
            let slot =
                pointer::get_mut(&mut out, &path).ok_or_else(|| Error::PathNotFound(at.clone()))?;
            if let Value::String(s) = slot {
                if text::is_sealed(s) {
                    return Err(Error::AlreadySealed(at));
                }
            }
            let plaintext = json::to_string(slot);
            let sealed = sealer.seal_text(plaintext.as_bytes(), &json_context(&at, record_id))?;
            *slot = Value::string(sealed);
        }
    }
    // Only sealed text and what the caller left in the clear remain.
    Ok(json::public_text(json::to_string(&out)))
}

/// Opens every sealed string of the document `json`; returns its JSON text.
pub(crate) fn open(
    opener: &Opener,
    json: &str,
    record_id: Option<&str>,
) -> Result<Zeroizing<String>> {
    let mut out = parse(json)?;
    let mut path = Vec::new();
    open_in(opener, &mut out, &mut path, record_id)?;
    Ok(json::to_string(&out))
}

fn parse(text: &str) -> Result<Value> {
    json::parse(text).map_err(|_| Error::InvalidJson("document is not valid JSON"))
}

fn open_in(
    opener: &Opener,
    value: &mut Value,
    path: &mut Vec<String>,
    record_id: Option<&str>,
) -> Result<()> {
    match value {
        Value::String(s) if s.starts_with(text::TEXT_PREFIX) => {
            let context = json_context(&pointer::to_text(path), record_id);
            let plaintext = opener.open_text(s, &context)?;
            *value = core::str::from_utf8(&plaintext)
                .ok()
                .and_then(|text| json::parse(text).ok())
                .ok_or(Error::InvalidJson("an opened value does not hold JSON"))?;
            Ok(())
        }
        Value::Array(items) => items.iter_mut().enumerate().try_for_each(|(i, item)| {
            path.push(i.to_string());
            let r = open_in(opener, item, path, record_id);
            path.pop();
            r
        }),
        Value::Object(members) => members.iter_mut().try_for_each(|(k, item)| {
            path.push(k.clone());
            let r = open_in(opener, item, path, record_id);
            path.pop();
            r
        }),
        _ => Ok(()),
    }
}
