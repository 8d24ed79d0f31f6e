//! Engine errors as CLI errors: one message with the cause chain, a hint, and the exit code. A failed
//! operation also gets its details (other failures, blocking resources) printed above the error line.

use kumo_deploy::DeployError;
use kumo_deploy::error::FailureReport;
use kumo_deploy::events::StackEvent;

use crate::error::{CliError, chain};
use crate::output::errln;

/// Exit code after Ctrl-C (128 + SIGINT, the shell convention).
pub const INTERRUPTED: u8 = 130;

pub fn deploy_error(error: DeployError) -> CliError {
    if let DeployError::Failed(report) = &error {
        print_failure_details(report);
    }
    let hint = if export_in_use(&error) {
        Some(EXPORT_IN_USE_HINT.to_owned())
    } else {
        error.hint()
    };
    let code = match error {
        DeployError::Interrupted(_) => INTERRUPTED,
        _ => crate::error::exit::ERROR,
    };
    let mut cli = CliError::new(chain(&error));
    cli.code = code;
    // Every error says what to do next; `kumo status` is the answer when nothing more specific is known.
    cli.hint(hint.unwrap_or_else(|| "`kumo status` shows the stack's state and what to do next".to_owned()))
}

/// What to do when CloudFormation refuses to change or remove an export another stack imports.
pub const EXPORT_IN_USE_HINT: &str = "another stack imports this export, so CloudFormation keeps its value and \
     the output: deploy the importing stack without the reference first (in a kumo app: stop using the handle), \
     then this stack; or destroy the importing stack first";

/// CloudFormation's "Export ... cannot be updated / deleted as it is in use by ...", in the error or in
/// the failure's root cause.
fn export_in_use(error: &DeployError) -> bool {
    let says = |text: &str| text.contains("xport") && text.contains("in use by");
    if says(&chain(error)) {
        return true;
    }
    match error {
        DeployError::Failed(report) => report
            .root_cause
            .as_ref()
            .and_then(|c| c.event.reason.as_deref())
            .is_some_and(says),
        _ => false,
    }
}

fn print_failure_details(report: &FailureReport) {
    let line = |e: &StackEvent| {
        format!(
            "  {}  {} ({}) {}: {}",
            e.time_text(),
            e.logical_id,
            e.resource_type,
            e.status,
            e.reason.as_deref().unwrap_or("no reason given")
        )
    };
    if let Some(cause) = &report.root_cause {
        errln!("root cause:\n{}", line(&cause.event));
        if !cause.nested_path.is_empty() {
            errln!("  (inside nested stack {})", cause.nested_path.join(" > "));
        }
    }
    if !report.other_failures.is_empty() {
        errln!("also failed:");
        for event in &report.other_failures {
            errln!("{}", line(event));
        }
    }
    if !report.blockers.is_empty() {
        errln!("blocking resources (still in a failed state):");
        for event in &report.blockers {
            errln!("{}", line(event));
        }
    }
    errln!("final state: {}", report.final_status);
}
