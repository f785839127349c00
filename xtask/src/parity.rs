//! `cargo xtask parity`: the operation table in docs/API.md (between
//! `<!-- parity:begin -->` and `<!-- parity:end -->`) against the public API
//! each language's users read, both ways: what the table names and a binding
//! lacks, and what a binding has and the table does not name.
//!
//! What is read, per language (no hand-kept second list anywhere):
//! - Rust: `core/src`, from `lib.rs` along the `mod` declarations that a
//!   default build compiles: `pub fn` / `pub const` of inherent `impl` blocks,
//!   and the free functions and constants at the crate root (`pub use`).
//!   Trait impls (and `#[derive]`s) satisfy a name the table gives
//!   (`Keyring::clone`) but are never reported as extra: `Display`, `From`,
//!   `Drop` are the language's protocols, not operations. Only the types the
//!   table names are compared (the value types `Suite`, `KeyId`, `Context`…
//!   are the other languages' strings and enums); items under a `cfg` that a
//!   default build leaves out (`test`, `hazmat`, `test-vectors`) do not count.
//! - C: `bindings/c/include/enseal.h`: the `enseal_*` prototypes, and the
//!   fields of a struct the table names (`enseal_sealed_info.kid`).
//!   `enseal_<type>_free` stands for one `_free` per opaque handle type.
//! - Python: the stubs `bindings/uniffi/python/enseal/*.pyi`.
//! - Kotlin: the file uniffi generates (by `cargo xtask kotlin-test`, under
//!   target/kotlin/gen) plus `bindings/uniffi/kotlin/org/enseal/EnsealExtensions.kt`.
//! - Swift: the file uniffi generates (target/swift/Sources/Enseal.swift).
//! - JavaScript: the `.d.ts` files of the npm package as packed under
//!   target/npm/enseal (by `cargo xtask web-build`), from the `types` of each
//!   entry in its package.json `exports`: the main entry, and `enseal/x25519`.
//!
//! In every language, error types (exceptions, `ErrorCode`) are checked for
//! the names the table gives only: their members and subclasses are the error
//! codes, which have their own single source and check. Record and enum
//! types the table does not name are listed, not compared.

use crate::{Result, root};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Which of the six languages; the order of the table's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Lang {
    Rust,
    C,
    Python,
    Kotlin,
    Swift,
    JavaScript,
}

impl Lang {
    const ALL: [Lang; 6] = [
        Lang::Rust,
        Lang::C,
        Lang::Python,
        Lang::Kotlin,
        Lang::Swift,
        Lang::JavaScript,
    ];

    fn column(self) -> &'static str {
        match self {
            Lang::Rust => "Rust",
            Lang::C => "C",
            Lang::Python => "Python",
            Lang::Kotlin => "Kotlin",
            Lang::Swift => "Swift",
            Lang::JavaScript => "JavaScript",
        }
    }
}

/// One public name: the type it belongs to (`None`: a free function,
/// constant or type) and the member (`"()"`: the type's constructor).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Name {
    owner: Option<String>,
    member: String,
}

const CTOR: &str = "()";

impl Name {
    fn free(member: &str) -> Self {
        Name {
            owner: None,
            member: member.to_string(),
        }
    }

    fn of(owner: &str, member: &str) -> Self {
        Name {
            owner: Some(owner.to_string()),
            member: member.to_string(),
        }
    }

    /// As the language writes it.
    fn show(&self, lang: Lang) -> String {
        match (&self.owner, self.member.as_str()) {
            (None, m) => m.to_string(),
            (Some(t), CTOR) if lang == Lang::JavaScript => format!("new {t}"),
            (Some(t), CTOR) => format!("{t}()"),
            (Some(t), m) if lang == Lang::Rust => format!("{t}::{m}"),
            (Some(t), m) => format!("{t}.{m}"),
        }
    }
}

/// What a type is, which decides whether its members are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An object with operations (a class, an opaque C handle): compared in full.
    Handle,
    /// A record or enum: compared only when the table names it.
    Record,
    /// An error type: only the names the table gives are looked for.
    Error,
}

/// A language's public API as read from its sources.
#[derive(Debug, Default)]
struct Api {
    names: BTreeSet<Name>,
    types: BTreeMap<String, Kind>,
    /// Names that exist but are not the binding's own operations (trait impls,
    /// the language's built-ins): they satisfy the table, never count as extra.
    implied: BTreeSet<Name>,
}

impl Api {
    fn add_type(&mut self, name: &str, kind: Kind) {
        // A type seen twice (a Kotlin class and its extension functions) keeps
        // the stronger kind: an error stays an error, a handle a handle.
        let entry = self.types.entry(name.to_string()).or_insert(kind);
        if *entry == Kind::Record && kind != Kind::Record {
            *entry = kind;
        }
    }

    fn merge(&mut self, other: Api) {
        self.names.extend(other.names);
        self.implied.extend(other.implied);
        for (t, k) in other.types {
            self.add_type(&t, k);
        }
    }
}

// ---------------------------------------------------------------------------
// The table

#[derive(Debug)]
struct Row {
    operation: String,
    /// One list of names per language, in `Lang::ALL` order; empty for `—`.
    cells: Vec<Vec<String>>,
}

fn parse_table(md: &str) -> Result<Vec<Row>> {
    let begin = md
        .find("<!-- parity:begin -->")
        .ok_or("docs/API.md: no `<!-- parity:begin -->` marker")?;
    let end = md[begin..]
        .find("<!-- parity:end -->")
        .map(|e| begin + e)
        .ok_or("docs/API.md: no `<!-- parity:end -->` after the begin marker")?;
    let first_line = md[..begin].lines().count() + 1;
    let mut lines = md[begin..end]
        .lines()
        .enumerate()
        .skip(1)
        .map(|(n, l)| (first_line + n, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let (_, header) = lines
        .next()
        .ok_or("docs/API.md: the parity table is empty")?;
    let columns: Vec<&str> = split_row(header);
    let mut index = Vec::new();
    for lang in Lang::ALL {
        let at = columns
            .iter()
            .position(|c| *c == lang.column())
            .ok_or_else(|| {
                format!(
                    "docs/API.md: the parity table has no `{}` column",
                    lang.column()
                )
            })?;
        index.push(at);
    }
    let mut rows = Vec::new();
    for (line, text) in lines {
        let cells = split_row(text);
        if cells
            .iter()
            .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue; // the |---|---| line
        }
        if cells.len() != columns.len() {
            return Err(format!(
                "docs/API.md:{line}: {} cells where the header has {}",
                cells.len(),
                columns.len()
            ));
        }
        let mut names = Vec::new();
        for (lang, at) in Lang::ALL.iter().zip(&index) {
            names.push(
                parse_cell(cells[*at])
                    .map_err(|e| format!("docs/API.md:{line}, {}: {e}", lang.column()))?,
            );
        }
        rows.push(Row {
            operation: cells[0].to_string(),
            cells: names,
        });
    }
    Ok(rows)
}

fn split_row(line: &str) -> Vec<&str> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(str::trim).collect()
}

/// A cell: backticked names separated by commas, or `—` for none.
fn parse_cell(cell: &str) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for (i, part) in cell.split('`').enumerate() {
        if i % 2 == 1 {
            if part.trim().is_empty() {
                return Err("an empty name".into());
            }
            names.push(part.trim().to_string());
        } else if !part
            .chars()
            .all(|c| c == ',' || c == '—' || c.is_whitespace())
        {
            return Err(format!(
                "{part:?} is not a backticked name (write `—` for none)"
            ));
        }
    }
    if cell.split('`').count().is_multiple_of(2) {
        return Err(format!("unbalanced backticks in {cell:?}"));
    }
    if names.is_empty() && !cell.contains('—') {
        return Err("an empty cell (write `—` when the operation does not exist)".into());
    }
    Ok(names)
}

/// What a table name asks for.
#[derive(Debug, PartialEq)]
enum Wanted {
    /// `Type.member`, `Type::member`, `Type()`, `new Type`.
    Member(Name),
    /// A bare name: a free function, a type, or a member every object has (`free`, `close`).
    Bare(String),
    /// `enseal_<type>_free`: one per handle type.
    PerType { prefix: String, suffix: String },
}

fn wanted(name: &str) -> Wanted {
    if let (Some(a), Some(b)) = (name.find("<type>"), name.find('>')) {
        return Wanted::PerType {
            prefix: name[..a].to_string(),
            suffix: name[b + 1..].to_string(),
        };
    }
    if let Some(t) = name.strip_prefix("new ") {
        return Wanted::Member(Name::of(t.trim(), CTOR));
    }
    if let Some(t) = name.strip_suffix("()") {
        return Wanted::Member(Name::of(t, CTOR));
    }
    if let Some((t, m)) = name.split_once("::").or_else(|| name.split_once('.')) {
        return Wanted::Member(Name::of(t, m));
    }
    Wanted::Bare(name.to_string())
}

// ---------------------------------------------------------------------------
// Comparison

#[derive(Debug, Default, PartialEq)]
struct Diff {
    /// (name as written, the operation it is in the table for)
    missing: Vec<(String, String)>,
    /// The table rows (by index) with something missing.
    missing_rows: BTreeSet<usize>,
    extra: Vec<String>,
    /// Record and enum types the table does not name (listed, not compared).
    unlisted: Vec<String>,
}

fn compare(lang: Lang, rows: &[Row], api: &Api) -> Diff {
    let col = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
    let mut covered: BTreeSet<Name> = BTreeSet::new();
    let mut named_types: BTreeSet<String> = BTreeSet::new();
    let mut diff = Diff::default();
    let has = |n: &Name| api.names.contains(n) || api.implied.contains(n);
    for (index, row) in rows.iter().enumerate() {
        for cell in &row.cells[col] {
            let mut missing = |n: String| {
                diff.missing_rows.insert(index);
                if !diff.missing.iter().any(|(m, _)| *m == n) {
                    diff.missing.push((n, row.operation.clone()));
                }
            };
            match wanted(cell) {
                Wanted::Member(n) => {
                    if let Some(t) = &n.owner {
                        named_types.insert(t.clone());
                    }
                    if has(&n) {
                        covered.insert(n);
                    } else {
                        missing(n.show(lang));
                    }
                }
                Wanted::Bare(m) => {
                    let free = Name::free(&m);
                    let members: Vec<&Name> = api
                        .names
                        .iter()
                        .filter(|n| n.owner.is_some() && n.member == m)
                        .collect();
                    if has(&free) {
                        covered.insert(free);
                    } else if !members.is_empty() {
                        covered.extend(members.into_iter().cloned());
                    } else if api.types.contains_key(&m) {
                        named_types.insert(m);
                    } else {
                        missing(m);
                    }
                }
                Wanted::PerType { prefix, suffix } => {
                    let handles: Vec<&String> = api
                        .types
                        .iter()
                        .filter(|(_, k)| **k == Kind::Handle)
                        .map(|(t, _)| t)
                        .collect();
                    if handles.is_empty() {
                        missing(cell.clone());
                    }
                    for t in handles {
                        let n = if t.starts_with(&prefix) {
                            format!("{t}{suffix}")
                        } else {
                            format!("{prefix}{t}{suffix}")
                        };
                        let n = Name::free(&n);
                        if has(&n) {
                            covered.insert(n);
                        } else {
                            missing(n.member.clone());
                        }
                    }
                }
            }
        }
    }
    for n in &api.names {
        if covered.contains(n) {
            continue;
        }
        let compared = match &n.owner {
            None => !api.types.contains_key(&n.member),
            Some(t) => match api.types.get(t) {
                Some(Kind::Error) => false,
                Some(Kind::Handle) => true,
                Some(Kind::Record) | None => named_types.contains(t),
            },
        };
        if compared {
            diff.extra.push(n.show(lang));
        }
    }
    for (t, k) in &api.types {
        if *k == Kind::Record && !named_types.contains(t) {
            diff.unlisted.push(t.clone());
        }
    }
    diff
}

// ---------------------------------------------------------------------------
// A tokenizer for the brace languages (Rust, C, Kotlin, Swift, TypeScript):
// comments, strings and preprocessor lines are dropped; what is left is
// identifiers and punctuation, enough to follow declarations and nesting.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    Rust,
    C,
    Kotlin,
    Swift,
    Ts,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Id(String),
    /// A string literal's contents (escapes left as written).
    Str(String),
    /// A number or character literal.
    Lit,
    P(char),
}

impl Tok {
    fn is(&self, s: &str) -> bool {
        matches!(self, Tok::Id(x) if x == s)
    }
    fn id(&self) -> Option<&str> {
        match self {
            Tok::Id(x) => Some(x),
            _ => None,
        }
    }
}

fn tokenize(src: &str, syntax: Syntax) -> Vec<Tok> {
    let b: Vec<char> = src.chars().collect();
    let at = |i: usize| b.get(i).copied().unwrap_or('\0');
    let mut toks = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let was_line_start = line_start;
        line_start = false;
        if c == '/' && at(i + 1) == '/' {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let nests = matches!(syntax, Syntax::Rust | Syntax::Kotlin | Syntax::Swift);
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && at(i + 1) == '*' && (nests || depth == 0) {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '#' && syntax == Syntax::C && was_line_start {
            while i < b.len() && b[i] != '\n' {
                if b[i] == '\\' && at(i + 1) == '\n' {
                    i += 1;
                }
                i += 1;
            }
        } else if c == '"'
            && at(i + 1) == '"'
            && at(i + 2) == '"'
            && matches!(syntax, Syntax::Kotlin | Syntax::Swift)
        {
            let start = i + 3;
            i = start;
            while i < b.len() && !(b[i] == '"' && at(i + 1) == '"' && at(i + 2) == '"') {
                i += 1;
            }
            toks.push(Tok::Str(b[start..i.min(b.len())].iter().collect()));
            i += 3;
        } else if c == '"'
            || (c == '\'' && syntax == Syntax::Ts)
            || (c == '`' && syntax == Syntax::Ts)
        {
            let (s, next) = quoted(&b, i);
            toks.push(Tok::Str(s));
            i = next;
        } else if c == '\'' && matches!(syntax, Syntax::C | Syntax::Kotlin) {
            let (_, next) = quoted(&b, i);
            toks.push(Tok::Lit);
            i = next;
        } else if c == '\'' && syntax == Syntax::Rust {
            // A character literal ('a', '\n', '\u{1F600}'), or a lifetime ('a).
            if at(i + 1) == '\\' || at(i + 2) == '\'' {
                let (_, next) = quoted(&b, i);
                toks.push(Tok::Lit);
                i = next;
            } else {
                toks.push(Tok::P('\''));
                i += 1;
            }
        } else if syntax == Syntax::Rust
            && (c == 'r' || c == 'b')
            && rust_raw_start(&b, i).is_some()
        {
            let (s, next) = rust_raw_start(&b, i).unwrap_or_default();
            toks.push(Tok::Str(s));
            i = next;
        } else if c == '`' && matches!(syntax, Syntax::Kotlin | Syntax::Swift) {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i] != '`' && b[i] != '\n' {
                i += 1;
            }
            toks.push(Tok::Id(b[start..i].iter().collect()));
            i += 1;
        } else if c.is_alphabetic() || c == '_' || (c == '$' && syntax == Syntax::Ts) {
            let start = i;
            while i < b.len()
                && (b[i].is_alphanumeric() || b[i] == '_' || (b[i] == '$' && syntax == Syntax::Ts))
            {
                i += 1;
            }
            toks.push(Tok::Id(b[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while i < b.len()
                && (b[i].is_alphanumeric()
                    || b[i] == '_'
                    || (b[i] == '.' && at(i + 1).is_ascii_digit()))
            {
                i += 1;
            }
            toks.push(Tok::Lit);
        } else {
            toks.push(Tok::P(c));
            i += 1;
        }
    }
    toks
}

/// A quoted literal starting at `b[i]` (its quote character), with backslash escapes.
fn quoted(b: &[char], i: usize) -> (String, usize) {
    let q = b[i];
    let mut j = i + 1;
    let mut s = String::new();
    while j < b.len() && b[j] != q {
        if b[j] == '\\' && j + 1 < b.len() {
            s.push(b[j]);
            j += 1;
        }
        s.push(b[j]);
        j += 1;
    }
    (s, j + 1)
}

/// Rust's `r"…"`, `r#"…"#`, `b"…"`, `br#"…"#` at `b[i]`: the contents and the index after.
fn rust_raw_start(b: &[char], i: usize) -> Option<(String, usize)> {
    let mut j = i;
    if b.get(j) == Some(&'b') {
        j += 1;
    }
    let raw = b.get(j) == Some(&'r');
    if raw {
        j += 1;
    }
    if j == i {
        return None;
    }
    let mut hashes = 0;
    while raw && b.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if b.get(j) != Some(&'"') {
        return None;
    }
    if !raw {
        let (s, next) = quoted(b, j);
        return Some((s, next));
    }
    let start = j + 1;
    let mut k = start;
    while k < b.len() {
        if b[k] == '"' && (1..=hashes).all(|h| b.get(k + h) == Some(&'#')) {
            return Some((b[start..k].iter().collect(), k + 1 + hashes));
        }
        k += 1;
    }
    Some((b[start..].iter().collect(), b.len()))
}

/// `toks[i]` opens `(`, `[` or `{`: the index after its match.
fn skip_balanced(toks: &[Tok], i: usize) -> usize {
    let mut depth = 0usize;
    let mut j = i;
    while j < toks.len() {
        match toks[j] {
            Tok::P('(' | '[' | '{') => depth += 1,
            Tok::P(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    toks.len()
}

// ---------------------------------------------------------------------------
// Rust

#[derive(Debug, Default)]
struct RustScan {
    /// `mod name;` declarations a default build compiles: (name, is `pub`).
    mods: Vec<String>,
    inherent: Vec<(String, String)>,
    /// (type, method) from trait impls and derives.
    traits: Vec<(String, String)>,
    types: Vec<String>,
    /// `pub fn`, `pub const`, `pub static` at module level.
    free: Vec<String>,
    /// `pub use` items: the module path and the name exported (`*` for a glob).
    uses: Vec<(Vec<String>, String)>,
}

#[derive(Clone)]
enum RustCtx {
    Module,
    Impl { ty: String, is_trait: bool },
}

/// Whether an attribute leaves its item out of a default, non-test build.
fn rust_cfg_excluded(attr: &[Tok], defaults: &[String]) -> bool {
    if attr.first().is_some_and(|t| t.is("doc")) {
        return attr.iter().any(|t| t.is("hidden"));
    }
    if !attr.first().is_some_and(|t| t.is("cfg")) || attr.iter().any(|t| t.is("not")) {
        return false;
    }
    if attr.iter().any(|t| t.is("test") || t.is("doctest")) {
        return true;
    }
    attr.windows(3).any(|w| {
        matches!((&w[0], &w[1], &w[2]), (Tok::Id(f), Tok::P('='), Tok::Str(name)) if f == "feature" && !defaults.contains(name))
    })
}

fn rust_derives(attr: &[Tok]) -> Vec<&'static str> {
    if !attr.first().is_some_and(|t| t.is("derive")) {
        return Vec::new();
    }
    attr.iter()
        .filter_map(|t| match t.id()? {
            "Clone" => Some("clone"),
            "Default" => Some("default"),
            "PartialEq" => Some("eq"),
            "Debug" => Some("fmt"),
            "Hash" => Some("hash"),
            "PartialOrd" => Some("partial_cmp"),
            "Ord" => Some("cmp"),
            _ => None,
        })
        .collect()
}

/// Skips one item from `i`: to just after its `;`, or after its `{ … }` body.
fn rust_skip_item(toks: &[Tok], mut i: usize, end: usize) -> usize {
    while i < end {
        match toks[i] {
            Tok::P('(' | '[') => i = skip_balanced(toks, i),
            Tok::P('{') => return skip_balanced(toks, i),
            Tok::P(';') => return i + 1,
            _ => i += 1,
        }
    }
    end
}

fn rust_items(
    toks: &[Tok],
    mut i: usize,
    end: usize,
    ctx: &RustCtx,
    defaults: &[String],
    scan: &mut RustScan,
) {
    while i < end {
        let mut attrs: Vec<&[Tok]> = Vec::new();
        while i < end && toks[i] == Tok::P('#') {
            let mut j = i + 1;
            if toks.get(j) == Some(&Tok::P('!')) {
                j += 1;
            }
            if toks.get(j) != Some(&Tok::P('[')) {
                break;
            }
            let close = skip_balanced(toks, j);
            attrs.push(&toks[j + 1..close.saturating_sub(1).max(j + 1)]);
            i = close;
        }
        if i >= end {
            break;
        }
        if toks[i] == Tok::P(';') {
            i += 1;
            continue;
        }
        let excluded = attrs.iter().any(|a| rust_cfg_excluded(a, defaults));
        let mut public = false;
        if toks[i].is("pub") {
            i += 1;
            if toks.get(i) == Some(&Tok::P('(')) {
                i = skip_balanced(toks, i);
            } else {
                public = true;
            }
        }
        while i < end {
            let t = &toks[i];
            let next_fn = toks
                .get(i + 1)
                .is_some_and(|n| n.is("fn") || matches!(n, Tok::Str(_)));
            if t.is("unsafe") || t.is("async") || t.is("default") || (t.is("const") && next_fn) {
                i += 1;
            } else if t.is("extern") && next_fn {
                i += if matches!(toks.get(i + 1), Some(Tok::Str(_))) {
                    2
                } else {
                    1
                };
            } else {
                break;
            }
        }
        if i >= end {
            break;
        }
        let keyword = toks[i].id().unwrap_or("").to_string();
        let name_at = |k: usize| toks.get(k).and_then(Tok::id).unwrap_or("").to_string();
        match keyword.as_str() {
            "fn" | "const" | "static" => {
                let mut k = i + 1;
                if toks.get(k).is_some_and(|t| t.is("mut")) {
                    k += 1;
                }
                let name = name_at(k);
                let next = rust_skip_item(toks, i, end);
                i = next;
                if excluded || name.is_empty() || name == "_" {
                    continue;
                }
                match ctx {
                    RustCtx::Module if public => scan.free.push(name),
                    RustCtx::Impl { ty, is_trait: true } => scan.traits.push((ty.clone(), name)),
                    RustCtx::Impl {
                        ty,
                        is_trait: false,
                    } if public => scan.inherent.push((ty.clone(), name)),
                    _ => {}
                }
            }
            "impl" => {
                let mut j = i + 1;
                let mut angle = 0i32;
                let mut header: Vec<&Tok> = Vec::new();
                while j < end {
                    match &toks[j] {
                        Tok::P('<') => angle += 1,
                        Tok::P('>')
                            if !matches!(toks.get(j.wrapping_sub(1)), Some(Tok::P('-'))) =>
                        {
                            angle -= 1
                        }
                        Tok::P('{') if angle == 0 => break,
                        Tok::P('(' | '[') => {
                            j = skip_balanced(toks, j);
                            continue;
                        }
                        _ => {}
                    }
                    header.push(&toks[j]);
                    j += 1;
                }
                let body_end = skip_balanced(toks, j);
                // `impl<G> Trait<X> for Type<G> where … {`: the type is the last
                // path segment outside angle brackets after `for` (or the only one).
                let mut depth = 0i32;
                let mut is_trait = false;
                let mut ty = String::new();
                for (n, t) in header.iter().enumerate() {
                    match t {
                        Tok::P('<') => depth += 1,
                        Tok::P('>') if !(n > 0 && *header[n - 1] == Tok::P('-')) => depth -= 1,
                        Tok::Id(w) if depth == 0 && w == "where" => break,
                        Tok::Id(w) if depth == 0 && w == "for" => {
                            is_trait = true;
                            ty.clear();
                        }
                        Tok::Id(w) if depth == 0 && w != "dyn" && w != "mut" => ty = w.clone(),
                        _ => {}
                    }
                }
                if !excluded && !ty.is_empty() && j < end {
                    let inner = RustCtx::Impl { ty, is_trait };
                    rust_items(
                        toks,
                        j + 1,
                        body_end.saturating_sub(1),
                        &inner,
                        defaults,
                        scan,
                    );
                }
                i = body_end;
            }
            "mod" => {
                let name = name_at(i + 1);
                match toks.get(i + 2) {
                    Some(Tok::P(';')) => {
                        if !excluded {
                            scan.mods.push(name);
                        }
                        i += 3;
                    }
                    Some(Tok::P('{')) => {
                        let close = skip_balanced(toks, i + 2);
                        if !excluded {
                            rust_items(
                                toks,
                                i + 3,
                                close.saturating_sub(1),
                                &RustCtx::Module,
                                defaults,
                                scan,
                            );
                        }
                        i = close;
                    }
                    _ => i = rust_skip_item(toks, i, end),
                }
            }
            "struct" | "enum" | "union" | "trait" | "type" => {
                let name = name_at(i + 1);
                if !excluded {
                    if public {
                        scan.types.push(name.clone());
                    }
                    for a in &attrs {
                        for m in rust_derives(a) {
                            scan.traits.push((name.clone(), m.to_string()));
                        }
                    }
                }
                i = rust_skip_item(toks, i, end);
            }
            "use" => {
                let next = rust_skip_item(toks, i, end);
                if public && !excluded {
                    let tree: Vec<Tok> = toks[i + 1..next - 1].to_vec();
                    let mut k = 0;
                    rust_use_tree(&tree, &mut k, &mut Vec::new(), &mut scan.uses);
                }
                i = next;
            }
            "macro_rules" => {
                let open = (i..end).find(|k| matches!(toks[*k], Tok::P('{' | '(' | '[')));
                i = open.map_or(end, |k| skip_balanced(toks, k));
            }
            _ => i = rust_skip_item(toks, i, end),
        }
    }
}

/// `a::b::{c, d as e, f::*}` into `(["a","b"], "c")`, `(["a","b"], "e")`, `(["a","b","f"], "*")`.
fn rust_use_tree(
    toks: &[Tok],
    k: &mut usize,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) {
    let depth = path.len();
    while *k < toks.len() {
        match &toks[*k] {
            Tok::Id(w) if toks.get(*k + 1) == Some(&Tok::P(':')) => {
                path.push(w.clone());
                *k += 3;
            }
            Tok::Id(w) => {
                let mut name = w.clone();
                *k += 1;
                if toks.get(*k).is_some_and(|t| t.is("as")) {
                    name = toks.get(*k + 1).and_then(Tok::id).unwrap_or("").to_string();
                    *k += 2;
                }
                out.push((path.clone(), name));
            }
            Tok::P('*') => {
                out.push((path.clone(), "*".into()));
                *k += 1;
            }
            Tok::P('{') => {
                *k += 1;
                rust_use_tree(toks, k, path, out);
            }
            Tok::P('}') => {
                *k += 1;
                path.truncate(depth);
                return;
            }
            Tok::P(',') => {
                *k += 1;
                path.truncate(depth);
            }
            _ => *k += 1,
        }
    }
}

fn rust_api(core: &Path) -> Result<Api> {
    let manifest = read(&core.join("Cargo.toml"))?;
    let defaults: Vec<String> = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("default ="))
        .map(|l| l.split('"').skip(1).step_by(2).map(String::from).collect())
        .unwrap_or_default();
    // Modules by name (the last path segment), from lib.rs along `mod` declarations.
    let mut modules: BTreeMap<String, RustScan> = BTreeMap::new();
    let mut queue = vec![(
        "crate".to_string(),
        core.join("src/lib.rs"),
        core.join("src"),
    )];
    while let Some((name, file, dir)) = queue.pop() {
        let toks = tokenize(&read(&file)?, Syntax::Rust);
        let mut scan = RustScan::default();
        rust_items(&toks, 0, toks.len(), &RustCtx::Module, &defaults, &mut scan);
        for m in &scan.mods {
            let flat = dir.join(format!("{m}.rs"));
            let (file, sub) = if flat.exists() {
                (flat, dir.join(m))
            } else {
                (dir.join(m).join("mod.rs"), dir.join(m))
            };
            queue.push((m.clone(), file, sub));
        }
        modules.entry(name).or_default().merge_from(scan);
    }
    let mut api = Api::default();
    for scan in modules.values() {
        for t in &scan.types {
            let kind = if t == "Error" || t == "ErrorCode" {
                Kind::Error
            } else {
                Kind::Record
            };
            api.add_type(t, kind);
        }
        for (t, m) in &scan.inherent {
            api.names.insert(Name::of(t, m));
        }
        for (t, m) in &scan.traits {
            api.implied.insert(Name::of(t, m));
        }
    }
    // The crate root: its own free items and what it re-exports.
    let root_scan = modules.get("crate");
    let mut free: BTreeSet<String> = root_scan
        .map(|s| s.free.iter().cloned().collect())
        .unwrap_or_default();
    for (path, name) in root_scan.map(|s| s.uses.as_slice()).unwrap_or_default() {
        let from = path
            .iter()
            .rev()
            .find(|p| *p != "self" && *p != "crate" && *p != "super");
        let module = from.and_then(|m| modules.get(m));
        if name == "*" {
            free.extend(module.map(|m| m.free.clone()).unwrap_or_default());
        } else if module.is_some_and(|m| m.free.contains(name))
            || (module.is_none() && modules.values().any(|m| m.free.contains(name)))
        {
            free.insert(name.clone());
        }
    }
    for f in free {
        api.names.insert(Name::free(&f));
    }
    // Every Rust value is released by `drop`; `std::mem::drop` is always there.
    api.implied.insert(Name::free("drop"));
    Ok(api)
}

impl RustScan {
    fn merge_from(&mut self, other: RustScan) {
        self.mods.extend(other.mods);
        self.inherent.extend(other.inherent);
        self.traits.extend(other.traits);
        self.types.extend(other.types);
        self.free.extend(other.free);
        self.uses.extend(other.uses);
    }
}

// ---------------------------------------------------------------------------
// C

fn c_api(header: &str) -> Api {
    let toks = tokenize(header, Syntax::C);
    let mut api = Api::default();
    let mut i = 0;
    // Struct fields by struct name, added as names only for the structs the table names.
    while i < toks.len() {
        // `extern "C" {` and its `}` (the `#ifdef __cplusplus` lines are gone).
        if toks[i].is("extern") && matches!(toks.get(i + 1), Some(Tok::Str(_))) {
            i += if toks.get(i + 2) == Some(&Tok::P('{')) {
                3
            } else {
                2
            };
            continue;
        }
        if matches!(toks[i], Tok::P('}' | ';')) {
            i += 1;
            continue;
        }
        // One declaration: to its `;` outside braces.
        let start = i;
        let mut body: Option<(usize, usize)> = None;
        while i < toks.len() && toks[i] != Tok::P(';') {
            if matches!(toks[i], Tok::P('{')) {
                let close = skip_balanced(&toks, i);
                body = Some((i + 1, close - 1));
                i = close;
            } else if matches!(toks[i], Tok::P('(' | '[')) {
                i = skip_balanced(&toks, i);
            } else {
                i += 1;
            }
        }
        let decl = &toks[start..i.min(toks.len())];
        i += 1;
        let is_typedef = decl.first().is_some_and(|t| t.is("typedef"));
        let aggregate = decl
            .iter()
            .position(|t| t.is("struct") || t.is("enum") || t.is("union"));
        // The declared name: the last identifier outside the braces (a typedef),
        // the tag (`struct x { … };`), or the function's name before its `(`.
        let after_body = body.map_or(0, |(_, e)| e + 1 - start);
        let open = decl.iter().position(|t| *t == Tok::P('('));
        if let (Some(open), false) = (open, is_typedef) {
            let name = open.checked_sub(1).and_then(|k| decl[k].id());
            if let Some(name) = name.filter(|n| n.starts_with("enseal_")) {
                api.names.insert(Name::free(name));
            }
            continue;
        }
        let name = if is_typedef {
            decl[after_body.max(1)..].iter().rev().find_map(Tok::id)
        } else {
            aggregate.and_then(|a| decl.get(a + 1)).and_then(Tok::id)
        };
        let Some(name) = name.filter(|n| n.starts_with("enseal_")) else {
            continue;
        };
        let is_struct = aggregate.is_some_and(|a| decl[a].is("struct"));
        match body {
            None if is_struct => api.add_type(name, Kind::Handle),
            Some((b, e)) if is_struct => {
                api.add_type(name, Kind::Record);
                for field in toks[b..e].split(|t| *t == Tok::P(';')) {
                    let end = field
                        .iter()
                        .position(|t| matches!(t, Tok::P('[' | ':')))
                        .unwrap_or(field.len());
                    if let Some(f) = field[..end].iter().rev().find_map(Tok::id) {
                        api.names.insert(Name::of(name, f));
                    }
                }
            }
            _ => api.add_type(name, Kind::Record),
        }
    }
    api
}

// ---------------------------------------------------------------------------
// Python stubs

/// Definitions in one `.pyi` file: names, types, and `from .x import …` lines.
#[derive(Debug, Default)]
struct PyModule {
    api: Api,
    /// (module, name, alias) from `from .module import name as alias`.
    imports: Vec<(String, String, String)>,
}

fn python_module(src: &str) -> PyModule {
    let mut out = PyModule::default();
    // Logical lines: comments and string literals out, bracketed continuations joined.
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut current = String::new();
    let mut indent = 0;
    let mut depth = 0i32;
    let b: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut at_line_start = true;
    while i < b.len() {
        let c = b[i];
        if at_line_start && depth == 0 {
            let mut n = 0;
            while i < b.len() && (b[i] == ' ' || b[i] == '\t') {
                n += 1;
                i += 1;
            }
            indent = n;
            at_line_start = false;
            continue;
        }
        match c {
            '#' => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '"' | '\'' => {
                let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                let mut j = if triple { i + 3 } else { i + 1 };
                while j < b.len() {
                    if b[j] == '\\' {
                        j += 2;
                        continue;
                    }
                    if b[j] == c
                        && (!triple || (b.get(j + 1) == Some(&c) && b.get(j + 2) == Some(&c)))
                    {
                        break;
                    }
                    j += 1;
                }
                current.push_str("''");
                i = j + if triple { 3 } else { 1 };
            }
            '\n' => {
                if depth == 0 {
                    if !current.trim().is_empty() {
                        lines.push((indent, current.trim().to_string()));
                    }
                    current.clear();
                    at_line_start = true;
                } else {
                    current.push(' ');
                }
                i += 1;
            }
            '\\' if b.get(i + 1) == Some(&'\n') => i += 2,
            _ => {
                if "([{".contains(c) {
                    depth += 1;
                } else if ")]}".contains(c) {
                    depth -= 1;
                }
                current.push(c);
                i += 1;
            }
        }
    }
    if !current.trim().is_empty() {
        lines.push((indent, current.trim().to_string()));
    }

    enum Frame {
        Class(String),
        Skip,
        Transparent,
    }
    let mut stack: Vec<(usize, Frame)> = Vec::new();
    let mut decorators: Vec<String> = Vec::new();
    // Classes with a method (not only attributes and properties): the others are records.
    let mut with_methods: BTreeSet<String> = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (indent, line) in lines {
        while stack.last().is_some_and(|(n, _)| *n >= indent) {
            stack.pop();
        }
        if stack.iter().any(|(_, f)| matches!(f, Frame::Skip)) {
            continue;
        }
        let owner = stack.iter().rev().find_map(|(_, f)| match f {
            Frame::Class(c) => Some(c.clone()),
            _ => None,
        });
        if let Some(d) = line.strip_prefix('@') {
            decorators.push(d.to_string());
            continue;
        }
        let decos = std::mem::take(&mut decorators);
        let body_follows = line.ends_with(':');
        if let Some(rest) = line.strip_prefix("class ") {
            let name = ident(rest.trim());
            let bases = rest
                .split_once('(')
                .map(|(_, b)| b.trim_end_matches(':').trim_end_matches(')').to_string())
                .unwrap_or_default();
            let words: Vec<&str> = bases
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            let kind = if words.iter().any(|w| {
                *w == "Exception"
                    || *w == "BaseException"
                    || out.api.types.get(*w) == Some(&Kind::Error)
            }) {
                Kind::Error
            } else if decos.iter().any(|d| d.contains("dataclass"))
                || words.iter().any(|w| {
                    matches!(
                        *w,
                        "Enum"
                            | "IntEnum"
                            | "StrEnum"
                            | "Flag"
                            | "IntFlag"
                            | "NamedTuple"
                            | "TypedDict"
                            | "Protocol"
                    )
                })
            {
                Kind::Record
            } else {
                Kind::Handle
            };
            if owner.is_some() || name.starts_with('_') {
                // A nested or private class: not part of the API.
                stack.push((indent, Frame::Skip));
                continue;
            }
            out.api.add_type(&name, kind);
            stack.push((indent, Frame::Class(name)));
            continue;
        }
        let def = line
            .strip_prefix("def ")
            .or_else(|| line.strip_prefix("async def "));
        if let Some(rest) = def {
            let name = ident(rest);
            stack.push((indent, Frame::Skip));
            let property = decos.iter().any(|d| {
                d == "property"
                    || d.ends_with(".setter")
                    || d.ends_with(".getter")
                    || d.ends_with(".deleter")
            });
            if let (Some(c), false) = (&owner, property) {
                with_methods.insert(c.clone());
            }
            let visible = !name.starts_with('_') || matches!(name.as_str(), "__init__" | "__len__");
            if !visible {
                continue;
            }
            match &owner {
                Some(c) if name == "__init__" => out.api.names.insert(Name::of(c, CTOR)),
                Some(c) => out.api.names.insert(Name::of(c, &name)),
                None => out.api.names.insert(Name::free(&name)),
            };
            continue;
        }
        if let Some(rest) = line.strip_prefix("from ") {
            if let Some((module, names)) = rest.split_once(" import ") {
                // Only the package's own modules (`from ._native import …`), not `typing`.
                let Some(module) = module.trim().strip_prefix('.') else {
                    continue;
                };
                let module = module.to_string();
                for item in names
                    .trim_matches(|c| c == '(' || c == ')' || c == ' ')
                    .split(',')
                {
                    let mut words = item.split_whitespace();
                    let name = words.next().unwrap_or("").to_string();
                    let alias = match (words.next(), words.next()) {
                        (Some("as"), Some(a)) => a.to_string(),
                        _ => name.clone(),
                    };
                    if !name.is_empty() {
                        out.imports.push((module.clone(), name, alias));
                    }
                }
            }
            continue;
        }
        if body_follows {
            // `if TYPE_CHECKING:`, `else:`, `try:`…: the same scope goes on inside.
            stack.push((indent, Frame::Transparent));
            continue;
        }
        // `name: T`, `name: T = v`, `name = v`.
        let name = ident(&line);
        let rest = line[name.len()..].trim_start();
        if name.is_empty()
            || !(rest.starts_with(':') || (rest.starts_with('=') && !rest.starts_with("==")))
        {
            continue;
        }
        let is_alias = rest.starts_with(":") && rest.contains("TypeAlias");
        match &owner {
            Some(c) if !name.starts_with('_') => {
                out.api.names.insert(Name::of(c, &name));
            }
            None if name == "__version__" => {
                out.api.names.insert(Name::free(&name));
            }
            None if !name.starts_with('_') && !is_alias => {
                // `Suite = Literal[…]` (a capitalised assignment) is a type alias.
                let capital = name.chars().next().is_some_and(char::is_uppercase);
                if rest.starts_with(':') || !capital {
                    out.api.names.insert(Name::free(&name));
                }
            }
            _ => {}
        }
    }
    for (t, k) in out.api.types.iter_mut() {
        if *k == Kind::Handle && !with_methods.contains(t) {
            *k = Kind::Record;
        }
    }
    out
}

fn python_api(dir: &Path) -> Result<Api> {
    let mut modules: BTreeMap<String, PyModule> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "pyi") {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_string();
            modules.insert(stem, python_module(&read(&path)?));
        }
    }
    if modules.is_empty() {
        return Err(format!("no stubs (*.pyi) in {}", relative(dir)));
    }
    let mut api = Api::default();
    let mut imported: Vec<(String, String, String)> = Vec::new();
    for (stem, m) in &modules {
        if stem == "__init__" || !stem.starts_with('_') {
            imported.extend(m.imports.iter().cloned());
            let names = m.api.names.iter().cloned().collect::<Vec<_>>();
            api.names.extend(names);
            for (t, k) in &m.api.types {
                api.add_type(t, *k);
            }
        }
    }
    // `from ._native import Sealer as Sealer`: the class and its members, under the alias.
    for (module, name, alias) in imported {
        let Some(m) = modules.get(&module) else {
            continue;
        };
        let names: Vec<&String> = if name == "*" {
            m.api
                .types
                .keys()
                .chain(
                    m.api
                        .names
                        .iter()
                        .filter(|n| n.owner.is_none())
                        .map(|n| &n.member),
                )
                .filter(|n| !n.starts_with('_'))
                .collect()
        } else {
            vec![&name]
        };
        for n in names {
            let alias = if name == "*" {
                n.clone()
            } else {
                alias.clone()
            };
            if let Some(k) = m.api.types.get(n) {
                api.add_type(&alias, *k);
                for member in m
                    .api
                    .names
                    .iter()
                    .filter(|x| x.owner.as_deref() == Some(n.as_str()))
                {
                    api.names.insert(Name::of(&alias, &member.member));
                }
            } else if m.api.names.contains(&Name::free(n)) {
                api.names.insert(Name::free(&alias));
            }
        }
    }
    Ok(api)
}

// ---------------------------------------------------------------------------
// Kotlin and Swift

/// What kind of scope a `{` opened.
#[derive(Clone, Debug)]
enum Scope {
    File,
    /// The body of a type: its name, whether its members are read.
    Type(String, bool),
    /// A Kotlin `companion object` of a type: its members are the type's.
    Companion(String),
    /// A Swift `extension Type`.
    Extension(String),
    Block,
}

/// Reads Kotlin (`swift == false`) or Swift declarations. `generated`: the
/// file is uniffi's, where only the object classes (and records, enums,
/// errors) are API and the rest is plumbing.
fn kotlin_swift_api(src: &str, swift: bool, generated: bool) -> Api {
    let syntax = if swift { Syntax::Swift } else { Syntax::Kotlin };
    let toks = tokenize(src, syntax);
    let mut api = Api::default();
    let mut stack: Vec<Scope> = vec![Scope::File];
    // The scope the next `{` opens, set by the last declaration seen.
    let mut pending = Scope::Block;
    let mut modifiers: Vec<String> = Vec::new();
    let hidden_name = |n: &str| {
        n.starts_with("uniffi")
            || n.starts_with("Uniffi")
            || n.starts_with("FfiConverter")
            || n == "destroy"
    };
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let scope = stack.last().cloned().unwrap_or(Scope::File);
        match t {
            Tok::P('{') => {
                stack.push(std::mem::replace(&mut pending, Scope::Block));
                modifiers.clear();
                i += 1;
                continue;
            }
            Tok::P('}') => {
                if stack.len() > 1 {
                    stack.pop();
                }
                pending = Scope::Block;
                modifiers.clear();
                i += 1;
                continue;
            }
            Tok::P('@') => {
                // An annotation, `@Throws(X::class)`, `@unchecked`: skip it and its arguments.
                i += 2;
                if toks.get(i) == Some(&Tok::P('(')) {
                    i = skip_balanced(&toks, i);
                }
                continue;
            }
            _ => {}
        }
        let Some(word) = t.id() else {
            i += 1;
            continue;
        };
        if matches!(scope, Scope::Block) {
            i += 1;
            continue;
        }
        let after_colons = i >= 2 && toks[i - 1] == Tok::P(':') && toks[i - 2] == Tok::P(':');
        let after_dot = i >= 1 && toks[i - 1] == Tok::P('.');
        let next = toks.get(i + 1).and_then(Tok::id).unwrap_or("");
        const MODIFIERS: &[&str] = &[
            "companion",
            "public",
            "private",
            "internal",
            "protected",
            "fileprivate",
            "open",
            "override",
            "final",
            "abstract",
            "data",
            "enum",
            "sealed",
            "inner",
            "static",
            "convenience",
            "required",
            "suspend",
            "inline",
            "operator",
            "lateinit",
            "const",
            "indirect",
            "mutating",
            "nonisolated",
        ];
        let swift_enum = swift && word == "enum";
        if (MODIFIERS.contains(&word) && !swift_enum)
            || (word == "class" && swift && matches!(next, "func" | "var" | "let"))
        {
            modifiers.push(word.to_string());
            i += 1;
            continue;
        }
        let visible = if swift {
            modifiers.iter().any(|m| m == "public" || m == "open")
        } else {
            !modifiers
                .iter()
                .any(|m| matches!(m.as_str(), "private" | "internal" | "protected"))
        };
        let is_type_kw = matches!(
            word,
            "class" | "interface" | "object" | "struct" | "protocol" | "extension"
        ) || (swift && word == "enum");
        if is_type_kw && !after_colons && !after_dot {
            let kw = word;
            // `companion object`, `object : X {` (anonymous), `class Name`.
            let mut k = i + 1;
            let name = toks.get(k).and_then(Tok::id).unwrap_or("").to_string();
            if !name.is_empty() {
                k += 1;
            }
            // The header up to the body (or to where a bodiless declaration ends,
            // which a scan of declarations cannot see: the next keyword resets it).
            let mut header: Vec<&Tok> = Vec::new();
            let mut j = k;
            while j < toks.len() && toks[j] != Tok::P('{') && toks[j] != Tok::P('}') {
                if matches!(toks[j], Tok::P('(')) {
                    let close = skip_balanced(&toks, j);
                    header.extend(&toks[j..close]);
                    j = close;
                    continue;
                }
                if toks[j].id().is_some_and(|w| {
                    matches!(
                        w,
                        "fun"
                            | "func"
                            | "val"
                            | "var"
                            | "let"
                            | "class"
                            | "interface"
                            | "object"
                            | "struct"
                            | "enum"
                            | "init"
                            | "public"
                            | "private"
                            | "internal"
                            | "open"
                            | "extension"
                            | "protocol"
                    )
                }) && !matches!(toks[j - 1], Tok::P(':' | '.' | ',' | '<'))
                {
                    break;
                }
                header.push(&toks[j]);
                j += 1;
            }
            let has_body = toks.get(j) == Some(&Tok::P('{'));
            let header_has = |w: &str| header.iter().any(|t| t.is(w));
            let owner_type = match &scope {
                Scope::Type(n, _) | Scope::Companion(n) | Scope::Extension(n) => Some(n.clone()),
                _ => None,
            };
            let new_scope = if kw == "object"
                && (name == "object" || modifiers.iter().any(|m| m == "companion"))
            {
                owner_type.map_or(Scope::Block, Scope::Companion)
            } else if kw == "object" && name.is_empty() {
                Scope::Block
            } else if kw == "extension" && !hidden_name(&name) {
                Scope::Extension(name.clone())
            } else if kw == "extension"
                || kw == "interface"
                || kw == "protocol"
                || name.is_empty()
                || hidden_name(&name)
                || !visible
                // A nested type (an error's variants, `Keyring.NoHandle`): not API on its own.
                || owner_type.is_some()
            {
                Scope::Block
            } else {
                let error_base = header.iter().any(|t| {
                    t.id().is_some_and(|w| {
                        w == "Exception"
                            || w == "Error"
                            || w == "Throwable"
                            || api.types.get(w) == Some(&Kind::Error)
                    })
                });
                let kind = if error_base {
                    Kind::Error
                } else if modifiers.iter().any(|m| m == "data" || m == "enum")
                    || kw == "struct"
                    || word == "enum"
                {
                    Kind::Record
                } else if kw == "object" {
                    // A Kotlin `object`: in uniffi's file, plumbing; by hand, a namespace.
                    if generated {
                        Kind::Record
                    } else {
                        Kind::Handle
                    }
                } else if !generated
                    || header_has("AutoCloseable")
                    || header_has("Disposable")
                    || swift
                {
                    Kind::Handle
                } else {
                    Kind::Record
                };
                // In uniffi's Kotlin file a plain class with no handle is plumbing
                // (RustBuffer, InternalException): listed only if it is an object.
                let plumbing = generated
                    && !swift
                    && kind != Kind::Error
                    && !(header_has("AutoCloseable")
                        || header_has("Disposable")
                        || modifiers.iter().any(|m| m == "data" || m == "enum"));
                if plumbing {
                    Scope::Block
                } else {
                    api.add_type(&name, kind);
                    // A Kotlin primary constructor: `class X(…)`; a data class's are its fields.
                    if !swift && header.first() == Some(&&Tok::P('(')) {
                        if modifiers.iter().any(|m| m == "data") {
                            let close = header.iter().position(|t| **t == Tok::P(')')).unwrap_or(0);
                            let params = &header[..close];
                            for (n, t) in params.iter().enumerate() {
                                let field = params.get(n + 1).and_then(|p| p.id());
                                if let (true, Some(f)) = (t.is("val") || t.is("var"), field) {
                                    api.names.insert(Name::of(&name, f));
                                }
                            }
                        } else if kind == Kind::Handle {
                            api.names.insert(Name::of(&name, CTOR));
                        }
                    }
                    Scope::Type(name.clone(), true)
                }
            };
            pending = new_scope;
            modifiers.clear();
            i = if has_body { j } else { j.max(i + 1) };
            if !has_body {
                pending = Scope::Block;
            }
            continue;
        }
        let member_of = |scope: &Scope| match scope {
            Scope::Type(n, true) | Scope::Companion(n) | Scope::Extension(n) => Some(n.clone()),
            _ => None,
        };
        match word {
            "fun" | "func" | "val" | "var" | "let" if !after_dot => {
                // Kotlin extension members: `fun Sealer.sealText(`, `val EnsealException.code`.
                let mut k = i + 1;
                let mut generics: Vec<&str> = Vec::new();
                if toks.get(k) == Some(&Tok::P('<')) {
                    while k < toks.len() && toks[k] != Tok::P('>') {
                        if let (Some(g), Some(Tok::P('<' | ','))) = (toks[k].id(), toks.get(k - 1))
                        {
                            generics.push(g);
                        }
                        k += 1;
                    }
                    k += 1;
                }
                let first = toks.get(k).and_then(Tok::id).unwrap_or("").to_string();
                if generics.contains(&first.as_str()) {
                    // `fun <T : Disposable?> T.use(…)`: on any type, uniffi's plumbing.
                    pending = Scope::Block;
                    modifiers.clear();
                    i += 1;
                    continue;
                }
                let (receiver, name) = if !swift && toks.get(k + 1) == Some(&Tok::P('.')) {
                    // `fun Keyset.Companion.fromSigned(`: a static extension, `Keyset.fromSigned`.
                    let companion = toks.get(k + 2).and_then(Tok::id) == Some("Companion")
                        && toks.get(k + 3) == Some(&Tok::P('.'));
                    let at = if companion { k + 4 } else { k + 2 };
                    (
                        Some(first),
                        toks.get(at).and_then(Tok::id).unwrap_or("").to_string(),
                    )
                } else {
                    (None, first)
                };
                if visible && !name.is_empty() && !hidden_name(&name) {
                    match (receiver, member_of(&scope), &scope) {
                        (Some(r), _, Scope::File) => {
                            api.names.insert(Name::of(&r, &name));
                        }
                        (None, Some(owner), _) => {
                            api.names.insert(Name::of(&owner, &name));
                        }
                        (None, None, Scope::File) if !generated || !name.starts_with('_') => {
                            api.names.insert(Name::free(&name));
                        }
                        _ => {}
                    }
                }
                pending = Scope::Block;
                modifiers.clear();
            }
            "constructor" | "init" if !after_dot => {
                // uniffi's own constructors take a handle or `NoHandle`.
                let first_param = toks.get(i + 2).and_then(Tok::id).unwrap_or("");
                let plumbing = matches!(
                    first_param,
                    "withHandle" | "noHandle" | "unsafeFromHandle" | "handle"
                );
                if let (true, false, Some(owner)) = (visible, plumbing, member_of(&scope)) {
                    api.names.insert(Name::of(&owner, CTOR));
                }
                pending = Scope::Block;
                modifiers.clear();
            }
            "case" | "deinit" | "subscript" | "typealias" | "import" | "package" => {
                pending = Scope::Block;
                modifiers.clear();
            }
            _ => {}
        }
        i += 1;
    }
    // Extension members on types this file does not define (Kotlin's on generated classes).
    let owners: Vec<String> = api.names.iter().filter_map(|n| n.owner.clone()).collect();
    for o in owners {
        if !api.types.contains_key(&o) {
            api.add_type(&o, Kind::Record);
        }
    }
    api
}

// ---------------------------------------------------------------------------
// TypeScript declarations

#[derive(Debug, Default)]
struct TsModule {
    api: Api,
    /// `export * from './x.js'`
    star: Vec<String>,
    /// `export { a, b as c } from './x.js'`: (file, name, alias)
    named: Vec<(String, String, String)>,
    /// Every interface declared, exported or not, in `declare module` blocks
    /// too: TypeScript merges an interface into the class of the same name.
    interfaces: Vec<TsInterface>,
    /// Relative files this one imports from (`import type { X } from './x.js'`).
    imports: Vec<String>,
}

#[derive(Debug, Default, Clone)]
struct TsInterface {
    name: String,
    /// Exported at the top of its file (not an augmentation).
    exported: bool,
    /// The interfaces it extends, without type arguments.
    extends: Vec<String>,
    members: Vec<String>,
}

/// The members of a class or interface body, one per `;` (or `,`) outside brackets.
fn ts_members(toks: &[Tok]) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (k, t) in toks.iter().enumerate() {
        match t {
            Tok::P('(' | '[' | '{') => depth += 1,
            Tok::P(')' | ']' | '}') => depth -= 1,
            Tok::P(';' | ',') if depth == 0 => {
                out.extend(ts_member(&toks[start..k]));
                start = k + 1;
            }
            _ => {}
        }
    }
    out.extend(ts_member(&toks[start..]));
    out
}

fn ts_member(m: &[Tok]) -> Option<String> {
    let mut k = 0;
    let mut private = false;
    while k + 1 < m.len() {
        let w = m[k].id().unwrap_or("");
        let modifier = matches!(
            w,
            "public"
                | "private"
                | "protected"
                | "static"
                | "readonly"
                | "abstract"
                | "declare"
                | "async"
                | "get"
                | "set"
        ) && matches!(m[k + 1], Tok::Id(_) | Tok::Str(_) | Tok::P('['));
        if !modifier {
            break;
        }
        private |= w == "private" || w == "protected";
        k += 1;
    }
    let name = match m.get(k) {
        Some(Tok::Id(n)) | Some(Tok::Str(n)) => n.clone(),
        _ => return None, // `[Symbol.dispose]()`, an index signature
    };
    if private || name.starts_with('_') || name.starts_with('#') {
        return None;
    }
    Some(if name == "constructor" {
        CTOR.to_string()
    } else {
        name
    })
}

fn ts_module(src: &str) -> TsModule {
    let toks = tokenize(src, Syntax::Ts);
    let mut out = TsModule::default();
    ts_statements(&toks, true, &mut out);
    // An exported interface with no class of its name here is a record type
    // (unless another file's class merges it: `ts_package` sees that).
    for i in &out.interfaces {
        if i.exported && !out.api.types.contains_key(&i.name) {
            out.api.add_type(&i.name, Kind::Record);
        }
    }
    out
}

/// The statements of a module (`top`) or of a `declare module '…' { … }` block.
fn ts_statements(toks: &[Tok], top: bool, out: &mut TsModule) {
    let mut i = 0;
    while i < toks.len() {
        let exported = toks[i].is("export");
        let mut k = if exported { i + 1 } else { i };
        while toks
            .get(k)
            .is_some_and(|t| t.is("declare") || t.is("abstract") || t.is("async"))
        {
            k += 1;
        }
        let kw = toks.get(k).and_then(Tok::id).unwrap_or("").to_string();
        if kw == "import" && !exported {
            // `import type { X } from './x.js';`: a file whose interfaces may merge.
            let semi = (k..toks.len())
                .find(|j| toks[*j] == Tok::P(';'))
                .unwrap_or(toks.len());
            let from = toks[k..semi].iter().rev().find_map(|t| match t {
                Tok::Str(f) if f.starts_with('.') => Some(f.clone()),
                _ => None,
            });
            out.imports.extend(from);
            i = semi + 1;
            continue;
        }
        if (kw == "module" || kw == "global") && toks[i..k].iter().any(|t| t.is("declare")) {
            // `declare module './glue/enseal.js' { interface Sealer extends … {} }`
            let open = (k..toks.len()).find(|j| toks[*j] == Tok::P('{'));
            if let Some(open) = open {
                let close = skip_balanced(toks, open);
                ts_statements(&toks[open + 1..close - 1], false, out);
                i = close;
            } else {
                i = k + 1;
            }
            continue;
        }
        if !exported && kw != "interface" {
            // Not exported: skip the statement (a `{ … }` body included).
            if toks[i] == Tok::P('{') {
                i = skip_balanced(toks, i);
            } else {
                i += 1;
            }
            continue;
        }
        let name = toks.get(k + 1).and_then(Tok::id).unwrap_or("").to_string();
        // Where this statement ends: its `;`, or its body's `}`.
        let mut end = k;
        let mut body: Option<(usize, usize)> = None;
        while end < toks.len() {
            match &toks[end] {
                Tok::P(';') => break,
                Tok::P('{') => {
                    let close = skip_balanced(toks, end);
                    if matches!(kw.as_str(), "class" | "interface" | "enum" | "namespace")
                        && body.is_none()
                    {
                        body = Some((end + 1, close - 1));
                        end = close - 1;
                        break;
                    }
                    end = close;
                    continue;
                }
                Tok::P('(' | '[') => {
                    end = skip_balanced(toks, end);
                    continue;
                }
                Tok::Id(w) if end > k && (w == "export" || w == "import") => {
                    end -= 1;
                    break;
                }
                _ => {}
            }
            end += 1;
        }
        let stmt = &toks[k..end.min(toks.len())];
        match kw.as_str() {
            "" if stmt.first() == Some(&Tok::P('*')) => {
                if let Some(Tok::Str(f)) = stmt.iter().rev().find(|t| matches!(t, Tok::Str(_))) {
                    out.star.push(f.clone());
                }
            }
            "" if stmt.first() == Some(&Tok::P('{')) => {
                let file = match stmt.iter().rev().find(|t| matches!(t, Tok::Str(_))) {
                    Some(Tok::Str(f)) => f.clone(),
                    _ => String::new(),
                };
                let close = skip_balanced(stmt, 0);
                for item in stmt[1..close.saturating_sub(1)].split(|t| *t == Tok::P(',')) {
                    let words: Vec<&str> = item.iter().filter_map(Tok::id).collect();
                    let (n, alias) = match words.as_slice() {
                        ["type", ..] => continue, // a type, not an operation
                        [n] => (n.to_string(), n.to_string()),
                        [n, "as", a] => (n.to_string(), a.to_string()),
                        _ => continue,
                    };
                    out.named.push((file.clone(), n, alias));
                }
            }
            "class" if top => {
                let extends = stmt.iter().position(|t| t.is("extends"));
                let base = extends
                    .and_then(|e| stmt.get(e + 1))
                    .and_then(Tok::id)
                    .unwrap_or("");
                let kind = if base == "Error" || out.api.types.get(base) == Some(&Kind::Error) {
                    Kind::Error
                } else {
                    Kind::Handle
                };
                out.api.add_type(&name, kind);
                if let Some((b, e)) = body {
                    for m in ts_members(&toks[b..e]) {
                        out.api.names.insert(Name::of(&name, &m));
                    }
                }
            }
            "interface" => {
                let (b, e) = body.unwrap_or((end, end));
                // `interface X<T> extends A, B<T> {`: the names at angle depth 0 after `extends`.
                let mut extends = Vec::new();
                let header = &toks[k..b.saturating_sub(1).max(k)];
                if let Some(at) = header.iter().position(|t| t.is("extends")) {
                    let mut depth = 0i32;
                    for t in &header[at + 1..] {
                        match t {
                            Tok::P('<') => depth += 1,
                            Tok::P('>') => depth -= 1,
                            Tok::Id(w) if depth == 0 => extends.push(w.clone()),
                            _ => {}
                        }
                    }
                }
                out.interfaces.push(TsInterface {
                    name: name.clone(),
                    exported: exported && top,
                    extends,
                    members: ts_members(&toks[b..e]),
                });
            }
            "function" | "const" | "let" | "var"
                if top && !name.is_empty() && !name.starts_with('_') =>
            {
                out.api.names.insert(Name::free(&name));
            }
            "enum" if top => out.api.add_type(&name, Kind::Record),
            _ => {} // `type` aliases are types, not operations; `default` is not named
        }
        i = end + 1;
    }
}

/// The API a `.d.ts` file exports, following `export … from` into the
/// package's files; every interface met (there and in imported files) is
/// collected into `interfaces` for merging.
fn ts_exports(
    file: &Path,
    seen: &mut BTreeSet<PathBuf>,
    interfaces: &mut Vec<TsInterface>,
) -> Result<Api> {
    let mut api = Api::default();
    if !seen.insert(file.to_path_buf()) {
        return Ok(api);
    }
    let module = ts_module(&read(file)?);
    api.merge(module.api);
    interfaces.extend(module.interfaces);
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let resolve = |spec: &str| -> PathBuf {
        let rel = spec
            .strip_suffix(".js")
            .map_or(spec.to_string(), |s| format!("{s}.d.ts"));
        dir.join(rel.trim_start_matches("./"))
    };
    for spec in module.star {
        api.merge(ts_exports(&resolve(&spec), seen, interfaces)?);
    }
    for spec in module.imports {
        // Only its interfaces matter: what it exports is not re-exported.
        let _ = ts_exports(&resolve(&spec), seen, interfaces)?;
    }
    for (spec, name, alias) in module.named {
        let from = ts_exports(&resolve(&spec), &mut BTreeSet::new(), interfaces)?;
        if let Some(kind) = from.types.get(&name) {
            api.add_type(&alias, *kind);
            for n in from
                .names
                .iter()
                .filter(|n| n.owner.as_deref() == Some(name.as_str()))
            {
                api.names.insert(Name::of(&alias, &n.member));
            }
        } else if from.names.contains(&Name::free(&name)) {
            api.names.insert(Name::free(&alias));
        }
    }
    Ok(api)
}

/// A package entry's API: its exports, with every interface of a class's name
/// (declaration merging, `declare module` augmentation) and what those extend
/// merged into the class.
fn ts_package(entry: &Path) -> Result<Api> {
    let mut interfaces = Vec::new();
    let mut api = ts_exports(entry, &mut BTreeSet::new(), &mut interfaces)?;
    fn members_of(name: &str, all: &[TsInterface], seen: &mut BTreeSet<String>) -> Vec<String> {
        if !seen.insert(name.to_string()) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for i in all.iter().filter(|i| i.name == name) {
            out.extend(i.members.iter().cloned());
            for base in &i.extends {
                out.extend(members_of(base, all, seen));
            }
        }
        out
    }
    let classes: Vec<String> = api
        .types
        .iter()
        .filter(|(_, k)| **k == Kind::Handle)
        .map(|(t, _)| t.clone())
        .collect();
    for class in classes {
        for m in members_of(&class, &interfaces, &mut BTreeSet::new()) {
            api.names.insert(Name::of(&class, &m));
        }
    }
    Ok(api)
}

// ---------------------------------------------------------------------------
// Sources, freshness, the report

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| newest(&e.path()))
        .max()
}

/// One language's API, or why it was not read.
enum Source {
    Read { what: String, api: Api },
    Skipped(String),
}

fn relative(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// A generated file: missing, or older than what it is generated from, is skipped
/// (in the fast tier) or an error (after the builds).
fn generated(file: &Path, sources: &[&str], task: &str, strict: bool) -> Result<Option<String>> {
    let built = std::fs::metadata(file).and_then(|m| m.modified()).ok();
    let inputs = sources.iter().filter_map(|s| newest(&root().join(s))).max();
    let why = match (built, inputs) {
        (None, _) => format!(
            "{} is not built (`cargo xtask {task}` builds it)",
            relative(file)
        ),
        (Some(b), Some(s)) if s > b => format!(
            "{} is older than {} (`cargo xtask {task}` rebuilds it)",
            relative(file),
            sources.join(", ")
        ),
        _ => return Ok(None),
    };
    if strict {
        return Err(format!("parity: {why}"));
    }
    Ok(Some(why))
}

fn sources(strict: bool) -> Result<Vec<(String, Lang, Source)>> {
    let r = root();
    let mut out = Vec::new();
    out.push((
        "Rust".into(),
        Lang::Rust,
        Source::Read {
            what: "core/src".into(),
            api: rust_api(&r.join("core"))?,
        },
    ));
    let header = r.join("bindings/c/include/enseal.h");
    out.push((
        "C".into(),
        Lang::C,
        Source::Read {
            what: relative(&header),
            api: c_api(&read(&header)?),
        },
    ));
    let stubs = r.join("bindings/uniffi/python/enseal");
    out.push((
        "Python".into(),
        Lang::Python,
        match python_api(&stubs) {
            Ok(api) => Source::Read {
                what: format!("{}/*.pyi", relative(&stubs)),
                api,
            },
            Err(e) if !strict => Source::Skipped(e),
            Err(e) => return Err(format!("parity: Python: {e}")),
        },
    ));
    // What the generated files are made from: the crates' exported items, not core.
    let uniffi_inputs: &[&str] = &["bindings/uniffi/src", "bindings/uniffi/Cargo.toml"];
    let kt = r.join("target/kotlin/gen/org/enseal/enseal.kt");
    let ext = r.join("bindings/uniffi/kotlin/org/enseal/EnsealExtensions.kt");
    out.push((
        "Kotlin".into(),
        Lang::Kotlin,
        match generated(&kt, uniffi_inputs, "kotlin-test", strict)? {
            Some(why) => Source::Skipped(why),
            None => {
                let mut api = kotlin_swift_api(&read(&kt)?, false, true);
                api.merge(kotlin_swift_api(&read(&ext)?, false, false));
                Source::Read {
                    what: format!("{} + {}", relative(&kt), relative(&ext)),
                    api,
                }
            }
        },
    ));
    let swift = r.join("target/swift/Sources/Enseal.swift");
    out.push((
        "Swift".into(),
        Lang::Swift,
        match generated(&swift, uniffi_inputs, "kotlin-test", strict)? {
            Some(why) => Source::Skipped(why),
            None => Source::Read {
                what: relative(&swift),
                api: kotlin_swift_api(&read(&swift)?, true, true),
            },
        },
    ));
    let package = r.join("target/npm/enseal");
    let manifest = package.join("package.json");
    match generated(
        &manifest,
        &["wasm/src", "wasm/js", "wasm/Cargo.toml"],
        "web-build",
        strict,
    )? {
        Some(why) => out.push(("JavaScript".into(), Lang::JavaScript, Source::Skipped(why))),
        None => {
            let json: serde_json::Value = serde_json::from_str(&read(&manifest)?)
                .map_err(|e| format!("{}: {e}", relative(&manifest)))?;
            let exports = json["exports"].as_object().cloned().unwrap_or_default();
            for (entry, spec) in exports {
                let Some(types) = spec["types"].as_str() else {
                    continue;
                };
                let file = package.join(types.trim_start_matches("./"));
                let label = if entry == "." {
                    "JavaScript".to_string()
                } else {
                    format!("JavaScript (enseal{})", entry.trim_start_matches('.'))
                };
                let api = ts_package(&file)?;
                out.push((
                    label,
                    Lang::JavaScript,
                    Source::Read {
                        what: relative(&file),
                        api,
                    },
                ));
            }
        }
    }
    Ok(out)
}

/// `cargo xtask parity`: compares what is there, skipping (with a note) the
/// languages whose generated files are not built or are stale. `strict`
/// (after the builds, in `cargo xtask test`): every language must be there.
/// `list`: also print every name read per language (to see what the check sees).
pub(crate) fn run(strict: bool, list: bool) -> Result {
    let md = read(&root().join("docs/API.md"))?;
    let rows = parse_table(&md)?;
    let mut report = String::new();
    let mut summary = Vec::new();
    let mut failed = 0;
    // Per language column: its short name, its index in the table, its diff (None: skipped).
    let mut columns: Vec<(String, usize, Option<Diff>)> = Vec::new();
    for (label, lang, source) in sources(strict)? {
        let col = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        let short = label
            .replace("JavaScript (enseal/", "JS/")
            .replace("JavaScript", "JS")
            .replace(')', "");
        match source {
            Source::Skipped(why) => {
                summary.push(format!("{label:<22} skipped: {why}"));
                columns.push((short, col, None));
            }
            Source::Read { what, api } => {
                if list {
                    let names: Vec<String> = api.names.iter().map(|n| n.show(lang)).collect();
                    let types: Vec<String> = api
                        .types
                        .iter()
                        .map(|(t, k)| format!("{t} ({k:?})"))
                        .collect();
                    println!(
                        "{label} ({what}): {} names\n  types: {}",
                        names.len(),
                        types.join(", ")
                    );
                    for chunk in names.chunks(6) {
                        println!("  {}", chunk.join("  "));
                    }
                }
                let diff = compare(lang, &rows, &api);
                let ok = diff.missing.is_empty() && diff.extra.is_empty();
                summary.push(format!(
                    "{label:<22} {:>3} missing  {:>3} not in the table  {}  ({what})",
                    diff.missing.len(),
                    diff.extra.len(),
                    if ok { "ok" } else { "DIFFERS" }
                ));
                if !ok {
                    failed += 1;
                    let _ = writeln!(report, "\n{label} ({what}):");
                    for (name, op) in &diff.missing {
                        let _ = writeln!(report, "  missing       {name:<40} table: {op}");
                    }
                    for name in &diff.extra {
                        let _ = writeln!(report, "  not in table  {name}");
                    }
                }
                if !diff.unlisted.is_empty() {
                    let _ = writeln!(
                        report,
                        "  ({label}: other types the table does not name (records, enums, traits), not compared: {})",
                        diff.unlisted.join(", ")
                    );
                }
                columns.push((short, col, Some(diff)));
            }
        }
    }
    println!(
        "parity: docs/API.md ({} operations) against each language's public API",
        rows.len()
    );
    print!("{report}");
    // The operations some language lacks, operation x language: what is left to do.
    let lacking: Vec<usize> = (0..rows.len())
        .filter(|r| {
            columns
                .iter()
                .any(|(_, _, d)| d.as_ref().is_some_and(|d| d.missing_rows.contains(r)))
        })
        .collect();
    if !lacking.is_empty() {
        // The operation, with a name that tells apart rows of the same words ("suite").
        let label = |r: usize| {
            let name = rows[r]
                .cells
                .iter()
                .find_map(|c| c.first())
                .cloned()
                .unwrap_or_default();
            format!("{} ({name})", rows[r].operation)
        };
        let width = lacking
            .iter()
            .map(|r| label(*r).chars().count())
            .max()
            .unwrap_or(9)
            .min(60);
        println!(
            "\nOperations a language lacks (MISSING; `ok` there; `—` not in that language; `?` not read):"
        );
        let mut head = format!("  {:<width$}", "operation");
        for (short, _, _) in &columns {
            let _ = write!(head, " {short:>9}");
        }
        println!("{head}");
        for r in lacking {
            let op: String = label(r).chars().take(width).collect();
            let mut line = format!("  {op:<width$}");
            for (_, col, diff) in &columns {
                let cell = match diff {
                    None => "?",
                    Some(_) if rows[r].cells[*col].is_empty() => "—",
                    Some(d) if d.missing_rows.contains(&r) => "MISSING",
                    Some(_) => "ok",
                };
                let _ = write!(line, " {cell:>9}");
            }
            println!("{line}");
        }
    }
    println!();
    for line in &summary {
        println!("  {line}");
    }
    if failed > 0 {
        return Err(format!(
            "parity: {failed} language(s) differ from docs/API.md (above: `missing` = the table names it, the binding lacks it; `not in table` = the binding has it, the table does not name it)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(api: &Api) -> Vec<String> {
        api.names.iter().map(|n| n.show(Lang::Python)).collect()
    }

    const TABLE: &str = "intro\n<!-- parity:begin -->\n\
| operation | Rust | C | Python | Kotlin | Swift | JavaScript |\n\
|---|---|---|---|---|---|---|\n\
| generate | `KeyPair::generate` | `enseal_keypair_generate` | `KeyPair.generate` | `KeyPair.generate` | `KeyPair.generate` | `KeyPair.generate` |\n\
| empty keyring | `Keyring::new` | `enseal_keyring_builder_new` | `Keyring()` | `Keyring()` | `Keyring()` | `new Keyring` |\n\
| release | `drop` | `enseal_<type>_free` | — | `close` | — | `free` |\n\
| free memory | — | `enseal_bytes_free`, `enseal_string_free` | — | — | — | — |\n\
| kid of a sealed value | `Sealed::kid` | `enseal_sealed_info.kid` | `Sealed.kid` | `Sealed.kid` | `Sealed.kid` | `Sealed.kid` |\n\
<!-- parity:end -->\nafter | not | a | row\n";

    #[test]
    fn table_cells_become_names() {
        let rows = parse_table(TABLE).unwrap();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[1].operation, "empty keyring");
        assert_eq!(rows[1].cells[5], vec!["new Keyring"]);
        assert!(rows[2].cells[2].is_empty());
        assert_eq!(
            rows[3].cells[1],
            vec!["enseal_bytes_free", "enseal_string_free"]
        );
        assert_eq!(
            wanted("Keyring::new"),
            Wanted::Member(Name::of("Keyring", "new"))
        );
        assert_eq!(
            wanted("new Keyring"),
            Wanted::Member(Name::of("Keyring", CTOR))
        );
        assert_eq!(
            wanted("Keyring()"),
            Wanted::Member(Name::of("Keyring", CTOR))
        );
        assert_eq!(
            wanted("enseal_sealed_info.kid"),
            Wanted::Member(Name::of("enseal_sealed_info", "kid"))
        );
        assert_eq!(wanted("isSealed"), Wanted::Bare("isSealed".into()));
        assert_eq!(
            wanted("enseal_<type>_free"),
            Wanted::PerType {
                prefix: "enseal_".into(),
                suffix: "_free".into()
            }
        );
    }

    #[test]
    fn bad_cells_are_refused() {
        assert!(parse_cell("KeyPair.generate").is_err());
        assert!(parse_cell("`KeyPair.generate` or `x`").is_err());
        assert!(parse_cell("`unbalanced").is_err());
        assert!(parse_cell("").is_err());
        assert_eq!(parse_cell("—").unwrap(), Vec::<String>::new());
        assert!(parse_table("no markers").is_err());
        let short = TABLE.replace("| `drop` | `enseal_<type>_free` |", "| `drop` |");
        assert!(parse_table(&short).unwrap_err().contains("cells"));
    }

    #[test]
    fn c_prototypes_handles_and_struct_fields() {
        let h = r#"
#ifndef ENSEAL_H
#define ENSEAL_H
#define ENSEAL_OK 0
/* enseal_commented_out(void); */
typedef struct enseal_keypair enseal_keypair;
typedef struct enseal_keyring_builder enseal_keyring_builder;
typedef struct {
  /** The key id, NUL-terminated. */
  char kid[12];
  uint64_t counter;
} enseal_sealed_info;
typedef enum { ENSEAL_A = 1 } enseal_status;
#ifdef __cplusplus
extern "C" {
#endif
enseal_status enseal_keypair_generate(uint16_t suite, enseal_keypair **out);
void enseal_keypair_free(enseal_keypair **pair);
const char *enseal_last_error(void);
enseal_status enseal_keyring_builder_new(enseal_keyring_builder **out);
#ifdef __cplusplus
}
#endif
#endif
"#;
        let api = c_api(h);
        assert_eq!(
            names(&api),
            [
                "enseal_keypair_free",
                "enseal_keypair_generate",
                "enseal_keyring_builder_new",
                "enseal_last_error",
                "enseal_sealed_info.counter",
                "enseal_sealed_info.kid",
            ]
        );
        assert_eq!(api.types.get("enseal_keypair"), Some(&Kind::Handle));
        assert_eq!(api.types.get("enseal_sealed_info"), Some(&Kind::Record));
        let rows = parse_table(TABLE).unwrap();
        let diff = compare(Lang::C, &rows, &api);
        // One `_free` per handle: the builder's is missing; the table's others too.
        let missing: Vec<&str> = diff.missing.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            missing,
            [
                "enseal_keyring_builder_free",
                "enseal_bytes_free",
                "enseal_string_free"
            ]
        );
        assert_eq!(
            diff.extra,
            ["enseal_last_error", "enseal_sealed_info.counter"]
        );
    }

    #[test]
    fn python_stub_classes_properties_and_functions() {
        let pyi = r#"
"""Module docstring with class Fake: inside."""
from typing import Literal
from ._native import Opener as Opener

Suite = Literal["X25519", "P-256"]
__version__: str

class EnsealError(Exception):
    code: int
class DecryptFailedError(EnsealError): ...

class KeyPair:
    """A key pair. def not_a_method(self): ..."""
    @classmethod
    def generate(cls, suite: Suite = "X25519") -> KeyPair: ...
    @property
    def kid(self) -> str: ...
    def _private(self) -> None: ...
    def __repr__(self) -> str: ...

class Keyring:
    def __init__(
        self,
    ) -> None: ...
    def __len__(self) -> int: ...
    def copy(self) -> Keyring:
        ...

class KeysetEntry:
    """A record: attributes and properties only."""
    created: int
    @property
    def kid(self) -> str: ...

def is_sealed(value: str | bytes) -> bool: ...
def _helper() -> None: ...
"#;
        let m = python_module(pyi);
        assert_eq!(
            names(&m.api),
            [
                "__version__",
                "is_sealed",
                "EnsealError.code",
                "KeyPair.generate",
                "KeyPair.kid",
                "Keyring()",
                "Keyring.__len__",
                "Keyring.copy",
                "KeysetEntry.created",
                "KeysetEntry.kid"
            ]
        );
        assert_eq!(m.api.types.get("EnsealError"), Some(&Kind::Error));
        assert_eq!(m.api.types.get("DecryptFailedError"), Some(&Kind::Error));
        assert_eq!(m.api.types.get("KeyPair"), Some(&Kind::Handle));
        assert_eq!(m.api.types.get("KeysetEntry"), Some(&Kind::Record));
        assert_eq!(
            m.imports,
            [(
                "_native".to_string(),
                "Opener".to_string(),
                "Opener".to_string()
            )]
        );
    }

    #[test]
    fn typescript_classes_merged_interfaces_and_reexports() {
        let dts = r#"
/* tslint:disable */
export interface Sealer {
    sealAsync(value: string | Uint8Array, context: string): Promise<string>;
}
export type SuiteName = 'X25519' | 'P-256';
export class KeyPair {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    static generate(suite?: SuiteName): KeyPair;
    toJwk(): { keys: JsonWebKey[]; other: string };
    readonly kid: string;
}
export class Sealer {
    constructor(recipient: PublicKey, options?: { fieldLimit?: number });
    seal(value: string, context: string): string;
}
export interface InitOutput { readonly memory: WebAssembly.Memory; }
export function isSealed(value: unknown): boolean;
export default function __wbg_init(): Promise<InitOutput>;
export declare class EnsealError extends Error { readonly code: string; }
export { EnsealError as Failure, type EnsealErrorCode } from './error.js';
export * from './glue/enseal.js';
"#;
        let m = ts_module(dts);
        let got: Vec<String> = m
            .api
            .names
            .iter()
            .map(|n| n.show(Lang::JavaScript))
            .collect();
        assert_eq!(
            got,
            [
                "isSealed",
                "EnsealError.code",
                "KeyPair.free",
                "KeyPair.generate",
                "KeyPair.kid",
                "KeyPair.toJwk",
                "new Sealer",
                "Sealer.seal",
            ]
        );
        // The interface merges into the class at the package level (`ts_package`).
        assert_eq!(m.interfaces[0].name, "Sealer");
        assert_eq!(m.interfaces[0].members, ["sealAsync"]);
        assert_eq!(m.api.types.get("EnsealError"), Some(&Kind::Error));
        assert_eq!(m.api.types.get("InitOutput"), Some(&Kind::Record));
        assert_eq!(m.star, ["./glue/enseal.js"]);
        assert_eq!(
            m.named,
            [(
                "./error.js".to_string(),
                "EnsealError".to_string(),
                "Failure".to_string()
            )]
        );
    }

    #[test]
    fn typescript_package_entry_reexports_and_augmentation() {
        let dir = std::env::temp_dir().join(format!("enseal-parity-{}", std::process::id()));
        let files = [
            (
                "index.d.ts",
                "export * from './api-all.js';\nexport declare function init(): Promise<void>;\n",
            ),
            (
                "api-all.d.ts",
                "import type { AsyncSealer } from './webcrypto.js';\n\
                 declare module './glue/enseal.js' {\n  interface Sealer extends AsyncSealer<string> {}\n}\n\
                 export { Sealer, isSealed } from './glue/enseal.js';\n\
                 export type { SuiteName } from './glue/enseal.js';\n\
                 export { EnsealError, isEnsealError, type EnsealErrorCode } from './error.js';\n",
            ),
            (
                "webcrypto.d.ts",
                "export interface AsyncSealer<T> {\n  sealAsync(v: string): Promise<T>;\n}\n",
            ),
            (
                "glue/enseal.d.ts",
                "export type SuiteName = 'X25519';\nexport class Sealer {\n  free(): void;\n  seal(v: string): string;\n}\n\
                 export class Hidden { go(): void; }\nexport function isSealed(v: unknown): boolean;\n\
                 export function initSync(m: unknown): void;\n",
            ),
            (
                "error.d.ts",
                "export declare class EnsealError extends Error { readonly code: string; }\n\
                 export declare function isEnsealError(v: unknown): v is EnsealError;\n",
            ),
        ];
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let api = ts_package(&dir.join("index.d.ts")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let got: Vec<String> = api.names.iter().map(|n| n.show(Lang::JavaScript)).collect();
        // Only what the entry names: not `Hidden` nor `initSync`; the async method merged in.
        assert_eq!(
            got,
            [
                "init",
                "isEnsealError",
                "isSealed",
                "EnsealError.code",
                "Sealer.free",
                "Sealer.seal",
                "Sealer.sealAsync"
            ]
        );
        assert_eq!(api.types.get("Sealer"), Some(&Kind::Handle));
        assert_eq!(api.types.get("EnsealError"), Some(&Kind::Error));
        assert!(!api.types.contains_key("Hidden"));
    }

    #[test]
    fn kotlin_generated_class_companion_and_extensions() {
        let kt = r#"
package org.enseal
public interface KeyringInterface {
    fun `add`(`key`: KeyPair)
    companion object
}
open class Keyring: Disposable, AutoCloseable, KeyringInterface
{
    constructor(withHandle: UniffiWithHandle, handle: Long) {
        this.handle = handle
    }
    constructor() :
        this(UniffiWithHandle, uniffiRustCall() { _status -> x(_status) })
    protected val handle: Long
    override fun destroy() { }
    override fun close() { this.destroy() }
    fun uniffiCloneHandle(): Long { return handle }
    /** Adds `key`. */override fun `add`(`key`: KeyPair) {
        callWithHandle { "text { with braces" }
    }
    companion object {
        @Throws(EnsealException::class) fun `fromJwks`(`json`: kotlin.String): Keyring { return x }
    }
}
public object FfiConverterTypeKeyring: FfiConverter<Keyring, Long> {
    override fun lift(value: Long): Keyring { return Keyring(UniffiWithHandle, value) }
}
data class AesBackend (
    var `name`: kotlin.String,
    var `hardwareAccelerated`: kotlin.Boolean
) { companion object }
sealed class EnsealException: kotlin.Exception() {
    class DecryptFailed(val `code`: kotlin.UShort) : EnsealException() {
        override val message get() = "code=${ `code` }"
    }
}
class InternalException(message: String) : kotlin.Exception(message)
open class RustBuffer : Structure() { fun asByteBuffer() = null }
public fun uniffiEnsureInitialized() { }
fun `isSealed`(`text`: kotlin.String): kotlin.Boolean { return true }
internal fun hidden() { }
"#;
        let ext = r#"
package org.enseal
fun Sealer.sealText(value: String, context: String): String = sealText(value.toByteArray(), context)
fun Keyset.Companion.fromSigned(jws: String, pins: SignerPins): VerifiedKeyset = VerifiedKeyset.fromSigned(jws, pins, null)
fun keyringOf(vararg keys: KeyPair): Keyring = Keyring().also { ring -> keys.forEach(ring::add) }
val EnsealException.errorCode: Int get() = when (this) { is EnsealException.DecryptFailed -> code }.toInt()
"#;
        let mut api = kotlin_swift_api(kt, false, true);
        assert_eq!(
            names(&api),
            [
                "isSealed",
                "AesBackend.hardwareAccelerated",
                "AesBackend.name",
                "Keyring()",
                "Keyring.add",
                "Keyring.close",
                "Keyring.fromJwks"
            ]
        );
        assert_eq!(api.types.get("Keyring"), Some(&Kind::Handle));
        assert_eq!(api.types.get("AesBackend"), Some(&Kind::Record));
        assert_eq!(api.types.get("EnsealException"), Some(&Kind::Error));
        assert!(
            !api.types.contains_key("RustBuffer") && !api.types.contains_key("KeyringInterface")
        );
        api.merge(kotlin_swift_api(ext, false, false));
        assert!(api.names.contains(&Name::of("Sealer", "sealText")));
        assert!(api.names.contains(&Name::of("Keyset", "fromSigned")));
        assert!(!api.names.contains(&Name::of("Keyset", "Companion")));
        assert!(api.names.contains(&Name::free("keyringOf")));
        assert_eq!(api.types.get("EnsealException"), Some(&Kind::Error));
    }

    #[test]
    fn swift_generated_members() {
        let swift = r#"
public protocol KeyringProtocol: AnyObject, Sendable {
    func add(key: KeyPair) throws
}
open class Keyring: KeyringProtocol, @unchecked Sendable {
    public struct NoHandle { public init() {} }
    required public init(unsafeFromHandle handle: UInt64) { self.handle = handle }
public convenience init() {
    let handle = try! rustCall() { uniffi_new($0) }
    self.init(unsafeFromHandle: handle)
}
public static func fromJwks(json: String)throws  -> Keyring  { return x }
open func add(key: KeyPair)throws   {try rustCallWithError(FfiConverterTypeEnsealError_lift) { x }
}
    public func uniffiCloneHandle() -> UInt64 { return 0 }
}
public struct FfiConverterTypeKeyring: FfiConverter {
    public static func lift(_ handle: UInt64) throws -> Keyring { return Keyring(unsafeFromHandle: handle) }
}
public struct AesBackend: Equatable, Hashable {
    public var name: String
}
extension AesBackend: Sendable {}
public
enum EnsealError: Swift.Error {
    case DecryptFailed(code: UInt16)
}
public func aesBackend() -> AesBackend  { return x }
public func FfiConverterTypeKeyring_lift(_ handle: UInt64) throws -> Keyring { return x }
func internalHelper() {}
"#;
        let api = kotlin_swift_api(swift, true, true);
        assert_eq!(
            names(&api),
            [
                "aesBackend",
                "AesBackend.name",
                "Keyring()",
                "Keyring.add",
                "Keyring.fromJwks"
            ]
        );
        assert_eq!(api.types.get("Keyring"), Some(&Kind::Handle));
        assert_eq!(api.types.get("AesBackend"), Some(&Kind::Record));
        assert_eq!(api.types.get("EnsealError"), Some(&Kind::Error));
    }

    #[test]
    fn rust_inherent_trait_and_cfg_items() {
        let src = r##"
//! Crate docs with `impl Fake { pub fn no() }`.
#![forbid(unsafe_code)]
mod keys;
#[cfg(feature = "hazmat")]
pub mod hazmat;
pub use keys::{KeyPair, is_sealed as looks_sealed};
/// The crate version.
pub const LIBRARY_VERSION: &str = "0.1.0";
#[derive(Clone, Debug)]
pub struct Keyring { keys: Vec<u8> }
impl Keyring {
    /// An empty keyring.
    pub fn new() -> Self { Keyring { keys: Vec::new() } }
    pub(crate) fn internal(&self) {}
    fn private(&self) {}
    pub const fn len(&self) -> usize { self.keys.len() }
    #[cfg(test)]
    pub fn for_tests() {}
    #[doc(hidden)]
    pub fn hidden() {}
    pub fn lifetimes<'a>(&'a self, s: &'a str) -> &'a str { let _c = '}'; let _r = r#"}"#; s }
}
impl<'a> std::fmt::Display for Keyring { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) } }
#[cfg(feature = "hazmat")]
impl Keyring { pub fn delegate(&self) {} }
#[cfg(test)]
mod tests { impl super::Keyring { pub fn test_only() {} } }
"##;
        let toks = tokenize(src, Syntax::Rust);
        let mut scan = RustScan::default();
        rust_items(
            &toks,
            0,
            toks.len(),
            &RustCtx::Module,
            &["p256".to_string()],
            &mut scan,
        );
        assert_eq!(scan.mods, ["keys"]);
        let inherent: Vec<String> = scan
            .inherent
            .iter()
            .map(|(t, m)| format!("{t}::{m}"))
            .collect();
        assert_eq!(
            inherent,
            ["Keyring::new", "Keyring::len", "Keyring::lifetimes"]
        );
        let traits: Vec<String> = scan
            .traits
            .iter()
            .map(|(t, m)| format!("{t}::{m}"))
            .collect();
        assert_eq!(traits, ["Keyring::clone", "Keyring::fmt", "Keyring::fmt"]);
        assert_eq!(scan.free, ["LIBRARY_VERSION"]);
        assert_eq!(scan.types, ["Keyring"]);
        let uses: Vec<String> = scan
            .uses
            .iter()
            .map(|(p, n)| format!("{}::{n}", p.join("::")))
            .collect();
        assert_eq!(uses, ["keys::KeyPair", "keys::looks_sealed"]);
    }

    #[test]
    fn compare_reports_both_ways_and_spares_errors_and_records() {
        let rows = parse_table(TABLE).unwrap();
        let mut api = Api::default();
        api.add_type("KeyPair", Kind::Handle);
        api.add_type("Keyring", Kind::Handle);
        api.add_type("EnsealError", Kind::Error);
        api.add_type("AesBackend", Kind::Record);
        for n in [
            Name::of("KeyPair", "generate"),
            Name::of("KeyPair", "free"),
            Name::of("Keyring", "free"),
            Name::of("Keyring", "seal"),
            Name::of("EnsealError", "code"),
            Name::of("AesBackend", "name"),
            Name::free("initSync"),
        ] {
            api.names.insert(n);
        }
        let diff = compare(Lang::JavaScript, &rows, &api);
        let missing: Vec<&str> = diff.missing.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(missing, ["new Keyring", "Sealed.kid"]);
        assert_eq!(diff.extra, ["initSync", "Keyring.seal"]);
        assert_eq!(diff.unlisted, ["AesBackend"]);
    }
}
