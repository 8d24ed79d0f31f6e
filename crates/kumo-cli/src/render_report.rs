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

/// The stack's page in the CloudFormation console of its region (and partition).
pub fn console_link(region: &str, stack_id: &str) -> String {
    let host = if region.starts_with("cn-") {
        "console.amazonaws.cn".to_owned()
    } else if region.starts_with("us-gov-") {
        "console.amazonaws-us-gov.com".to_owned()
    } else {
        format!("{region}.console.aws.amazon.com")
    };
    let encoded: String = stack_id
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("https://{host}/cloudformation/home?region={region}#/stacks/stackinfo?stackId={encoded}")
}

pub fn print_status(report: &StatusReport, region: &str) {
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
    outln!("console:     {}", console_link(region, &stack.id));
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

#[cfg(test)]
mod tests {
    use super::console_link;

    #[test]
    fn console_links_per_partition() {
        let id = "arn:aws:cloudformation:eu-west-1:123456789012:stack/app/5e1c2f50-0d4b-11ef-9f3c-0a1b2c3d4e5f";
        assert_eq!(
            console_link("eu-west-1", id),
            "https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks/stackinfo?stackId=\
             arn%3Aaws%3Acloudformation%3Aeu-west-1%3A123456789012%3Astack%2Fapp%2F5e1c2f50-0d4b-11ef-9f3c-0a1b2c3d4e5f"
        );
        assert!(
            console_link("cn-north-1", "x")
                .starts_with("https://console.amazonaws.cn/cloudformation/home?region=cn-north-1#")
        );
        assert!(console_link("us-gov-west-1", "x").starts_with("https://console.amazonaws-us-gov.com/"));
    }
}
