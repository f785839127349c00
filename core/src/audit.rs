//! Audit of every open: an [`AuditEvent`] for each open, failed open,
//! decapsulation and delegated (hazmat) open of an [`Opener`](crate::Opener)
//! made with [`Opener::with_audit`](crate::Opener::with_audit), handed to an
//! [`AuditSink`]. An event says who (the caller's actor), when, what
//! (operation, outcome, error code) and which value (key id, suite, session,
//! context); never the plaintext, never key material.
//!
//! Sinks: any closure `Fn(&AuditEvent) -> Result<()>`, and [`AuditLog`], a
//! JSON-lines file that is tamper-evident: each line carries the SHA-256 hash
//! of the previous line's hash and its own bytes, a hash chain as in Crosby
//! and Wallach, "Efficient Data Structures for Tamper-Evident Logging"
//! (USENIX Security 2009, §3) and Schneier and Kelsey's secure audit logs,
//! without their per-entry keys (anyone can verify; see docs/AUDIT.md).
//! [`verify_audit_log`] checks a chain and counts events per actor and key.
//!
//! Auditing fails closed: when the sink refuses an event of a successful
//! open, the open fails with that error and its plaintext is wiped.

use crate::{ErrorCode, KeyId, Result, SessionId, Suite, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{self, BufRead};

/// What an [`AuditEvent`] records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuditOperation {
    /// A field opened (or not): `open`, `open_string`, `open_binary*`, a
    /// batch's values, the JSON helper's fields.
    Open,
    /// A field opened (or not) to be sealed again to a new key ([`Opener::reseal`](crate::Opener::reseal)
    /// and the record re-seals): key rotation, told apart from reading.
    Reseal,
    /// A session's key derived from its `enc` with a private key: once per
    /// session while it stays cached.
    Decapsulate,
    /// A field's session key handed to an external AES-256-GCM
    /// (`hazmat` `delegate_open`).
    DelegateOpen,
    /// The external AES-256-GCM found a delegated field's tag valid
    /// (`hazmat` `confirm_delegated`).
    ConfirmDelegated,
}

impl AuditOperation {
    /// The name in the log: `open`, `reseal`, `decapsulate`, `delegate_open`, `confirm_delegated`.
    pub const fn name(self) -> &'static str {
        match self {
            AuditOperation::Open => "open",
            AuditOperation::Reseal => "reseal",
            AuditOperation::Decapsulate => "decapsulate",
            AuditOperation::DelegateOpen => "delegate_open",
            AuditOperation::ConfirmDelegated => "confirm_delegated",
        }
    }
}

/// One audited operation. Borrowed: a sink copies what it keeps. The
/// context is recorded as it is (it names where a value lives and is not
/// secret in enseal's threat model, SECURITY.md); there is no plaintext
/// and no key material in an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditEvent<'a> {
    /// Unix seconds, from the system clock (0 if it is before 1970).
    pub time: u64,
    /// What was done.
    pub operation: AuditOperation,
    /// `None` when it succeeded, else the error's code.
    pub error: Option<ErrorCode>,
    /// The key id of the sealed value; `None` when the value did not parse.
    pub kid: Option<KeyId>,
    /// Its suite; `None` when the value did not parse.
    pub suite: Option<Suite>,
    /// `version || kem_id || kid || enc` of the value: its session id is
    /// computed from it only when a sink asks ([`AuditEvent::session_id`]).
    pub(crate) session_prefix: Option<&'a [u8]>,
    /// The context the caller gave; `None` for session-level operations
    /// (decapsulation, confirmation).
    pub context: Option<&'a [u8]>,
    /// Who opened: the actor given to [`Opener::with_audit`](crate::Opener::with_audit).
    pub actor: &'a str,
}

impl AuditEvent<'_> {
    /// Whether the operation succeeded.
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }

    /// The value's session, as [`Sealed::session_id`](crate::Sealed::session_id)
    /// shows it; `None` when the value did not parse.
    pub fn session_id(&self) -> Option<SessionId> {
        self.session_prefix.map(SessionId::of_session_prefix)
    }
}

/// Where audit events go. Called in the opening thread, after the operation
/// and before its result is returned; an error of a successful open's event
/// makes the open fail (the plaintext is wiped). Any
/// `Fn(&AuditEvent) -> Result<()> + Send + Sync` closure is a sink.
pub trait AuditSink: Send + Sync {
    /// Records `event`.
    fn record(&self, event: &AuditEvent<'_>) -> Result<()>;
}

impl<F: Fn(&AuditEvent<'_>) -> Result<()> + Send + Sync> AuditSink for F {
    fn record(&self, event: &AuditEvent<'_>) -> Result<()> {
        self(event)
    }
}

/// The chain's anchor: the `prev` of a log's first line.
fn genesis() -> [u8; 32] {
    Sha256::digest(b"enseal audit log v1").into()
}

const HASH_MARK: &str = ",\"hash\":\"";

/// `h_n = SHA-256(h_{n-1} || the line's bytes before ,"hash":")`.
fn chain(prev: &[u8; 32], body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(body);
    hasher.finalize().into()
}

fn hex(bytes: &[u8; 32]) -> String {
    let mut text = String::with_capacity(64);
    push_hex(&mut text, bytes);
    text
}

fn push_hex(line: &mut String, bytes: &[u8; 32]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        line.push(char::from(DIGITS[usize::from(b >> 4)]));
        line.push(char::from(DIGITS[usize::from(b & 15)]));
    }
}

#[cfg(not(target_arch = "wasm32"))]
/// Appends `text` as a JSON string (RFC 8259 escapes).
fn push_json_string(line: &mut String, text: &str) {
    line.push('"');
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c == '"' || c == '\\' || c < ' ') {
        line.push_str(&rest[..at]);
        let c = rest[at..].chars().next().unwrap_or(' ');
        match c {
            '"' => line.push_str("\\\""),
            '\\' => line.push_str("\\\\"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            '\t' => line.push_str("\\t"),
            c => {
                use std::fmt::Write as _;
                let _ = write!(line, "\\u{:04x}", u32::from(c));
            }
        }
        rest = &rest[at + c.len_utf8()..];
    }
    line.push_str(rest);
    line.push('"');
}

#[cfg(not(target_arch = "wasm32"))]
/// Appends the line of `event` with sequence number `seq`, chained to
/// `prev`, to `line`; returns its hash.
fn format_line(line: &mut String, event: &OwnedEvent, seq: u64, prev: &[u8; 32]) -> [u8; 32] {
    use std::fmt::Write as _;
    let start = line.len();
    let _ = write!(
        line,
        "{{\"v\":1,\"seq\":{seq},\"time\":{},\"op\":\"{}\",\"outcome\":\"{}\",\"code\":",
        event.time,
        event.operation.name(),
        if event.error.is_none() { "ok" } else { "error" },
    );
    match event.error {
        Some(code) => {
            let _ = write!(line, "\"{}\"", code.name());
        }
        None => line.push_str("null"),
    }
    match event.kid {
        Some(kid) => {
            let _ = write!(line, ",\"kid\":\"{kid}\"");
        }
        None => line.push_str(",\"kid\":null"),
    }
    match event.suite {
        Some(suite) => {
            let _ = write!(line, ",\"suite\":\"{}\"", suite.name());
        }
        None => line.push_str(",\"suite\":null"),
    }
    match event.session_prefix().map(SessionId::of_session_prefix) {
        Some(session) => {
            let _ = write!(line, ",\"session\":\"{session}\"");
        }
        None => line.push_str(",\"session\":null"),
    }
    match event.context() {
        None => line.push_str(",\"context\":null"),
        Some(context) => match core::str::from_utf8(context) {
            Ok(text) => {
                line.push_str(",\"context\":");
                push_json_string(line, text);
            }
            Err(_) => {
                line.push_str(",\"context_base64url\":\"");
                use base64ct::{Base64UrlUnpadded, Encoding};
                line.push_str(&Base64UrlUnpadded::encode_string(context));
                line.push('"');
            }
        },
    }
    line.push_str(",\"actor\":");
    push_json_string(line, event.actor());
    let hash = chain(prev, &line.as_bytes()[start..]);
    line.push_str(HASH_MARK);
    push_hex(line, &hash);
    line.push_str("\"}\n");
    hash
}

#[cfg(not(target_arch = "wasm32"))]
/// An event as a sink keeps it: the session prefix, the context and the
/// actor share one buffer (the session id is computed by the writer).
#[cfg(not(target_arch = "wasm32"))]
struct OwnedEvent {
    time: u64,
    operation: AuditOperation,
    error: Option<ErrorCode>,
    kid: Option<KeyId>,
    suite: Option<Suite>,
    /// `session prefix || context || actor`.
    text: Text,
    /// The prefix's length; `None`: the value did not parse.
    prefix_len: Option<usize>,
    /// The context's length; `None`: no context.
    context_len: Option<usize>,
}

#[cfg(not(target_arch = "wasm32"))]
impl OwnedEvent {
    fn new(event: &AuditEvent<'_>) -> OwnedEvent {
        let prefix = event.session_prefix.unwrap_or_default();
        let context = event.context.unwrap_or_default();
        let text = Text::of(&[prefix, context, event.actor.as_bytes()]);
        OwnedEvent {
            time: event.time,
            operation: event.operation,
            error: event.error,
            kid: event.kid,
            suite: event.suite,
            text,
            prefix_len: event.session_prefix.map(<[u8]>::len),
            context_len: event.context.map(<[u8]>::len),
        }
    }

    fn context_start(&self) -> usize {
        self.prefix_len.unwrap_or(0)
    }

    fn session_prefix(&self) -> Option<&[u8]> {
        self.prefix_len.map(|len| &self.text.bytes()[..len])
    }

    fn context(&self) -> Option<&[u8]> {
        let start = self.context_start();
        self.context_len
            .map(|len| &self.text.bytes()[start..start + len])
    }

    fn actor(&self) -> &str {
        let start = self.context_start() + self.context_len.unwrap_or(0);
        core::str::from_utf8(&self.text.bytes()[start..]).unwrap_or_default()
    }
}

/// An event's bytes, inline when short (an X25519 or P-256 value with a
/// short context and actor): no allocation on the opening thread.
#[cfg(not(target_arch = "wasm32"))]
enum Text {
    Inline(u8, [u8; Text::INLINE]),
    Heap(Vec<u8>),
}

#[cfg(not(target_arch = "wasm32"))]
impl Text {
    const INLINE: usize = 160;

    fn of(parts: &[&[u8]]) -> Text {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        match u8::try_from(len) {
            Ok(short) if len <= Text::INLINE => {
                let mut bytes = [0u8; Text::INLINE];
                let mut at = 0;
                for part in parts {
                    bytes[at..at + part.len()].copy_from_slice(part);
                    at += part.len();
                }
                Text::Inline(short, bytes)
            }
            _ => Text::Heap(parts.concat()),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Text::Inline(len, bytes) => &bytes[..usize::from(*len)],
            Text::Heap(bytes) => bytes,
        }
    }
}

/// Why [`verify_audit_log`] rejects a log: the first line that breaks it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditProblem {
    /// The line (1-based).
    pub line: u64,
    /// What is wrong, one line.
    pub reason: String,
}

/// What [`verify_audit_log`] found: counts over the intact lines (all of
/// them when [`problem`](Self::problem) is `None`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditReport {
    /// Lines (events) whose chain checks out.
    pub events: u64,
    /// Events that failed (outcome `error`).
    pub failures: u64,
    /// Events per actor.
    pub per_actor: BTreeMap<String, u64>,
    /// Events per key id (as 11 characters of base64url); events of values
    /// that did not parse have none.
    pub per_kid: BTreeMap<String, u64>,
    /// The last intact line's hash, hex: compare it with a copy kept
    /// elsewhere to detect lines removed from the end.
    pub last_hash: String,
    /// The first break in the chain, if any.
    pub problem: Option<AuditProblem>,
}

impl AuditReport {
    /// Whether the whole log checked out.
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// Checks one line against the chain; its sequence number, hash, actor, kid and outcome.
fn check_line(line: &str, seq: u64, prev: &[u8; 32]) -> core::result::Result<Checked, String> {
    let value = json::parse(line).map_err(|_| "not a JSON object".to_string())?;
    let at = line
        .rfind(HASH_MARK)
        .ok_or_else(|| "no hash member".to_string())?;
    let written = value
        .get("hash")
        .and_then(json::Value::as_str)
        .ok_or_else(|| "no hash member".to_string())?;
    if line[at + HASH_MARK.len()..] != format!("{written}\"}}") {
        return Err("the hash is not the last member".into());
    }
    if value.get("v").and_then(json::Value::as_u64) != Some(1) {
        return Err("unknown log version".into());
    }
    match value.get("seq").and_then(json::Value::as_u64) {
        Some(found) if found == seq => {}
        Some(found) => {
            return Err(format!(
                "sequence number {found} where {seq} was expected (a line deleted, inserted or moved)"
            ));
        }
        None => return Err("no sequence number".into()),
    }
    let hash = chain(prev, &line.as_bytes()[..at]);
    if hex(&hash) != written {
        return Err("hash mismatch (the line was edited)".into());
    }
    let text = |name: &str| {
        value
            .get(name)
            .and_then(json::Value::as_str)
            .map(str::to_owned)
    };
    Ok(Checked {
        hash,
        actor: text("actor").ok_or_else(|| "no actor".to_string())?,
        kid: text("kid"),
        failed: text("outcome").as_deref() != Some("ok"),
    })
}

struct Checked {
    hash: [u8; 32],
    actor: String,
    kid: Option<String>,
    failed: bool,
}

/// Checks the hash chain of an [`AuditLog`] file read from `reader` and
/// counts its events per actor and per key. A deleted, edited, inserted or
/// reordered line breaks the chain, and so does a last line without its end
/// (a write cut short); the report then names the first bad line and counts
/// the lines before it. Lines removed from the end leave a shorter valid
/// chain: compare [`AuditReport::last_hash`] with a copy kept elsewhere.
/// Errors are the reader's.
pub fn verify_audit_log(reader: impl BufRead) -> io::Result<AuditReport> {
    let (report, _) = verify_chain(reader)?;
    Ok(report)
}

/// The report and the state to append after the last intact line.
fn verify_chain(mut reader: impl BufRead) -> io::Result<(AuditReport, [u8; 32])> {
    let mut report = AuditReport::default();
    let mut prev = genesis();
    let mut buf = Vec::new();
    let mut number = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        number += 1;
        let checked = match buf.strip_suffix(b"\n") {
            None => Err("the last line is cut short (no end of line)".to_string()),
            Some(line) => core::str::from_utf8(line)
                .map_err(|_| "not UTF-8".to_string())
                .and_then(|line| check_line(line, number, &prev)),
        };
        match checked {
            Ok(line) => {
                prev = line.hash;
                report.events += 1;
                report.failures += u64::from(line.failed);
                *report.per_actor.entry(line.actor).or_default() += 1;
                if let Some(kid) = line.kid {
                    *report.per_kid.entry(kid).or_default() += 1;
                }
            }
            Err(reason) => {
                report.problem = Some(AuditProblem {
                    line: number,
                    reason,
                });
                break;
            }
        }
    }
    report.last_hash = hex(&prev);
    Ok((report, prev))
}

#[cfg(not(target_arch = "wasm32"))]
pub use file::AuditLog;

#[cfg(not(target_arch = "wasm32"))]
mod file {
    use super::{AuditEvent, AuditSink, OwnedEvent, format_line, verify_chain};
    use crate::{Error, Result};
    use std::fs::{File, OpenOptions};
    use std::io::{self, BufReader, Write};
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
    use std::thread::JoinHandle;
    use std::time::{Duration, Instant};

    /// Events the opening threads may be ahead of the disk by; a full queue
    /// makes them wait for the writer.
    const QUEUE: usize = 1 << 16;
    /// A batch the writer takes without waiting for more.
    const BATCH: usize = 4096;
    /// How long the writer lets a batch fill before writing it: the bound
    /// on how long an event waits before its write and sync begin.
    const LINGER: Duration = Duration::from_millis(2);

    const REFUSED: Error = Error::AuditFailed("the audit log cannot be written");

    /// A tamper-evident JSON-lines audit file (format: docs/AUDIT.md). Opening
    /// threads only queue their events; one writer thread takes the whole
    /// queue at once (after letting it fill for up to 2 ms), formats and
    /// chains it in queue order, writes it with one `write` and makes it
    /// durable with `fdatasync` before taking the next (group commit), so an
    /// event is on disk one batch (2 ms plus a write and a sync) after its
    /// open returned. [`flush`](Self::flush) waits until every event
    /// recorded so far is on disk; dropping the log flushes it. Safe to share
    /// between threads and openers (`Arc<AuditLog>`); one process writes a
    /// file at a time.
    ///
    /// After a write fails, every later event is refused, so opens fail
    /// (closed) rather than go unrecorded.
    pub struct AuditLog {
        shared: Arc<Shared>,
        writer: Option<JoinHandle<()>>,
        /// The writer thread exists only in the process that opened the log:
        /// after a `fork()` the child's events would queue for no one (and two
        /// processes appending would break the chain), so a child is refused.
        fork_guard: crate::fork::ForkGuard,
    }

    struct Shared {
        state: Mutex<State>,
        /// The writer waits here for events (or the end).
        work: Condvar,
        /// Producers wait here for room, flushers for durability.
        progress: Condvar,
        failed: AtomicBool,
    }

    struct State {
        queue: Vec<OwnedEvent>,
        /// Events ever queued, and ever written and synced (or dropped after a failure).
        queued: u64,
        done: u64,
        closing: bool,
        /// Threads in [`AuditLog::flush`]: the writer does not linger for them.
        flushers: usize,
        error: Option<io::ErrorKind>,
    }

    impl Shared {
        fn lock(&self) -> MutexGuard<'_, State> {
            self.state.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }

    impl AuditLog {
        /// Opens (or creates) the log at `path` to append to. An existing
        /// log is verified first and refused unless its chain is intact
        /// (`InvalidData`, naming the line): appending to a broken chain
        /// would hide the break.
        pub fn open(path: impl AsRef<Path>) -> io::Result<AuditLog> {
            let path = path.as_ref();
            let mut file = OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .open(path)?;
            let (report, prev) = verify_chain(BufReader::new(&mut file))?;
            if let Some(problem) = report.problem {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{}: line {}: {}",
                        path.display(),
                        problem.line,
                        problem.reason
                    ),
                ));
            }
            if report.events == 0 {
                sync_directory(path)?;
            }
            let shared = Arc::new(Shared {
                state: Mutex::new(State {
                    queue: Vec::with_capacity(1024),
                    queued: 0,
                    done: 0,
                    closing: false,
                    flushers: 0,
                    error: None,
                }),
                work: Condvar::new(),
                progress: Condvar::new(),
                failed: AtomicBool::new(false),
            });
            let writer = {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name("enseal-audit".into())
                    .spawn(move || write_loop(file, &shared, report.events, prev))?
            };
            Ok(AuditLog {
                fork_guard: crate::fork::ForkGuard::new(),
                shared,
                writer: Some(writer),
            })
        }

        /// Waits until every event recorded before the call is written and
        /// synced to disk; the write's error, if one failed.
        pub fn flush(&self) -> io::Result<()> {
            if self.fork_guard.forked() {
                return Err(io::Error::other(
                    "this audit log was opened by the parent process: open a new AuditLog after fork()",
                ));
            }
            let mut state = self.shared.lock();
            let target = state.queued;
            state.flushers += 1;
            self.shared.work.notify_one();
            while state.done < target && state.error.is_none() {
                state = self
                    .shared
                    .progress
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            state.flushers -= 1;
            match state.error {
                None => Ok(()),
                Some(kind) => Err(io::Error::new(kind, "the audit log write failed")),
            }
        }
    }

    impl AuditSink for AuditLog {
        fn record(&self, event: &AuditEvent<'_>) -> Result<()> {
            if self.fork_guard.forked() {
                return Err(Error::InvalidArgument(
                    "this audit log was opened by the parent process: open a new AuditLog after fork()",
                ));
            }
            if self.shared.failed.load(Ordering::Relaxed) {
                return Err(REFUSED);
            }
            let event = OwnedEvent::new(event);
            let mut state = self.shared.lock();
            while state.queue.len() >= QUEUE && state.error.is_none() {
                state = self
                    .shared
                    .progress
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if state.error.is_some() || state.closing {
                return Err(REFUSED);
            }
            state.queue.push(event);
            state.queued += 1;
            let wake = matches!(state.queue.len(), 1 | BATCH);
            drop(state);
            if wake {
                self.shared.work.notify_one();
            }
            Ok(())
        }
    }

    impl Drop for AuditLog {
        fn drop(&mut self) {
            if self.fork_guard.forked() {
                // The writer thread is the parent's: there is nothing to join here.
                if let Some(writer) = self.writer.take() {
                    std::mem::forget(writer);
                }
                return;
            }
            // The writer drains the queue, syncs it and ends.
            self.shared.lock().closing = true;
            self.shared.work.notify_one();
            if let Some(writer) = self.writer.take() {
                let _ = writer.join();
            }
        }
    }

    impl core::fmt::Debug for AuditLog {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("AuditLog")
                .field("failed", &self.shared.failed.load(Ordering::Relaxed))
                .finish_non_exhaustive()
        }
    }

    /// Makes a new file's directory entry durable (its lines are synced by the writer).
    fn sync_directory(path: &Path) -> io::Result<()> {
        #[cfg(unix)]
        if let Some(dir) = path.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            File::open(dir)?.sync_all()?;
        }
        #[cfg(not(unix))]
        let _ = path;
        Ok(())
    }

    fn write_loop(mut file: File, shared: &Shared, mut seq: u64, mut prev: [u8; 32]) {
        let mut out = String::with_capacity(1 << 22);
        let mut batch = Vec::with_capacity(1024);
        loop {
            let mut state = shared.lock();
            while state.queue.is_empty() && !state.closing {
                state = shared
                    .work
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if state.queue.is_empty() {
                return; // closing, and everything is written
            }
            // Group commit: let the batch fill for a moment, so that a
            // steady stream costs one write and one sync per batch.
            let deadline = Instant::now() + LINGER;
            while state.queue.len() < BATCH && !state.closing && state.flushers == 0 {
                let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                    break;
                };
                state = shared
                    .work
                    .wait_timeout(state, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            core::mem::swap(&mut state.queue, &mut batch);
            let broken = state.error.is_some();
            drop(state);
            shared.progress.notify_all(); // room in the queue
            let mut result = Ok(());
            if !broken {
                for event in &batch {
                    seq += 1;
                    prev = format_line(&mut out, event, seq, &prev);
                }
                result = file
                    .write_all(out.as_bytes())
                    .and_then(|()| file.sync_data());
                out.clear();
            }
            let written = batch.len() as u64;
            batch.clear();
            let mut state = shared.lock();
            state.done += written;
            if let Err(error) = result {
                state.error = Some(error.kind());
                shared.failed.store(true, Ordering::Relaxed);
            }
            drop(state);
            shared.progress.notify_all();
        }
    }
}
