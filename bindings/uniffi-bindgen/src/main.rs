//! `uniffi-bindgen`, pinned with the library so generated code and scaffolding never drift.
fn main() {
    uniffi::uniffi_bindgen_main()
}
