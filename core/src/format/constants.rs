//! The format's constants: what every other module may name, so this module
//! names nothing else.

/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
/// The prefix of every sealed value in text form: names enseal and format version 1.
pub const TEXT_PREFIX: &str = "enseal1.";
/// The HPKE `info` string every enseal session is set up with.
pub const HPKE_INFO: &[u8] = b"enseal/v1";
/// The HPKE exporter context from which the field key and base nonce are exported.
pub const EXPORT_CONTEXT: &[u8] = b"enseal/v1 field";
/// The prefix hashed with the suite and public key to make a key id.
pub const KID_LABEL: &[u8] = b"enseal/v1 kid";
/// Bytes of the AES-256-GCM tag at the end of every sealed field.
pub const TAG_LEN: usize = 16;
/// The largest plaintext enseal seals or opens: 64 MiB.
pub const MAX_PLAINTEXT_LEN: usize = 64 << 20;
