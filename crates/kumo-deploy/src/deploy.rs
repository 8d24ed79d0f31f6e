//! `deploy`: the state machine. Read the stack; decide from its status (every status has a branch, see
//! [`StackState`]); validate; create a change set; show it; ask when security changes; execute; follow the
//! events to a terminal status; report outputs, or the root cause of a failure.

use std::time::Duration;

use aws_sdk_cloudformation::types::ChangeSetType;

use crate::api_error::ApiResult;
use crate::changes;
use crate::changeset::Prepared;
use crate::engine::{Deadline, Engine, WatchTarget};
use crate::error::{DeployError, FailureReport, Interruption};
use crate::events::{self, EventCursor};
use crate::guards::{ask, blocked_state_error, check_owner, unrecognized_status};
use crate::ownership::{Ownership, ownership};
use crate::params;
use crate::proposal::{Intent, Proposal, propose};
use crate::resume::resume;
use crate::stack::StackInfo;
use crate::stack_state::{Operation, Outcome, StackState, StackStatus};
use crate::template::TemplateDoc;
use crate::ui::{Note, Plan, Question, Ui};

/// CloudFormation's limit on an inline `TemplateBody`.
pub use kumo_core::validate::limits::MAX_INLINE_TEMPLATE_BYTES;
/// CloudFormation's limit on any template, even through S3.
pub use kumo_core::validate::limits::MAX_TEMPLATE_BYTES;

#[derive(Clone, Debug)]
pub struct DeployRequest {
    pub stack_name: String,
    pub template: TemplateDoc,
    /// `--parameter KEY=VALUE`, already split.
    pub parameters: Vec<(String, String)>,
    /// Stack tags from the configuration and `--tag`; kumo adds its ownership tag.
    pub tags: Vec<(String, String)>,
    /// Turn termination protection on (kumo never turns it off).
    pub termination_protection: bool,
    /// `--no-rollback`: keep what was made when the operation fails, for inspection.
    pub disable_rollback: bool,
    /// `--timeout`: an update still running after this is cancelled (CloudFormation rolls it back); a
    /// create is left running and kumo stops with an error saying so.
    pub timeout: Option<Duration>,
    /// `--yes`: answer every question with yes.
    pub assume_yes: bool,
    /// `--adopt`: deploy over an existing stack kumo did not create, marking it as kumo's.
    pub adopt: bool,
}

#[derive(Debug)]
pub enum DeployOutcome {
    /// The stack already matches the template.
    NoChanges { stack: StackInfo },
    /// The change set was executed and the stack reached `status`.
    Deployed {
        stack: StackInfo,
        operation: Operation,
        status: StackStatus,
    },
}

impl DeployOutcome {
    pub fn stack(&self) -> &StackInfo {
        match self {
            DeployOutcome::NoChanges { stack } | DeployOutcome::Deployed { stack, .. } => stack,
        }
    }
}

/// Local checks that need no AWS call: stack name, parameter names, tags, size, staging availability.
pub fn preflight(engine: &Engine, request: &DeployRequest) -> Result<(), DeployError> {
    params::check_stack_name(&request.stack_name)?;
    params::check_parameter_names(&request.template, &request.parameters)?;
    let tags = params::stack_tags(&request.tags)?;
    params::check_propagated_tags(&request.template, &tags)?;
    // Over CloudFormation's 1 MiB no `TemplateDoc` exists (checked when it was read).
    let bytes = request.template.body().len();
    if bytes > MAX_INLINE_TEMPLATE_BYTES && engine.staging.is_none() {
        return Err(DeployError::input(
            format!(
                "{} is {bytes} bytes, over the {MAX_INLINE_TEMPLATE_BYTES}-byte inline limit",
                request.template.origin()
            ),
            "a staging bucket is needed: pass --staging-bucket NAME or let kumo create one",
        ));
    }
    if let Some(timeout) = request.timeout
        && timeout < Duration::from_secs(60)
    {
        return Err(DeployError::input(
            "--timeout must be at least 1 minute",
            "pass --timeout MINUTES",
        ));
    }
    Ok(())
}

/// Runs the deploy.
pub async fn deploy<U: Ui>(engine: &Engine, request: &DeployRequest, ui: &mut U) -> Result<DeployOutcome, DeployError> {
    preflight(engine, request)?;
    let name = request.stack_name.as_str();
    // Each round settles one state (a resumed operation, a deleted ROLLBACK_COMPLETE stack) and reads
    // the stack again; no legitimate sequence needs more than three.
    for _ in 0..4 {
        if engine.interrupt.is_triggered() {
            return Err(DeployError::Interrupted(Interruption::BeforeChange {
                stack: name.to_owned(),
            }));
        }
        let Some(stack) = engine.describe(name).await? else {
            return apply(engine, request, ui, None, ChangeSetType::Create).await;
        };
        let state = stack.state();
        if state != StackState::Absent {
            check_owner(&stack, request.adopt, ui, "deploy to")?;
        }
        // Every state has its own arm (no wildcard): a new `StackState` does not compile until it is
        // decided here.
        match state {
            // DELETE_COMPLETE: only the record of a deleted stack; create anew.
            StackState::Absent => return apply(engine, request, ui, None, ChangeSetType::Create).await,
            StackState::Review => {
                return apply(engine, request, ui, Some(stack), ChangeSetType::Create).await;
            }
            StackState::Stable | StackState::FailedNoRollback => {
                return apply(engine, request, ui, Some(stack), ChangeSetType::Update).await;
            }
            StackState::InProgress => resume(engine, ui, &stack, "deploy", request.timeout).await?,
            StackState::RollbackComplete => recreate_after_rollback(engine, request, ui, &stack).await?,
            StackState::UpdateRollbackFailed
            | StackState::RollbackFailed
            | StackState::DeleteFailed
            | StackState::ImportRollbackFailed => {
                return Err(blocked_state_error(engine, &stack, "deployed to").await?);
            }
            StackState::Unrecognized => return Err(unrecognized_status(&stack)),
        }
    }
    Err(DeployError::refused(
        format!("{name} kept changing state while kumo was preparing the deploy"),
        "check `kumo status` and run the deploy again",
    ))
}
/// ROLLBACK_COMPLETE: explain why, ask, delete, and wait for the delete.
async fn recreate_after_rollback<U: Ui>(
    engine: &Engine,
    request: &DeployRequest,
    ui: &mut U,
    stack: &StackInfo,
) -> Result<(), DeployError> {
    let (_, events) = EventCursor::from_operation_start(&engine.cfn, &stack.id).await?;
    let cause = match events::root_cause(&events) {
        Some(event) => Some(events::drill_into_nested(&engine.cfn, event).await.to_string()),
        None => None,
    };
    ui.note(Note::RollbackCompleteFound {
        stack: stack.name.clone(),
        root_cause: cause,
    });
    let question = Question::DeleteForRecreate {
        stack: stack.name.clone(),
    };
    let why = format!("{} must be deleted before it can be created again", stack.name);
    if !ask(ui, request.assume_yes, question, &why).await? {
        return Err(DeployError::refused(
            format!("{} was not deleted, so it cannot be deployed", stack.name),
            "answer yes (or pass --yes) to delete and re-create it, or remove it with `kumo destroy`",
        ));
    }
    if engine.interrupt.is_triggered() {
        return Err(DeployError::Interrupted(Interruption::BeforeChange {
            stack: stack.name.clone(),
        }));
    }
    ui.note(Note::DeletingBeforeCreate {
        stack: stack.name.clone(),
    });
    let cursor = EventCursor::after_latest(&engine.cfn, &stack.id).await?;
    engine
        .cfn
        .delete_stack()
        .stack_name(&stack.id)
        .client_request_token(engine.token("delete"))
        .send()
        .await
        .api("DeleteStack")?;
    let target = WatchTarget {
        stack_id: stack.id.clone(),
        stack_name: stack.name.clone(),
        operation: Operation::Delete,
        cursor,
        history: Vec::new(),
        expected: 0,
        deadline: None,
        command: "deploy",
    };
    let watched = engine.watch(ui, target).await?;
    match watched.outcome {
        Outcome::Succeeded => Ok(()),
        Outcome::Failed => Err(DeployError::Failed(Box::new(
            engine
                .failure_report(&stack.name, "delete (before re-create)", &watched)
                .await,
        ))),
    }
}

/// Creates, shows, approves, executes and follows one change set.
async fn apply<U: Ui>(
    engine: &Engine,
    request: &DeployRequest,
    ui: &mut U,
    existing: Option<StackInfo>,
    kind: ChangeSetType,
) -> Result<DeployOutcome, DeployError> {
    let name = request.stack_name.as_str();
    let is_update = kind == ChangeSetType::Update;
    let adopting = existing.as_ref().is_some_and(|s| ownership(s) == Ownership::Unmanaged);
    let intent = Intent {
        stack_name: name,
        template: &request.template,
        parameters: &request.parameters,
        tags: &request.tags,
        inherited_tags: if adopting {
            existing.as_ref().map(|s| s.tags.clone()).unwrap_or_default()
        } else {
            Vec::new()
        },
    };
    let Proposal {
        spec,
        deployed,
        security,
    } = propose(engine, &intent, existing.as_ref(), kind.clone(), ui).await?;
    if engine.interrupt.is_triggered() {
        return Err(DeployError::Interrupted(Interruption::BeforeChange {
            stack: name.to_owned(),
        }));
    }
    ui.note(Note::CreatingChangeSet {
        stack: name.to_owned(),
        kind: crate::changeset::kind_label(&kind),
    });
    let mut change_set = match engine.create_change_set(&spec).await? {
        Prepared::NoChanges => {
            let Some(stack) = existing else {
                return Err(DeployError::ChangeSetFailed {
                    stack: name.to_owned(),
                    reason: "CloudFormation reported no changes for a stack that does not exist yet".to_owned(),
                });
            };
            let stack = protect_if_requested(engine, request, ui, stack).await?;
            ui.note(Note::NoChanges { stack: name.to_owned() });
            return Ok(DeployOutcome::NoChanges { stack });
        }
        Prepared::Ready(change_set) => change_set,
    };
    changes::fill_from_templates(
        &mut change_set.changes,
        deployed.as_ref().map(TemplateDoc::value),
        request.template.value(),
    );
    ui.plan(&Plan {
        stack: name,
        creates_stack: !is_update,
        changes: &change_set.changes,
        security: &security,
        deployed_template: deployed.as_ref().map(TemplateDoc::value),
        template: request.template.value(),
    });

    let approved = if security.is_empty() {
        Ok(true)
    } else {
        let why = format!(
            "the deploy changes IAM, security groups or public endpoints ({} item(s) above) and needs approval",
            security.len()
        );
        ask(
            ui,
            request.assume_yes,
            Question::ApproveSecurityChanges { stack: name.to_owned() },
            &why,
        )
        .await
    };
    if !matches!(approved, Ok(true)) || engine.interrupt.is_triggered() {
        engine.discard(&change_set, spec.new_stack).await?;
        return match approved {
            Err(error) => Err(error),
            Ok(false) => Err(DeployError::refused(
                "deploy not approved; nothing was changed",
                "run it again when you are ready",
            )),
            Ok(true) => Err(DeployError::Interrupted(Interruption::BeforeChange {
                stack: name.to_owned(),
            })),
        };
    }

    // Until CloudFormation accepts the execute, nothing has changed: any way out (a failed request, an
    // interrupt that arrived meanwhile) deletes the change set, and the review stack of a new stack.
    let cursor = match EventCursor::after_latest(&engine.cfn, &change_set.stack_id).await {
        Ok(cursor) if !engine.interrupt.is_triggered() => cursor,
        outcome => {
            let _ = engine.discard(&change_set, spec.new_stack).await;
            return Err(match outcome {
                Err(error) if !engine.interrupt.is_triggered() => error.into(),
                _ => DeployError::Interrupted(Interruption::BeforeChange { stack: name.to_owned() }),
            });
        }
    };
    let started = engine.clock.now();
    let executed = engine
        .cfn
        .execute_change_set()
        .change_set_name(&change_set.id)
        .client_request_token(engine.token("execute"))
        .disable_rollback(request.disable_rollback)
        .send()
        .await
        .api("ExecuteChangeSet");
    if let Err(error) = executed {
        // A refused execute changed nothing; the change set would only be clutter.
        let _ = engine.discard(&change_set, spec.new_stack).await;
        if engine.interrupt.is_triggered() {
            return Err(DeployError::Interrupted(Interruption::BeforeChange {
                stack: name.to_owned(),
            }));
        }
        return Err(error.into());
    }
    let operation = if is_update {
        Operation::Update
    } else {
        Operation::Create
    };
    let target = WatchTarget {
        stack_id: change_set.stack_id.clone(),
        stack_name: name.to_owned(),
        operation,
        cursor,
        history: Vec::new(),
        expected: change_set.changes.len(),
        deadline: request.timeout.and_then(|limit| Deadline::after(started, limit)),
        command: "deploy",
    };
    let watched = engine.watch(ui, target).await?;
    match watched.outcome {
        Outcome::Succeeded => {
            let stack = match watched.stack.clone() {
                Some(stack) => stack,
                None => engine.describe(&change_set.stack_id).await?.ok_or_else(|| {
                    DeployError::refused(format!("{name} vanished right after deploying"), "check `kumo status`")
                })?,
            };
            let stack = protect_if_requested(engine, request, ui, stack).await?;
            Ok(DeployOutcome::Deployed {
                stack,
                operation,
                status: watched.status.clone(),
            })
        }
        Outcome::Failed => {
            let mut report: FailureReport = engine.failure_report(name, operation.verb(), &watched).await;
            if let Some(limit) = request.timeout
                && watched.status == StackStatus::UpdateRollbackComplete
                && engine.clock.now().duration_since(started).unwrap_or_default() >= limit
                && report.root_cause.is_none()
            {
                report.status_reason = Some(format!("cancelled after the {}-minute timeout", limit.as_secs() / 60));
            }
            Err(DeployError::Failed(Box::new(report)))
        }
    }
}

/// Turns termination protection on when the configuration asks for it and it is off. (Change sets
/// cannot carry it, so it is a separate call after the stack exists.)
async fn protect_if_requested<U: Ui>(
    engine: &Engine,
    request: &DeployRequest,
    ui: &mut U,
    mut stack: StackInfo,
) -> Result<StackInfo, DeployError> {
    if request.termination_protection && !stack.termination_protection {
        engine
            .cfn
            .update_termination_protection()
            .stack_name(&stack.id)
            .enable_termination_protection(true)
            .send()
            .await
            .api("UpdateTerminationProtection")?;
        stack.termination_protection = true;
        ui.note(Note::TerminationProtectionEnabled {
            stack: stack.name.clone(),
        });
    }
    Ok(stack)
}
