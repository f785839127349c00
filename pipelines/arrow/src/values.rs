//! The columns a value can come from: the six Arrow layouts of strings and
//! bytes, read as bytes without copying.

use arrow_array::cast::AsArray;
use arrow_array::{
    Array, BinaryViewArray, GenericBinaryArray, GenericStringArray, StringViewArray,
};
use arrow_buffer::NullBuffer;
use arrow_schema::DataType;
use enseal::{Error, Result};

/// What a sealed or plain column may be.
pub(crate) const BYTE_COLUMNS: &str = "a string or binary column (utf8, large_utf8, utf8_view, binary, large_binary, binary_view; or null)";

pub(crate) fn is_byte_type(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
            | DataType::Null
    )
}

/// A string or binary column, borrowed.
pub(crate) enum Values<'a> {
    Utf8(&'a GenericStringArray<i32>),
    LargeUtf8(&'a GenericStringArray<i64>),
    Utf8View(&'a StringViewArray),
    Binary(&'a GenericBinaryArray<i32>),
    LargeBinary(&'a GenericBinaryArray<i64>),
    BinaryView(&'a BinaryViewArray),
    /// A column of nulls only (what pandas gives for an empty or all-missing
    /// object column): nothing to seal or open.
    Null(&'a dyn Array),
}

impl<'a> Values<'a> {
    /// `column` (named `name`) as bytes; [`Error::ColumnType`] for any other type.
    pub(crate) fn of(column: &'a dyn Array, name: &str) -> Result<Values<'a>> {
        Ok(match column.data_type() {
            DataType::Utf8 => Values::Utf8(column.as_string::<i32>()),
            DataType::LargeUtf8 => Values::LargeUtf8(column.as_string::<i64>()),
            DataType::Utf8View => Values::Utf8View(column.as_string_view()),
            DataType::Binary => Values::Binary(column.as_binary::<i32>()),
            DataType::LargeBinary => Values::LargeBinary(column.as_binary::<i64>()),
            DataType::BinaryView => Values::BinaryView(column.as_binary_view()),
            DataType::Null => Values::Null(column),
            other => {
                return Err(Error::ColumnType {
                    column: name.to_owned(),
                    found: other.to_string(),
                    expected: BYTE_COLUMNS,
                });
            }
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.array().len()
    }

    fn array(&self) -> &dyn Array {
        match self {
            Values::Utf8(a) => *a,
            Values::LargeUtf8(a) => *a,
            Values::Utf8View(a) => *a,
            Values::Binary(a) => *a,
            Values::LargeBinary(a) => *a,
            Values::BinaryView(a) => *a,
            Values::Null(a) => *a,
        }
    }

    /// The output's nulls: the input's, and all of them for a null column.
    pub(crate) fn nulls(&self) -> Option<NullBuffer> {
        self.array().logical_nulls()
    }

    pub(crate) fn is_null(&self, row: usize) -> bool {
        // A null array has no validity buffer: `is_null` would say false.
        matches!(self, Values::Null(_)) || self.array().is_null(row)
    }

    /// Whether the values are strings (sealed: text forms).
    pub(crate) fn is_text(&self) -> bool {
        matches!(
            self,
            Values::Utf8(_) | Values::LargeUtf8(_) | Values::Utf8View(_)
        )
    }

    /// Whether an output column of these should have 64-bit offsets.
    pub(crate) fn is_large(&self) -> bool {
        !matches!(self, Values::Utf8(_) | Values::Binary(_) | Values::Null(_))
    }

    /// The bytes of row `row` (empty for a null).
    pub(crate) fn bytes(&self, row: usize) -> &'a [u8] {
        match self {
            Values::Utf8(a) => a.value(row).as_bytes(),
            Values::LargeUtf8(a) => a.value(row).as_bytes(),
            Values::Utf8View(a) => a.value(row).as_bytes(),
            Values::Binary(a) => a.value(row),
            Values::LargeBinary(a) => a.value(row),
            Values::BinaryView(a) => a.value(row),
            Values::Null(_) => &[],
        }
    }
}
