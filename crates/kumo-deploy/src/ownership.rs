//! Who owns a stack. kumo only changes or deletes stacks it owns:
//!
//! * **kumo's**: the stack carries the tag `kumo:managed-by = kumo`. kumo adds it to every stack it
//!   creates (stack tags are stored by CloudFormation and propagated to resources that take tags), so
//!   the mark lives with the stack, not in a local state file.
//! * **managed elsewhere** (always refused): nested stacks (they change only through their parent),
//!   StackSet instances, and stacks whose tags show another manager (Service Catalog, Elastic
//!   Beanstalk, eksctl, Copilot), or a `kumo:managed-by` tag naming someone else.
//! * **unmanaged**: any other existing stack, e.g. one made by hand or by `cdk deploy`. Refused unless
//!   the user passes `--adopt`, which adds kumo's tag on that deploy so later runs need no flag.

use crate::stack::StackInfo;

/// The stack tag that marks kumo's stacks.
pub const MANAGED_BY_TAG: &str = "kumo:managed-by";
pub const MANAGED_BY_VALUE: &str = "kumo";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ownership {
    Kumo,
    Unmanaged,
    ManagedElsewhere { by: String },
}

/// Tag-key prefixes that identify another tool's or service's stacks.
const FOREIGN_TAG_PREFIXES: &[(&str, &str)] = &[
    ("aws:servicecatalog:", "AWS Service Catalog"),
    ("elasticbeanstalk:", "AWS Elastic Beanstalk"),
    ("alpha.eksctl.io/", "eksctl"),
    ("copilot-", "AWS Copilot"),
];

pub fn ownership(stack: &StackInfo) -> Ownership {
    if let Some(parent) = &stack.parent_id {
        return Ownership::ManagedElsewhere {
            by: format!("its parent stack {parent} (it is a nested stack)"),
        };
    }
    if stack.name.starts_with("StackSet-") {
        return Ownership::ManagedElsewhere {
            by: "a CloudFormation StackSet".to_owned(),
        };
    }
    match stack.tag(MANAGED_BY_TAG) {
        Some(MANAGED_BY_VALUE) => return Ownership::Kumo,
        Some(other) => {
            return Ownership::ManagedElsewhere {
                by: format!("{other} (tag {MANAGED_BY_TAG}={other})"),
            };
        }
        None => {}
    }
    for (key, _) in &stack.tags {
        if let Some((_, manager)) = FOREIGN_TAG_PREFIXES.iter().find(|(prefix, _)| key.starts_with(prefix)) {
            return Ownership::ManagedElsewhere {
                by: format!("{manager} (tag {key})"),
            };
        }
    }
    Ownership::Unmanaged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack_state::StackStatus;

    fn stack(name: &str, tags: &[(&str, &str)], parent: Option<&str>) -> StackInfo {
        StackInfo {
            id: format!("arn:aws:cloudformation:ap-northeast-1:123456789012:stack/{name}/1"),
            name: name.into(),
            status: StackStatus::CreateComplete,
            status_reason: None,
            description: None,
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            parameters: vec![],
            outputs: vec![],
            termination_protection: false,
            disable_rollback: false,
            parent_id: parent.map(str::to_owned),
            created: None,
            last_updated: None,
            drift: None,
        }
    }

    #[test]
    fn ownership_is_read_from_tags_and_nesting() {
        assert_eq!(
            ownership(&stack("a", &[("kumo:managed-by", "kumo")], None)),
            Ownership::Kumo
        );
        assert_eq!(ownership(&stack("a", &[("team", "x")], None)), Ownership::Unmanaged);
        assert!(matches!(
            ownership(&stack("a", &[("kumo:managed-by", "kumo")], Some("arn:p"))),
            Ownership::ManagedElsewhere { .. }
        ));
        assert!(matches!(
            ownership(&stack("StackSet-x-1", &[], None)),
            Ownership::ManagedElsewhere { .. }
        ));
        assert!(matches!(
            ownership(&stack(
                "a",
                &[("aws:servicecatalog:provisioningPrincipalArn", "x")],
                None
            )),
            Ownership::ManagedElsewhere { .. }
        ));
        assert!(matches!(
            ownership(&stack("a", &[("kumo:managed-by", "other")], None)),
            Ownership::ManagedElsewhere { .. }
        ));
    }
}
