//! The JSON enseal reads and writes: keys, keysets, keyrings and documents.
//!
//! Own code rather than serde_json because the web package pays for every byte
//! (serde_json with serde's messages was ~29 KB of the gzipped wasm, most of it
//! float parsing and printing enseal never needs). It is strict RFC 8259 with
//! the I-JSON (RFC 7493) rules that matter for sealing: a duplicate member
//! name or an unpaired surrogate is refused, so no two readers of a document
//! can disagree on which value was sealed. Numbers stay the text they were
//! written as (no float round trip: a 20-digit account number comes back
//! exactly). Its output matches serde_json's byte for byte, compact and
//! pretty; the tests check both against serde_json.
//!
//! Strings and numbers are wiped when dropped: opened documents hold plaintext.

use zeroize::Zeroizing;

/// Arrays and objects nest fewer than this many levels deep (as in serde_json).
const MAX_DEPTH: usize = 128;

/// A parsed JSON value. Objects keep their members in document order.
/// No `Debug` outside tests: values are often plaintext.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub(crate) enum Value {
    Null,
    Bool(bool),
    /// The number's text, checked against the RFC 8259 grammar.
    Number(Zeroizing<String>),
    String(Zeroizing<String>),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Why a text is not JSON enseal accepts; callers turn it into their own error.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Invalid;

impl Value {
    /// A string value.
    pub(crate) fn string(text: impl Into<String>) -> Value {
        Value::String(Zeroizing::new(text.into()))
    }

    /// The member `name` of an object.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The member `name` of an object, mutably.
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(members) => members.iter_mut().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string value.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether any string in this value (at any depth) passes `test`.
    pub(crate) fn any_string(&self, test: &impl Fn(&str) -> bool) -> bool {
        match self {
            Value::String(s) => test(s),
            Value::Array(items) => items.iter().any(|v| v.any_string(test)),
            Value::Object(members) => members.iter().any(|(_, v)| v.any_string(test)),
            _ => false,
        }
    }

    /// A number that is a whole number in `u64` range, written without fraction or exponent.
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }
}

/// Parses one JSON text.
pub(crate) fn parse(text: &str) -> Result<Value, Invalid> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = parser.value(0)?;
    parser.skip_space();
    if parser.at == parser.bytes.len() {
        Ok(value)
    } else {
        Err(Invalid)
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Result<Value, Invalid> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(Invalid)
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Invalid> {
        self.skip_space();
        match self.peek().ok_or(Invalid)? {
            b'n' => self.literal(b"null", Value::Null),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => self.array(depth + 1),
            b'{' => self.object(depth + 1),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Invalid),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, Invalid> {
        if depth >= MAX_DEPTH {
            return Err(Invalid);
        }
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_space();
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(Invalid);
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, Invalid> {
        if depth >= MAX_DEPTH {
            return Err(Invalid);
        }
        self.at += 1;
        let mut members: Vec<(String, Value)> = Vec::new();
        self.skip_space();
        if self.eat(b'}') {
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(Invalid);
            }
            let mut token = self.string()?;
            let name = core::mem::take(&mut *token);
            // `token` now owns no allocation: skip the wipe of nothing. (The
            // name itself is not wiped when dropped: member names are not
            // treated as secret, SECURITY.md; a name inside a sealed object
            // is plaintext, so a caller keeps secrets out of names.)
            debug_assert_eq!(token.capacity(), 0);
            core::mem::forget(token);
            self.skip_space();
            if !self.eat(b':') {
                return Err(Invalid);
            }
            let value = self.value(depth)?;
            members.push((name, value));
            self.skip_space();
            if self.eat(b'}') {
                break;
            }
            if !self.eat(b',') {
                return Err(Invalid);
            }
        }
        if has_duplicate_name(&members) {
            return Err(Invalid);
        }
        Ok(Value::Object(members))
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Value, Invalid> {
        let start = self.at;
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return Err(Invalid);
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(Invalid);
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _ = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return Err(Invalid);
            }
        }
        // ASCII by construction.
        let text = core::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| Invalid)?;
        Ok(Value::Number(Zeroizing::new(text.to_owned())))
    }

    /// A string token; the cursor is on its opening quote.
    fn string(&mut self) -> Result<Zeroizing<String>, Invalid> {
        self.at += 1;
        // Most strings (sealed values above all) have no escape: find the
        // first quote, backslash or control byte; a quote means the token is
        // plain text to copy whole.
        let rest = &self.bytes[self.at..];
        let stop = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .ok_or(Invalid)?;
        if rest[stop] == b'"' {
            // A slice of a &str that ends before an ASCII quote: valid UTF-8.
            let text = core::str::from_utf8(&rest[..stop]).map_err(|_| Invalid)?;
            self.at += stop + 1;
            return Ok(Zeroizing::new(text.to_owned()));
        }
        // The decoded text is never longer than the raw token: size it once,
        // so a secret is never left behind in a reallocated buffer.
        let raw_len = self.bytes[self.at..]
            .iter()
            .scan(false, |escaped, &b| {
                let end = b == b'"' && !*escaped;
                *escaped = b == b'\\' && !*escaped;
                Some(end)
            })
            .position(|end| end)
            .ok_or(Invalid)?;
        let mut out = Zeroizing::new(Vec::with_capacity(raw_len));
        let end = self.at + raw_len;
        while self.at < end {
            let b = self.bytes[self.at];
            self.at += 1;
            match b {
                b'\\' => self.escape(&mut out)?,
                0..=0x1f => return Err(Invalid),
                _ => out.push(b),
            }
        }
        self.at += 1;
        // The input is a &str and escapes write whole characters: UTF-8 stays valid.
        let text = String::from_utf8(core::mem::take(&mut *out)).map_err(|_| Invalid)?;
        // `out` is now empty with no allocation: nothing to wipe, and its
        // wipe on drop (a call per string) was a fifth of a record's time.
        debug_assert_eq!(out.capacity(), 0);
        core::mem::forget(out);
        Ok(Zeroizing::new(text))
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), Invalid> {
        let b = self.peek().ok_or(Invalid)?;
        self.at += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        if !(self.eat(b'\\') && self.eat(b'u')) {
                            return Err(Invalid);
                        }
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(Invalid);
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(Invalid),
                    _ => first,
                };
                char::from_u32(code).ok_or(Invalid)?
            }
            _ => return Err(Invalid),
        };
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Invalid> {
        let digits = self.bytes.get(self.at..self.at + 4).ok_or(Invalid)?;
        self.at += 4;
        digits.iter().try_fold(0, |acc, &d| {
            let v = (d as char).to_digit(16).ok_or(Invalid)?;
            Ok(acc << 4 | v)
        })
    }
}

fn has_duplicate_name(members: &[(String, Value)]) -> bool {
    if members.len() <= 8 {
        return members
            .iter()
            .enumerate()
            .any(|(i, (name, _))| members[..i].iter().any(|(other, _)| other == name));
    }
    // A set, not a sort: a sort's code came to ~3 KB more in the wasm.
    let mut names = std::collections::BTreeSet::new();
    !members.iter().all(|(name, _)| names.insert(name.as_str()))
}

/// Compact JSON text, as serde_json's `to_string` writes it.
pub(crate) fn to_string(value: &Value) -> Zeroizing<String> {
    write_sized(value, None)
}

/// The text of JSON that holds no secret (public keys, keysets, sealed
/// documents), taken out of its wiping wrapper without a copy.
pub(crate) fn public_text(mut text: Zeroizing<String>) -> String {
    core::mem::take(&mut *text)
}

/// Compact JSON text of a value that holds no secret (a sealed document):
/// one pass into a buffer of about `capacity` bytes, since a reallocation
/// leaves nothing secret behind.
pub(crate) fn to_public_string(value: &Value, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    write(value, None, &mut out);
    out
}

/// Indented JSON text (two spaces), as serde_json's `to_string_pretty` writes it.
pub(crate) fn to_string_pretty(value: &Value) -> Zeroizing<String> {
    write_sized(value, Some(0))
}

/// Measures the text first so the buffer holding it never reallocates (and
/// never leaves a copy of a secret behind). `dyn Sink`: one copy of the
/// writer in the wasm, not one per sink.
fn write_sized(value: &Value, indent: Option<usize>) -> Zeroizing<String> {
    let mut counter = Counter(0);
    write(value, indent, &mut counter);
    let mut out = Zeroizing::new(String::with_capacity(counter.0));
    write(value, indent, &mut *out);
    out
}

trait Sink {
    fn put(&mut self, text: &str);
}

struct Counter(usize);

impl Sink for Counter {
    fn put(&mut self, text: &str) {
        self.0 += text.len();
    }
}

impl Sink for String {
    fn put(&mut self, text: &str) {
        self.push_str(text);
    }
}

fn write(value: &Value, indent: Option<usize>, out: &mut dyn Sink) {
    match value {
        Value::Null => out.put("null"),
        Value::Bool(true) => out.put("true"),
        Value::Bool(false) => out.put("false"),
        Value::Number(n) => out.put(n),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            write_list(items.iter().map(|v| (None, v)), ['[', ']'], indent, out);
        }
        Value::Object(members) => write_list(
            members.iter().map(|(k, v)| (Some(k.as_str()), v)),
            ['{', '}'],
            indent,
            out,
        ),
    }
}

fn write_list<'v>(
    entries: impl ExactSizeIterator<Item = (Option<&'v str>, &'v Value)>,
    brackets: [char; 2],
    indent: Option<usize>,
    out: &mut dyn Sink,
) {
    let empty = entries.len() == 0;
    out.put(brackets[0].encode_utf8(&mut [0; 4]));
    let inner = indent.map(|level| level + 1);
    for (i, (name, value)) in entries.enumerate() {
        if i > 0 {
            out.put(",");
        }
        newline(inner, out);
        if let Some(name) = name {
            write_string(name, out);
            out.put(if indent.is_some() { ": " } else { ":" });
        }
        write(value, inner, out);
    }
    if !empty {
        newline(indent, out);
    }
    out.put(brackets[1].encode_utf8(&mut [0; 4]));
}

fn newline(indent: Option<usize>, out: &mut dyn Sink) {
    if let Some(level) = indent {
        out.put("\n");
        for _ in 0..level {
            out.put("  ");
        }
    }
}

fn write_string(text: &str, out: &mut dyn Sink) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.put("\"");
    // Most strings (sealed values above all) need no escape: one check
    // without an early exit, which the compiler vectorizes, then one copy.
    let needs_escape = text.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if !needs_escape {
        out.put(text);
        out.put("\"");
        return;
    }
    let mut plain_from = 0;
    for (i, b) in text.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.put(&text[plain_from..i]);
        plain_from = i + 1;
        if short.is_empty() {
            let code = [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ];
            // Six ASCII bytes.
            out.put(core::str::from_utf8(&code).unwrap_or_default());
        } else {
            out.put(short);
        }
    }
    out.put(&text[plain_from..]);
    out.put("\"");
}

#[cfg(test)]
mod tests;
