//! IAM roles for pods (seed `irsa.go`, whose body the seed's post does not show: "an IAM role to create
//! Kubernetes secrets from Secrets Manager and one to register records in Route 53").
//!
//! * External Secrets reads the database secret, and only that secret.
//! * ExternalDNS changes records in the blueprint's hosted zone, and only that zone (plus the read-only
//!   listing it needs to find the zone).
//! * The AWS Load Balancer Controller (the seed's `AlbController`) gets its published IAM policy.
//!
//! Seed: IRSA, with the OIDC provider made by a CDK custom resource. kumo default: EKS Pod Identity
//! (associations and the `eks-pod-identity-agent` add-on, no OIDC provider at all); `mode = "irsa"`
//! selects IRSA with a native `AWS::IAM::OIDCProvider`.
//!
//! ExternalDNS itself runs as the EKS community add-on `external-dns` (no Helm, no Lambda), which gets
//! its role through the add-on's own `PodIdentityAssociations` (Pod Identity) or `ServiceAccountRoleArn`
//! (IRSA): an add-on cannot take over a standalone association, so its role has none. It manages only
//! the blueprint's zone (`domainFilters`), owns its records as the stack (`txtOwnerId`), and removes the
//! records it created when their Service or Ingress goes (`policy = sync`). The Load Balancer
//! Controller is no add-on: `kumo deploy` installs it into the cluster (crate `kumo-kube`).

use kumo_constructs::eks::{
    Addon, AddonProps, Cluster, OidcProvider, PodRoleTrust, ServiceAccount, ServiceAccountRole,
    ServiceAccountRoleProps, load_balancer_controller,
};
use kumo_constructs::iam::{PolicyDocument, PolicyStatement};
use kumo_constructs::rds::DatabaseSecret;
use kumo_constructs::route53::PublicHostedZone;
use kumo_constructs::secretsmanager::decrypt_through_secrets_manager;
use kumo_core::security::Rule;
use kumo_core::{Output, Stack, fns};

use crate::{PodIdentityConfig, PodIdentityMode};

/// The pod roles, like the seed's `NewIamRolesForServiceAccounts`.
pub fn new_pod_identities(
    stack: &mut Stack,
    config: &PodIdentityConfig,
    cluster: &Cluster,
    db_secret: &DatabaseSecret,
    hosted_zone: &PublicHostedZone,
) {
    let oidc_provider = match config.mode {
        PodIdentityMode::PodIdentity => {
            // The node agent that hands pods their role's credentials.
            Addon::new(
                stack,
                "EKSPodIdentityAgent",
                AddonProps::new(cluster.name(), "eks-pod-identity-agent"),
            );
            None
        }
        PodIdentityMode::Irsa => Some(OidcProvider::for_cluster(stack, "EKSClusterOIDCProvider", cluster)),
    };
    let trust = match &oidc_provider {
        Some(provider) => PodRoleTrust::Irsa(provider),
        None => PodRoleTrust::PodIdentity,
    };

    let mut external_secrets = PolicyDocument::new().statement(
        PolicyStatement::allow()
            .actions(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"])
            .resource(db_secret.arn()),
    );
    // The secret is encrypted with the environment key: decrypting it, through Secrets Manager only.
    if let Some(key) = db_secret.secret().kms_key_arn() {
        external_secrets.add_statement(decrypt_through_secrets_manager([key.clone()]));
    }
    let external_dns = PolicyDocument::new()
        .statement(
            PolicyStatement::allow()
                .actions([
                    "route53:ChangeResourceRecordSets",
                    "route53:ListResourceRecordSets",
                    "route53:ListTagsForResources",
                ])
                .resource(hosted_zone.arn()),
        )
        // route53:ListHostedZones has no resource type: IAM only accepts "*" for it.
        .statement(
            PolicyStatement::allow()
                .actions(["route53:ListHostedZones"])
                .all_resources(),
        );

    let roles = [
        (
            "ExternalSecrets",
            &config.external_secrets_service_account,
            external_secrets,
        ),
        ("ExternalDns", &config.external_dns_service_account, external_dns),
        (
            "LoadBalancerController",
            &config.load_balancer_controller_service_account,
            load_balancer_controller::policy(),
        ),
    ];
    for (id, account, policy) in roles {
        let service_account = ServiceAccount::new(account.namespace.as_str(), account.name.as_str());
        let mut props = ServiceAccountRoleProps::new(service_account).policy(policy);
        if id == "ExternalDns" {
            // The add-on below associates the role itself.
            props = props.without_association();
        }
        let role = ServiceAccountRole::new(stack, id, cluster, trust, props);
        if id == "LoadBalancerController" {
            for rule in [Rule::IamWildcardResource, Rule::IamWriteWithoutCondition] {
                stack.waive(
                    role.role().handle(),
                    rule,
                    "the AWS Load Balancer Controller's published IAM policy (v3.5.0), kept verbatim so an upgrade is a \
                     diff against upstream; the controller creates and tags the load balancers, target groups and \
                     security groups it manages, whose ARNs are not known in advance",
                );
            }
        }
        if oidc_provider.is_some() {
            // With IRSA the service account is annotated with the role ARN (`eks.amazonaws.com/role-arn`).
            stack.add_output(
                format!("{id}RoleArn"),
                Output::new(role.role_arn()).description("Role ARN for the service account annotation"),
            );
        }
        if id == "ExternalDns" {
            external_dns_addon(stack, cluster, account, &role, oidc_provider.is_some(), hosted_zone);
        }
    }

    // Read by `kumo deploy`, which installs the controller for this service account.
    let lbc = &config.load_balancer_controller_service_account;
    stack.add_output(
        "LoadBalancerControllerServiceAccount",
        Output::new(format!("{}/{}", lbc.namespace, lbc.name))
            .description("Service account of the AWS Load Balancer Controller (namespace/name)"),
    );
}

/// The add-on's own namespace; another one is set through the add-on's `NamespaceConfig`.
pub const EXTERNAL_DNS_ADDON_NAMESPACE: &str = "external-dns";
/// The service account the add-on creates (its name cannot be configured).
pub const EXTERNAL_DNS_ADDON_SERVICE_ACCOUNT: &str = "external-dns";

/// ExternalDNS as the EKS community add-on, for the blueprint's zone only.
fn external_dns_addon(
    stack: &mut Stack,
    cluster: &Cluster,
    account: &crate::ServiceAccount,
    role: &ServiceAccountRole,
    irsa: bool,
    hosted_zone: &PublicHostedZone,
) {
    // `sync` deletes the records it created once their Service / Ingress is gone (the add-on's default,
    // `upsert-only`, never deletes); the TXT owner id marks which records are this stack's.
    let configuration = serde_json::json!({
        "domainFilters": [hosted_zone.zone_name()],
        "policy": "sync",
        "txtOwnerId": "${AWS::StackName}",
    });
    let mut props =
        AddonProps::new(cluster.name(), "external-dns").configuration_values(fns::sub(configuration.to_string()));
    props = if irsa {
        props.service_account_role_arn(role.role_arn())
    } else {
        props.pod_identity_association(account.name.as_str(), role.role_arn())
    };
    if account.namespace != EXTERNAL_DNS_ADDON_NAMESPACE {
        props = props.namespace(account.namespace.as_str());
    }
    Addon::new(stack, "ExternalDnsAddon", props);
}
