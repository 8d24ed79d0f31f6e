//! The IAM side of the security section: policy statements, managed policies and cluster access.

use std::fmt;

use serde_json::Value;

use super::render::{is_intrinsic, render, render_list};

/// One IAM grant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IamItem {
    /// A policy statement (identity policy, trust policy or resource policy).
    Statement(IamStatement),
    /// A managed policy attached to a role, user or group.
    ManagedPolicy { holder: String, arn: String },
    /// Cluster access granted to an IAM principal (EKS access entries, pod identity associations).
    ClusterAccess {
        resource: String,
        principal: String,
        access: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IamStatement {
    /// Logical id of the resource holding the statement.
    pub holder: String,
    /// Where in that resource, e.g. `trust policy`, `inline policy NodeAccess`, `bucket policy`.
    pub context: String,
    pub effect: String,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    pub principals: Vec<String>,
    pub condition: Option<String>,
}

impl fmt::Display for IamItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IamItem::Statement(s) => {
                write!(f, "{} {}", s.effect, s.actions.join(", "))?;
                if !s.resources.is_empty() {
                    write!(f, " on {}", s.resources.join(", "))?;
                }
                if !s.principals.is_empty() {
                    write!(f, " for principal {}", s.principals.join(", "))?;
                }
                if let Some(condition) = &s.condition {
                    write!(f, " when {condition}")?;
                }
                write!(f, " ({} {})", s.holder, s.context)
            }
            IamItem::ManagedPolicy { holder, arn } => write!(f, "managed policy {arn} attached to {holder}"),
            IamItem::ClusterAccess {
                resource,
                principal,
                access,
            } => {
                write!(f, "cluster access for {principal}: {access} ({resource})")
            }
        }
    }
}

/// Adds the IAM grants a resource of type `kind` makes: policy statements (identity, trust, resource and
/// key policies), attached managed policies, EKS access entries and pod identity associations.
pub(super) fn collect(out: &mut Vec<IamItem>, id: &str, kind: &str, props: &Value) {
    let prop = |name: &str| props.get(name);
    match kind {
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
            if let Some(doc) = prop("AssumeRolePolicyDocument") {
                statements(out, id, "trust policy", doc);
            }
            for policy in prop("Policies").and_then(Value::as_array).into_iter().flatten() {
                let name = policy.get("PolicyName").map(render).unwrap_or_default();
                if let Some(doc) = policy.get("PolicyDocument") {
                    statements(out, id, &format!("inline policy {name}"), doc);
                }
            }
            for arn in prop("ManagedPolicyArns").map(render_list).unwrap_or_default() {
                out.push(IamItem::ManagedPolicy {
                    holder: id.to_owned(),
                    arn,
                });
            }
        }
        "AWS::IAM::Policy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::IAM::RolePolicy"
        | "AWS::IAM::UserPolicy"
        | "AWS::IAM::GroupPolicy" => {
            let mut holders = Vec::new();
            for key in ["Roles", "Users", "Groups"] {
                holders.extend(prop(key).map(render_list).unwrap_or_default());
            }
            for key in ["RoleName", "UserName", "GroupName"] {
                holders.extend(prop(key).map(render));
            }
            let context = if holders.is_empty() {
                "policy".to_owned()
            } else {
                format!("policy for {}", holders.join(", "))
            };
            if let Some(doc) = prop("PolicyDocument") {
                statements(out, id, &context, doc);
            }
        }
        "AWS::S3::BucketPolicy" | "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy" | "AWS::Logs::ResourcePolicy" => {
            if let Some(doc) = prop("PolicyDocument") {
                statements(out, id, "resource policy", doc);
            }
        }
        "AWS::KMS::Key" => {
            if let Some(doc) = prop("KeyPolicy") {
                statements(out, id, "key policy", doc);
            }
        }
        "AWS::ECR::Repository" => {
            if let Some(doc) = prop("RepositoryPolicyText") {
                statements(out, id, "repository policy", doc);
            }
        }
        "AWS::SecretsManager::ResourcePolicy" => {
            if let Some(doc) = prop("ResourcePolicy") {
                statements(out, id, "secret policy", doc);
            }
        }
        "AWS::Lambda::Permission" => {
            out.push(IamItem::Statement(IamStatement {
                holder: id.to_owned(),
                context: "function permission".to_owned(),
                effect: "Allow".to_owned(),
                actions: prop("Action").map(render_list).unwrap_or_default(),
                resources: prop("FunctionName").map(render_list).unwrap_or_default(),
                principals: prop("Principal").map(render_list).unwrap_or_default(),
                condition: prop("SourceArn").map(|arn| format!("source is {}", render(arn))),
            }));
        }
        "AWS::EKS::AccessEntry" => {
            let mut access: Vec<String> = prop("AccessPolicies")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| {
                    let policy = p.get("PolicyArn").map(render).unwrap_or_default();
                    let scope = p
                        .get("AccessScope")
                        .and_then(|s| s.get("Type"))
                        .map(render)
                        .unwrap_or_default();
                    let namespaces = p.get("AccessScope").and_then(|s| s.get("Namespaces")).map(render_list);
                    match namespaces {
                        Some(ns) if !ns.is_empty() => format!("{policy} ({scope}: {})", ns.join(", ")),
                        _ => format!("{policy} ({scope})"),
                    }
                })
                .collect();
            let groups = prop("KubernetesGroups").map(render_list).unwrap_or_default();
            if !groups.is_empty() {
                access.push(format!("Kubernetes groups {}", groups.join(", ")));
            }
            out.push(IamItem::ClusterAccess {
                resource: id.to_owned(),
                principal: prop("PrincipalArn").map(render).unwrap_or_default(),
                access: if access.is_empty() {
                    "entry without policies".into()
                } else {
                    access.join("; ")
                },
            });
        }
        "AWS::EKS::PodIdentityAssociation" => {
            let namespace = prop("Namespace").map(render).unwrap_or_default();
            let account = prop("ServiceAccount").map(render).unwrap_or_default();
            out.push(IamItem::ClusterAccess {
                resource: id.to_owned(),
                principal: format!("service account {namespace}/{account}"),
                access: format!("assumes role {}", prop("RoleArn").map(render).unwrap_or_default()),
            });
        }
        _ => {}
    }
}

/// Adds the statements of a policy document (object, JSON string, or an intrinsic kumo cannot see into).
fn statements(out: &mut Vec<IamItem>, holder: &str, context: &str, doc: &Value) {
    let parsed;
    let doc = match doc {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                parsed = value;
                &parsed
            }
            Err(_) => doc,
        },
        _ => doc,
    };
    let list = match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => {
            // The whole document is computed (e.g. `Fn::If`): report it as one opaque grant.
            out.push(IamItem::Statement(IamStatement {
                holder: holder.to_owned(),
                context: context.to_owned(),
                effect: "(computed)".to_owned(),
                actions: vec![render(doc)],
                resources: vec![],
                principals: vec![],
                condition: None,
            }));
            return;
        }
    };
    for statement in list {
        let either = |positive: &str, negative: &str| -> Vec<String> {
            match (statement.get(positive), statement.get(negative)) {
                (Some(v), _) => sorted(render_list(v)),
                (None, Some(v)) => sorted(render_list(v)).into_iter().map(|s| format!("NOT {s}")).collect(),
                (None, None) => Vec::new(),
            }
        };
        let principals = match statement.get("Principal").or_else(|| statement.get("NotPrincipal")) {
            Some(Value::Object(map)) if !is_intrinsic(map) => {
                let mut list: Vec<String> = map
                    .iter()
                    .flat_map(|(kind, ids)| render_list(ids).into_iter().map(move |i| format!("{kind}:{i}")))
                    .collect();
                list.sort();
                list
            }
            Some(other) => render_list(other),
            None => Vec::new(),
        };
        out.push(IamItem::Statement(IamStatement {
            holder: holder.to_owned(),
            context: context.to_owned(),
            effect: statement
                .get("Effect")
                .map(render)
                .unwrap_or_else(|| "Allow".to_owned()),
            actions: either("Action", "NotAction"),
            resources: either("Resource", "NotResource"),
            principals,
            condition: statement
                .get("Condition")
                .map(|c| serde_json::to_string(c).unwrap_or_default()),
        }));
    }
}

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}
