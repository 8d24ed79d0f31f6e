//! IAM rules, on identity policies (what a role, user or group may do): wildcard actions, wildcard
//! resources outside the allow-list, write actions on every resource with no condition.
//!
//! Trust policies (who may assume a role) and resource policies (key, bucket, repository policies) say
//! something else: in a key policy `"Resource": "*"` means "this key", and KMS requires exactly that.
//! They are not judged here.

use serde_json::{Map, Value};

use super::{Hit, Rule, is_intrinsic, items};

/// Actions that accept no resource but `"*"` (the Service Authorization Reference lists no resource
/// type for them), each with the reason: a statement granting only these on `"*"` is not a finding.
/// A pattern ending in `*` covers every action it starts (`ec2:Describe*`).
pub const WILDCARD_RESOURCE_ALLOW_LIST: &[(&str, &str)] = &[
    (
        "ecr:GetAuthorizationToken",
        "a registry login token: ECR accepts only \"*\" for it",
    ),
    (
        "route53:ListHostedZones",
        "lists the account's zones: Route 53 accepts only \"*\" for it",
    ),
    (
        "route53:ListHostedZonesByName",
        "lists the account's zones: Route 53 accepts only \"*\" for it",
    ),
    (
        "sts:GetCallerIdentity",
        "asks who the caller is; needs no permission at all",
    ),
    ("ec2:Describe*", "EC2's Describe calls accept only \"*\""),
    (
        "elasticloadbalancing:Describe*",
        "Elastic Load Balancing's Describe calls accept only \"*\"",
    ),
    (
        "autoscaling:Describe*",
        "EC2 Auto Scaling's Describe calls accept only \"*\"",
    ),
    (
        "acm:ListCertificates",
        "lists the account's certificates: ACM accepts only \"*\"",
    ),
    ("tag:GetResources", "the Resource Groups Tagging API accepts only \"*\""),
];

/// Verbs of actions that only read.
const READ_VERBS: &[&str] = &[
    "Get",
    "List",
    "Describe",
    "BatchGet",
    "BatchCheck",
    "Head",
    "Lookup",
    "Search",
    "Query",
    "Scan",
    "Select",
    "View",
];

/// Types whose `Policies` are inline identity policies.
const WITH_INLINE_POLICIES: &[&str] = &["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"];
/// Types whose `PolicyDocument` is an identity policy.
const POLICY_TYPES: &[&str] = &[
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
];

pub(super) fn check(kind: &str, props: &Map<String, Value>, hit: &mut Hit<'_>) {
    if WITH_INLINE_POLICIES.contains(&kind) {
        for (i, policy) in items(props.get("Policies")).into_iter().enumerate() {
            if let Some(document) = policy.get("PolicyDocument") {
                document_findings(document, &format!("Properties.Policies[{i}].PolicyDocument"), hit);
            }
        }
    } else if POLICY_TYPES.contains(&kind)
        && let Some(document) = props.get("PolicyDocument")
    {
        document_findings(document, "Properties.PolicyDocument", hit);
    }
}

/// A policy document as JSON: an object, its JSON text, or a `Fn::Sub` of its JSON text (how kumo writes
/// documents with computed condition keys). `None` when it is computed otherwise.
fn document_value(document: &Value) -> Option<Value> {
    let text = match document {
        Value::Object(_) if !is_intrinsic(document) => return Some(document.clone()),
        Value::String(text) => text.as_str(),
        Value::Object(map) => match map.get("Fn::Sub") {
            Some(Value::String(text)) => text.as_str(),
            Some(Value::Array(parts)) => parts.first()?.as_str()?,
            _ => return None,
        },
        _ => return None,
    };
    serde_json::from_str(text).ok()
}

fn document_findings(document: &Value, path: &str, hit: &mut Hit<'_>) {
    let Some(document) = document_value(document) else {
        return;
    };
    let statements = items(document.get("Statement"));
    for (i, statement) in statements.into_iter().enumerate() {
        let effect = statement.get("Effect").and_then(Value::as_str).unwrap_or("Allow");
        if effect != "Allow" {
            continue;
        }
        let at = format!("{path}.Statement[{i}]");
        statement_findings(statement, &at, hit);
    }
}

fn statement_findings(statement: &Value, at: &str, hit: &mut Hit<'_>) {
    let actions: Vec<&str> = items(statement.get("Action"))
        .into_iter()
        .filter_map(Value::as_str)
        .collect();
    if statement.get("NotAction").is_some() {
        hit(
            Rule::IamWildcardAction,
            format!("{at}.NotAction"),
            "Allow with NotAction grants every action but the listed ones".to_owned(),
        );
    }
    let wildcards: Vec<&str> = actions
        .iter()
        .copied()
        .filter(|a| *a == "*" || a.ends_with(":*"))
        .collect();
    if !wildcards.is_empty() {
        hit(
            Rule::IamWildcardAction,
            format!("{at}.Action"),
            format!("allows {}", quoted(&wildcards)),
        );
    }

    let not_resource = statement.get("NotResource").is_some();
    let every_resource = not_resource
        || items(statement.get("Resource"))
            .into_iter()
            .any(|r| r.as_str() == Some("*"));
    if !every_resource {
        return;
    }
    let resource_path = if not_resource {
        format!("{at}.NotResource")
    } else {
        format!("{at}.Resource")
    };
    let mut scoped: Vec<&str> = actions
        .iter()
        .copied()
        .filter(|action| allow_listed(action).is_none())
        .collect();
    if statement.get("NotAction").is_some() {
        scoped.push("(every action but NotAction's)");
    }
    let conditioned = statement
        .get("Condition")
        .is_some_and(|c| !c.as_object().is_some_and(Map::is_empty));
    // Unconditioned writes on every resource are the graver finding; the rest (reads, or writes a
    // condition narrows) are the lighter one.
    let (writes, rest): (Vec<&str>, Vec<&str>) = scoped
        .iter()
        .copied()
        .partition(|action| !conditioned && !is_read_only(action));
    let but = if not_resource { " but NotResource's" } else { "" };
    if !rest.is_empty() {
        hit(
            Rule::IamWildcardResource,
            resource_path.clone(),
            format!("allows {} on every resource{but}", quoted(&rest)),
        );
    }
    if !writes.is_empty() {
        hit(
            Rule::IamWriteWithoutCondition,
            resource_path,
            format!("allows {} on every resource{but} with no Condition", quoted(&writes)),
        );
    }
}

/// The allow-list entry covering `action`, if any (IAM action names are case-insensitive).
pub fn allow_listed(action: &str) -> Option<&'static (&'static str, &'static str)> {
    let action = action.to_ascii_lowercase();
    WILDCARD_RESOURCE_ALLOW_LIST.iter().find(|(pattern, _)| {
        let pattern = pattern.to_ascii_lowercase();
        match pattern.strip_suffix('*') {
            Some(prefix) => action.starts_with(prefix),
            None => action == pattern,
        }
    })
}

/// An action (or action pattern) that only reads: its verb starts with a read verb.
fn is_read_only(action: &str) -> bool {
    let Some((_, verb)) = action.split_once(':') else {
        return false;
    };
    !verb.starts_with('*') && READ_VERBS.iter().any(|read| verb.starts_with(read))
}

fn quoted(actions: &[&str]) -> String {
    actions.iter().map(|a| format!("{a:?}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_verbs_and_allow_list() {
        assert!(is_read_only("ec2:DescribeSubnets"));
        assert!(is_read_only("s3:Get*"));
        assert!(!is_read_only("s3:*"));
        assert!(!is_read_only("ec2:CreateTags"));
        assert!(!is_read_only("*"));
        assert!(allow_listed("ec2:DescribeVpcs").is_some());
        assert!(allow_listed("EC2:describevpcs").is_some(), "case-insensitive");
        assert!(allow_listed("ec2:CreateVpc").is_none());
        assert!(allow_listed("ecr:GetAuthorizationToken").is_some());
    }
}
