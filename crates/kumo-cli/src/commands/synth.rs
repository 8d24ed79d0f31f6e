//! `kumo synth`: build the stack, validate it, write `<out>/<Stack>.template.{json,yaml}` and
//! `<out>/manifest.json`, print a one-line summary. No AWS access.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{SynthArgs, TemplateFormat};
use crate::error::CliError;
use crate::output::outln;
use crate::project::{self, Synthesized};

pub fn run(config: Option<&Path>, args: &SynthArgs) -> Result<ExitCode, CliError> {
    let synthesized = project::synthesize(config)?;
    let written = project::write_out(&synthesized, &args.out, args.format)?;
    outln!("{}", summary(&synthesized, &written, args.format));
    Ok(ExitCode::SUCCESS)
}

fn summary(s: &Synthesized, written: &Path, format: TemplateFormat) -> String {
    let inline = if s.minified_bytes <= kumo_core::validate::limits::MAX_INLINE_TEMPLATE_BYTES {
        "deploys inline"
    } else {
        "needs a staging bucket to deploy"
    };
    let _ = format;
    format!(
        "synthesized {}: {} resources, {} outputs, {} bytes minified ({inline}) -> {}",
        s.stack_name,
        s.resource_count,
        s.output_count,
        s.minified_bytes,
        written.display()
    )
}
