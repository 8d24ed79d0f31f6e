//! `kumo synth`: run the user's app (which writes the assembly), or build the blueprint's stacks (the DNS
//! stack, then the main stack), validate them, run the security
//! rules, write `<out>/<Stack>.template.{json,yaml}` and `<out>/manifest.json`, print a one-line summary
//! per stack (and each unwaived security finding as a warning on stderr). No AWS access.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::SynthArgs;
use crate::error::{CliError, exit};
use crate::output::{errln, outln};
use crate::project::{self, Project, ProjectOptions};
use crate::{app_command, app_target, render_security};
use kumo_core::security::Report;

pub fn run(config: &ProjectOptions, args: &SynthArgs) -> Result<ExitCode, CliError> {
    let lines: Vec<StackSummary> = match project::project(config)? {
        Project::Blueprint => {
            let app = project::synthesize_app(config)?;
            let written = project::write_app(&app.stacks, &args.out, args.format)?;
            app.stacks
                .into_iter()
                .zip(written)
                .map(|(s, path)| StackSummary {
                    resource_count: s.template.resources.len(),
                    output_count: s.template.outputs.len(),
                    minified_bytes: s.minified.len(),
                    name: s.stack_name,
                    security: s.security,
                    path,
                })
                .collect()
        }
        // The app writes its templates itself; kumo reads them back as any verb would.
        Project::App { command, origin } => {
            if args.format == crate::cli::TemplateFormat::Yaml {
                return Err(
                    CliError::new("--format yaml: an app writes its own templates (App::run writes JSON)")
                        .hint("omit --format; kumo deploys JSON and YAML templates alike"),
                );
            }
            app_command::run(&command, &origin, &args.out, config.env.as_deref())?;
            let app = app_target::read_assembly(&args.out)?;
            app.stacks
                .iter()
                .map(|s| {
                    let value = s.template.value();
                    let count = |section: &str| value[section].as_object().map_or(0, serde_json::Map::len);
                    StackSummary {
                        name: s.stack_name.clone(),
                        resource_count: count("Resources"),
                        output_count: count("Outputs"),
                        minified_bytes: serde_json::to_string(value).map_or(0, |t| t.len()),
                        security: kumo_core::security::check(value),
                        path: PathBuf::from(s.template.origin()),
                    }
                })
                .collect()
        }
    };
    let names: Vec<String> = lines.iter().map(|l| l.name.clone()).collect();
    for name in &args.stacks {
        if !names.contains(name) {
            return Err(CliError::new(format!(
                "no stack named {name} in the app; its stacks: {}",
                names.join(", ")
            ))
            .hint("`kumo ls` lists the app's stacks"));
        }
    }
    let mut security = Report::default();
    for line in lines
        .iter()
        .filter(|l| args.stacks.is_empty() || args.stacks.contains(&l.name))
    {
        for warning in render_security::lines(&line.security, "warning: security: ") {
            errln!("{warning}");
        }
        outln!("{}", summary(line));
        security.findings.extend(line.security.findings.iter().cloned());
    }
    match strict_failure(args.strict, &security) {
        Some(error) => Err(error),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// What `kumo synth` says about one stack.
struct StackSummary {
    name: String,
    resource_count: usize,
    output_count: usize,
    minified_bytes: usize,
    security: Report,
    path: PathBuf,
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

fn summary(s: &StackSummary) -> String {
    let inline = if s.minified_bytes <= kumo_core::validate::limits::MAX_INLINE_TEMPLATE_BYTES {
        "deploys inline"
    } else {
        "needs a staging bucket to deploy"
    };
    format!(
        "synthesized {}: {} resources, {} outputs, {} bytes minified ({inline}), {} -> {}",
        s.name,
        s.resource_count,
        s.output_count,
        s.minified_bytes,
        render_security::summary(&s.security),
        s.path.display()
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
