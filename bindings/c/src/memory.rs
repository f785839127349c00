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

/// A caller's output buffer: `len` writable bytes at `ptr`; `ptr` may be NULL
/// only when `len` is 0.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` writable bytes that outlive `'a` and
/// overlap no other argument.
pub(crate) unsafe fn bytes_mut_arg<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8], Error> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(invalid("an output buffer is NULL but its length is not 0"));
    }
    if len > isize::MAX as usize {
        return Err(invalid("a byte length is larger than memory"));
    }
    // SAFETY: non-NULL, and the caller promises `len` writable, unaliased bytes.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// The outcome of a caller-buffer call: the length written on success, the
/// length needed with ENSEAL_BUFFER_TOO_SMALL; other errors write nothing.
///
/// # Safety
/// `out` must be non-NULL (see [`out_arg`]) and writable.
pub(crate) unsafe fn report_length(
    outcome: Result<usize, Error>,
    out: *mut usize,
) -> Result<(), Error> {
    let length = match &outcome {
        Ok(written) => Some(*written),
        Err(Error::BufferTooSmall { needed }) => Some(*needed),
        Err(_) => None,
    };
    if let Some(length) = length {
        // SAFETY: forwarded contract.
        unsafe { write_out(out, length) };
    }
    outcome.map(|_| ())
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

/// The `count` NUL-terminated strings at `list`.
///
/// # Safety
/// `list` must be NULL (with `count` 0) or hold `count` readable entries,
/// each NULL or NUL-terminated.
pub(crate) unsafe fn str_list_arg<'a>(
    list: *const *const c_char,
    count: usize,
) -> Result<Vec<&'a str>, Error> {
    if list.is_null() && count > 0 {
        return Err(invalid("the pointer array is NULL but its count is not 0"));
    }
    let mut strings = Vec::with_capacity(count);
    for i in 0..count {
        // SAFETY: the caller promises `count` readable entries.
        strings.push(unsafe { str_arg(*list.add(i)) }?);
    }
    Ok(strings)
}

/// `text` (ASCII, shorter than `N`) in a fixed C array, NUL-terminated, the
/// rest zero: for the kid and session id fields of result structs.
pub(crate) fn fixed_text<const N: usize>(text: &str) -> Result<[c_char; N], Error> {
    let mut out = [0 as c_char; N];
    if text.len() >= N || !text.is_ascii() {
        return Err(Error::Internal("a fixed-size text field is too small"));
    }
    for (slot, byte) in out.iter_mut().zip(text.bytes()) {
        *slot = byte as c_char;
    }
    Ok(out)
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
    boxed_result(bytes.into_boxed_slice())
}

fn boxed_result(boxed: Box<[u8]>) -> enseal_bytes {
    let len = boxed.len();
    enseal_bytes {
        ptr: Box::into_raw(boxed).cast(),
        len,
    }
}

/// Moves secret bytes out without leaving an unwiped copy behind: they are
/// copied once into an allocation of exactly their length (so nothing
/// reallocates or shrinks it later), and `bytes` is wiped when dropped.
pub(crate) fn secret_bytes_result(bytes: Zeroizing<Vec<u8>>) -> enseal_bytes {
    boxed_result(bytes.as_slice().into())
}

/// Copies `text` into a new C string whose allocation is sized for the NUL
/// from the start: `CString::new(String)` would reallocate to append it and
/// free the old block unwiped. Nothing is allocated if `text` holds a NUL.
fn c_string(text: &str) -> Result<*mut c_char, Error> {
    let bytes = text.as_bytes();
    if bytes.contains(&0) {
        return Err(Error::Internal("result text contains a NUL byte"));
    }
    let mut with_nul = Vec::with_capacity(bytes.len() + 1);
    with_nul.extend_from_slice(bytes);
    with_nul.push(0);
    match CString::from_vec_with_nul(with_nul) {
        Ok(text) => Ok(text.into_raw()),
        // Unreachable (checked above); wipe the copy all the same.
        Err(refused) => {
            refused.into_bytes().zeroize();
            Err(Error::Internal("result text contains a NUL byte"))
        }
    }
}

pub(crate) fn string_result(text: &str) -> Result<*mut c_char, Error> {
    c_string(text)
}

/// Moves secret text out as a C string; `text` is wiped when dropped and no
/// other copy is made or freed on the way.
pub(crate) fn secret_string_result(text: Zeroizing<String>) -> Result<*mut c_char, Error> {
    c_string(&text)
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

#[cfg(test)]
mod tests {
    //! A global allocator that looks into every block freed on a watching
    //! thread: a block that still holds the watched secret when it is freed
    //! (dropped, or left behind by a reallocation) is an unwiped copy.

    use super::*;
    use crate::keypair::*;
    use crate::keyring::*;
    use crate::opener::*;
    use crate::public_key::*;
    use crate::sealer::*;
    use crate::status::enseal_status::ENSEAL_OK;
    use crate::suite::*;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use std::ffi::CStr;

    struct Watching;

    #[global_allocator]
    static ALLOCATOR: Watching = Watching;

    thread_local! {
        static SECRET: Cell<Option<&'static [u8]>> = const { Cell::new(None) };
        static UNWIPED: Cell<usize> = const { Cell::new(0) };
    }

    fn holds(ptr: *const u8, size: usize, secret: &[u8]) -> bool {
        // Volatile reads: the block may hold bytes never written.
        // SAFETY: `ptr` is a live block of `size` bytes (it is being freed).
        let byte = |i: usize| unsafe { ptr.add(i).read_volatile() };
        size >= secret.len()
            && (0..=size - secret.len())
                .any(|at| (0..secret.len()).all(|i| byte(at + i) == secret[i]))
    }

    // SAFETY: every call goes to the system allocator unchanged; `dealloc`
    // only reads the block before freeing it. The default `realloc` frees the
    // old block through `dealloc`, so a reallocation's leftover is seen too.
    unsafe impl GlobalAlloc for Watching {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded contract.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            let _ = SECRET.try_with(|secret| {
                if let Some(secret) = secret.get()
                    && holds(ptr, layout.size(), secret)
                {
                    UNWIPED.with(|n| n.set(n.get() + 1));
                }
            });
            // SAFETY: forwarded contract.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// How many blocks holding `secret` `work` freed unwiped on this thread.
    fn unwiped_copies(secret: &[u8], work: impl FnOnce()) -> usize {
        let secret: &'static [u8] = Box::leak(secret.into());
        UNWIPED.with(|n| n.set(0));
        SECRET.with(|s| s.set(Some(secret)));
        work();
        SECRET.with(|s| s.set(None));
        UNWIPED.with(Cell::get)
    }

    const MARKER: &str = "SECRET-7f3c9e21-opened-plaintext";

    /// The text (in a wiping buffer: the tests' own copies must not count), freed.
    fn free_text(mut text: *mut c_char) -> Zeroizing<String> {
        // SAFETY: `text` is a string enseal returned.
        let copy = Zeroizing::new(unsafe { CStr::from_ptr(text) }.to_str().unwrap().to_owned());
        // SAFETY: as above; freed once.
        unsafe { enseal_string_free(&mut text) };
        copy
    }

    #[test]
    fn the_watcher_sees_an_unwiped_copy() {
        // The checks below can fail: a plain String dropped, or the old
        // `CString::new(text)` (which reallocates to append the NUL), is seen.
        assert_eq!(
            unwiped_copies(MARKER.as_bytes(), || drop(String::from(MARKER))),
            1
        );
        let old_way = unwiped_copies(MARKER.as_bytes(), || {
            let text = CString::new(MARKER.to_owned()).unwrap();
            text.into_bytes_with_nul().zeroize();
        });
        assert!(
            old_way >= 1,
            "CString::new on an exact-capacity String reallocates"
        );
        assert_eq!(
            unwiped_copies(MARKER.as_bytes(), || drop(Zeroizing::new(String::from(
                MARKER
            )))),
            0
        );
    }

    #[test]
    fn secret_results_leave_no_unwiped_copy() {
        let freed = unwiped_copies(MARKER.as_bytes(), || {
            let text = secret_string_result(Zeroizing::new(String::from(MARKER))).unwrap();
            assert_eq!(free_text(text).len(), MARKER.len());
        });
        assert_eq!(freed, 0, "secret_string_result");
        let freed = unwiped_copies(MARKER.as_bytes(), || {
            let mut bytes = secret_bytes_result(Zeroizing::new(MARKER.as_bytes().to_vec()));
            assert_eq!(bytes.len, MARKER.len());
            // SAFETY: filled by enseal just above; freed once.
            unsafe { enseal_bytes_free(&mut bytes) };
        });
        assert_eq!(freed, 0, "secret_bytes_result");
        assert_eq!(
            string_result("a\0b").err().map(|e| e.code()),
            Some(enseal_core::ErrorCode::Internal)
        );
    }

    #[test]
    fn private_jwks_and_opened_values_leave_no_unwiped_copy() {
        let (mut key, mut public, mut builder, mut ring, mut sealer, mut opener) = (
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        );
        let (context, record) = (b"patients/8812/ssn", c"patient-8812");
        // SAFETY: every pointer below is a live handle or a writable out-pointer.
        unsafe {
            assert_eq!(
                enseal_keypair_generate(ENSEAL_SUITE_X25519, &mut key),
                ENSEAL_OK
            );
            assert_eq!(enseal_keypair_public_key(key, &mut public), ENSEAL_OK);
            assert_eq!(enseal_keyring_builder_new(&mut builder), ENSEAL_OK);
            let added = std::ptr::null_mut();
            assert_eq!(enseal_keyring_builder_add(builder, key, added), ENSEAL_OK);
            assert_eq!(
                enseal_keyring_builder_build(&mut builder, &mut ring),
                ENSEAL_OK
            );
            assert_eq!(enseal_sealer_new(public, 0, &mut sealer), ENSEAL_OK);
            assert_eq!(enseal_opener_new(ring, &mut opener), ENSEAL_OK);
        }

        // The private JWK: its "d" member is the secret.
        let mut jwk = std::ptr::null_mut();
        // SAFETY: live handle, writable out-pointer.
        assert_eq!(unsafe { enseal_keypair_to_jwk(key, &mut jwk) }, ENSEAL_OK);
        let jwk = free_text(jwk);
        let d = jwk
            .split("\"d\":\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let freed = unwiped_copies(d.as_bytes(), || {
            let mut jwk = std::ptr::null_mut();
            // SAFETY: live handle, writable out-pointer.
            assert_eq!(unsafe { enseal_keypair_to_jwk(key, &mut jwk) }, ENSEAL_OK);
            assert!(free_text(jwk).contains(&d));
        });
        assert_eq!(freed, 0, "enseal_keypair_to_jwk");
        let freed = unwiped_copies(d.as_bytes(), || {
            let mut jwks = std::ptr::null_mut();
            // SAFETY: live handle, writable out-pointer.
            let status = unsafe { enseal_keyring_to_jwks(ring, &mut jwks) };
            assert_eq!(status, ENSEAL_OK);
            assert!(free_text(jwks).contains(&d));
        });
        assert_eq!(freed, 0, "enseal_keyring_to_jwks");

        // An opened binary field.
        let mut sealed = enseal_bytes {
            ptr: std::ptr::null_mut(),
            len: 0,
        };
        // SAFETY: live handle, readable inputs, writable out-pointer.
        let status = unsafe {
            enseal_sealer_seal_binary(
                sealer,
                MARKER.as_ptr(),
                MARKER.len(),
                context.as_ptr(),
                context.len(),
                &mut sealed,
            )
        };
        assert_eq!(status, ENSEAL_OK);
        let freed = unwiped_copies(MARKER.as_bytes(), || {
            let mut opened = enseal_bytes {
                ptr: std::ptr::null_mut(),
                len: 0,
            };
            // SAFETY: as above; `sealed` holds `sealed.len` bytes; freed once.
            unsafe {
                let status = enseal_opener_open_binary(
                    opener,
                    sealed.ptr,
                    sealed.len,
                    context.as_ptr(),
                    context.len(),
                    &mut opened,
                );
                assert_eq!(status, ENSEAL_OK);
                assert_eq!(
                    std::slice::from_raw_parts(opened.ptr, opened.len),
                    MARKER.as_bytes()
                );
                enseal_bytes_free(&mut opened);
            }
        });
        assert_eq!(freed, 0, "enseal_opener_open_binary");
        // SAFETY: filled by enseal; freed once.
        unsafe { enseal_bytes_free(&mut sealed) };

        // An opened text field, as bytes and as a string.
        let mut text = std::ptr::null_mut();
        // SAFETY: live handle, readable inputs, writable out-pointer.
        let status = unsafe {
            enseal_sealer_seal(
                sealer,
                MARKER.as_ptr(),
                MARKER.len(),
                context.as_ptr(),
                context.len(),
                &mut text,
            )
        };
        assert_eq!(status, ENSEAL_OK);
        let freed = unwiped_copies(MARKER.as_bytes(), || {
            let mut opened = enseal_bytes {
                ptr: std::ptr::null_mut(),
                len: 0,
            };
            let mut string = std::ptr::null_mut();
            // SAFETY: live handle, NUL-terminated text, writable out-pointers; freed once.
            unsafe {
                let status =
                    enseal_opener_open(opener, text, context.as_ptr(), context.len(), &mut opened);
                assert_eq!(status, ENSEAL_OK);
                assert_eq!(opened.len, MARKER.len());
                enseal_bytes_free(&mut opened);
                let status = enseal_opener_open_string(
                    opener,
                    text,
                    context.as_ptr(),
                    context.len(),
                    &mut string,
                );
                assert_eq!(status, ENSEAL_OK);
            }
            assert_eq!(free_text(string).as_str(), MARKER);
        });
        assert_eq!(freed, 0, "enseal_opener_open and _open_string");
        free_text(text);

        // An opened JSON document.
        let document = CString::new(format!("{{\"ssn\":\"{MARKER}\",\"name\":\"Ada\"}}")).unwrap();
        let pointers = [c"/ssn".as_ptr()];
        let mut sealed = std::ptr::null_mut();
        // SAFETY: live handle, NUL-terminated inputs, writable out-pointer.
        let status = unsafe {
            enseal_sealer_seal_json(
                sealer,
                document.as_ptr(),
                pointers.as_ptr(),
                1,
                record.as_ptr(),
                ENSEAL_DEFAULT_JSON_PADDING,
                &mut sealed,
            )
        };
        assert_eq!(status, ENSEAL_OK);
        let freed = unwiped_copies(MARKER.as_bytes(), || {
            let mut opened = std::ptr::null_mut();
            // SAFETY: live handle, NUL-terminated inputs, writable out-pointer.
            let status = unsafe {
                enseal_opener_open_json(
                    opener,
                    sealed,
                    pointers.as_ptr(),
                    1,
                    record.as_ptr(),
                    &mut opened,
                )
            };
            assert_eq!(status, ENSEAL_OK);
            assert!(free_text(opened).contains(MARKER));
        });
        assert_eq!(freed, 0, "enseal_opener_open_json");
        free_text(sealed);

        // SAFETY: live handles, each freed once.
        unsafe {
            enseal_opener_free(&mut opener);
            enseal_sealer_free(&mut sealer);
            enseal_keyring_free(&mut ring);
            enseal_public_key_free(&mut public);
            enseal_keypair_free(&mut key);
        }
    }
}
