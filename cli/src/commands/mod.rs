//! One module per command group. `seal`, `open`, `reseal` and `audit` come next
//! (a new module and a `Command` variant each).

pub mod inspect;
pub mod key;
pub mod keyset;
