//! Arrow columns for the Python wheel (`enseal._hot.seal_column`, ...): the
//! Arrow C data interface (`__arrow_c_array__` / `__arrow_c_stream__`
//! PyCapsules, read and written by pyo3-arrow) in, `enseal-arrow` over the
//! Arrow arrays with the GIL released, and an Arrow object out. No Python
//! object per value. A translation layer: every rule (types, nulls,
//! templates, threads) is `enseal-arrow`'s, every error core's.

use crate::cpython::{HotOpener, HotSealer, input, raise};
use arrow_array::{ArrayRef, RecordBatch, new_empty_array};
use enseal_arrow::{OpenedForm, SealedForm, Threads};
use enseal_core::ContextTemplate;
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

/// A column's chunks and field; a column of no chunks becomes one empty
/// chunk, so that its output type is known.
fn column_chunks(column: AnyArray) -> PyResult<(Vec<ArrayRef>, arrow_schema::FieldRef)> {
    let (mut chunks, field) = column
        .into_chunked_array()
        .map_err(PyErr::from)?
        .into_inner();
    if chunks.is_empty() {
        chunks.push(new_empty_array(field.data_type()));
    }
    Ok((chunks, field))
}

fn chunked(made: Vec<ArrayRef>, field: &arrow_schema::Field) -> PyResult<PyChunkedArray> {
    let data_type = made
        .first()
        .map(|a| a.data_type().clone())
        .unwrap_or(arrow_schema::DataType::Utf8);
    PyChunkedArray::try_new(made, Arc::new(field.clone().with_data_type(data_type)))
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
    let (chunks, field) = column_chunks(column)?;
    let sealer = &sealer.sealer.inner;
    let made = py.detach(|| {
        enseal_arrow::seal_chunks(
            sealer,
            field.name(),
            &chunks,
            context.as_ref(),
            sealed_form(binary),
            Threads::new(threads),
        )
    });
    chunked(made.map_err(|e| raise(py, e))?, &field)
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
    let (chunks, field) = column_chunks(column)?;
    let opener = &opener.opener.inner;
    let made = py.detach(|| {
        enseal_arrow::open_chunks(
            opener,
            field.name(),
            &chunks,
            context.as_ref(),
            opened_form(text),
            Threads::new(threads),
        )
    });
    chunked(made.map_err(|e| raise(py, e))?, &field)
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

/// A table's batches and schema; a table of no batches becomes one empty
/// batch, so that its output schema is known.
fn table_batches(table: AnyRecordBatch) -> PyResult<(Vec<RecordBatch>, arrow_schema::SchemaRef)> {
    let (mut batches, schema) = table.into_table().map_err(PyErr::from)?.into_inner();
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(schema.clone()));
    }
    Ok((batches, schema))
}

fn table(made: Vec<RecordBatch>) -> PyResult<PyTable> {
    let schema = made
        .first()
        .map(RecordBatch::schema)
        .ok_or_else(|| arrow_error("no batches"))?;
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
    let columns = templates(py, columns)?;
    let columns: Vec<(&str, &ContextTemplate)> =
        columns.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let (batches, _) = table_batches(table)?;
    let sealer = &sealer.sealer.inner;
    let made = py.detach(|| {
        enseal_arrow::seal_batches(
            sealer,
            &batches,
            &columns,
            sealed_form(binary),
            pad_to,
            Threads::new(threads),
        )
    });
    self::table(made.map_err(|e| raise(py, e))?)
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
    let columns = templates(py, columns)?;
    let columns: Vec<(&str, &ContextTemplate)> =
        columns.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let (batches, _) = table_batches(table)?;
    let opener = &opener.opener.inner;
    let made =
        py.detach(|| enseal_arrow::open_batches(opener, &batches, &columns, Threads::new(threads)));
    self::table(made.map_err(|e| raise(py, e))?)
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
