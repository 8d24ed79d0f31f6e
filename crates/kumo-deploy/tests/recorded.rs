//! The engine against recorded CloudFormation behaviour: everything the local moto endpoint cannot show
//! (long operations with `*_IN_PROGRESS` events, failures and rollbacks, termination protection,
//! throttling, interrupted runs). See `support/world.rs` for how the recordings are replayed, through
//! `aws-smithy-mocks`, on a manual clock: nothing here sleeps.

mod support;

use std::time::Duration;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::types::{ChangeAction, StackStatus};
use aws_smithy_mocks::mock;
use kumo_deploy::DeployError;
use kumo_deploy::clock::Clock;
use kumo_deploy::deploy::{DeployOutcome, DeployRequest, deploy};
use kumo_deploy::destroy::{DestroyOutcome, DestroyRequest, destroy};
use kumo_deploy::diff::{DiffRequest, diff};
use kumo_deploy::error::Interruption;
use kumo_deploy::outputs::write_outputs_file;
use kumo_deploy::stack_state::Operation;
use kumo_deploy::ui::{Note, Question};
use support::recorder::Recorder;
use support::timelines::{self, TEMPLATE};
use support::world::{ChangeSetPlan, Op, STACK, THROTTLING_XML, World, mutations, res_ev, stack_ev};

fn request(template: &str) -> DeployRequest {
    DeployRequest {
        stack_name: STACK.into(),
        template: support::template(template),
        parameters: vec![],
        tags: vec![],
        termination_protection: false,
        disable_rollback: false,
        timeout: None,
        assume_yes: true,
        adopt: false,
    }
}

fn failure(result: Result<DeployOutcome, DeployError>) -> kumo_deploy::FailureReport {
    match result {
        Err(DeployError::Failed(report)) => *report,
        other => panic!("expected a failed operation, got {other:?}"),
    }
}

fn refusal<T: std::fmt::Debug>(result: Result<T, DeployError>) -> (String, String) {
    match result {
        Err(DeployError::Refused { message, hint }) => (message, hint),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn deployed_world(status: &str) -> World {
    let mut world = World::new().with_stack(status, vec![]);
    world.stack_mut().template = Some(TEMPLATE.into());
    world.stack_mut().resources = timelines::deployed_resources();
    world.stack_mut().outputs = timelines::OUTPUTS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    world
}

#[tokio::test]
async fn eks_and_aurora_create_is_followed_for_twenty_minutes_and_outputs_are_written() {
    let mut world = World::new();
    world.change_set = timelines::create_plan();
    world.on_execute.push_back(timelines::create_succeeds());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::non_interactive();

    let outcome = deploy(&engine, &request(TEMPLATE), &mut ui)
        .await
        .expect("the create succeeds");

    let DeployOutcome::Deployed {
        stack,
        operation,
        status,
    } = &outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!((*operation, status.as_str()), (Operation::Create, "CREATE_COMPLETE"));
    assert_eq!(
        mutations(&world),
        ["CreateChangeSet:CREATE", "ExecuteChangeSet"],
        "exactly one change set, executed once"
    );
    // The plan listed all 15 resources as new, and the security section carried the roles and rules
    // (approved by --yes).
    let plan = &ui.plans[0];
    assert!(plan.creates_stack);
    assert_eq!(plan.changes.len(), 15);
    assert!(plan.security.iam.len() >= 4, "{:#?}", plan.security);
    assert_eq!(plan.security.security_groups.len(), 2);
    // Progress: the EKS control plane was seen in progress for ten minutes, the node group after it.
    let longest_cluster_wait = ui
        .ticks
        .iter()
        .filter_map(|t| t.active.iter().find(|(id, _)| id == "Cluster").map(|(_, d)| *d))
        .max()
        .expect("Cluster was in progress");
    assert!(
        longest_cluster_wait >= Duration::from_secs(9 * 60),
        "{longest_cluster_wait:?}"
    );
    assert!(
        ui.ticks
            .iter()
            .any(|t| t.active.iter().any(|(id, _)| id == "Nodegroup"))
    );
    let last = ui.ticks.last().unwrap();
    assert!(last.done >= 14 && last.total == 15, "{last:?}");
    assert_eq!(ui.finished, ["CREATE_COMPLETE"]);
    assert!(
        ui.events
            .iter()
            .any(|e| e.status == "CREATE_IN_PROGRESS" && e.logical_id == "DbWriter")
    );
    // Outputs are read from the stack and written to the outputs file.
    assert_eq!(stack.outputs.len(), 3);
    let dir = std::env::temp_dir().join(format!("kumo-outputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = write_outputs_file(&dir, &stack.name, &stack.outputs).unwrap();
    assert_eq!(path.file_name().unwrap(), "app.outputs.json");
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        written,
        serde_json::json!({"app": {
            "ClusterEndpoint": "https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.ap-northeast-1.eks.amazonaws.com",
            "ClusterName": "app-cluster",
            "DbEndpoint": "app-db.cluster-c9akciq32.ap-northeast-1.rds.amazonaws.com"
        }})
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn failed_create_reports_the_root_cause_not_the_cascade() {
    let mut world = World::new();
    world.change_set = timelines::create_plan();
    world.on_execute.push_back(timelines::create_fails());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::non_interactive();

    let report = failure(deploy(&engine, &request(TEMPLATE), &mut ui).await);

    let cause = report.root_cause.as_ref().expect("a root cause");
    assert_eq!(cause.event.logical_id, "DbCluster");
    assert_eq!(cause.event.status, "CREATE_FAILED");
    assert!(
        cause
            .event
            .reason
            .as_deref()
            .unwrap()
            .contains("Cannot find version 99.1")
    );
    // The cancelled EKS cluster is the cascade, not a cause.
    assert!(report.other_failures.is_empty(), "{:?}", report.other_failures);
    assert_eq!(report.final_status.as_str(), "ROLLBACK_COMPLETE");
    let text = report.to_string();
    assert!(
        text.starts_with("create of app failed: root cause: DbCluster (AWS::RDS::DBCluster) CREATE_FAILED"),
        "{text}"
    );
    assert!(text.ends_with("final state ROLLBACK_COMPLETE"), "{text}");
    assert!(report.hint.contains("deletes the empty app"), "{}", report.hint);
}

#[tokio::test]
async fn rollback_complete_stack_is_deleted_then_created() {
    let history = timelines::in_the_past(timelines::create_fails(), 3600);
    let mut world = World::new().with_stack("ROLLBACK_COMPLETE", history);
    world.change_set = timelines::create_plan();
    world.on_delete.push_back(Op::new(vec![
        stack_ev(0, "DELETE_IN_PROGRESS", Some("User Initiated")),
        stack_ev(3, "DELETE_COMPLETE", None),
    ]));
    world.on_execute.push_back(timelines::create_succeeds());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::non_interactive();

    let outcome = deploy(&engine, &request(TEMPLATE), &mut ui).await.expect("re-created");

    assert!(matches!(outcome, DeployOutcome::Deployed { ref status, .. } if status.as_str() == "CREATE_COMPLETE"));
    assert_eq!(
        mutations(&world),
        ["DeleteStack", "CreateChangeSet:CREATE", "ExecuteChangeSet"]
    );
    let explained = ui.notes.iter().find_map(|n| match n {
        Note::RollbackCompleteFound { root_cause, .. } => root_cause.clone(),
        _ => None,
    });
    assert!(explained.expect("the old failure is explained").contains("DbCluster"));
    // The new stack is a different stack (new id) from the deleted one.
    let world = world.lock().unwrap();
    assert_eq!(world.stacks.len(), 2);
    assert_ne!(world.stacks[0].id, world.stacks[1].id);
}

#[tokio::test]
async fn rollback_complete_is_not_deleted_without_consent() {
    let history = timelines::in_the_past(timelines::create_fails(), 3600);
    let world = World::new().with_stack("ROLLBACK_COMPLETE", history).shared();
    let engine = support::engine(&world, &[]);

    // No terminal, no --yes: refused before anything is deleted.
    let mut ui = Recorder::non_interactive();
    let mut no_yes = request(TEMPLATE);
    no_yes.assume_yes = false;
    let (message, hint) = refusal(deploy(&engine, &no_yes, &mut ui).await);
    assert!(
        message.contains("must be deleted before it can be created again"),
        "{message}"
    );
    assert!(message.contains("no terminal"), "{message}");
    assert!(hint.contains("--yes"), "{hint}");

    // A person who says no: also nothing deleted.
    let mut ui = Recorder::answering(false);
    let (message, _) = refusal(deploy(&engine, &no_yes, &mut ui).await);
    assert!(message.contains("was not deleted"), "{message}");
    assert_eq!(ui.questions, [Question::DeleteForRecreate { stack: STACK.into() }]);
    assert!(mutations(&world).is_empty(), "{:?}", mutations(&world));
}

#[tokio::test]
async fn update_rollback_failed_is_explained_and_left_alone() {
    let history = timelines::in_the_past(timelines::update_rollback_fails(), 3600);
    let mut world = World::new().with_stack("UPDATE_ROLLBACK_FAILED", history);
    world.stack_mut().template = Some(TEMPLATE.into());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::non_interactive();

    let (message, hint) = refusal(deploy(&engine, &request(TEMPLATE), &mut ui).await);

    assert!(message.contains("UPDATE_ROLLBACK_FAILED"), "{message}");
    assert!(
        message.contains("DbCluster (AWS::RDS::DBCluster): Resource handler returned message"),
        "{message}"
    );
    assert!(
        hint.contains("aws cloudformation continue-update-rollback --stack-name app --resources-to-skip DbCluster"),
        "{hint}"
    );
    assert!(
        mutations(&world).is_empty(),
        "kumo must not touch the stack: {:?}",
        mutations(&world)
    );
}

#[tokio::test]
async fn failed_update_ends_update_rollback_complete_with_its_root_cause() {
    let mut world = deployed_world("UPDATE_COMPLETE");
    world.change_set = timelines::update_plan();
    world.on_execute.push_back(timelines::update_fails_and_rolls_back());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut template = TEMPLATE.replace(
        "\"CapacityType\": \"SPOT\"",
        "\"CapacityType\": \"SPOT\", \"InstanceTypes\": [\"m7g.large\"]",
    );
    template.push('\n');
    let mut ui = Recorder::non_interactive();

    let report = failure(deploy(&engine, &request(&template), &mut ui).await);

    assert_eq!(report.final_status.as_str(), "UPDATE_ROLLBACK_COMPLETE");
    let cause = report.root_cause.unwrap();
    assert_eq!(
        (cause.event.logical_id.as_str(), cause.event.status.as_str()),
        ("Nodegroup", "UPDATE_FAILED")
    );
    assert!(report.blockers.is_empty());
    assert!(report.hint.contains("back where it was"), "{}", report.hint);
    // The change set had no property detail; kumo filled the cause in from the two templates.
    let change = &ui.plans[0].changes[0];
    assert_eq!(change.causes[0].target, "Properties.InstanceTypes");
    assert!(change.causes[0].from_templates);
}

#[tokio::test]
async fn update_whose_rollback_fails_names_what_to_skip() {
    let mut world = deployed_world("UPDATE_COMPLETE");
    world.change_set = timelines::update_plan();
    world.on_execute.push_back(timelines::update_rollback_fails());
    let world = world.shared();
    let engine = support::engine(&world, &[]);

    let report = failure(
        deploy(
            &engine,
            &request(&TEMPLATE.replace("16.4", "16.6")),
            &mut Recorder::non_interactive(),
        )
        .await,
    );

    assert_eq!(report.final_status.as_str(), "UPDATE_ROLLBACK_FAILED");
    assert_eq!(report.root_cause.unwrap().event.logical_id, "Nodegroup");
    assert_eq!(
        report
            .blockers
            .iter()
            .map(|e| e.logical_id.as_str())
            .collect::<Vec<_>>(),
        ["DbCluster"]
    );
    assert!(report.hint.contains("--resources-to-skip DbCluster"), "{}", report.hint);
}

#[tokio::test]
async fn destroy_reports_the_resource_that_blocked_deletion() {
    let mut world = deployed_world("CREATE_COMPLETE");
    world.on_delete.push_back(timelines::delete_fails_on_vpc());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let request = DestroyRequest {
        stack_name: STACK.into(),
        assume_yes: true,
        ..DestroyRequest::default()
    };

    let result = destroy(&engine, &request, &mut Recorder::non_interactive()).await;

    let Err(DeployError::Failed(report)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(report.final_status.as_str(), "DELETE_FAILED");
    assert_eq!(report.blockers.len(), 1);
    assert_eq!(report.blockers[0].logical_id, "Vpc");
    assert!(
        report.blockers[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("has dependencies and cannot be deleted")
    );
    assert!(
        report.hint.contains("kumo destroy --stack-name app --retain Vpc"),
        "{}",
        report.hint
    );
    assert_eq!(mutations(&world), ["DeleteStack"]);
}

#[tokio::test]
async fn delete_failed_stack_can_be_destroyed_keeping_the_blocker() {
    let history = timelines::in_the_past(timelines::delete_fails_on_vpc(), 3600);
    let mut world = World::new().with_stack("DELETE_FAILED", history);
    world.stack_mut().resources = vec![("Vpc".into(), "AWS::EC2::VPC".into(), "vpc-0a1b2c3d4e5f60718".into())];
    let world = world.shared();
    let engine = support::engine(&world, &[]);

    // Deploying onto it is refused with the blocker named.
    let (message, hint) = refusal(deploy(&engine, &request(TEMPLATE), &mut Recorder::non_interactive()).await);
    assert!(
        message.contains("DELETE_FAILED") && message.contains("Vpc (AWS::EC2::VPC)"),
        "{message}"
    );
    assert!(hint.contains("--retain Vpc"), "{hint}");

    // Destroying with --retain Vpc finishes the delete and reports the VPC as kept.
    let request = DestroyRequest {
        stack_name: STACK.into(),
        assume_yes: true,
        retain: vec!["Vpc".into()],
        ..Default::default()
    };
    let outcome = destroy(&engine, &request, &mut Recorder::non_interactive())
        .await
        .unwrap();
    let DestroyOutcome::Deleted { retained } = outcome else {
        panic!()
    };
    assert_eq!(retained.len(), 1);
    assert_eq!(retained[0].why, "kept on request (--retain)");
    assert_eq!(world.lock().unwrap().delete_retains, [vec!["Vpc".to_owned()]]);
}

#[tokio::test]
async fn destroy_lists_retained_and_snapshotted_resources() {
    let mut world = deployed_world("UPDATE_COMPLETE");
    world.on_delete.push_back(timelines::delete_succeeds());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::answering(true);

    let outcome = destroy(
        &engine,
        &DestroyRequest {
            stack_name: STACK.into(),
            ..Default::default()
        },
        &mut ui,
    )
    .await
    .unwrap();

    assert_eq!(ui.questions, [Question::Destroy { stack: STACK.into() }]);
    let DestroyOutcome::Deleted { retained } = outcome else {
        panic!()
    };
    let summary: Vec<(&str, &str)> = retained
        .iter()
        .map(|r| (r.logical_id.as_str(), r.why.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("AppRepo", "DeletionPolicy: Retain"),
            (
                "DbCluster",
                "deleted after a final snapshot (DeletionPolicy: Snapshot); the snapshot is kept"
            ),
        ]
    );
}

#[tokio::test]
async fn termination_protection_refuses_destroy_and_is_enabled_on_request() {
    let mut world = deployed_world("CREATE_COMPLETE");
    world.stack_mut().termination_protection = true;
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let request = DestroyRequest {
        stack_name: STACK.into(),
        assume_yes: true,
        ..Default::default()
    };
    let (message, hint) = refusal(destroy(&engine, &request, &mut Recorder::non_interactive()).await);
    assert_eq!(
        message,
        "app has termination protection enabled; kumo will not delete it"
    );
    assert!(hint.contains("update-termination-protection --no-enable-termination-protection --stack-name app"));
    assert!(mutations(&world).is_empty());

    // A create with termination protection requested turns it on once the stack exists.
    let mut world = World::new();
    world.change_set = timelines::create_plan();
    world.on_execute.push_back(timelines::create_succeeds());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut protected = request_with(|r| r.termination_protection = true);
    protected.template = support::template(TEMPLATE);
    let mut ui = Recorder::non_interactive();
    let outcome = deploy(&engine, &protected, &mut ui).await.unwrap();
    assert!(outcome.stack().termination_protection);
    assert_eq!(
        mutations(&world),
        [
            "CreateChangeSet:CREATE",
            "ExecuteChangeSet",
            "UpdateTerminationProtection"
        ]
    );
    assert!(ui.has_note(|n| matches!(n, Note::TerminationProtectionEnabled { .. })));
}

fn request_with(change: impl FnOnce(&mut DeployRequest)) -> DeployRequest {
    let mut r = request(TEMPLATE);
    change(&mut r);
    r
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_and_then_by_the_watch() {
    let mut world = World::new();
    world.change_set = timelines::create_plan();
    world.on_execute.push_back(timelines::create_succeeds());
    let world = world.shared();
    // The first DescribeStacks is throttled twice (the SDK retries within the call), and later three
    // DescribeStackEvents in a row are throttled (beyond the SDK's three attempts: the watch backs off
    // and polls again).
    let describe_throttled = mock!(Client::describe_stacks)
        .sequence()
        .http_status(400, Some(THROTTLING_XML.into()))
        .times(2)
        .output(|| DescribeStacksOutput::builder().build())
        .build();
    let events_throttled = mock!(Client::describe_stack_events)
        .match_requests(|r| r.stack_name().is_some_and(|s| s.starts_with("arn:")) && r.next_token().is_none())
        .sequence()
        .http_status(400, Some(THROTTLING_XML.into()))
        .times(3)
        .build();
    // Let the cursor's first read (before execute) through, then throttle during the watch.
    let events_first = mock!(Client::describe_stack_events)
        .match_requests(|r| r.stack_name().is_some_and(|s| s.starts_with("arn:")))
        .sequence()
        .output(|| {
            aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput::builder().build()
        })
        .build();
    let engine = support::engine(
        &world,
        &[
            describe_throttled.clone(),
            events_first.clone(),
            events_throttled.clone(),
        ],
    );
    let mut ui = Recorder::non_interactive();

    let outcome = deploy(&engine, &request(TEMPLATE), &mut ui)
        .await
        .expect("throttling is survived");

    assert!(matches!(outcome, DeployOutcome::Deployed { .. }));
    assert_eq!(
        describe_throttled.num_calls(),
        3,
        "two throttled attempts, then the answer"
    );
    assert_eq!(events_throttled.num_calls(), 3);
    assert!(
        ui.has_note(|n| matches!(n, Note::PollRetry { error, attempt: 1, .. } if error.contains("Throttling"))),
        "{:?}",
        ui.notes
    );
}

#[tokio::test]
async fn a_run_interrupted_while_watching_is_resumed_not_restarted() {
    // First run: Ctrl-C after a few events. The operation keeps going in CloudFormation.
    let mut world = World::new();
    world.change_set = timelines::create_plan();
    world.on_execute.push_back(timelines::create_succeeds());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::non_interactive();
    ui.interrupt_after_events = Some((5, engine.interrupt().clone()));

    let interrupted = deploy(&engine, &request(TEMPLATE), &mut ui).await;

    let Err(error @ DeployError::Interrupted(Interruption::Watching { .. })) = interrupted else {
        panic!("{interrupted:?}")
    };
    assert!(
        error.to_string().contains("the operation continues in CloudFormation"),
        "{error}"
    );
    assert!(
        error
            .hint()
            .unwrap()
            .contains("`kumo deploy` (same arguments) resumes watching"),
        "{:?}",
        error.hint()
    );
    assert_eq!(mutations(&world), ["CreateChangeSet:CREATE", "ExecuteChangeSet"]);

    // Second run, a few minutes later: the stack is CREATE_IN_PROGRESS. kumo follows that operation to
    // its end instead of starting another, then finds nothing left to do.
    world.lock().unwrap().clock.advance(Duration::from_secs(240));
    world.lock().unwrap().change_set = timelines::no_changes_plan();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::non_interactive();

    let outcome = deploy(&engine, &request(TEMPLATE), &mut ui).await.expect("resumed");

    assert!(matches!(outcome, DeployOutcome::NoChanges { .. }), "{outcome:?}");
    assert!(
        ui.has_note(|n| matches!(n, Note::ResumingWatch { status, .. } if status.as_str() == "CREATE_IN_PROGRESS"))
    );
    assert_eq!(ui.started, [(STACK.to_owned(), Operation::Resume)]);
    assert_eq!(ui.finished, ["CREATE_COMPLETE"]);
    // Resumed progress includes what happened before the resume: the early resources count as done.
    assert!(ui.ticks[0].done >= 10, "{:?}", ui.ticks[0]);
    assert_eq!(
        mutations(&world),
        [
            "CreateChangeSet:CREATE",
            "ExecuteChangeSet",
            "CreateChangeSet:UPDATE",
            "DeleteChangeSet"
        ],
        "no second execute; the only new change set came after the operation finished"
    );
}

#[tokio::test]
async fn ctrl_c_before_execute_removes_the_change_set_and_changes_nothing() {
    let mut world = World::new();
    world.change_set = timelines::create_plan();
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::non_interactive();
    ui.interrupt_on_plan = Some(engine.interrupt().clone());

    let result = deploy(&engine, &request(TEMPLATE), &mut ui).await;

    assert!(
        matches!(result, Err(DeployError::Interrupted(Interruption::BeforeChange { .. }))),
        "{result:?}"
    );
    // The change set and the empty review stack it created are both gone; nothing was executed.
    assert_eq!(
        mutations(&world),
        ["CreateChangeSet:CREATE", "DeleteChangeSet", "DeleteStack"]
    );
}

#[tokio::test]
async fn no_changes_is_success_in_both_spellings() {
    // AWS: a FAILED change set that "didn't contain changes" (deleted afterwards).
    let mut world = deployed_world("UPDATE_COMPLETE");
    world.change_set = timelines::no_changes_plan();
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let outcome = deploy(&engine, &request(TEMPLATE), &mut Recorder::non_interactive())
        .await
        .unwrap();
    assert!(matches!(outcome, DeployOutcome::NoChanges { .. }));
    assert_eq!(outcome.stack().outputs.len(), 3, "outputs are still reported");
    assert_eq!(mutations(&world), ["CreateChangeSet:UPDATE", "DeleteChangeSet"]);

    // The other spelling: CreateChangeSet refuses with "No updates are to be performed."
    let mut world = deployed_world("UPDATE_COMPLETE");
    world.change_set = ChangeSetPlan {
        refuse_no_updates: true,
        ..Default::default()
    };
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let outcome = deploy(&engine, &request(TEMPLATE), &mut Recorder::non_interactive())
        .await
        .unwrap();
    assert!(matches!(outcome, DeployOutcome::NoChanges { .. }));

    // And diff says "no changes" (exit code 0 in the CLI).
    let request = DiffRequest {
        stack_name: STACK.into(),
        template: support::template(TEMPLATE),
        parameters: vec![],
        tags: vec![],
    };
    let outcome = diff(&engine, &request, &mut Recorder::non_interactive()).await.unwrap();
    assert!(!outcome.has_changes);
}

#[tokio::test]
async fn an_update_past_its_timeout_is_cancelled_and_rolled_back() {
    let mut world = deployed_world("UPDATE_COMPLETE");
    world.change_set = timelines::update_plan();
    // The node group update would take 40 minutes.
    world.on_execute.push_back(Op::new(vec![
        stack_ev(0, "UPDATE_IN_PROGRESS", Some("User Initiated")),
        res_ev(4, "Nodegroup", "AWS::EKS::Nodegroup", "UPDATE_IN_PROGRESS", None),
        res_ev(2400, "Nodegroup", "AWS::EKS::Nodegroup", "UPDATE_COMPLETE", None),
        stack_ev(2402, "UPDATE_COMPLETE", None),
    ]));
    world.on_cancel.push_back(Op::new(vec![
        stack_ev(1, "UPDATE_ROLLBACK_IN_PROGRESS", Some("Stack update cancelled")),
        res_ev(
            2,
            "Nodegroup",
            "AWS::EKS::Nodegroup",
            "UPDATE_FAILED",
            Some("Resource update cancelled"),
        ),
        res_ev(300, "Nodegroup", "AWS::EKS::Nodegroup", "UPDATE_COMPLETE", None),
        stack_ev(302, "UPDATE_ROLLBACK_COMPLETE", None),
    ]));
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::non_interactive();
    let timed = request_with(|r| {
        r.template = support::template(&TEMPLATE.replace("SPOT", "ON_DEMAND"));
        r.timeout = Some(Duration::from_secs(30 * 60));
    });

    let report = failure(deploy(&engine, &timed, &mut ui).await);

    assert_eq!(report.final_status.as_str(), "UPDATE_ROLLBACK_COMPLETE");
    assert!(ui.has_note(|n| matches!(n, Note::CancellingUpdate { minutes: 30, .. })));
    assert_eq!(
        mutations(&world),
        ["CreateChangeSet:UPDATE", "ExecuteChangeSet", "CancelUpdateStack"]
    );
}

#[tokio::test]
async fn a_create_past_its_timeout_is_left_running_with_a_clear_error() {
    let mut world = World::new();
    world.change_set = timelines::create_plan();
    world.on_execute.push_back(timelines::create_succeeds());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let timed = request_with(|r| r.timeout = Some(Duration::from_secs(10 * 60)));

    let result = deploy(&engine, &timed, &mut Recorder::non_interactive()).await;

    let Err(error @ DeployError::TimedOut { .. }) = result else {
        panic!("{result:?}")
    };
    assert_eq!(
        error.to_string(),
        "app: create still running after the 10-minute timeout"
    );
    assert!(error.hint().unwrap().contains("`kumo deploy` resumes watching"));
    assert_eq!(
        mutations(&world),
        ["CreateChangeSet:CREATE", "ExecuteChangeSet"],
        "a create is never cancelled"
    );
}

#[tokio::test]
async fn stacks_owned_by_something_else_are_refused() {
    // No kumo tag: refused unless --adopt.
    let mut world = deployed_world("CREATE_COMPLETE");
    world.stack_mut().tags = vec![("team".into(), "platform".into())];
    world.change_set = timelines::no_changes_plan();
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let (message, hint) = refusal(deploy(&engine, &request(TEMPLATE), &mut Recorder::non_interactive()).await);
    assert_eq!(
        message,
        "app exists but was not created by kumo (it has no kumo:managed-by tag); kumo will not deploy to it"
    );
    assert!(hint.contains("--adopt"));
    let destroy_request = DestroyRequest {
        stack_name: STACK.into(),
        assume_yes: true,
        ..Default::default()
    };
    refusal(destroy(&engine, &destroy_request, &mut Recorder::non_interactive()).await);
    assert!(mutations(&world).is_empty());

    // With --adopt kumo deploys, tagging the stack as its own; later runs need no flag.
    {
        let mut w = world.lock().unwrap();
        w.change_set = ChangeSetPlan {
            changes: vec![(
                ChangeAction::Modify,
                "Vpc".into(),
                "AWS::EC2::VPC".into(),
                Some(aws_sdk_cloudformation::types::Replacement::False),
            )],
            ..Default::default()
        };
        w.on_execute.push_back(Op::new(vec![
            stack_ev(0, "UPDATE_IN_PROGRESS", Some("User Initiated")),
            stack_ev(30, "UPDATE_COMPLETE", None),
        ]));
    }
    let mut ui = Recorder::non_interactive();
    let outcome = deploy(&engine, &request_with(|r| r.adopt = true), &mut ui)
        .await
        .unwrap();
    assert!(ui.has_note(|n| matches!(n, Note::Adopting { .. })));
    let tags = &outcome.stack().tags;
    assert!(
        tags.contains(&("kumo:managed-by".to_owned(), "kumo".to_owned())),
        "{tags:?}"
    );
    assert!(
        tags.contains(&("team".to_owned(), "platform".to_owned())),
        "adopting keeps the stack's tags: {tags:?}"
    );
    destroy(&engine, &destroy_request, &mut Recorder::non_interactive())
        .await
        .expect("adopted: no flag needed");

    // A nested stack is never changed directly, --adopt or not.
    let mut world = deployed_world("CREATE_COMPLETE");
    world.stack_mut().parent_id = Some("arn:aws:cloudformation:ap-northeast-1:123456789012:stack/root/1".into());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let (message, _) = refusal(
        deploy(
            &engine,
            &request_with(|r| r.adopt = true),
            &mut Recorder::non_interactive(),
        )
        .await,
    );
    assert!(message.contains("nested stack"), "{message}");
}

#[tokio::test]
async fn security_changes_need_approval() {
    let open = TEMPLATE.replace("\"CidrIp\": \"10.0.0.0/16\"", "\"CidrIp\": \"0.0.0.0/0\"");
    let setup = || {
        let mut world = deployed_world("UPDATE_COMPLETE");
        world.change_set = ChangeSetPlan {
            changes: vec![(
                ChangeAction::Modify,
                "ClusterSg".into(),
                "AWS::EC2::SecurityGroup".into(),
                None,
            )],
            ..Default::default()
        };
        world.on_execute.push_back(Op::new(vec![
            stack_ev(0, "UPDATE_IN_PROGRESS", Some("User Initiated")),
            stack_ev(9, "UPDATE_COMPLETE", None),
        ]));
        world.shared()
    };

    // No terminal and no --yes: the diff is shown, then refused; the change set is deleted.
    let world = setup();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::non_interactive();
    let (message, _) = refusal(
        deploy(
            &engine,
            &request_with(|r| {
                r.template = support::template(&open);
                r.assume_yes = false;
            }),
            &mut ui,
        )
        .await,
    );
    assert!(
        message.contains("needs approval") && message.contains("no terminal"),
        "{message}"
    );
    let rules = &ui.plans[0].security.security_groups;
    assert_eq!(rules.len(), 2, "old rule removed, open rule added: {rules:?}");
    assert!(rules.iter().any(|c| c.item.open_to_world));
    assert_eq!(mutations(&world), ["CreateChangeSet:UPDATE", "DeleteChangeSet"]);

    // A person who declines: same, nothing executed.
    let world = setup();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::answering(false);
    refusal(
        deploy(
            &engine,
            &request_with(|r| {
                r.template = support::template(&open);
                r.assume_yes = false;
            }),
            &mut ui,
        )
        .await,
    );
    assert_eq!(ui.questions, [Question::ApproveSecurityChanges { stack: STACK.into() }]);
    assert_eq!(mutations(&world), ["CreateChangeSet:UPDATE", "DeleteChangeSet"]);

    // A person who approves: executed.
    let world = setup();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::answering(true);
    deploy(
        &engine,
        &request_with(|r| {
            r.template = support::template(&open);
            r.assume_yes = false;
        }),
        &mut ui,
    )
    .await
    .unwrap();
    assert_eq!(mutations(&world), ["CreateChangeSet:UPDATE", "ExecuteChangeSet"]);
}

#[tokio::test]
async fn review_in_progress_stack_gets_a_create_change_set() {
    let mut world = World::new().with_stack(
        "REVIEW_IN_PROGRESS",
        vec![stack_ev(-60, "REVIEW_IN_PROGRESS", Some("User Initiated"))],
    );
    world.change_set = timelines::create_plan();
    world.on_execute.push_back(timelines::create_succeeds());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let outcome = deploy(&engine, &request(TEMPLATE), &mut Recorder::non_interactive())
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        DeployOutcome::Deployed {
            operation: Operation::Create,
            ..
        }
    ));
    assert_eq!(mutations(&world), ["CreateChangeSet:CREATE", "ExecuteChangeSet"]);
    assert_eq!(
        world.lock().unwrap().stacks.len(),
        1,
        "the existing review stack was used, not a second one"
    );
}

#[tokio::test]
async fn no_rollback_failures_end_create_failed_or_update_failed_and_can_be_retried() {
    // CREATE_FAILED: the failed resources stay.
    let mut world = World::new();
    world.change_set = timelines::create_plan();
    world.on_execute.push_back(Op::new(vec![
        stack_ev(0, "CREATE_IN_PROGRESS", Some("User Initiated")),
        res_ev(3, "DbCluster", "AWS::RDS::DBCluster", "CREATE_IN_PROGRESS", None),
        res_ev(
            37,
            "DbCluster",
            "AWS::RDS::DBCluster",
            "CREATE_FAILED",
            Some(timelines::DB_VERSION_ERROR),
        ),
        stack_ev(
            38,
            "CREATE_FAILED",
            Some("The following resource(s) failed to create: [DbCluster]."),
        ),
    ]));
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let report = failure(
        deploy(
            &engine,
            &request_with(|r| r.disable_rollback = true),
            &mut Recorder::non_interactive(),
        )
        .await,
    );
    assert_eq!(report.final_status.as_str(), "CREATE_FAILED");
    assert!(report.hint.contains("rollback was disabled"), "{}", report.hint);

    // The next deploy retries it with an update; this one fails again, leaving UPDATE_FAILED.
    {
        let mut w = world.lock().unwrap();
        w.clock.advance(Duration::from_secs(600));
        w.change_set = ChangeSetPlan {
            changes: vec![(
                ChangeAction::Modify,
                "DbCluster".into(),
                "AWS::RDS::DBCluster".into(),
                None,
            )],
            ..Default::default()
        };
        w.on_execute.push_back(Op::new(vec![
            stack_ev(0, "UPDATE_IN_PROGRESS", Some("User Initiated")),
            res_ev(
                3,
                "DbCluster",
                "AWS::RDS::DBCluster",
                "UPDATE_FAILED",
                Some("Resource handler returned message: \"Invalid DB engine version\""),
            ),
            stack_ev(
                4,
                "UPDATE_FAILED",
                Some("The following resource(s) failed to update: [DbCluster]."),
            ),
        ]));
    }
    let report = failure(
        deploy(
            &engine,
            &request_with(|r| r.disable_rollback = true),
            &mut Recorder::non_interactive(),
        )
        .await,
    );
    assert_eq!(report.final_status.as_str(), "UPDATE_FAILED");
    assert_eq!(report.root_cause.unwrap().event.logical_id, "DbCluster");
    assert_eq!(
        mutations(&world),
        [
            "CreateChangeSet:CREATE",
            "ExecuteChangeSet",
            "CreateChangeSet:UPDATE",
            "ExecuteChangeSet"
        ]
    );
}

#[tokio::test]
async fn failed_create_whose_rollback_fails_ends_rollback_failed() {
    let mut world = World::new();
    world.change_set = timelines::create_plan();
    world.on_execute.push_back(Op::new(vec![
        stack_ev(0, "CREATE_IN_PROGRESS", Some("User Initiated")),
        res_ev(
            3,
            "DbCluster",
            "AWS::RDS::DBCluster",
            "CREATE_FAILED",
            Some(timelines::DB_VERSION_ERROR),
        ),
        stack_ev(
            4,
            "ROLLBACK_IN_PROGRESS",
            Some("The following resource(s) failed to create: [DbCluster]."),
        ),
        res_ev(
            5,
            "DbSg",
            "AWS::EC2::SecurityGroup",
            "DELETE_FAILED",
            Some("resource sg-0fedcba9876543210 has a dependent object"),
        ),
        stack_ev(
            6,
            "ROLLBACK_FAILED",
            Some("The following resource(s) failed to delete: [DbSg]."),
        ),
    ]));
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let report = failure(deploy(&engine, &request(TEMPLATE), &mut Recorder::non_interactive()).await);
    assert_eq!(report.final_status.as_str(), "ROLLBACK_FAILED");
    assert_eq!(report.root_cause.unwrap().event.logical_id, "DbCluster");
    assert_eq!(report.blockers[0].logical_id, "DbSg");
    assert!(
        report.hint.contains("kumo destroy --stack-name app --retain DbSg"),
        "{}",
        report.hint
    );
}

/// Every status a stack can be found in leads to a deliberate first step.
#[tokio::test]
async fn every_status_has_a_branch() {
    enum Expect {
        Change(&'static str),
        Resume(&'static str),
        DeleteFirst,
        Refused,
    }
    let cases: &[(&str, Expect)] = &[
        ("CREATE_COMPLETE", Expect::Change("UPDATE")),
        ("UPDATE_COMPLETE", Expect::Change("UPDATE")),
        ("UPDATE_ROLLBACK_COMPLETE", Expect::Change("UPDATE")),
        ("IMPORT_COMPLETE", Expect::Change("UPDATE")),
        ("IMPORT_ROLLBACK_COMPLETE", Expect::Change("UPDATE")),
        ("CREATE_FAILED", Expect::Change("UPDATE")),
        ("UPDATE_FAILED", Expect::Change("UPDATE")),
        ("REVIEW_IN_PROGRESS", Expect::Change("CREATE")),
        ("DELETE_COMPLETE", Expect::Change("CREATE")),
        ("CREATE_IN_PROGRESS", Expect::Resume("CREATE_COMPLETE")),
        ("UPDATE_IN_PROGRESS", Expect::Resume("UPDATE_COMPLETE")),
        ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", Expect::Resume("UPDATE_COMPLETE")),
        ("IMPORT_IN_PROGRESS", Expect::Resume("IMPORT_COMPLETE")),
        ("DELETE_IN_PROGRESS", Expect::Resume("DELETE_COMPLETE")),
        ("ROLLBACK_IN_PROGRESS", Expect::Resume("ROLLBACK_COMPLETE")),
        (
            "UPDATE_ROLLBACK_IN_PROGRESS",
            Expect::Resume("UPDATE_ROLLBACK_COMPLETE"),
        ),
        (
            "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            Expect::Resume("UPDATE_ROLLBACK_COMPLETE"),
        ),
        (
            "IMPORT_ROLLBACK_IN_PROGRESS",
            Expect::Resume("IMPORT_ROLLBACK_COMPLETE"),
        ),
        ("ROLLBACK_COMPLETE", Expect::DeleteFirst),
        ("ROLLBACK_FAILED", Expect::Refused),
        ("DELETE_FAILED", Expect::Refused),
        ("UPDATE_ROLLBACK_FAILED", Expect::Refused),
        ("IMPORT_ROLLBACK_FAILED", Expect::Refused),
    ];
    let mut covered: Vec<&str> = cases.iter().map(|(s, _)| *s).collect();
    covered.sort_unstable();
    let mut all: Vec<&str> = StackStatus::values().to_vec();
    all.sort_unstable();
    assert_eq!(covered, all, "every status the SDK knows is in this table");

    for (status, expect) in cases {
        let history = if *status == "DELETE_COMPLETE" {
            vec![]
        } else {
            vec![stack_ev(-30, status, None)]
        };
        let mut world = World::new().with_stack(status, history);
        world.stack_mut().template = Some(TEMPLATE.into());
        world.change_set = timelines::no_changes_plan();
        let creates = matches!(
            expect,
            Expect::Change("CREATE") | Expect::DeleteFirst | Expect::Resume("DELETE_COMPLETE")
        );
        if creates {
            world.change_set = timelines::create_plan();
            world.on_execute.push_back(Op::new(vec![
                stack_ev(0, "CREATE_IN_PROGRESS", Some("User Initiated")),
                stack_ev(5, "CREATE_COMPLETE", None),
            ]));
        }
        if let Expect::Resume(end) = expect {
            // The operation already running ends 20 seconds from now.
            world = world.then(vec![stack_ev(20, end, None)]);
        }
        let world = world.shared();
        let engine = support::engine(&world, &[]);
        let mut ui = Recorder::non_interactive();
        let result = deploy(&engine, &request(TEMPLATE), &mut ui).await;
        let calls = mutations(&world);
        match expect {
            Expect::Change(kind) => {
                assert!(result.is_ok(), "{status}: {result:?}");
                assert_eq!(
                    calls.first().cloned(),
                    Some(format!("CreateChangeSet:{kind}")),
                    "{status}"
                );
            }
            Expect::Resume(end) => {
                assert!(
                    ui.has_note(|n| matches!(n, Note::ResumingWatch { .. })),
                    "{status}: {:?}",
                    ui.notes
                );
                assert_eq!(ui.finished.first().map(String::as_str), Some(*end), "{status}");
                if matches!(
                    *end,
                    "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE" | "DELETE_COMPLETE"
                ) {
                    // After a good end kumo carries on with its own change set.
                    assert!(result.is_ok(), "{status}: {result:?}");
                    assert!(
                        calls.first().is_some_and(|c| c.starts_with("CreateChangeSet")),
                        "{status}: {calls:?}"
                    );
                } else {
                    let Err(DeployError::Failed(report)) = result else {
                        panic!("{status}: {result:?}")
                    };
                    assert_eq!(report.final_status.as_str(), *end);
                    assert!(
                        calls.is_empty(),
                        "{status}: nothing may start after a failed operation: {calls:?}"
                    );
                }
            }
            Expect::DeleteFirst => {
                assert!(result.is_ok(), "{status}: {result:?}");
                assert_eq!(calls.first().map(String::as_str), Some("DeleteStack"), "{status}");
            }
            Expect::Refused => {
                assert!(
                    matches!(result, Err(DeployError::Refused { .. })),
                    "{status}: {result:?}"
                );
                assert!(calls.is_empty(), "{status}: {calls:?}");
            }
        }
    }
}

/// A status this version of kumo does not know (AWS added one): deploy and diff refuse without changing
/// anything, naming the status; destroy still deletes (a delete works from every settled state).
#[tokio::test]
async fn a_status_kumo_does_not_know_is_refused_by_deploy_and_diff() {
    for verb in ["deploy", "diff"] {
        let world = deployed_world("IMPORT_PAUSED").shared();
        let engine = support::engine(&world, &[]);
        let mut ui = Recorder::non_interactive();
        let (message, hint) = if verb == "deploy" {
            refusal(deploy(&engine, &request(TEMPLATE), &mut ui).await)
        } else {
            let request = DiffRequest {
                stack_name: STACK.into(),
                template: support::template(TEMPLATE),
                parameters: vec![],
                tags: vec![],
            };
            refusal(diff(&engine, &request, &mut ui).await)
        };
        assert!(
            message.contains("IMPORT_PAUSED, which this version of kumo does not know"),
            "{verb}: {message}"
        );
        assert!(hint.contains("update kumo"), "{verb}: {hint}");
        assert!(mutations(&world).is_empty(), "{verb}: {:?}", mutations(&world));
    }

    let world = deployed_world("IMPORT_PAUSED").shared();
    let engine = support::engine(&world, &[]);
    let request = DestroyRequest {
        stack_name: STACK.into(),
        assume_yes: true,
        ..DestroyRequest::default()
    };
    let outcome = destroy(&engine, &request, &mut Recorder::non_interactive()).await;
    assert!(matches!(outcome, Ok(DestroyOutcome::Deleted { .. })), "{outcome:?}");
    assert_eq!(mutations(&world).first().map(String::as_str), Some("DeleteStack"));
}

/// Every terminal status an operation can end in is recognised and reported as success or failure.
#[tokio::test]
async fn every_terminal_status_is_reported() {
    let cases: &[(&str, &str, bool)] = &[
        ("CREATE_IN_PROGRESS", "CREATE_COMPLETE", true),
        ("CREATE_IN_PROGRESS", "CREATE_FAILED", false),
        ("ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE", false),
        ("ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED", false),
        ("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE", true),
        ("UPDATE_IN_PROGRESS", "UPDATE_FAILED", false),
        ("UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE", false),
        ("UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED", false),
        ("DELETE_IN_PROGRESS", "DELETE_COMPLETE", true),
        ("DELETE_IN_PROGRESS", "DELETE_FAILED", false),
        ("IMPORT_IN_PROGRESS", "IMPORT_COMPLETE", true),
        ("IMPORT_ROLLBACK_IN_PROGRESS", "IMPORT_ROLLBACK_COMPLETE", false),
        ("IMPORT_ROLLBACK_IN_PROGRESS", "IMPORT_ROLLBACK_FAILED", false),
    ];
    let terminal: Vec<&str> = StackStatus::values()
        .iter()
        .copied()
        .filter(|s| !s.ends_with("_IN_PROGRESS"))
        .collect();
    for status in &terminal {
        assert!(cases.iter().any(|(_, end, _)| end == status), "{status} has no case");
    }
    for (running, end, good) in cases {
        let mut world = World::new().with_stack(running, vec![stack_ev(-60, running, Some("User Initiated"))]);
        world.stack_mut().template = Some(TEMPLATE.into());
        world = world.then(vec![
            res_ev(5, "Vpc", "AWS::EC2::VPC", "UPDATE_IN_PROGRESS", None),
            res_ev(
                600,
                "Vpc",
                "AWS::EC2::VPC",
                if *good { "UPDATE_COMPLETE" } else { "UPDATE_FAILED" },
                Some("recorded reason"),
            ),
            stack_ev(601, end, None),
        ]);
        world.change_set = if *end == "DELETE_COMPLETE" {
            timelines::create_plan()
        } else {
            timelines::no_changes_plan()
        };
        world.on_execute.push_back(Op::new(vec![
            stack_ev(0, "CREATE_IN_PROGRESS", None),
            stack_ev(5, "CREATE_COMPLETE", None),
        ]));
        let world = world.shared();
        let engine = support::engine(&world, &[]);
        let mut ui = Recorder::non_interactive();
        let result = deploy(&engine, &request(TEMPLATE), &mut ui).await;
        assert_eq!(
            ui.finished.first().map(String::as_str),
            Some(*end),
            "{running} -> {end}"
        );
        if *good {
            assert!(result.is_ok(), "{running} -> {end}: {result:?}");
        } else {
            let Err(DeployError::Failed(report)) = result else {
                panic!("{running} -> {end}: {result:?}")
            };
            assert_eq!(report.final_status.as_str(), *end);
            assert_eq!(
                report.root_cause.map(|c| c.event.logical_id),
                Some("Vpc".to_owned()),
                "{running} -> {end}"
            );
            assert!(!report.hint.is_empty());
        }
    }
}

#[tokio::test]
async fn status_shows_the_last_operation_and_what_to_do() {
    let history = timelines::in_the_past(timelines::update_rollback_fails(), 3600);
    let mut world = World::new().with_stack("UPDATE_ROLLBACK_FAILED", history);
    world.stack_mut().drift = Some(aws_sdk_cloudformation::types::StackDriftStatus::Drifted);
    let world = world.shared();
    let engine = support::engine(&world, &[]);

    let report = kumo_deploy::status_report::status(&engine, STACK, 5)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(report.stack.status.as_str(), "UPDATE_ROLLBACK_FAILED");
    assert_eq!(report.recent_events.len(), 5);
    assert_eq!(report.recent_events.last().unwrap().status, "UPDATE_ROLLBACK_FAILED");
    assert_eq!(report.root_cause.unwrap().event.logical_id, "Nodegroup");
    assert!(report.advice.unwrap().contains("continue-update-rollback"));
    assert_eq!(report.stack.drift.unwrap().status.as_str(), "DRIFTED");
    assert!(
        kumo_deploy::status_report::status(&engine, "missing", 5)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn outputs_are_read_from_the_stack() {
    let world = deployed_world("UPDATE_COMPLETE").shared();
    let engine = support::engine(&world, &[]);
    let stack = kumo_deploy::outputs::outputs(&engine, STACK).await.unwrap().unwrap();
    let json = kumo_deploy::outputs::outputs_json(&stack.name, &stack.outputs);
    assert_eq!(json["app"]["ClusterName"], "app-cluster");
    assert!(
        kumo_deploy::outputs::outputs(&engine, "missing")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn timeout_also_bounds_a_resumed_operation() {
    // A first run is interrupted early in a ~20-minute create; the second run, with --timeout 5, follows
    // the running create for 5 minutes and stops with the timeout error, starting nothing.
    let mut world = World::new();
    world.change_set = timelines::create_plan();
    world.on_execute.push_back(timelines::create_succeeds());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut ui = Recorder::non_interactive();
    ui.interrupt_after_events = Some((2, engine.interrupt().clone()));
    let interrupted = deploy(&engine, &request(TEMPLATE), &mut ui).await;
    assert!(
        matches!(interrupted, Err(DeployError::Interrupted(_))),
        "{interrupted:?}"
    );

    let engine = support::engine(&world, &[]);
    let started = world.lock().unwrap().clock.now();
    let timed = request_with(|r| r.timeout = Some(Duration::from_secs(5 * 60)));
    let result = deploy(&engine, &timed, &mut Recorder::non_interactive()).await;

    let Err(error @ DeployError::TimedOut { .. }) = result else {
        panic!("{result:?}")
    };
    assert_eq!(
        error.to_string(),
        "app: resumed operation still running after the 5-minute timeout"
    );
    let waited = world.lock().unwrap().clock.now().duration_since(started).unwrap();
    assert!(
        waited >= Duration::from_secs(5 * 60) && waited < Duration::from_secs(6 * 60),
        "followed for {waited:?}"
    );
    assert_eq!(
        mutations(&world),
        ["CreateChangeSet:CREATE", "ExecuteChangeSet"],
        "nothing new was started"
    );
}

/// Records when `destroy_with` calls its [`Outside`] hooks, against the mutating calls made so far.
struct OutsideProbe {
    world: support::world::Shared,
    found: usize,
    calls: Vec<(String, Vec<String>)>,
}

impl kumo_deploy::destroy::Outside for OutsideProbe {
    async fn survey(&mut self, stack: Option<(&kumo_deploy::stack::StackInfo, usize)>) -> Result<usize, DeployError> {
        let what = match stack {
            Some((info, count)) => format!("survey {} ({count} resources)", info.name),
            None => "survey (no stack)".to_owned(),
        };
        self.calls.push((what, mutations(&self.world)));
        Ok(self.found)
    }

    async fn clear(&mut self) -> Result<(), DeployError> {
        self.calls.push(("clear".to_owned(), mutations(&self.world)));
        Ok(())
    }
}

#[tokio::test]
async fn what_is_outside_the_stack_is_shown_before_the_question_and_removed_before_delete_stack() {
    let mut world = deployed_world("UPDATE_COMPLETE");
    world.on_delete.push_back(timelines::delete_succeeds());
    let world = world.shared();
    let engine = support::engine(&world, &[]);
    let mut probe = OutsideProbe {
        world: world.clone(),
        found: 3,
        calls: Vec::new(),
    };
    let mut ui = Recorder::answering(true);
    let request = DestroyRequest {
        stack_name: STACK.into(),
        ..Default::default()
    };
    let outcome = kumo_deploy::destroy::destroy_with(&engine, &request, &mut ui, &mut probe)
        .await
        .unwrap();
    assert!(matches!(outcome, DestroyOutcome::Deleted { .. }), "{outcome:?}");
    let resources = timelines::deployed_resources().len();
    assert_eq!(
        probe.calls,
        [
            (format!("survey {STACK} ({resources} resources)"), vec![]),
            // The in-cluster step and the AWS sweep run here: nothing has been deleted yet.
            ("clear".to_owned(), vec![]),
        ]
    );
    assert_eq!(ui.questions, [Question::Destroy { stack: STACK.into() }]);
    assert_eq!(mutations(&world), ["DeleteStack"]);
}

#[tokio::test]
async fn destroy_plan_surveys_and_changes_nothing_even_for_a_stack_that_is_gone() {
    let world = deployed_world("UPDATE_COMPLETE").shared();
    let engine = support::engine(&world, &[]);
    let mut probe = OutsideProbe {
        world: world.clone(),
        found: 2,
        calls: Vec::new(),
    };
    let request = DestroyRequest {
        stack_name: STACK.into(),
        plan_only: true,
        ..Default::default()
    };
    let mut ui = Recorder::answering(true);
    let outcome = kumo_deploy::destroy::destroy_with(&engine, &request, &mut ui, &mut probe)
        .await
        .unwrap();
    assert_eq!(outcome, DestroyOutcome::Planned { exists: true });
    assert_eq!(probe.calls.len(), 1, "{:?}", probe.calls);
    assert!(ui.questions.is_empty());
    assert!(mutations(&world).is_empty());

    // No stack, but resources tagged for it: shown, and removed after the same confirmation.
    let world = World::new().shared();
    let engine = support::engine(&world, &[]);
    let mut probe = OutsideProbe {
        world: world.clone(),
        found: 1,
        calls: Vec::new(),
    };
    let request = DestroyRequest {
        stack_name: STACK.into(),
        assume_yes: true,
        ..Default::default()
    };
    let outcome = kumo_deploy::destroy::destroy_with(&engine, &request, &mut Recorder::non_interactive(), &mut probe)
        .await
        .unwrap();
    assert_eq!(outcome, DestroyOutcome::OutsideOnly);
    let calls: Vec<&str> = probe.calls.iter().map(|(what, _)| what.as_str()).collect();
    assert_eq!(calls, ["survey (no stack)", "clear"]);
}
