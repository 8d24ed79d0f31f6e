//! `kumo synth`: build the stack, validate it, run the security rules, write
//! `<out>/<Stack>.template.{json,yaml}` and `<out>/manifest.json`, print a one-line summary (and each
//! unwaived security finding as a warning on stderr). No AWS access.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{SynthArgs, TemplateFormat};
use crate::error::{CliError, exit};
use crate::project::{self, Synthesized};
use crate::render_security;

pub fn run(config: Option<&Path>, args: &SynthArgs) -> Result<ExitCode, CliError> {
    let synthesized = project::synthesize(config)?;
    let written = project::write_out(&synthesized, &args.out, args.format)?;
    for line in render_security::lines(&synthesized.security, "warning: security: ") {
        eprintln!("{line}");
    }
    println!("{}", summary(&synthesized, &written, args.format));
    if args.strict && !synthesized.security.is_clean() {
        let count = synthesized.security.findings.len();
        return Err(CliError {
            code: exit::CHANGES,
            ..CliError::new(format!(
                "{count} security finding{} not waived (--strict); the output was written",
                if count == 1 { " is" } else { "s are" }
            ))
            .hint("fix each one as its `fix:` says, or waive it next to the resource with the reason")
        });
    }
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
        "synthesized {}: {} resources, {} outputs, {} bytes minified ({inline}), {} -> {}",
        s.stack_name,
        s.resource_count,
        s.output_count,
        s.minified_bytes,
        render_security::summary(&s.security),
        written.display()
    )
}
