//! CloudFormation as AWS behaves, replayed from recorded timelines, behind `aws-smithy-mocks`.
//!
//! A test describes the stack's starting point (status, history of events, tags, template) and the
//! events each operation produces, as offsets in seconds from the call that starts it (the
//! `ExecuteChangeSet`, `DeleteStack` or `CancelUpdateStack`). Every SDK call is answered from that
//! timeline as seen at the [`ManualClock`]'s current time: `DescribeStacks` reports the status of the
//! newest visible stack-level event, `DescribeStackEvents` pages the visible events newest first, and so
//! on. The engine's clock is the same manual clock, so a 20-minute deployment replays in milliseconds,
//! with event timestamps, elapsed times and timeouts all consistent.
//!
//! Response shapes (field sets, event id formats, error codes and messages) follow what CloudFormation
//! returns; see `timelines.rs` for the recorded sequences.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::config::retry::RetryConfig;
use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::cancel_update_stack::{CancelUpdateStackError, CancelUpdateStackOutput};
use aws_sdk_cloudformation::operation::create_change_set::{CreateChangeSetError, CreateChangeSetOutput};
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::{DescribeStackEventsError, DescribeStackEventsOutput};
use aws_sdk_cloudformation::operation::describe_stacks::{DescribeStacksError, DescribeStacksOutput};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
use aws_sdk_cloudformation::operation::list_stack_resources::ListStackResourcesOutput;
use aws_sdk_cloudformation::operation::update_termination_protection::UpdateTerminationProtectionOutput;
use aws_sdk_cloudformation::operation::validate_template::ValidateTemplateOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeType, ExecutionStatus, Output, Parameter, Replacement, ResourceChange,
    ResourceStatus, Stack, StackDriftInformation, StackDriftStatus, StackEvent, StackResourceSummary, StackStatus, Tag,
};
use aws_smithy_mocks::{MockResponse, Rule, RuleMode, mock, mock_client};
use kumo_deploy::clock::ManualClock;

pub const REGION: &str = "ap-northeast-1";
pub const ACCOUNT: &str = "123456789012";
pub const STACK: &str = "app";

/// 2026-11-25T09:00:00Z: when every scenario starts.
pub fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_597_200)
}

/// One recorded event: `at` seconds from the start of its operation (negative: before the test began).
#[derive(Clone, Debug)]
pub struct Ev {
    pub at: i64,
    /// Empty for stack-level events (filled with the stack name).
    pub logical: String,
    pub rtype: String,
    pub status: String,
    pub reason: Option<String>,
    pub physical: Option<String>,
}

pub fn stack_ev(at: i64, status: &str, reason: Option<&str>) -> Ev {
    Ev {
        at,
        logical: String::new(),
        rtype: "AWS::CloudFormation::Stack".into(),
        status: status.into(),
        reason: reason.map(str::to_owned),
        physical: None,
    }
}

pub fn res_ev(at: i64, logical: &str, rtype: &str, status: &str, reason: Option<&str>) -> Ev {
    Ev {
        at,
        logical: logical.into(),
        rtype: rtype.into(),
        status: status.into(),
        reason: reason.map(str::to_owned),
        physical: None,
    }
}

/// The events one operation produces, and the outputs the stack has once it ends.
#[derive(Clone, Debug, Default)]
pub struct Op {
    pub events: Vec<Ev>,
    pub outputs: Option<Vec<(String, String)>>,
}

impl Op {
    pub fn new(events: Vec<Ev>) -> Op {
        Op { events, outputs: None }
    }
    pub fn with_outputs(mut self, outputs: &[(&str, &str)]) -> Op {
        self.outputs = Some(outputs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        self
    }
}

#[derive(Clone, Debug)]
struct Visible {
    at: SystemTime,
    id: String,
    ev: Ev,
}

#[derive(Clone, Debug)]
pub struct SimStack {
    pub id: String,
    pub name: String,
    pub initial_status: String,
    events: Vec<Visible>,
    pub tags: Vec<(String, String)>,
    pub outputs: Vec<(String, String)>,
    pending_outputs: Option<(SystemTime, Vec<(String, String)>)>,
    pub parameters: Vec<(String, String)>,
    pub termination_protection: bool,
    pub disable_rollback: bool,
    pub parent_id: Option<String>,
    pub template: Option<String>,
    pending_template: Option<String>,
    pending_tags: Option<Vec<(String, String)>>,
    pub resources: Vec<(String, String, String)>,
    pub drift: Option<StackDriftStatus>,
    pub created: SystemTime,
}

/// What the next change set contains.
#[derive(Clone, Debug, Default)]
pub struct ChangeSetPlan {
    /// (action, logical id, type, replacement)
    pub changes: Vec<(ChangeAction, String, String, Option<Replacement>)>,
    /// A `FAILED` change set with this reason.
    pub fail_reason: Option<String>,
    /// `CreateChangeSet` itself refuses with "No updates are to be performed.".
    pub refuse_no_updates: bool,
    /// Polls answered `CREATE_IN_PROGRESS` before it is ready.
    pub pending_polls: u32,
}

#[derive(Clone, Debug)]
struct SimChangeSet {
    id: String,
    stack_id: String,
    polls: u32,
    plan: ChangeSetPlan,
}

pub struct World {
    pub clock: ManualClock,
    pub stacks: Vec<SimStack>,
    pub on_execute: VecDeque<Op>,
    pub on_delete: VecDeque<Op>,
    pub on_cancel: VecDeque<Op>,
    pub change_set: ChangeSetPlan,
    change_sets: Vec<SimChangeSet>,
    /// Every call, in order, e.g. `CreateChangeSet:UPDATE`, `DeleteStack`.
    pub calls: Vec<String>,
    /// `RetainResources` of each `DeleteStack`.
    pub delete_retains: Vec<Vec<String>>,
    pub page_size: usize,
    counter: u64,
}

pub type Shared = Arc<Mutex<World>>;

impl World {
    pub fn new() -> World {
        World {
            clock: ManualClock::starting_at(t0()),
            stacks: Vec::new(),
            on_execute: VecDeque::new(),
            on_delete: VecDeque::new(),
            on_cancel: VecDeque::new(),
            change_set: ChangeSetPlan::default(),
            change_sets: Vec::new(),
            calls: Vec::new(),
            delete_retains: Vec::new(),
            page_size: 10,
            counter: 0,
        }
    }

    /// A stack that exists when the test starts, in `status`, owned by kumo, with `history` (offsets
    /// relative to now, negative) already visible.
    pub fn with_stack(mut self, status: &str, history: Vec<Ev>) -> World {
        let id =
            format!("arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/1f6e1a30-ca4e-11f0-8de9-0242ac120002");
        let now = self.clock_now();
        let mut stack = SimStack {
            id,
            name: STACK.into(),
            initial_status: status.into(),
            events: Vec::new(),
            tags: vec![("kumo:managed-by".into(), "kumo".into())],
            outputs: Vec::new(),
            pending_outputs: None,
            parameters: Vec::new(),
            termination_protection: false,
            disable_rollback: false,
            parent_id: None,
            template: Some(
                r#"{"Resources":{"Vpc":{"Type":"AWS::EC2::VPC","Properties":{"CidrBlock":"10.0.0.0/16"}}}}"#.into(),
            ),
            pending_template: None,
            pending_tags: None,
            resources: vec![("Vpc".into(), "AWS::EC2::VPC".into(), "vpc-0a1b2c3d4e5f60718".into())],
            drift: None,
            created: now - Duration::from_secs(86_400),
        };
        for ev in history {
            let at = offset(now, ev.at);
            self.counter += 1;
            let id = event_id(&ev, at, self.counter);
            stack.events.push(Visible { at, id, ev });
        }
        self.stacks.push(stack);
        self
    }

    /// Events of an operation already running on the stack, `at` seconds from now.
    pub fn then(mut self, events: Vec<Ev>) -> World {
        let index = self.stacks.len() - 1;
        self.schedule(index, Op::new(events));
        self
    }

    pub fn stack_mut(&mut self) -> &mut SimStack {
        self.stacks.last_mut().expect("a stack")
    }

    fn clock_now(&self) -> SystemTime {
        use kumo_deploy::clock::Clock;
        self.clock.now()
    }

    pub fn shared(self) -> Shared {
        Arc::new(Mutex::new(self))
    }

    fn find(&self, name_or_id: &str) -> Option<usize> {
        if name_or_id.starts_with("arn:") {
            return self.stacks.iter().rposition(|s| s.id == name_or_id);
        }
        let now = self.clock_now();
        self.stacks
            .iter()
            .rposition(|s| s.name == name_or_id && s.status(now) != "DELETE_COMPLETE")
    }

    fn schedule(&mut self, index: usize, op: Op) {
        let now = self.clock_now();
        let mut last = now;
        for ev in op.events {
            let at = offset(now, ev.at);
            last = last.max(at);
            self.counter += 1;
            let id = event_id(&ev, at, self.counter);
            self.stacks[index].events.push(Visible { at, id, ev });
        }
        if let Some(outputs) = op.outputs {
            self.stacks[index].pending_outputs = Some((last, outputs));
        }
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

fn offset(base: SystemTime, seconds: i64) -> SystemTime {
    if seconds >= 0 {
        base + Duration::from_secs(seconds as u64)
    } else {
        base - Duration::from_secs((-seconds) as u64)
    }
}

/// Resource events are identified like CloudFormation's (`Logical-STATUS-time`), stack events by a
/// UUID-shaped id.
fn event_id(ev: &Ev, at: SystemTime, n: u64) -> String {
    if ev.logical.is_empty() {
        format!("{n:08x}-ca4e-11f0-8de9-0242ac120002")
    } else {
        let millis = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_millis();
        format!("{}-{}-{millis}-{n}", ev.logical, ev.status)
    }
}

impl SimStack {
    pub fn status(&self, now: SystemTime) -> String {
        self.events
            .iter()
            .filter(|v| v.at <= now && v.ev.logical.is_empty())
            .max_by_key(|v| v.at)
            .map(|v| v.ev.status.clone())
            .unwrap_or_else(|| self.initial_status.clone())
    }

    fn visible(&self, now: SystemTime) -> Vec<&Visible> {
        let mut list: Vec<&Visible> = self.events.iter().filter(|v| v.at <= now).collect();
        // Newest first, as DescribeStackEvents pages them.
        list.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        list
    }

    fn to_sdk(&self, now: SystemTime) -> Stack {
        let status = self.status(now);
        let outputs = match &self.pending_outputs {
            Some((at, outputs)) if *at <= now => outputs.clone(),
            _ => self.outputs.clone(),
        };
        let reason = self
            .visible(now)
            .into_iter()
            .find(|v| v.ev.logical.is_empty())
            .and_then(|v| v.ev.reason.clone())
            .filter(|_| status.ends_with("FAILED") || status.contains("ROLLBACK"));
        let mut builder = Stack::builder()
            .stack_id(&self.id)
            .stack_name(&self.name)
            .creation_time(DateTime::from(self.created))
            .stack_status(StackStatus::from(status.as_str()))
            .set_stack_status_reason(reason)
            .disable_rollback(self.disable_rollback)
            .enable_termination_protection(self.termination_protection)
            .set_parent_id(self.parent_id.clone())
            .set_tags(Some(
                self.tags
                    .iter()
                    .map(|(k, v)| Tag::builder().key(k).value(v).build())
                    .collect(),
            ))
            .set_parameters(Some(
                self.parameters
                    .iter()
                    .map(|(k, v)| Parameter::builder().parameter_key(k).parameter_value(v).build())
                    .collect(),
            ))
            .set_outputs(Some(
                outputs
                    .iter()
                    .map(|(k, v)| {
                        Output::builder()
                            .output_key(k)
                            .output_value(v)
                            .description(format!("the {k}"))
                            .build()
                    })
                    .collect(),
            ));
        if let Some(drift) = &self.drift {
            builder = builder.drift_information(
                StackDriftInformation::builder()
                    .stack_drift_status(drift.clone())
                    .last_check_timestamp(DateTime::from(self.created))
                    .build(),
            );
        }
        builder.build()
    }
}

fn not_found(name: &str) -> ErrorMetadata {
    ErrorMetadata::builder()
        .code("ValidationError")
        .message(format!("Stack with id {name} does not exist"))
        .build()
}

/// The awsQuery error body CloudFormation sends when throttling.
pub const THROTTLING_XML: &str = "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\
<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>\
<RequestId>7f3b8a8e-2c4d-4b7e-9f1a-3c5d6e7f8a9b</RequestId></ErrorResponse>";

/// Rules answering every CloudFormation call the engine makes from the shared world. `first` rules are
/// consulted before them (e.g. throttled responses); once exhausted they fall through.
pub fn client(world: &Shared, first: &[Rule]) -> Client {
    let mut rules: Vec<Rule> = first.to_vec();

    let w = world.clone();
    rules.push(mock!(Client::describe_stacks).then_compute_response(move |input| {
        let mut world = w.lock().unwrap();
        world.calls.push("DescribeStacks".into());
        let name = input.stack_name().unwrap_or_default().to_owned();
        let now = world.clock_now();
        match world.find(&name) {
            Some(i) => MockResponse::Output(
                DescribeStacksOutput::builder()
                    .stacks(world.stacks[i].to_sdk(now))
                    .build(),
            ),
            None => MockResponse::Error(DescribeStacksError::generic(not_found(&name))),
        }
    }));

    let w = world.clone();
    rules.push(
        mock!(Client::describe_stack_events).then_compute_response(move |input| {
            let mut world = w.lock().unwrap();
            world.calls.push("DescribeStackEvents".into());
            let name = input.stack_name().unwrap_or_default().to_owned();
            let now = world.clock_now();
            let Some(i) = world.find(&name) else {
                return MockResponse::Error(DescribeStackEventsError::generic(not_found(&name)));
            };
            let stack = &world.stacks[i];
            let visible = stack.visible(now);
            let start: usize = input.next_token().and_then(|t| t.parse().ok()).unwrap_or(0);
            let end = (start + world.page_size).min(visible.len());
            let events: Vec<StackEvent> = visible[start..end]
                .iter()
                .map(|v| {
                    let logical = if v.ev.logical.is_empty() {
                        stack.name.clone()
                    } else {
                        v.ev.logical.clone()
                    };
                    let physical = if v.ev.logical.is_empty() {
                        Some(stack.id.clone())
                    } else {
                        v.ev.physical.clone()
                    };
                    StackEvent::builder()
                        .stack_id(&stack.id)
                        .event_id(&v.id)
                        .stack_name(&stack.name)
                        .logical_resource_id(logical)
                        .set_physical_resource_id(physical)
                        .resource_type(&v.ev.rtype)
                        .timestamp(DateTime::from(v.at))
                        .resource_status(ResourceStatus::from(v.ev.status.as_str()))
                        .set_resource_status_reason(v.ev.reason.clone())
                        .build()
                })
                .collect();
            let next = (end < visible.len()).then(|| end.to_string());
            MockResponse::Output(
                DescribeStackEventsOutput::builder()
                    .set_stack_events(Some(events))
                    .set_next_token(next)
                    .build(),
            )
        }),
    );

    let w = world.clone();
    rules.push(mock!(Client::validate_template).then_compute_response(move |_| {
        w.lock().unwrap().calls.push("ValidateTemplate".into());
        MockResponse::Output(ValidateTemplateOutput::builder().build())
    }));

    let w = world.clone();
    rules.push(mock!(Client::get_template).then_compute_response(move |input| {
        let mut world = w.lock().unwrap();
        world.calls.push("GetTemplate".into());
        let name = input.stack_name().unwrap_or_default();
        let body = world.find(name).and_then(|i| world.stacks[i].template.clone());
        MockResponse::Output(GetTemplateOutput::builder().set_template_body(body).build())
    }));

    let w = world.clone();
    rules.push(mock!(Client::create_change_set).then_compute_response(move |input| {
        let mut world = w.lock().unwrap();
        let kind = input
            .change_set_type()
            .map(|k| k.as_str().to_owned())
            .unwrap_or_else(|| "UPDATE".into());
        world.calls.push(format!("CreateChangeSet:{kind}"));
        if world.change_set.refuse_no_updates {
            return MockResponse::Error(CreateChangeSetError::generic(
                ErrorMetadata::builder()
                    .code("ValidationError")
                    .message("No updates are to be performed.")
                    .build(),
            ));
        }
        let name = input.stack_name().unwrap_or_default().to_owned();
        let now = world.clock_now();
        let index = match world.find(&name) {
            Some(i) => i,
            None if kind == "CREATE" => {
                world.counter += 1;
                let n = world.counter;
                let tags = input
                    .tags()
                    .iter()
                    .map(|t| {
                        (
                            t.key().unwrap_or_default().to_owned(),
                            t.value().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect();
                world.stacks.push(SimStack {
                    id: format!(
                        "arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/{n:08x}-d00d-11f0-8de9-0242ac120002"
                    ),
                    name: name.clone(),
                    initial_status: "REVIEW_IN_PROGRESS".into(),
                    events: Vec::new(),
                    tags,
                    outputs: Vec::new(),
                    pending_outputs: None,
                    parameters: Vec::new(),
                    termination_protection: false,
                    disable_rollback: false,
                    parent_id: None,
                    template: None,
                    pending_template: None,
                    pending_tags: None,
                    resources: Vec::new(),
                    drift: None,
                    created: now,
                });
                let i = world.stacks.len() - 1;
                world.schedule(
                    i,
                    Op::new(vec![stack_ev(0, "REVIEW_IN_PROGRESS", Some("User Initiated"))]),
                );
                i
            }
            None => {
                return MockResponse::Error(CreateChangeSetError::generic(not_found(&name)));
            }
        };
        world.stacks[index].pending_template = input.template_body().map(str::to_owned);
        world.stacks[index].pending_tags = Some(
            input
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_owned(),
                        t.value().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
        );
        world.counter += 1;
        let id = format!(
            "arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/{}/{:08x}-c5e7-4d1a-9f2b-3a4c5d6e7f80",
            input.change_set_name().unwrap_or_default(),
            world.counter
        );
        let stack_id = world.stacks[index].id.clone();
        let plan = world.change_set.clone();
        world.change_sets.push(SimChangeSet {
            id: id.clone(),
            stack_id: stack_id.clone(),
            polls: 0,
            plan,
        });
        MockResponse::Output(CreateChangeSetOutput::builder().id(id).stack_id(stack_id).build())
    }));

    let w = world.clone();
    rules.push(mock!(Client::describe_change_set).then_compute_response(move |input| {
        let mut world = w.lock().unwrap();
        world.calls.push("DescribeChangeSet".into());
        let id = input.change_set_name().unwrap_or_default().to_owned();
        let change_set = world
            .change_sets
            .iter_mut()
            .find(|c| c.id == id)
            .expect("known change set");
        change_set.polls += 1;
        let base = DescribeChangeSetOutput::builder()
            .change_set_id(&change_set.id)
            .stack_id(&change_set.stack_id)
            .stack_name(STACK);
        if change_set.polls <= change_set.plan.pending_polls {
            return MockResponse::Output(
                base.status(ChangeSetStatus::CreateInProgress)
                    .execution_status(ExecutionStatus::Unavailable)
                    .build(),
            );
        }
        if let Some(reason) = &change_set.plan.fail_reason {
            return MockResponse::Output(
                base.status(ChangeSetStatus::Failed)
                    .status_reason(reason)
                    .execution_status(ExecutionStatus::Unavailable)
                    .build(),
            );
        }
        let changes = change_set
            .plan
            .changes
            .iter()
            .map(|(action, logical, rtype, replacement)| {
                Change::builder()
                    .r#type(ChangeType::Resource)
                    .resource_change(
                        ResourceChange::builder()
                            .action(action.clone())
                            .logical_resource_id(logical)
                            .resource_type(rtype)
                            .set_replacement(replacement.clone())
                            .build(),
                    )
                    .build()
            })
            .collect();
        MockResponse::Output(
            base.status(ChangeSetStatus::CreateComplete)
                .execution_status(ExecutionStatus::Available)
                .set_changes(Some(changes))
                .build(),
        )
    }));

    let w = world.clone();
    rules.push(mock!(Client::execute_change_set).then_compute_response(move |input| {
        let mut world = w.lock().unwrap();
        world.calls.push("ExecuteChangeSet".into());
        let id = input.change_set_name().unwrap_or_default().to_owned();
        let stack_id = world
            .change_sets
            .iter()
            .find(|c| c.id == id)
            .expect("known change set")
            .stack_id
            .clone();
        let index = world
            .stacks
            .iter()
            .position(|s| s.id == stack_id)
            .expect("stack of the change set");
        let stack = &mut world.stacks[index];
        stack.disable_rollback = input.disable_rollback().unwrap_or(false);
        if let Some(template) = stack.pending_template.take() {
            stack.template = Some(template);
        }
        // A change set's tags become the stack's tags when it is executed.
        if let Some(tags) = stack.pending_tags.take() {
            stack.tags = tags;
        }
        let op = world.on_execute.pop_front().expect("the test scheduled an execute");
        world.schedule(index, op);
        MockResponse::Output(ExecuteChangeSetOutput::builder().build())
    }));

    let w = world.clone();
    rules.push(mock!(Client::delete_change_set).then_compute_response(move |_| {
        w.lock().unwrap().calls.push("DeleteChangeSet".into());
        MockResponse::Output(DeleteChangeSetOutput::builder().build())
    }));

    let w = world.clone();
    rules.push(mock!(Client::delete_stack).then_compute_response(move |input| {
        let mut world = w.lock().unwrap();
        world.calls.push("DeleteStack".into());
        world.delete_retains.push(input.retain_resources().to_vec());
        let name = input.stack_name().unwrap_or_default().to_owned();
        let Some(index) = world.find(&name) else {
            return MockResponse::Output(DeleteStackOutput::builder().build());
        };
        let op = world.on_delete.pop_front().unwrap_or_else(|| {
            Op::new(vec![
                stack_ev(0, "DELETE_IN_PROGRESS", Some("User Initiated")),
                stack_ev(2, "DELETE_COMPLETE", None),
            ])
        });
        world.schedule(index, op);
        MockResponse::Output(DeleteStackOutput::builder().build())
    }));

    let w = world.clone();
    rules.push(mock!(Client::cancel_update_stack).then_compute_response(move |input| {
        let mut world = w.lock().unwrap();
        world.calls.push("CancelUpdateStack".into());
        let name = input.stack_name().unwrap_or_default().to_owned();
        let Some(index) = world.find(&name) else {
            return MockResponse::Error(CancelUpdateStackError::generic(not_found(&name)));
        };
        // Cancelling replaces the rest of the update with the rollback.
        let now = world.clock_now();
        world.stacks[index].events.retain(|v| v.at <= now);
        let op = world.on_cancel.pop_front().expect("the test scheduled a cancel");
        world.schedule(index, op);
        MockResponse::Output(CancelUpdateStackOutput::builder().build())
    }));

    let w = world.clone();
    rules.push(mock!(Client::list_stack_resources).then_compute_response(move |input| {
        let mut world = w.lock().unwrap();
        world.calls.push("ListStackResources".into());
        let name = input.stack_name().unwrap_or_default();
        let summaries = world
            .find(name)
            .map(|i| {
                world.stacks[i]
                    .resources
                    .iter()
                    .map(|(logical, rtype, physical)| {
                        StackResourceSummary::builder()
                            .logical_resource_id(logical)
                            .resource_type(rtype)
                            .physical_resource_id(physical)
                            .resource_status(ResourceStatus::CreateComplete)
                            .last_updated_timestamp(DateTime::from(t0()))
                            .build()
                    })
                    .collect()
            })
            .unwrap_or_default();
        MockResponse::Output(
            ListStackResourcesOutput::builder()
                .set_stack_resource_summaries(Some(summaries))
                .build(),
        )
    }));

    let w = world.clone();
    rules.push(
        mock!(Client::update_termination_protection).then_compute_response(move |input| {
            let mut world = w.lock().unwrap();
            world.calls.push("UpdateTerminationProtection".into());
            let name = input.stack_name().unwrap_or_default().to_owned();
            if let Some(i) = world.find(&name) {
                world.stacks[i].termination_protection = input.enable_termination_protection().unwrap_or(false);
            }
            MockResponse::Output(UpdateTerminationProtectionOutput::builder().stack_id(name).build())
        }),
    );

    let refs: Vec<&Rule> = rules.iter().collect();
    mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, refs, |config| {
        // Three attempts like the SDK default, with a tiny back-off so retries do not sleep for real.
        config.retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1)),
        )
    })
}

/// Mutating calls, in order (reads filtered out).
pub fn mutations(world: &Shared) -> Vec<String> {
    world
        .lock()
        .unwrap()
        .calls
        .iter()
        .filter(|c| {
            !c.starts_with("Describe") && !c.starts_with("Get") && !c.starts_with("List") && *c != "ValidateTemplate"
        })
        .cloned()
        .collect()
}
