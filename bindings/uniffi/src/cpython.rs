//! The CPython hot path for the Python wheel: `seal`/`open` and their batch
//! forms called straight from Python, without uniffi's generated ctypes layer.
//! That layer makes several foreign calls per method (clone the handle, one
//! buffer per argument, the call, free the result): about 18 µs against
//! 0.3 µs here (bindings/uniffi/README.md has the figures). Everything else in
//! Python still goes through uniffi; `enseal/_loader.py` loads both layers.
//!
//! Built only with the `python` feature (the wheel). Python loads the same
//! shared library a second time as the extension module `enseal._hot`; the
//! loader returns the already loaded library, so both see the same objects:
//! `hot_path_token` (a uniffi method) hands a sealer or opener over by a
//! one-time token that `enseal._hot.Sealer(token)` claims. A forged or reused
//! token is an error, never a dangling pointer.
//!
//! `Sealed` lives here entirely (`enseal.Sealed` is `HotSealed`): a parsed value
//! read without a key, whose properties Python reads without a foreign call,
//! and which `Opener.open` takes as it is.
//!
//! Like the rest of this crate, a translation layer: `bytes`/`str` in, `bytes`/
//! `str` out, core's errors raised as the top-level classes of
//! `enseal/_errors.py` (`enseal.DecryptFailedError`, ...), the same ones the
//! Python package raises for errors that come through uniffi.

use crate::{Opener, Sealer, Suite};
use enseal_core as core_api;
use enseal_core::Context;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyMemoryView, PyString, PyTuple};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use zeroize::Zeroizing;

/// Below this many bytes the GIL stays held: releasing and retaking it costs
/// about as much as sealing a few KiB, and larger values let other Python
/// threads run meanwhile.
const RELEASE_GIL_AT: usize = 16 * 1024;

enum Handoff {
    Sealer(Arc<Sealer>),
    Opener(Arc<Opener>),
}

static HANDOFFS: Mutex<Vec<(u64, Handoff)>> = Mutex::new(Vec::new());
static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

fn hand_off(object: Handoff) -> u64 {
    let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
    HANDOFFS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((token, object));
    token
}

fn claim(token: u64) -> PyResult<Handoff> {
    let mut handoffs = HANDOFFS.lock().unwrap_or_else(PoisonError::into_inner);
    let at = handoffs
        .iter()
        .position(|(t, _)| *t == token)
        .ok_or_else(|| PyValueError::new_err("unknown or already claimed hot-path token"))?;
    Ok(handoffs.swap_remove(at).1)
}

#[uniffi::export]
impl Sealer {
    /// A one-time token for `enseal._hot.Sealer` (Python wheel only).
    pub fn hot_path_token(self: Arc<Self>) -> u64 {
        hand_off(Handoff::Sealer(self))
    }
}

#[uniffi::export]
impl Opener {
    /// A one-time token for `enseal._hot.Opener` (Python wheel only).
    pub fn hot_path_token(self: Arc<Self>) -> u64 {
        hand_off(Handoff::Opener(self))
    }
}

/// Bytes borrowed from a `bytes`/`str` object, or copied out of a mutable
/// buffer (and wiped when dropped: it may be plaintext).
pub(crate) enum Input<'a> {
    Borrowed(&'a [u8]),
    Copied(Zeroizing<Vec<u8>>),
}

impl AsRef<[u8]> for Input<'_> {
    fn as_ref(&self) -> &[u8] {
        match self {
            Input::Borrowed(bytes) => bytes,
            Input::Copied(bytes) => bytes,
        }
    }
}

fn is_single_value(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyByteArray>()
        || obj.is_instance_of::<PyMemoryView>()
}

/// `bytes`, `bytearray`, `memoryview`, or `str` (as UTF-8).
pub(crate) fn input<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Input<'a>> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        Ok(Input::Borrowed(bytes.as_bytes()))
    } else if let Ok(text) = obj.cast::<PyString>() {
        Ok(Input::Borrowed(text.to_str()?.as_bytes()))
    } else if let Ok(array) = obj.cast::<PyByteArray>() {
        Ok(Input::Copied(Zeroizing::new(array.to_vec())))
    } else if obj.is_instance_of::<PyMemoryView>() {
        let copy = obj.call_method0("tobytes")?;
        let copy = copy.cast::<PyBytes>()?;
        Ok(Input::Copied(Zeroizing::new(copy.as_bytes().to_vec())))
    } else {
        Err(PyTypeError::new_err(format!(
            "{what} must be bytes, bytearray, memoryview or str, not {}",
            obj.get_type().name()?
        )))
    }
}

/// The items of a column; a lone `bytes`/`str` is refused rather than iterated.
fn column<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if is_single_value(obj) {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a sequence of values, not a single {}",
            obj.get_type().name()?
        )));
    }
    obj.try_iter()?.collect()
}

/// One context for the whole column, or an iterable with one per value.
fn context_items<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if is_single_value(obj) {
        Ok(vec![obj.clone()])
    } else {
        obj.try_iter()?.collect()
    }
}

fn inputs<'a>(objs: &'a [Bound<'_, PyAny>], what: &str) -> PyResult<Vec<Input<'a>>> {
    objs.iter().map(|obj| input(obj, what)).collect()
}

/// Runs `work`, without the GIL when it handles at least `RELEASE_GIL_AT`
/// bytes, and raises core's error as uniffi's class for it.
fn run<T: Send>(
    py: Python<'_>,
    size: usize,
    work: impl FnOnce() -> core_api::Result<T> + Send,
) -> PyResult<T> {
    let result = if size >= RELEASE_GIL_AT {
        py.detach(work)
    } else {
        work()
    };
    result.map_err(|error| raise(py, error))
}

/// core's error as the `enseal` class of its code (`enseal._errors._error`),
/// with the index of the failing value for a batch error.
pub(crate) fn raise(py: Python<'_>, error: core_api::Error) -> PyErr {
    static MAKE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let (code, detail, index) = (
        error.code().as_u16(),
        error.to_string(),
        error.batch_index(),
    );
    let column_type = matches!(error, core_api::Error::ColumnType { .. });
    let made = MAKE
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("enseal._errors")?.getattr("_error")?.unbind())
        })
        .and_then(|make| make.bind(py).call1((code, detail, index, column_type)));
    match made {
        Ok(exception) => PyErr::from_value(exception),
        Err(failed) => failed,
    }
}

fn not_pickled(name: &str) -> PyErr {
    PyTypeError::new_err(format!(
        "{name} cannot be pickled: it has no serialized form"
    ))
}

fn total<T: AsRef<[u8]>>(values: &[T]) -> usize {
    values.iter().map(|v| v.as_ref().len()).sum()
}

/// A uniffi `Sealer`'s hot path.
#[pyclass(frozen, name = "Sealer", module = "enseal._hot")]
pub(crate) struct HotSealer {
    pub(crate) sealer: Arc<Sealer>,
}

#[pymethods]
impl HotSealer {
    #[new]
    fn new(token: u64) -> PyResult<Self> {
        match claim(token)? {
            Handoff::Sealer(sealer) => Ok(HotSealer { sealer }),
            Handoff::Opener(_) => Err(PyValueError::new_err("the token is an opener's")),
        }
    }

    /// The object itself: it is immutable and thread-safe.
    fn __copy__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The object itself: it is immutable and thread-safe.
    fn __deepcopy__<'py>(slf: PyRef<'py, Self>, _memo: &Bound<'py, PyAny>) -> PyRef<'py, Self> {
        slf
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(not_pickled("enseal._hot.Sealer"))
    }

    fn __reduce_ex__(&self, _protocol: i32) -> PyResult<()> {
        Err(not_pickled("enseal._hot.Sealer"))
    }

    /// The text form.
    fn seal(
        &self,
        py: Python<'_>,
        value: &Bound<'_, PyAny>,
        context: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let (value, context) = (input(value, "value")?, input(context, "context")?);
        run(py, value.as_ref().len(), || {
            self.sealer
                .inner
                .seal(value.as_ref(), Context::bytes(context.as_ref()))
        })
    }

    /// The binary form.
    fn seal_binary<'py>(
        &self,
        py: Python<'py>,
        value: &Bound<'py, PyAny>,
        context: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let (value, context) = (input(value, "value")?, input(context, "context")?);
        let sealed = run(py, value.as_ref().len(), || {
            self.sealer
                .inner
                .seal_binary(value.as_ref(), Context::bytes(context.as_ref()))
        })?;
        Ok(PyBytes::new(py, &sealed))
    }

    fn seal_batch<'py>(
        &self,
        py: Python<'py>,
        values: &Bound<'py, PyAny>,
        contexts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let (values, contexts) = (column(values, "values")?, context_items(contexts)?);
        let (values, contexts) = (inputs(&values, "value")?, inputs(&contexts, "context")?);
        let contexts: Vec<Context<'_>> = contexts
            .iter()
            .map(|c| Context::bytes(c.as_ref()))
            .collect();
        let sealed = run(py, total(&values), || {
            self.sealer.inner.seal_batch(&values, &contexts)
        })?;
        PyList::new(py, sealed)
    }
}

/// A uniffi `Opener`'s hot path.
#[pyclass(frozen, name = "Opener", module = "enseal._hot")]
pub(crate) struct HotOpener {
    pub(crate) opener: Arc<Opener>,
}

#[pymethods]
impl HotOpener {
    #[new]
    fn new(token: u64) -> PyResult<Self> {
        match claim(token)? {
            Handoff::Opener(opener) => Ok(HotOpener { opener }),
            Handoff::Sealer(_) => Err(PyValueError::new_err("the token is a sealer's")),
        }
    }

    /// The object itself: it is immutable and thread-safe.
    fn __copy__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The object itself: it is immutable and thread-safe.
    fn __deepcopy__<'py>(slf: PyRef<'py, Self>, _memo: &Bound<'py, PyAny>) -> PyRef<'py, Self> {
        slf
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(not_pickled("enseal._hot.Opener"))
    }

    fn __reduce_ex__(&self, _protocol: i32) -> PyResult<()> {
        Err(not_pickled("enseal._hot.Opener"))
    }

    /// Opens the text form (`str`) or a `Sealed`.
    fn open<'py>(
        &self,
        py: Python<'py>,
        sealed: &Bound<'py, PyAny>,
        context: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let opened = self.open_any(py, sealed, context)?;
        Ok(PyBytes::new(py, &opened))
    }

    /// As `open`, decoded as UTF-8 (core refuses a value that is not).
    fn open_string<'py>(
        &self,
        py: Python<'py>,
        sealed: &Bound<'py, PyAny>,
        context: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyString>> {
        let context = input(context, "context")?;
        let opener = &self.opener.inner;
        let opened = if let Ok(parsed) = sealed.cast::<HotSealed>() {
            let parsed = &parsed.get().inner;
            run(py, parsed.binary_len(), || {
                opener.open_string(parsed, Context::bytes(context.as_ref()))
            })?
        } else {
            let text = text_of(sealed)?;
            run(py, text.len(), || {
                opener.open_string(text, Context::bytes(context.as_ref()))
            })?
        };
        // Straight from core's wiping buffer into the Python `str`: no Rust copy left.
        Ok(PyString::new(py, opened.as_str()))
    }

    /// Opens the binary form (`bytes`, `bytearray`, `memoryview`).
    fn open_binary<'py>(
        &self,
        py: Python<'py>,
        sealed: &Bound<'py, PyAny>,
        context: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        if sealed.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "sealed must be bytes (the binary form); open() takes the text form",
            ));
        }
        let (sealed, context) = (input(sealed, "sealed")?, input(context, "context")?);
        let opener = &self.opener.inner;
        let opened = run(py, sealed.as_ref().len(), || {
            opener.open_binary(sealed.as_ref(), Context::bytes(context.as_ref()))
        })?;
        Ok(PyBytes::new(py, &opened))
    }

    fn open_batch<'py>(
        &self,
        py: Python<'py>,
        sealed: &Bound<'py, PyAny>,
        contexts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let (sealed, contexts) = (column(sealed, "sealed")?, context_items(contexts)?);
        let texts = sealed
            .iter()
            .map(|s| match s.cast::<PyString>() {
                Ok(text) => text.to_str(),
                Err(_) => Err(PyTypeError::new_err(
                    "sealed values must be str (the text form)",
                )),
            })
            .collect::<PyResult<Vec<&str>>>()?;
        let contexts = inputs(&contexts, "context")?;
        let contexts: Vec<Context<'_>> = contexts
            .iter()
            .map(|c| Context::bytes(c.as_ref()))
            .collect();
        let size = texts.iter().map(|t| t.len()).sum();
        let opened = run(py, size, || self.opener.inner.open_batch(&texts, &contexts))?;
        PyList::new(py, opened.iter().map(|p| PyBytes::new(py, p)))
    }
}

impl HotOpener {
    fn open_any(
        &self,
        py: Python<'_>,
        sealed: &Bound<'_, PyAny>,
        context: &Bound<'_, PyAny>,
    ) -> PyResult<Zeroizing<Vec<u8>>> {
        let context = input(context, "context")?;
        let opener = &self.opener.inner;
        if let Ok(parsed) = sealed.cast::<HotSealed>() {
            let parsed = &parsed.get().inner;
            run(py, parsed.binary_len(), || {
                opener.open(parsed, Context::bytes(context.as_ref()))
            })
        } else {
            let text = text_of(sealed)?;
            run(py, text.len(), || {
                opener.open(text, Context::bytes(context.as_ref()))
            })
        }
    }
}

/// The text form; bytes are refused with the name of the call that takes them.
fn text_of<'a>(sealed: &'a Bound<'_, PyAny>) -> PyResult<&'a str> {
    match sealed.cast::<PyString>() {
        Ok(text) => text.to_str(),
        Err(_) if is_single_value(sealed) => Err(PyTypeError::new_err(
            "sealed must be str (the text form) or an enseal.Sealed; open_binary() takes bytes",
        )),
        Err(_) => Err(PyTypeError::new_err(format!(
            "sealed must be str or enseal.Sealed, not {}",
            sealed.get_type().name()?
        ))),
    }
}

/// `enseal.Sealed`: a sealed value parsed and validated, read without a key.
#[pyclass(frozen, eq, name = "Sealed", module = "enseal")]
#[derive(PartialEq)]
struct HotSealed {
    inner: core_api::Sealed,
}

fn suite_object(py: Python<'_>, suite: core_api::Suite) -> PyResult<Bound<'_, PyAny>> {
    static SUITE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let name = match crate::suite_from_core(suite) {
        Suite::X25519 => "X25519",
        Suite::P256 => "P256",
        Suite::XWing => "X_WING",
    };
    SUITE
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("enseal._native")?.getattr("Suite")?.unbind())
        })?
        .bind(py)
        .getattr(name)
}

#[pymethods]
impl HotSealed {
    /// Parses the text form (`enseal1.` + base64url).
    #[staticmethod]
    fn parse(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = text_of(text)?;
        let inner = core_api::Sealed::parse(text).map_err(|e| raise(py, e))?;
        Ok(HotSealed { inner })
    }

    /// Parses the binary form.
    #[staticmethod]
    fn from_binary(py: Python<'_>, binary: &Bound<'_, PyAny>) -> PyResult<Self> {
        if binary.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "binary must be bytes; Sealed.parse() takes the text form",
            ));
        }
        let binary = input(binary, "binary")?;
        let inner =
            core_api::Sealed::from_binary(binary.as_ref().to_vec()).map_err(|e| raise(py, e))?;
        Ok(HotSealed { inner })
    }

    #[getter]
    fn version(&self) -> u8 {
        self.inner.version()
    }

    #[getter]
    fn suite<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        suite_object(py, self.inner.suite())
    }

    #[getter]
    fn kid(&self) -> String {
        self.inner.kid().to_string()
    }

    #[getter]
    fn session_id(&self) -> String {
        self.inner.session_id().to_string()
    }

    #[getter]
    fn counter(&self) -> u64 {
        self.inner.counter()
    }

    #[getter]
    fn plaintext_len(&self) -> usize {
        self.inner.plaintext_len()
    }

    #[getter]
    fn binary_len(&self) -> usize {
        self.inner.binary_len()
    }

    #[getter]
    fn text_len(&self) -> usize {
        self.inner.text_len()
    }

    fn to_text(&self) -> String {
        self.inner.to_text()
    }

    fn to_binary<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.as_binary())
    }

    fn __str__(&self) -> String {
        self.inner.to_text()
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.as_binary())
    }

    fn __repr__(&self) -> String {
        format!(
            "enseal.Sealed(kid={:?}, suite={}, session_id={:?}, counter={}, plaintext_len={})",
            self.inner.kid().to_string(),
            self.inner.suite().name(),
            self.inner.session_id().to_string(),
            self.inner.counter(),
            self.inner.plaintext_len()
        )
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.inner.as_binary().hash(&mut hasher);
        hasher.finish()
    }

    /// The object itself: it is immutable.
    fn __copy__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The object itself: it is immutable.
    fn __deepcopy__<'py>(slf: PyRef<'py, Self>, _memo: &Bound<'py, PyAny>) -> PyRef<'py, Self> {
        slf
    }

    /// Pickled as its text form (a sealed value is not secret).
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let parse = slf.get_type().getattr("parse")?;
        Ok((parse, PyTuple::new(py, [slf.get().inner.to_text()])?))
    }
}

#[pymodule]
fn _hot(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<HotSealer>()?;
    module.add_class::<HotOpener>()?;
    module.add_class::<HotSealed>()?;
    crate::columns::register(module)
}
