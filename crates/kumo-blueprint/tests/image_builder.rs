//! The image builder (seed `image_builder_test.go`): ECR repositories, the push policy and role, and the
//! CodeBuild project triggered by pushes to the branch.

mod common;

use common::*;
use kumo_blueprint::{Config, RepositoryRemoval};
use kumo_core::assertions::Match;
use serde_json::json;

const REPOSITORIES: [(&str, &str); 3] = [
    ("EKSAppImageRepository", "eks-app"),
    ("EKSMigrationImageRepository", "eks-migration"),
    ("EKSWebImageRepository", "eks-web"),
];

#[test]
fn three_repositories_scanned_keep_one_image_and_are_emptied_on_destroy() {
    let t = default_template();
    t.resource_count_is("AWS::ECR::Repository", 3);
    let key = id_of(&t, "AWS::KMS::Key", "EnvironmentKey");
    for (id, name) in REPOSITORIES {
        let repository = id_of(&t, "AWS::ECR::Repository", id);
        assert_eq!(
            resource(&t, &repository),
            json!({
                "Type": "AWS::ECR::Repository",
                "Properties": {
                    "EmptyOnDelete": true,
                    // kumo: the images are encrypted with the environment key.
                    "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": get_att(&key, "Arn")},
                    "ImageScanningConfiguration": {"ScanOnPush": true},
                    "LifecyclePolicy": {"LifecyclePolicyText": serde_json::json!({"rules": [{
                        "rulePriority": 1,
                        "description": "Keep only the newest 1 image",
                        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                        "action": {"type": "expire"}
                    }]}).to_string()},
                    "RepositoryName": name
                },
                "Metadata": {"kumo": {"waivers": [{
                    "rule": "ecr-mutable-tags",
                    "reason": "the pipeline pushes the same tags on every build (the DB migrator runs `latest`), \
                               and the lifecycle policy keeps only the newest image"
                }]}}
            })
        );
    }
}

#[test]
fn retained_repositories_on_request() {
    let mut config = Config::default();
    config.image_builder.on_delete = RepositoryRemoval::Retain;
    let t = template(&config);
    let retained = t.find_resources(
        "AWS::ECR::Repository",
        json!({"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": {"EmptyOnDelete": Match::absent()}}),
    );
    assert_eq!(retained.len(), 3);
    // Retained images stay readable: their key stays too.
    assert_eq!(
        t.find_resources("AWS::KMS::Key", json!({"DeletionPolicy": "Retain"}))
            .len(),
        1
    );
    assert!(
        default_template()
            .find_resources("AWS::KMS::Key", json!({"DeletionPolicy": "Retain"}))
            .is_empty()
    );
}

#[test]
fn push_policy_covers_the_three_repositories_and_the_registry_login() {
    let t = default_template();
    let policy = id_of(&t, "AWS::IAM::ManagedPolicy", "PushImagePolicyForImageBuilder");
    let arns: Vec<_> = REPOSITORIES
        .iter()
        .map(|(id, _)| get_att(&id_of(&t, "AWS::ECR::Repository", id), "Arn"))
        .collect();
    assert_eq!(
        resource(&t, &policy)["Properties"],
        json!({
            "ManagedPolicyName": "push-image-policy-for-image-builder",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": [
                    "ecr:CompleteLayerUpload", "ecr:UploadLayerPart", "ecr:InitiateLayerUpload",
                    "ecr:BatchCheckLayerAvailability", "ecr:PutImage"
                ], "Resource": arns},
                {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
            ]}
        })
    );
}

#[test]
fn builder_role_is_the_seeds_with_the_push_policy_and_its_log_group() {
    let t = default_template();
    let role = id_of(&t, "AWS::IAM::Role", "ImageBuilderRole");
    let policy = id_of(&t, "AWS::IAM::ManagedPolicy", "PushImagePolicyForImageBuilder");
    let logs = id_of(&t, "AWS::Logs::LogGroup", "EKSImageBuildProjectLogs");
    t.has_resource_properties(
        "AWS::IAM::Role",
        json!({
            "RoleName": "role-codebuild-for-image-builder",
            "Description": "Iam Role for CodeBuild Project to push image to ECR repository",
            "AssumeRolePolicyDocument": {"Statement": [{"Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [r#ref(&policy)]
        }),
    );
    assert_eq!(
        inline_statements(&t, &role),
        [
            json!({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": get_att(&logs, "Arn")})
        ]
    );
    t.has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 14}));
}

#[test]
fn build_project_is_the_seeds() {
    let t = default_template();
    let project = id_of(&t, "AWS::CodeBuild::Project", "EKSImageBuildProject");
    let role = id_of(&t, "AWS::IAM::Role", "ImageBuilderRole");
    let logs = id_of(&t, "AWS::Logs::LogGroup", "EKSImageBuildProjectLogs");
    assert_eq!(
        resource(&t, &project)["Properties"],
        json!({
            "Artifacts": {"Type": "NO_ARTIFACTS"},
            "ConcurrentBuildLimit": 1,
            "Environment": {
                "ComputeType": "BUILD_GENERAL1_SMALL",
                "EnvironmentVariables": [
                    {"Name": "AWS_ACCOUNT", "Value": {"Ref": "AWS::AccountId"}},
                    {"Name": "AWS_REGION", "Value": {"Ref": "AWS::Region"}}
                ],
                "Image": "aws/codebuild/standard:7.0",
                "PrivilegedMode": true,
                "Type": "LINUX_CONTAINER"
            },
            "LogsConfig": {"CloudWatchLogs": {"GroupName": r#ref(&logs), "Status": "ENABLED"}},
            "Name": "EKSImageBuildProject",
            "QueuedTimeoutInMinutes": 60,
            "ServiceRole": get_att(&role, "Arn"),
            "Source": {
                "BuildSpec": "buildspec.yml",
                "GitCloneDepth": 1,
                "Location": "https://github.com/k-akari/ent-example.git",
                "Type": "GITHUB"
            },
            "SourceVersion": "main",
            "TimeoutInMinutes": 20,
            "Triggers": {
                "FilterGroups": [[{"Type": "EVENT", "Pattern": "PUSH"}, {"Type": "HEAD_REF", "Pattern": "^refs/heads/main$"}]],
                "Webhook": true
            }
        })
    );
}

#[test]
fn github_repository_and_branch_come_from_the_configuration() {
    let mut config = Config::default();
    config.image_builder.github_owner = "acme".into();
    config.image_builder.github_repo = "shop".into();
    config.image_builder.branch = "release/v1.2".into();
    let t = template(&config);
    t.has_resource_properties(
        "AWS::CodeBuild::Project",
        json!({
            "Source": {"Location": "https://github.com/acme/shop.git"},
            "SourceVersion": "release/v1.2",
            "Triggers": {"FilterGroups": [[{"Type": "EVENT", "Pattern": "PUSH"}, {"Type": "HEAD_REF", "Pattern": "^refs/heads/release/v1\\.2$"}]]}
        }),
    );
}

#[test]
fn repository_uris_are_outputs() {
    let t = default_template();
    for (id, _) in REPOSITORIES {
        let repository = id_of(&t, "AWS::ECR::Repository", id);
        t.has_output(
            &format!("{id}Uri"),
            json!({"Value": get_att(&repository, "RepositoryUri")}),
        );
    }
}
