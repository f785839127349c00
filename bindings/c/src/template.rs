//! `enseal_context_template`: the context of each value of a record, from a
//! template over the record's own fields (docs/FORMAT.md §7.1). Parsing,
//! rendering and every rule are core's (`ContextTemplate`); this module only
//! moves text across the boundary.

use crate::memory::*;
use crate::status::{enseal_status, produce};
use enseal_core::ContextTemplate;
use std::ffi::c_char;

/// A parsed context template such as "patients/{id}{pointer}". Immutable and
/// thread-safe: parse once, render (or seal and open records) from many
/// threads at once.
pub struct enseal_context_template {
    pub(crate) inner: ContextTemplate,
}

/// Parses `text` (a NUL-terminated UTF-8 template). A malformed template (an
/// unclosed "{", a lone "}", an empty "{}", a "{/...}" that is not a JSON
/// Pointer) is ENSEAL_INVALID_TEMPLATE, and enseal_last_error() says which
/// and where. Free the result with enseal_context_template_free.
///
/// # Safety
/// `text` must be NULL or NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_context_template_parse(
    text: *const c_char,
    out: *mut *mut enseal_context_template,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let text = unsafe { str_arg(text) }?;
        Ok(new_handle(enseal_context_template {
            inner: ContextTemplate::parse(text)?,
        }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The context of the value at JSON Pointer `pointer` (e.g. "/ssn"), with the
/// record's fields given as `count` pairs: `names[i]` (a field as the template
/// writes it, "id" or "/patient/id") has the text `values[i]` (a string's
/// characters, a number as written, "true" or "false"; enseal escapes "~" and
/// "/" itself). A field the template reads that is not among `names` is
/// ENSEAL_INVALID_TEMPLATE, naming the field. The first of two equal names
/// counts. The context's bytes go to `out` (free with enseal_bytes_free), to
/// pass to enseal_sealer_seal or enseal_opener_open as they are.
///
/// # Safety
/// `context_template` live; `pointer` NUL-terminated; `names` and `values` NULL (with
/// `count` 0) or holding `count` NUL-terminated strings each; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_context_template_render(
    context_template: *const enseal_context_template,
    pointer: *const c_char,
    names: *const *const c_char,
    values: *const *const c_char,
    count: usize,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (template, pointer, names, values) = unsafe {
            (
                handle(context_template)?,
                str_arg(pointer)?,
                str_list_arg(names, count)?,
                str_list_arg(values, count)?,
            )
        };
        let context = template.inner.render(pointer, |field| {
            names
                .iter()
                .position(|name| *name == field)
                .map(|at| values[at])
        })?;
        Ok(bytes_result(context.into_bytes()))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The context of the value at JSON Pointer `pointer` of `record_json` (the
/// record as JSON text, an object), its fields read from the record: a
/// missing field, null, an object or an array is ENSEAL_INVALID_TEMPLATE
/// naming the field; text that is not JSON is ENSEAL_INVALID_JSON. The
/// context's bytes go to `out` (free with enseal_bytes_free).
///
/// # Safety
/// `context_template` live; `record_json` and `pointer` NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_context_template_render_json(
    context_template: *const enseal_context_template,
    record_json: *const c_char,
    pointer: *const c_char,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (template, record, pointer) = unsafe {
            (
                handle(context_template)?,
                str_arg(record_json)?,
                str_arg(pointer)?,
            )
        };
        let context = template.inner.render_json(record, pointer)?;
        Ok(bytes_result(context.into_bytes()))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The template as it was written (free with enseal_string_free).
///
/// # Safety
/// `context_template` must be a live template; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_context_template_text(
    context_template: *const enseal_context_template,
    out: *mut *mut c_char,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `template`.
    unsafe {
        produce(out, || {
            string_result(handle(context_template)?.inner.as_str())
        })
    }
}

/// How many record fields the template reads ("{pointer}" is not one).
///
/// # Safety
/// `context_template` must be a live template; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_context_template_field_count(
    context_template: *const enseal_context_template,
    out: *mut usize,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `template`.
    unsafe { produce(out, || Ok(handle(context_template)?.inner.fields().len())) }
}

/// Field number `index` the template reads (0 to
/// enseal_context_template_field_count - 1, in the template's order), as
/// written ("id", "/patient/id"); an index past the end is
/// ENSEAL_INVALID_ARGUMENT. Free with enseal_string_free.
///
/// # Safety
/// `context_template` must be a live template; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_context_template_field(
    context_template: *const enseal_context_template,
    index: usize,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let template = unsafe { handle(context_template) }?;
        let fields = template.inner.fields();
        let field = fields
            .get(index)
            .ok_or(invalid("the index is past the template's last field"))?;
        string_result(field)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Whether the template has "{pointer}", i.e. gives each value of a record
/// its own context (sealing two or more values of a record with a template
/// without it is ENSEAL_INVALID_TEMPLATE).
///
/// # Safety
/// `context_template` must be a live template; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_context_template_has_pointer(
    context_template: *const enseal_context_template,
    out: *mut bool,
) -> enseal_status {
    // SAFETY: `produce` checks `out`; `handle` forwards the contract on `template`.
    unsafe { produce(out, || Ok(handle(context_template)?.inner.has_pointer())) }
}

/// Frees a template and sets `*context_template` to NULL. NULL is allowed.
///
/// # Safety
/// `context_template` must be NULL, or point to NULL or to a live template no thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_context_template_free(
    context_template: *mut *mut enseal_context_template,
) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(context_template) }
}
