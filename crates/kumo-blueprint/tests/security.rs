//! Security defaults of the whole template: IMDSv2, encryption at rest, least-privilege IAM, no secret
//! values, nothing public that need not be.

mod common;

use common::*;
use kumo_blueprint::Config;
use serde_json::{Value, json};

/// The only actions granted on `"Resource": "*"` in identity policies, each with the reason. Every
/// other statement names its resources. (In KMS key policies `"*"` means "this key" and is required.)
const STAR_RESOURCE_ACTIONS: &[(&[&str], &str)] = &[
    (
        &["ecr:GetAuthorizationToken"],
        "registry login: the action has no resource type",
    ),
    (
        &["route53:ListHostedZones"],
        "ExternalDNS finds the zone: the action has no resource type",
    ),
    (
        &[
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        ],
        "CodeBuild in a VPC: EC2 Describe calls have no resource-level permissions",
    ),
    (
        &["iam:CreateServiceLinkedRole"],
        "LB controller (upstream policy): names the role by service; conditioned to elasticloadbalancing.amazonaws.com",
    ),
    (
        &[
            "ec2:DescribeAccountAttributes",
            "ec2:DescribeAddresses",
            "ec2:DescribeAvailabilityZones",
            "ec2:DescribeInternetGateways",
            "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeInstances",
            "ec2:DescribeTags",
            "ec2:GetCoipPoolUsage",
            "ec2:DescribeCoipPools",
            "ec2:GetSecurityGroupsForVpc",
            "ec2:DescribeIpamPools",
            "ec2:DescribeRouteTables",
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeListenerCertificates",
            "elasticloadbalancing:DescribeSSLPolicies",
            "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeTrustStores",
            "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:DescribeCapacityReservation",
        ],
        "LB controller (upstream policy): reads without resource-level permissions",
    ),
    (
        &[
            "cognito-idp:DescribeUserPoolClient",
            "acm:ListCertificates",
            "acm:DescribeCertificate",
            "iam:ListServerCertificates",
            "iam:GetServerCertificate",
            "waf-regional:GetWebACL",
            "waf-regional:GetWebACLForResource",
            "waf-regional:AssociateWebACL",
            "waf-regional:DisassociateWebACL",
            "wafv2:GetWebACL",
            "wafv2:GetWebACLForResource",
            "wafv2:AssociateWebACL",
            "wafv2:DisassociateWebACL",
            "shield:GetSubscriptionState",
            "shield:DescribeProtection",
            "shield:CreateProtection",
            "shield:DeleteProtection",
        ],
        "LB controller (upstream policy): certificates, user pools and web ACLs are named in Ingress annotations at run time",
    ),
    (
        &["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
        "LB controller (upstream policy): opens the EKS-created node security groups to its load balancers",
    ),
    (
        &[
            "ec2:CreateSecurityGroup",
            "elasticloadbalancing:CreateLoadBalancer",
            "elasticloadbalancing:CreateTargetGroup",
        ],
        "LB controller (upstream policy): creations have no ARN yet; the request-tag condition scopes them",
    ),
    (
        &[
            "ec2:DeleteSecurityGroup",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
            "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:DeleteLoadBalancer",
            "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
            "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:ModifyListenerAttributes",
            "elasticloadbalancing:ModifyCapacityReservation",
            "elasticloadbalancing:ModifyIpPools",
        ],
        "LB controller (upstream policy): scoped by the resource-tag condition to the controller's own resources",
    ),
    (
        &[
            "elasticloadbalancing:CreateListener",
            "elasticloadbalancing:DeleteListener",
            "elasticloadbalancing:CreateRule",
            "elasticloadbalancing:DeleteRule",
            "elasticloadbalancing:SetWebAcl",
            "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:AddListenerCertificates",
            "elasticloadbalancing:RemoveListenerCertificates",
            "elasticloadbalancing:ModifyRule",
            "elasticloadbalancing:SetRulePriorities",
        ],
        "LB controller (upstream policy): listeners and rules of the load balancers it creates",
    ),
];

fn star_allowed(action: &str) -> bool {
    STAR_RESOURCE_ACTIONS
        .iter()
        .any(|(actions, _)| actions.contains(&action))
}

fn statements(document: &Value) -> Vec<Value> {
    list(&document["Statement"])
}

#[test]
fn no_statement_grants_wildcard_actions() {
    for (name, config) in variants() {
        for (id, kind, document) in policy_documents(&template(&config)) {
            for statement in statements(&document) {
                assert!(
                    statement.get("NotAction").is_none() && statement.get("NotResource").is_none(),
                    "{name} {id}"
                );
                for action in list(&statement["Action"]) {
                    let action = action.as_str().expect("actions are literal");
                    assert!(!action.contains('*'), "{name}: {id} ({kind:?}) grants {action}");
                }
            }
        }
    }
}

#[test]
fn star_resources_only_where_aws_requires_them() {
    let mut used: Vec<String> = Vec::new();
    for (name, config) in variants() {
        for (id, kind, document) in policy_documents(&template(&config)) {
            for statement in statements(&document) {
                let resources = list(&statement["Resource"]);
                match kind {
                    PolicyKind::Trust => assert!(resources.is_empty(), "{name}: trust policy of {id} names resources"),
                    PolicyKind::KeyPolicy => assert_eq!(resources, [json!("*")], "{name}: key policy of {id}"),
                    PolicyKind::Identity => {
                        if resources.contains(&json!("*")) {
                            assert_eq!(resources.len(), 1, "{name}: {id} mixes * with ARNs");
                            for action in list(&statement["Action"]) {
                                let action = action.as_str().unwrap();
                                assert!(
                                    star_allowed(action),
                                    "{name}: {id} grants {action} on *; scope it or justify it in STAR_RESOURCE_ACTIONS"
                                );
                                if !used.iter().any(|u| u == action) {
                                    used.push(action.to_owned());
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // The list holds nothing stale.
    for (actions, reason) in STAR_RESOURCE_ACTIONS {
        for action in *actions {
            assert!(
                used.iter().any(|u| u == action),
                "{action} ({reason}) is no longer granted on *: remove it from the list"
            );
        }
    }
}

/// The account administers keys; it uses one only through a service (`kms:ViaService`: the environment
/// key through Secrets Manager), never directly.
#[test]
fn key_policies_give_the_account_no_direct_cryptographic_use() {
    for (id, kind, document) in policy_documents(&default_template()) {
        if kind != PolicyKind::KeyPolicy {
            continue;
        }
        for statement in statements(&document) {
            let account_wide = statement["Principal"]["AWS"]["Fn::Sub"]
                .as_str()
                .is_some_and(|arn| arn.ends_with(":root"));
            let actions = list(&statement["Action"]);
            let through_a_service = !statement["Condition"]["StringEquals"]["kms:ViaService"].is_null();
            if account_wide && !through_a_service {
                for crypto in [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                    "kms:GenerateDataKey",
                ] {
                    assert!(!actions.contains(&json!(crypto)), "{id}: the account may {crypto}");
                }
            }
        }
    }
}

#[test]
fn nodes_require_imdsv2() {
    for (name, config) in variants() {
        let t = template(&config);
        let templates = resources_of(&t, "AWS::EC2::LaunchTemplate");
        assert!(!templates.is_empty());
        for (id, launch_template) in &templates {
            assert_eq!(
                launch_template["Properties"]["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"], "required",
                "{name}: {id}"
            );
        }
        // Every node group launches from one of them.
        for (id, group) in resources_of(&t, "AWS::EKS::Nodegroup") {
            let used = &group["Properties"]["LaunchTemplate"]["Id"]["Ref"];
            assert!(
                templates.iter().any(|(lt, _)| used == lt),
                "{name}: node group {id} has no launch template"
            );
        }
    }
}

#[test]
fn data_is_encrypted_at_rest() {
    for (name, config) in variants() {
        let t = template(&config);
        // EBS: every block device of every launch template.
        for (id, launch_template) in resources_of(&t, "AWS::EC2::LaunchTemplate") {
            let devices = list(&launch_template["Properties"]["LaunchTemplateData"]["BlockDeviceMappings"]);
            assert!(
                !devices.is_empty(),
                "{name}: {id} keeps the AMI's (maybe unencrypted) volumes"
            );
            for device in devices {
                assert_eq!(device["Ebs"]["Encrypted"], true, "{name}: {id}");
            }
        }
        // Aurora storage.
        for (id, cluster) in resources_of(&t, "AWS::RDS::DBCluster") {
            assert_eq!(cluster["Properties"]["StorageEncrypted"], true, "{name}: {id}");
        }
        // Kubernetes secrets: envelope encryption with a rotating customer managed key.
        for (id, cluster) in resources_of(&t, "AWS::EKS::Cluster") {
            let encryption = &cluster["Properties"]["EncryptionConfig"][0];
            assert_eq!(encryption["Resources"], json!(["secrets"]), "{name}: {id}");
            let key = encryption["Provider"]["KeyArn"]["Fn::GetAtt"][0]
                .as_str()
                .expect("a key of the stack");
            assert_eq!(
                resource(&t, key)["Properties"]["EnableKeyRotation"],
                true,
                "{name}: {key}"
            );
        }
    }
}

#[test]
fn no_secret_value_in_the_template() {
    for (name, config) in variants() {
        let t = template(&config);
        let mut problems = Vec::new();
        walk(t.to_json(), "", &mut problems);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        // Generated, never given: the secret has a generator and no value.
        for (id, secret) in resources_of(&t, "AWS::SecretsManager::Secret") {
            assert!(secret["Properties"]["SecretString"].is_null(), "{name}: {id}");
            assert!(secret["Properties"]["GenerateSecretString"].is_object(), "{name}: {id}");
        }
    }
}

/// Any property that holds a password (`MasterUserPassword`, ...) or a secret string must be a dynamic
/// reference, never a literal.
fn walk(value: &Value, path: &str, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{path}/{key}");
                let lower = key.to_lowercase();
                if (lower.ends_with("password") || lower == "secretstring") && !is_dynamic_reference(item) {
                    problems.push(format!("{here} = {item}"));
                }
                walk(item, &here, problems);
            }
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, item)| walk(item, &format!("{path}/{i}"), problems)),
        _ => {}
    }
}

#[test]
fn the_secret_scan_catches_a_literal_password() {
    let mut problems = Vec::new();
    walk(
        &json!({"Resources": {"Db": {"Properties": {"MasterUserPassword": "hunter2", "PasswordLength": 30}}}}),
        "",
        &mut problems,
    );
    assert_eq!(problems, ["/Resources/Db/Properties/MasterUserPassword = \"hunter2\""]);
}

fn is_dynamic_reference(value: &Value) -> bool {
    value["Fn::Sub"]
        .as_str()
        .is_some_and(|text| text.starts_with("{{resolve:secretsmanager:") && text.ends_with("}}"))
}

#[test]
fn nothing_public_that_need_not_be() {
    let t = default_template();
    for (id, instance) in resources_of(&t, "AWS::RDS::DBInstance") {
        assert_eq!(instance["Properties"]["PubliclyAccessible"], false, "{id}");
    }
    // Only the public subnets map public IPs, and nodes run in the private ones.
    for (id, subnet) in resources_of(&t, "AWS::EC2::Subnet") {
        let public = subnet["Properties"]["MapPublicIpOnLaunch"] == true;
        assert_eq!(public, id.starts_with("VPCPublicSubnet"), "{id}");
    }
    // No security group accepts traffic from the internet, and none allows all traffic out.
    for (id, group) in resources_of(&t, "AWS::EC2::SecurityGroup") {
        for rule in list(&group["Properties"]["SecurityGroupIngress"]) {
            assert_ne!(rule["CidrIp"], "0.0.0.0/0", "{id}");
        }
        let egress = list(&group["Properties"]["SecurityGroupEgress"]);
        assert!(!egress.is_empty(), "{id} keeps EC2's allow-all egress");
        for rule in egress {
            assert_ne!(rule["IpProtocol"], "-1", "{id}");
        }
    }
    for (id, rule) in resources_of(&t, "AWS::EC2::SecurityGroupIngress") {
        assert!(
            rule["Properties"]["CidrIp"].is_null(),
            "{id}: ingress rules come from security groups only"
        );
    }
}

#[test]
fn cheap_profile_keeps_every_security_default() {
    let t = template(&Config::cheap());
    t.has_resource_properties("AWS::RDS::DBCluster", json!({"StorageEncrypted": true}));
    t.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        json!({"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"}}}),
    );
    // The EKS secrets key and the environment key.
    t.resource_count_is("AWS::KMS::Key", 2);
}

/// kumo's own security rules (`kumo_core::security`): nothing unwaived in any variant, and each
/// waiver is where the blueprint means it, with its reason.
#[test]
fn every_variant_passes_the_security_rules_with_the_deliberate_waivers_only() {
    use kumo_core::security::Rule;
    for (name, config) in variants() {
        let report = kumo_blueprint::build(&config).synth().unwrap().security_report();
        assert!(report.is_clean(), "{name}: {:#?}", report.findings);
        assert!(report.unused_waivers.is_empty(), "{name}: {:?}", report.unused_waivers);
        assert!(
            report.invalid_waivers.is_empty(),
            "{name}: {:?}",
            report.invalid_waivers
        );
        let mut waived: Vec<(String, Rule)> = report
            .waived
            .iter()
            .map(|w| {
                (
                    w.finding.resource.chars().take_while(|c| !c.is_ascii_digit()).collect(),
                    w.finding.rule,
                )
            })
            .collect();
        waived.sort();
        waived.dedup();
        let expected: Vec<(String, Rule)> = vec![
            ("EKSAppImageRepository".into(), Rule::EcrMutableTags),
            ("EKSClusterBA".into(), Rule::EksPublicEndpoint),
            ("EKSMigrationImageRepository".into(), Rule::EcrMutableTags),
            ("EKSWebImageRepository".into(), Rule::EcrMutableTags),
            ("LoadBalancerControllerRole".into(), Rule::IamWildcardResource),
            ("LoadBalancerControllerRole".into(), Rule::IamWriteWithoutCondition),
        ];
        assert_eq!(waived, expected, "{name}");
        assert!(
            report.waived.iter().all(|w| w.reason.len() > 40),
            "{name}: every reason says why"
        );
    }
    // A private cluster needs no waiver for its endpoint, and gets none.
    let mut private = Config::default();
    private.eks.endpoint_public_access = false;
    let report = kumo_blueprint::build(&private).synth().unwrap().security_report();
    assert!(report.is_clean() && report.unused_waivers.is_empty(), "{report:#?}");
    assert!(report.waived.iter().all(|w| w.finding.rule != Rule::EksPublicEndpoint));
}
