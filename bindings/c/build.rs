//! Gives the shared library its SONAME, `libenseal.so.<major>` (as cargo-c
//! does for rustls-ffi), so programs record that name and a new major version
//! can be installed beside the old one. `cargo xtask c-install` installs the
//! file as `libenseal.so.<version>` with the two usual symlinks.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    match os.as_str() {
        "macos" | "ios" => {
            println!("cargo:rustc-cdylib-link-arg=-Wl,-install_name,@rpath/libenseal.{major}.dylib")
        }
        "windows" | "" => {}
        _ => println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libenseal.so.{major}"),
    }
    println!("cargo:rerun-if-changed=build.rs");
}
