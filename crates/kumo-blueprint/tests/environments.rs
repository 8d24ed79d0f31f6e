//! Environments: the default and two environments in two regions share no physical name — every
//! property the registry schemas make a resource's identity (its writable `primaryIdentifier`) or its
//! own name (`Name`, `<Type>Name`, `<Type>Identifier`: role, policy, launch template, node group,
//! project, secret names) — and the default keeps the seed's names. cfn-lint passes on all of them.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use kumo_blueprint::{Config, build_app};
use serde_json::Value;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The registry schema of `type_name` (pinned under `schemas/registry/`).
fn schema(type_name: &str) -> Value {
    let file = format!("{}.json", type_name.to_lowercase().replace("::", "-"));
    let text = std::fs::read_to_string(workspace_root().join("schemas/registry").join(&file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The properties that name a resource of `type_name`, by the schema.
fn name_properties(type_name: &str) -> Vec<String> {
    // A hosted zone's `Name` is its domain, not a unique name: Route 53 gives every zone its own id
    // (the schema's identifier), so two environments' zones never collide in AWS. (Each environment
    // still wants its own domain to delegate; the README says so.)
    if type_name == "AWS::Route53::HostedZone" {
        return Vec::new();
    }
    let schema = schema(type_name);
    let last = |pointer: &str| pointer.rsplit('/').next().unwrap_or_default().to_owned();
    let list = |key: &str| -> Vec<String> {
        schema[key]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).map(last).collect())
            .unwrap_or_default()
    };
    let read_only = list("readOnlyProperties");
    let suffix = type_name.rsplit("::").next().unwrap_or_default();
    let mut names: Vec<String> = list("primaryIdentifier")
        .into_iter()
        .filter(|p| !read_only.contains(p))
        .collect();
    for own in [
        "Name".to_owned(),
        format!("{suffix}Name"),
        format!("{suffix}Identifier"),
    ] {
        if schema["properties"].get(&own).is_some() && !read_only.contains(&own) && !names.contains(&own) {
            names.push(own);
        }
    }
    names
}

/// A property value as deployed in `region`: literals, `Fn::Sub` of the region, and `Ref`s to resources
/// resolved to their own identity. `None` when CloudFormation generates it (unique anyway).
fn resolve(value: &Value, template: &Value, region: &str) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => {
            if let Some(Value::String(sub)) = o.get("Fn::Sub") {
                assert!(
                    !sub.replace("${AWS::Region}", "").contains("${"),
                    "a name with another variable: {sub}"
                );
                return Some(sub.replace("${AWS::Region}", region));
            }
            if let Some(Value::String(target)) = o.get("Ref") {
                let resource = &template["Resources"][target];
                return identity(resource, template, region).map(|parts| format!("{parts:?}"));
            }
            panic!("a name made by an intrinsic this test does not resolve: {value}")
        }
        other => panic!("unexpected name value {other}"),
    }
}

/// A resource's identity: its type and named properties, or `None` when nothing names it.
fn identity(resource: &Value, template: &Value, region: &str) -> Option<Vec<String>> {
    let type_name = resource["Type"].as_str()?;
    let mut parts = vec![type_name.to_owned()];
    for property in name_properties(type_name) {
        if let Some(value) = resource["Properties"].get(&property) {
            parts.push(format!("{property}={}", resolve(value, template, region)?));
        }
    }
    (parts.len() > 1).then_some(parts)
}

struct Copy {
    label: &'static str,
    stack_names: Vec<String>,
    identities: BTreeSet<Vec<String>>,
    templates: Vec<(String, String)>,
}

fn copy(label: &'static str, env: Option<&str>, region: &str) -> Copy {
    let mut config = Config::default();
    config.stack.env = env.map(str::to_owned);
    config.stack.region = Some(region.to_owned());
    config.validate().unwrap_or_else(|e| panic!("{label}: {e}"));
    let app = build_app(&config);
    let mut identities = BTreeSet::new();
    let mut templates = Vec::new();
    for stack in &app.stacks {
        let template = stack.stack.synth().unwrap_or_else(|e| panic!("{label}: {e}"));
        let value = template.to_value();
        for resource in value["Resources"].as_object().unwrap().values() {
            if let Some(id) = identity(resource, &value, region) {
                identities.insert(id);
            }
        }
        templates.push((format!("{label}-{}", stack.stack.name()), template.to_json()));
    }
    Copy {
        label,
        stack_names: app.stacks.iter().map(|s| s.stack.name().to_owned()).collect(),
        identities,
        templates,
    }
}

#[test]
fn the_default_and_two_environments_in_two_regions_share_no_physical_name() {
    let copies = [
        copy("default", None, "ap-northeast-1"),
        copy("dev", Some("dev"), "ap-northeast-1"),
        copy("feature-x", Some("feature-x"), "eu-west-1"),
    ];
    // What is compared: the blueprint's names of every kind.
    let kinds: BTreeSet<&str> = copies[0].identities.iter().map(|id| id[0].as_str()).collect();
    for kind in [
        "AWS::IAM::Role",
        "AWS::IAM::ManagedPolicy",
        "AWS::EKS::Cluster",
        "AWS::EKS::Nodegroup",
        "AWS::EKS::Addon",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::SecretsManager::Secret",
        "AWS::CodeBuild::Project",
        "AWS::ECR::Repository",
        "AWS::Logs::LogGroup",
        "AWS::EC2::LaunchTemplate",
    ] {
        assert!(kinds.contains(kind), "no {kind} name compared: {kinds:?}");
    }
    for (i, a) in copies.iter().enumerate() {
        for b in &copies[i + 1..] {
            let shared: Vec<_> = a.identities.intersection(&b.identities).collect();
            assert!(shared.is_empty(), "{} and {} share {shared:#?}", a.label, b.label);
            for name in &a.stack_names {
                assert!(
                    !b.stack_names.contains(name),
                    "{} and {} share the stack {name}",
                    a.label,
                    b.label
                );
            }
        }
    }
    assert_eq!(copies[1].stack_names, ["MyEKSStack-dev-dns", "MyEKSStack-dev"]);

    // cfn-lint: zero errors and warnings on every template of every copy.
    let all: Vec<(String, String)> = copies.iter().flat_map(|c| c.templates.clone()).collect();
    let batch: Vec<(&str, &str)> = all.iter().map(|(n, b)| (n.as_str(), b.as_str())).collect();
    kumo_testkit::cfn_lint::assert_clean(&batch);
}

#[test]
fn the_default_keeps_the_seeds_names() {
    let default = copy("default", None, "ap-northeast-1");
    for expected in [
        vec!["AWS::IAM::Role", "RoleName=eks-master-role"],
        vec!["AWS::IAM::Role", "RoleName=eks-node-role"],
        vec!["AWS::IAM::Role", "RoleName=role-for-db-migrator"],
        vec!["AWS::IAM::Role", "RoleName=role-codebuild-for-image-builder"],
        vec![
            "AWS::IAM::ManagedPolicy",
            "ManagedPolicyName=pull-image-policy-for-db-migrator",
        ],
        vec!["AWS::EKS::Cluster", "Name=eks-cluster"],
        vec!["AWS::RDS::DBCluster", "DBClusterIdentifier=cluster-identifier"],
        vec!["AWS::SecretsManager::Secret", "Name=database-secrets"],
        vec!["AWS::ECR::Repository", "RepositoryName=eks-app"],
        vec![
            "AWS::EC2::LaunchTemplate",
            "LaunchTemplateName=eks-nodes-launch-template",
        ],
    ] {
        let expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
        assert!(default.identities.contains(&expected), "missing {expected:?}");
    }
}

#[test]
fn an_environment_names_iam_with_the_region_and_the_rest_with_the_environment() {
    let dev = copy("dev", Some("dev"), "eu-west-1");
    for expected in [
        vec!["AWS::IAM::Role", "RoleName=eks-master-role-dev-eu-west-1"],
        vec![
            "AWS::IAM::ManagedPolicy",
            "ManagedPolicyName=push-image-policy-for-image-builder-dev-eu-west-1",
        ],
        vec!["AWS::EKS::Cluster", "Name=eks-cluster-dev"],
        vec!["AWS::ECR::Repository", "RepositoryName=eks-migration-dev"],
        vec![
            "AWS::Logs::LogGroup",
            "LogGroupName=/aws/codebuild/DBMigratorProject-dev",
        ],
    ] {
        let expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
        assert!(
            dev.identities.contains(&expected),
            "missing {expected:?} in {:#?}",
            dev.identities
        );
    }
}

#[test]
fn an_environment_name_that_makes_a_name_too_long_is_refused_naming_the_resource_and_its_limit() {
    let text = "[stack]\nenv = \"a-very-long-env-name\"\nregion = \"ap-southeast-1\"\n";
    let error = Config::from_toml(text, "kumo.toml").unwrap_err().to_string();
    assert!(
        error.contains("AWS::IAM::Role RoleName: \"role-codebuild-for-image-builder-a-very-long-env-name-ap-southeast-1\" would be 68 characters long; allowed: 1 to 64"),
        "{error}"
    );
    let bad = Config::from_toml("[stack]\nenv = \"Dev\"\n", "kumo.toml")
        .unwrap_err()
        .to_string();
    assert!(
        bad.contains("stack.env = \"Dev\": starts with 'D' instead of a lowercase letter"),
        "{bad}"
    );
    // A short one in the same region passes.
    Config::from_toml("[stack]\nenv = \"dev\"\nregion = \"ap-southeast-1\"\n", "kumo.toml").unwrap();
}
