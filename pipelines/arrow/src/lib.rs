//! enseal over Apache Arrow: seal and open whole columns, for pipelines that
//! move data as Arrow (pyarrow, Polars, pandas, DuckDB, Spark's `mapInArrow`),
//! without an object per value.
//!
//! - A column of `Utf8`, `LargeUtf8`, `Utf8View`, `Binary`, `LargeBinary` or
//!   `BinaryView` values is sealed into a string column of text forms
//!   ([`SealedForm::Text`]) or a binary column of binary forms; a sealed
//!   column (string: text forms, binary: binary forms) opens into a binary
//!   or a string column ([`OpenedForm`]). Offsets stay 32-bit for `Utf8` and
//!   `Binary` input and are 64-bit otherwise.
//! - **A null stays null**: there is no value to protect, so nothing is
//!   sealed and no counter value is used. The null itself stays visible, as
//!   it is in the input: whoever reads the sealed column learns which rows
//!   had no value, nothing else. An empty string is a value and is sealed.
//! - Contexts ([`ColumnContext`]): one for the whole column, or one per row
//!   from a [`ContextTemplate`] over other columns of the same batch, the
//!   rule the CLI and every binding use for records (docs/FORMAT.md §7.1),
//!   with `{pointer}` the column's `/name`. A template field reads a string,
//!   integer or boolean column; a null there is an error for that row, unless
//!   the row's own value is null (it needs no context).
//! - All or nothing: a failing row fails the call with [`Error::Batch`] (its
//!   index is the row, from 0) around [`Error::Field`] (the column, as
//!   `/name`), keeping the row's own code; nothing is returned, and
//!   plaintext opened so far is wiped.
//! - Across cores ([`Threads`]): each chunk is split into contiguous runs of
//!   rows, one per thread, joined in order. The default is every core the
//!   process may use, or `ENSEAL_THREADS` when set.

mod contexts;
mod output;
mod parallel;
mod values;

pub use contexts::ColumnContext;
pub use parallel::Threads;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use enseal::{ContextTemplate, Error, Opener, Result, Sealer};
use output::Plaintext;
use std::sync::Arc;
use values::Values;

/// The form of a sealed column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SealedForm {
    /// A string column of text forms (`enseal1.` + base64url): JSON, CSV and
    /// text columns carry it as it is.
    #[default]
    Text,
    /// A binary column of binary forms, 25 % smaller.
    Binary,
}

/// The form of an opened column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OpenedForm {
    /// A binary column of the plaintexts' bytes.
    #[default]
    Binary,
    /// A string column; a plaintext that is not UTF-8 fails its row with
    /// `INVALID_ARGUMENT`.
    Text,
}

/// Seals every value of `column`, named `name` (its `{pointer}` is `/name`),
/// with its context from `contexts`. Returns a column of the same length and
/// nulls, in `form`.
pub fn seal_column(
    sealer: &Sealer,
    name: &str,
    column: &dyn Array,
    contexts: &ColumnContext<'_>,
    form: SealedForm,
    threads: Threads,
) -> Result<ArrayRef> {
    seal_chunk(sealer, name, column, contexts, form, threads, 0)
}

/// [`seal_column`] over the chunks of one column (a chunked array), chunk
/// by chunk, keeping the chunks; a failing row is numbered in the whole
/// column. Each chunk gets `contexts` (a template reads its own batch: use
/// [`seal_batches`]).
pub fn seal_chunks(
    sealer: &Sealer,
    name: &str,
    chunks: &[ArrayRef],
    context: &[u8],
    form: SealedForm,
    threads: Threads,
) -> Result<Vec<ArrayRef>> {
    let mut first_row = 0;
    chunks
        .iter()
        .map(|chunk| {
            let fixed = ColumnContext::Fixed(context);
            let sealed = seal_chunk(sealer, name, chunk, &fixed, form, threads, first_row);
            first_row += chunk.len();
            sealed
        })
        .collect()
}

fn seal_chunk(
    sealer: &Sealer,
    name: &str,
    column: &dyn Array,
    contexts: &ColumnContext<'_>,
    form: SealedForm,
    threads: Threads,
    first_row: usize,
) -> Result<ArrayRef> {
    let values = Values::of(column, name)?;
    let contexts = contexts.resolve(name, column.len(), &[name])?;
    output::seal(
        sealer,
        &values,
        &contexts,
        Plaintext::Raw,
        form,
        threads,
        first_row,
    )
    .map_err(|e| in_column(name, e))
}

/// Opens every value of `column` (a string column of text forms or a binary
/// column of binary forms), named `name`, with its context from `contexts`.
/// The returned column is plaintext that Arrow frees without wiping; on an
/// error nothing is returned and what was opened is wiped.
pub fn open_column(
    opener: &Opener,
    name: &str,
    column: &dyn Array,
    contexts: &ColumnContext<'_>,
    form: OpenedForm,
    threads: Threads,
) -> Result<ArrayRef> {
    open_chunk(opener, name, column, contexts, form, threads, 0)?.build()
}

/// [`open_column`] over the chunks of one column, keeping the chunks: every
/// chunk is opened (into wiped buffers) before any becomes an Arrow array,
/// so a failure in a later chunk leaves no plaintext of an earlier one
/// behind. A failing row is numbered in the whole column.
pub fn open_chunks(
    opener: &Opener,
    name: &str,
    chunks: &[ArrayRef],
    context: &[u8],
    form: OpenedForm,
    threads: Threads,
) -> Result<Vec<ArrayRef>> {
    let mut first_row = 0;
    let opened = chunks
        .iter()
        .map(|chunk| {
            let fixed = ColumnContext::Fixed(context);
            let opened = open_chunk(opener, name, chunk, &fixed, form, threads, first_row);
            first_row += chunk.len();
            opened
        })
        .collect::<Result<Vec<_>>>()?;
    opened.into_iter().map(output::Built::build).collect()
}

fn open_chunk(
    opener: &Opener,
    name: &str,
    column: &dyn Array,
    contexts: &ColumnContext<'_>,
    form: OpenedForm,
    threads: Threads,
    first_row: usize,
) -> Result<output::Built> {
    let values = Values::of(column, name)?;
    let contexts = contexts.resolve(name, column.len(), &[])?;
    output::open(
        opener,
        &values,
        &contexts,
        Plaintext::Raw,
        form,
        threads,
        first_row,
    )
    .map_err(|e| in_column(name, e))
}

/// The largest `pad_to` (as for records, docs/FORMAT.md §7).
const MAX_PAD_TO: usize = 1 << 16;

/// Seals the columns of `batch` named in `columns`, each with the contexts
/// its template renders from the batch's other columns, and returns the
/// batch with those columns replaced. A row is a record (docs/FORMAT.md
/// §7.1): each value sealed is a string, its plaintext its JSON text padded
/// to a multiple of `pad_to` bytes ([`enseal::record_value_plaintext`]), as
/// `seal_record` and the CLI seal it, so either opens what the other sealed.
/// A binary column is a [`Error::ColumnType`]: seal it with [`seal_column`].
///
/// Every template needs `{pointer}`: a table's other columns may hold
/// sealed values too (sealed now, or by an earlier call), and without it
/// two values of a row would share a context and could be swapped. No
/// template may read a column being sealed (whoever opens could not read it).
pub fn seal_columns(
    sealer: &Sealer,
    batch: &RecordBatch,
    columns: &[(&str, &ContextTemplate)],
    form: SealedForm,
    pad_to: usize,
    threads: Threads,
) -> Result<RecordBatch> {
    seal_batches(
        sealer,
        std::slice::from_ref(batch),
        columns,
        form,
        pad_to,
        threads,
    )?
    .pop()
    .ok_or(Error::InvalidArgument("no batch"))
}

/// [`seal_columns`] over the batches of one table, batch by batch; a
/// failing row is numbered in the whole table.
pub fn seal_batches(
    sealer: &Sealer,
    batches: &[RecordBatch],
    columns: &[(&str, &ContextTemplate)],
    form: SealedForm,
    pad_to: usize,
    threads: Threads,
) -> Result<Vec<RecordBatch>> {
    if pad_to > MAX_PAD_TO {
        return Err(Error::InvalidArgument(
            "JSON padding must be at most 65536 bytes",
        ));
    }
    if let Some((name, template)) = columns.iter().find(|(_, t)| !t.has_pointer()) {
        return Err(Error::InvalidTemplate(format!(
            "column {name}: template {:?} has no {{pointer}}: a table row holds other values, \
             and without it two of them could be swapped",
            template.as_str(),
        )));
    }
    let sealed: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let mut first_row = 0;
    batches
        .iter()
        .map(|batch| {
            check_columns(batch, &sealed)?;
            let made = replace(batch, columns, |name, column, template| {
                let values = Values::of(column, name)?;
                if !values.is_text() {
                    return Err(Error::ColumnType {
                        column: name.to_owned(),
                        found: column.data_type().to_string(),
                        expected: "a string column: a table's values are sealed as a record's, as JSON text",
                    });
                }
                let contexts = ColumnContext::Template { template, record: batch };
                let contexts = contexts.resolve(name, batch.num_rows(), &sealed)?;
                let record = Plaintext::Record { pad_to };
                output::seal(sealer, &values, &contexts, record, form, threads, first_row)
                    .map_err(|e| in_column(name, e))
            });
            first_row += batch.num_rows();
            made
        })
        .collect()
}

/// Opens the columns of `batch` named in `columns` (text or binary forms)
/// with the contexts their templates render, and returns the batch with
/// those columns replaced by string columns of the values, as
/// [`seal_columns`], `seal_record` or the CLI sealed them: a JSON string's
/// contents, a number or boolean as written ([`enseal::record_value_text`]).
pub fn open_columns(
    opener: &Opener,
    batch: &RecordBatch,
    columns: &[(&str, &ContextTemplate)],
    threads: Threads,
) -> Result<RecordBatch> {
    open_batches(opener, std::slice::from_ref(batch), columns, threads)?
        .pop()
        .ok_or(Error::InvalidArgument("no batch"))
}

/// [`open_columns`] over the batches of one table: every column of every
/// batch is opened (into wiped buffers) before any becomes an Arrow array,
/// so a failure leaves no plaintext behind. A failing row is numbered in
/// the whole table.
pub fn open_batches(
    opener: &Opener,
    batches: &[RecordBatch],
    columns: &[(&str, &ContextTemplate)],
    threads: Threads,
) -> Result<Vec<RecordBatch>> {
    let opened: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let mut first_row = 0;
    let mut all = Vec::with_capacity(batches.len());
    for batch in batches {
        check_columns(batch, &opened)?;
        let mut built = Vec::with_capacity(columns.len());
        for (name, template) in columns {
            let column = batch
                .column_by_name(name)
                .ok_or_else(|| Error::InvalidColumn(format!("the table has no column {name:?}")))?;
            let values = Values::of(column.as_ref(), name)?;
            let contexts = ColumnContext::Template {
                template,
                record: batch,
            };
            let contexts = contexts.resolve(name, batch.num_rows(), &opened)?;
            let record = Plaintext::Record { pad_to: 0 };
            let form = OpenedForm::Text;
            built.push(
                output::open(opener, &values, &contexts, record, form, threads, first_row)
                    .map_err(|e| in_column(name, e))?,
            );
        }
        first_row += batch.num_rows();
        all.push((batch, built));
    }
    all.into_iter()
        .map(|(batch, built)| {
            let mut arrays = built.into_iter();
            replace(batch, columns, |_, _, _| {
                arrays
                    .next()
                    .ok_or(Error::InvalidArgument("a column was not opened"))?
                    .build()
            })
        })
        .collect()
}

/// Every named column exists, once.
fn check_columns(batch: &RecordBatch, names: &[&str]) -> Result<()> {
    for (i, name) in names.iter().enumerate() {
        if batch.schema().column_with_name(name).is_none() {
            return Err(Error::InvalidColumn(format!(
                "the table has no column {name:?}"
            )));
        }
        if names[..i].contains(name) {
            return Err(Error::InvalidColumn(format!(
                "column {name:?} is named twice"
            )));
        }
    }
    Ok(())
}

/// `batch` with each of `columns` replaced by what `make` returns for it.
fn replace(
    batch: &RecordBatch,
    columns: &[(&str, &ContextTemplate)],
    mut make: impl FnMut(&str, &dyn Array, &ContextTemplate) -> Result<ArrayRef>,
) -> Result<RecordBatch> {
    let schema = batch.schema();
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    let mut arrays: Vec<ArrayRef> = batch.columns().to_vec();
    for (name, template) in columns {
        let (at, _) = schema
            .column_with_name(name)
            .ok_or_else(|| Error::InvalidColumn(format!("the table has no column {name:?}")))?;
        let made = make(name, batch.column(at).as_ref(), template)?;
        // Same name, nullability and metadata; only the type changes.
        fields[at] = schema
            .field(at)
            .clone()
            .with_data_type(made.data_type().clone());
        arrays[at] = made;
    }
    let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    RecordBatch::try_new(schema, arrays)
        .map_err(|_| Error::InvalidArgument("the replaced columns do not fit the table"))
}

/// A row's error (the row stays the batch index), named by its column.
fn in_column(name: &str, error: Error) -> Error {
    match error {
        Error::Batch { index, source } => Error::Batch {
            index,
            source: Box::new(Error::Field {
                pointer: pointer_of(name),
                source,
            }),
        },
        other => other,
    }
}

/// The `{pointer}` of column `name`: `/name`, escaped as a JSON Pointer
/// token (RFC 6901 §3), as for a record's top-level member.
pub(crate) fn pointer_of(name: &str) -> String {
    format!("/{}", name.replace('~', "~0").replace('/', "~1"))
}

/// Whether `data_type` is one a column of sealed or plain values may have.
pub fn is_byte_column(data_type: &DataType) -> bool {
    values::is_byte_type(data_type)
}
