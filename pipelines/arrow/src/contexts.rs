//! The context of each row: one for the column, or a template rendered from
//! other columns of the row (the record rule of docs/FORMAT.md §7.1, with
//! each column a top-level field).

use crate::pointer_of;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use enseal::{ContextTemplate, Error, Result};
use std::borrow::Cow;

/// Where each row's context comes from.
#[derive(Clone, Copy, Debug)]
pub enum ColumnContext<'a> {
    /// One context for every value of the column.
    Fixed(&'a [u8]),
    /// `template` rendered per row, its fields read from the columns of
    /// `record` (the batch the column belongs to, or a batch of the same
    /// rows).
    Template {
        /// The template.
        template: &'a ContextTemplate,
        /// The columns its fields name.
        record: &'a RecordBatch,
    },
}

/// What a template field may read.
const FIELD_COLUMNS: &str = "a string, integer or boolean column";

/// A [`ColumnContext`] checked against its column, ready to give each row's context.
pub(crate) enum Contexts<'a> {
    Fixed(&'a [u8]),
    Template {
        template: &'a ContextTemplate,
        pointer: String,
        fields: Vec<(&'a str, FieldColumn<'a>)>,
    },
}

/// A column a template field reads.
pub(crate) enum FieldColumn<'a> {
    Utf8(&'a arrow_array::StringArray),
    LargeUtf8(&'a arrow_array::LargeStringArray),
    Utf8View(&'a arrow_array::StringViewArray),
    Bool(&'a arrow_array::BooleanArray),
    Int(&'a dyn Array),
}

impl<'a> ColumnContext<'a> {
    /// Checks the template's fields against `record` once, up front: each
    /// names a column of a readable type, of `rows` rows, that is not among
    /// `sealed` (the columns being sealed, which an opener could not read).
    pub(crate) fn resolve(
        &self,
        column: &str,
        rows: usize,
        sealed: &[&str],
    ) -> Result<Contexts<'a>> {
        let (template, record) = match *self {
            ColumnContext::Fixed(context) => return Ok(Contexts::Fixed(context)),
            ColumnContext::Template { template, record } => (template, record),
        };
        if record.num_rows() != rows {
            return Err(Error::InvalidColumn(format!(
                "the template's columns have {} rows, column {column:?} has {rows}",
                record.num_rows()
            )));
        }
        let mut fields = Vec::new();
        for name in template.fields() {
            if name.starts_with('/') {
                return Err(Error::InvalidTemplate(format!(
                    "{{{name}}}: a table's template names its columns as {{column}}, not by JSON Pointer"
                )));
            }
            if sealed.contains(&name) {
                return Err(Error::InvalidTemplate(format!(
                    "field {{{name}}} is a column being sealed: a template reads clear fields only"
                )));
            }
            let Some(array) = record.column_by_name(name) else {
                return Err(Error::InvalidTemplate(format!(
                    "the table has no column {{{name}}}"
                )));
            };
            fields.push((name, FieldColumn::of(array.as_ref(), name)?));
        }
        Ok(Contexts::Template {
            template,
            pointer: pointer_of(column),
            fields,
        })
    }
}

impl<'a> FieldColumn<'a> {
    fn of(array: &'a dyn Array, name: &str) -> Result<FieldColumn<'a>> {
        Ok(match array.data_type() {
            DataType::Utf8 => FieldColumn::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => FieldColumn::LargeUtf8(array.as_string::<i64>()),
            DataType::Utf8View => FieldColumn::Utf8View(array.as_string_view()),
            DataType::Boolean => FieldColumn::Bool(array.as_boolean()),
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64 => FieldColumn::Int(array),
            other => {
                return Err(Error::ColumnType {
                    column: name.to_owned(),
                    found: other.to_string(),
                    expected: FIELD_COLUMNS,
                });
            }
        })
    }

    /// The field's text at `row` (a string as it is, an integer in decimal,
    /// `true`/`false`, as a CSV cell or a JSON scalar gives it), `None` when null.
    fn text(&self, row: usize) -> Option<Cow<'a, str>> {
        let array: &dyn Array = match self {
            FieldColumn::Utf8(a) => *a,
            FieldColumn::LargeUtf8(a) => *a,
            FieldColumn::Utf8View(a) => *a,
            FieldColumn::Bool(a) => *a,
            FieldColumn::Int(a) => *a,
        };
        if array.is_null(row) {
            return None;
        }
        Some(match self {
            FieldColumn::Utf8(a) => Cow::Borrowed(a.value(row)),
            FieldColumn::LargeUtf8(a) => Cow::Borrowed(a.value(row)),
            FieldColumn::Utf8View(a) => Cow::Borrowed(a.value(row)),
            FieldColumn::Bool(a) => Cow::Borrowed(if a.value(row) { "true" } else { "false" }),
            FieldColumn::Int(a) => Cow::Owned(integer(*a, row)),
        })
    }
}

fn integer(array: &dyn Array, row: usize) -> String {
    match array.data_type() {
        DataType::Int8 => array.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::UInt8 => array.as_primitive::<UInt8Type>().value(row).to_string(),
        DataType::UInt16 => array.as_primitive::<UInt16Type>().value(row).to_string(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(row).to_string(),
        _ => array.as_primitive::<UInt64Type>().value(row).to_string(),
    }
}

impl Contexts<'_> {
    /// The context of `row`, or an [`Error::InvalidTemplate`] when a field
    /// it reads is null there (or holds a sealed value).
    pub(crate) fn of(&self, row: usize) -> Result<Cow<'_, [u8]>> {
        match self {
            Contexts::Fixed(context) => Ok(Cow::Borrowed(context)),
            Contexts::Template {
                template,
                pointer,
                fields,
            } => {
                let mut texts = Vec::with_capacity(fields.len());
                for (name, column) in fields {
                    match column.text(row) {
                        Some(text) => texts.push((*name, text)),
                        None => {
                            return Err(Error::InvalidTemplate(format!(
                                "field {{{name}}} is null"
                            )));
                        }
                    }
                }
                let context = template.render(pointer, |name| {
                    texts
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, text)| text.as_ref())
                })?;
                Ok(Cow::Owned(context.into_bytes()))
            }
        }
    }
}
