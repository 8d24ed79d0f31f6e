//! `kumo synth`: build the stacks (the DNS stack, then the main stack), validate them, run the security
//! rules, write `<out>/<Stack>.template.{json,yaml}` and `<out>/manifest.json`, print a one-line summary
//! per stack (and each unwaived security finding as a warning on stderr). No AWS access.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{SynthArgs, TemplateFormat};
use crate::error::{CliError, exit};
use crate::output::{errln, outln};
use crate::project::ProjectOptions;
use crate::project::{self, Synthesized};
use crate::render_security;
use kumo_core::security::Report;

pub fn run(config: &ProjectOptions, args: &SynthArgs) -> Result<ExitCode, CliError> {
    let stacks = project::synthesize_app(config)?;
    let written = project::write_app(&stacks, &args.out, args.format)?;
    let mut security = Report::default();
    for (synthesized, path) in stacks.iter().zip(&written) {
        for line in render_security::lines(&synthesized.security, "warning: security: ") {
            errln!("{line}");
        }
        outln!("{}", summary(synthesized, path, args.format));
        security.findings.extend(synthesized.security.findings.iter().cloned());
    }
    match strict_failure(args.strict, &security) {
        Some(error) => Err(error),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// With `--strict`, unwaived findings fail the command (exit code 1, as `kumo check`).
fn strict_failure(strict: bool, security: &Report) -> Option<CliError> {
    if !strict || security.is_clean() {
        return None;
    }
    let count = security.findings.len();
    Some(CliError {
        code: exit::CHANGES,
        ..CliError::new(format!(
            "{count} security finding{} not waived (--strict); the output was written",
            if count == 1 { " is" } else { "s are" }
        ))
        .hint("fix each one as its `fix:` says, or waive it next to the resource with the reason")
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_fails_only_on_unwaived_findings() {
        let template = serde_json::json!({"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup"}}});
        let report = kumo_core::security::check(&template);
        let error = strict_failure(true, &report).expect("a finding is left");
        assert_eq!(error.code, exit::CHANGES);
        assert_eq!(
            error.message,
            "1 security finding is not waived (--strict); the output was written"
        );
        assert!(
            strict_failure(false, &report).is_none(),
            "without --strict, a warning only"
        );
        assert!(strict_failure(true, &Report::default()).is_none());
    }
}
