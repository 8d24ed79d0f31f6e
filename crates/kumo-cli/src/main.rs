//! The `kumo` command-line interface. See `kumo --help`.

mod aws_env;
mod aws_target;
mod cli;
mod commands;
mod error;
mod kube_side;
mod project;
mod render_diff;
mod render_error;
mod render_progress;
mod render_report;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}
