//! Synth-time validation driven by the registry schemas: each error names the logical id and the
//! property path. Expressions are never judged (only CloudFormation knows their values).

use kumo_cfn::{ec2, eks, iam, logs};
use kumo_core::{Diagnostic, DiagnosticKind, Expr, Int, Stack, Str, Typed, fns};
use serde_json::json;

fn diagnostics(stack: &Stack) -> Vec<Diagnostic> {
    stack.synth().expect_err("synth should fail").diagnostics
}

fn single(stack: &Stack) -> Diagnostic {
    let all = diagnostics(stack);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.into_iter().next().unwrap()
}

#[test]
fn missing_required_property() {
    let mut stack = Stack::new("T");
    stack.add("Sg", ec2::SecurityGroup::new().vpc_id("vpc-1"));
    let d = single(&stack);
    assert_eq!(d.kind, DiagnosticKind::MissingRequiredProperty);
    assert_eq!(d.logical_id.as_deref(), Some("Sg"));
    assert_eq!(d.path.as_deref(), Some("Properties"));
    assert!(d.message.contains("\"GroupDescription\""), "{d}");
}

#[test]
fn missing_required_field_of_a_nested_property_type() {
    let mut stack = Stack::new("T");
    stack.add(
        "Vpc",
        ec2::VPC::new()
            .cidr_block("10.0.0.0/16")
            .tags(vec![ec2::vpc::Tag::new().key("Name")]),
    );
    let d = single(&stack);
    assert_eq!(d.kind, DiagnosticKind::MissingRequiredProperty);
    assert_eq!(d.path.as_deref(), Some("Properties.Tags[0]"));
    assert!(d.message.contains("Tag requires property \"Value\""), "{d}");
}

#[test]
fn wrong_type_through_the_escape_hatch() {
    let mut stack = Stack::new("T");
    stack.add(
        "Vpc",
        ec2::VPC::new()
            .set_raw("CidrBlock", json!(["10.0.0.0/16"]))
            .set_raw("EnableDnsSupport", "maybe"),
    );
    let all = diagnostics(&stack);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_eq!(all[0].path.as_deref(), Some("Properties.CidrBlock"));
    assert_eq!(all[0].kind, DiagnosticKind::WrongType);
    assert!(all[0].message.contains("expected string, found array"), "{}", all[0]);
    assert_eq!(all[1].path.as_deref(), Some("Properties.EnableDnsSupport"));
    assert!(all[1].message.contains("expected boolean"), "{}", all[1]);
}

#[test]
fn value_outside_enum() {
    let mut stack = Stack::new("T");
    stack.add(
        "Vpc",
        ec2::VPC::new().cidr_block("10.0.0.0/16").instance_tenancy("shared"),
    );
    let d = single(&stack);
    assert_eq!(d.kind, DiagnosticKind::NotInEnum);
    assert_eq!(d.path.as_deref(), Some("Properties.InstanceTenancy"));
    assert!(
        d.message
            .contains("\"shared\" is not allowed; expected one of \"dedicated\", \"default\", \"host\""),
        "{d}"
    );
}

#[test]
fn pattern_and_length() {
    let mut stack = Stack::new("T");
    let assume = Expr::from(json!({"Version": "2012-10-17", "Statement": []}));
    stack.add(
        "BadName",
        iam::Role::new()
            .assume_role_policy_document(assume.clone())
            .role_name("has space"),
    );
    stack.add(
        "LongName",
        iam::Role::new()
            .assume_role_policy_document(assume)
            .role_name("r".repeat(65)),
    );
    let all = diagnostics(&stack);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_eq!(all[0].kind, DiagnosticKind::PatternMismatch);
    assert_eq!(all[0].logical_id.as_deref(), Some("BadName"));
    assert_eq!(all[0].path.as_deref(), Some("Properties.RoleName"));
    assert_eq!(all[1].kind, DiagnosticKind::LengthOutOfRange);
    assert!(
        all[1].message.contains("65 characters long; allowed: 1 to 64"),
        "{}",
        all[1]
    );
}

#[test]
fn number_out_of_range() {
    let mut stack = Stack::new("T");
    stack.add(
        "Nodes",
        eks::Nodegroup::new()
            .cluster_name("c")
            .node_role("arn:aws:iam::123456789012:role/n")
            .subnets(vec!["subnet-1"])
            .scaling_config(eks::nodegroup::ScalingConfig::new().desired_size(-1)),
    );
    let d = single(&stack);
    assert_eq!(d.kind, DiagnosticKind::ValueOutOfRange);
    assert_eq!(d.path.as_deref(), Some("Properties.ScalingConfig.DesiredSize"));
    assert!(d.message.contains("-1 is out of range; allowed: at least 0"), "{d}");
}

#[test]
fn array_item_count() {
    let mut stack = Stack::new("T");
    let tags: Vec<iam::role::Tag> = (0..51)
        .map(|i| iam::role::Tag::new().key(format!("k{i}")).value("v"))
        .collect();
    stack.add(
        "Role",
        iam::Role::new()
            .assume_role_policy_document(Expr::from(json!({"Version": "2012-10-17", "Statement": []})))
            .tags(tags),
    );
    let d = single(&stack);
    assert_eq!(d.kind, DiagnosticKind::ItemCountOutOfRange);
    assert_eq!(d.path.as_deref(), Some("Properties.Tags"));
    assert!(d.message.contains("has 51 items; allowed: 0 to 50"), "{d}");
}

#[test]
fn unknown_property_suggests_the_closest_name() {
    let mut stack = Stack::new("T");
    stack.add("Logs", logs::LogGroup::new().set_raw("RetentionInDay", 7));
    let d = single(&stack);
    assert_eq!(d.kind, DiagnosticKind::UnknownProperty);
    assert_eq!(d.path.as_deref(), Some("Properties.RetentionInDay"));
    assert!(d.message.contains("did you mean \"RetentionInDays\"?"), "{d}");
}

#[test]
fn getatt_of_an_attribute_the_type_does_not_have() {
    let mut stack = Stack::new("T");
    let vpc = stack.add("Vpc", ec2::VPC::new().cidr_block("10.0.0.0/16"));
    stack.add("Logs", logs::LogGroup::new().log_group_name(vpc.get_att::<Str>("Arn")));
    let d = single(&stack);
    assert_eq!(d.kind, DiagnosticKind::UnknownAttribute);
    assert_eq!(d.logical_id.as_deref(), Some("Logs"));
    assert_eq!(d.path.as_deref(), Some("Properties.LogGroupName"));
    assert!(
        d.message.contains("AWS::EC2::VPC has no attribute \"Arn\"") && d.message.contains("VpcId"),
        "{d}"
    );
}

#[test]
fn intrinsics_are_not_judged() {
    let mut stack = Stack::new("T");
    let env = stack.add_parameter("Tenancy", kumo_core::Parameter::string().default("default"));
    stack.add(
        "Vpc",
        ec2::VPC::new()
            .cidr_block(fns::select(0, fns::cidr("10.0.0.0/8", 4, 16)))
            .instance_tenancy(env.value())
            .enable_dns_support(kumo_core::Bool::from_expr(fns::ref_("Tenancy").into())),
    );
    stack.add(
        "Logs",
        logs::LogGroup::new().retention_in_days(Int::from_expr(fns::ref_("Tenancy").into())),
    );
    stack.synth().expect("expressions are skipped");
}

#[test]
fn numeric_and_boolean_strings_are_accepted_like_cloudformation_does() {
    let mut stack = Stack::new("T");
    stack.add("Logs", logs::LogGroup::new().set_raw("RetentionInDays", "7"));
    stack.add(
        "Vpc",
        ec2::VPC::new()
            .cidr_block("10.0.0.0/16")
            .set_raw("EnableDnsSupport", "true"),
    );
    stack.synth().expect("valid");
}
