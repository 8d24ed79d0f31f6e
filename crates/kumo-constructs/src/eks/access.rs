//! `AccessEntry`: Kubernetes permissions for an IAM principal, without the `aws-auth` ConfigMap.

use kumo_cfn::eks as l1;
use kumo_core::{Handle, Str};

use crate::Parent;

/// Where an access policy applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessScope {
    Cluster,
    Namespaces(Vec<String>),
}

/// Properties of an [`AccessEntry`].
#[derive(Clone, Debug, PartialEq)]
pub struct AccessEntryProps {
    /// The cluster name. Required.
    pub cluster_name: Str,
    /// The IAM user or role ARN. Required.
    pub principal_arn: Str,
    /// EKS access policies by name (`AmazonEKSClusterAdminPolicy`, `AmazonEKSViewPolicy`, ...) and their
    /// scope. Default: none.
    pub access_policies: Vec<(String, AccessScope)>,
    /// Kubernetes groups (for RBAC bindings of your own). Default: none.
    pub kubernetes_groups: Vec<String>,
}

impl AccessEntryProps {
    pub fn new(cluster_name: impl Into<Str>, principal_arn: impl Into<Str>) -> Self {
        AccessEntryProps {
            cluster_name: cluster_name.into(),
            principal_arn: principal_arn.into(),
            access_policies: Vec::new(),
            kubernetes_groups: Vec::new(),
        }
    }

    /// `AmazonEKSClusterAdminPolicy` on the whole cluster (what the seed's `system:masters` mapping gave).
    pub fn cluster_admin(self) -> Self {
        self.access_policy("AmazonEKSClusterAdminPolicy", AccessScope::Cluster)
    }

    pub fn access_policy(mut self, policy: impl Into<String>, scope: AccessScope) -> Self {
        self.access_policies.push((policy.into(), scope));
        self
    }

    pub fn kubernetes_groups(mut self, groups: Vec<String>) -> Self {
        self.kubernetes_groups = groups;
        self
    }
}

/// An EKS access entry (`AWS::EKS::AccessEntry`, type `STANDARD`).
#[derive(Clone, Debug)]
pub struct AccessEntry {
    handle: Handle<l1::AccessEntry>,
}

impl AccessEntry {
    pub fn new(parent: &mut impl Parent, id: &str, props: AccessEntryProps) -> AccessEntry {
        let mut entry = l1::AccessEntry::new()
            .cluster_name(props.cluster_name)
            .principal_arn(props.principal_arn);
        if !props.access_policies.is_empty() {
            let policies: Vec<l1::access_entry::AccessPolicy> = props
                .access_policies
                .iter()
                .map(|(name, scope)| {
                    let scope = match scope {
                        AccessScope::Cluster => l1::access_entry::AccessScope::new().r#type("cluster"),
                        AccessScope::Namespaces(namespaces) => l1::access_entry::AccessScope::new()
                            .r#type("namespace")
                            .namespaces(namespaces.clone()),
                    };
                    l1::access_entry::AccessPolicy::new()
                        .policy_arn(kumo_core::fns::sub(format!(
                            "arn:${{AWS::Partition}}:eks::aws:cluster-access-policy/{name}"
                        )))
                        .access_scope(scope)
                })
                .collect();
            entry = entry.access_policies(policies);
        }
        if !props.kubernetes_groups.is_empty() {
            entry = entry.kubernetes_groups(props.kubernetes_groups);
        }
        AccessEntry {
            handle: parent.child(id).add("Resource", entry),
        }
    }

    pub fn handle(&self) -> &Handle<l1::AccessEntry> {
        &self.handle
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::template;
    use kumo_core::Stack;
    use serde_json::json;

    #[test]
    fn cluster_admin_entry() {
        let mut stack = Stack::new("T");
        AccessEntry::new(
            &mut stack,
            "Admin",
            AccessEntryProps::new("eks-cluster", crate::arn::iam_user("akari")).cluster_admin(),
        );
        template(&stack).has_resource_properties(
            "AWS::EKS::AccessEntry",
            json!({
                "ClusterName": "eks-cluster",
                "PrincipalArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/akari"},
                "AccessPolicies": [{
                    "PolicyArn": {"Fn::Sub": "arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"},
                    "AccessScope": {"Type": "cluster"}
                }]
            }),
        );
    }
}
