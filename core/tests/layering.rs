//! The core's modules form no import cycle: each module uses only modules
//! below it, so each can be read (and changed) knowing only those. The graph
//! is read from the sources: every `crate::module` path, and every name the
//! crate root re-exports, counts as a use of the module that defines it.
//! Unit tests inside a module (`#[cfg(test)] mod tests`) do not count.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Module path (`format`, `format::constants`) → its code, without unit
/// tests and comments. A directory's `mod.rs` is the directory's module;
/// its other files are its submodules.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut files = Vec::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let dir = path.file_name().unwrap().to_string_lossy().into_owned();
            for inner in fs::read_dir(&path).unwrap() {
                let inner = inner.unwrap().path();
                match inner.file_stem().unwrap().to_string_lossy().as_ref() {
                    "tests" => {}
                    "mod" => files.push((dir.clone(), inner)),
                    stem => files.push((format!("{dir}::{stem}"), inner)),
                }
            }
        } else {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if stem != "lib" && stem != "test_support" {
                files.push((stem, path));
            }
        }
    }
    files
        .into_iter()
        .map(|(name, file)| {
            let mut text = fs::read_to_string(file).unwrap();
            if let Some(at) = text.find("#[cfg(test)]\nmod tests") {
                text.truncate(at);
            }
            // Comments (doc links included) name modules without using them.
            let code: Vec<&str> = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .map(|line| line.split(" // ").next().unwrap_or(line))
                .collect();
            (name, code.join("\n"))
        })
        .collect()
}

/// Names the crate root re-exports (`pub use module::{A, B}`), by module.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for line in lib.lines().filter_map(|l| l.strip_prefix("pub use ")) {
        let (module, rest) = line.split_once("::").unwrap();
        let list = rest
            .trim_end_matches(';')
            .trim_matches(|c| c == '{' || c == '}');
        for name in list.split(',') {
            names.insert(name.trim().to_string(), module.to_string());
        }
    }
    names.insert("Result".into(), "error".into());
    names
}

/// The modules `text` uses.
fn uses(
    text: &str,
    modules: &BTreeSet<String>,
    reexports: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let resolve = |name: &str, used: &mut BTreeSet<String>| {
        let name = name.trim();
        if modules.contains(name) {
            used.insert(name.to_string());
        } else if let Some(module) = reexports.get(name) {
            used.insert(module.clone());
        }
    };
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let list = &list[..list.find('}').unwrap()];
            list.split(',').for_each(|name| resolve(name, &mut used));
        } else {
            // The longest module path that names a module: `format::constants`, else `format`.
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let path: Vec<&str> = rest[..end].split("::").collect();
            let named = (1..=path.len())
                .rev()
                .map(|n| path[..n].join("::"))
                .find(|candidate| modules.contains(candidate));
            resolve(named.as_deref().unwrap_or(path[0]), &mut used);
        }
    }
    used
}

#[test]
fn core_modules_form_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let reexports = reexports(&fs::read_to_string(src.join("lib.rs")).unwrap());
    let graph: BTreeMap<&str, BTreeSet<String>> = modules
        .iter()
        .map(|(name, text)| {
            let mut used = uses(text, &names, &reexports);
            used.remove(name);
            (name.as_str(), used)
        })
        .collect();
    // Depth-first search; a module met again while on the path closes a cycle.
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<&str, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node);
            cycles.push(cycle.join(" -> "));
            return;
        }
        if !done.insert(node) {
            return;
        }
        path.push(node);
        for next in &graph[node] {
            visit(next, graph, path, done, cycles);
        }
        path.pop();
    }
    let (mut done, mut cycles) = (BTreeSet::new(), Vec::new());
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(
        cycles.is_empty(),
        "import cycles in core:\n{}",
        cycles.join("\n")
    );
    // The graph is real: the sealer is built on the session, the format and the keys.
    assert!(graph["sealer"].contains("session") && graph["sealer"].contains("format"));
    assert!(graph["document"].contains("sealer") && !graph["sealer"].contains("document"));
}
