//! Every rule: a template that triggers it and one that passes; waivers.

use serde_json::{Value, json};

use super::*;

fn template(kind: &str, properties: Value) -> Value {
    json!({"Resources": {"It": {"Type": kind, "Properties": properties}}})
}

/// The rules `check` finds on one resource.
fn rules_of(kind: &str, properties: Value) -> Vec<Rule> {
    check(&template(kind, properties))
        .findings
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

fn policy(statement: Value) -> Value {
    json!({"PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}, "PolicyName": "p"})
}

/// (rule, resource type, properties that trigger it, properties that pass it).
fn cases() -> Vec<(Rule, &'static str, Value, Value)> {
    let role = |statement: Value| json!({"AssumeRolePolicyDocument": {}, "Policies": [policy(statement)]});
    vec![
        (
            Rule::IamWildcardAction,
            "AWS::IAM::Role",
            role(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"})),
            role(json!({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"})),
        ),
        (
            Rule::IamWildcardResource,
            "AWS::IAM::ManagedPolicy",
            policy(json!({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"})),
            // Only actions that accept nothing but "*": the allow-list.
            policy(
                json!({"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ec2:DescribeVpcs"], "Resource": "*"}),
            ),
        ),
        (
            Rule::IamWriteWithoutCondition,
            "AWS::IAM::Policy",
            policy(json!({"Effect": "Allow", "Action": ["ec2:TerminateInstances"], "Resource": "*"})),
            policy(
                json!({"Effect": "Allow", "Action": ["ec2:TerminateInstances"], "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/owner": "me"}}}),
            ),
        ),
        (
            Rule::EbsUnencrypted,
            "AWS::EC2::LaunchTemplate",
            json!({"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"},
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20}}]}}),
            json!({"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"},
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "Encrypted": true}}]}}),
        ),
        (
            Rule::RdsUnencrypted,
            "AWS::RDS::DBCluster",
            json!({"Engine": "aurora-postgresql", "EnableIAMDatabaseAuthentication": true}),
            json!({"Engine": "aurora-postgresql", "EnableIAMDatabaseAuthentication": true, "StorageEncrypted": true}),
        ),
        (
            Rule::S3DefaultEncryption,
            "AWS::S3::Bucket",
            json!({}),
            json!({"BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}}),
        ),
        (
            Rule::EfsUnencrypted,
            "AWS::EFS::FileSystem",
            json!({"Encrypted": false}),
            json!({"Encrypted": true}),
        ),
        (
            Rule::LogsWithoutKms,
            "AWS::Logs::LogGroup",
            json!({"RetentionInDays": 7}),
            json!({"RetentionInDays": 7, "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}),
        ),
        (
            Rule::SecretWithoutCmk,
            "AWS::SecretsManager::Secret",
            json!({"KmsKeyId": "alias/aws/secretsmanager"}),
            json!({"KmsKeyId": {"Ref": "Key"}}),
        ),
        (
            Rule::EcrWithoutKms,
            "AWS::ECR::Repository",
            json!({"ImageTagMutability": "IMMUTABLE", "EncryptionConfiguration": {"EncryptionType": "AES256"}}),
            json!({"ImageTagMutability": "IMMUTABLE", "EncryptionConfiguration": {"EncryptionType": "KMS"}}),
        ),
        (
            Rule::EcrMutableTags,
            "AWS::ECR::Repository",
            json!({"EncryptionConfiguration": {"EncryptionType": "KMS"}}),
            json!({"EncryptionConfiguration": {"EncryptionType": "KMS"}, "ImageTagMutability": "IMMUTABLE"}),
        ),
        (
            Rule::Imdsv1Allowed,
            "AWS::EC2::LaunchTemplate",
            json!({"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "optional"}}}),
            json!({"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"}}}),
        ),
        (
            Rule::SgOpenIngress,
            "AWS::EC2::SecurityGroup",
            json!({"GroupDescription": "g", "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]}),
            json!({"GroupDescription": "g", "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/16"}]}),
        ),
        (
            Rule::DbPublic,
            "AWS::RDS::DBInstance",
            json!({"DBClusterIdentifier": {"Ref": "Cluster"}, "PubliclyAccessible": true}),
            json!({"DBClusterIdentifier": {"Ref": "Cluster"}, "PubliclyAccessible": false}),
        ),
        (
            Rule::DbWithoutBackups,
            "AWS::RDS::DBInstance",
            json!({"Engine": "postgres", "StorageEncrypted": true, "EnableIAMDatabaseAuthentication": true,
                "BackupRetentionPeriod": 0}),
            json!({"Engine": "postgres", "StorageEncrypted": true, "EnableIAMDatabaseAuthentication": true,
                "BackupRetentionPeriod": 7}),
        ),
        (
            Rule::DbWithoutIamAuth,
            "AWS::RDS::DBCluster",
            json!({"Engine": "aurora-postgresql", "StorageEncrypted": true}),
            json!({"Engine": "aurora-postgresql", "StorageEncrypted": true, "EnableIAMDatabaseAuthentication": "true"}),
        ),
        (
            Rule::EksPublicEndpoint,
            "AWS::EKS::Cluster",
            json!({"ResourcesVpcConfig": {"SubnetIds": ["a", "b"]}}),
            json!({"ResourcesVpcConfig": {"SubnetIds": ["a", "b"], "PublicAccessCidrs": ["203.0.113.0/24"]}}),
        ),
    ]
}

#[test]
fn every_rule_has_a_template_that_triggers_it_and_one_that_passes() {
    let cases = cases();
    for rule in Rule::ALL {
        assert!(cases.iter().any(|(r, ..)| r == rule), "{rule} has no test case");
    }
    for (rule, kind, bad, good) in cases {
        assert_eq!(rules_of(kind, bad.clone()), [rule], "{rule}: triggering template {bad}");
        let passing = rules_of(kind, good.clone());
        assert!(
            !passing.contains(&rule),
            "{rule}: passing template {good} gives {passing:?}"
        );
    }
}

#[test]
fn findings_name_the_resource_the_path_and_the_fix() {
    let report = check(&template(
        "AWS::IAM::Role",
        json!({"Policies": [policy(json!({"Effect": "Allow", "Action": "*", "Resource": "*"}))]}),
    ));
    let lines: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "iam-wildcard-action (error) It (AWS::IAM::Role) Properties.Policies[0].PolicyDocument.Statement[0].Action: \
             allows \"*\"; fix: list the actions the principal calls",
            "iam-write-without-condition (error) It (AWS::IAM::Role) Properties.Policies[0].PolicyDocument.Statement[0].Resource: \
             allows \"*\" on every resource with no Condition; fix: name the resources, or add a condition that narrows \
             the grant (tags, VPC, source account)",
        ]
    );
}

#[test]
fn trust_key_and_deny_statements_are_not_identity_grants() {
    // A key policy's "*" means "this key"; a trust policy has no resource; Deny narrows.
    let key = json!({"KeyPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
        "Action": "kms:*", "Resource": "*"}]}});
    assert_eq!(rules_of("AWS::KMS::Key", key), []);
    let role = json!({"AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "ec2.amazonaws.com"}}]},
        "Policies": [policy(json!({"Effect": "Deny", "Action": "*", "Resource": "*"}))]});
    assert_eq!(rules_of("AWS::IAM::Role", role), []);
}

#[test]
fn policy_documents_as_text_and_fn_sub_are_read() {
    let text = r#"{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}"#;
    let as_string = json!({"PolicyDocument": text});
    assert!(rules_of("AWS::IAM::ManagedPolicy", as_string).contains(&Rule::IamWildcardAction));
    let as_sub = json!({"PolicyDocument": {"Fn::Sub": [text, {}]}});
    assert!(rules_of("AWS::IAM::ManagedPolicy", as_sub).contains(&Rule::IamWildcardAction));
    // Computed in a way the rules cannot see into: not judged.
    let computed = json!({"PolicyDocument": {"Fn::If": ["C", {}, {}]}});
    assert_eq!(rules_of("AWS::IAM::ManagedPolicy", computed), []);
}

#[test]
fn computed_values_are_not_judged_and_defaults_are() {
    assert_eq!(
        rules_of("AWS::EFS::FileSystem", json!({"Encrypted": {"Ref": "Encrypt"}})),
        []
    );
    assert_eq!(rules_of("AWS::EFS::FileSystem", json!({})), [Rule::EfsUnencrypted]);
    // EKS's endpoint is public unless turned off, and open to all unless restricted.
    assert_eq!(
        rules_of(
            "AWS::EKS::Cluster",
            json!({"ResourcesVpcConfig": {"EndpointPublicAccess": false, "EndpointPrivateAccess": true}})
        ),
        []
    );
}

#[test]
fn open_ingress_names_what_is_open() {
    let group = |rule: Value| json!({"GroupDescription": "g", "SecurityGroupIngress": [rule]});
    let report = check(&template(
        "AWS::EC2::SecurityGroup",
        group(json!({"IpProtocol": "-1", "CidrIpv6": "::/0"})),
    ));
    assert_eq!(report.findings[0].path, "Properties.SecurityGroupIngress[0].CidrIpv6");
    assert_eq!(report.findings[0].message, "admits ::/0 on all traffic");
    let standalone = check(&template(
        "AWS::EC2::SecurityGroupIngress",
        json!({"GroupId": "sg-1", "IpProtocol": "tcp", "FromPort": 80, "ToPort": 443, "CidrIp": "0.0.0.0/0"}),
    ));
    assert_eq!(standalone.findings[0].message, "admits 0.0.0.0/0 on tcp ports 80-443");
}

#[test]
fn waivers_in_metadata_move_findings_aside_with_their_reason() {
    let template = json!({"Resources": {
        "Repo": {"Type": "AWS::ECR::Repository",
            "Properties": {"EncryptionConfiguration": {"EncryptionType": "KMS"}},
            "Metadata": {"kumo": {"waivers": [
                {"rule": "ecr-mutable-tags", "reason": "the pipeline pushes latest"},
                {"rule": "db-public", "reason": "stale"},
                {"rule": "no-such-rule", "reason": "x"},
                {"rule": "ecr-without-kms", "reason": " "}
            ]}}}
    }});
    let report = check(&template);
    assert!(report.is_clean(), "{:?}", report.findings);
    assert_eq!(report.waived.len(), 1);
    assert_eq!(report.waived[0].finding.rule, Rule::EcrMutableTags);
    assert_eq!(report.waived[0].reason, "the pipeline pushes latest");
    assert_eq!(report.unused_waivers.len(), 1);
    assert_eq!(report.unused_waivers[0].1.rule, Rule::DbPublic);
    assert_eq!(report.invalid_waivers.len(), 2, "{:?}", report.invalid_waivers);
    assert!(report.invalid_waivers[0].contains("\"no-such-rule\" is not a rule id"));
    assert!(report.invalid_waivers[1].contains("has no reason"));
}

#[test]
fn rule_ids_are_unique_and_round_trip() {
    for rule in Rule::ALL {
        assert_eq!(Rule::from_id(rule.id()), Some(*rule));
        assert_eq!(Rule::ALL.iter().filter(|r| r.id() == rule.id()).count(), 1);
        assert!(!rule.title().is_empty() && !rule.fix().is_empty());
    }
}
