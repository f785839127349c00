//! Audit of every open (docs/AUDIT.md): core's hash-chained `AuditLog`, a
//! sink implemented in the foreign language (`AuditSink`: a Kotlin
//! interface, a Swift protocol; Python wraps a callable in it), and
//! `verify_audit_log`. Auditing fails closed as core does: a sink that
//! fails (an error, or any exception uniffi catches in the foreign code)
//! makes the open fail with `AUDIT_FAILED` and its plaintext is wiped; nothing
//! panics across the FFI. A sink acknowledges each event by returning
//! `true`: uniffi's foreign side catches only some throwables (Kotlin's
//! `Exception`, not `Error`; Python's `Exception`, not `KeyboardInterrupt`)
//! and returns a zeroed value for the rest, which reads as `false`, so an
//! event nobody recorded always fails the open.

use crate::error::EnsealError;
use crate::{Keyring, Opener, Result, Suite, suite_from_core};
use enseal_core as core_api;
use enseal_core::ErrorCode;
use std::collections::HashMap;
use std::sync::Arc;

/// One audited operation, as a sink receives it: never the plaintext, never key material.
#[derive(Debug, uniffi::Record)]
pub struct AuditEvent {
    /// Unix seconds.
    pub time: u64,
    /// `open`, `reseal`, `decapsulate`, `delegate_open` or `confirm_delegated`.
    pub operation: String,
    /// None when it succeeded, else the error code's name (`DECRYPT_FAILED`).
    pub error: Option<String>,
    /// The key id of the value; None when the value did not parse.
    pub kid: Option<String>,
    /// Its suite; None when the value did not parse.
    pub suite: Option<Suite>,
    /// Its session id; None when the value did not parse.
    pub session_id: Option<String>,
    /// The context the caller gave; None for session-level operations (decapsulation).
    pub context: Option<Vec<u8>>,
    /// Who opened: the actor the opener was made with.
    pub actor: String,
}

impl AuditEvent {
    fn of(event: &core_api::AuditEvent<'_>) -> Self {
        AuditEvent {
            time: event.time,
            operation: event.operation.name().to_owned(),
            error: event.error.map(|code| code.name().to_owned()),
            kid: event.kid.map(|kid| kid.to_string()),
            suite: event.suite.map(suite_from_core),
            session_id: event.session_id().map(|s| s.to_string()),
            context: event.context.map(<[u8]>::to_vec),
            actor: event.actor.to_owned(),
        }
    }
}

/// Where an audited opener's events go, implemented in the foreign language
/// (a callback interface: only foreign code implements it, Rust never hands
/// one out). `record` is called in the opening thread before the open
/// returns and must return `true` once the event is recorded; when it
/// returns `false` or throws, the open fails closed.
#[uniffi::export(callback_interface)]
pub trait AuditSink: Send + Sync {
    /// Records `event`; `true` acknowledges it.
    fn record(&self, event: AuditEvent) -> Result<bool>;
}

/// A foreign sink as core's sink.
struct Foreign(Box<dyn AuditSink>);

impl core_api::AuditSink for Foreign {
    fn record(&self, event: &core_api::AuditEvent<'_>) -> core_api::Result<()> {
        // The foreign error's text is not carried over: it is the caller's
        // code's, and core's error here has a fixed message.
        match self.0.record(AuditEvent::of(event)) {
            Ok(true) => Ok(()),
            Ok(false) | Err(_) => Err(core_api::Error::AuditFailed(
                "the audit sink did not record the event; the open failed closed",
            )),
        }
    }
}

/// A tamper-evident JSON-lines audit file (hash-chained; docs/AUDIT.md).
#[derive(uniffi::Object)]
pub struct AuditLog {
    inner: Arc<core_api::AuditLog>,
}

fn io_error(code: ErrorCode, what: &str, error: &std::io::Error) -> EnsealError {
    EnsealError::of(code, format!("{what}: {error}"))
}

#[uniffi::export]
impl AuditLog {
    /// Opens (or creates) the log at `path` to append to; an existing log
    /// whose chain is broken is refused (`InvalidArgument`, naming the line).
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>> {
        let inner = core_api::AuditLog::open(&path)
            .map_err(|e| io_error(ErrorCode::InvalidArgument, "audit log", &e))?;
        Ok(Arc::new(AuditLog {
            inner: Arc::new(inner),
        }))
    }

    /// Waits until every event recorded so far is written and synced to disk.
    pub fn flush(&self) -> Result<()> {
        self.inner
            .flush()
            .map_err(|e| io_error(ErrorCode::AuditFailed, "audit log write", &e))
    }
}

/// The first line that breaks an audit log's chain.
#[derive(Debug, uniffi::Record)]
pub struct AuditProblem {
    /// The line (1-based).
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

/// What `verify_audit_log` found; the counts are over the intact lines.
#[derive(Debug, uniffi::Record)]
pub struct AuditReport {
    /// Whether the whole chain checked out.
    pub intact: bool,
    /// Events (lines) whose chain checks out.
    pub events: u64,
    /// Events that failed.
    pub failures: u64,
    /// Events per actor.
    pub per_actor: HashMap<String, u64>,
    /// Events per key id.
    pub per_kid: HashMap<String, u64>,
    /// The last intact line's hash (hex): compare with a copy kept elsewhere
    /// to detect lines removed from the end.
    pub last_hash: String,
    /// The first break in the chain, if any.
    pub problem: Option<AuditProblem>,
}

/// Checks the hash chain of the audit log at `path` and counts its events
/// per actor and key. A file that cannot be read is `InvalidArgument`.
#[uniffi::export]
pub fn verify_audit_log(path: String) -> Result<AuditReport> {
    let file = std::fs::File::open(&path)
        .map_err(|e| io_error(ErrorCode::InvalidArgument, "audit log", &e))?;
    let report = core_api::verify_audit_log(std::io::BufReader::new(file))
        .map_err(|e| io_error(ErrorCode::InvalidArgument, "audit log", &e))?;
    Ok(AuditReport {
        intact: report.is_intact(),
        events: report.events,
        failures: report.failures,
        per_actor: report.per_actor.into_iter().collect(),
        per_kid: report.per_kid.into_iter().collect(),
        last_hash: report.last_hash,
        problem: report.problem.map(|p| AuditProblem {
            line: p.line,
            reason: p.reason,
        }),
    })
}

#[uniffi::export]
impl Opener {
    /// An opener over a snapshot of `keyring` that records every open,
    /// failed open and decapsulation in the file `log`, as `actor`.
    #[uniffi::constructor]
    pub fn with_audit_log(keyring: Arc<Keyring>, log: Arc<AuditLog>, actor: String) -> Arc<Self> {
        let sink: Arc<dyn core_api::AuditSink> = log.inner.clone();
        Arc::new(Opener {
            inner: core_api::Opener::new(keyring.snapshot()).with_audit(sink, actor),
        })
    }

    /// An opener over a snapshot of `keyring` that hands every open, failed
    /// open and decapsulation to `sink`, as `actor`.
    #[uniffi::constructor]
    pub fn with_audit(keyring: Arc<Keyring>, sink: Box<dyn AuditSink>, actor: String) -> Arc<Self> {
        Arc::new(Opener {
            inner: core_api::Opener::new(keyring.snapshot())
                .with_audit(Arc::new(Foreign(sink)), actor),
        })
    }
}
