//! The one error type of the command: a single line naming what is wrong and
//! where (a file, a line, an enseal error code). It never carries plaintext,
//! key material or a passphrase.

use std::fmt;
use std::path::Path;

/// A failed command, printed as one line on standard error.
#[derive(Debug)]
pub struct CliError(String);

impl CliError {
    /// An error with this message (one line; no secret may be in it).
    pub fn new(message: impl Into<String>) -> CliError {
        CliError(message.into().replace(['\n', '\r'], " "))
    }

    /// An error about a file.
    pub fn file(path: &Path, message: impl fmt::Display) -> CliError {
        CliError::new(format!("{}: {message}", path.display()))
    }

    /// An enseal error about a file, with its code.
    pub fn core(path: &Path, error: &enseal::Error) -> CliError {
        CliError::file(path, format_args!("{error} [{}]", error.code()))
    }

    /// An I/O error about a file.
    pub fn io(path: &Path, error: &std::io::Error) -> CliError {
        CliError::file(path, error)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

/// The result of a command step.
pub type Result<T> = std::result::Result<T, CliError>;
