//! Synthesis is a pure function: the same stack gives the same bytes, whatever order setters ran in.

use kumo_core::{DeletionPolicy, Output, Parameter, RawResource, ResourceOptions, Stack, fns, pseudo};

fn build(reverse: bool) -> Stack {
    let mut stack = Stack::new("Demo");
    stack.set_description("determinism check");
    let env = stack.add_parameter(
        "Env",
        Parameter::string().allowed_values(["dev", "prod"]).default("dev"),
    );
    let prod = stack.add_condition("IsProd", fns::equals(env.value(), "prod"));
    stack.add_tag("Project", "kumo");
    let mut logs = RawResource::new("AWS::Logs::LogGroup");
    let props: [(&str, kumo_core::Expr); 2] = [
        ("RetentionInDays", fns::if_::<kumo_core::Int>(&prod, 30, 7).into()),
        ("LogGroupName", fns::sub("/app/${AWS::StackName}").into()),
    ];
    let ordered: Vec<_> = if reverse {
        props.into_iter().rev().collect()
    } else {
        props.into_iter().collect()
    };
    for (name, value) in ordered {
        logs = logs.set(name, value);
    }
    let handle = stack.add_with(
        "Logs",
        logs,
        ResourceOptions::new().removal_policy(DeletionPolicy::Retain),
    );
    stack.add_output(
        "LogGroup",
        Output::new(handle.reference()).export_name(fns::sub("${AWS::StackName}-logs")),
    );
    stack.add_output("Region", Output::new(pseudo::region()));
    stack
}

#[test]
fn same_stack_same_bytes_in_json_and_yaml() {
    let a = build(false).synth().unwrap();
    let b = build(true).synth().unwrap();
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(a.to_yaml(), b.to_yaml());
    assert_eq!(a.to_json_minified(), b.to_json_minified());
    assert_eq!(a.content_hash(), b.content_hash());
}

#[test]
fn json_and_yaml_forms_are_pinned() {
    let template = build(false).synth().unwrap();
    insta::assert_snapshot!("demo_json", template.to_json());
    insta::assert_snapshot!("demo_yaml", template.to_yaml());
}

#[test]
fn demo_template_passes_cfn_lint_in_both_forms() {
    let template = build(false).synth().unwrap();
    kumo_testkit::cfn_lint::assert_clean(&[
        ("demo.template.json", &template.to_json()),
        ("demo.template.yaml", &template.to_yaml()),
    ]);
}

#[test]
fn yaml_parses_back_to_the_same_document_as_json() {
    let template = build(false).synth().unwrap();
    let from_yaml: serde_json::Value = serde_yaml_ng::from_str(&template.to_yaml()).unwrap();
    assert_eq!(from_yaml, template.to_value());
}
