//! The security section of a diff, like `cdk diff`'s: IAM statements and grants, security-group rules
//! and public endpoints that a deploy would add or remove.
//!
//! It is computed from the deployed and the new template, not from the change set: a change set says
//! *that* a role changes, not which statement, and some endpoints report no detail at all. Values that
//! are intrinsics are shown in a compact `${Resource.Attribute}` form.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// What a deploy would change in security-relevant configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecurityDiff {
    pub iam: Vec<Change<IamItem>>,
    pub security_groups: Vec<Change<SgRule>>,
    pub public_endpoints: Vec<Change<PublicEndpoint>>,
}

impl SecurityDiff {
    pub fn is_empty(&self) -> bool {
        self.iam.is_empty() && self.security_groups.is_empty() && self.public_endpoints.is_empty()
    }

    pub fn len(&self) -> usize {
        self.iam.len() + self.security_groups.len() + self.public_endpoints.len()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    Added,
    Removed,
}

impl ChangeKind {
    /// `+` or `-`.
    pub fn sign(self) -> char {
        match self {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change<T> {
    pub kind: ChangeKind,
    pub item: T,
}

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SgRule {
    /// The security group: its logical id, or the rendered `GroupId` of a standalone rule.
    pub group: String,
    pub direction: Direction,
    pub protocol: String,
    pub ports: String,
    /// CIDR, security group or prefix list on the other side.
    pub peer: String,
    /// Ingress from `0.0.0.0/0` or `::/0`.
    pub open_to_world: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicEndpoint {
    pub resource: String,
    pub resource_type: String,
    pub description: String,
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

impl fmt::Display for SgRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (direction, preposition) = match self.direction {
            Direction::Ingress => ("ingress", "from"),
            Direction::Egress => ("egress", "to"),
        };
        write!(
            f,
            "{} {direction} {} {} {preposition} {}",
            self.group, self.protocol, self.ports, self.peer
        )?;
        if self.open_to_world {
            f.write_str(" (open to the internet)")?;
        }
        Ok(())
    }
}

impl fmt::Display for PublicEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.resource, self.resource_type, self.description)
    }
}

/// The security changes from `old` (the deployed template; `None` for a new stack) to `new`.
pub fn security_diff(old: Option<&Value>, new: &Value) -> SecurityDiff {
    let before = old.map(collect).unwrap_or_default();
    let after = collect(new);
    SecurityDiff {
        iam: diff_items(before.iam, after.iam),
        security_groups: diff_items(before.security_groups, after.security_groups),
        public_endpoints: diff_items(before.public_endpoints, after.public_endpoints),
    }
}

/// Multiset difference: removed items first, then added, each in sorted order.
fn diff_items<T: Ord + Clone>(before: Vec<T>, after: Vec<T>) -> Vec<Change<T>> {
    let mut counts: BTreeMap<T, i64> = BTreeMap::new();
    for item in before {
        *counts.entry(item).or_default() -= 1;
    }
    for item in after {
        *counts.entry(item).or_default() += 1;
    }
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for (item, count) in counts {
        let (target, kind) = if count < 0 {
            (&mut removed, ChangeKind::Removed)
        } else {
            (&mut added, ChangeKind::Added)
        };
        for _ in 0..count.unsigned_abs() {
            target.push(Change {
                kind,
                item: item.clone(),
            });
        }
    }
    removed.extend(added);
    removed
}

#[derive(Default)]
struct Collected {
    iam: Vec<IamItem>,
    security_groups: Vec<SgRule>,
    public_endpoints: Vec<PublicEndpoint>,
}

fn collect(template: &Value) -> Collected {
    let mut out = Collected::default();
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return out;
    };
    for (id, resource) in resources {
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or_default();
        let props = resource.get("Properties").cloned().unwrap_or(Value::Null);
        let prop = |name: &str| props.get(name);
        match kind {
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                if let Some(doc) = prop("AssumeRolePolicyDocument") {
                    statements(&mut out, id, "trust policy", doc);
                }
                for policy in prop("Policies").and_then(Value::as_array).into_iter().flatten() {
                    let name = policy.get("PolicyName").map(render).unwrap_or_default();
                    if let Some(doc) = policy.get("PolicyDocument") {
                        statements(&mut out, id, &format!("inline policy {name}"), doc);
                    }
                }
                for arn in prop("ManagedPolicyArns").map(render_list).unwrap_or_default() {
                    out.iam.push(IamItem::ManagedPolicy {
                        holder: id.clone(),
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
                    statements(&mut out, id, &context, doc);
                }
            }
            "AWS::S3::BucketPolicy"
            | "AWS::SQS::QueuePolicy"
            | "AWS::SNS::TopicPolicy"
            | "AWS::Logs::ResourcePolicy" => {
                if let Some(doc) = prop("PolicyDocument") {
                    statements(&mut out, id, "resource policy", doc);
                }
            }
            "AWS::KMS::Key" => {
                if let Some(doc) = prop("KeyPolicy") {
                    statements(&mut out, id, "key policy", doc);
                }
            }
            "AWS::ECR::Repository" => {
                if let Some(doc) = prop("RepositoryPolicyText") {
                    statements(&mut out, id, "repository policy", doc);
                }
            }
            "AWS::SecretsManager::ResourcePolicy" => {
                if let Some(doc) = prop("ResourcePolicy") {
                    statements(&mut out, id, "secret policy", doc);
                }
            }
            "AWS::Lambda::Permission" => {
                out.iam.push(IamItem::Statement(IamStatement {
                    holder: id.clone(),
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
                out.iam.push(IamItem::ClusterAccess {
                    resource: id.clone(),
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
                out.iam.push(IamItem::ClusterAccess {
                    resource: id.clone(),
                    principal: format!("service account {namespace}/{account}"),
                    access: format!("assumes role {}", prop("RoleArn").map(render).unwrap_or_default()),
                });
            }
            "AWS::EC2::SecurityGroup" => {
                for rule in prop("SecurityGroupIngress")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    out.security_groups.push(sg_rule(id.clone(), Direction::Ingress, rule));
                }
                for rule in prop("SecurityGroupEgress")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    out.security_groups.push(sg_rule(id.clone(), Direction::Egress, rule));
                }
            }
            "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
                let direction = if kind.ends_with("Ingress") {
                    Direction::Ingress
                } else {
                    Direction::Egress
                };
                let group = prop("GroupId")
                    .or_else(|| prop("GroupName"))
                    .map(render)
                    .unwrap_or_else(|| id.clone());
                out.security_groups.push(sg_rule(group, direction, &props));
            }
            _ => {}
        }
        if let Some(description) = public_endpoint(kind, &props) {
            out.public_endpoints.push(PublicEndpoint {
                resource: id.clone(),
                resource_type: kind.to_owned(),
                description,
            });
        }
    }
    out
}

/// Adds the statements of a policy document (object, JSON string, or an intrinsic kumo cannot see into).
fn statements(out: &mut Collected, holder: &str, context: &str, doc: &Value) {
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
            out.iam.push(IamItem::Statement(IamStatement {
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
        out.iam.push(IamItem::Statement(IamStatement {
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

fn sg_rule(group: String, direction: Direction, rule: &Value) -> SgRule {
    let protocol_raw = rule.get("IpProtocol").map(render).unwrap_or_else(|| "-1".to_owned());
    let protocol = match protocol_raw.as_str() {
        "-1" | "all" => "all traffic".to_owned(),
        "6" => "tcp".to_owned(),
        "17" => "udp".to_owned(),
        "1" => "icmp".to_owned(),
        other => other.to_owned(),
    };
    let from = rule.get("FromPort").map(render);
    let to = rule.get("ToPort").map(render);
    let ports = match (protocol.as_str(), from, to) {
        ("all traffic", _, _) => "all ports".to_owned(),
        (_, Some(f), Some(t)) if f == "-1" || (f == "0" && t == "65535") => "all ports".to_owned(),
        (_, Some(f), Some(t)) if f == t => format!("port {f}"),
        (_, Some(f), Some(t)) => format!("ports {f}-{t}"),
        (_, Some(f), None) => format!("port {f}"),
        _ => "all ports".to_owned(),
    };
    let peer_keys = [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourceSecurityGroupName",
        "SourcePrefixListId",
        "DestinationSecurityGroupId",
        "DestinationPrefixListId",
    ];
    let peer = peer_keys
        .iter()
        .find_map(|key| rule.get(*key).map(render))
        .unwrap_or_else(|| "(no peer)".to_owned());
    let open_to_world = direction == Direction::Ingress && (peer == "0.0.0.0/0" || peer == "::/0");
    SgRule {
        group,
        direction,
        protocol,
        ports,
        peer,
        open_to_world,
    }
}

/// Whether a boolean property is on: `Some(true/false)` for literals, `None` when computed.
fn flag(value: Option<&Value>, default: bool) -> Option<bool> {
    match value {
        None => Some(default),
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => None,
    }
}

/// A description of how the resource is reachable from the internet, if it is (or may be).
fn public_endpoint(kind: &str, props: &Value) -> Option<String> {
    let maybe = |value: Option<&Value>, default: bool, yes: String| match flag(value, default) {
        Some(true) => Some(yes),
        Some(false) => None,
        None => Some(format!(
            "{yes}, depending on {}",
            render(value.expect("computed values exist"))
        )),
    };
    match kind {
        "AWS::EKS::Cluster" => {
            let config = props.get("ResourcesVpcConfig");
            let cidrs = config
                .and_then(|c| c.get("PublicAccessCidrs"))
                .map(render_list)
                .map(|c| c.join(", "))
                .unwrap_or_else(|| "0.0.0.0/0 (the default)".to_owned());
            maybe(
                config.and_then(|c| c.get("EndpointPublicAccess")),
                true,
                format!("Kubernetes API endpoint is public, reachable from {cidrs}"),
            )
        }
        "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => maybe(
            props.get("PubliclyAccessible"),
            false,
            "database is publicly accessible".to_owned(),
        ),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" | "AWS::ElasticLoadBalancing::LoadBalancer" => {
            let lb_type = props
                .get("Type")
                .map(render)
                .unwrap_or_else(|| "application".to_owned());
            let scheme = props
                .get("Scheme")
                .map(render)
                .unwrap_or_else(|| "internet-facing".to_owned());
            (lb_type != "gateway" && scheme != "internal").then(|| format!("internet-facing {lb_type} load balancer"))
        }
        "AWS::EC2::Subnet" => maybe(
            props.get("MapPublicIpOnLaunch"),
            false,
            "instances launched here get public IPv4 addresses".to_owned(),
        ),
        "AWS::EC2::Instance" | "AWS::EC2::LaunchTemplate" => {
            let interfaces = match kind {
                "AWS::EC2::Instance" => props.get("NetworkInterfaces"),
                _ => props.get("LaunchTemplateData").and_then(|d| d.get("NetworkInterfaces")),
            };
            interfaces
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find_map(|interface| {
                    maybe(
                        interface.get("AssociatePublicIpAddress"),
                        false,
                        "instances get a public IP address".to_owned(),
                    )
                })
        }
        "AWS::Lambda::Url" => (props.get("AuthType").map(render).as_deref() == Some("NONE"))
            .then(|| "function URL without authentication".to_owned()),
        "AWS::ApiGateway::RestApi" => {
            let types = props
                .get("EndpointConfiguration")
                .and_then(|c| c.get("Types"))
                .map(render_list);
            (!types.is_some_and(|t| t.iter().any(|t| t == "PRIVATE"))).then(|| "public REST API endpoint".to_owned())
        }
        "AWS::ApiGatewayV2::Api" => Some("public API endpoint".to_owned()),
        "AWS::S3::Bucket" => props
            .get("WebsiteConfiguration")
            .map(|_| "S3 website endpoint".to_owned()),
        _ => None,
    }
}

fn is_intrinsic(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 1
        && map
            .keys()
            .next()
            .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
}

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}

/// A value as a list of display strings (a single value is a list of one).
pub fn render_list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(render).collect(),
        other => vec![render(other)],
    }
}

/// A template value for display: literals as they are, intrinsics as `${Name}` / `${Name.Attr}` or a
/// short function form, anything else as compact JSON.
pub fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", ")),
        Value::Object(map) if is_intrinsic(map) => {
            let (name, arg) = map.iter().next().expect("one key");
            match (name.as_str(), arg) {
                ("Ref", Value::String(target)) => format!("${{{target}}}"),
                ("Fn::GetAtt", Value::Array(parts)) => {
                    format!("${{{}}}", parts.iter().map(render).collect::<Vec<_>>().join("."))
                }
                ("Fn::GetAtt", Value::String(path)) => format!("${{{path}}}"),
                ("Fn::Sub", Value::String(text)) => text.clone(),
                ("Fn::Sub", Value::Array(parts)) if !parts.is_empty() => render(&parts[0]),
                ("Fn::Join", Value::Array(parts)) if parts.len() == 2 => {
                    let separator = render(&parts[0]);
                    render_list(&parts[1]).join(&separator)
                }
                ("Fn::ImportValue", inner) => format!("${{Import:{}}}", render(inner)),
                ("Fn::If", Value::Array(parts)) if parts.len() == 3 => {
                    format!(
                        "${{If {} ? {} : {}}}",
                        render(&parts[0]),
                        render(&parts[1]),
                        render(&parts[2])
                    )
                }
                _ => format!(
                    "${{{}:{}}}",
                    name.trim_start_matches("Fn::"),
                    serde_json::to_string(arg).unwrap_or_default()
                ),
            }
        }
        Value::Object(_) => serde_json::to_string(value).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(resources: Value) -> Value {
        json!({ "Resources": resources })
    }

    #[test]
    fn new_role_statements_and_rules_show_as_added() {
        let new = template(json!({
            "Node": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"Service": "ec2.amazonaws.com"}}]},
                "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy"}],
                "Policies": [{"PolicyName": "logs", "PolicyDocument": {"Statement": {"Effect": "Allow",
                    "Action": ["logs:PutLogEvents", "logs:CreateLogStream"], "Resource": {"Fn::GetAtt": ["Logs", "Arn"]}}}}]
            }},
            "Web": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "web",
                "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]}},
            "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"PubliclyAccessible": true}}
        }));
        let diff = security_diff(None, &new);
        let lines: Vec<String> = diff
            .iam
            .iter()
            .map(|c| format!("{} {}", c.kind.sign(), c.item))
            .collect();
        assert!(
            lines.contains(
                &"+ Allow sts:AssumeRole for principal Service:ec2.amazonaws.com (Node trust policy)".to_owned()
            ),
            "{lines:#?}"
        );
        assert!(
            lines.contains(
                &"+ Allow logs:CreateLogStream, logs:PutLogEvents on ${Logs.Arn} (Node inline policy logs)".to_owned()
            ),
            "{lines:#?}"
        );
        assert!(
            lines.contains(
                &"+ managed policy arn:${AWS::Partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy attached to Node"
                    .to_owned()
            ),
            "{lines:#?}"
        );
        assert_eq!(diff.security_groups.len(), 1);
        assert_eq!(
            diff.security_groups[0].item.to_string(),
            "Web ingress tcp port 443 from 0.0.0.0/0 (open to the internet)"
        );
        assert_eq!(
            diff.public_endpoints[0].item.description,
            "database is publicly accessible"
        );
    }

    #[test]
    fn unchanged_items_cancel_and_changed_ones_show_both_sides() {
        let rule = |port: u16| {
            template(json!({"Sg": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                "GroupId": {"Ref": "Web"}, "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                "SourceSecurityGroupId": {"Fn::GetAtt": ["Lb", "GroupId"]}, "Description": format!("d{port}")}}}))
        };
        assert!(security_diff(Some(&rule(80)), &rule(80)).is_empty());
        let diff = security_diff(Some(&rule(80)), &rule(8080));
        let lines: Vec<String> = diff
            .security_groups
            .iter()
            .map(|c| format!("{} {}", c.kind.sign(), c.item))
            .collect();
        assert_eq!(
            lines,
            [
                "- ${Web} ingress tcp port 80 from ${Lb.GroupId}",
                "+ ${Web} ingress tcp port 8080 from ${Lb.GroupId}"
            ]
        );
    }

    #[test]
    fn eks_endpoints_default_to_public_and_access_entries_are_grants() {
        let new = template(json!({
            "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"ResourcesVpcConfig": {"SubnetIds": []}}},
            "Private": {"Type": "AWS::EKS::Cluster", "Properties": {"ResourcesVpcConfig": {
                "EndpointPublicAccess": false, "EndpointPrivateAccess": true}}},
            "Admin": {"Type": "AWS::EKS::AccessEntry", "Properties": {"ClusterName": {"Ref": "Cluster"},
                "PrincipalArn": "arn:aws:iam::123456789012:role/admin",
                "AccessPolicies": [{"PolicyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    "AccessScope": {"Type": "cluster"}}]}},
            "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": "internal"}}
        }));
        let diff = security_diff(None, &new);
        assert_eq!(diff.public_endpoints.len(), 1, "{diff:#?}");
        assert!(
            diff.public_endpoints[0]
                .item
                .description
                .contains("0.0.0.0/0 (the default)")
        );
        assert_eq!(
            diff.iam[0].item.to_string(),
            "cluster access for arn:aws:iam::123456789012:role/admin: \
             arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy (cluster) (Admin)"
        );
    }

    #[test]
    fn removed_resources_show_as_removed_and_string_policies_are_parsed() {
        let old = template(json!({"Repo": {"Type": "AWS::ECR::Repository", "Properties": {
            "RepositoryPolicyText": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\"}]}"}}}));
        let new = template(json!({"Logs": {"Type": "AWS::Logs::LogGroup"}}));
        let diff = security_diff(Some(&old), &new);
        assert_eq!(diff.iam.len(), 1);
        assert_eq!(diff.iam[0].kind, ChangeKind::Removed);
        assert_eq!(
            diff.iam[0].item.to_string(),
            "Allow ecr:BatchGetImage for principal * (Repo repository policy)"
        );
    }

    #[test]
    fn computed_flags_are_flagged_as_possible() {
        let new = template(json!({"Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
            "MapPublicIpOnLaunch": {"Fn::If": ["Public", true, false]}}}}));
        let diff = security_diff(None, &new);
        assert_eq!(
            diff.public_endpoints[0].item.description,
            "instances launched here get public IPv4 addresses, depending on ${If Public ? true : false}"
        );
    }
}
