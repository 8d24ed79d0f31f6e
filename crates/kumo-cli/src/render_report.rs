//! `status` and `outputs` as text.

use crate::output::outln;
use kumo_deploy::events::format_time;
use kumo_deploy::report::StatusReport;
use kumo_deploy::stack::StackOutput;

pub fn print_outputs(outputs: &[StackOutput]) {
    if outputs.is_empty() {
        outln!("(no outputs)");
        return;
    }
    let mut sorted: Vec<&StackOutput> = outputs.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let width = sorted.iter().map(|o| o.key.len()).max().unwrap_or(0);
    for output in sorted {
        outln!("{:<width$} = {}", output.key, output.value);
    }
}

pub fn print_status(report: &StatusReport) {
    let stack = &report.stack;
    outln!("stack:       {}", stack.name);
    outln!("status:      {}", stack.status.as_str());
    if let Some(reason) = &stack.status_reason {
        outln!("reason:      {reason}");
    }
    if let Some(updated) = stack.last_updated.or(stack.created) {
        outln!("last change: {}", format_time(updated));
    }
    let drift = match &stack.drift {
        Some(drift) => {
            let checked = drift
                .checked
                .map(|t| format!(" (checked {})", format_time(t)))
                .unwrap_or_default();
            format!("{}{checked}", drift.status.as_str())
        }
        None => "unknown (never checked)".to_owned(),
    };
    outln!("drift:       {drift}");
    outln!(
        "protection:  termination protection {}",
        if stack.termination_protection { "on" } else { "off" }
    );
    outln!(
        "managed by:  {}",
        match kumo_deploy::ownership::ownership(stack) {
            kumo_deploy::ownership::Ownership::Kumo => "kumo".to_owned(),
            kumo_deploy::ownership::Ownership::Unmanaged => "not kumo (no kumo:managed-by tag)".to_owned(),
            kumo_deploy::ownership::Ownership::ManagedElsewhere { by } => by,
        }
    );
    if let Some(cause) = &report.root_cause {
        outln!("root cause:  {cause}");
    }
    if !report.recent_events.is_empty() {
        outln!("\nlast events:");
        for e in &report.recent_events {
            let reason = e.reason.as_deref().map(|r| format!("  {r}")).unwrap_or_default();
            outln!(
                "  {}  {:<28} {} {}{reason}",
                e.time_text(),
                e.status,
                e.resource_type,
                e.logical_id
            );
        }
    }
    if let Some(advice) = &report.advice {
        outln!("\nnext: {advice}");
    }
}
