//! Whose is it? The stack's scope (its name, clusters, VPCs and zones, read from its resources) and
//! the judgement of a resource by its tags: a leftover of this stack, a stack's own resource, or
//! someone else's.

use std::collections::BTreeSet;

use kumo_aws::services::cloudformation;
use kumo_aws::{AwsError, Client};

use crate::rules::{CFN_STACK_TAG, CNI_CLUSTER_TAG, K8S_CLUSTER_TAG_PREFIX, LBC_CLUSTER_TAG, STACK_TAG};

/// What identifies a stack's leftovers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub stack_name: String,
    /// Names of the stack's EKS clusters (`AWS::EKS::Cluster`).
    pub clusters: Vec<String>,
    /// The stack's VPCs (`AWS::EC2::VPC`): controller marks count only inside them.
    pub vpcs: Vec<String>,
    /// The stack's hosted zones (`AWS::Route53::HostedZone`), where external-dns writes.
    pub zones: Vec<String>,
    /// Physical ids of the stack's own resources (never leftovers, whatever their tags say).
    pub own: BTreeSet<String>,
}

impl Scope {
    /// The scope of a stack that is gone (or was never found): its name is all there is.
    pub fn by_name(stack_name: &str) -> Scope {
        Scope {
            stack_name: stack_name.to_owned(),
            ..Scope::default()
        }
    }

    /// The scope from the stack's resources (`(type, physical id)`).
    pub fn from_resources<'a>(stack_name: &str, resources: impl IntoIterator<Item = (&'a str, &'a str)>) -> Scope {
        let mut scope = Scope::by_name(stack_name);
        for (resource_type, physical_id) in resources {
            if physical_id.is_empty() {
                continue;
            }
            match resource_type {
                "AWS::EKS::Cluster" => scope.clusters.push(physical_id.to_owned()),
                "AWS::EC2::VPC" => scope.vpcs.push(physical_id.to_owned()),
                "AWS::Route53::HostedZone" => scope.zones.push(physical_id.to_owned()),
                _ => {}
            }
            scope.own.insert(physical_id.to_owned());
        }
        scope
    }

    /// Reads the stack's resources (`cloudformation:ListStackResources`); a missing stack gives
    /// [`Scope::by_name`].
    pub async fn of_stack(client: &Client, stack_name: &str) -> Result<Scope, AwsError> {
        let resources = cloudformation::stack_resources(client, stack_name).await?;
        Ok(match resources {
            Some(resources) => Scope::from_resources(
                stack_name,
                resources
                    .iter()
                    .filter(|r| r.status != "DELETE_COMPLETE")
                    .map(|r| (r.resource_type.as_str(), r.physical_id.as_str())),
            ),
            None => Scope::by_name(stack_name),
        })
    }

    /// Why a resource with these tags (in `vpc`, if it has one) is this stack's leftover — the mark that
    /// says so — or `None` when it is not: a stack's own resource (CloudFormation's tag), one tagged for
    /// another stack or cluster, or one with no mark of this stack at all.
    pub fn claim(&self, id: &str, tags: &[(String, String)], vpc: Option<&str>) -> Option<String> {
        let tag = |key: &str| tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        if self.own.contains(id) || tag(CFN_STACK_TAG).is_some() {
            return None;
        }
        if let Some(stack) = tag(STACK_TAG) {
            return (stack == self.stack_name).then(|| format!("tag {STACK_TAG}={stack}"));
        }
        let in_vpc = vpc.is_none_or(|vpc| self.vpcs.iter().any(|v| v == vpc));
        for key in [LBC_CLUSTER_TAG, CNI_CLUSTER_TAG] {
            if let Some(cluster) = tag(key) {
                let ours = in_vpc && self.clusters.iter().any(|c| c == cluster);
                return ours.then(|| format!("tag {key}={cluster}"));
            }
        }
        let k8s_clusters: Vec<&str> = tags
            .iter()
            .filter_map(|(k, _)| k.strip_prefix(K8S_CLUSTER_TAG_PREFIX))
            .collect();
        if !k8s_clusters.is_empty() {
            // Tagged for several clusters is someone's shared resource: never ours to delete.
            return match k8s_clusters.as_slice() {
                [cluster] if in_vpc && self.clusters.iter().any(|c| c == cluster) => {
                    Some(format!("tag {K8S_CLUSTER_TAG_PREFIX}{cluster}"))
                }
                _ => None,
            };
        }
        None
    }

    /// Whether a resource with these tags belongs to another stack or cluster (then kumo never
    /// changes it, not even to revoke a rule naming one of this stack's leftovers).
    pub fn is_foreign(&self, id: &str, tags: &[(String, String)]) -> bool {
        if self.own.contains(id) {
            return false;
        }
        let tag = |key: &str| tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let other = |value: Option<&str>, ours: &[String]| value.is_some_and(|v| !ours.iter().any(|o| o == v));
        other(tag(CFN_STACK_TAG), std::slice::from_ref(&self.stack_name))
            || other(tag(STACK_TAG), std::slice::from_ref(&self.stack_name))
            || other(tag(LBC_CLUSTER_TAG), &self.clusters)
            || other(tag(CNI_CLUSTER_TAG), &self.clusters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn scope() -> Scope {
        Scope::from_resources(
            "demo",
            [
                ("AWS::EKS::Cluster", "eks-cluster"),
                ("AWS::EC2::VPC", "vpc-1"),
                ("AWS::Route53::HostedZone", "Z1"),
                ("AWS::EC2::SecurityGroup", "sg-own"),
            ],
        )
    }

    #[test]
    fn the_stack_tag_decides_first() {
        let s = scope();
        assert_eq!(
            s.claim("sg-1", &tags(&[("kumo:stack", "demo")]), Some("vpc-9"))
                .as_deref(),
            Some("tag kumo:stack=demo")
        );
        // Another stack's tag wins over our cluster's mark.
        let other = tags(&[("kumo:stack", "other"), ("elbv2.k8s.aws/cluster", "eks-cluster")]);
        assert_eq!(s.claim("sg-2", &other, Some("vpc-1")), None);
        assert!(s.is_foreign("sg-2", &other));
    }

    #[test]
    fn cluster_marks_count_only_in_the_stacks_vpc() {
        let s = scope();
        let marked = tags(&[("elbv2.k8s.aws/cluster", "eks-cluster")]);
        assert!(s.claim("lb", &marked, Some("vpc-1")).is_some());
        assert_eq!(s.claim("lb", &marked, Some("vpc-2")), None);
        let other_cluster = tags(&[("elbv2.k8s.aws/cluster", "theirs")]);
        assert_eq!(s.claim("lb", &other_cluster, Some("vpc-1")), None);
        assert!(s.is_foreign("lb", &other_cluster));
        let volume = tags(&[("kubernetes.io/cluster/eks-cluster", "owned")]);
        assert!(s.claim("vol", &volume, None).is_some());
        let shared = tags(&[
            ("kubernetes.io/cluster/eks-cluster", "owned"),
            ("kubernetes.io/cluster/other", "owned"),
        ]);
        assert_eq!(s.claim("vol", &shared, None), None);
    }

    #[test]
    fn stack_resources_are_never_leftovers() {
        let s = scope();
        assert_eq!(s.claim("sg-own", &tags(&[("kumo:stack", "demo")]), Some("vpc-1")), None);
        let in_a_stack = tags(&[("kumo:stack", "demo"), ("aws:cloudformation:stack-name", "demo")]);
        assert_eq!(s.claim("sg-x", &in_a_stack, Some("vpc-1")), None);
        assert!(!s.is_foreign("sg-own", &[]));
        assert_eq!(s.claim("sg-y", &[], Some("vpc-1")), None);
    }
}
