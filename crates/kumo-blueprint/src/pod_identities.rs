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

use kumo_constructs::eks::{
    Addon, AddonProps, Cluster, OidcProvider, PodRoleTrust, ServiceAccount, ServiceAccountRole,
    ServiceAccountRoleProps, load_balancer_controller,
};
use kumo_constructs::iam::{PolicyDocument, PolicyStatement};
use kumo_constructs::rds::DatabaseSecret;
use kumo_constructs::route53::ZoneRef;
use kumo_constructs::secretsmanager::decrypt_through_secrets_manager;
use kumo_core::security::Rule;
use kumo_core::{Output, Stack};

use crate::{PodIdentityConfig, PodIdentityMode};

/// The pod roles, like the seed's `NewIamRolesForServiceAccounts`.
pub fn new_pod_identities(
    stack: &mut Stack,
    config: &PodIdentityConfig,
    cluster: &Cluster,
    db_secret: &DatabaseSecret,
    hosted_zone: &ZoneRef,
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
        let account = ServiceAccount::new(account.namespace.as_str(), account.name.as_str());
        let role = ServiceAccountRole::new(
            stack,
            id,
            cluster,
            trust,
            ServiceAccountRoleProps::new(account).policy(policy),
        );
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
    }
}
