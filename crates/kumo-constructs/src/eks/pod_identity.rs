//! IAM roles for pods: EKS Pod Identity (`AWS::EKS::PodIdentityAssociation`) or IRSA (a native
//! `AWS::IAM::OIDCProvider` and a web-identity trust policy keyed on the service account).

use kumo_cfn::{eks as l1, iam as l1_iam};
use kumo_core::{Handle, Str, fns};

use super::cluster::Cluster;
use crate::Parent;
use crate::iam::{PolicyDocument, PolicyStatement, Principal, Role, RoleProps};

/// The service principal EKS Pod Identity assumes roles with.
pub const POD_IDENTITY_PRINCIPAL: &str = "pods.eks.amazonaws.com";

/// The audience of the service account tokens IRSA exchanges with STS.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// A Kubernetes service account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceAccount {
    pub namespace: String,
    pub name: String,
}

impl ServiceAccount {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        ServiceAccount {
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// `system:serviceaccount:<namespace>:<name>`: the subject of the account's tokens.
    pub fn subject(&self) -> String {
        format!("system:serviceaccount:{}:{}", self.namespace, self.name)
    }
}

impl std::fmt::Display for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Properties of a [`PodIdentityAssociation`].
#[derive(Clone, Debug, PartialEq)]
pub struct PodIdentityAssociationProps {
    pub cluster_name: Str,
    pub service_account: ServiceAccount,
    pub role_arn: Str,
}

/// Gives the pods of a service account a role (`AWS::EKS::PodIdentityAssociation`). Needs the
/// `eks-pod-identity-agent` add-on on the cluster.
#[derive(Clone, Debug)]
pub struct PodIdentityAssociation {
    handle: Handle<l1::PodIdentityAssociation>,
}

impl PodIdentityAssociation {
    pub fn new(parent: &mut impl Parent, id: &str, props: PodIdentityAssociationProps) -> PodIdentityAssociation {
        PodIdentityAssociation {
            handle: parent.child(id).add(
                "Resource",
                l1::PodIdentityAssociation::new()
                    .cluster_name(props.cluster_name)
                    .namespace(props.service_account.namespace.as_str())
                    .service_account(props.service_account.name.as_str())
                    .role_arn(props.role_arn),
            ),
        }
    }

    pub fn handle(&self) -> &Handle<l1::PodIdentityAssociation> {
        &self.handle
    }
}

/// The cluster's OIDC issuer registered as an IAM identity provider (`AWS::IAM::OIDCProvider`), for
/// IRSA. Native CloudFormation: no thumbprint lookup Lambda (IAM obtains the issuer's certificate
/// chain itself).
#[derive(Clone, Debug)]
pub struct OidcProvider {
    handle: Handle<l1_iam::OIDCProvider>,
}

impl OidcProvider {
    pub fn for_cluster(parent: &mut impl Parent, id: &str, cluster: &Cluster) -> OidcProvider {
        OidcProvider {
            handle: parent.child(id).add(
                "Resource",
                l1_iam::OIDCProvider::new()
                    .url(cluster.oidc_issuer_url())
                    .client_id_list(vec![STS_AUDIENCE]),
            ),
        }
    }

    /// `Ref`: the provider ARN (`arn:...:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>`).
    pub fn arn(&self) -> Str {
        self.handle.reference()
    }

    /// The issuer without `https://` (`oidc.eks.<region>.amazonaws.com/id/<id>`), the prefix of the
    /// condition keys in IRSA trust policies: the part of the ARN after `oidc-provider/`.
    pub fn issuer(&self) -> Str {
        fns::select(1, fns::split("oidc-provider/", self.arn()))
    }

    pub fn handle(&self) -> &Handle<l1_iam::OIDCProvider> {
        &self.handle
    }
}

/// How pods get the role.
#[derive(Clone, Copy, Debug)]
pub enum PodRoleTrust<'a> {
    /// EKS Pod Identity: the role trusts `pods.eks.amazonaws.com` and an association binds it to the
    /// service account.
    PodIdentity,
    /// IRSA: the role trusts the cluster's OIDC provider for tokens of exactly this service account;
    /// annotate the service account with the role ARN (`eks.amazonaws.com/role-arn`).
    Irsa(&'a OidcProvider),
}

/// Properties of a [`ServiceAccountRole`].
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceAccountRoleProps {
    pub service_account: ServiceAccount,
    /// The permissions, as the inline policy `Permissions`. Default: none.
    pub policy: Option<PolicyDocument>,
    /// Managed policies to attach. Default: none.
    pub managed_policy_arns: Vec<Str>,
    /// Default: none.
    pub description: Option<String>,
    /// Pod Identity only: create the `AWS::EKS::PodIdentityAssociation`. Default: true. False when an
    /// EKS add-on associates the role itself (`AddonProps::pod_identity_association`): an add-on
    /// cannot take over an existing association.
    pub associate: bool,
}

impl ServiceAccountRoleProps {
    pub fn new(service_account: ServiceAccount) -> Self {
        ServiceAccountRoleProps {
            service_account,
            policy: None,
            managed_policy_arns: Vec::new(),
            description: None,
            associate: true,
        }
    }
    pub fn policy(mut self, document: PolicyDocument) -> Self {
        self.policy = Some(document);
        self
    }
    pub fn managed_policy(mut self, arn: impl Into<Str>) -> Self {
        self.managed_policy_arns.push(arn.into());
        self
    }
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// No standalone association: an EKS add-on will associate the role (see [`Self::associate`]).
    pub fn without_association(mut self) -> Self {
        self.associate = false;
        self
    }
}

/// An IAM role for the pods of one service account, trusted through Pod Identity or IRSA.
#[derive(Clone, Debug)]
pub struct ServiceAccountRole {
    role: Role,
    association: Option<PodIdentityAssociation>,
}

impl ServiceAccountRole {
    pub fn new(
        parent: &mut impl Parent,
        id: &str,
        cluster: &Cluster,
        trust: PodRoleTrust<'_>,
        props: ServiceAccountRoleProps,
    ) -> ServiceAccountRole {
        let account = &props.service_account;
        let trust_policy = match trust {
            PodRoleTrust::PodIdentity => PolicyDocument::new().statement(
                PolicyStatement::allow()
                    .principal(Principal::service(POD_IDENTITY_PRINCIPAL))
                    // Pod Identity tags the session with the cluster, namespace and service account.
                    .actions(["sts:AssumeRole", "sts:TagSession"]),
            ),
            PodRoleTrust::Irsa(provider) => {
                let issuer = provider.issuer();
                // `${Issuer}:sub` / `${Issuer}:aud`: one named variable shared by both keys.
                let key = |claim: &str| fns::sub_with(format!("${{Issuer}}:{claim}"), [("Issuer", issuer.clone())]);
                PolicyDocument::new().statement(
                    PolicyStatement::allow()
                        .principal(Principal::federated(provider.arn()))
                        .actions(["sts:AssumeRoleWithWebIdentity"])
                        .condition("StringEquals", key("sub"), account.subject())
                        .condition("StringEquals", key("aud"), STS_AUDIENCE),
                )
            }
        };
        let mut role_props = RoleProps::with_trust(trust_policy);
        role_props.description = Some(
            props
                .description
                .clone()
                .unwrap_or_else(|| format!("Pods of the service account {account}")),
        );
        role_props.managed_policy_arns = props.managed_policy_arns.clone();
        if let Some(policy) = &props.policy {
            role_props = role_props.inline_policy("Permissions", policy.clone());
        }
        let mut scope = parent.child(id);
        let role = Role::new(&mut scope, "Role", role_props);
        let association = (props.associate && matches!(trust, PodRoleTrust::PodIdentity)).then(|| {
            PodIdentityAssociation::new(
                &mut scope,
                "Association",
                PodIdentityAssociationProps {
                    cluster_name: cluster.name(),
                    service_account: account.clone(),
                    role_arn: role.arn(),
                },
            )
        });
        ServiceAccountRole { role, association }
    }

    /// `Fn::GetAtt Arn` of the role.
    pub fn role_arn(&self) -> Str {
        self.role.arn()
    }

    pub fn role(&self) -> &Role {
        &self.role
    }

    /// The association (Pod Identity only).
    pub fn association(&self) -> Option<&PodIdentityAssociation> {
        self.association.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eks::ClusterProps;
    use crate::test_util::template;
    use kumo_core::Stack;
    use kumo_core::assertions::Match;
    use serde_json::json;

    fn cluster(stack: &mut Stack) -> Cluster {
        Cluster::new(
            stack,
            "C",
            ClusterProps::new("1.36", vec![Str::from("a"), Str::from("b")]),
        )
    }

    fn permissions() -> PolicyDocument {
        PolicyDocument::new().statement(
            PolicyStatement::allow()
                .actions(["route53:ListHostedZones"])
                .all_resources(),
        )
    }

    #[test]
    fn pod_identity_role_and_association() {
        let mut stack = Stack::new("T");
        let cluster = cluster(&mut stack);
        let role = ServiceAccountRole::new(
            &mut stack,
            "ExternalDns",
            &cluster,
            PodRoleTrust::PodIdentity,
            ServiceAccountRoleProps::new(ServiceAccount::new("kube-system", "external-dns")).policy(permissions()),
        );
        let t = template(&stack);
        t.has_resource_properties(
            "AWS::IAM::Role",
            json!({
                "AssumeRolePolicyDocument": {"Statement": [{
                    "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]
                }]},
                "Policies": [{"PolicyName": "Permissions"}]
            }),
        );
        t.has_resource_properties(
            "AWS::EKS::PodIdentityAssociation",
            json!({
                "ClusterName": {"Ref": cluster.handle().logical_id().as_str()},
                "Namespace": "kube-system", "ServiceAccount": "external-dns",
                "RoleArn": {"Fn::GetAtt": [role.role().handle().logical_id().as_str(), "Arn"]}
            }),
        );
    }

    #[test]
    fn irsa_role_trusts_only_its_service_account() {
        let mut stack = Stack::new("T");
        let cluster = cluster(&mut stack);
        let provider = OidcProvider::for_cluster(&mut stack, "Oidc", &cluster);
        ServiceAccountRole::new(
            &mut stack,
            "ExternalDns",
            &cluster,
            PodRoleTrust::Irsa(&provider),
            ServiceAccountRoleProps::new(ServiceAccount::new("kube-system", "external-dns")).policy(permissions()),
        );
        let t = template(&stack);
        t.resource_count_is("AWS::EKS::PodIdentityAssociation", 0);
        t.has_resource_properties(
            "AWS::IAM::OIDCProvider",
            json!({"Url": {"Fn::GetAtt": [cluster.handle().logical_id().as_str(), "OpenIdConnectIssuerUrl"]}, "ClientIdList": ["sts.amazonaws.com"]}),
        );
        let provider_id = provider.handle().logical_id().as_str();
        let roles = t.find_resources(
            "AWS::IAM::Role",
            json!({"Properties": {"AssumeRolePolicyDocument": {"Fn::Sub": Match::any_value()}}}),
        );
        let (_, role) = roles.first().expect("the IRSA role's trust policy is a Fn::Sub");
        let sub = &role["Properties"]["AssumeRolePolicyDocument"]["Fn::Sub"];
        let text = sub[0].as_str().unwrap();
        assert_eq!(
            sub[1],
            json!({"Issuer": {"Fn::Select": [1, {"Fn::Split": ["oidc-provider/", {"Ref": provider_id}]}]}})
        );
        let resolved = text
            .replace("${Issuer}", "oidc.example/id/X")
            .replace(&format!("${{{provider_id}}}"), "arn:p");
        let parsed: serde_json::Value = serde_json::from_str(&resolved).unwrap();
        assert_eq!(
            parsed["Statement"][0],
            json!({
                "Effect": "Allow",
                "Principal": {"Federated": "arn:p"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    "oidc.example/id/X:sub": "system:serviceaccount:kube-system:external-dns",
                    "oidc.example/id/X:aud": "sts.amazonaws.com"
                }}
            })
        );
    }
}
