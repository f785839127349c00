//! Sealing and opening a column's rows into one output column: each thread
//! fills its own part (values back to back, and their lengths), and the
//! parts are joined in row order into the output's single values buffer.

use crate::contexts::Contexts;
use crate::parallel::{Threads, runs};
use crate::values::Values;
use crate::{OpenedForm, SealedForm};
use arrow_array::{ArrayRef, GenericBinaryArray, GenericStringArray, OffsetSizeTrait};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use enseal::{Context, Error, Opener, Result, Sealer};
use std::sync::Arc;
use zeroize::Zeroizing;

/// One thread's run of rows: their output values back to back (wiped when
/// dropped: when opening, it is plaintext), and each one's length.
struct Part {
    data: Zeroizing<Vec<u8>>,
    lengths: Vec<usize>,
}

/// Room for `additional` more bytes in `buffer`, moving to a larger buffer
/// by hand when needed: `Vec`'s own growth would free the old allocation,
/// plaintext and all, without wiping it.
fn reserve_wiped(buffer: &mut Zeroizing<Vec<u8>>, additional: usize) {
    if buffer.capacity() - buffer.len() >= additional {
        return;
    }
    let wanted = (buffer.len() + additional).max(buffer.capacity() * 2);
    let mut larger = Zeroizing::new(Vec::with_capacity(wanted));
    larger.extend_from_slice(buffer);
    // The old buffer is wiped as it is dropped here.
    *buffer = larger;
}

/// What a value's plaintext is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plaintext {
    /// The value's bytes, as `Sealer::seal` takes them.
    Raw,
    /// A table row is a record: a string value's JSON text, padded to a
    /// multiple of `pad_to` (docs/FORMAT.md §7), as the CLI seals a CSV cell.
    Record { pad_to: usize },
}

/// Row `row` of the values (from 0 in this array) failed: the error names
/// it as row `first_row + row` of the whole column.
fn in_row(first_row: usize, row: usize, error: Error) -> Error {
    Error::Batch {
        index: first_row + row,
        source: Box::new(error),
    }
}

/// Seals the values; `first_row` is the index of their first row in the
/// whole column (of chunks or batches), for errors.
#[allow(clippy::too_many_arguments)]
pub(crate) fn seal(
    sealer: &Sealer,
    values: &Values<'_>,
    contexts: &Contexts<'_>,
    plaintext_is: Plaintext,
    form: SealedForm,
    threads: Threads,
    first_row: usize,
) -> Result<ArrayRef> {
    let in_row = |row, error| in_row(first_row, row, error);
    let rows = values.len();
    let parts = runs(rows, threads.resolve()?, |range| {
        // Sized once from the plaintexts' lengths (a record's JSON text is
        // at least its value, quoted and padded: the estimate rarely grows).
        let sealed_len = |len: usize| {
            let len = match plaintext_is {
                Plaintext::Raw => len,
                // An estimate only (ciphertext may grow the buffer): a large
                // `pad_to` must not make it reserve memory per row up front.
                Plaintext::Record { pad_to } => len + 2 + pad_to.min(64),
            };
            match form {
                SealedForm::Text => sealer.sealed_text_len(len),
                SealedForm::Binary => sealer.sealed_len(len),
            }
        };
        let capacity = range
            .clone()
            .filter(|&row| !values.is_null(row))
            .map(|row| sealed_len(values.bytes(row).len()))
            .sum();
        let mut part = Part {
            data: Zeroizing::new(Vec::with_capacity(capacity)),
            lengths: Vec::with_capacity(range.len()),
        };
        // This thread's own claim on the sealer's counter (and a buffer for
        // the binary form on its way to text: ciphertext only).
        let mut run = sealer.run();
        let mut scratch = Vec::new();
        for row in range {
            if values.is_null(row) {
                part.lengths.push(0);
                continue;
            }
            let start = part.data.len();
            let context = contexts.of(row).map_err(|e| in_row(row, e))?;
            let context = Context::bytes(&context);
            let record;
            let plaintext = match plaintext_is {
                Plaintext::Raw => values.bytes(row),
                Plaintext::Record { pad_to } => {
                    // A string column (checked up front): its values are UTF-8.
                    let text = std::str::from_utf8(values.bytes(row)).map_err(|_| {
                        in_row(row, Error::InvalidArgument("a table value is not UTF-8"))
                    })?;
                    record =
                        enseal::record_value_plaintext(text, pad_to).map_err(|e| in_row(row, e))?;
                    record.as_bytes()
                }
            };
            match form {
                SealedForm::Text => {
                    run.seal_text_into(plaintext, context, &mut part.data, &mut scratch)
                }
                SealedForm::Binary => run.seal_binary_into(plaintext, context, &mut part.data),
            }
            .map_err(|e| in_row(row, e))?;
            part.lengths.push(part.data.len() - start);
        }
        Ok(part)
    })?;
    let text = form == SealedForm::Text;
    Built {
        parts,
        nulls: values.nulls(),
        text,
        large: values.is_large(),
    }
    .build()
}

/// Opens the values into wiped buffers, not yet an Arrow array: a caller
/// opening several chunks or columns builds the arrays only once all have
/// opened, so that a failure leaves no plaintext behind in an unwiped
/// Arrow buffer. `first_row` as for [`seal`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn open(
    opener: &Opener,
    values: &Values<'_>,
    contexts: &Contexts<'_>,
    plaintext_is: Plaintext,
    form: OpenedForm,
    threads: Threads,
    first_row: usize,
) -> Result<Built> {
    let in_row = |row, error| in_row(first_row, row, error);
    let form = match plaintext_is {
        Plaintext::Raw => form,
        Plaintext::Record { .. } => OpenedForm::Text,
    };
    let rows = values.len();
    let text_in = values.is_text();
    let parts = runs(rows, threads.resolve()?, |range| {
        // Sized from the sealed values, which are longer than what opens
        // from them; growing beyond is done by hand (`reserve_wiped`).
        let sealed_lengths = range.clone().map(|row| values.bytes(row).len());
        let (total, longest) = sealed_lengths.fold((0, 0), |(t, m), n| (t + n, m.max(n)));
        let mut part = Part {
            data: Zeroizing::new(Vec::with_capacity(total)),
            lengths: Vec::with_capacity(range.len()),
        };
        let mut scratch = Zeroizing::new(Vec::with_capacity(longest));
        // This thread's own hold on the session it last opened.
        let mut run = opener.run();
        for row in range {
            if values.is_null(row) {
                part.lengths.push(0);
                continue;
            }
            let start = part.data.len();
            let context = contexts.of(row).map_err(|e| in_row(row, e))?;
            let context = Context::bytes(&context);
            let sealed = values.bytes(row);
            // The backend appends the ciphertext and tag before decrypting
            // in place: at most the sealed value's length.
            match plaintext_is {
                Plaintext::Raw => reserve_wiped(&mut part.data, sealed.len()),
                Plaintext::Record { .. } => reserve_wiped(&mut scratch, sealed.len()),
            }
            let out = match plaintext_is {
                Plaintext::Raw => &mut part.data,
                Plaintext::Record { .. } => {
                    scratch.clear();
                    &mut scratch
                }
            };
            if text_in {
                // A string column's values are UTF-8 already; a text form is ASCII.
                let text =
                    std::str::from_utf8(sealed).map_err(|_| in_row(row, Error::BadPrefix))?;
                run.open_into(text, context, out)
            } else {
                run.open_binary_into(sealed, context, out)
            }
            .map_err(|e| in_row(row, e))?;
            if plaintext_is != Plaintext::Raw {
                let cell = enseal::record_value_text(&scratch).map_err(|e| in_row(row, e))?;
                reserve_wiped(&mut part.data, cell.len());
                part.data.extend_from_slice(cell.as_bytes());
            }
            if form == OpenedForm::Text && std::str::from_utf8(&part.data[start..]).is_err() {
                part.data[start..].fill(0);
                return Err(in_row(
                    row,
                    Error::InvalidArgument("opened value is not UTF-8"),
                ));
            }
            part.lengths.push(part.data.len() - start);
        }
        Ok(part)
    })?;
    Ok(Built {
        parts,
        nulls: values.nulls(),
        text: form == OpenedForm::Text,
        large: values.is_large(),
    })
}

/// A column's output in its threads' wiped parts, ready to become an array.
pub(crate) struct Built {
    parts: Vec<Part>,
    nulls: Option<NullBuffer>,
    text: bool,
    large: bool,
}

impl Built {
    /// The output column: strings or binaries, 64-bit offsets when `large`.
    pub(crate) fn build(self) -> Result<ArrayRef> {
        let Built {
            parts,
            nulls,
            text,
            large,
        } = self;
        if large {
            build_as::<i64>(parts, nulls, text)
        } else {
            build_as::<i32>(parts, nulls, text)
        }
    }
}

fn build_as<O: OffsetSizeTrait>(
    mut parts: Vec<Part>,
    nulls: Option<NullBuffer>,
    text: bool,
) -> Result<ArrayRef> {
    let rows: usize = parts.iter().map(|p| p.lengths.len()).sum();
    let mut offsets = Vec::with_capacity(rows + 1);
    let mut end = 0usize;
    offsets.push(O::usize_as(0));
    let too_large = || {
        Error::InvalidColumn(
            "the output is over 2 GiB, more than a 32-bit-offset column holds: \
             pass a large_string / large_binary column, or smaller chunks"
                .into(),
        )
    };
    for length in parts.iter().flat_map(|p| p.lengths.iter()) {
        end += length;
        offsets.push(O::from_usize(end).ok_or_else(too_large)?);
    }
    // One part is the whole output: no copy. Several are copied once into
    // one buffer, and each part is wiped as it is dropped.
    let data: Vec<u8> = if parts.len() == 1 {
        parts
            .pop()
            .map(|mut p| std::mem::take(&mut *p.data))
            .unwrap_or_default()
    } else {
        let mut data = Vec::with_capacity(end);
        for part in parts {
            data.extend_from_slice(&part.data);
        }
        data
    };
    let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
    let values = Buffer::from_vec(data);
    let made: std::result::Result<ArrayRef, _> = if text {
        GenericStringArray::<O>::try_new(offsets, values, nulls).map(|a| Arc::new(a) as ArrayRef)
    } else {
        GenericBinaryArray::<O>::try_new(offsets, values, nulls).map(|a| Arc::new(a) as ArrayRef)
    };
    made.map_err(|_| Error::InvalidColumn("the output column could not be assembled".into()))
}
