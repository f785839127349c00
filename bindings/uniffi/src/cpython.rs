//! The CPython hot path for the Python wheel: `seal`/`open` and their batch
//! forms called straight from Python, without uniffi's generated ctypes layer.
//! That layer makes several foreign calls per method (clone the handle, one
//! buffer per argument, the call, free the result): about 50 µs against 2 µs
//! of sealing. Everything else in Python still goes through uniffi.
//!
//! Built only with the `python` feature (the wheel). Python loads the same
//! shared library a second time as the extension module `enseal._hot`; the
//! loader returns the already loaded library, so both see the same objects:
//! `hot_path_token` (a uniffi method) hands a sealer or opener over by a
//! one-time token that `enseal._hot.Sealer(token)` claims. A forged or reused
//! token is an error, never a dangling pointer.
//!
//! Like the rest of this crate, a translation layer: `bytes`/`str` in, `bytes`/
//! `str` out, core's errors raised as the same `EnsealError` classes uniffi
//! generates.

use crate::{EnsealError, Opener, Sealer};
use enseal_core as core_api;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyMemoryView, PyString};
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
enum Input<'a> {
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
fn input<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Input<'a>> {
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

fn raise(py: Python<'_>, error: core_api::Error) -> PyErr {
    static CLASSES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let error = EnsealError::from(error);
    let (code, detail) = error.parts();
    let made = CLASSES
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("enseal._native")?
                    .getattr("EnsealError")?
                    .unbind(),
            )
        })
        .and_then(|classes| classes.bind(py).getattr(error.variant()))
        .and_then(|class| class.call1((code, detail)));
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
struct HotSealer {
    sealer: Arc<Sealer>,
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

    fn seal<'py>(
        &self,
        py: Python<'py>,
        value: &Bound<'py, PyAny>,
        context: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let (value, context) = (input(value, "value")?, input(context, "context")?);
        let sealed = run(py, value.as_ref().len(), || {
            self.sealer.inner.seal(value.as_ref(), context.as_ref())
        })?;
        Ok(PyBytes::new(py, &sealed))
    }

    fn seal_text(
        &self,
        py: Python<'_>,
        value: &Bound<'_, PyAny>,
        context: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let (value, context) = (input(value, "value")?, input(context, "context")?);
        run(py, value.as_ref().len(), || {
            self.sealer
                .inner
                .seal_text(value.as_ref(), context.as_ref())
        })
    }

    fn seal_many<'py>(
        &self,
        py: Python<'py>,
        values: &Bound<'py, PyAny>,
        contexts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let (values, contexts) = (column(values, "values")?, context_items(contexts)?);
        let (values, contexts) = (inputs(&values, "value")?, inputs(&contexts, "context")?);
        let sealed = run(py, total(&values), || {
            self.sealer.inner.seal_text_batch(&values, &contexts)
        })?;
        PyList::new(py, sealed)
    }
}

/// A uniffi `Opener`'s hot path.
#[pyclass(frozen, name = "Opener", module = "enseal._hot")]
struct HotOpener {
    opener: Arc<Opener>,
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

    /// Opens the text form (`str`) or the binary form (`bytes`).
    fn open<'py>(
        &self,
        py: Python<'py>,
        sealed: &Bound<'py, PyAny>,
        context: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let context = input(context, "context")?;
        let opener = &self.opener.inner;
        let opened = match sealed.cast::<PyString>() {
            Ok(text) => {
                let text = text.to_str()?;
                run(py, text.len(), || opener.open_text(text, context.as_ref()))?
            }
            Err(_) => {
                let sealed = input(sealed, "sealed")?;
                let size = sealed.as_ref().len();
                run(py, size, || opener.open(sealed.as_ref(), context.as_ref()))?
            }
        };
        Ok(PyBytes::new(py, &opened))
    }

    fn open_many<'py>(
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
        let size = texts.iter().map(|t| t.len()).sum();
        let opened = run(py, size, || {
            self.opener.inner.open_text_batch(&texts, &contexts)
        })?;
        PyList::new(py, opened.iter().map(|p| PyBytes::new(py, p)))
    }
}

#[pymodule]
fn _hot(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<HotSealer>()?;
    module.add_class::<HotOpener>()
}
