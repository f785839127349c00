//! enseal's reference intake service. Browsers seal the protected fields
//! of a patient intake before sending it (the npm package, to a signed
//! keyset); the service checks that each protected field is sealed to a key
//! of the current keyset, stores the record with those fields sealed, and
//! answers 201 once it is committed. Internal pipelines fetch a day's
//! records over mutual TLS and open them with the private key, which the
//! service never holds. See docs/INGEST-REPORT.md for the design's
//! measurements and its operations plan.

pub mod client;
pub mod dev;
pub mod files;
pub mod http;
pub mod intake;
pub mod keys;
pub mod pki;
pub mod rotation;
pub mod server;
pub mod store;
pub mod tls;
