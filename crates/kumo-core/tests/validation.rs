//! Structural synth-time validation: each error names the logical id and the property path.
//! (Schema-driven checks — required, types, enums, patterns, ranges, GetAtt attributes — are tested
//! against the generated specs in `crates/kumo-cfn/tests/validation.rs`.)

use kumo_core::validate::limits;
use kumo_core::{Diagnostic, DiagnosticKind, Expr, Output, Parameter, RawResource, ResourceOptions, Stack, fns};

fn problems(stack: &Stack) -> Vec<Diagnostic> {
    stack.synth().expect_err("synth should fail").diagnostics
}

fn only(stack: &Stack, kind: DiagnosticKind) -> Diagnostic {
    let all = problems(stack);
    let matching: Vec<&Diagnostic> = all.iter().filter(|d| d.kind == kind).collect();
    assert_eq!(matching.len(), 1, "expected one {kind:?}, got {all:#?}");
    matching[0].clone()
}

fn log_group() -> RawResource {
    RawResource::new("AWS::Logs::LogGroup")
}

#[test]
fn dangling_ref_names_resource_and_property_path() {
    let mut stack = Stack::new("T");
    stack.add(
        "Subnet",
        RawResource::new("AWS::EC2::Subnet").set(
            "Tags",
            Expr::List(vec![Expr::from_iter([
                ("Key", Expr::from("k")),
                ("Value", fns::ref_("Missing").into()),
            ])]),
        ),
    );
    let d = only(&stack, DiagnosticKind::DanglingReference);
    assert_eq!(d.logical_id.as_deref(), Some("Subnet"));
    assert_eq!(d.path.as_deref(), Some("Properties.Tags[0].Value"));
    assert!(d.message.contains("\"Missing\""), "{d}");
    assert_eq!(
        d.to_string(),
        format!("Subnet: Properties.Tags[0].Value: {}", d.message)
    );
}

#[test]
fn dangling_getatt_and_sub_placeholder_are_found() {
    let mut stack = Stack::new("T");
    stack.add(
        "A",
        log_group().set("LogGroupName", fns::get_att::<kumo_core::Str>("Nope", "Arn")),
    );
    stack.add(
        "B",
        log_group().set("LogGroupName", fns::sub("${Gone.Arn}-${AWS::Region}")),
    );
    let all = problems(&stack);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(all.iter().all(|d| d.kind == DiagnosticKind::DanglingReference));
    assert_eq!(all[0].logical_id.as_deref(), Some("A"));
    assert_eq!(all[1].path.as_deref(), Some("Properties.LogGroupName"));
    assert!(all[1].message.contains("\"Gone\""));
}

#[test]
fn dangling_depends_on_and_output() {
    let mut stack = Stack::new("T");
    let other = Stack::new("Other").add("Elsewhere", log_group());
    stack.add_with("A", log_group(), ResourceOptions::new().depends_on(&other));
    stack.add_output("Out", Output::new(fns::ref_("Ghost")));
    let all = problems(&stack);
    assert!(
        all.iter()
            .any(|d| d.logical_id.as_deref() == Some("A") && d.path.as_deref() == Some("DependsOn"))
    );
    assert!(
        all.iter()
            .any(|d| d.logical_id.as_deref() == Some("Out") && d.path.as_deref() == Some("Value"))
    );
}

#[test]
fn refs_to_parameters_and_pseudo_parameters_are_fine() {
    let mut stack = Stack::new("T");
    let env = stack.add_parameter("Env", Parameter::string().default("dev"));
    stack.add(
        "A",
        log_group().set(
            "LogGroupName",
            fns::join("-", kumo_core::List::from([env.value(), kumo_core::pseudo::region()])),
        ),
    );
    stack.synth().expect("valid");
}

#[test]
fn dependency_cycle_is_reported_with_its_path() {
    let mut stack = Stack::new("T");
    stack.add("A", log_group().set("LogGroupName", fns::ref_("B")));
    stack.add(
        "B",
        log_group().set("KmsKeyId", fns::get_att::<kumo_core::Str>("C", "Arn")),
    );
    stack.add_with(
        "C",
        log_group(),
        ResourceOptions {
            depends_on: vec![kumo_core::LogicalId::new("A")],
            ..Default::default()
        },
    );
    let d = only(&stack, DiagnosticKind::DependencyCycle);
    assert_eq!(d.logical_id.as_deref(), Some("A"));
    assert_eq!(d.path.as_deref(), Some("Properties.LogGroupName"));
    assert!(
        d.message
            .contains("A -(Properties.LogGroupName)-> B -(Properties.KmsKeyId)-> C -(DependsOn)-> A"),
        "{d}"
    );
}

#[test]
fn self_reference_is_a_cycle() {
    let mut stack = Stack::new("T");
    stack.add("A", log_group().set("LogGroupName", fns::ref_("A")));
    let d = only(&stack, DiagnosticKind::DependencyCycle);
    assert!(d.message.contains("A -(Properties.LogGroupName)-> A"), "{d}");
}

#[test]
fn duplicate_logical_id_names_both_paths() {
    let mut stack = Stack::new("T");
    stack.add("Logs", log_group());
    stack.add("Logs", log_group());
    let d = only(&stack, DiagnosticKind::DuplicateLogicalId);
    assert_eq!(d.logical_id.as_deref(), Some("Logs"));
    assert!(d.message.contains("construct paths Logs and Logs"), "{d}");
}

#[test]
fn invalid_logical_ids_are_rejected_with_a_suggestion() {
    let mut stack = Stack::new("T");
    stack.add("my-logs", log_group());
    stack.add("L".repeat(256), log_group());
    stack.add_output("bad_output", Output::new("x"));
    let all = problems(&stack);
    let invalid: Vec<&Diagnostic> = all
        .iter()
        .filter(|d| d.kind == DiagnosticKind::InvalidLogicalId)
        .collect();
    assert_eq!(invalid.len(), 3, "{all:#?}");
    assert_eq!(invalid[0].logical_id.as_deref(), Some("my-logs"));
    assert!(invalid[0].message.contains("'-'") && invalid[0].message.contains("\"mylogs\""));
    assert!(invalid[1].message.contains("255"));
    assert_eq!(invalid[2].logical_id.as_deref(), Some("bad_output"));
}

#[test]
fn nested_paths_are_sanitized_not_rejected() {
    let mut stack = Stack::new("T");
    let handle = stack.scope("subnet-for-eks").add("route-table", log_group());
    assert!(handle.logical_id().as_str().starts_with("subnetforeksroutetable"));
    stack.synth().expect("valid");
}

#[test]
fn unknown_condition_and_mapping() {
    let mut stack = Stack::new("T");
    stack.add_with(
        "A",
        log_group(),
        ResourceOptions::new().condition(&kumo_core::Condition::named("Nope")),
    );
    stack.add(
        "B",
        log_group().set("LogGroupName", fns::find_in_map::<kumo_core::Str>("NoMap", "a", "b")),
    );
    let all = problems(&stack);
    assert!(
        all.iter()
            .any(|d| d.kind == DiagnosticKind::UnknownCondition && d.path.as_deref() == Some("Condition"))
    );
    assert!(
        all.iter()
            .any(|d| d.kind == DiagnosticKind::UnknownMapping && d.logical_id.as_deref() == Some("B"))
    );
}

#[test]
fn conditions_cannot_reference_resources() {
    let mut stack = Stack::new("T");
    stack.add("A", log_group());
    stack.add_condition("UsesResource", fns::equals(fns::ref_("A"), "x"));
    let d = only(&stack, DiagnosticKind::InvalidConditionReference);
    assert_eq!(d.logical_id.as_deref(), Some("UsesResource"));
}

#[test]
fn too_many_resources_outputs_and_parameters() {
    let mut stack = Stack::new("T");
    for i in 0..=limits::MAX_RESOURCES {
        stack.add(format!("R{i}"), log_group());
    }
    for i in 0..=limits::MAX_OUTPUTS {
        stack.add_output(format!("O{i}"), Output::new("x"));
    }
    for i in 0..=limits::MAX_PARAMETERS {
        stack.add_parameter(format!("P{i}"), Parameter::string().default("x"));
    }
    let all = problems(&stack);
    let limits: Vec<&String> = all
        .iter()
        .filter(|d| d.kind == DiagnosticKind::LimitExceeded)
        .map(|d| &d.message)
        .collect();
    assert!(
        limits
            .iter()
            .any(|m| m.contains("501 resources") && m.contains("at most 500")),
        "{limits:?}"
    );
    assert!(
        limits
            .iter()
            .any(|m| m.contains("201 outputs") && m.contains("at most 200")),
        "{limits:?}"
    );
    assert!(limits.iter().any(|m| m.contains("201 parameters")), "{limits:?}");
}

#[test]
fn template_over_one_megabyte_is_rejected() {
    let mut stack = Stack::new("T");
    let big = "x".repeat(4000);
    for i in 0..300 {
        stack.add(format!("R{i}"), log_group().set("LogGroupName", big.as_str()));
    }
    let d = only(&stack, DiagnosticKind::LimitExceeded);
    assert!(
        d.message.contains("bytes minified") && d.message.contains("1048576"),
        "{d}"
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let mut stack = Stack::new("Demo");
    stack.add("A", log_group().set("LogGroupName", fns::ref_("X")));
    stack.add("B", log_group().set("LogGroupName", fns::ref_("Y")));
    let error = stack.synth().unwrap_err();
    assert_eq!(error.diagnostics.len(), 2);
    let text = error.to_string();
    assert!(
        text.starts_with("stack Demo has 2 problems:\n  - A: Properties.LogGroupName: "),
        "{text}"
    );
}

#[test]
fn reserved_tag_prefixes_are_refused_in_any_letter_case_at_synth() {
    use kumo_core::{RawResource, Stack};
    let mut stack = Stack::new("Tagged");
    // A raw resource has no spec, so no schema pattern would catch it: the shared rule does.
    let tags = kumo_core::Expr::from_json(&serde_json::json!([{"Key": "Aws:x", "Value": "1"}]));
    stack.add("Topic", RawResource::new("AWS::SNS::Topic").set("Tags", tags));
    let error = stack.synth().unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("tag key \"Aws:x\" starts with the reserved prefix \"aws:\""),
        "{text}"
    );
}
