//! The `kumo` command-line interface. See `kumo --help`.

mod cli;
mod project;
mod commands;
mod error;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}
