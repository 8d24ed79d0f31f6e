//! The security section of a diff, like `cdk diff`'s: IAM statements and grants, security-group rules
//! and public endpoints that a deploy would add or remove.
//!
//! It is computed from the deployed and the new template, not from the change set: a change set says
//! *that* a role changes, not which statement, and some endpoints report no detail at all. Values that
//! are intrinsics are shown in a compact `${Resource.Attribute}` form.
//!
//! `iam` reads the grants, `network` the security-group rules and public endpoints, `render` shows
//! template values (intrinsics included) as text.

mod iam;
mod network;
mod render;

use std::collections::BTreeMap;

use serde_json::Value;

pub use iam::{IamItem, IamStatement};
pub use network::{Direction, PublicEndpoint, SgRule};
pub use render::{render, render_list};

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
        iam::collect(&mut out.iam, id, kind, &props);
        network::collect_rules(&mut out.security_groups, id, kind, &props);
        if let Some(description) = network::public_endpoint(kind, &props) {
            out.public_endpoints.push(PublicEndpoint {
                resource: id.clone(),
                resource_type: kind.to_owned(),
                description,
            });
        }
    }
    out
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
