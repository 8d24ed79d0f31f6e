//! Ctrl-C (SIGINT), SIGTERM (what CI sends on cancel) and a failed stdout, for every command.
//!
//! `install` runs before any command: a thread listens for both signals for the whole run, so no
//! command can forget to. What a signal does depends on whether the command is in a *graceful* section
//! (see [`graceful`]): one that has something to undo, such as a change set not yet executed.
//!
//! * Outside one (reading config, synthesizing, `status`, `outputs`, ...): exit at once, 130 for SIGINT
//!   and 143 for SIGTERM (128 + the signal, the shell convention). Nothing is half-done.
//! * Inside one, first signal: the process-wide [`Interrupt`] is triggered. The engine stops at its next
//!   safe point and deletes what it made and did not apply; the request interceptor (`aws_env`) lets no
//!   new request start, retries included, except that cleanup. A request in flight ends within the
//!   per-attempt limit (`--api-timeout`). The exit status is still 130 / 143.
//! * Second signal: exit at once, saying what may still be running.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};

use kumo_deploy::Interrupt;

use crate::output::errln;

/// Why the run was asked to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Signal(Signal),
    /// Writing to stdout failed (a reader that exited early, a full disk).
    OutputFailed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C at a terminal.
    Interrupt,
    /// SIGTERM: `kill`, CI cancelling a job, a container stopping.
    Terminate,
}

impl Signal {
    /// 128 + the signal number: what a shell reports for a program the signal ended.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "Ctrl-C",
            Signal::Terminate => "SIGTERM",
        }
    }
}

struct State {
    interrupt: Interrupt,
    stop: Mutex<Option<Stop>>,
    /// Live [`Graceful`] guards.
    graceful: AtomicUsize,
    /// The AWS request being sent now (e.g. "CloudFormation CreateChangeSet"), for the second signal.
    in_flight: Mutex<Option<String>>,
    /// Changes started by this run that the second signal may leave behind.
    left_behind: Mutex<LeftBehind>,
    /// The per-attempt request limit, in seconds (0 until an AWS session exists).
    attempt_limit_secs: AtomicU64,
}

#[derive(Default)]
struct LeftBehind {
    change_sets: usize,
    operation_started: bool,
}

static STATE: LazyLock<State> = LazyLock::new(|| State {
    interrupt: Interrupt::new(),
    stop: Mutex::new(None),
    graceful: AtomicUsize::new(0),
    in_flight: Mutex::new(None),
    left_behind: Mutex::new(LeftBehind::default()),
    attempt_limit_secs: AtomicU64::new(0),
});

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The process-wide stop flag every engine and AWS client of this run shares.
pub fn interrupt() -> Interrupt {
    STATE.interrupt.clone()
}

/// What stopped the run, if anything did.
pub fn stop_requested() -> Option<Stop> {
    *lock(&STATE.stop)
}

/// The signal that stopped the run, if one did.
pub fn signal_received() -> Option<Signal> {
    match stop_requested() {
        Some(Stop::Signal(signal)) => Some(signal),
        _ => None,
    }
}

/// Asks the run to stop at its next safe point (used for a failed stdout; signals come through
/// [`install`]). The first reason wins, except that a signal replaces an output failure.
pub fn request_stop(stop: Stop) {
    let mut current = lock(&STATE.stop);
    if current.is_none() || (matches!(stop, Stop::Signal(_)) && *current == Some(Stop::OutputFailed)) {
        *current = Some(stop);
    }
    drop(current);
    STATE.interrupt.trigger();
}

/// While the returned guard lives, a first signal stops the command at its next safe point instead of
/// ending the process: for flows that have something to undo.
#[must_use = "the section is graceful only while the guard lives"]
pub struct Graceful(());

pub fn graceful() -> Graceful {
    STATE.graceful.fetch_add(1, Ordering::SeqCst);
    Graceful(())
}

impl Drop for Graceful {
    fn drop(&mut self) {
        STATE.graceful.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The per-attempt limit of AWS requests, for the message after the first signal.
pub fn set_attempt_limit(seconds: u64) {
    STATE.attempt_limit_secs.store(seconds, Ordering::SeqCst);
}

/// The request interceptor reports each attempt here.
pub fn request_started(what: String) {
    *lock(&STATE.in_flight) = Some(what);
}

/// The request interceptor reports each finished attempt here, with the operation's name.
pub fn request_finished(operation: &str, succeeded: bool) {
    *lock(&STATE.in_flight) = None;
    if !succeeded {
        return;
    }
    let mut left = lock(&STATE.left_behind);
    match operation {
        "CreateChangeSet" => left.change_sets += 1,
        "DeleteChangeSet" => left.change_sets = left.change_sets.saturating_sub(1),
        "ExecuteChangeSet" => {
            left.change_sets = left.change_sets.saturating_sub(1);
            left.operation_started = true;
        }
        "DeleteStack" | "CancelUpdateStack" => left.operation_started = true,
        _ => {}
    }
}

/// Starts listening for SIGINT and SIGTERM. Returns once the handlers are in place, so from the first
/// AWS request on a signal is always seen.
pub fn install() {
    #[cfg(unix)]
    {
        let (ready, registered) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new().name("kumo-signals".into()).spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_io().build() else {
                let _ = ready.send(false);
                return;
            };
            runtime.block_on(async move {
                use tokio::signal::unix::{SignalKind, signal};
                let (Ok(mut interrupt), Ok(mut terminate)) =
                    (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
                else {
                    let _ = ready.send(false);
                    return;
                };
                let _ = ready.send(true);
                loop {
                    let received = tokio::select! {
                        _ = interrupt.recv() => Signal::Interrupt,
                        _ = terminate.recv() => Signal::Terminate,
                    };
                    on_signal(received);
                }
            });
        });
        // Without the thread, signals keep their default action (ending the process): still correct
        // for everything but the cleanup of an interrupted deploy.
        if spawned.is_ok() {
            let _ = registered.recv();
        }
    }
}

fn on_signal(signal: Signal) {
    let already = signal_received();
    if let Some(first) = already {
        errln!("\n{} again: exiting now.{}", signal.name(), still_running());
        std::process::exit(i32::from(first.exit_code()));
    }
    if STATE.graceful.load(Ordering::SeqCst) == 0 {
        // Nothing to undo: stop now, as the default action would.
        std::process::exit(i32::from(signal.exit_code()));
    }
    request_stop(Stop::Signal(signal));
    let limit = match STATE.attempt_limit_secs.load(Ordering::SeqCst) {
        0 => String::new(),
        secs => format!(" (a request in flight ends within {secs} s)"),
    };
    errln!(
        "\n{}: stopping at the next safe point{limit}; no new AWS request is sent except deleting what this run \
         made and did not apply. {} again exits at once.",
        signal.name(),
        signal.name()
    );
}

/// What the process may leave running when it exits now.
fn still_running() -> String {
    let mut lines = Vec::new();
    if let Some(request) = lock(&STATE.in_flight).as_ref() {
        lines.push(format!("a {request} request was in flight; AWS may still carry it out"));
    }
    let left = lock(&STATE.left_behind);
    if left.change_sets > 0 {
        lines.push(
            "a change set this run created was not deleted (a new stack's change set also leaves an empty \
             REVIEW_IN_PROGRESS stack); `kumo deploy` and `kumo diff` work regardless, or delete it in the \
             CloudFormation console"
                .to_owned(),
        );
    }
    if left.operation_started {
        lines.push(
            "the stack operation this run started continues in CloudFormation; `kumo status` shows it, and \
             running the same command again resumes watching it"
                .to_owned(),
        );
    }
    if lines.is_empty() {
        return " Nothing this run started is still running.".to_owned();
    }
    let mut text = String::from(" Possibly still running:");
    for line in lines {
        text.push_str("\n  - ");
        text.push_str(&line);
    }
    text
}
