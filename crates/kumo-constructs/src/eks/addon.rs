//! `Addon`: an EKS add-on managed by EKS.

use kumo_cfn::eks as l1;
use kumo_core::{Handle, Str};

use crate::Parent;

/// Properties of an [`Addon`].
#[derive(Clone, Debug, PartialEq)]
pub struct AddonProps {
    /// The cluster name. Required.
    pub cluster_name: Str,
    /// `eks-pod-identity-agent`, `vpc-cni`, `coredns`, ... Required.
    pub name: String,
    /// Default: none (EKS picks the default version for the cluster's Kubernetes version).
    pub version: Option<String>,
    /// What to do when the add-on's settings conflict with ones changed in the cluster.
    /// Default: none (EKS's `NONE`: the update fails and says why).
    pub resolve_conflicts: Option<String>,
    /// IRSA role of the add-on's service account. Default: none.
    pub service_account_role_arn: Option<Str>,
    /// Pod Identity: `(service account, role ARN)` pairs the add-on creates associations for (an
    /// add-on cannot take over a standalone `AWS::EKS::PodIdentityAssociation`). Default: none.
    pub pod_identity_associations: Vec<(String, Str)>,
    /// The add-on's configuration, a JSON document (`aws eks describe-addon-configuration` gives the
    /// schema). Default: none (the add-on's defaults).
    pub configuration_values: Option<Str>,
    /// Install the add-on into this namespace instead of its own. Default: none (the add-on's).
    pub namespace: Option<String>,
}

impl AddonProps {
    pub fn new(cluster_name: impl Into<Str>, name: impl Into<String>) -> Self {
        AddonProps {
            cluster_name: cluster_name.into(),
            name: name.into(),
            version: None,
            resolve_conflicts: None,
            service_account_role_arn: None,
            pod_identity_associations: Vec::new(),
            configuration_values: None,
            namespace: None,
        }
    }
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }
    pub fn resolve_conflicts(mut self, how: impl Into<String>) -> Self {
        self.resolve_conflicts = Some(how.into());
        self
    }
    pub fn service_account_role_arn(mut self, arn: impl Into<Str>) -> Self {
        self.service_account_role_arn = Some(arn.into());
        self
    }
    pub fn pod_identity_association(mut self, service_account: impl Into<String>, role_arn: impl Into<Str>) -> Self {
        self.pod_identity_associations
            .push((service_account.into(), role_arn.into()));
        self
    }
    pub fn configuration_values(mut self, json: impl Into<Str>) -> Self {
        self.configuration_values = Some(json.into());
        self
    }
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }
}

/// An EKS add-on (`AWS::EKS::Addon`).
#[derive(Clone, Debug)]
pub struct Addon {
    handle: Handle<l1::Addon>,
}

impl Addon {
    pub fn new(parent: &mut impl Parent, id: &str, props: AddonProps) -> Addon {
        let mut addon = l1::Addon::new()
            .cluster_name(props.cluster_name)
            .addon_name(props.name.as_str());
        if let Some(version) = &props.version {
            addon = addon.addon_version(version.as_str());
        }
        if let Some(how) = &props.resolve_conflicts {
            addon = addon.resolve_conflicts(how.as_str());
        }
        if let Some(arn) = props.service_account_role_arn {
            addon = addon.service_account_role_arn(arn);
        }
        if !props.pod_identity_associations.is_empty() {
            let associations: Vec<l1::addon::PodIdentityAssociation> = props
                .pod_identity_associations
                .into_iter()
                .map(|(account, role)| {
                    l1::addon::PodIdentityAssociation::default()
                        .service_account(account)
                        .role_arn(role)
                })
                .collect();
            addon = addon.pod_identity_associations(associations);
        }
        if let Some(values) = props.configuration_values {
            addon = addon.configuration_values(values);
        }
        if let Some(namespace) = &props.namespace {
            addon = addon.namespace_config(l1::addon::NamespaceConfig::default().namespace(namespace.as_str()));
        }
        Addon {
            handle: parent.child(id).add("Resource", addon),
        }
    }

    pub fn handle(&self) -> &Handle<l1::Addon> {
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
    fn addon_by_name() {
        let mut stack = Stack::new("T");
        Addon::new(
            &mut stack,
            "PodIdentityAgent",
            AddonProps::new("eks-cluster", "eks-pod-identity-agent"),
        );
        template(&stack).has_resource_properties(
            "AWS::EKS::Addon",
            json!({"ClusterName": "eks-cluster", "AddonName": "eks-pod-identity-agent"}),
        );
    }

    #[test]
    fn addon_with_its_own_pod_identity_configuration_and_namespace() {
        let mut stack = Stack::new("T");
        Addon::new(
            &mut stack,
            "Dns",
            AddonProps::new("eks-cluster", "external-dns")
                .pod_identity_association("external-dns", "arn:aws:iam::123456789012:role/dns")
                .configuration_values(r#"{"policy":"sync"}"#)
                .namespace("dns"),
        );
        template(&stack).has_resource_properties(
            "AWS::EKS::Addon",
            json!({
                "AddonName": "external-dns",
                "PodIdentityAssociations": [{"ServiceAccount": "external-dns", "RoleArn": "arn:aws:iam::123456789012:role/dns"}],
                "ConfigurationValues": "{\"policy\":\"sync\"}",
                "NamespaceConfig": {"Namespace": "dns"}
            }),
        );
    }
}
