//! Context templates (docs/FORMAT.md §7.1): the context of each value of a
//! record, computed from the record's own fields, e.g.
//! `patients/{id}{pointer}` gives `patients/8812/ssn` for the value at `/ssn`
//! of a record whose `id` is 8812. One rule for every language, the CLI and
//! column pipelines, so that a value sealed by one opens in any other.
//!
//! - `{pointer}` is the JSON Pointer of the value being sealed (`/ssn`,
//!   `/visits/0/code`); for a table column `c` it is `/c`, so a CSV row and
//!   the same record as JSON give the same contexts.
//! - `{name}` is the record's top-level field `name` (a JSON member, a column);
//!   `{/a/b}` is the value at JSON Pointer `/a/b` of the record.
//! - `{{` and `}}` are literal braces; everything else is literal text.
//!
//! - A field's value is its text (a string as it is, a number as written,
//!   `true`/`false`; so `8812` and `"8812"` give the same context, as a CSV
//!   cell and a JSON number must), with `~` written `~0` and `/` written `~1`
//!   (the JSON Pointer escapes), so a value never holds a `/`. A missing
//!   field, `null`, an object, an array, or a sealed string is an error,
//!   never an empty string or a ciphertext.
//! - So that no two records render to one context, each `{field}` must be
//!   followed by the end, by `{pointer}`, or by literal text that starts
//!   with `/`, and `{pointer}` (at most one) by the end or by such text: a
//!   rendered context then splits back into its fields one way only.
//!   `{site}:{id}` and `{pointer}{id}` are refused (`a:b` + `c` and `a` +
//!   `b:c` would meet).

use crate::context::Context;
use crate::format::TEXT_PREFIX;
use crate::json::{self, Value};
use crate::{Error, Result, pointer};

/// A parsed context template. Parse once, render per value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextTemplate {
    source: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// A record field as written between the braces (`id`, `/patient/id`).
    Field(String),
    /// The JSON Pointer of the value the context is for.
    Pointer,
}

impl ContextTemplate {
    /// Parses `template`. [`Error::InvalidTemplate`] names the problem: an
    /// unclosed `{`, a lone `}`, an empty `{}`, or a `{/…}` that is not RFC
    /// 6901 syntax.
    pub fn parse(template: &str) -> Result<ContextTemplate> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = template.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => {
                    return Err(invalid(format!(
                        "{template:?}: lone '}}' at byte {at} (write '}}}}' for a literal brace)"
                    )));
                }
                '{' => {
                    let rest = &template[at + 1..];
                    let Some(len) = rest.find('}') else {
                        return Err(invalid(format!(
                            "{template:?}: '{{' at byte {at} is never closed"
                        )));
                    };
                    let name = &rest[..len];
                    if name.is_empty() {
                        return Err(invalid(format!(
                            "{template:?}: '{{' at byte {at} holds no field name"
                        )));
                    }
                    if name.contains('{') {
                        return Err(invalid(format!(
                            "{template:?}: '{{' at byte {at} holds another '{{' (write '{{{{' for a literal brace)"
                        )));
                    }
                    if name.starts_with('/') && pointer::parse(name).is_err() {
                        return Err(invalid(format!(
                            "{template:?}: {{{name}}} at byte {at} is not a JSON Pointer"
                        )));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(core::mem::take(&mut literal)));
                    }
                    parts.push(if name == "pointer" {
                        Part::Pointer
                    } else {
                        Part::Field(name.to_owned())
                    });
                    for _ in 0..name.chars().count() + 1 {
                        chars.next();
                    }
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        check_unambiguous(template, &parts)?;
        Ok(ContextTemplate {
            source: template.to_owned(),
            parts,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The record fields the template reads, as written (`id`, `/patient/id`), in order.
    pub fn fields(&self) -> Vec<&str> {
        self.parts
            .iter()
            .filter_map(|part| match part {
                Part::Field(name) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Whether the template has `{pointer}`, i.e. gives each value of a
    /// record its own context. Sealing more than one value of a record with
    /// a template without it is refused: the values could be swapped.
    pub fn has_pointer(&self) -> bool {
        self.parts.contains(&Part::Pointer)
    }

    /// The context of the value at `pointer`, with each field's text from
    /// `field` (called with the field as written; `None`: the record has no
    /// such field, [`Error::InvalidTemplate`]).
    pub fn render<'v>(
        &self,
        pointer: &str,
        mut field: impl FnMut(&str) -> Option<&'v str>,
    ) -> Result<Context<'static>> {
        self.render_with(pointer, |name| {
            let text = field(name).ok_or_else(|| missing(name))?;
            clear_text(name, text)
        })
    }

    /// The context of the value at `pointer` of the JSON record `record`
    /// (an object), its fields read from the record.
    pub fn render_json(&self, record: &str, pointer: &str) -> Result<Context<'static>> {
        let record =
            json::parse(record).map_err(|_| Error::InvalidJson("record is not valid JSON"))?;
        self.renderer(&record)?(pointer)
    }

    /// The contexts of `record`'s values: the fields are read once, up front,
    /// and checked, so that a record that cannot fill the template fails
    /// before anything of it is sealed or opened.
    pub(crate) fn renderer<'t>(
        &'t self,
        record: &Value,
    ) -> Result<impl Fn(&str) -> Result<Context<'static>> + 't> {
        let values = self
            .fields()
            .into_iter()
            .map(|name| field_text(record, name).map(|text| (name, text)))
            .collect::<Result<Vec<_>>>()?;
        Ok(move |pointer: &str| {
            self.render_with(pointer, |name| {
                values
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, text)| text.as_str())
                    .ok_or_else(|| missing(name))
            })
        })
    }

    /// Refuses sealing the values at `paths` (from `pointers`) of the record
    /// `doc` when the template reads one of them or anything inside one (an
    /// opener could not read it), and, for a template without `{pointer}`,
    /// unless exactly one value is sealed: one pointer without `*`, in a
    /// record that holds no other sealed value. Decided from the pointers,
    /// so a record passes or fails whatever its arrays hold.
    pub(crate) fn check_sealing(
        &self,
        pointers: &[&str],
        paths: &[Vec<String>],
        doc: &Value,
    ) -> Result<()> {
        if !self.has_pointer() {
            let one = match pointers {
                [only] => !only.split('/').any(|token| token == "*"),
                _ => false,
            };
            if !one || doc.any_string(&|s| s.starts_with(TEXT_PREFIX)) {
                return Err(invalid(format!(
                    "{:?} has no {{pointer}}: it can give only one value of a record its context \
                     (one pointer, no `*`, no other sealed value in the record)",
                    self.source
                )));
            }
        }
        self.check_reads_clear(paths)
    }

    /// Refuses a template that reads one of `paths` (or a value inside or around one).
    pub(crate) fn check_reads_clear(&self, paths: &[Vec<String>]) -> Result<()> {
        for name in self.fields() {
            let tokens = field_tokens(name)?;
            let overlaps = |p: &&Vec<String>| p.starts_with(&tokens) || tokens.starts_with(p);
            if let Some(path) = paths.iter().find(overlaps) {
                return Err(invalid(format!(
                    "field {{{name}}} is read by the template but {} is sealed",
                    pointer::to_text(path)
                )));
            }
        }
        Ok(())
    }

    fn render_with<'v>(
        &self,
        pointer: &str,
        mut field: impl FnMut(&str) -> Result<&'v str>,
    ) -> Result<Context<'static>> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Pointer => out.push_str(pointer),
                Part::Field(name) => escape_into(&mut out, field(name)?),
            }
        }
        Ok(Context::owned(out.into_bytes()))
    }
}

impl core::str::FromStr for ContextTemplate {
    type Err = Error;
    fn from_str(template: &str) -> Result<ContextTemplate> {
        ContextTemplate::parse(template)
    }
}

impl core::fmt::Display for ContextTemplate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.source)
    }
}

/// The reference tokens of a field as written: `id` is `["id"]`.
fn field_tokens(name: &str) -> Result<Vec<String>> {
    if name.starts_with('/') {
        pointer::parse(name)
    } else {
        Ok(vec![name.to_owned()])
    }
}

/// The text of field `name` of `record`.
fn field_text(record: &Value, name: &str) -> Result<String> {
    let tokens = field_tokens(name)?;
    let value = pointer::get(record, &tokens).ok_or_else(|| missing(name))?;
    match value {
        Value::String(text) => clear_text(name, text).map(str::to_owned),
        Value::Number(text) => Ok(text.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err(invalid(format!("field {{{name}}} is null"))),
        Value::Array(_) | Value::Object(_) => Err(invalid(format!(
            "field {{{name}}} is not a string, number or boolean"
        ))),
    }
}

/// `text`, the value of field `name`, unless it is sealed: a context is
/// made of clear fields only (whoever opens must be able to read them).
fn clear_text<'t>(name: &str, text: &'t str) -> Result<&'t str> {
    if text.starts_with(TEXT_PREFIX) {
        return Err(invalid(format!(
            "field {{{name}}} holds a sealed value: a template reads clear fields only"
        )));
    }
    Ok(text)
}

/// The rule that makes rendering one-to-one (module docs): after a field,
/// the end, `{pointer}` or text starting with `/`; after `{pointer}`, the
/// end or text starting with `/`; one `{pointer}` at most.
fn check_unambiguous(template: &str, parts: &[Part]) -> Result<()> {
    if parts.iter().filter(|p| **p == Part::Pointer).count() > 1 {
        return Err(invalid(format!("{template:?} has {{pointer}} twice")));
    }
    for (i, part) in parts.iter().enumerate() {
        let separated = match parts.get(i + 1) {
            None => true,
            Some(Part::Literal(text)) => text.starts_with('/'),
            Some(Part::Pointer) => matches!(part, Part::Field(_)),
            Some(Part::Field(_)) => false,
        };
        let what = match part {
            Part::Literal(_) => continue,
            Part::Field(name) => format!("{{{name}}}"),
            Part::Pointer => "{pointer}".to_owned(),
        };
        if !separated {
            return Err(invalid(format!(
                "{template:?}: {what} must be followed by the end, by {{pointer}} or by text \
                 starting with '/' (else two records could render one context)"
            )));
        }
    }
    Ok(())
}

fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

fn missing(name: &str) -> Error {
    invalid(format!("the record has no field {{{name}}}"))
}

fn invalid(what: String) -> Error {
    Error::InvalidTemplate(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(template: &str, record: &str, pointer: &str) -> Result<String> {
        let t = ContextTemplate::parse(template)?;
        let c = t.render_json(record, pointer)?;
        Ok(String::from_utf8(c.into_bytes()).unwrap())
    }

    #[test]
    fn renders_fields_and_pointer() {
        let r = r#"{"id":8812,"site":"north","patient":{"mrn":"A-1"},"ok":true}"#;
        assert_eq!(
            ctx("patients/{id}{pointer}", r, "/ssn").unwrap(),
            "patients/8812/ssn"
        );
        assert_eq!(
            ctx("{site}/{/patient/mrn}/{ok}{pointer}", r, "/a/0").unwrap(),
            "north/A-1/true/a/0"
        );
        assert_eq!(ctx("{{literal}} {id}", r, "/x").unwrap(), "{literal} 8812");
        assert_eq!(ctx("fixed", r, "/x").unwrap(), "fixed");
    }

    #[test]
    fn a_value_cannot_add_a_path_segment() {
        let r = r#"{"id":"8812/ssn~x"}"#;
        assert_eq!(
            ctx("patients/{id}{pointer}", r, "/dx").unwrap(),
            "patients/8812~1ssn~0x/dx"
        );
    }

    #[test]
    fn render_with_a_lookup_matches_render_json() {
        let t = ContextTemplate::parse("patients/{id}{pointer}").unwrap();
        let c = t
            .render("/ssn", |name| (name == "id").then_some("88/12"))
            .unwrap();
        assert_eq!(c, t.render_json(r#"{"id":"88/12"}"#, "/ssn").unwrap());
        let e = t.render("/ssn", |_| Some("enseal1.x")).unwrap_err();
        assert!(e.to_string().contains("holds a sealed value"), "{e}");
        let e = t.render("/ssn", |_| None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "context template: the record has no field {id}"
        );
    }

    #[test]
    fn malformed_templates_are_refused() {
        for (bad, says) in [
            ("patients/{id", "never closed"),
            ("patients/id}", "lone '}'"),
            ("patients/{}", "no field name"),
            ("a{b{c}", "holds another"),
            ("{/a~2}", "not a JSON Pointer"),
        ] {
            let e = ContextTemplate::parse(bad).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidTemplate, "{bad}");
            assert!(e.to_string().contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn records_that_cannot_fill_it_are_refused() {
        for (record, says) in [
            (r#"{"name":"x"}"#, "no field {id}"),
            (r#"{"id":null}"#, "{id} is null"),
            (r#"{"id":[1]}"#, "not a string, number or boolean"),
            (r#"{"id":{"a":1}}"#, "not a string, number or boolean"),
        ] {
            let e = ctx("p/{id}{pointer}", record, "/x").unwrap_err();
            assert!(e.to_string().contains(says), "{record}: {e}");
        }
        let e = ctx("p/{id}", "[1", "/x").unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::InvalidJson);
    }

    #[test]
    fn paths_checked_against_the_template() {
        let t = ContextTemplate::parse("p/{id}/{/patient/mrn}{pointer}").unwrap();
        let path = |p: &str| pointer::parse(p).unwrap();
        let doc = json::parse(r#"{"id":1,"patient":{"mrn":"m"},"ssn":"s","dx":"d"}"#).unwrap();
        let clear = |ps: &[&str]| {
            let paths: Vec<_> = ps.iter().map(|p| path(p)).collect();
            t.check_sealing(ps, &paths, &doc)
        };
        clear(&["/ssn", "/dx"]).unwrap();
        for (sealing, says) in [
            (
                &["/ssn", "/id"][..],
                "{id} is read by the template but /id is sealed",
            ),
            // The field lies inside a sealed value, and a sealed value inside a field.
            (
                &["/patient"],
                "{/patient/mrn} is read by the template but /patient is sealed",
            ),
            (
                &["/patient/mrn/x"],
                "{/patient/mrn} is read by the template",
            ),
        ] {
            let e = clear(sealing).unwrap_err();
            assert!(e.to_string().contains(says), "{sealing:?}: {e}");
        }

        let no_pointer = ContextTemplate::parse("p/{id}/ssn").unwrap();
        let one = |ps: &[&str], doc: &str| {
            let doc = json::parse(doc).unwrap();
            let paths: Vec<_> = ps.iter().map(|p| path(p)).collect();
            no_pointer.check_sealing(ps, &paths, &doc)
        };
        one(&["/ssn"], r#"{"id":1,"ssn":"s"}"#).unwrap();
        for (ps, doc) in [
            (&["/ssn", "/dx"][..], r#"{"id":1,"ssn":"s","dx":"d"}"#),
            // Refused whatever the array holds: one element today, two tomorrow.
            (&["/v/*/n"], r#"{"id":1,"v":[{"n":1}]}"#),
            // A second call on an already sealed record would give two values one context.
            (&["/dx"], r#"{"id":1,"ssn":"enseal1.x","dx":"d"}"#),
        ] {
            let e = one(ps, doc).unwrap_err();
            assert!(e.to_string().contains("no {pointer}"), "{ps:?}: {e}");
        }
    }

    #[test]
    fn ambiguous_templates_are_refused() {
        for bad in [
            "{site}:{id}{pointer}",
            "{pointer}{id}",
            "{a}{b}",
            "{a}-x",
            "{pointer}x",
            "{pointer}/{pointer}",
            "{a}{{x",
        ] {
            let e = ContextTemplate::parse(bad).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidTemplate, "{bad}");
        }
        for good in [
            "{a}/{b}{pointer}",
            "{pointer}/{id}",
            "x:{a}",
            "{a}",
            "p{pointer}/s",
        ] {
            ContextTemplate::parse(good).unwrap();
        }
    }
}
