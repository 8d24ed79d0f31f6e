//! Command-line arguments (clap). Every flag is documented here; `kumo help <command>` shows it.

use std::path::PathBuf;
use std::sync::LazyLock;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The version line: crate version plus the date of the pinned CloudFormation schemas.
static VERSION: LazyLock<String> =
    LazyLock::new(|| format!("{} (CloudFormation schemas {})", env!("CARGO_PKG_VERSION"), kumo_cfn::SCHEMA_DATE));

#[derive(Debug, Parser)]
#[command(
    name = "kumo",
    version = VERSION.as_str(),
    about = "Stand up and tear down a real AWS environment from Rust, through CloudFormation",
    long_about = "kumo synthesizes deterministic CloudFormation templates from typed Rust constructs and deploys \
them through the CloudFormation API: no Node, no bootstrap stack, no asset bucket, no Lambda-backed custom resources.\n\n\
With no kumo.toml, commands use the built-in EKS-on-EC2 blueprint with its embedded defaults.",
    after_help = "Exit codes: 0 success (diff: no changes), 1 diff found changes, 2 bad input or failure.\n\
AWS settings come from the standard chain (AWS_PROFILE, AWS_REGION, ~/.aws/config, ...); \
AWS_ENDPOINT_URL is honoured."
)]
pub struct Cli {
    /// Blueprint configuration file [default: ./kumo.toml if it exists, else the built-in defaults]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Synthesize the stack's CloudFormation template into the output directory (no AWS access)
    Synth(SynthArgs),
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Output directory; created if missing (its parent must exist)
    #[arg(long, value_name = "DIR", default_value = "kumo.out")]
    pub out: PathBuf,

    /// Template format
    #[arg(long, value_enum, default_value_t = TemplateFormat::Json)]
    pub format: TemplateFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormat {
    /// Pretty-printed JSON (`<Stack>.template.json`)
    Json,
    /// YAML with long-form intrinsics (`<Stack>.template.yaml`)
    Yaml,
}
