//! Everything the CLI prints goes through here (`outln!` / `out!` for stdout, `errln!` / `err!` for
//! stderr; the crate denies `println!` and friends, which panic when a write fails).
//!
//! A reader that exits early (`kumo outputs | head -1`, `grep -q`) or a full disk makes stdout fail. That
//! is an outcome, not a panic: the first failure is remembered, the run is asked to stop at its next
//! safe point exactly as for Ctrl-C (so a change set made for a deploy whose plan could not be shown is
//! deleted), and `main` ends with 141 for a closed pipe (128 + SIGPIPE, what a shell reports for a
//! program stopped by it) or with an error for anything else. Failures on stderr are ignored: there is
//! nowhere left to report them, and the exit status still tells.
//!
//! A *closed* descriptor (`kumo synth >&-`) is not a failure: Rust's runtime reopens closed standard
//! descriptors on `/dev/null` before `main`, so nothing kumo prints can land in a file or socket that
//! happened to get number 1.

use std::fmt;
use std::io::{self, Write};
use std::sync::Mutex;

/// The first stdout write that failed.
static STDOUT_FAILURE: Mutex<Option<io::Error>> = Mutex::new(None);

/// Prints to stdout with a newline. Never panics; see the module docs.
macro_rules! outln {
    () => { $crate::output::stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints to stdout. Never panics; see the module docs.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::stdout(format_args!($($arg)*)) };
}

/// Prints to stderr with a newline. Never panics; a failed write is dropped.
macro_rules! errln {
    () => { $crate::output::stderr(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::stderr(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints to stderr. Never panics; a failed write is dropped.
macro_rules! err {
    ($($arg:tt)*) => { $crate::output::stderr(format_args!($($arg)*)) };
}

pub(crate) use {err, errln, out, outln};

/// Writes to stdout and flushes, so a closed reader is noticed at the write that hit it.
pub fn stdout(args: fmt::Arguments<'_>) {
    if stdout_failure().is_some() {
        return;
    }
    let mut handle = io::stdout().lock();
    if let Err(error) = handle.write_fmt(args).and_then(|()| handle.flush()) {
        drop(handle);
        record_stdout_failure(error);
    }
}

pub fn stderr(args: fmt::Arguments<'_>) {
    let mut handle = io::stderr().lock();
    let _ = handle.write_fmt(args).and_then(|()| handle.flush());
}

/// Remembers the first stdout failure and asks the run to stop.
pub fn record_stdout_failure(error: io::Error) {
    let mut failure = STDOUT_FAILURE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if failure.is_none() {
        *failure = Some(error);
        drop(failure);
        crate::signals::request_stop(crate::signals::Stop::OutputFailed);
    }
}

/// How stdout failed, if it did: the error kind and its text.
pub fn stdout_failure() -> Option<(io::ErrorKind, String)> {
    STDOUT_FAILURE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_ref()
        .map(|e| (e.kind(), e.to_string()))
}
