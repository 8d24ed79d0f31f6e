//! Shared helpers of the blueprint tests (one test file per seed `_test.go`, plus the whole-template
//! and security suites).
#![allow(dead_code)]

use kumo_blueprint::{Config, PodIdentityMode, RepositoryRemoval, build};
use kumo_core::assertions::Template;
use serde_json::{Value, json};

/// The blueprint's template for `config`, for assertions.
pub fn template(config: &Config) -> Template {
    Template::from_stack(&build(config))
}

/// The DNS stack's template for `config` (the zone kept on destroy), for assertions.
pub fn dns_template(config: &Config) -> Template {
    let app = kumo_blueprint::build_app(config);
    Template::from_stack(&app.stacks[0].stack)
}

/// The default blueprint's template.
pub fn default_template() -> Template {
    template(&Config::default())
}

/// The IRSA variant of the default.
pub fn irsa() -> Config {
    let mut config = Config::default();
    config.pod_identity.mode = PodIdentityMode::Irsa;
    config
}

/// Every variant the tests synthesize; all of them go through cfn-lint (tests/template.rs).
pub fn variants() -> Vec<(&'static str, Config)> {
    let mut retain = Config::default();
    retain.image_builder.on_delete = RepositoryRemoval::Retain;
    let mut three_azs = Config::default();
    three_azs.network.max_azs = 3;
    three_azs.network.nat_gateways = 3;
    three_azs.network.s3_gateway_endpoint = false;
    let mut no_admins = Config::cheap();
    no_admins.eks.admin_users.clear();
    no_admins.eks.admin_roles.clear();
    vec![
        ("default", Config::default()),
        ("cheap", Config::cheap()),
        ("irsa", irsa()),
        ("retain-images", retain),
        ("three-azs", three_azs),
        ("no-admins", no_admins),
    ]
}

/// The one logical id of type `type_name` starting with `prefix` (panics unless exactly one).
pub fn id_of(template: &Template, type_name: &str, prefix: &str) -> String {
    let ids: Vec<String> = template
        .find_resources(type_name, json!({}))
        .into_keys()
        .filter(|id| id.starts_with(prefix))
        .collect();
    assert_eq!(ids.len(), 1, "expected one {type_name} named {prefix}*, found {ids:?}");
    ids.into_iter().next().expect("one")
}

/// The resource `id` of the template (its whole definition).
pub fn resource(template: &Template, id: &str) -> Value {
    template.to_json()["Resources"][id].clone()
}

/// All resources of `type_name`, id → definition.
pub fn resources_of(template: &Template, type_name: &str) -> Vec<(String, Value)> {
    template.find_resources(type_name, json!({})).into_iter().collect()
}

pub fn r#ref(id: &str) -> Value {
    json!({"Ref": id})
}

pub fn get_att(id: &str, attribute: &str) -> Value {
    json!({"Fn::GetAtt": [id, attribute]})
}

/// `{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/<name>"}`.
pub fn aws_managed_policy(name: &str) -> Value {
    json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}")})
}

/// Every policy document of the template with where it is: role trust policies, role inline policies,
/// managed policies and KMS key policies. Documents written as `Fn::Sub` JSON text (IRSA trust
/// policies) are parsed with their placeholders left in place.
pub fn policy_documents(template: &Template) -> Vec<(String, PolicyKind, Value)> {
    let mut out = Vec::new();
    for (id, role) in resources_of(template, "AWS::IAM::Role") {
        let properties = &role["Properties"];
        out.push((
            id.clone(),
            PolicyKind::Trust,
            parse_document(&properties["AssumeRolePolicyDocument"]),
        ));
        for policy in properties["Policies"].as_array().into_iter().flatten() {
            out.push((
                id.clone(),
                PolicyKind::Identity,
                parse_document(&policy["PolicyDocument"]),
            ));
        }
    }
    for (id, policy) in resources_of(template, "AWS::IAM::ManagedPolicy") {
        out.push((
            id,
            PolicyKind::Identity,
            parse_document(&policy["Properties"]["PolicyDocument"]),
        ));
    }
    for (id, key) in resources_of(template, "AWS::KMS::Key") {
        out.push((
            id,
            PolicyKind::KeyPolicy,
            parse_document(&key["Properties"]["KeyPolicy"]),
        ));
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    Trust,
    Identity,
    KeyPolicy,
}

fn parse_document(document: &Value) -> Value {
    match document.get("Fn::Sub") {
        Some(Value::Array(parts)) => {
            serde_json::from_str(parts[0].as_str().expect("template text")).expect("JSON text")
        }
        Some(Value::String(text)) => serde_json::from_str(text).expect("JSON text"),
        _ => document.clone(),
    }
}

/// A statement's `Action` / `Resource` as a list.
pub fn list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// The statements of the inline policies of role `id`.
pub fn inline_statements(template: &Template, role_id: &str) -> Vec<Value> {
    resource(template, role_id)["Properties"]["Policies"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|policy| {
            policy["PolicyDocument"]["Statement"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// Ingress rules (`AWS::EC2::SecurityGroupIngress`) whose `GroupId` is the group `group_id`.
pub fn ingress_into(template: &Template, group_id: &str) -> Vec<Value> {
    resources_of(template, "AWS::EC2::SecurityGroupIngress")
        .into_iter()
        .map(|(_, rule)| rule["Properties"].clone())
        .filter(|rule| rule["GroupId"] == get_att(group_id, "GroupId"))
        .collect()
}
