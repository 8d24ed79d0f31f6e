//! The DB migrator (seed `db_migrator_test.go`): pull policy and role, the CodeBuild project in the VPC,
//! its Secrets Manager variables, and its network paths to the database and the ECR endpoint.

mod common;

use common::*;
use kumo_core::assertions::Match;
use serde_json::json;

/// The five variables and the secret field each reads (seed: `SecretFullArn() + ":host"`, ...).
const SECRET_VARIABLES: [(&str, &str); 5] = [
    ("DB_HOST", "host"),
    ("DB_PORT", "port"),
    ("DB_PASSWORD", "password"),
    ("DB_USER", "username"),
    ("DB_NAME", "dbname"),
];

#[test]
fn pull_policy_covers_the_migration_repository_and_the_registry_login() {
    let t = default_template();
    let policy = id_of(&t, "AWS::IAM::ManagedPolicy", "PullImagePolicyForDBMigrator");
    let repository = id_of(&t, "AWS::ECR::Repository", "EKSMigrationImageRepository");
    assert_eq!(
        resource(&t, &policy)["Properties"],
        json!({
            "ManagedPolicyName": "pull-image-policy-for-db-migrator",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": get_att(&repository, "Arn")},
                {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
            ]}
        })
    );
}

#[test]
fn migrator_role_pulls_the_image_and_reads_only_the_database_secret() {
    let t = default_template();
    let role = id_of(&t, "AWS::IAM::Role", "DBMigratorRole");
    let policy = id_of(&t, "AWS::IAM::ManagedPolicy", "PullImagePolicyForDBMigrator");
    let attachment = id_of(
        &t,
        "AWS::SecretsManager::SecretTargetAttachment",
        "DatabaseClusterSecretAttachment",
    );
    let properties = &resource(&t, &role)["Properties"];
    assert_eq!(properties["RoleName"], "role-for-db-migrator");
    assert_eq!(properties["ManagedPolicyArns"], json!([r#ref(&policy)]));
    let statements = inline_statements(&t, &role);
    let secrets: Vec<_> = statements
        .iter()
        .filter(|s| {
            list(&s["Action"])
                .iter()
                .any(|a| a.as_str().unwrap().starts_with("secretsmanager:"))
        })
        .collect();
    assert_eq!(
        secrets,
        [&json!({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": r#ref(&attachment)})]
    );
}

#[test]
fn migrator_project_runs_the_migration_image_in_the_private_subnets() {
    let t = default_template();
    let project = id_of(&t, "AWS::CodeBuild::Project", "DBMigratorProject");
    let repository = id_of(&t, "AWS::ECR::Repository", "EKSMigrationImageRepository");
    let group = id_of(&t, "AWS::EC2::SecurityGroup", "DBMigratorProjectSecurityGroup");
    let role = id_of(&t, "AWS::IAM::Role", "DBMigratorRole");
    let private: Vec<_> = (1..=2)
        .map(|n| r#ref(&id_of(&t, "AWS::EC2::Subnet", &format!("VPCPrivateSubnet{n}"))))
        .collect();
    t.has_resource_properties(
        "AWS::CodeBuild::Project",
        json!({
            "Name": "DBMigratorProject",
            "Source": {"Type": "NO_SOURCE", "BuildSpec": Match::serialized_json(json!({
                "version": "0.2", "phases": {"build": {"commands": ["/app/cmd"]}}
            }))},
            "Environment": {
                "ComputeType": "BUILD_GENERAL1_SMALL",
                "Image": {"Fn::Sub": format!("${{{repository}.RepositoryUri}}:latest")},
                "ImagePullCredentialsType": "SERVICE_ROLE",
                "PrivilegedMode": true,
                "Type": "LINUX_CONTAINER"
            },
            "ServiceRole": get_att(&role, "Arn"),
            "VpcConfig": {
                "VpcId": r#ref(&id_of(&t, "AWS::EC2::VPC", "VPC")),
                "Subnets": private,
                "SecurityGroupIds": [get_att(&group, "GroupId")]
            },
            "ConcurrentBuildLimit": 1,
            "QueuedTimeoutInMinutes": 60,
            "TimeoutInMinutes": 20
        }),
    );
    assert!(resource(&t, &project)["Properties"]["Triggers"].is_null());
}

#[test]
fn database_variables_read_secret_fields_by_full_arn() {
    let t = default_template();
    let project = id_of(&t, "AWS::CodeBuild::Project", "DBMigratorProject");
    let secret = id_of(&t, "AWS::SecretsManager::Secret", "DatabaseClusterSecret");
    let attachment = id_of(
        &t,
        "AWS::SecretsManager::SecretTargetAttachment",
        "DatabaseClusterSecretAttachment",
    );
    // `Ref` of the attachment is the secret's full ARN (the attachment points at the secret).
    t.has_resource_properties(
        "AWS::SecretsManager::SecretTargetAttachment",
        json!({"SecretId": r#ref(&secret)}),
    );
    let variables = resource(&t, &project)["Properties"]["Environment"]["EnvironmentVariables"].clone();
    let mut expected = vec![
        json!({"Name": "AWS_ACCOUNT", "Value": {"Ref": "AWS::AccountId"}}),
        json!({"Name": "AWS_REGION", "Value": {"Ref": "AWS::Region"}}),
    ];
    for (name, key) in SECRET_VARIABLES {
        expected.push(json!({
            "Name": name,
            "Type": "SECRETS_MANAGER",
            "Value": {"Fn::Sub": format!("${{{attachment}}}:{key}")}
        }));
    }
    assert_eq!(variables, json!(expected));
    // The form the seed found to fail, `<secret name>:<key>`, appears nowhere.
    assert!(!variables.to_string().contains("database-secrets"), "{variables}");
}

#[test]
fn migrator_reaches_the_database_on_5432_and_the_endpoint_on_443() {
    let t = default_template();
    let migrator = id_of(&t, "AWS::EC2::SecurityGroup", "DBMigratorProjectSecurityGroup");
    let database = id_of(&t, "AWS::EC2::SecurityGroup", "DatabaseClusterSecurityGroup");
    let endpoint = id_of(&t, "AWS::EC2::SecurityGroup", "VPCEndpointSecurityGroup");
    for (target, port, description) in [
        (
            &database,
            5432,
            "Allow access to Database cluster from CodeBuild project",
        ),
        (&endpoint, 443, "Allow access to VPC endpoint from CodeBuild project"),
    ] {
        let rule = json!({
            "Description": description,
            "FromPort": port,
            "IpProtocol": "tcp",
            "ToPort": port
        });
        t.has_resource_properties(
            "AWS::EC2::SecurityGroupIngress",
            Match::object_like(merge(
                &rule,
                json!({"GroupId": get_att(target, "GroupId"), "SourceSecurityGroupId": get_att(&migrator, "GroupId")}),
            )),
        );
        t.has_resource_properties(
            "AWS::EC2::SecurityGroupEgress",
            Match::object_like(merge(&rule, json!({"GroupId": get_att(&migrator, "GroupId"), "DestinationSecurityGroupId": get_att(target, "GroupId")}))),
        );
    }
    // Its own group: HTTPS out (CodeBuild, CloudWatch Logs, Secrets Manager through the NAT gateway), no
    // allow-all rule, nothing in.
    let group = resource(&t, &migrator)["Properties"].clone();
    assert_eq!(
        group["SecurityGroupEgress"],
        json!([{"CidrIp": "0.0.0.0/0", "Description": "HTTPS to AWS APIs", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}])
    );
    assert!(group["SecurityGroupIngress"].is_null());
    assert!(ingress_into(&t, &migrator).is_empty());
}

#[test]
fn migrator_logs_to_its_own_log_group() {
    let t = default_template();
    let project = id_of(&t, "AWS::CodeBuild::Project", "DBMigratorProject");
    let logs = id_of(&t, "AWS::Logs::LogGroup", "DBMigratorProjectLogs");
    assert_eq!(
        resource(&t, &project)["Properties"]["LogsConfig"],
        json!({"CloudWatchLogs": {"GroupName": r#ref(&logs), "Status": "ENABLED"}})
    );
    t.has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 14}));
}

fn merge(base: &serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    let mut out = base.clone();
    for (key, value) in extra.as_object().unwrap() {
        out[key] = value.clone();
    }
    out
}
