//! The JSON document helper (docs/FORMAT.md §7): seal the values at chosen
//! pointers, open the values at chosen pointers (or every sealed string).
//! Each value's plaintext is its JSON text, padded with spaces to a bucket,
//! so it comes back with its type; its context names its place.

use crate::context::Context;
use crate::format::TEXT_PREFIX;
use crate::json::{self, Value};
use crate::reseal::{Resealed, ResealedRecord};
use crate::template::ContextTemplate;
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

/// How the values of one document get their contexts.
#[derive(Clone, Copy)]
enum Contexts<'a> {
    /// [`json_context`] with this record id.
    RecordId(Option<&'a str>),
    /// A template over the document's own fields.
    Template(&'a ContextTemplate),
}

/// The context of each value (by its pointer text) of one document.
type ContextFn<'a> = Box<dyn Fn(&str) -> Result<Context<'static>> + 'a>;

impl<'a> Contexts<'a> {
    /// The contexts of `doc`'s values, whose template fields (if any) are read now.
    fn of(self, doc: &Value) -> Result<ContextFn<'a>> {
        match self {
            Contexts::RecordId(id) => Ok(Box::new(move |at| Ok(json_context(at, id)))),
            Contexts::Template(template) => Ok(Box::new(template.renderer(doc)?)),
        }
    }

    /// Refuses sealing values at `paths` (from `pointers`) of `doc` that a
    /// template reads or would give one context.
    fn check_sealing(self, pointers: &[&str], paths: &[Vec<String>], doc: &Value) -> Result<()> {
        match self {
            Contexts::RecordId(_) => Ok(()),
            Contexts::Template(template) => template.check_sealing(pointers, paths, doc),
        }
    }

    /// Refuses re-sealing values at `paths` that a template reads.
    fn check_resealing(self, paths: &[Vec<String>]) -> Result<()> {
        match self {
            Contexts::RecordId(_) => Ok(()),
            Contexts::Template(template) => template.check_reads_clear(paths),
        }
    }
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
    contexts: Contexts<'_>,
    pad_to: usize,
) -> Result<String> {
    if pad_to > MAX_JSON_PADDING {
        return Err(Error::InvalidArgument(
            "JSON padding must be at most 65536 bytes",
        ));
    }
    let mut out = parse(json)?;
    let paths = concrete_paths(&out, pointers)?;
    contexts.check_sealing(pointers, &paths, &out)?;
    let context_of = contexts.of(&out)?;
    refuse_prefixed_clear_strings(&mut out, &paths)?;
    for path in &paths {
        let (at, slot) = slot_at(&mut out, path)?;
        if let Value::String(s) = slot {
            if text::is_sealed(s) {
                return Err(Error::AlreadySealed(at));
            }
        }
        let plaintext = padded(json::to_string(slot), pad_to);
        let sealed = context_of(&at)
            .and_then(|context| sealer.seal(plaintext.as_bytes(), context))
            .map_err(|e| e.at_pointer(&at))?;
        *slot = Value::string(sealed);
    }
    // Only sealed text and what the caller left in the clear remain.
    Ok(json::to_public_string(
        &out,
        sealed_capacity(json, paths.len()),
    ))
}

/// About the length of `json` with `values` of it sealed (a short value's
/// text form is ~120 bytes longer), so the output is rarely reallocated.
fn sealed_capacity(json: &str, values: usize) -> usize {
    json.len() + values * 128
}

/// The plaintext a record's string value is sealed as (docs/FORMAT.md §7):
/// its JSON text, padded with spaces to a multiple of `pad_to` bytes (0 or
/// 1: none; at most 65536). It is what [`Sealer::seal_record`] and the CLI
/// seal for a CSV cell, so a value of a table column sealed so opens with
/// [`Opener::open_record`] and the CLI, and the reverse.
pub fn record_value_plaintext(value: &str, pad_to: usize) -> Result<Zeroizing<String>> {
    if pad_to > MAX_JSON_PADDING {
        return Err(Error::InvalidArgument(
            "JSON padding must be at most 65536 bytes",
        ));
    }
    Ok(padded(json::to_string(&Value::string(value)), pad_to))
}

/// The text of a record value's plaintext (docs/FORMAT.md §7), as a table
/// cell holds it: a JSON string's contents, a number or boolean as written.
/// [`Error::InvalidJson`] for a plaintext that is not JSON, or is `null`, an
/// object or an array (a cell cannot hold them).
pub fn record_value_text(plaintext: &[u8]) -> Result<Zeroizing<String>> {
    let not_json = Error::InvalidJson("an opened value does not hold JSON");
    let text = core::str::from_utf8(plaintext).map_err(|_| not_json.clone())?;
    let value = json::parse(text).map_err(|_| not_json)?;
    match value {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n),
        Value::Bool(b) => Ok(Zeroizing::new(b.to_string())),
        Value::Null | Value::Array(_) | Value::Object(_) => Err(Error::InvalidJson(
            "an opened value holds JSON null, an object or an array, which a table cell cannot hold",
        )),
    }
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
    // Such strings are rare: look for one before tracking where it is.
    if !doc.any_string(&|s| s.starts_with(TEXT_PREFIX)) {
        return Ok(());
    }
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
    contexts: Contexts<'_>,
) -> Result<Zeroizing<String>> {
    let mut out = parse(json)?;
    let context_of = contexts.of(&out)?;
    for path in concrete_paths(&out, pointers)? {
        let (at, slot) = slot_at(&mut out, &path)?;
        match slot {
            Value::String(s) if s.starts_with(TEXT_PREFIX) => {
                *slot = context_of(&at)
                    .and_then(|context| open_value(opener, s, context))
                    .map_err(|e| e.at_pointer(&at))?;
            }
            _ => return Err(Error::NotSealed(at)),
        }
    }
    Ok(json::to_string(&out))
}

/// Opens every sealed string of the document `json`; returns its JSON text.
fn open_all(opener: &Opener, json: &str, contexts: Contexts<'_>) -> Result<Zeroizing<String>> {
    let mut out = parse(json)?;
    let context_of = contexts.of(&out)?;
    for_each_string(&mut out, &mut Vec::new(), &mut |at, slot| {
        if let Value::String(s) = slot {
            if s.starts_with(TEXT_PREFIX) {
                let at = pointer::to_text(at);
                *slot = context_of(&at)
                    .and_then(|context| open_value(opener, s, context))
                    .map_err(|e| e.at_pointer(&at))?;
            }
        }
        Ok(())
    })?;
    Ok(json::to_string(&out))
}

/// Re-seals to `to` the sealed values at `pointers` of the record `json`
/// (every sealed string when `pointers` is `None`), except those already on
/// `to`'s key. A value at a pointer that is not a sealed string is `NotSealed`.
fn reseal(
    opener: &Opener,
    to: &Sealer,
    json: &str,
    pointers: Option<&[&str]>,
    contexts: Contexts<'_>,
) -> Result<ResealedRecord> {
    let mut out = parse(json)?;
    let paths = match pointers {
        Some(pointers) => concrete_paths(&out, pointers)?,
        None => {
            let mut all = Vec::new();
            for_each_string(&mut out, &mut Vec::new(), &mut |at, slot| {
                if slot.as_str().is_some_and(|s| s.starts_with(TEXT_PREFIX)) {
                    all.push(at.to_vec());
                }
                Ok(())
            })?;
            all
        }
    };
    contexts.check_resealing(&paths)?;
    let context_of = contexts.of(&out)?;
    let (mut resealed, mut current) = (0, 0);
    for path in &paths {
        let (at, slot) = slot_at(&mut out, path)?;
        let Value::String(sealed) = slot else {
            return Err(Error::NotSealed(at));
        };
        if !sealed.starts_with(TEXT_PREFIX) {
            return Err(Error::NotSealed(at));
        }
        let outcome = context_of(&at)
            .and_then(|context| opener.reseal(sealed.as_str(), context, to))
            .map_err(|e| e.at_pointer(&at))?;
        match outcome {
            Resealed::AlreadyCurrent => current += 1,
            Resealed::Resealed(text) => {
                resealed += 1;
                *slot = Value::string(text);
            }
        }
    }
    Ok(ResealedRecord {
        json: json::to_public_string(&out, sealed_capacity(json, paths.len())),
        resealed,
        already_current: current,
    })
}

/// The JSON value sealed in `sealed`, opened with `context`.
fn open_value(opener: &Opener, sealed: &str, context: Context<'_>) -> Result<Value> {
    let plaintext = opener.open(sealed, context)?;
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
        seal(
            self,
            json,
            pointers,
            Contexts::RecordId(record_id),
            DEFAULT_JSON_PADDING,
        )
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
        seal(self, json, pointers, Contexts::RecordId(record_id), pad_to)
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
            seal(self, text, pointers, Contexts::RecordId(record_id), pad_to)
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
        open_at(self, json, pointers, Contexts::RecordId(record_id))
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
        open_all(self, json, Contexts::RecordId(record_id))
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
            open_at(self, text, pointers, Contexts::RecordId(record_id))
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
            open_all(self, text, Contexts::RecordId(record_id))
        })
    }
}

/// Records: documents whose contexts come from a [`ContextTemplate`] over
/// their own fields (docs/FORMAT.md §7.1), the rule the CLI, the bindings and
/// the column pipelines share. One NDJSON line or one CSV row is a record.
impl Sealer {
    /// Seals the values at `pointers` of the record `json` (the pointer
    /// syntax and rules of [`Sealer::seal_json_text`], padded to
    /// [`DEFAULT_JSON_PADDING`]), each with the context `template` gives it.
    /// A template field that is missing, null, not a scalar, or among the
    /// values being sealed is [`Error::InvalidTemplate`], as is a template
    /// without `{pointer}` for more than one value. Nothing is returned on error.
    pub fn seal_record(
        &self,
        json: &str,
        pointers: &[&str],
        template: &ContextTemplate,
    ) -> Result<String> {
        seal(
            self,
            json,
            pointers,
            Contexts::Template(template),
            DEFAULT_JSON_PADDING,
        )
    }

    /// As [`Sealer::seal_record`], padding to a multiple of `pad_to` bytes
    /// (0 or 1: none; at most 65536).
    pub fn seal_record_padded(
        &self,
        json: &str,
        pointers: &[&str],
        template: &ContextTemplate,
        pad_to: usize,
    ) -> Result<String> {
        seal(self, json, pointers, Contexts::Template(template), pad_to)
    }
}

impl Opener {
    /// Opens the values at `pointers` of the record `json` sealed by
    /// [`Sealer::seal_record`] with `template` (exactly those, as
    /// [`Opener::open_json_text`]).
    pub fn open_record(
        &self,
        json: &str,
        pointers: &[&str],
        template: &ContextTemplate,
    ) -> Result<Zeroizing<String>> {
        open_at(self, json, pointers, Contexts::Template(template))
    }

    /// Opens every sealed string of the record `json` (as
    /// [`Opener::open_json_text_all`]), with `template`'s contexts.
    pub fn open_record_all(
        &self,
        json: &str,
        template: &ContextTemplate,
    ) -> Result<Zeroizing<String>> {
        open_all(self, json, Contexts::Template(template))
    }

    /// Re-seals to `to` the values at `pointers` of the record `json`
    /// (sealed with `template`), leaving those already on `to`'s key as they
    /// are (decided from the key id, without opening them); each keeps its
    /// context and its padded plaintext. All or nothing: on any error no
    /// record is returned.
    pub fn reseal_record(
        &self,
        json: &str,
        pointers: &[&str],
        template: &ContextTemplate,
        to: &Sealer,
    ) -> Result<ResealedRecord> {
        reseal(self, to, json, Some(pointers), Contexts::Template(template))
    }

    /// As [`Opener::reseal_record`], for every sealed string of the record.
    pub fn reseal_record_all(
        &self,
        json: &str,
        template: &ContextTemplate,
        to: &Sealer,
    ) -> Result<ResealedRecord> {
        reseal(self, to, json, None, Contexts::Template(template))
    }
}
