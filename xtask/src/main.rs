//! Developer chores for kumo.
//!
//! * `cargo xtask codegen` regenerates `crates/kumo-cfn` (Rust source and its `Cargo.toml` features)
//!   from the pinned schemas under `schemas/`. `--check` regenerates in memory and fails if anything on
//!   disk differs (CI runs it).
//! * `cargo xtask schemas --venv DIR` re-pins `schemas/` from the cfn-lint installed in a Python venv
//!   (the one `scripts/test` creates): the registry schemas it ships for us-east-1, the `Fn::GetAtt`
//!   attributes cfn-lint accepts per type, and the schema date.
//! * `cargo xtask manifests` regenerates kumo's in-cluster bundle data
//!   (`crates/kumo-kube/src/bundle/*.json`) from the vendored Helm chart under `crates/kumo-kube/chart/`;
//!   `--check` fails if the file on disk differs (CI runs it).
//! * `cargo xtask prices [--region REGION]... [--keep-going]` regenerates kumo-cost's committed price
//!   table from the AWS Price List (needs AWS credentials).

mod codegen;
mod manifests;
mod prices;
mod schemas;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask codegen [--check]\n       cargo xtask manifests [--check]\n       \
                     cargo xtask schemas --venv DIR\n       cargo xtask prices [--region REGION]... [--keep-going]";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root()?;
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["codegen"] => {
            let report = codegen::write(&root)?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        ["codegen", "--check"] => {
            let stale = codegen::check(&root)?;
            if stale.is_empty() {
                println!("kumo-cfn is up to date with schemas/");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("kumo-cfn is out of date with schemas/ ({} files differ):", stale.len());
                for path in stale.iter().take(20) {
                    eprintln!("  {path}");
                }
                eprintln!("run `cargo xtask codegen` and commit the result");
                Ok(ExitCode::FAILURE)
            }
        }
        ["manifests"] => {
            println!("{}", manifests::write(&root)?);
            Ok(ExitCode::SUCCESS)
        }
        ["manifests", "--check"] => {
            if manifests::check(&root)? {
                println!("the bundle data is up to date with the vendored chart");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "crates/kumo-kube/src/bundle/{}.json is out of date with crates/kumo-kube/chart/",
                    manifests::CHART
                );
                eprintln!("run `cargo xtask manifests` and commit the result");
                Ok(ExitCode::FAILURE)
            }
        }
        ["schemas", "--venv", venv] => {
            let report = schemas::pin(&root, &PathBuf::from(venv))?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        ["prices", rest @ ..] => {
            let mut regions = Vec::new();
            let mut keep_going = false;
            let mut rest = rest.iter();
            while let Some(arg) = rest.next() {
                match *arg {
                    "--keep-going" => keep_going = true,
                    "--region" => match rest.next() {
                        Some(region) => regions.push((*region).to_owned()),
                        None => bail!("--region needs a region name\n{USAGE}"),
                    },
                    other => bail!("unknown argument {other:?}\n{USAGE}"),
                }
            }
            println!("{}", prices::regenerate(&root, &regions, keep_going)?);
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!("{USAGE}"),
    }
}

fn workspace_root() -> Result<PathBuf> {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = manifest_dir
        .parent()
        .context("xtask lives inside the workspace")?
        .to_path_buf();
    Ok(root)
}
