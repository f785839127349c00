//! Audit of every open (docs/AUDIT.md): an opener made with
//! enseal_opener_new_audited (the hash-chained file, `enseal_audit_log`) or
//! enseal_opener_new_audited_callback (a C function) reports every open,
//! failed open and decapsulation; enseal_audit_log_verify checks a file's
//! chain. Events, the chain and its verification are core's; this module
//! translates them.
//!
//! Why constructors and not a setter on an existing opener: C openers are
//! immutable values shared by threads (like frozen keyrings), so an opener
//! is audited from its first open to its last, and no thread can see one
//! half-configured.

use crate::keyring::enseal_keyring;
use crate::memory::*;
use crate::opener::enseal_opener;
use crate::status::{enseal_status, guard_detailed, produce};
use enseal_core::{AuditEvent, AuditLog, AuditOperation, AuditSink, Error, Opener};
use std::ffi::{CString, c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// A tamper-evident JSON-lines audit file (docs/AUDIT.md), open to append.
/// Thread-safe; several openers may share one. Events are written by a
/// background thread in batches and synced; enseal_audit_log_flush waits
/// until every event so far is on disk. The file stays open until this
/// handle and every opener using it are freed (the last one flushes).
/// After fork() a child's audited opens fail closed: open a new log there.
pub struct enseal_audit_log {
    inner: Arc<AuditLog>,
}

/// One audited operation, as the callback of
/// enseal_opener_new_audited_callback receives it. Never plaintext, never
/// key material. Every pointer in it is valid only during the call: copy
/// what you keep.
#[repr(C)]
pub struct enseal_audit_event {
    /// Unix seconds (system clock).
    pub time: u64,
    /// "open", "reseal" (opened to be sealed to a new key), "decapsulate" (a session's key derived, once per session
    /// while it stays cached), "delegate_open" or "confirm_delegated".
    pub operation: *const c_char,
    /// ENSEAL_OK when the operation succeeded, else its error.
    pub error: enseal_status,
    /// The sealed value's key id (11 characters of base64url and a NUL);
    /// "" when the value did not parse.
    pub kid: [c_char; 12],
    /// Its suite id (ENSEAL_SUITE_*); 0 when the value did not parse.
    pub suite: u16,
    /// Its session id (22 characters of base64url and a NUL, as
    /// enseal_sealed_info gives it); "" when the value did not parse.
    pub session_id: [c_char; 23],
    /// The context the caller gave (`context_len` bytes, not
    /// NUL-terminated); NULL for operations on a session (decapsulate).
    pub context: *const u8,
    /// Bytes at `context`.
    pub context_len: usize,
    /// The actor given to the opener (NUL-terminated).
    pub actor: *const c_char,
}

/// Receives the events of an audited opener, in the opening thread, after
/// the operation and before its result is returned. Return 0 to accept the
/// event; any other value refuses it, and a successful open then fails
/// closed (ENSEAL_AUDIT_FAILED, "the audit callback refused the event",
/// plaintext wiped, nothing returned); a failed open keeps its own status.
/// It may be called from several threads at once (as many as open with the
/// opener). It must return normally: no longjmp, no C++ exception out of it.
pub type enseal_audit_callback =
    Option<unsafe extern "C" fn(event: *const enseal_audit_event, user: *mut c_void) -> c_int>;

/// Opens (or creates) the audit file at `path` to append to. An existing
/// file is verified first and refused (ENSEAL_INVALID_ARGUMENT, the message
/// naming the first bad line) unless its chain is intact: appending would
/// hide the break. A file that cannot be opened or read is
/// ENSEAL_INVALID_ARGUMENT with the system's reason. Free with
/// enseal_audit_log_free.
///
/// # Safety
/// `path` must be NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_audit_log_open(
    path: *const c_char,
    out: *mut *mut enseal_audit_log,
) -> enseal_status {
    guard_detailed(|| {
        out_arg(out).map_err(plain)?;
        // SAFETY: forwarded from the function's contract.
        let path = unsafe { str_arg(path) }.map_err(plain)?;
        let log = AuditLog::open(path).map_err(|e| {
            let detail = match e.kind() {
                // Core's message already names the file and the line.
                std::io::ErrorKind::InvalidData => format!("audit log: {e}"),
                _ => format!("audit log {path}: {e}"),
            };
            (
                Error::InvalidArgument("the audit log cannot be opened"),
                detail,
            )
        })?;
        let handle = new_handle(enseal_audit_log {
            inner: Arc::new(log),
        });
        // SAFETY: checked by out_arg; writable per the contract.
        unsafe { write_out(out, handle) };
        Ok(())
    })
}

/// Waits until every event recorded so far is written and synced to disk.
/// A failed write is ENSEAL_AUDIT_FAILED with the system's reason (and
/// every later audited open fails closed).
///
/// # Safety
/// `log` must be a live audit log.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_audit_log_flush(log: *const enseal_audit_log) -> enseal_status {
    guard_detailed(|| {
        // SAFETY: forwarded from the function's contract.
        let log = unsafe { handle(log) }.map_err(plain)?;
        log.inner.flush().map_err(|e| {
            (
                Error::AuditFailed("the audit log cannot be written"),
                format!("audit log: {e}"),
            )
        })
    })
}

/// Releases this handle and sets `*log` to NULL (NULL is allowed). The file
/// is flushed and closed once no opener uses it either.
///
/// # Safety
/// `log` must be NULL, or point to NULL or to a live audit log.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_audit_log_free(log: *mut *mut enseal_audit_log) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(log) }
}

/// An opener over the keys of `keyring` (which may be freed afterwards) that
/// appends an event to `log` for every open, failed open and decapsulation,
/// as `actor` (the service or user opening, non-empty UTF-8). If the log
/// refuses an event (a failed write, after fork()), a successful open fails
/// closed. The opener keeps the log open until it is freed.
///
/// # Safety
/// `keyring` and `log` live; `actor` NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_new_audited(
    keyring: *const enseal_keyring,
    log: *const enseal_audit_log,
    actor: *const c_char,
    out: *mut *mut enseal_opener,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (keyring, log, actor) = unsafe { (handle(keyring)?, handle(log)?, actor_arg(actor)?) };
        let sink: Arc<dyn AuditSink> = log.inner.clone();
        let inner = Opener::new(keyring.inner.clone()).with_audit(sink, actor);
        Ok(new_handle(enseal_opener { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// An opener over the keys of `keyring` that calls `callback` with `user`
/// for every open, failed open and decapsulation, as `actor` (see
/// enseal_audit_callback: a non-zero return makes a successful open fail
/// closed). `user` is passed as it is; it must stay valid, and the callback
/// callable from any opening thread, until the opener is freed.
///
/// # Safety
/// `keyring` live; `callback` non-NULL; `actor` NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_new_audited_callback(
    keyring: *const enseal_keyring,
    callback: enseal_audit_callback,
    user: *mut c_void,
    actor: *const c_char,
    out: *mut *mut enseal_opener,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (keyring, actor) = unsafe { (handle(keyring)?, actor_arg(actor)?) };
        let function = callback.ok_or(invalid("the audit callback is NULL"))?;
        let callback = Callback {
            function,
            user,
            actor: CString::new(actor).map_err(|_| invalid("the actor holds a NUL byte"))?,
        };
        let sink: Arc<dyn AuditSink> = Arc::new(move |event: &AuditEvent<'_>| callback.call(event));
        let inner = Opener::new(keyring.inner.clone()).with_audit(sink, actor);
        Ok(new_handle(enseal_opener { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The actor argument: non-NULL, UTF-8, not empty (an event must say who).
///
/// # Safety
/// As [`str_arg`].
unsafe fn actor_arg<'a>(actor: *const c_char) -> Result<&'a str, Error> {
    // SAFETY: forwarded contract.
    let actor = unsafe { str_arg(actor) }?;
    if actor.is_empty() {
        return Err(invalid(
            "the actor is empty: name the service or user opening",
        ));
    }
    Ok(actor)
}

/// A C callback and its `user` pointer, as a core sink.
struct Callback {
    function: unsafe extern "C" fn(*const enseal_audit_event, *mut c_void) -> c_int,
    user: *mut c_void,
    actor: CString,
}

// SAFETY: enseal never reads or writes through `user`; it only passes it back
// to the callback, which the header requires to be callable from any thread
// with it (enseal_opener_new_audited_callback).
unsafe impl Send for Callback {}
// SAFETY: as above: shared use is only calling the callback.
unsafe impl Sync for Callback {}

impl Callback {
    fn call(&self, event: &AuditEvent<'_>) -> Result<(), Error> {
        // Building the event cannot panic today; were it to, the panic
        // becomes a refusal here instead of unwinding through core's opener.
        let answer = catch_unwind(AssertUnwindSafe(|| -> Result<c_int, Error> {
            let kid = match event.kid {
                Some(kid) => fixed_text(&kid.to_string())?,
                None => [0; 12],
            };
            let session_id = match event.session_id() {
                Some(id) => fixed_text(&id.to_string())?,
                None => [0; 23],
            };
            let (context, context_len) = match event.context {
                // A present but empty context is a valid pointer to 0 bytes.
                Some(bytes) => (bytes.as_ptr(), bytes.len()),
                None => (std::ptr::null(), 0),
            };
            let c_event = enseal_audit_event {
                time: event.time,
                operation: operation_name(event.operation).as_ptr(),
                error: event
                    .error
                    .map_or(enseal_status::ENSEAL_OK, enseal_status::of),
                kid,
                suite: event.suite.map_or(0, |s| s.kem_id()),
                session_id,
                context,
                context_len,
                actor: self.actor.as_ptr(),
            };
            // SAFETY: `function` is the caller's callback (non-NULL, checked
            // at construction); `c_event` and what it points to live until it returns.
            Ok(unsafe { (self.function)(&c_event, self.user) })
        }));
        match answer {
            Ok(Ok(0)) => Ok(()),
            Ok(Ok(_)) => Err(Error::AuditFailed("the audit callback refused the event")),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(Error::Internal(
                "a panic was caught in the audit callback adapter",
            )),
        }
    }
}

fn operation_name(operation: AuditOperation) -> &'static std::ffi::CStr {
    match operation {
        AuditOperation::Open => c"open",
        AuditOperation::Reseal => c"reseal",
        AuditOperation::Decapsulate => c"decapsulate",
        AuditOperation::DelegateOpen => c"delegate_open",
        AuditOperation::ConfirmDelegated => c"confirm_delegated",
        // A new core operation: its name, were it ever added without this list.
        _ => c"unknown",
    }
}

/// A name and how many events it has, in an enseal_audit_report.
#[repr(C)]
pub struct enseal_audit_count {
    /// The actor, or the key id (NUL-terminated).
    pub name: *mut c_char,
    /// Events.
    pub count: u64,
}

/// What enseal_audit_log_verify found. Counts are over the intact lines
/// (all of them when `intact`). Free what it holds with
/// enseal_audit_report_free.
#[repr(C)]
pub struct enseal_audit_report {
    /// Whether the whole chain checked out.
    pub intact: bool,
    /// Lines (events) whose chain checks out.
    pub events: u64,
    /// Of those, events that failed.
    pub failures: u64,
    /// The first line (1-based) that breaks the chain; 0 when intact.
    pub problem_line: u64,
    /// What is wrong with that line (one line of text); NULL when intact.
    pub problem: *mut c_char,
    /// The last intact line's hash (64 hex digits and a NUL): keep a copy
    /// elsewhere to detect lines removed from the end, which no chain can.
    pub last_hash: [c_char; 65],
    /// Events per actor (`actor_count` entries, by name).
    pub actors: *mut enseal_audit_count,
    /// Entries at `actors`.
    pub actor_count: usize,
    /// Events per key id (`kid_count` entries, by key id; events of values
    /// that did not parse have none).
    pub kids: *mut enseal_audit_count,
    /// Entries at `kids`.
    pub kid_count: usize,
}

/// A C string of `text`; a NUL in it (a JSON string may hold one) becomes a space.
fn c_text(text: &str) -> *mut c_char {
    CString::new(text.replace('\0', " "))
        .unwrap_or_default()
        .into_raw()
}

fn counts(map: &std::collections::BTreeMap<String, u64>) -> (*mut enseal_audit_count, usize) {
    let entries: Box<[enseal_audit_count]> = map
        .iter()
        .map(|(name, count)| enseal_audit_count {
            name: c_text(name),
            count: *count,
        })
        .collect();
    let len = entries.len();
    (Box::into_raw(entries).cast(), len)
}

/// Frees an array from [`counts`] (`len` entries).
fn free_counts(ptr: *mut enseal_audit_count, len: usize) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: `ptr`/`len` came from Box<[enseal_audit_count]>::into_raw in `counts`.
    let entries = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) };
    for entry in entries.iter() {
        if !entry.name.is_null() {
            // SAFETY: each name came from CString::into_raw in `counts`.
            drop(unsafe { CString::from_raw(entry.name) });
        }
    }
}

/// Checks the hash chain of the audit file at `path` (docs/AUDIT.md) and
/// counts its events per actor and per key id. A deleted, edited, inserted
/// or reordered line, or a last line cut short, is a broken chain: the
/// result is still ENSEAL_OK, with `intact` false and the first bad line
/// in `problem_line` and `problem`. A file that cannot be read is
/// ENSEAL_INVALID_ARGUMENT with the system's reason, and `*out` is left as
/// it was. Free the report with enseal_audit_report_free.
///
/// # Safety
/// `path` must be NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_audit_log_verify(
    path: *const c_char,
    out: *mut enseal_audit_report,
) -> enseal_status {
    guard_detailed(|| {
        out_arg(out).map_err(plain)?;
        // SAFETY: forwarded from the function's contract.
        let path = unsafe { str_arg(path) }.map_err(plain)?;
        let unreadable = |e: std::io::Error| {
            (
                Error::InvalidArgument("the audit log cannot be read"),
                format!("audit log {path}: {e}"),
            )
        };
        let file = std::fs::File::open(path).map_err(unreadable)?;
        let report =
            enseal_core::verify_audit_log(std::io::BufReader::new(file)).map_err(unreadable)?;
        let (problem_line, problem) = match &report.problem {
            Some(p) => (p.line, c_text(&p.reason)),
            None => (0, std::ptr::null_mut()),
        };
        let mut result = enseal_audit_report {
            intact: report.is_intact(),
            events: report.events,
            failures: report.failures,
            problem_line,
            problem,
            last_hash: [0; 65],
            actors: std::ptr::null_mut(),
            actor_count: 0,
            kids: std::ptr::null_mut(),
            kid_count: 0,
        };
        match fixed_text(&report.last_hash) {
            Ok(hash) => result.last_hash = hash,
            Err(error) => {
                // SAFETY: `result` holds only what this function allocated.
                unsafe { enseal_audit_report_free(&mut result) };
                return Err(plain(error));
            }
        }
        (result.actors, result.actor_count) = counts(&report.per_actor);
        (result.kids, result.kid_count) = counts(&report.per_kid);
        // SAFETY: checked by out_arg; writable per the contract.
        unsafe { write_out(out, result) };
        Ok(())
    })
}

/// Frees what an enseal_audit_report holds and zeroes it, so a second call
/// does nothing. NULL is allowed, and so is a zeroed report.
///
/// # Safety
/// `report` must be NULL or point to a report filled by
/// enseal_audit_log_verify (or zeroed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_audit_report_free(report: *mut enseal_audit_report) {
    // SAFETY: the caller passes NULL or a valid report.
    let Some(report) = (unsafe { report.as_mut() }) else {
        return;
    };
    if !report.problem.is_null() {
        // SAFETY: came from CString::into_raw in enseal_audit_log_verify.
        drop(unsafe { CString::from_raw(report.problem) });
    }
    free_counts(report.actors, report.actor_count);
    free_counts(report.kids, report.kid_count);
    report.problem = std::ptr::null_mut();
    report.actors = std::ptr::null_mut();
    report.actor_count = 0;
    report.kids = std::ptr::null_mut();
    report.kid_count = 0;
}

/// A core error with core's own message, for [`guard_detailed`].
fn plain(error: Error) -> (Error, String) {
    let message = error.to_string();
    (error, message)
}
