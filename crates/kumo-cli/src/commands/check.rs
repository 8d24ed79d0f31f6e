//! `kumo check --template FILE`: kumo's security rules on any CloudFormation template. No AWS access.

use std::process::ExitCode;

use kumo_deploy::TemplateDoc;

use crate::cli::CheckArgs;
use crate::error::{CliError, exit};
use crate::output::{out, outln};
use crate::render_security;

pub fn run(args: &CheckArgs) -> Result<ExitCode, CliError> {
    if args.rules {
        out!("{}", render_security::rule_table());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(path) = &args.template else {
        return Err(CliError::new("--template FILE is required").hint("or list the rules with `kumo check --rules`"));
    };
    let template = TemplateDoc::from_file(path).map_err(|error| CliError::new(error.to_string()).hint(error.hint()))?;
    let report = kumo_core::security::check(template.value());
    for line in render_security::lines(&report, "") {
        outln!("{line}");
    }
    for waived in &report.waived {
        outln!(
            "waived: {} on {} ({}): {}",
            waived.finding.rule,
            waived.finding.resource,
            waived.finding.path,
            waived.reason
        );
    }
    outln!("{}: {}", template.origin(), render_security::summary(&report));
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::CHANGES)
    })
}
