//! A token reached through a PKCS#11 module, and a bounded pool of logged-in
//! sessions on it with one safe retry on a fresh session.
//!
//! PKCS#11 sessions are `Send` but not `Sync`: each operation borrows one
//! session from the pool exclusively. Login is per application and token
//! (RFC: PKCS#11 v2.40 §5.6), so all sessions share one login; a fresh
//! session logs in again when the token forgot it (after the token came
//! back, or `C_CloseAllSessions`).

use crate::uri::{ObjectType, Pkcs11Uri};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use enseal::{CustodyError, Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// One initialised context per module per process: `C_Initialize` is
/// process-wide, and a second `C_Finalize` from us would pull the module
/// from under every other key.
fn module(path: &Path) -> std::result::Result<Pkcs11, CkError> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut modules = MODULES
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(ctx) = modules.get(path) {
        return Ok(ctx.clone());
    }
    let ctx = Pkcs11::new(path)?;
    initialize(&ctx)?;
    modules.insert(path.to_path_buf(), ctx.clone());
    Ok(ctx)
}

/// `C_Initialize`, accepting a module that something else in the process
/// (another library, or a test) initialised already.
fn initialize(ctx: &Pkcs11) -> std::result::Result<(), CkError> {
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(()),
        other => other,
    }
}

/// How a PKCS#11 failure is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The session, the login, the token or the module went away: drop the
    /// session and retry once on a fresh one.
    Transient,
    /// The token refused this input (`enc` not a point on its curve, …).
    Input,
    /// Anything else: the key or the token cannot do this; not retried.
    Refused,
}

pub(crate) fn classify(err: &CkError) -> Failure {
    match err {
        CkError::Pkcs11(rv, _) => match rv {
            RvError::TokenNotPresent
            | RvError::TokenNotRecognized
            | RvError::DeviceRemoved
            | RvError::DeviceError
            | RvError::DeviceMemory
            | RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::SessionCount
            | RvError::UserNotLoggedIn
            | RvError::CryptokiNotInitialized
            | RvError::SlotIdInvalid
            | RvError::ObjectHandleInvalid
            | RvError::KeyHandleInvalid
            | RvError::GeneralError
            | RvError::FunctionFailed
            | RvError::HostMemory => Failure::Transient,
            RvError::ArgumentsBad
            | RvError::MechanismParamInvalid
            | RvError::DomainParamsInvalid
            | RvError::DataInvalid
            | RvError::DataLenRange
            | RvError::CurveNotSupported => Failure::Input,
            _ => Failure::Refused,
        },
        _ => Failure::Refused,
    }
}

/// The failure for messages: the return value's name, never data.
pub(crate) fn describe(err: &CkError) -> String {
    match err {
        CkError::Pkcs11(rv, function) => format!("{function} returned {rv:?}"),
        CkError::LibraryLoading(e) => format!("cannot load the PKCS#11 module: {e}"),
        other => format!("PKCS#11: {other}"),
    }
}

/// A token, found by the URI's token attributes, and the PIN to log in.
pub(crate) struct Token {
    ctx: Pkcs11,
    module_path: PathBuf,
    uri: Pkcs11Uri,
    slot: Mutex<Option<Slot>>,
    /// The token refused the PIN once: it is not offered again, since each
    /// wrong login counts toward the token locking the user PIN for good.
    pin_refused: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("module", &self.module_path)
            .field("uri", &self.uri.describe())
            .finish_non_exhaustive()
    }
}

impl Token {
    /// Loads the URI's module (a bad path is an invalid key location).
    pub fn new(uri: Pkcs11Uri) -> Result<Token> {
        let ctx = module(&uri.module_path).map_err(|e| {
            Error::InvalidKeyLocation(format!("{}: {}", uri.module_path.display(), describe(&e)))
        })?;
        Ok(Token {
            ctx,
            module_path: uri.module_path.clone(),
            uri,
            slot: Mutex::new(None),
            pin_refused: std::sync::atomic::AtomicBool::new(false),
        })
    }

    pub fn uri(&self) -> &Pkcs11Uri {
        &self.uri
    }

    /// The slot holding the URI's token, looked up again after a failure
    /// (a re-inserted token may sit in another slot).
    fn find_slot(&self) -> std::result::Result<Slot, SlotError> {
        let slots = self.ctx.get_slots_with_token().map_err(SlotError::Ck)?;
        let mut found = Vec::new();
        for slot in slots {
            if self.uri.slot_id.is_some_and(|id| id != slot.id()) {
                continue;
            }
            let info = match self.ctx.get_token_info(slot) {
                Ok(info) => info,
                Err(_) => continue,
            };
            let matches = |want: &Option<String>, have: &str| {
                want.as_deref().is_none_or(|w| w == have.trim_end())
            };
            if matches(&self.uri.token, info.label())
                && matches(&self.uri.manufacturer, info.manufacturer_id())
                && matches(&self.uri.serial, info.serial_number())
                && matches(&self.uri.model, info.model())
            {
                found.push(slot);
            }
        }
        match found.as_slice() {
            [slot] => Ok(*slot),
            [] => Err(SlotError::NotPresent),
            _ => Err(SlotError::Ambiguous(found.len())),
        }
    }

    /// A fresh read-write session, logged in when the URI has a PIN.
    pub fn session(&self) -> std::result::Result<Session, SessionError> {
        let cached = *self.slot.lock().unwrap_or_else(|p| p.into_inner());
        let slot = match cached {
            Some(slot) => slot,
            None => self.resolve_slot()?,
        };
        let session = match self.ctx.open_rw_session(slot) {
            Ok(s) => s,
            Err(e) if classify(&e) == Failure::Transient => {
                // The token may have moved: look it up again once.
                let slot = self.resolve_slot()?;
                self.ctx.open_rw_session(slot).map_err(SessionError::Ck)?
            }
            Err(e) => return Err(SessionError::Ck(e)),
        };
        if let Some(pin) = &self.uri.pin {
            use std::sync::atomic::Ordering;
            if self.pin_refused.load(Ordering::SeqCst) {
                return Err(SessionError::PinRefused);
            }
            let pin = AuthPin::new(pin.as_str().into());
            match session.login(UserType::User, Some(&pin)) {
                Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
                Err(CkError::Pkcs11(
                    RvError::PinIncorrect
                    | RvError::PinLocked
                    | RvError::PinExpired
                    | RvError::PinLenRange
                    | RvError::PinInvalid,
                    _,
                )) => {
                    self.pin_refused.store(true, Ordering::SeqCst);
                    return Err(SessionError::PinRefused);
                }
                Err(e) => return Err(SessionError::Ck(e)),
            }
        }
        Ok(session)
    }

    fn resolve_slot(&self) -> std::result::Result<Slot, SessionError> {
        let slot = self.find_slot().map_err(SessionError::Slot)?;
        *self.slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(slot);
        Ok(slot)
    }

    /// The one object the URI names, of `class`, in `session`.
    pub fn find(
        &self,
        session: &Session,
        class: ObjectClass,
    ) -> std::result::Result<ObjectHandle, SessionError> {
        let mut template = vec![Attribute::Class(class)];
        if let Some(label) = &self.uri.object {
            template.push(Attribute::Label(label.as_bytes().to_vec()));
        }
        if let Some(id) = &self.uri.id {
            template.push(Attribute::Id(id.clone()));
        }
        let found = session.find_objects(&template).map_err(SessionError::Ck)?;
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(SessionError::NoObject),
            many => Err(SessionError::AmbiguousObject(many.len())),
        }
    }

    /// The class the URI asks for, defaulting to `default`.
    pub fn class(&self, default: ObjectClass) -> Result<ObjectClass> {
        Ok(match self.uri.object_type {
            None => default,
            Some(ObjectType::Private) if default == ObjectClass::PRIVATE_KEY => default,
            Some(ObjectType::SecretKey) if default == ObjectClass::SECRET_KEY => default,
            Some(_) => {
                return Err(Error::InvalidKeyLocation(format!(
                    "{}: the URI's type= names the wrong kind of object here",
                    self.uri.describe()
                )));
            }
        })
    }
}

#[derive(Debug)]
pub(crate) enum SlotError {
    Ck(CkError),
    NotPresent,
    Ambiguous(usize),
}

/// Why a session (or the object in it) could not be had.
#[derive(Debug)]
pub(crate) enum SessionError {
    Ck(CkError),
    Slot(SlotError),
    NoObject,
    AmbiguousObject(usize),
    /// The token refused the PIN (wrong, locked, expired).
    PinRefused,
}

impl SessionError {
    pub fn describe(&self, token: &Token) -> String {
        let uri = token.uri().describe();
        match self {
            SessionError::Ck(e) => format!("{uri}: {}", describe(e)),
            SessionError::Slot(SlotError::Ck(e)) => format!("{uri}: {}", describe(e)),
            SessionError::Slot(SlotError::NotPresent) => format!("{uri}: token not present"),
            SessionError::Slot(SlotError::Ambiguous(n)) => {
                format!("{uri}: {n} tokens match; add token=, serial= or slot-id=")
            }
            SessionError::NoObject => {
                let hint = if token.uri().pin.is_none() {
                    " (no PIN given: private objects are visible only after login)"
                } else {
                    ""
                };
                format!("{uri}: no such object in the token{hint}")
            }
            SessionError::AmbiguousObject(n) => {
                format!("{uri}: {n} objects match; add object= or id=")
            }
            SessionError::PinRefused => format!(
                "{uri}: the token refused the PIN (wrong, locked or expired); it is not tried \
                 again, so that the token does not lock it: open the key again with the right PIN"
            ),
        }
    }

    /// Whether it may go away on its own (the token came back): an
    /// unavailable key, as opposed to a URI that names nothing.
    pub fn transient(&self) -> bool {
        match self {
            SessionError::Ck(e) | SessionError::Slot(SlotError::Ck(e)) => {
                classify(e) == Failure::Transient
            }
            SessionError::Slot(SlotError::NotPresent) => true,
            _ => false,
        }
    }
}

/// A session from the pool with the handle of the pool's object in it.
pub(crate) struct Pooled {
    session: Session,
    object: ObjectHandle,
}

struct PoolState {
    idle: Vec<Pooled>,
    /// Sessions open, idle or lent out.
    open: usize,
}

/// A bounded pool of logged-in sessions, each holding the handle of one object.
pub(crate) struct Pool {
    token: Token,
    class: ObjectClass,
    size: usize,
    wait: Duration,
    state: Mutex<PoolState>,
    freed: Condvar,
    /// Token operations attempted (derives, decrypts), for measurements.
    calls: AtomicU64,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("token", &self.token)
            .field("size", &self.size)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

impl Pool {
    /// A pool over the object `token`'s URI names; opens one session now, so
    /// a URI that names nothing fails here, not on the first open.
    pub fn new(token: Token, class: ObjectClass) -> Result<(Pool, ObjectHandle)> {
        let size = token.uri().pool_size;
        let wait = token.uri().wait;
        let pool = Pool {
            token,
            class,
            size,
            wait,
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
            calls: AtomicU64::new(0),
        };
        let first = pool.fresh().map_err(|e| {
            let reason = e.describe(&pool.token);
            if e.transient() {
                Error::KeyUnavailable { kid: None, reason }
            } else {
                Error::InvalidKeyLocation(reason)
            }
        })?;
        let handle = first.object;
        pool.state.lock().unwrap_or_else(|p| p.into_inner()).open = 1;
        pool.release(first);
        Ok((pool, handle))
    }

    pub fn token(&self) -> &Token {
        &self.token
    }

    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    fn fresh(&self) -> std::result::Result<Pooled, SessionError> {
        let session = self.token.session()?;
        let object = self.token.find(&session, self.class)?;
        Ok(Pooled { session, object })
    }

    /// Borrows a session: an idle one, a new one while fewer than `size`
    /// are open, or waits at most `wait` for one to come back.
    fn acquire(&self) -> std::result::Result<Pooled, CustodyError> {
        let deadline = Instant::now() + self.wait;
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(pooled) = state.idle.pop() {
                return Ok(pooled);
            }
            if state.open < self.size {
                state.open += 1;
                drop(state);
                return self.fresh().map_err(|e| {
                    self.discard();
                    CustodyError::Unavailable(e.describe(&self.token))
                });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(CustodyError::Unavailable(format!(
                    "{}: busy: all {} sessions in use for {} ms",
                    self.token.uri().describe(),
                    self.size,
                    self.wait.as_millis()
                )));
            }
            state = self
                .freed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn release(&self, pooled: Pooled) {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .idle
            .push(pooled);
        self.freed.notify_one();
    }

    /// Forgets a session that failed (it is closed when dropped, never reused).
    fn discard(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.open = state.open.saturating_sub(1);
        drop(state);
        self.freed.notify_one();
    }

    /// Runs `op` on a pooled session and its object. A transient failure
    /// (session, login, token or module gone) drops that session and runs
    /// `op` once more on a fresh one: `op` must be idempotent (an ECDH
    /// derive or a decrypt is). Every failure is `Unavailable` with the
    /// return value's name (input errors too: core validated the input).
    pub fn with<T>(
        &self,
        op: impl Fn(&Session, ObjectHandle) -> std::result::Result<T, CkError>,
    ) -> std::result::Result<T, CustodyError> {
        let pooled = self.acquire()?;
        self.calls.fetch_add(1, Ordering::Relaxed);
        let first = match op(&pooled.session, pooled.object) {
            Ok(value) => {
                self.release(pooled);
                return Ok(value);
            }
            Err(e) => e,
        };
        match classify(&first) {
            // Core checked `enc` before the token saw it, so a token refusing
            // the input is a token or configuration problem (one that wants a
            // DER-wrapped point, say), never bad sealed data: not DECRYPT_FAILED.
            Failure::Input | Failure::Refused => {
                self.release(pooled);
                return Err(CustodyError::Unavailable(format!(
                    "{}: {}",
                    self.token.uri().describe(),
                    describe(&first)
                )));
            }
            Failure::Transient => {}
        }
        // The session is suspect: close it and retry once on a fresh one.
        drop(pooled);
        let fresh = match self.fresh() {
            Ok(fresh) => fresh,
            Err(e) => {
                self.discard();
                return Err(CustodyError::Unavailable(format!(
                    "{} (after {})",
                    e.describe(&self.token),
                    describe(&first)
                )));
            }
        };
        self.calls.fetch_add(1, Ordering::Relaxed);
        match op(&fresh.session, fresh.object) {
            Ok(value) => {
                self.release(fresh);
                Ok(value)
            }
            Err(e) => match classify(&e) {
                Failure::Input | Failure::Refused => {
                    self.release(fresh);
                    Err(CustodyError::Unavailable(format!(
                        "{}: {}",
                        self.token.uri().describe(),
                        describe(&e)
                    )))
                }
                Failure::Transient => {
                    drop(fresh);
                    self.discard();
                    Err(CustodyError::Unavailable(format!(
                        "{}: {}",
                        self.token.uri().describe(),
                        describe(&e)
                    )))
                }
            },
        }
    }
}
