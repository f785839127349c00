//! The JSON document helper (docs/FORMAT.md §7): seal the values at chosen
//! pointers, open every sealed string. Each value's plaintext is its JSON
//! text, so it comes back with its type; its context names its place.

use crate::{Error, Opener, Result, Sealer, pointer, text};
use serde_json::Value;

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

pub(crate) fn seal(
    sealer: &Sealer,
    doc: &Value,
    pointers: &[&str],
    record_id: Option<&str>,
) -> Result<Value> {
    let mut out = doc.clone();
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
            let plaintext = zeroize::Zeroizing::new(
                serde_json::to_vec(slot)
                    .map_err(|_| Error::Internal("JSON serialization failed"))?,
            );
            let sealed = sealer.seal_text(&plaintext, &json_context(&at, record_id))?;
            *slot = Value::String(sealed);
        }
    }
    Ok(out)
}

pub(crate) fn open(opener: &Opener, doc: &Value, record_id: Option<&str>) -> Result<Value> {
    let mut out = doc.clone();
    let mut path = Vec::new();
    open_in(opener, &mut out, &mut path, record_id)?;
    Ok(out)
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
            *value = serde_json::from_slice(&plaintext)
                .map_err(|_| Error::InvalidJson("an opened value does not hold JSON"))?;
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
