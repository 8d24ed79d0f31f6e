//! The assertion API: matchers behave like the CDK's, and a failure explains itself.

use kumo_core::assertions::{Match, Template};
use kumo_core::{DeletionPolicy, Expr, Output, RawResource, ResourceOptions, Stack, fns};
use serde_json::json;

fn stack() -> Stack {
    let mut stack = Stack::new("T");
    stack.add(
        "AppLogs",
        RawResource::new("AWS::Logs::LogGroup")
            .set("LogGroupName", "app")
            .set("RetentionInDays", 7),
    );
    stack.add_with(
        "DbLogs",
        RawResource::new("AWS::Logs::LogGroup")
            .set("LogGroupName", "db")
            .set("RetentionInDays", 30),
        ResourceOptions::new().removal_policy(DeletionPolicy::Retain),
    );
    stack.add(
        "Policy",
        RawResource::new("AWS::IAM::ManagedPolicy").set(
            "PolicyDocument",
            Expr::from(json!({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"},
                    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
                ]
            })),
        ),
    );
    stack.add(
        "Param",
        RawResource::new("AWS::SSM::Parameter")
            .set("Type", "String")
            .set("Value", "{\"a\":1,\"b\":[2]}"),
    );
    stack.add_output("LogName", Output::new(fns::ref_("AppLogs")).description("app logs"));
    stack
}

#[test]
fn counts_properties_and_whole_resources() {
    let t = Template::from_stack(&stack());
    t.resource_count_is("AWS::Logs::LogGroup", 2);
    t.resource_count_is("AWS::Lambda::Function", 0);
    t.has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 30}));
    t.has_resource(
        "AWS::Logs::LogGroup",
        json!({"DeletionPolicy": "Retain", "Properties": {"LogGroupName": "db"}}),
    );
    assert_eq!(
        t.find_resources("AWS::Logs::LogGroup", json!({"Properties": {"LogGroupName": "app"}}))
            .len(),
        1
    );
    t.has_output("LogName", json!({"Value": {"Ref": "AppLogs"}}));
    assert_eq!(t.find_outputs(json!({"Description": "app logs"})).len(), 1);
}

#[test]
fn matchers() {
    let t = Template::from_stack(&stack());
    t.has_resource_properties(
        "AWS::Logs::LogGroup",
        json!({"LogGroupName": Match::string_like_regexp("^d")}),
    );
    t.has_resource_properties(
        "AWS::Logs::LogGroup",
        json!({"RetentionInDays": Match::any_value(), "KmsKeyId": Match::absent()}),
    );
    t.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        json!({"PolicyDocument": {"Statement": Match::array_with(json!([{"Action": "ecr:GetAuthorizationToken"}]))}}),
    );
    t.has_resource_properties(
        "AWS::SSM::Parameter",
        json!({"Value": Match::serialized_json(json!({"b": [2]}))}),
    );
    t.has_resource_properties("AWS::Logs::LogGroup", json!({"LogGroupName": Match::not("zzz")}));
    t.has_resource_properties(
        "AWS::Logs::LogGroup",
        Match::object_equals(json!({"LogGroupName": "app", "RetentionInDays": 7})),
    );
    // Arrays match exactly without array_with: one statement is not the whole list.
    assert!(
        t.try_has_resource_properties(
            "AWS::IAM::ManagedPolicy",
            json!({"PolicyDocument": {"Statement": [{"Action": "ecr:GetAuthorizationToken"}]}})
        )
        .is_err()
    );
    // object_equals rejects extra keys.
    assert!(
        t.try_has_resource_properties(
            "AWS::Logs::LogGroup",
            Match::object_equals(json!({"LogGroupName": "app"}))
        )
        .is_err()
    );
    // array_with keeps order.
    assert!(t
        .try_has_resource_properties(
            "AWS::IAM::ManagedPolicy",
            json!({"PolicyDocument": {"Statement": Match::array_with(json!([{"Action": "ecr:GetAuthorizationToken"}, {"Action": ["logs:PutLogEvents"]}]))}})
        )
        .is_err());
}

#[test]
fn failure_names_the_closest_candidate_with_a_diff() {
    let t = Template::from_stack(&stack());
    let error = t
        .try_has_resource_properties(
            "AWS::Logs::LogGroup",
            json!({"LogGroupName": "db", "RetentionInDays": 14}),
        )
        .unwrap_err()
        .0;
    assert!(
        error.contains("none of the 2 resources of type AWS::Logs::LogGroup matches"),
        "{error}"
    );
    assert!(error.contains("closest candidate: DbLogs (1 mismatch)"), "{error}");
    assert!(
        error.contains("at /RetentionInDays: expected 14 but found 30"),
        "{error}"
    );
    assert!(
        error.contains("-   \"RetentionInDays\": 14") && error.contains("+   \"RetentionInDays\": 30"),
        "{error}"
    );
}

#[test]
fn count_and_missing_output_failures_explain() {
    let t = Template::from_stack(&stack());
    let count = t.try_resource_count_is("AWS::Logs::LogGroup", 3).unwrap_err().0;
    assert!(
        count.contains("expected 3 resources of type AWS::Logs::LogGroup, found 2"),
        "{count}"
    );
    let output = t.try_has_output("Nope", json!({})).unwrap_err().0;
    assert!(
        output.contains("no output named \"Nope\"") && output.contains("LogName"),
        "{output}"
    );
    let none = t
        .try_has_resource_properties("AWS::S3::Bucket", json!({}))
        .unwrap_err()
        .0;
    assert!(
        none.contains("the template has no resources of type AWS::S3::Bucket"),
        "{none}"
    );
}

#[test]
#[should_panic(expected = "closest candidate")]
fn panicking_form_panics_with_the_explanation() {
    Template::from_stack(&stack()).has_resource_properties("AWS::Logs::LogGroup", json!({"LogGroupName": "nope"}));
}
