//! Where a key file's passphrase comes from: a file, an environment variable, or
//! a prompt without echo when standard input is a terminal. It is held in a
//! `SecretString` (zeroized on drop) and never printed.

use std::io::IsTerminal;
use std::path::PathBuf;

use age::secrecy::SecretString;
use clap::Args;
use zeroize::Zeroizing;

use crate::error::{CliError, Result};

/// The passphrase options every command that reads or writes a private key takes.
#[derive(Args, Debug, Clone, Default)]
pub struct PassphraseArgs {
    /// Read the passphrase from the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "passphrase_env")]
    pub passphrase_file: Option<PathBuf>,
    /// Read the passphrase from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
}

impl PassphraseArgs {
    /// The passphrase. `confirm` asks twice at a prompt (when creating a key).
    pub fn get(&self, confirm: bool) -> Result<SecretString> {
        let text: Zeroizing<String> = if let Some(path) = &self.passphrase_file {
            let raw =
                Zeroizing::new(std::fs::read_to_string(path).map_err(|e| CliError::io(path, &e))?);
            Zeroizing::new(raw.lines().next().unwrap_or("").to_owned())
        } else if let Some(var) = &self.passphrase_env {
            Zeroizing::new(std::env::var(var).map_err(|_| {
                CliError::new(format!(
                    "environment variable {var} is not set or not UTF-8"
                ))
            })?)
        } else if std::io::stdin().is_terminal() {
            let first = Zeroizing::new(
                rpassword::prompt_password("Passphrase: ")
                    .map_err(|e| CliError::new(format!("cannot read the passphrase: {e}")))?,
            );
            if confirm {
                let again = Zeroizing::new(
                    rpassword::prompt_password("Passphrase (again): ")
                        .map_err(|e| CliError::new(format!("cannot read the passphrase: {e}")))?,
                );
                if *first != *again {
                    return Err(CliError::new("the two passphrases differ"));
                }
            }
            first
        } else {
            return Err(CliError::new(
                "no passphrase: pass --passphrase-file or --passphrase-env \
                 (standard input is not a terminal to prompt on)",
            ));
        };
        if text.is_empty() {
            return Err(CliError::new("the passphrase is empty"));
        }
        Ok(SecretString::from(text.as_str().to_owned()))
    }
}
