//! Resource-level changes: what a change set says will happen to each resource, with the property that
//! causes a replacement. Where CloudFormation gives no detail for a modification, the changed properties
//! are computed by comparing the deployed and the new template.

use std::collections::BTreeSet;

use aws_sdk_cloudformation::types::Change;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Add,
    Modify,
    Remove,
    Import,
    Dynamic,
    SyncWithActual,
    Other(String),
}

impl Action {
    fn from_str(action: &str) -> Action {
        match action {
            "Add" => Action::Add,
            "Modify" => Action::Modify,
            "Remove" => Action::Remove,
            "Import" => Action::Import,
            "Dynamic" => Action::Dynamic,
            "SyncWithActual" => Action::SyncWithActual,
            other => Action::Other(other.to_owned()),
        }
    }
}

/// Whether CloudFormation replaces the resource (new physical resource, old one deleted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replacement {
    True,
    Conditional,
    False,
}

/// One reason a resource changes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cause {
    /// `Properties.CidrBlock`, `Tags`, `Metadata`, ...
    pub target: String,
    /// `Always`, `Conditionally` or `Never`, when CloudFormation said.
    pub requires_recreation: Option<String>,
    /// `DirectModification`, `ParameterReference`, `ResourceReference`, ... when CloudFormation said.
    pub source: Option<String>,
    /// The parameter or resource that causes it, for reference-driven changes.
    pub causing_entity: Option<String>,
    /// Computed by kumo from the two templates rather than reported by CloudFormation.
    pub from_templates: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceChange {
    pub action: Action,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
    /// `None` when CloudFormation did not say (adds and removes; some endpoints never do).
    pub replacement: Option<Replacement>,
    pub causes: Vec<Cause>,
    /// What happens to the physical resource: `Delete`, `Retain`, `Snapshot`, `ReplaceAndRetain`, ...
    pub policy_action: Option<String>,
}

/// Converts a change set's `Changes` (only resource changes; hook entries are skipped).
pub fn from_change_set(changes: &[Change]) -> Vec<ResourceChange> {
    changes
        .iter()
        .filter_map(|change| change.resource_change())
        .filter(|rc| rc.logical_resource_id().is_some_and(|id| !id.is_empty()))
        .map(|rc| {
            let mut causes: BTreeSet<Cause> = BTreeSet::new();
            for detail in rc.details() {
                let Some(target) = detail.target() else { continue };
                let attribute = target.attribute().map(|a| a.as_str().to_owned()).unwrap_or_default();
                let target_name = match target.name() {
                    Some(name) if !name.is_empty() => format!("{attribute}.{name}"),
                    _ => attribute,
                };
                causes.insert(Cause {
                    target: target_name,
                    requires_recreation: target.requires_recreation().map(|r| r.as_str().to_owned()),
                    source: detail.change_source().map(|s| s.as_str().to_owned()),
                    causing_entity: detail.causing_entity().map(str::to_owned),
                    from_templates: false,
                });
            }
            ResourceChange {
                action: Action::from_str(rc.action().map(|a| a.as_str()).unwrap_or_default()),
                logical_id: rc.logical_resource_id().unwrap_or_default().to_owned(),
                physical_id: rc.physical_resource_id().filter(|p| !p.is_empty()).map(str::to_owned),
                resource_type: rc.resource_type().unwrap_or_default().to_owned(),
                replacement: rc.replacement().and_then(|r| match r.as_str() {
                    "True" => Some(Replacement::True),
                    "Conditional" => Some(Replacement::Conditional),
                    "False" => Some(Replacement::False),
                    _ => None,
                }),
                causes: causes.into_iter().collect(),
                policy_action: rc.policy_action().map(|p| p.as_str().to_owned()),
            }
        })
        .collect()
}

/// Adds template-computed causes to modifications CloudFormation reported without detail.
pub fn fill_from_templates(changes: &mut [ResourceChange], old: Option<&Value>, new: &Value) {
    let Some(old) = old else { return };
    for change in changes
        .iter_mut()
        .filter(|c| c.action == Action::Modify && c.causes.is_empty())
    {
        let before = old.get("Resources").and_then(|r| r.get(&change.logical_id));
        let after = new.get("Resources").and_then(|r| r.get(&change.logical_id));
        if let (Some(before), Some(after)) = (before, after) {
            change.causes = changed_parts(before, after);
        }
    }
}

/// The changes between two templates alone, for when no change set can be made (a stack that must be
/// re-created): every resource of `new` is added.
pub fn all_added(new: &Value) -> Vec<ResourceChange> {
    new.get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(id, resource)| ResourceChange {
            action: Action::Add,
            logical_id: id.clone(),
            physical_id: None,
            resource_type: resource
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            replacement: None,
            causes: Vec::new(),
            policy_action: None,
        })
        .collect()
}

/// Which properties and attributes differ between two versions of a resource.
fn changed_parts(before: &Value, after: &Value) -> Vec<Cause> {
    let cause = |target: String| Cause {
        target,
        requires_recreation: None,
        source: Some("DirectModification".to_owned()),
        causing_entity: None,
        from_templates: true,
    };
    let mut causes = Vec::new();
    let empty = serde_json::Map::new();
    let props = |v: &Value| {
        v.get("Properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (old_props, new_props) = (props(before), props(after));
    let names: BTreeSet<&String> = old_props.keys().chain(new_props.keys()).collect();
    for name in names {
        if old_props.get(name) != new_props.get(name) {
            causes.push(cause(format!("Properties.{name}")));
        }
    }
    for attribute in [
        "Metadata",
        "DependsOn",
        "DeletionPolicy",
        "UpdateReplacePolicy",
        "CreationPolicy",
        "UpdatePolicy",
        "Condition",
    ] {
        if before.get(attribute) != after.get(attribute) {
            causes.push(cause(attribute.to_owned()));
        }
    }
    causes
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::types::{
        ChangeSource, ChangeType, EvaluationType, RequiresRecreation, ResourceAttribute, ResourceChangeDetail,
        ResourceTargetDefinition,
    };
    use serde_json::json;

    #[test]
    fn change_set_details_become_causes_with_recreation() {
        let change = Change::builder()
            .r#type(ChangeType::Resource)
            .resource_change(
                aws_sdk_cloudformation::types::ResourceChange::builder()
                    .action(aws_sdk_cloudformation::types::ChangeAction::Modify)
                    .logical_resource_id("Subnet")
                    .physical_resource_id("subnet-1")
                    .resource_type("AWS::EC2::Subnet")
                    .replacement(aws_sdk_cloudformation::types::Replacement::True)
                    .details(
                        ResourceChangeDetail::builder()
                            .target(
                                ResourceTargetDefinition::builder()
                                    .attribute(ResourceAttribute::Properties)
                                    .name("CidrBlock")
                                    .requires_recreation(RequiresRecreation::Always)
                                    .build(),
                            )
                            .evaluation(EvaluationType::Static)
                            .change_source(ChangeSource::DirectModification)
                            .build(),
                    )
                    .build(),
            )
            .build();
        let changes = from_change_set(&[change]);
        assert_eq!(changes[0].replacement, Some(Replacement::True));
        assert_eq!(changes[0].causes[0].target, "Properties.CidrBlock");
        assert_eq!(changes[0].causes[0].requires_recreation.as_deref(), Some("Always"));
    }

    #[test]
    fn modifications_without_detail_get_template_causes() {
        let old = json!({"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "a", "VpcId": "v"}}}});
        let new = json!({"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "b", "VpcId": "v"},
            "DeletionPolicy": "Retain"}}});
        let mut changes = vec![ResourceChange {
            action: Action::Modify,
            logical_id: "Sg".into(),
            physical_id: None,
            resource_type: "AWS::EC2::SecurityGroup".into(),
            replacement: None,
            causes: vec![],
            policy_action: None,
        }];
        fill_from_templates(&mut changes, Some(&old), &new);
        let targets: Vec<&str> = changes[0].causes.iter().map(|c| c.target.as_str()).collect();
        assert_eq!(targets, ["Properties.GroupDescription", "DeletionPolicy"]);
        assert!(changes[0].causes.iter().all(|c| c.from_templates));
    }
}
