//! The Python exception classes (`python/enseal/_errors.py`) and their types
//! (`python/enseal/__init__.pyi`) against core's one list, `ErrorCode::ALL`,
//! in both directions: every code has its class (`DECRYPT_FAILED` ->
//! `DecryptFailedError`) with its number, name and summary as docstring, and
//! no class is left without a code. (The uniffi error enum, from which the
//! Kotlin and Swift errors are generated, is held to the same list by the unit
//! test in `src/error.rs`.)

#![allow(clippy::panic)] // a test file: a failed check panics, with what failed

use enseal_core::ErrorCode;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, PartialEq)]
struct Class {
    code: String,
    name: String,
    doc: String,
}

/// Every `class XError(EnsealError):` of a Python file, with the values of its
/// `code` and `name` lines and its one-line docstring.
fn classes(path: &str) -> BTreeMap<String, Class> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut found = BTreeMap::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("class ") else {
            continue;
        };
        let Some(class) = rest.strip_suffix("(EnsealError):") else {
            continue;
        };
        let mut body = Class {
            code: String::new(),
            name: String::new(),
            doc: String::new(),
        };
        while let Some(next) = lines.peek() {
            if !(next.starts_with("    ") || next.is_empty()) {
                break;
            }
            let next = lines.next().unwrap_or_default().trim();
            if let Some(doc) = next.strip_prefix("\"\"\"") {
                body.doc = doc.trim_end_matches("\"\"\"").to_string();
            } else if let Some((key, value)) = next.split_once('=') {
                let key = key.trim().split(':').next().unwrap_or_default().trim();
                let value = value.trim().trim_matches('"').to_string();
                match key {
                    "code" => body.code = value,
                    "name" => body.name = value,
                    _ => {}
                }
            } else if let Some(typed) = next.strip_prefix("code: ClassVar[Literal[") {
                body.code = typed.trim_end_matches("]]").to_string();
            } else if let Some(typed) = next.strip_prefix("name: ClassVar[Literal[") {
                body.name = typed.trim_end_matches("]]").trim_matches('"').to_string();
            }
        }
        assert!(
            found.insert(class.to_string(), body).is_none(),
            "{path}: {class} twice"
        );
    }
    found
}

fn class_name(code: ErrorCode) -> String {
    let camel: String = code
        .name()
        .split('_')
        .map(|w| w[..1].to_string() + &w[1..].to_lowercase())
        .collect();
    camel + "Error"
}

fn check(path: &str) {
    let mut found = classes(path);
    for code in ErrorCode::ALL {
        let name = class_name(code);
        let class = found
            .remove(&name)
            .unwrap_or_else(|| panic!("{path}: no class {name} for {}", code.name()));
        let want = Class {
            code: code.as_u16().to_string(),
            name: code.name().to_string(),
            doc: code.summary().to_string(),
        };
        assert_eq!(class, want, "{path}: {name}");
    }
    assert!(
        found.is_empty(),
        "{path}: classes without a core code: {found:?}"
    );
}

#[test]
fn the_python_exception_classes_are_the_core_codes() {
    check("python/enseal/_errors.py");
}

#[test]
fn the_python_stubs_list_the_same_classes() {
    check("python/enseal/__init__.pyi");
}
