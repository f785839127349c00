//! Resolves a key URI to the custodian that holds the private key, so that
//! every binding (C, Python, Kotlin, Swift) and the CLI accept the same
//! strings and none of them decides anything about them:
//!
//! - `pkcs11:…` — a key in a PKCS#11 token (RFC 7512), see `enseal-pkcs11`;
//! - `wrapped:…` — a key file wrapped by a key in a PKCS#11 token, unwrapped
//!   into locked memory for a bounded time, see `enseal-pkcs11`;
//! - `awskms:…` — an AWS KMS `KEY_AGREEMENT` key, see `enseal-awskms`.
//!
//! docs/CUSTODY.md and docs/AWSKMS.md give the forms in full.

use enseal::{Error, KeyCustody, Result};
use std::sync::Arc;

/// Every scheme enseal knows, built in or not.
const ALL_SCHEMES: [&str; 3] = ["pkcs11", "wrapped", "awskms"];

/// The URI schemes this build resolves.
pub const SCHEMES: &[&str] = &[
    #[cfg(feature = "pkcs11")]
    "pkcs11",
    #[cfg(feature = "pkcs11")]
    "wrapped",
    #[cfg(feature = "awskms")]
    "awskms",
];

/// True when `location` is a key URI of a scheme enseal knows (`pkcs11:`,
/// `wrapped:`, `awskms:`), whether or not this build resolves it: [`open`]
/// then says which, rather than the location being taken for a file path.
pub fn is_key_uri(location: &str) -> bool {
    location
        .split_once(':')
        .is_some_and(|(scheme, _)| ALL_SCHEMES.contains(&scheme))
}

/// The custodian of the private key `uri` names, connected and ready (the
/// backend is reached once here, to read the public key). A malformed URI
/// or one of a scheme this build lacks is `INVALID_ARGUMENT`; a backend that
/// cannot be reached is `KEY_UNAVAILABLE`.
pub fn open(uri: &str) -> Result<Arc<dyn KeyCustody>> {
    let scheme = uri.split_once(':').map_or("", |(scheme, _)| scheme);
    match scheme {
        #[cfg(feature = "pkcs11")]
        "pkcs11" | "wrapped" => enseal_pkcs11::open(uri),
        #[cfg(feature = "awskms")]
        "awskms" => enseal_awskms::open(uri),
        _ if ALL_SCHEMES.contains(&scheme) => Err(Error::InvalidKeyLocation(format!(
            "{scheme}: keys are not supported by this build (cargo feature off)"
        ))),
        _ => Err(Error::InvalidKeyLocation(format!(
            "not a key URI: expected one of {} followed by ':'",
            SCHEMES.join(", ")
        ))),
    }
}
