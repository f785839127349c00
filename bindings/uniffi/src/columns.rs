//! Arrow columns for the Python wheel (`enseal._hot.seal_column`, ...): the
//! Arrow C data interface (`__arrow_c_array__` / `__arrow_c_stream__`
//! PyCapsules, read and written by pyo3-arrow) in, `enseal-arrow` over the
//! Arrow arrays with the GIL released, and an Arrow object out. No Python
//! object per value. A translation layer: every rule (types, nulls,
//! templates, threads) is `enseal-arrow`'s, every error core's.

use crate::cpython::{HotOpener, HotSealer, input, raise};
use arrow_array::{ArrayRef, RecordBatch, new_empty_array};
use enseal_arrow::{ColumnContext, OpenedForm, SealedForm, Threads};
use enseal_core::{ContextTemplate, Error};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::input::{AnyArray, AnyRecordBatch};
use pyo3_arrow::{PyChunkedArray, PyTable};
use std::sync::Arc;

fn arrow_error(error: impl std::fmt::Display) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(format!("Arrow data: {error}"))
}

fn sealed_form(binary: bool) -> SealedForm {
    if binary {
        SealedForm::Binary
    } else {
        SealedForm::Text
    }
}

fn opened_form(text: bool) -> OpenedForm {
    if text {
        OpenedForm::Text
    } else {
        OpenedForm::Binary
    }
}

/// Each chunk of `column` through `work`, without the GIL; a column of no
/// chunks goes through as one empty chunk so that its output type is known.
fn chunks(
    py: Python<'_>,
    column: AnyArray,
    work: impl Fn(&str, &dyn arrow_array::Array) -> enseal_core::Result<ArrayRef> + Send + Sync,
) -> PyResult<PyChunkedArray> {
    let column = column.into_chunked_array().map_err(PyErr::from)?;
    let (chunks, field) = column.into_inner();
    let name = field.name().clone();
    let made = py.detach(|| {
        if chunks.is_empty() {
            return work(&name, new_empty_array(field.data_type()).as_ref()).map(|a| vec![a]);
        }
        chunks
            .iter()
            .map(|chunk| work(&name, chunk.as_ref()))
            .collect::<enseal_core::Result<Vec<_>>>()
    });
    let made = made.map_err(|e| raise(py, e))?;
    let data_type = made
        .first()
        .map(|a| a.data_type().clone())
        .unwrap_or(arrow_schema::DataType::Utf8);
    let field = field.as_ref().clone().with_data_type(data_type);
    PyChunkedArray::try_new(made, Arc::new(field))
}

/// `column` sealed, every value with `context`, as a chunked array of the same chunks.
#[pyfunction]
#[pyo3(signature = (sealer, column, context, binary = false, threads = 0))]
pub(crate) fn seal_column(
    py: Python<'_>,
    sealer: &HotSealer,
    column: AnyArray,
    context: &Bound<'_, PyAny>,
    binary: bool,
    threads: usize,
) -> PyResult<PyChunkedArray> {
    let context = input(context, "context")?;
    let context = context.as_ref();
    let sealer = &sealer.sealer.inner;
    chunks(py, column, |name, chunk| {
        enseal_arrow::seal_column(
            sealer,
            name,
            chunk,
            &ColumnContext::Fixed(context),
            sealed_form(binary),
            Threads::new(threads),
        )
    })
}

/// `column` opened, every value with `context`.
#[pyfunction]
#[pyo3(signature = (opener, column, context, text = false, threads = 0))]
pub(crate) fn open_column(
    py: Python<'_>,
    opener: &HotOpener,
    column: AnyArray,
    context: &Bound<'_, PyAny>,
    text: bool,
    threads: usize,
) -> PyResult<PyChunkedArray> {
    let context = input(context, "context")?;
    let context = context.as_ref();
    let opener = &opener.opener.inner;
    chunks(py, column, |name, chunk| {
        enseal_arrow::open_column(
            opener,
            name,
            chunk,
            &ColumnContext::Fixed(context),
            opened_form(text),
            Threads::new(threads),
        )
    })
}

/// `{column: template}` parsed, in the dict's order.
fn templates(
    py: Python<'_>,
    columns: &Bound<'_, PyDict>,
) -> PyResult<Vec<(String, ContextTemplate)>> {
    columns
        .iter()
        .map(|(name, template)| {
            let name: String = name.extract()?;
            let template: String = template.extract()?;
            let template = ContextTemplate::parse(&template).map_err(|e| raise(py, e))?;
            Ok((name, template))
        })
        .collect()
}

/// Each batch of `table` through `work`, without the GIL; a table of no
/// batches goes through as one empty batch so that its output schema is known.
fn batches(
    py: Python<'_>,
    table: AnyRecordBatch,
    columns: &Bound<'_, PyDict>,
    work: impl Fn(&RecordBatch, &[(&str, &ContextTemplate)]) -> enseal_core::Result<RecordBatch>
    + Send
    + Sync,
) -> PyResult<PyTable> {
    let columns = templates(py, columns)?;
    let columns: Vec<(&str, &ContextTemplate)> =
        columns.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let table = table.into_table().map_err(PyErr::from)?;
    let (batches, schema) = table.into_inner();
    let made = py.detach(|| {
        if batches.is_empty() {
            return work(&RecordBatch::new_empty(schema.clone()), &columns)
                .map(|b| (b.schema(), vec![]));
        }
        let made = batches
            .iter()
            .map(|batch| work(batch, &columns))
            .collect::<enseal_core::Result<Vec<_>>>()?;
        let schema = made
            .first()
            .map(RecordBatch::schema)
            .ok_or(Error::InvalidArgument("no batches"))?;
        Ok((schema, made))
    });
    let (schema, made) = made.map_err(|e| raise(py, e))?;
    PyTable::try_new(made, schema).map_err(arrow_error)
}

/// `table` with the named columns sealed, each with its template's contexts.
#[pyfunction]
#[pyo3(signature = (sealer, table, columns, binary = false, pad_to = 16, threads = 0))]
pub(crate) fn seal_table(
    py: Python<'_>,
    sealer: &HotSealer,
    table: AnyRecordBatch,
    columns: &Bound<'_, PyDict>,
    binary: bool,
    pad_to: usize,
    threads: usize,
) -> PyResult<PyTable> {
    let sealer = &sealer.sealer.inner;
    batches(py, table, columns, |batch, columns| {
        enseal_arrow::seal_columns(
            sealer,
            batch,
            columns,
            sealed_form(binary),
            pad_to,
            Threads::new(threads),
        )
    })
}

/// `table` with the named columns opened, each with its template's contexts.
#[pyfunction]
#[pyo3(signature = (opener, table, columns, threads = 0))]
pub(crate) fn open_table(
    py: Python<'_>,
    opener: &HotOpener,
    table: AnyRecordBatch,
    columns: &Bound<'_, PyDict>,
    threads: usize,
) -> PyResult<PyTable> {
    let opener = &opener.opener.inner;
    batches(py, table, columns, |batch, columns| {
        enseal_arrow::open_columns(opener, batch, columns, Threads::new(threads))
    })
}

/// The threads a column uses when none are given (`ENSEAL_THREADS`, or every core).
#[pyfunction]
pub(crate) fn column_threads(py: Python<'_>) -> PyResult<usize> {
    Threads::AUTO.resolve().map_err(|e| raise(py, e))
}

pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(seal_column, module)?)?;
    module.add_function(wrap_pyfunction!(open_column, module)?)?;
    module.add_function(wrap_pyfunction!(seal_table, module)?)?;
    module.add_function(wrap_pyfunction!(open_table, module)?)?;
    module.add_function(wrap_pyfunction!(column_threads, module)?)
}
