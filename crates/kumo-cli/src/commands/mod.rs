//! One module per subcommand. `run` dispatches and turns the outcome into an exit code.

mod synth;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::error::CliError;

pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Synth(args) => synth::run(cli.config.as_deref(), &args),
    }
}
