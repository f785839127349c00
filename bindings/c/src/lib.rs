//! The C ABI of enseal. It translates C types to core types and core errors to
//! status codes, and nothing else: every decision about cryptography, formats
//! and validation is made in `core/`. See `include/enseal.h` for the contract.
//!
//! This crate is the only place in enseal with `unsafe`: each block dereferences
//! a pointer the caller passed, under the conditions the header documents.

#![allow(non_camel_case_types)]

mod handles;
mod memory;
mod status;

pub use handles::*;
pub use memory::*;
pub use status::*;
