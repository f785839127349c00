//! JSON Pointer (RFC 6901) with one extension: a `*` token stands for every
//! element of an array. On an object, `*` is refused: RFC 6901 would read
//! it as the member named "*" and silently leave every other member clear.

use crate::json::Value;
use crate::{Error, Result};

/// A parsed pointer: its unescaped reference tokens.
pub(crate) fn parse(pointer: &str) -> Result<Vec<String>> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer.strip_prefix('/').ok_or_else(|| syntax(pointer))?;
    rest.split('/').map(|t| unescape(t, pointer)).collect()
}

fn unescape(token: &str, pointer: &str) -> Result<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return Err(syntax(pointer)),
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn syntax(pointer: &str) -> Error {
    Error::InvalidPointer(format!(
        "{pointer:?} is not RFC 6901 syntax (\"\" or \"/\"-separated tokens, ~0 and ~1 escapes)"
    ))
}

/// The pointer text of concrete tokens.
pub(crate) fn to_text(tokens: &[String]) -> String {
    let mut text = String::with_capacity(tokens.iter().map(|t| t.len() + 1).sum());
    for token in tokens {
        text.push('/');
        for c in token.chars() {
            match c {
                '~' => text.push_str("~0"),
                '/' => text.push_str("~1"),
                c => text.push(c),
            }
        }
    }
    text
}

fn array_index(token: &str, len: usize) -> Option<usize> {
    let canonical =
        token == "0" || (!token.starts_with('0') && token.bytes().all(|b| b.is_ascii_digit()));
    if !canonical || token.is_empty() {
        return None;
    }
    token.parse::<usize>().ok().filter(|i| *i < len)
}

/// Every concrete path `tokens` names in `doc`, wildcards expanded in order.
/// A concrete token that does not exist is an error naming where.
pub(crate) fn expand(doc: &Value, tokens: &[String]) -> Result<Vec<Vec<String>>> {
    let mut found = Vec::new();
    let mut path = Vec::new();
    expand_into(doc, tokens, &mut path, &mut found)?;
    Ok(found)
}

fn expand_into(
    value: &Value,
    tokens: &[String],
    path: &mut Vec<String>,
    found: &mut Vec<Vec<String>>,
) -> Result<()> {
    let Some((token, rest)) = tokens.split_first() else {
        found.push(path.clone());
        return Ok(());
    };
    let missing = |path: &Vec<String>| {
        let mut p = path.clone();
        p.push(token.clone());
        Error::PathNotFound(to_text(&p))
    };
    match value {
        Value::Array(items) if token == "*" => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                expand_into(item, rest, path, found)?;
                path.pop();
            }
            Ok(())
        }
        Value::Array(items) => {
            let i = array_index(token, items.len()).ok_or_else(|| missing(path))?;
            path.push(token.clone());
            expand_into(&items[i], rest, path, found)?;
            path.pop();
            Ok(())
        }
        Value::Object(_) if token == "*" => Err(Error::InvalidPointer(format!(
            "`*` matches array elements, but the value at {:?} is an object",
            to_text(path)
        ))),
        Value::Object(_) => {
            let member = value.get(token).ok_or_else(|| missing(path))?;
            path.push(token.clone());
            expand_into(member, rest, path, found)?;
            path.pop();
            Ok(())
        }
        _ => Err(missing(path)),
    }
}

/// The value at the concrete path `tokens` (RFC 6901: an array index is
/// canonical decimal, so `01` and `+1` name nothing).
pub(crate) fn get<'a>(doc: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens.iter().try_fold(doc, |v, token| match v {
        Value::Array(items) => items.get(array_index(token, items.len())?),
        Value::Object(_) => v.get(token),
        _ => None,
    })
}

/// The value at a concrete path (one `expand` returned).
pub(crate) fn get_mut<'a>(doc: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(doc, |v, token| match v {
        Value::Array(items) => {
            let len = items.len();
            items.get_mut(array_index(token, len)?)
        }
        Value::Object(_) => v.get_mut(token),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn parses_rfc6901_escapes() {
        assert_eq!(parse("").unwrap(), Vec::<String>::new());
        assert_eq!(parse("/a~1b/m~0n/").unwrap(), vec!["a/b", "m~n", ""]);
        assert!(parse("a").is_err());
        assert!(parse("/a~2").is_err());
        assert!(parse("/a~").is_err());
        assert_eq!(to_text(&parse("/a~1b/m~0n").unwrap()), "/a~1b/m~0n");
    }

    #[test]
    fn expands_wildcards_and_reports_missing() {
        let doc = json::parse(r#"{"p": [{"ssn": 1}, {"ssn": 2}], "*": {"x": 0}}"#).unwrap();
        let paths = expand(&doc, &parse("/p/*/ssn").unwrap()).unwrap();
        assert_eq!(
            paths.iter().map(|p| to_text(p)).collect::<Vec<_>>(),
            ["/p/0/ssn", "/p/1/ssn"]
        );
        assert!(matches!(
            expand(&doc, &parse("/*/x").unwrap()),
            Err(Error::InvalidPointer(_))
        ));
        assert_eq!(
            expand(&doc, &parse("/p/*/dob").unwrap()).unwrap_err(),
            Error::PathNotFound("/p/0/dob".into())
        );
        assert!(expand(&doc, &parse("/p/01/ssn").unwrap()).is_err());
        assert!(expand(&doc, &parse("/p/2/ssn").unwrap()).is_err());
        assert!(expand(&doc, &parse("/p/-").unwrap()).is_err());
    }
}
