//! One module per command group.

pub mod audit;
pub mod inspect;
pub mod key;
pub mod keyset;
pub mod records;
pub mod signer;
