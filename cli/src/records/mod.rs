//! Streams of records: NDJSON (one JSON object a line), CSV (a header row,
//! then one record of strings a row) and JSON (one object, or a top-level
//! array of objects read element by element). Each is read one record at a
//! time into a buffer bounded by `--max-record-bytes`, so memory does not
//! grow with the file. Output goes to standard output or, atomically, to a
//! file (fsutil::AtomicWriter).

pub mod json_stream;
pub mod progress;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::ValueEnum;

use crate::error::{CliError, Result};

/// Records are read through a buffer of this size.
const READ_BUFFER: usize = 256 * 1024;

/// A record larger than this is refused (the per-record memory bound).
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 << 20;

/// The record formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object a line (`.ndjson`, `.jsonl`).
    Ndjson,
    /// A header row, then one record a row; every value a string (`.csv`).
    Csv,
    /// One JSON object, or a top-level array of objects (`.json`).
    Json,
}

impl Format {
    /// `--format` when given, else the input's extension.
    pub fn resolve(given: Option<Format>, input: &Path) -> Result<Format> {
        if let Some(f) = given {
            return Ok(f);
        }
        let ext = input
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("ndjson" | "jsonl") => Ok(Format::Ndjson),
            Some("csv") => Ok(Format::Csv),
            Some("json") => Ok(Format::Json),
            _ => Err(CliError::new(format!(
                "{}: cannot tell the format from the name: pass --format ndjson|csv|json",
                display_name(input)
            ))),
        }
    }
}

/// How a path is named in messages (`-` is standard input).
pub fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Where a record is, for messages: `file:line` or `file: record N` (JSON).
#[derive(Clone, Debug)]
pub enum Loc {
    /// A line (NDJSON) or a row starting on a line (CSV).
    Line(u64),
    /// Element `n` (from 1) of a JSON array, or the one object of a JSON file.
    Record(u64),
}

/// A location in a named file.
pub struct At<'a>(pub &'a str, pub &'a Loc);

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Loc::Line(n) => write!(f, "{}:{n}", self.0),
            Loc::Record(n) => write!(f, "{}: record {n}", self.0),
        }
    }
}

/// An input file (or standard input), counting the bytes read so that the
/// progress bar can give an ETA when the size is known.
pub struct Input {
    /// The name for messages.
    pub name: String,
    /// The size when it is a regular file.
    pub size: Option<u64>,
    /// Bytes read so far.
    pub read: Arc<AtomicU64>,
    /// The bytes.
    pub reader: Counting<Box<dyn BufRead>>,
}

impl Input {
    /// Opens `path` (`-`: standard input).
    pub fn open(path: &Path) -> Result<Input> {
        let name = display_name(path);
        let (inner, size): (Box<dyn BufRead>, Option<u64>) = if path.as_os_str() == "-" {
            let stdin = io::stdin();
            let size = regular_size_of_stdin();
            (Box::new(BufReader::with_capacity(READ_BUFFER, stdin)), size)
        } else {
            let file = File::open(path).map_err(|e| CliError::io(path, &e))?;
            let meta = file.metadata().map_err(|e| CliError::io(path, &e))?;
            if meta.is_dir() {
                return Err(CliError::file(path, "is a directory"));
            }
            let size = meta.is_file().then_some(meta.len());
            (Box::new(BufReader::with_capacity(READ_BUFFER, file)), size)
        };
        let read = Arc::new(AtomicU64::new(0));
        let mut reader = Counting {
            inner,
            read: Arc::clone(&read),
        };
        // A UTF-8 byte-order mark (spreadsheet exports write one) is not
        // part of the first record: skipped, as the csv crate does.
        let first = reader.fill_buf().map_err(|e| CliError::io(path, &e))?;
        if first.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
        }
        Ok(Input {
            name,
            size,
            read,
            reader,
        })
    }
}

/// Standard input redirected from a regular file has a known size.
fn regular_size_of_stdin() -> Option<u64> {
    #[cfg(unix)]
    {
        std::fs::metadata("/dev/stdin")
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    }
    #[cfg(not(unix))]
    None
}

/// A reader that counts what is consumed.
pub struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.read.fetch_add(amt as u64, Ordering::Relaxed);
        self.inner.consume(amt);
    }
}

/// Reads one line (without its `\n` / `\r\n`) into `buf`, at most `max`
/// bytes; `Ok(false)` at the end of the input.
pub fn read_line_bounded(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::result::Result<bool, LineError> {
    buf.clear();
    loop {
        let chunk = reader.fill_buf().map_err(LineError::Io)?;
        if chunk.is_empty() {
            // A last line without its newline: the same rules.
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            if buf.len() > max {
                return Err(LineError::TooLong);
            }
            return Ok(!buf.is_empty());
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if buf.len() + take > max.saturating_add(2) {
            return Err(LineError::TooLong);
        }
        buf.extend_from_slice(&chunk[..take]);
        reader.consume(take);
        if done {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            if buf.len() > max {
                return Err(LineError::TooLong);
            }
            return Ok(true);
        }
    }
}

/// Why a line could not be read.
#[derive(Debug)]
pub enum LineError {
    /// The reader's error.
    Io(io::Error),
    /// Longer than the bound.
    TooLong,
}

/// The JSON Pointer of CSV column `name` (and of the member `name` of a JSON record).
pub fn column_pointer(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 1);
    out.push('/');
    for c in name.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}
