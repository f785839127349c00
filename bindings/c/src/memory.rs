//! Moving bytes and text across the boundary: argument checks, Rust-owned
//! results, and the functions that wipe and free them.

use enseal_core::Error;
use std::ffi::{CStr, CString, c_char};
use zeroize::{Zeroize, Zeroizing};

/// Bytes owned by enseal: `len` bytes at `ptr`. Free with `enseal_bytes_free`.
#[repr(C)]
pub struct enseal_bytes {
    /// The first byte (never NULL for a result, even an empty one).
    pub ptr: *mut u8,
    /// How many bytes.
    pub len: usize,
}

pub(crate) const fn invalid(what: &'static str) -> Error {
    Error::InvalidArgument(what)
}

/// A byte argument: `len` bytes at `ptr`; `ptr` may be NULL only when `len` is 0.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(invalid("a byte pointer is NULL but its length is not 0"));
    }
    if len > isize::MAX as usize {
        return Err(invalid("a byte length is larger than memory"));
    }
    // SAFETY: non-NULL, and the caller promises `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A NUL-terminated UTF-8 text argument.
///
/// # Safety
/// A non-NULL `ptr` must point to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(invalid("a text pointer is NULL"));
    }
    // SAFETY: non-NULL, and the caller promises a NUL-terminated string.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str()
        .map_err(|_| invalid("text is not valid UTF-8"))
}

/// An optional text argument: NULL means none.
///
/// # Safety
/// As [`str_arg`] when non-NULL.
pub(crate) unsafe fn opt_str_arg<'a>(ptr: *const c_char) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { str_arg(ptr) }.map(Some)
    }
}

/// Borrows the object behind a handle.
///
/// # Safety
/// A non-NULL `ptr` must come from the matching enseal constructor and not be freed.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T) -> Result<&'a T, Error> {
    // SAFETY: the caller promises a live handle; NULL is checked by `as_ref`.
    unsafe { ptr.as_ref() }.ok_or(invalid("a handle is NULL"))
}

/// Checks an out-pointer before any work is done.
pub(crate) fn out_arg<T>(ptr: *mut T) -> Result<(), Error> {
    if ptr.is_null() {
        Err(invalid("an output pointer is NULL"))
    } else {
        Ok(())
    }
}

/// Writes a result through a checked out-pointer.
///
/// # Safety
/// `ptr` must be non-NULL (see [`out_arg`]) and valid for a write of `T`.
pub(crate) unsafe fn write_out<T>(ptr: *mut T, value: T) {
    // SAFETY: checked non-NULL by `out_arg`; the caller promises it is writable.
    unsafe { ptr.write(value) }
}

pub(crate) fn bytes_result(bytes: Vec<u8>) -> enseal_bytes {
    let boxed = bytes.into_boxed_slice();
    let len = boxed.len();
    enseal_bytes {
        ptr: Box::into_raw(boxed).cast(),
        len,
    }
}

/// Moves secret bytes out without leaving an unwiped copy behind.
pub(crate) fn secret_bytes_result(bytes: Zeroizing<Vec<u8>>) -> enseal_bytes {
    let exact: Box<[u8]> = bytes.as_slice().into();
    drop(bytes);
    bytes_result(exact.into_vec())
}

pub(crate) fn string_result(text: String) -> Result<*mut c_char, Error> {
    CString::new(text)
        .map(CString::into_raw)
        .map_err(|_| Error::Internal("result text contains a NUL byte"))
}

pub(crate) fn secret_string_result(text: Zeroizing<String>) -> Result<*mut c_char, Error> {
    string_result(text.as_str().to_owned())
}

/// Wipes and frees bytes enseal returned, then sets `bytes->ptr` to NULL and
/// `bytes->len` to 0, so a second call does nothing. NULL is allowed.
///
/// # Safety
/// `bytes` must be NULL or point to an `enseal_bytes` filled by enseal (or zeroed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_bytes_free(bytes: *mut enseal_bytes) {
    // SAFETY: the caller passes NULL or a valid enseal_bytes.
    let Some(bytes) = (unsafe { bytes.as_mut() }) else {
        return;
    };
    if !bytes.ptr.is_null() {
        // SAFETY: ptr/len came from `bytes_result`, i.e. Box<[u8]>::into_raw.
        let mut owned =
            unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(bytes.ptr, bytes.len)) };
        owned.zeroize();
    }
    bytes.ptr = std::ptr::null_mut();
    bytes.len = 0;
}

/// Wipes and frees text enseal returned, then sets `*text` to NULL, so a
/// second call does nothing. NULL and a NULL `*text` are allowed.
///
/// # Safety
/// `text` must be NULL or point to NULL or to a string returned by enseal.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_string_free(text: *mut *mut c_char) {
    // SAFETY: the caller passes NULL or a valid pointer to a string pointer.
    let Some(slot) = (unsafe { text.as_mut() }) else {
        return;
    };
    if !slot.is_null() {
        // SAFETY: the pointer came from CString::into_raw in `string_result`.
        let owned = unsafe { CString::from_raw(*slot) };
        owned.into_bytes_with_nul().zeroize();
    }
    *slot = std::ptr::null_mut();
}

/// Frees a boxed handle and sets the caller's pointer to NULL.
///
/// # Safety
/// `slot` must be NULL or point to NULL or to a live handle of type `T`.
pub(crate) unsafe fn free_handle<T>(slot: *mut *mut T) {
    // SAFETY: the caller passes NULL or a valid pointer to a handle pointer.
    let Some(slot) = (unsafe { slot.as_mut() }) else {
        return;
    };
    if !slot.is_null() {
        // SAFETY: the handle came from Box::into_raw in `new_handle`.
        drop(unsafe { Box::from_raw(*slot) });
    }
    *slot = std::ptr::null_mut();
}

pub(crate) fn new_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}
