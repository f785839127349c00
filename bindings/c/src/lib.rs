//! The C ABI of enseal. It translates C types to core types and core errors to
//! status codes, and nothing else: every decision about cryptography, formats
//! and validation is made in `core/`. See `include/enseal.h` for the contract.
//!
//! One module per handle type (`keypair`, `public_key`, `keyset`, `keyring`
//! with its builder, `sealer`, `opener`, `template`, `audit`, `signed_keyset`
//! with its signer pins), `sealed` for what needs no handle,
//! and `status`, `memory`, `suite` and `version` for the plumbing.
//!
//! This crate is the only place in enseal with `unsafe`: each block dereferences
//! a pointer the caller passed, under the conditions the header documents.

#![allow(non_camel_case_types)]

mod audit;
mod keypair;
mod keyring;
mod keyset;
mod memory;
mod opener;
mod public_key;
mod sealed;
mod sealer;
mod signed_keyset;
mod status;
mod suite;
mod template;
mod version;

pub use audit::*;
pub use keypair::*;
pub use keyring::*;
pub use keyset::*;
pub use memory::*;
pub use opener::*;
pub use public_key::*;
pub use sealed::*;
pub use sealer::*;
pub use signed_keyset::*;
pub use status::*;
pub use suite::*;
pub use template::*;
pub use version::*;
