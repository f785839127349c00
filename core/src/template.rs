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
//! A field's value is its text (a string as it is, a number as written,
//! `true`/`false`), with `~` written `~0` and `/` written `~1` (the JSON
//! Pointer escapes), so a value never adds a path segment: the id `8812/ssn`
//! cannot make one record's context equal another's. A missing field, `null`,
//! an object or an array is an error, never an empty string.

use crate::context::Context;
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
                    if name.is_empty() || name.contains('{') {
                        return Err(invalid(format!(
                            "{template:?}: '{{' at byte {at} holds no field name"
                        )));
                    }
                    if name.starts_with('/') {
                        pointer::parse(name)
                            .map_err(|_| invalid(format!("{{{name}}} is not a JSON Pointer")))?;
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
            field(name).map(str::to_owned).ok_or_else(|| missing(name))
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
                    .map(|(_, text)| text.clone())
                    .ok_or_else(|| missing(name))
            })
        })
    }

    /// Refuses sealing (or re-sealing) the values at `paths` of one record
    /// with this template when the template reads one of them (it would be
    /// unreadable to whoever opens), or gives them all one context.
    pub(crate) fn check_paths(&self, paths: &[Vec<String>]) -> Result<()> {
        if paths.len() > 1 && !self.has_pointer() {
            return Err(invalid(format!(
                "{:?} has no {{pointer}}, so the {} values of a record would share one context",
                self.source,
                paths.len()
            )));
        }
        for name in self.fields() {
            let tokens = field_tokens(name)?;
            let overlaps = |p: &&Vec<String>| p.starts_with(&tokens) || tokens.starts_with(p);
            if let Some(path) = paths.iter().find(overlaps) {
                return Err(invalid(format!(
                    "field {{{name}}} is read by the template but {} is being sealed",
                    pointer::to_text(path)
                )));
            }
        }
        Ok(())
    }

    fn render_with(
        &self,
        pointer: &str,
        mut field: impl FnMut(&str) -> Result<String>,
    ) -> Result<Context<'static>> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Pointer => out.push_str(pointer),
                Part::Field(name) => escape_into(&mut out, &field(name)?),
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
    let value = tokens
        .iter()
        .try_fold(record, |value, token| match value {
            Value::Object(_) => value.get(token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        })
        .ok_or_else(|| missing(name))?;
    match value {
        Value::String(text) => Ok(text.to_string()),
        Value::Number(text) => Ok(text.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err(invalid(format!("field {{{name}}} is null"))),
        Value::Array(_) | Value::Object(_) => Err(invalid(format!(
            "field {{{name}}} is not a string, number or boolean"
        ))),
    }
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
            ctx("{site}:{/patient/mrn}:{ok}{pointer}", r, "/a/0").unwrap(),
            "north:A-1:true/a/0"
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
            ("a{b{c}", "no field name"),
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
        let t = ContextTemplate::parse("p/{id}{pointer}").unwrap();
        let path = |p: &str| pointer::parse(p).unwrap();
        t.check_paths(&[path("/ssn"), path("/dx")]).unwrap();
        let e = t.check_paths(&[path("/ssn"), path("/id")]).unwrap_err();
        assert!(
            e.to_string().contains("{id} is read by the template"),
            "{e}"
        );
        let no_pointer = ContextTemplate::parse("p/{id}/ssn").unwrap();
        no_pointer.check_paths(&[path("/ssn")]).unwrap();
        let e = no_pointer
            .check_paths(&[path("/ssn"), path("/dx")])
            .unwrap_err();
        assert!(e.to_string().contains("no {pointer}"), "{e}");
    }
}
