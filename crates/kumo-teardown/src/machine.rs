//! The sweep as a Step Functions state machine, rendered from [`RULES`]: what the time-to-live reaper
//! runs when nobody's kumo is there. Each rule becomes one stage (its look-up, then a `Map` deleting
//! what was found), in table order, then `cloudformation:DeleteStack` of the stack (by its id, so a
//! later stack of the same name is never touched), a wait for its `DELETE_COMPLETE` (`DELETE_FAILED`
//! fails the execution: the next firing starts over), and last `DeleteStack` of the reaper's own stack.
//!
//! A delete's error is judged by the rule's own codes: `gone_on` ends that item quietly, `retry_on`
//! fails it with `Kumo.Retry`, which the stage's `Retry` answers with back-off (the whole stage runs
//! again: every delete in it is idempotent); anything else fails with `Kumo.DeleteFailed` and the code in
//! the cause. A failed execution leaves the stack in place: the schedule starts the next one at its
//! next firing. Step Functions names `aws-sdk` errors `<Service>.<Code>Exception` for modelled errors
//! and `<Service>.<Service>Exception` with `Error Code: <Code>` in the cause for EC2's unmodelled ones,
//! so both forms are matched.
//!
//! The definition has `${StackName}` and `${StackId}` (the stack it removes) and `${ReaperStackId}`
//! in it: the reaper stack's template passes them as `DefinitionSubstitutions`.

use serde_json::{Map, Value, json};

use crate::rules::{Call, Kind, Machine, RULES, Rule, STACK_TAG, rule};

/// How the rendered machine retries and what it deletes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineOptions {
    /// Delete the stack's EBS volumes too (`[stack] ttl_delete_volumes`); kept by default.
    pub delete_volumes: bool,
    /// The first wait after a `retry_on` answer; doubled each time up to `max_delay_seconds`.
    pub first_retry_seconds: u32,
    pub max_delay_seconds: u32,
    /// Attempts of a stage after the first (Step Functions' `MaxAttempts`).
    pub max_attempts: u32,
    /// The wait between two looks at the stack while CloudFormation deletes it.
    pub poll_seconds: u32,
}

impl Default for MachineOptions {
    fn default() -> Self {
        // 10 + 20 + 40 + 80 + 160 + 300 + 300 s ≈ 15 minutes: the budget `kumo destroy` gives its sweep.
        MachineOptions {
            delete_volumes: false,
            first_retry_seconds: 10,
            max_delay_seconds: 300,
            max_attempts: 7,
            // A blueprint's deletion takes 15-30 minutes: a look a minute.
            poll_seconds: 60,
        }
    }
}

/// The name of the stage that runs a kind's rule (stable: tests and `kumo status` read them).
pub fn stage_name(kind: Kind) -> String {
    let noun = rule(kind).noun;
    let mut name = String::from("Remove ");
    name.push_str(noun);
    name.push('s');
    name
}

/// The state that deletes the stack after the sweep.
pub const DELETE_STACK: &str = "Delete the stack";
/// The state that waits (`poll_seconds`) between two looks at the stack's deletion.
pub const WAIT: &str = "Wait for the deletion";
/// The last state: the reaper stack's own `DeleteStack`.
pub const DELETE_REAPER: &str = "Delete the reaper stack";
/// The error a stage fails with when a delete answered one of its rule's `retry_on` codes.
pub const RETRY_ERROR: &str = "Kumo.Retry";
/// The error a stage fails with on any other answer of a delete.
pub const FAILED_ERROR: &str = "Kumo.DeleteFailed";

/// The state machine's definition (Amazon States Language), one stage per rule of [`RULES`].
pub fn definition(options: &MachineOptions) -> Value {
    let mut states = Map::new();
    let first = "Is the stack being deleted";
    look_at_stack(&mut states, first, "Its status", "Already being deleted?");
    let stages: Vec<String> = RULES.iter().map(|r| stage_name(r.kind)).collect();
    states.insert(
        "Already being deleted?".to_owned(),
        json!({
            "Type": "Choice",
            // An earlier execution's DeleteStack is running (this one waits for it too) or done (only the
            // reaper stack is left: an earlier self-delete did not go through).
            "Choices": [
                {"Variable": "$.stack.StackStatus", "StringEquals": "DELETE_COMPLETE", "Next": DELETE_REAPER},
                {"Variable": "$.stack.StackStatus", "StringEquals": "DELETE_IN_PROGRESS", "Next": WAIT},
            ],
            "Default": stages[0],
        }),
    );
    for (at, rule) in RULES.iter().enumerate() {
        let next = stages.get(at + 1).map(String::as_str).unwrap_or(DELETE_STACK);
        stage(&mut states, rule, next, options);
    }
    states.insert(
        DELETE_STACK.to_owned(),
        delete_stack("${StackId}", json!({"Next": WAIT})),
    );
    // CloudFormation deletes the stack's resources after the call returns, with this machine's role
    // (in the reaper stack, so it outlives them): the machine waits for the end before removing itself.
    states.insert(
        WAIT.to_owned(),
        json!({"Type": "Wait", "Seconds": options.poll_seconds, "Next": "Is the stack deleted"}),
    );
    look_at_stack(&mut states, "Is the stack deleted", "Its status now", "Deleted?");
    states.insert(
        "Deleted?".to_owned(),
        json!({
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.stack.StackStatus", "StringEquals": "DELETE_COMPLETE", "Next": DELETE_REAPER},
                // The execution fails (kumo status shows it); the next firing sweeps and deletes again.
                {"Variable": "$.stack.StackStatus", "StringEquals": "DELETE_FAILED", "Next": "Delete failed"},
            ],
            "Default": WAIT,
        }),
    );
    states.insert(
        "Delete failed".to_owned(),
        json!({
            "Type": "Fail",
            "Error": FAILED_ERROR,
            "Cause": "DeleteStack ended DELETE_FAILED (the stack's events say why); the next firing tries again",
        }),
    );
    // The last step: CloudFormation deletes the schedule, this machine and, last, its role.
    states.insert(
        DELETE_REAPER.to_owned(),
        delete_stack("${ReaperStackId}", json!({"OutputPath": null, "End": true})),
    );
    json!({
        "Comment": "kumo time-to-live: remove what the stack's controllers left outside it (kumo destroy's rules), then delete the stack",
        "StartAt": first,
        "States": states,
    })
}

/// Every `service:Action` the machine calls, for its role's policy (IAM spells the actions with a
/// capital first letter; `elasticloadbalancingv2` is `elasticloadbalancing` there and
/// `resourcegroupstaggingapi` is `tag`).
pub fn iam_actions(options: &MachineOptions) -> Vec<String> {
    let mut calls: Vec<&Call> = Vec::new();
    for rule in RULES {
        collect_calls(&rule.machine, options, &mut calls);
    }
    let mut actions: Vec<String> = calls.iter().map(|c| iam_action(c)).collect();
    actions.extend(
        [
            "cloudformation:DescribeStacks",
            "cloudformation:DeleteStack",
            "cloudformation:ListStackResources",
        ]
        .map(str::to_owned),
    );
    actions.sort();
    actions.dedup();
    actions
}

fn collect_calls<'a>(machine: &'a Machine, options: &MachineOptions, calls: &mut Vec<&'a Call>) {
    match machine {
        Machine::Sweep { find, delete, .. } => calls.extend([find, delete]),
        Machine::Under {
            parent,
            before,
            find,
            delete,
            ..
        } => {
            collect_calls(&rule(*parent).machine, options, calls);
            calls.extend(before.iter().map(|(call, _)| call));
            calls.extend([find, delete]);
        }
        Machine::OwnedRecords => calls.extend(RECORD_CALLS.iter()),
        Machine::Optional(inner) => {
            if options.delete_volumes {
                collect_calls(inner, options, calls);
            }
        }
        Machine::Leave => {}
    }
}

const RECORD_CALLS: [Call; 2] = [
    Call {
        service: "route53",
        action: "listResourceRecordSets",
        parameters: "",
    },
    Call {
        service: "route53",
        action: "changeResourceRecordSets",
        parameters: "",
    },
];

/// `ec2:DeleteSecurityGroup` from `ec2` + `deleteSecurityGroup`.
pub fn iam_action(call: &Call) -> String {
    let prefix = match call.service {
        "elasticloadbalancingv2" => "elasticloadbalancing",
        "resourcegroupstaggingapi" => "tag",
        other => other,
    };
    let mut action = call.action.chars();
    let first = action.next().map(|c| c.to_ascii_uppercase()).unwrap_or_default();
    format!("{prefix}:{first}{}", action.as_str())
}

/// A CloudFormation call on this stack (by its id), its answer kept at `result_path`.
/// `look` reads the stack, `status` keeps its first (only) entry at `$.stack`, then `next`.
fn look_at_stack(states: &mut Map<String, Value>, look: &str, status: &str, next: &str) {
    states.insert(look.to_owned(), this_stack("describeStacks", "$.stack", status));
    // `States.ArrayGetItem` rather than `$.Stacks[0]` in a Choice: emulators read `[0]` as a list.
    states.insert(
        status.to_owned(),
        json!({
            "Type": "Pass",
            "Parameters": {"stack.$": "States.ArrayGetItem($.stack.Stacks, 0)"},
            "Next": next,
        }),
    );
}

/// `DeleteStack` of the stack `id` (a substitution), then `then` (`Next` or `End`, and more fields).
fn delete_stack(id: &str, then: Value) -> Value {
    let mut state = json!({
        "Type": "Task",
        "Resource": resource(&Call { service: "cloudformation", action: "deleteStack", parameters: "" }),
        "Parameters": {"StackName": id},
        "ResultPath": null,
    });
    if let (Some(state), Value::Object(then)) = (state.as_object_mut(), then) {
        state.extend(then);
    }
    state
}

fn this_stack(action: &str, result_path: &str, next: &str) -> Value {
    json!({
        "Type": "Task",
        "Resource": format!("arn:aws:states:::aws-sdk:cloudformation:{action}"),
        "Parameters": {"StackName": "${StackId}"},
        "ResultPath": result_path,
        "Next": next,
    })
}

fn resource(call: &Call) -> String {
    format!("arn:aws:states:::aws-sdk:{}:{}", call.service, call.action)
}

fn parameters(call: &Call) -> Value {
    // The table's texts are checked to parse by `every_rule_renders_a_stage`.
    serde_json::from_str(call.parameters).unwrap_or(Value::Null)
}

/// `$.Volumes` of an answer kept at `$.found` is `$.found.Volumes`.
fn under(prefix: &str, path: &str) -> String {
    format!("{prefix}{}", path.trim_start_matches('$'))
}

fn stage(states: &mut Map<String, Value>, rule: &Rule, next: &str, options: &MachineOptions) {
    let name = stage_name(rule.kind);
    match &rule.machine {
        Machine::Optional(inner) if options.delete_volumes => sweep_stage(states, &name, rule, inner, next, options),
        Machine::Optional(_) | Machine::Leave => {
            states.insert(
                name,
                json!({
                    "Type": "Pass",
                    "Comment": format!("{}s are left in place: {}", rule.noun, rule.delete),
                    "ResultPath": null,
                    "Next": next,
                }),
            );
        }
        machine => sweep_stage(states, &name, rule, machine, next, options),
    }
}

fn sweep_stage(
    states: &mut Map<String, Value>,
    name: &str,
    rule: &Rule,
    machine: &Machine,
    next: &str,
    options: &MachineOptions,
) {
    let each_state = format!("{name}: each");
    let (find, items, per_item) = match machine {
        Machine::Sweep {
            find,
            items,
            tagged,
            delete,
        } => (find, *items, item_processor(rule, *tagged, None, delete, "$.item")),
        Machine::Under {
            parent,
            before,
            find,
            items,
            only_if,
            delete,
        } => {
            let Machine::Sweep {
                find: parent_find,
                items: parent_items,
                tagged: parent_tagged,
                ..
            } = &rule_of(*parent).machine
            else {
                // `parents_are_sweeps` checks every parent is a plain sweep.
                return;
            };
            let children = children_processor(rule, before.as_ref(), find, items, *only_if, delete);
            let processor = owned_check("parent", *parent_tagged, children);
            (parent_find, *parent_items, processor)
        }
        Machine::OwnedRecords => {
            records_stage(states, name, rule, next, options);
            return;
        }
        Machine::Optional(_) | Machine::Leave => return,
    };
    states.insert(
        name.to_owned(),
        json!({
            "Type": "Task",
            "Resource": resource(find),
            "Parameters": parameters(find),
            "ResultPath": "$.found",
            "Next": each_state.clone(),
        }),
    );
    let item_key = if matches!(machine, Machine::Under { .. }) {
        "parent"
    } else {
        "item"
    };
    states.insert(
        each_state,
        json!({
            "Type": "Map",
            "Comment": format!("{} ({}): {}", rule.noun, rule.made_by, rule.find),
            "ItemsPath": under("$.found", items),
            "ItemSelector": {format!("{item_key}.$"): "$$.Map.Item.Value", "mark": mark()},
            "MaxConcurrency": 5,
            "ItemProcessor": per_item,
            "ResultPath": null,
            "Retry": [retry(options)],
            "Next": next,
        }),
    );
}

fn rule_of(kind: Kind) -> &'static Rule {
    rule(kind)
}

/// `{"Key": "kumo:stack", "Value": "<stack>"}`: the tag a tagging-API answer is checked for.
fn mark() -> Value {
    json!({"Key": STACK_TAG, "Value": "${StackName}"})
}

fn retry(options: &MachineOptions) -> Value {
    json!({
        "ErrorEquals": [RETRY_ERROR],
        "IntervalSeconds": options.first_retry_seconds,
        "BackoffRate": 2.0,
        "MaxDelaySeconds": options.max_delay_seconds,
        "MaxAttempts": options.max_attempts,
    })
}

/// The tagging API's answer is trusted only as far as the tags it returns: an item (at `$.<key>`)
/// whose tags lack `kumo:stack=<stack>` is skipped.
fn owned_check(key: &str, tagged: bool, then: Value) -> Value {
    if !tagged {
        return then;
    }
    let start = then["StartAt"].as_str().unwrap_or_default().to_owned();
    let mut states = then["States"].as_object().cloned().unwrap_or_default();
    states.insert(
        "Tagged for this stack".to_owned(),
        json!({
            "Type": "Pass",
            "Parameters": {
                format!("{key}.$"): format!("$.{key}"),
                "mark.$": "$.mark",
                "owned.$": format!("States.ArrayContains($.{key}.Tags, $.mark)"),
            },
            "Next": "Ours?",
        }),
    );
    states.insert(
        "Ours?".to_owned(),
        json!({
            "Type": "Choice",
            "Choices": [{"Variable": "$.owned", "BooleanEquals": true, "Next": start}],
            "Default": "Not this stack's",
        }),
    );
    states.insert("Not this stack's".to_owned(), json!({"Type": "Succeed"}));
    json!({"StartAt": "Tagged for this stack", "States": states})
}

/// Deletes the item at `item_path`, judging the answer by the rule's codes.
fn item_processor(rule: &Rule, tagged: bool, only_if: Option<&str>, delete: &Call, item_path: &str) -> Value {
    let mut states = Map::new();
    let delete_state = "Delete";
    let start = match only_if.and_then(|text| serde_json::from_str::<Value>(text).ok()) {
        Some(Value::Object(mut condition)) => {
            condition.insert("Next".to_owned(), Value::String(delete_state.to_owned()));
            states.insert(
                "Is it this one's?".to_owned(),
                json!({"Type": "Choice", "Choices": [condition], "Default": "Not this one's"}),
            );
            states.insert("Not this one's".to_owned(), json!({"Type": "Succeed"}));
            "Is it this one's?"
        }
        _ => delete_state,
    };
    let _ = item_path;
    states.insert(
        delete_state.to_owned(),
        json!({
            "Type": "Task",
            "Resource": resource(delete),
            "Parameters": parameters(delete),
            "ResultPath": null,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Why not deleted?"}],
            "End": true,
        }),
    );
    judge(&mut states, rule);
    let processor = json!({"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": start, "States": states});
    owned_check("item", tagged, processor)
}

/// The Choice after a failed delete, and its three ends.
fn judge(states: &mut Map<String, Value>, rule: &Rule) {
    let matches = |codes: &[&str]| -> Vec<Value> {
        codes
            .iter()
            .flat_map(|code| {
                [
                    json!({"Variable": "$.error.Error", "StringMatches": format!("*.{code}Exception")}),
                    json!({"Variable": "$.error.Cause", "StringMatches": format!("*Error Code: {code},*")}),
                ]
            })
            .collect()
    };
    let mut choices = Vec::new();
    if !rule.gone_on.is_empty() {
        choices.push(json!({"Or": matches(rule.gone_on), "Next": "Already gone"}));
    }
    if !rule.retry_on.is_empty() {
        choices.push(json!({"Or": matches(rule.retry_on), "Next": "Still in use"}));
    }
    let mut judge = json!({"Type": "Choice", "Default": "Delete failed"});
    if !choices.is_empty() {
        judge["Choices"] = Value::Array(choices);
    } else {
        // A Choice needs at least one rule: nothing is "gone" or "retried" for this kind.
        judge = json!({"Type": "Pass", "Next": "Delete failed"});
    }
    states.insert("Why not deleted?".to_owned(), judge);
    states.insert("Already gone".to_owned(), json!({"Type": "Succeed"}));
    states.insert(
        "Still in use".to_owned(),
        json!({"Type": "Fail", "Error": RETRY_ERROR, "CausePath": "$.error.Cause"}),
    );
    states.insert(
        "Delete failed".to_owned(),
        json!({"Type": "Fail", "Error": FAILED_ERROR, "CausePath": "$.error.Cause"}),
    );
}

/// Inside a parent's `Map`: `before`, the children's look-up, and a `Map` deleting each child.
fn children_processor(
    rule: &Rule,
    before: Option<&(Call, &'static str)>,
    find: &Call,
    items: &str,
    only_if: Option<&str>,
    delete: &Call,
) -> Value {
    let mut states = Map::new();
    let start = if let Some((call, list)) = before {
        states.insert(
            "Before".to_owned(),
            json!({
                "Type": "Task",
                "Resource": resource(call),
                "Parameters": parameters(call),
                "ResultPath": "$.before",
                "Next": "How many?",
            }),
        );
        states.insert(
            "How many?".to_owned(),
            json!({
                "Type": "Pass",
                "Parameters": {
                    "parent.$": "$.parent",
                    "before.$": "$.before",
                    "count.$": format!("States.ArrayLength({list})"),
                },
                "Next": "Anything?",
            }),
        );
        states.insert(
            "Anything?".to_owned(),
            json!({
                "Type": "Choice",
                "Choices": [{"Variable": "$.count", "NumericGreaterThan": 0, "Next": "Find"}],
                "Default": "Nothing here",
            }),
        );
        states.insert("Nothing here".to_owned(), json!({"Type": "Succeed"}));
        "Before"
    } else {
        "Find"
    };
    states.insert(
        "Find".to_owned(),
        json!({
            "Type": "Task",
            "Resource": resource(find),
            "Parameters": parameters(find),
            "ResultPath": "$.found",
            "Next": "Each",
        }),
    );
    states.insert(
        "Each".to_owned(),
        json!({
            "Type": "Map",
            "ItemsPath": under("$.found", items),
            "ItemSelector": {"item.$": "$$.Map.Item.Value", "parent.$": "$.parent"},
            "ItemProcessor": item_processor(rule, false, only_if, delete, "$.item"),
            "ResultPath": null,
            "End": true,
        }),
    );
    json!({"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": start, "States": states})
}

/// external-dns's records in the stack's zones (its own `AWS::Route53::HostedZone` resources and the
/// zone it takes as its `HostedZoneId` parameter, as `kumo destroy` does).
fn records_stage(states: &mut Map<String, Value>, name: &str, rule: &Rule, next: &str, options: &MachineOptions) {
    let zones_state = name.to_owned();
    let own_zones = format!("{name}: in the stack's zones");
    let given_zone = format!("{name}: in the zone it was given");
    // Every resource and every parameter is looked at with a Choice (a JSONPath filter that matches
    // nothing is an error in Step Functions).
    states.insert(zones_state, this_stack("listStackResources", "$.resources", &own_zones));
    let per_zone = zone_processor(rule);
    let zone_or_skip = |variable: &str, equals: &str, value: &str| {
        let mut states = per_zone["States"].as_object().cloned().unwrap_or_default();
        states.insert(
            "A zone?".to_owned(),
            json!({
                "Type": "Choice",
                "Choices": [{"Variable": variable, "StringEquals": equals, "Next": "Zone"}],
                "Default": "Not a zone",
            }),
        );
        states.insert("Not a zone".to_owned(), json!({"Type": "Succeed"}));
        states.insert(
            "Zone".to_owned(),
            json!({"Type": "Pass", "Parameters": {"zone.$": value}, "Next": per_zone["StartAt"]}),
        );
        json!({"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "A zone?", "States": states})
    };
    states.insert(
        own_zones,
        json!({
            "Type": "Map",
            "Comment": format!("{} ({}): {}", rule.noun, rule.made_by, rule.find),
            "ItemsPath": "$.resources.StackResourceSummaries",
            "ItemSelector": {"resource.$": "$$.Map.Item.Value"},
            "ItemProcessor": zone_or_skip("$.resource.ResourceType", "AWS::Route53::HostedZone", "$.resource.PhysicalResourceId"),
            "ResultPath": null,
            "Retry": [retry(options)],
            "Next": format!("{name}: given zone"),
        }),
    );
    states.insert(
        format!("{name}: given zone"),
        this_stack("describeStacks", "$.described", &given_zone),
    );
    states.insert(
        given_zone,
        json!({
            "Type": "Map",
            "ItemsPath": "$.described.Stacks[0].Parameters",
            "ItemSelector": {"parameter.$": "$$.Map.Item.Value"},
            "ItemProcessor": zone_or_skip("$.parameter.ParameterKey", "HostedZoneId", "$.parameter.ParameterValue"),
            "ResultPath": null,
            "Retry": [retry(options)],
            "Next": next,
        }),
    );
}

/// Per zone: each A / AAAA / CNAME record whose TXT owner record (`a-<name>`, `aaaa-<name>`,
/// `cname-<name>`, external-dns's format since v0.12) says `external-dns/owner=<stack>`: both
/// deleted in one change, exactly as listed (Route 53 matches a delete on every field).
fn zone_processor(rule: &Rule) -> Value {
    let mut states = Map::new();
    states.insert(
        "Records".to_owned(),
        json!({
            "Type": "Task",
            "Resource": resource(&RECORD_CALLS[0]),
            "Parameters": {"HostedZoneId.$": "$.zone"},
            "ResultPath": "$.found",
            "Next": "Each record",
        }),
    );
    let mut per_record = Map::new();
    let owner_name = |prefix: &str| {
        json!({
            "Type": "Pass",
            "Parameters": {
                "zone.$": "$.zone",
                "record.$": "$.record",
                "txt.$": format!("States.Format('{prefix}-{{}}', $.record.Name)"),
            },
            "Next": "Owner record",
        })
    };
    per_record.insert(
        "Which type?".to_owned(),
        json!({
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.record.Type", "StringEquals": "A", "Next": "A owner"},
                {"Variable": "$.record.Type", "StringEquals": "AAAA", "Next": "AAAA owner"},
                {"Variable": "$.record.Type", "StringEquals": "CNAME", "Next": "CNAME owner"},
            ],
            "Default": "Not a record external-dns makes",
        }),
    );
    per_record.insert("Not a record external-dns makes".to_owned(), json!({"Type": "Succeed"}));
    per_record.insert("A owner".to_owned(), owner_name("a"));
    per_record.insert("AAAA owner".to_owned(), owner_name("aaaa"));
    per_record.insert("CNAME owner".to_owned(), owner_name("cname"));
    per_record.insert(
        "Owner record".to_owned(),
        json!({
            "Type": "Task",
            "Resource": resource(&RECORD_CALLS[0]),
            "Parameters": {
                "HostedZoneId.$": "$.zone",
                "StartRecordName.$": "$.txt",
                "StartRecordType": "TXT",
                "MaxItems": "1",
            },
            "ResultPath": "$.owner",
            "Next": "Found one?",
        }),
    );
    per_record.insert(
        "Found one?".to_owned(),
        json!({
            "Type": "Pass",
            "Parameters": {
                "zone.$": "$.zone",
                "record.$": "$.record",
                "txt.$": "$.txt",
                "owner.$": "$.owner.ResourceRecordSets",
                "count.$": "States.ArrayLength($.owner.ResourceRecordSets)",
            },
            "Next": "Any?",
        }),
    );
    per_record.insert(
        "Any?".to_owned(),
        json!({
            "Type": "Choice",
            "Choices": [{"Variable": "$.count", "NumericGreaterThan": 0, "Next": "The first"}],
            "Default": "Not this stack's",
        }),
    );
    per_record.insert(
        "The first".to_owned(),
        json!({
            "Type": "Pass",
            "Parameters": {
                "zone.$": "$.zone",
                "record.$": "$.record",
                "txt.$": "$.txt",
                "owner.$": "States.ArrayGetItem($.owner, 0)",
            },
            "Next": "Its value",
        }),
    );
    per_record.insert(
        "Its value".to_owned(),
        json!({
            "Type": "Pass",
            "Parameters": {
                "zone.$": "$.zone",
                "record.$": "$.record",
                "txt.$": "$.txt",
                "owner.$": "$.owner",
                "value.$": "States.ArrayGetItem($.owner.ResourceRecords, 0)",
            },
            "Next": "Owned by this stack?",
        }),
    );
    per_record.insert(
        "Owned by this stack?".to_owned(),
        json!({
            "Type": "Choice",
            "Choices": [{"And": [
                {"Variable": "$.owner.Name", "StringEqualsPath": "$.txt"},
                {"Variable": "$.owner.Type", "StringEquals": "TXT"},
                {"Variable": "$.value.Value",
                 "StringMatches": "\"heritage=external-dns,external-dns/owner=${StackName},*"},
            ], "Next": "Delete"}],
            "Default": "Not this stack's",
        }),
    );
    per_record.insert("Not this stack's".to_owned(), json!({"Type": "Succeed"}));
    per_record.insert(
        "Delete".to_owned(),
        json!({
            "Type": "Task",
            "Resource": resource(&RECORD_CALLS[1]),
            "Parameters": {
                "HostedZoneId.$": "$.zone",
                "ChangeBatch": {"Changes": [
                    {"Action": "DELETE", "ResourceRecordSet.$": "$.record"},
                    {"Action": "DELETE", "ResourceRecordSet.$": "$.owner"},
                ]},
            },
            "ResultPath": null,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Why not deleted?"}],
            "End": true,
        }),
    );
    judge(&mut per_record, rule);
    states.insert(
        "Each record".to_owned(),
        json!({
            "Type": "Map",
            "ItemsPath": "$.found.ResourceRecordSets",
            "ItemSelector": {"record.$": "$$.Map.Item.Value", "zone.$": "$.zone"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Which type?", "States": per_record},
            "ResultPath": null,
            "End": true,
        }),
    );
    json!({"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Records", "States": states})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_states(value: &Value, out: &mut Vec<(String, Value)>) {
        if let Some(states) = value.get("States").and_then(Value::as_object) {
            for (name, state) in states {
                out.push((name.clone(), state.clone()));
                if let Some(processor) = state.get("ItemProcessor") {
                    all_states(processor, out);
                }
            }
        }
    }

    #[test]
    fn every_rule_renders_a_stage() {
        for delete_volumes in [false, true] {
            let options = MachineOptions {
                delete_volumes,
                ..MachineOptions::default()
            };
            let definition = definition(&options);
            let states = definition["States"].as_object().unwrap();
            for rule in RULES {
                assert!(
                    states.contains_key(&stage_name(rule.kind)),
                    "{:?} has no stage",
                    rule.kind
                );
            }
            // Every Next / Default names a state of the same level, and every parameter text parsed.
            fn check(level: &Value) {
                let states = level["States"].as_object().unwrap();
                assert!(states.contains_key(level["StartAt"].as_str().unwrap()));
                for (name, state) in states {
                    for key in ["Next", "Default"] {
                        if let Some(next) = state.get(key).and_then(Value::as_str) {
                            assert!(states.contains_key(next), "{name}: {key} {next} is not a state");
                        }
                    }
                    for choice in state.get("Choices").and_then(Value::as_array).into_iter().flatten() {
                        let next = choice["Next"].as_str().unwrap();
                        assert!(states.contains_key(next), "{name}: choice to {next}");
                    }
                    assert_ne!(state.get("Parameters"), Some(&Value::Null), "{name}: parameters");
                    if let Some(processor) = state.get("ItemProcessor") {
                        check(processor);
                    }
                }
            }
            check(&definition);
        }
    }

    #[test]
    fn stages_run_in_table_order_then_the_stack_is_deleted_waited_for_and_the_reaper_last() {
        let definition = definition(&MachineOptions::default());
        let states = definition["States"].as_object().unwrap();
        let mut at = definition["StartAt"].as_str().unwrap().to_owned();
        let mut seen = Vec::new();
        for _ in 0..100 {
            let state = &states[&at];
            if states.get(&at).is_some() && RULES.iter().any(|r| stage_name(r.kind) == at) {
                seen.push(at.clone());
            }
            let next = state
                .get("Next")
                .or_else(|| state.get("Default"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            match next {
                Some(next) if at != DELETE_STACK => at = next,
                _ => break,
            }
        }
        assert_eq!(at, DELETE_STACK);
        let expected: Vec<String> = RULES.iter().map(|r| stage_name(r.kind)).collect();
        assert_eq!(seen, expected);
        assert_eq!(states[DELETE_STACK]["Parameters"]["StackName"], "${StackId}");
        // Then: wait, look, and only on DELETE_COMPLETE delete the reaper stack (its own id); a
        // DELETE_FAILED fails the execution so the next firing starts over.
        assert_eq!(states[DELETE_STACK]["Next"], WAIT);
        assert_eq!(states[WAIT]["Seconds"], 60);
        let choice = &states["Deleted?"];
        assert_eq!(choice["Default"], WAIT);
        assert_eq!(choice["Choices"][0]["StringEquals"], "DELETE_COMPLETE");
        assert_eq!(choice["Choices"][0]["Next"], DELETE_REAPER);
        let failed = choice["Choices"][1]["Next"].as_str().unwrap();
        assert_eq!(choice["Choices"][1]["StringEquals"], "DELETE_FAILED");
        assert_eq!(states[failed]["Type"], "Fail");
        assert_eq!(states[failed]["Error"], FAILED_ERROR);
        assert_eq!(states[DELETE_REAPER]["Parameters"]["StackName"], "${ReaperStackId}");
        assert_eq!(states[DELETE_REAPER]["End"], true);
        // A firing after an earlier one's DeleteStack: it waits too, or only removes the reaper.
        let first = &states["Already being deleted?"]["Choices"];
        assert_eq!(first[0]["Next"], DELETE_REAPER);
        assert_eq!(first[1]["Next"], WAIT);
    }

    #[test]
    fn retry_codes_retry_with_backoff_and_gone_codes_end_quietly() {
        let definition = definition(&MachineOptions::default());
        let mut states = Vec::new();
        all_states(&definition, &mut states);
        let group_stage = &definition["States"][format!("{}: each", stage_name(Kind::SecurityGroup))];
        assert_eq!(group_stage["Retry"][0]["ErrorEquals"], json!([RETRY_ERROR]));
        assert_eq!(group_stage["Retry"][0]["BackoffRate"], json!(2.0));
        let judge = &group_stage["ItemProcessor"]["States"]["Why not deleted?"];
        let text = judge.to_string();
        assert!(text.contains("*Error Code: DependencyViolation,*"), "{text}");
        assert!(text.contains("*Error Code: InvalidGroup.NotFound,*"), "{text}");
        assert_eq!(judge["Choices"][1]["Next"], "Still in use");
        let lb_stage = format!("{}: each", stage_name(Kind::LoadBalancer));
        let lb_judge = &definition["States"][lb_stage]["ItemProcessor"]["States"]["Why not deleted?"];
        assert!(lb_judge.to_string().contains("*.LoadBalancerNotFoundException"));
    }

    #[test]
    fn volumes_are_left_unless_asked() {
        let kept = definition(&MachineOptions::default());
        assert_eq!(kept["States"][stage_name(Kind::Volume)]["Type"], "Pass");
        assert!(!iam_actions(&MachineOptions::default()).contains(&"ec2:DeleteVolume".to_owned()));
        let options = MachineOptions {
            delete_volumes: true,
            ..MachineOptions::default()
        };
        let deleted = definition(&options);
        assert_eq!(deleted["States"][stage_name(Kind::Volume)]["Type"], "Task");
        assert!(iam_actions(&options).contains(&"ec2:DeleteVolume".to_owned()));
    }

    #[test]
    fn iam_actions_are_spelt_as_iam_spells_them() {
        let actions = iam_actions(&MachineOptions::default());
        for expected in [
            "elasticloadbalancing:DeleteLoadBalancer",
            "tag:GetResources",
            "ec2:RevokeSecurityGroupIngress",
            "route53:ChangeResourceRecordSets",
            "cloudformation:DeleteStack",
        ] {
            assert!(actions.contains(&expected.to_owned()), "{expected} in {actions:?}");
        }
    }
}
