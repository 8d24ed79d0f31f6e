//! One module per subcommand. `run` dispatches and turns the outcome into an exit code.

mod bundle;
mod check;
mod cost;
mod deploy;
mod destroy;
mod diff;
mod init;
mod kubeconfig;
mod list;
mod ls;
mod new;
mod outputs;
mod preflight;
mod status;
mod synth;
mod token;
pub mod ttl;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::project::ProjectOptions;

pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let opts = ProjectOptions {
        config: cli.config,
        env: cli.env,
        app: cli.app,
    };
    let config = &opts;
    match cli.command {
        Command::Synth(args) => synth::run(config, &args),
        Command::Check(args) => check::run(&args),
        Command::Diff(args) => diff::run(config, &args),
        Command::Deploy(args) => deploy::run(config, &args),
        Command::Preflight(args) => preflight::run(config, &args),
        Command::Destroy(args) => destroy::run(config, &args),
        Command::Outputs(args) => outputs::run(config, &args),
        Command::Status(args) => status::run(config, &args),
        Command::List(args) => list::run(config, &args),
        Command::Init(args) => init::run(config, &args),
        Command::New(args) => new::run(&args),
        Command::Ls(args) => ls::run(config, &args),
        Command::Cost(args) => cost::run(config, &args),
        Command::Kubeconfig(args) => kubeconfig::run(config, &args),
        Command::Bundle(args) => bundle::run(config, &args),
        Command::Token(args) => token::run(&args),
        Command::Ttl(args) => ttl::run(config, &args),
    }
}
