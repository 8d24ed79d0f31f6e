//! The pod roles (seed `irsa_test.go`): External Secrets, ExternalDNS and the AWS Load Balancer
//! Controller, through EKS Pod Identity (default) or IRSA.

mod common;

use common::*;
use kumo_blueprint::Config;
use kumo_core::assertions::Match;
use serde_json::{Value, json};

const ROLES: [(&str, &str, &str); 3] = [
    ("ExternalSecrets", "external-secrets", "external-secrets"),
    ("ExternalDns", "external-dns", "external-dns"),
    ("LoadBalancerController", "kube-system", "aws-load-balancer-controller"),
];

#[test]
fn pod_identity_agent_and_one_association_per_service_account() {
    let t = default_template();
    let cluster = id_of(&t, "AWS::EKS::Cluster", "EKSCluster");
    t.resource_count_is("AWS::IAM::OIDCProvider", 0);
    t.has_resource_properties(
        "AWS::EKS::Addon",
        json!({"AddonName": "eks-pod-identity-agent", "ClusterName": r#ref(&cluster)}),
    );
    // ExternalDNS's role is associated by its add-on, not by a standalone association.
    t.resource_count_is("AWS::EKS::PodIdentityAssociation", 2);
    for (id, namespace, account) in ROLES {
        let role = id_of(&t, "AWS::IAM::Role", &format!("{id}Role"));
        if id != "ExternalDns" {
            t.has_resource_properties(
                "AWS::EKS::PodIdentityAssociation",
                json!({"ClusterName": r#ref(&cluster), "Namespace": namespace, "ServiceAccount": account, "RoleArn": get_att(&role, "Arn")}),
            );
        }
        t.has_resource_properties(
            "AWS::IAM::Role",
            json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"]
            }]}, "Description": format!("Pods of the service account {namespace}/{account}")}),
        );
    }
}

#[test]
fn external_secrets_reads_only_the_database_secret() {
    let t = default_template();
    let role = id_of(&t, "AWS::IAM::Role", "ExternalSecretsRole");
    let attachment = id_of(
        &t,
        "AWS::SecretsManager::SecretTargetAttachment",
        "DatabaseClusterSecretAttachment",
    );
    let key = id_of(&t, "AWS::KMS::Key", "EnvironmentKey");
    assert_eq!(
        inline_statements(&t, &role),
        [
            json!({
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": r#ref(&attachment)
            }),
            // The secret's key, only through Secrets Manager.
            json!({
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": get_att(&key, "Arn"),
                "Condition": {"StringEquals": {"kms:ViaService": {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}}}
            })
        ]
    );
    assert!(resource(&t, &role)["Properties"]["ManagedPolicyArns"].is_null());
}

#[test]
fn external_dns_changes_only_the_blueprints_zone() {
    let t = default_template();
    let role = id_of(&t, "AWS::IAM::Role", "ExternalDnsRole");
    let zone = id_of(&t, "AWS::Route53::HostedZone", "PublicHostedZone");
    assert_eq!(
        inline_statements(&t, &role),
        [
            json!({
                "Effect": "Allow",
                "Action": ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"],
                "Resource": {"Fn::Sub": format!("arn:${{AWS::Partition}}:route53:::hostedzone/${{{zone}}}")}
            }),
            json!({"Effect": "Allow", "Action": "route53:ListHostedZones", "Resource": "*"})
        ]
    );
}

#[test]
fn load_balancer_controller_role_carries_the_published_policy() {
    let t = default_template();
    let role = id_of(&t, "AWS::IAM::Role", "LoadBalancerControllerRole");
    let statements = inline_statements(&t, &role);
    assert_eq!(
        statements.len(),
        16,
        "the 16 statements of the upstream iam_policy.json"
    );
    let actions: usize = statements.iter().map(|s| list(&s["Action"]).len()).sum();
    assert_eq!(actions, 86);
    // Scoped as upstream scopes it: tagging only on the controller's own resources ...
    assert!(statements.contains(&json!({
        "Effect": "Allow",
        "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
        "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ec2:*:*:security-group/*"},
        "Condition": {"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}
    })));
    // ... the service-linked role only for Elastic Load Balancing ...
    assert!(statements.contains(&json!({
        "Effect": "Allow",
        "Action": "iam:CreateServiceLinkedRole",
        "Resource": "*",
        "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}
    })));
    // ... and deletions only of tagged load balancers and target groups.
    let deleting = statements
        .iter()
        .find(|s| list(&s["Action"]).contains(&json!("elasticloadbalancing:DeleteLoadBalancer")))
        .expect("DeleteLoadBalancer is granted");
    assert_eq!(
        deleting["Condition"],
        json!({"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}})
    );
}

#[test]
fn irsa_uses_a_native_oidc_provider_and_service_account_scoped_trust() {
    let t = template(&irsa());
    let cluster = id_of(&t, "AWS::EKS::Cluster", "EKSCluster");
    t.resource_count_is("AWS::EKS::PodIdentityAssociation", 0);
    // No pod identity agent; the external-dns add-on takes its role through IRSA.
    t.resource_count_is("AWS::EKS::Addon", 1);
    let role = id_of(&t, "AWS::IAM::Role", "ExternalDnsRole");
    let addon = id_of(&t, "AWS::EKS::Addon", "ExternalDnsAddon");
    assert_eq!(
        resource(&t, &addon)["Properties"]["ServiceAccountRoleArn"],
        get_att(&role, "Arn")
    );
    assert!(resource(&t, &addon)["Properties"]["PodIdentityAssociations"].is_null());
    let provider = id_of(&t, "AWS::IAM::OIDCProvider", "EKSClusterOIDCProvider");
    assert_eq!(
        resource(&t, &provider)["Properties"],
        json!({"ClientIdList": ["sts.amazonaws.com"], "Url": get_att(&cluster, "OpenIdConnectIssuerUrl")})
    );
    for (id, namespace, account) in ROLES {
        let role = id_of(&t, "AWS::IAM::Role", &format!("{id}Role"));
        let trust = &resource(&t, &role)["Properties"]["AssumeRolePolicyDocument"]["Fn::Sub"];
        assert_eq!(
            trust[1],
            json!({"Issuer": {"Fn::Select": [1, {"Fn::Split": ["oidc-provider/", r#ref(&provider)]}]}})
        );
        // What IAM receives once CloudFormation substitutes the issuer and the provider ARN.
        let text = trust[0]
            .as_str()
            .unwrap()
            .replace("${Issuer}", "oidc.eks.ap-northeast-1.amazonaws.com/id/ABC")
            .replace(&format!("${{{provider}}}"), "arn:aws:iam::111122223333:oidc-provider/x");
        let document: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            document,
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/x"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    "oidc.eks.ap-northeast-1.amazonaws.com/id/ABC:sub": format!("system:serviceaccount:{namespace}:{account}"),
                    "oidc.eks.ap-northeast-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"
                }}
            }]})
        );
        t.has_output(&format!("{id}RoleArn"), json!({"Value": get_att(&role, "Arn")}));
    }
}

#[test]
fn service_accounts_come_from_the_configuration() {
    let mut config = Config::default();
    config.pod_identity.external_secrets_service_account = "secrets/my-external-secrets".parse().unwrap();
    config.pod_identity.external_dns_service_account = "dns/external-dns".parse().unwrap();
    let t = template(&config);
    t.has_resource_properties(
        "AWS::EKS::PodIdentityAssociation",
        json!({"Namespace": "secrets", "ServiceAccount": "my-external-secrets"}),
    );
    // The add-on goes into the configured namespace.
    t.has_resource_properties(
        "AWS::EKS::Addon",
        json!({"AddonName": "external-dns", "NamespaceConfig": {"Namespace": "dns"}}),
    );
    let pod_identity = default_template();
    assert!(
        pod_identity
            .find_outputs(json!({"Value": {"Fn::GetAtt": [Match::string_like_regexp("Role"), "Arn"]}}))
            .is_empty()
    );
}

#[test]
fn external_dns_runs_as_the_eks_addon_for_the_blueprints_zone_only() {
    let t = default_template();
    let cluster = id_of(&t, "AWS::EKS::Cluster", "EKSCluster");
    let role = id_of(&t, "AWS::IAM::Role", "ExternalDnsRole");
    let addon = id_of(&t, "AWS::EKS::Addon", "ExternalDnsAddon");
    let properties = &resource(&t, &addon)["Properties"];
    assert_eq!(properties["AddonName"], "external-dns");
    assert_eq!(properties["ClusterName"], r#ref(&cluster));
    // The add-on's own association (write-only in CloudFormation: drift detection cannot see it).
    assert_eq!(
        properties["PodIdentityAssociations"],
        json!([{"ServiceAccount": "external-dns", "RoleArn": get_att(&role, "Arn")}])
    );
    // Its default namespace: no NamespaceConfig.
    assert!(properties["NamespaceConfig"].is_null());
    // Only the zone, records owned by this stack, and deleted again with their Service or Ingress.
    let configuration = properties["ConfigurationValues"]["Fn::Sub"]
        .as_str()
        .expect("a Fn::Sub string");
    let document: Value = serde_json::from_str(&configuration.replace("${AWS::StackName}", "MyEKSStack")).unwrap();
    assert_eq!(
        document,
        json!({"domainFilters": ["example.com"], "policy": "sync", "txtOwnerId": "MyEKSStack"})
    );
    // No standalone association for its service account.
    let associations = t.find_resources("AWS::EKS::PodIdentityAssociation", json!({}));
    assert!(
        associations
            .values()
            .all(|a| a["Properties"]["ServiceAccount"] != "external-dns"),
        "{associations:?}"
    );
}

#[test]
fn the_load_balancer_controllers_service_account_is_an_output() {
    let t = default_template();
    t.has_output(
        "LoadBalancerControllerServiceAccount",
        json!({"Value": "kube-system/aws-load-balancer-controller"}),
    );
}
