//! CLI errors: one line saying what went wrong, an optional hint saying what to do, and an exit code.

use crate::output::errln;
use std::fmt;
use std::process::ExitCode;

/// Exit codes, documented in `kumo --help`.
pub mod exit {
    /// Success (for `diff`: no changes).
    pub const OK: u8 = 0;
    /// `diff` found changes; `check` (or `synth --strict`) found security findings no waiver covers.
    pub const CHANGES: u8 = 1;
    /// Bad input, or the operation failed.
    pub const ERROR: u8 = 2;
}

/// An error the CLI reports to the user.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub hint: Option<String>,
    pub code: u8,
}

impl CliError {
    /// An error with exit code 2.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code: exit::ERROR,
        }
    }

    /// Adds a line telling the user what to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prints `error: ...` (and `hint: ...`) to stderr and returns the exit code.
    pub fn report(&self) -> ExitCode {
        errln!("error: {}", self.message);
        if let Some(hint) = &self.hint {
            errln!("hint: {hint}");
        }
        ExitCode::from(self.code)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Formats an error with its whole `source()` chain on one line: `outer: inner: root cause`.
pub use kumo_deploy::error::chain;
