//! One module per subcommand. `run` dispatches and turns the outcome into an exit code.

mod bundle;
mod check;
mod cost;
mod deploy;
mod destroy;
mod diff;
mod init;
mod kubeconfig;
mod outputs;
mod preflight;
mod status;
mod synth;
mod token;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::error::CliError;

pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Synth(args) => synth::run(cli.config.as_deref(), &args),
        Command::Check(args) => check::run(&args),
        Command::Diff(args) => diff::run(cli.config.as_deref(), &args),
        Command::Deploy(args) => deploy::run(cli.config.as_deref(), &args),
        Command::Preflight(args) => preflight::run(cli.config.as_deref(), &args),
        Command::Destroy(args) => destroy::run(cli.config.as_deref(), &args),
        Command::Outputs(args) => outputs::run(cli.config.as_deref(), &args),
        Command::Status(args) => status::run(cli.config.as_deref(), &args),
        Command::Init(args) => init::run(cli.config.as_deref(), &args),
        Command::Cost(args) => cost::run(cli.config.as_deref(), &args),
        Command::Kubeconfig(args) => kubeconfig::run(cli.config.as_deref(), &args),
        Command::Bundle(args) => bundle::run(cli.config.as_deref(), &args),
        Command::Token(args) => token::run(&args),
    }
}
