//! The diff as text: resource changes (with replacements and their causes), then a separate,
//! highlighted security section, like `cdk diff`.

use std::fmt::Write;

use console::Style;
use kumo_deploy::changes::{Action, Replacement, ResourceChange};
use kumo_deploy::security::{Change, ChangeKind, SecurityDiff};
use kumo_deploy::ui::Plan;

/// Colours, off when stdout is not a terminal or `NO_COLOR` is set (the `console` crate decides).
struct Palette {
    add: Style,
    remove: Style,
    modify: Style,
    alert: Style,
    dim: Style,
}

impl Palette {
    fn new() -> Self {
        Palette {
            add: Style::new().green(),
            remove: Style::new().red(),
            modify: Style::new().yellow(),
            alert: Style::new().red().bold(),
            dim: Style::new().dim(),
        }
    }
}

pub fn render_plan(plan: &Plan<'_>) -> String {
    let p = Palette::new();
    let mut out = String::new();
    let changes = plan.changes;
    if plan.creates_stack {
        let _ = writeln!(
            out,
            "stack {} does not exist: {} resources would be created",
            plan.stack,
            changes.len()
        );
    } else {
        let count = |action: Action| changes.iter().filter(|c| c.action == action).count();
        let _ = writeln!(
            out,
            "stack {}: {} to add, {} to modify, {} to remove",
            plan.stack,
            count(Action::Add),
            count(Action::Modify),
            count(Action::Remove)
        );
        if changes.is_empty() {
            let _ = writeln!(
                out,
                "  (no resource changes; stack-level settings such as outputs, tags or parameters change)"
            );
        }
    }
    if !changes.is_empty() {
        let _ = writeln!(out, "\nResources");
        let type_width = changes.iter().map(|c| c.resource_type.len()).max().unwrap_or(0);
        for change in changes {
            render_change(&mut out, &p, change, type_width);
        }
    }
    render_security(&mut out, &p, plan.security);
    out
}

fn render_change(out: &mut String, p: &Palette, change: &ResourceChange, type_width: usize) {
    let (sign, style) = match &change.action {
        Action::Add => ("[+]", &p.add),
        Action::Remove => ("[-]", &p.remove),
        Action::Modify => ("[~]", &p.modify),
        Action::Import => ("[<]", &p.add),
        _ => ("[?]", &p.modify),
    };
    let mut line = format!(
        "{} {:<type_width$} {}",
        style.apply_to(sign),
        change.resource_type,
        change.logical_id
    );
    if let Some(physical) = &change.physical_id {
        let _ = write!(line, " {}", p.dim.apply_to(format!("({physical})")));
    }
    match change.replacement {
        Some(Replacement::True) => {
            let _ = write!(line, " {}", p.alert.apply_to("requires REPLACEMENT"));
        }
        Some(Replacement::Conditional) => {
            let _ = write!(line, " {}", p.modify.apply_to("may require replacement"));
        }
        _ => {}
    }
    match &change.action {
        Action::Remove => {
            if let Some(policy) = &change.policy_action
                && policy != "Delete"
            {
                let _ = write!(line, " (physical resource: {policy})");
            }
        }
        Action::Modify if change.replacement.is_none() && change.causes.iter().all(|c| c.from_templates) => {
            let _ = write!(line, " {}", p.dim.apply_to("(replacement not reported)"));
        }
        Action::Other(action) => {
            let _ = write!(line, " ({action})");
        }
        Action::Dynamic | Action::SyncWithActual => {
            let _ = write!(line, " ({:?})", change.action);
        }
        _ => {}
    }
    let _ = writeln!(out, "{line}");
    for cause in &change.causes {
        let mut text = format!("    └─ {}", cause.target);
        match cause.requires_recreation.as_deref() {
            Some("Always") => {
                let _ = write!(text, " {}", p.alert.apply_to("(forces replacement)"));
            }
            Some("Conditionally") => {
                let _ = write!(text, " (may force replacement)");
            }
            _ => {}
        }
        match (cause.source.as_deref(), cause.causing_entity.as_deref()) {
            (Some("ParameterReference"), Some(entity)) => {
                let _ = write!(text, " because parameter {entity} changed");
            }
            (Some("ResourceReference" | "ResourceAttribute"), Some(entity)) => {
                let _ = write!(text, " because {entity} changed");
            }
            (Some("DirectModification"), _) if cause.from_templates => {
                let _ = write!(text, " {}", p.dim.apply_to("(from comparing templates)"));
            }
            _ => {}
        }
        let _ = writeln!(out, "{text}");
    }
}

fn render_security(out: &mut String, p: &Palette, security: &SecurityDiff) {
    if security.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}",
        p.alert.apply_to(format!(
            "Security changes ({}) — review before approving",
            security.len()
        ))
    );
    section(out, p, "IAM statements and grants", &security.iam);
    section(out, p, "Security group rules", &security.security_groups);
    section(out, p, "Public endpoints", &security.public_endpoints);
}

fn section<T: std::fmt::Display>(out: &mut String, p: &Palette, title: &str, items: &[Change<T>]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}");
    for change in items {
        let style = match change.kind {
            ChangeKind::Added => &p.add,
            ChangeKind::Removed => &p.remove,
        };
        let _ = writeln!(out, "    {} {}", style.apply_to(change.kind.sign()), change.item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kumo_deploy::changes::Cause;

    #[test]
    fn replacements_show_the_causing_property() {
        console::set_colors_enabled(false);
        let changes = vec![
            ResourceChange {
                action: Action::Modify,
                logical_id: "SubnetA".into(),
                physical_id: Some("subnet-1".into()),
                resource_type: "AWS::EC2::Subnet".into(),
                replacement: Some(Replacement::True),
                causes: vec![Cause {
                    target: "Properties.CidrBlock".into(),
                    requires_recreation: Some("Always".into()),
                    source: Some("DirectModification".into()),
                    causing_entity: None,
                    from_templates: false,
                }],
                policy_action: None,
            },
            ResourceChange {
                action: Action::Add,
                logical_id: "Logs".into(),
                physical_id: None,
                resource_type: "AWS::Logs::LogGroup".into(),
                replacement: None,
                causes: vec![],
                policy_action: None,
            },
        ];
        let security = SecurityDiff::default();
        let text = render_plan(&Plan {
            stack: "App",
            creates_stack: false,
            changes: &changes,
            security: &security,
            deployed_template: None,
            template: &serde_json::json!({}),
        });
        assert!(text.contains("stack App: 1 to add, 1 to modify, 0 to remove"), "{text}");
        assert!(
            text.contains("[~] AWS::EC2::Subnet    SubnetA (subnet-1) requires REPLACEMENT"),
            "{text}"
        );
        assert!(
            text.contains("    └─ Properties.CidrBlock (forces replacement)"),
            "{text}"
        );
        assert!(text.contains("[+] AWS::Logs::LogGroup Logs"), "{text}");
        assert!(!text.contains("Security"), "{text}");
    }
}
