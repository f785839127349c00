//! The JSON document helper (docs/FORMAT.md §7): seal the values at chosen
//! pointers, open the values at chosen pointers (or every sealed string).
//! Each value's plaintext is its JSON text, padded with spaces to a bucket,
//! so it comes back with its type; its context names its place.

use crate::context::Context;
use crate::format::TEXT_PREFIX;
use crate::json::{self, Value};
use crate::{Error, Opener, Result, Sealer, pointer, text};
use zeroize::Zeroizing;

/// The context a document value is sealed with:
/// `u32be(len(record_id)) || record_id || u32be(len(pointer)) || pointer`,
/// where `pointer` is the concrete, escaped JSON Pointer and a missing record
/// id is the empty string.
pub fn json_context(pointer: &str, record_id: Option<&str>) -> Context<'static> {
    let record_id = record_id.unwrap_or("");
    let mut context = Vec::with_capacity(8 + record_id.len() + pointer.len());
    for part in [record_id, pointer] {
        // Documents are capped far below 4 GiB by MAX_PLAINTEXT_LEN and memory.
        context.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        context.extend_from_slice(part.as_bytes());
    }
    Context::owned(context)
}

/// The bucket sealed JSON values are padded to by default: the JSON text of
/// each value is followed by spaces up to a multiple of this many bytes, so
/// `true` and `false`, small numbers, short codes and strings of up to 14
/// characters all seal to one length (docs/FORMAT.md §7 gives the measurement).
pub const DEFAULT_JSON_PADDING: usize = 16;

/// The largest padding bucket accepted.
const MAX_JSON_PADDING: usize = 1 << 16;

/// Seals the values at `pointers` in the document `json`, each padded to a
/// multiple of `pad_to` bytes (0 or 1: no padding); returns its JSON text.
fn seal(
    sealer: &Sealer,
    json: &str,
    pointers: &[&str],
    record_id: Option<&str>,
    pad_to: usize,
) -> Result<String> {
    if pad_to > MAX_JSON_PADDING {
        return Err(Error::InvalidArgument(
            "JSON padding must be at most 65536 bytes",
        ));
    }
    let mut out = parse(json)?;
    let paths = concrete_paths(&out, pointers)?;
    refuse_prefixed_clear_strings(&mut out, &paths)?;
    for path in &paths {
        let (at, slot) = slot_at(&mut out, path)?;
        if let Value::String(s) = slot {
            if text::is_sealed(s) {
                return Err(Error::AlreadySealed(at));
            }
        }
        let plaintext = padded(json::to_string(slot), pad_to);
        let sealed = sealer.seal(plaintext.as_bytes(), json_context(&at, record_id))?;
        *slot = Value::string(sealed);
    }
    // Only sealed text and what the caller left in the clear remain.
    Ok(json::public_text(json::to_string(&out)))
}

/// `text` followed by spaces up to a multiple of `pad_to` bytes. Trailing
/// whitespace is valid JSON, so openers need not know about it.
fn padded(text: Zeroizing<String>, pad_to: usize) -> Zeroizing<String> {
    let len = text.len();
    let target = match pad_to {
        0 | 1 => return text,
        bucket => len.div_ceil(bucket) * bucket,
    };
    const SPACES: &str = "                ";
    // Sized once: growing would leave an unwiped copy of the value behind.
    let mut out = Zeroizing::new(String::with_capacity(target.max(len)));
    out.push_str(&text);
    while out.len() < target {
        let missing = target - out.len();
        out.push_str(&SPACES[..SPACES.len().min(missing)]);
    }
    out
}

/// The concrete paths of all `pointers`. Two pointers that overlap (one
/// names the value the other names, or a value inside it, a `*` standing
/// for any index) are refused, since a value would be sealed twice; the
/// check is on the pointers, not on the document, so its cost does not grow
/// with the arrays a `*` runs over.
fn concrete_paths(doc: &Value, pointers: &[&str]) -> Result<Vec<Vec<String>>> {
    let parsed = pointers
        .iter()
        .map(|p| pointer::parse(p))
        .collect::<Result<Vec<_>>>()?;
    for (i, a) in parsed.iter().enumerate() {
        for (b, b_text) in parsed[i + 1..].iter().zip(&pointers[i + 1..]) {
            if a.iter().zip(b).all(|(x, y)| x == y || x == "*" || y == "*") {
                let (shorter, longer) = if a.len() <= b.len() {
                    (pointers[i], *b_text)
                } else {
                    (*b_text, pointers[i])
                };
                return Err(Error::InvalidPointer(format!(
                    "{shorter} and {longer} overlap: a value would be sealed or opened twice"
                )));
            }
        }
    }
    let mut paths = Vec::new();
    for tokens in &parsed {
        paths.extend(pointer::expand(doc, tokens)?);
    }
    Ok(paths)
}

/// A clear string that starts with the prefix but is not a sealed value
/// would make the document unopenable for an opener that opens every
/// prefixed string: refused before anything is sealed.
fn refuse_prefixed_clear_strings(doc: &mut Value, sealing: &[Vec<String>]) -> Result<()> {
    for_each_string(doc, &mut Vec::new(), &mut |at, slot| match slot {
        Value::String(s)
            if s.starts_with(TEXT_PREFIX)
                && !text::is_sealed(s)
                && !sealing.iter().any(|p| p.as_slice() == at) =>
        {
            Err(Error::AlreadySealed(pointer::to_text(at)))
        }
        _ => Ok(()),
    })
}

/// Calls `visit` with the pointer tokens and the slot of every string in
/// `value`, in document order, and stops at the first error.
fn for_each_string(
    value: &mut Value,
    path: &mut Vec<String>,
    visit: &mut impl FnMut(&[String], &mut Value) -> Result<()>,
) -> Result<()> {
    match value {
        Value::String(_) => visit(path, value),
        Value::Array(items) => items.iter_mut().enumerate().try_for_each(|(i, item)| {
            path.push(i.to_string());
            let r = for_each_string(item, path, visit);
            path.pop();
            r
        }),
        Value::Object(members) => members.iter_mut().try_for_each(|(name, item)| {
            path.push(name.clone());
            let r = for_each_string(item, path, visit);
            path.pop();
            r
        }),
        _ => Ok(()),
    }
}

/// The value at a concrete path, with its pointer text.
fn slot_at<'d>(doc: &'d mut Value, path: &[String]) -> Result<(String, &'d mut Value)> {
    let at = pointer::to_text(path);
    match pointer::get_mut(doc, path) {
        Some(slot) => Ok((at, slot)),
        None => Err(Error::PathNotFound(at)),
    }
}

/// Opens exactly the values at `pointers` of the document `json`; returns
/// its JSON text. A value there that is not a sealed string is `NotSealed`;
/// strings elsewhere stay as they are, prefixed or not.
fn open_at(
    opener: &Opener,
    json: &str,
    pointers: &[&str],
    record_id: Option<&str>,
) -> Result<Zeroizing<String>> {
    let mut out = parse(json)?;
    for path in concrete_paths(&out, pointers)? {
        let (at, slot) = slot_at(&mut out, &path)?;
        match slot {
            Value::String(s) if s.starts_with(TEXT_PREFIX) => {
                *slot = open_value(opener, s, &at, record_id)?;
            }
            _ => return Err(Error::NotSealed(at)),
        }
    }
    Ok(json::to_string(&out))
}

/// Opens every sealed string of the document `json`; returns its JSON text.
fn open_all(opener: &Opener, json: &str, record_id: Option<&str>) -> Result<Zeroizing<String>> {
    let mut out = parse(json)?;
    for_each_string(&mut out, &mut Vec::new(), &mut |at, slot| {
        if let Value::String(s) = slot {
            if s.starts_with(TEXT_PREFIX) {
                *slot = open_value(opener, s, &pointer::to_text(at), record_id)?;
            }
        }
        Ok(())
    })?;
    Ok(json::to_string(&out))
}

/// The JSON value sealed in `sealed` at pointer `at`.
fn open_value(opener: &Opener, sealed: &str, at: &str, record_id: Option<&str>) -> Result<Value> {
    let plaintext = opener.open(sealed, json_context(at, record_id))?;
    core::str::from_utf8(&plaintext)
        .ok()
        .and_then(|text| json::parse(text).ok())
        .ok_or(Error::InvalidJson("an opened value does not hold JSON"))
}

/// The `serde_json::Value` forms of the helper: `doc` as JSON text (wiped
/// after use) through `op`, and its result parsed back.
#[cfg(feature = "serde_json")]
fn through_text<T: AsRef<str>>(
    doc: &serde_json::Value,
    unparsable: &'static str,
    op: impl FnOnce(&str) -> Result<T>,
) -> Result<serde_json::Value> {
    let text = Zeroizing::new(
        serde_json::to_string(doc).map_err(|_| Error::InvalidJson("document is not valid JSON"))?,
    );
    let done = op(&text)?;
    serde_json::from_str(done.as_ref()).map_err(|_| Error::Internal(unparsable))
}

fn parse(text: &str) -> Result<Value> {
    json::parse(text).map_err(|_| Error::InvalidJson("document is not valid JSON"))
}

impl Sealer {
    /// Seals the values at `pointers` (RFC 6901, `*` over array elements) in a
    /// copy of the document `json` and returns its JSON text; see
    /// docs/FORMAT.md §7. Each value's JSON text is padded with spaces to a
    /// multiple of [`DEFAULT_JSON_PADDING`] bytes, so that `true` and `false`
    /// seal to the same length. On any error nothing is returned. The
    /// document must be I-JSON (RFC 7493): a duplicate member name is
    /// `InvalidJson`. Pointers that overlap, `*` on an object, and a clear
    /// string that already starts with `enseal1.` are refused.
    pub fn seal_json_text(
        &self,
        json: &str,
        pointers: &[&str],
        record_id: Option<&str>,
    ) -> Result<String> {
        seal(self, json, pointers, record_id, DEFAULT_JSON_PADDING)
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
        seal(self, json, pointers, record_id, pad_to)
    }

    /// [`Sealer::seal_json_text`] on a `serde_json` value.
    #[cfg(feature = "serde_json")]
    pub fn seal_json(
        &self,
        doc: &serde_json::Value,
        pointers: &[&str],
        record_id: Option<&str>,
    ) -> Result<serde_json::Value> {
        self.seal_json_padded(doc, pointers, record_id, DEFAULT_JSON_PADDING)
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
        through_text(doc, "sealed document did not parse", |text| {
            seal(self, text, pointers, record_id, pad_to)
        })
    }
}

impl Opener {
    /// Opens the values at `pointers` (the syntax of [`Sealer::seal_json_text`])
    /// in a copy of the document `json`, restoring each value's JSON type,
    /// and returns its JSON text (docs/FORMAT.md §7). Exactly those values
    /// are opened: a value there that is not a sealed string is
    /// [`Error::NotSealed`], and strings elsewhere stay as they are, so a
    /// client cannot have a sealed value it planted in a clear field opened.
    /// This is the way for servers. On any error nothing is returned.
    pub fn open_json_text(
        &self,
        json: &str,
        pointers: &[&str],
        record_id: Option<&str>,
    ) -> Result<Zeroizing<String>> {
        open_at(self, json, pointers, record_id)
    }

    /// Opens every string that starts with `enseal1.` in a copy of the
    /// document `json`, wherever it is. For tools that do not know the
    /// document's schema; servers use [`Opener::open_json_text`], since here
    /// a clear value that carries the prefix makes the document unopenable.
    pub fn open_json_text_all(
        &self,
        json: &str,
        record_id: Option<&str>,
    ) -> Result<Zeroizing<String>> {
        open_all(self, json, record_id)
    }

    /// [`Opener::open_json_text`] on a `serde_json` value.
    #[cfg(feature = "serde_json")]
    pub fn open_json(
        &self,
        doc: &serde_json::Value,
        pointers: &[&str],
        record_id: Option<&str>,
    ) -> Result<serde_json::Value> {
        through_text(doc, "opened document did not parse", |text| {
            open_at(self, text, pointers, record_id)
        })
    }

    /// [`Opener::open_json_text_all`] on a `serde_json` value.
    #[cfg(feature = "serde_json")]
    pub fn open_json_all(
        &self,
        doc: &serde_json::Value,
        record_id: Option<&str>,
    ) -> Result<serde_json::Value> {
        through_text(doc, "opened document did not parse", |text| {
            open_all(self, text, record_id)
        })
    }
}
