//! The `kumo` command-line interface. See `kumo --help`.

// Printing goes through `output` (`outln!`, `errln!`): the std macros panic when stdout is a closed
// pipe or a full disk.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod app_command;
mod app_target;
mod aws_env;
mod aws_target;
mod cli;
mod commands;
mod dns_watch;
mod error;
mod kube_side;
mod logging;
mod output;
mod project;
mod render_cost;
mod render_diff;
mod render_error;
mod render_preflight;
mod render_progress;
mod render_report;
mod render_security;
mod signals;
mod teardown;
mod ttl_deploy;

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;

use crate::error::CliError;
use crate::output::errln;

/// Exit status after stdout was closed by its reader: 128 + SIGPIPE, what a shell reports for a
/// program the broken pipe stopped.
const BROKEN_PIPE: u8 = 141;

fn main() -> ExitCode {
    // Before anything else, so no command can run without Ctrl-C / SIGTERM handling.
    signals::install();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        // --help, --version and usage errors: clap prints them; a failed print is an output failure.
        Err(error) => {
            return match error.print() {
                Ok(()) => finish(Ok(ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2)))),
                Err(io) => {
                    output::record_stdout_failure(io);
                    finish(Ok(ExitCode::SUCCESS))
                }
            };
        }
    };
    logging::init(cli.verbose);
    finish(commands::run(cli))
}

/// The exit status, from the command's outcome and whatever stopped it: a signal (130 for SIGINT, 143
/// for SIGTERM, on every path), a closed stdout (141, quietly), another stdout failure (2, with an
/// error naming it).
fn finish(outcome: Result<ExitCode, CliError>) -> ExitCode {
    let report = |error: &CliError| {
        if error.code == render_error::INTERRUPTED {
            // What the stop left ("interrupted: nothing was changed on app"); its hint is about Ctrl-C.
            errln!("error: {}", error.message);
        } else {
            error.report();
        }
    };
    if let Some(signal) = signals::signal_received() {
        if let Err(error) = &outcome {
            error.report();
        }
        return ExitCode::from(signal.exit_code());
    }
    match output::stdout_failure() {
        Some((ErrorKind::BrokenPipe, _)) => {
            if let Err(error) = &outcome {
                report(error);
            }
            ExitCode::from(BROKEN_PIPE)
        }
        Some((_, text)) => {
            if let Err(error) = &outcome {
                report(error);
            }
            errln!("error: cannot write to standard output: {text}");
            errln!("hint: free space on the device stdout goes to, or redirect it elsewhere");
            ExitCode::from(error::exit::ERROR)
        }
        None => match outcome {
            Ok(code) => code,
            Err(error) => error.report(),
        },
    }
}
