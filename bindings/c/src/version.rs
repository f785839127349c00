//! What this build is: the library version (a function for the library that
//! is loaded, macros for the header that was compiled against) and the
//! AES-GCM backend.

use crate::memory::{out_arg, write_out};
use crate::status::{enseal_status, guard};
use std::ffi::{CString, c_char};
use std::sync::OnceLock;

/// The major version of the header (the library's major version is
/// enseal_version()'s first number; the shared library's SONAME is
/// libenseal.so.<major>).
pub const ENSEAL_VERSION_MAJOR: u32 = 0;
/// The minor version of the header.
pub const ENSEAL_VERSION_MINOR: u32 = 1;
/// The patch version of the header.
pub const ENSEAL_VERSION_PATCH: u32 = 0;
// ENSEAL_VERSION_STRING, "MAJOR.MINOR.PATCH", is made from these three by
// the header's trailer (cbindgen.toml), so the numbers are written once.

/// The version of the loaded library, "MAJOR.MINOR.PATCH" (compare it with
/// ENSEAL_VERSION_STRING to detect a header/library mismatch). Static: never
/// free it.
#[unsafe(no_mangle)]
pub extern "C" fn enseal_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    VERSION
        .get_or_init(|| static_text(enseal_core::LIBRARY_VERSION))
        .as_ptr()
}

fn static_text(text: &str) -> CString {
    CString::new(text).unwrap_or_default()
}

/// Which AES-256-GCM implementation this build uses ("ring" or "aes-gcm", a
/// static string: never free it) and whether the CPU's AES instructions are in
/// use.
///
/// # Safety
/// `name` and `hardware` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_aes_backend(
    name: *mut *const c_char,
    hardware: *mut bool,
) -> enseal_status {
    static NAME: OnceLock<CString> = OnceLock::new();
    guard(|| {
        out_arg(name)?;
        out_arg(hardware)?;
        let backend = enseal_core::aes_backend();
        let static_name = NAME.get_or_init(|| static_text(backend.name()));
        // SAFETY: both checked by out_arg.
        unsafe {
            write_out(name, static_name.as_ptr());
            write_out(hardware, backend.hardware_accelerated());
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn the_header_macros_are_the_library_version() {
        let version = enseal_core::LIBRARY_VERSION;
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
        let header = include_str!("../include/enseal.h");
        assert!(header.contains(
            "#define ENSEAL_VERSION_STRING ENSEAL_VERSION_STRINGIFY_(ENSEAL_VERSION_MAJOR) \".\" "
        ));
        let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
        assert_eq!(
            parts,
            [
                ENSEAL_VERSION_MAJOR,
                ENSEAL_VERSION_MINOR,
                ENSEAL_VERSION_PATCH
            ]
        );
        // SAFETY: a static NUL-terminated string.
        let loaded = unsafe { CStr::from_ptr(enseal_version()) };
        assert_eq!(loaded.to_str().unwrap(), version);
    }

    #[test]
    fn the_backend_name_is_core_s() {
        let (mut name, mut hardware) = (std::ptr::null(), false);
        // SAFETY: writable out-pointers.
        let status = unsafe { enseal_aes_backend(&mut name, &mut hardware) };
        assert_eq!(status, enseal_status::ENSEAL_OK);
        let backend = enseal_core::aes_backend();
        // SAFETY: a static NUL-terminated string.
        let name = unsafe { CStr::from_ptr(name) };
        assert_eq!(name.to_str().unwrap(), backend.name());
        assert_eq!(hardware, backend.hardware_accelerated());
    }
}
