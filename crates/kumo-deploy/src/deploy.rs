//! `deploy`: the state machine. Read the stack; decide from its status (every status has a branch, see
//! [`StackState`]); validate; create a change set; show it; ask when security changes; execute; follow the
//! events to a terminal status; report outputs, or the root cause of a failure.

use std::time::Duration;

use aws_sdk_cloudformation::types::ChangeSetType;

use crate::advice;
use crate::changes;
use crate::changeset::{ChangeSetSpec, Prepared, TemplateSource, capabilities};
use crate::engine::{Deadline, Engine, WatchTarget};
use crate::error::{ApiResult, DeployError, FailureReport, Interruption};
use crate::events::{self, EventCursor};
use crate::ownership::{Ownership, ownership};
use crate::params;
use crate::security::{SecurityDiff, security_diff};
use crate::stack::StackInfo;
use crate::status::{Operation, Outcome, StackState, running_operation};
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
        status: String,
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

/// Refuses to change a stack kumo does not own (see [`crate::ownership`]).
pub(crate) fn check_owner<U: Ui>(stack: &StackInfo, adopt: bool, ui: &mut U, verb: &str) -> Result<(), DeployError> {
    match ownership(stack) {
        Ownership::Kumo => Ok(()),
        Ownership::Unmanaged if adopt => {
            ui.note(Note::Adopting {
                stack: stack.name.clone(),
            });
            Ok(())
        }
        Ownership::Unmanaged => Err(DeployError::refused(
            format!(
                "{} exists but was not created by kumo (it has no kumo:managed-by tag); kumo will not {verb} it",
                stack.name
            ),
            "pass --adopt to let kumo manage this stack from now on, or choose another --stack-name",
        )),
        Ownership::ManagedElsewhere { by } => Err(DeployError::refused(
            format!("{} is managed by {by}; kumo will not {verb} it", stack.name),
            "change it through whatever manages it, or choose another --stack-name",
        )),
    }
}

/// Asks `question` unless `--yes`; without a terminal, refuses with `why`.
pub(crate) async fn ask<U: Ui>(
    ui: &mut U,
    assume_yes: bool,
    question: Question,
    why: &str,
) -> Result<bool, DeployError> {
    if assume_yes {
        return Ok(true);
    }
    if !ui.can_prompt() {
        let hint = match question {
            Question::ApproveSecurityChanges { .. } => "review it (e.g. `kumo diff`), then re-run with --yes",
            Question::DeleteForRecreate { .. } => "re-run with --yes to delete and re-create it",
            Question::Destroy { .. } => "run it at a terminal to type the stack name, or pass --yes",
        };
        return Err(DeployError::refused(
            format!("{why}, and there is no terminal to ask (stdin is not a TTY); nothing was changed"),
            hint,
        ));
    }
    Ok(ui.confirm(&question).await)
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
        let existing = engine.describe(name).await?;
        let state = existing.as_ref().map_or(StackState::Absent, StackInfo::state);
        if let Some(stack) = &existing
            && state != StackState::Absent
        {
            check_owner(stack, request.adopt, ui, "deploy to")?;
        }
        match (state, existing) {
            (StackState::Absent, _) => return apply(engine, request, ui, None, ChangeSetType::Create).await,
            (StackState::Review, Some(stack)) => {
                return apply(engine, request, ui, Some(stack), ChangeSetType::Create).await;
            }
            (StackState::Stable | StackState::FailedNoRollback, Some(stack)) => {
                return apply(engine, request, ui, Some(stack), ChangeSetType::Update).await;
            }
            (StackState::InProgress, Some(stack)) => {
                resume(engine, ui, &stack, "deploy", request.timeout).await?;
            }
            (StackState::RollbackComplete, Some(stack)) => {
                recreate_after_rollback(engine, request, ui, &stack).await?;
            }
            (
                StackState::UpdateRollbackFailed
                | StackState::RollbackFailed
                | StackState::DeleteFailed
                | StackState::ImportRollbackFailed,
                Some(stack),
            ) => return Err(blocked_state_error(engine, &stack, "deployed to").await?),
            (_, stack) => {
                let status = stack.map(|s| s.status.as_str().to_owned()).unwrap_or_default();
                return Err(DeployError::refused(
                    format!("{name} is in status {status}, which this version of kumo does not know"),
                    "check the stack in the CloudFormation console; update kumo",
                ));
            }
        }
    }
    Err(DeployError::refused(
        format!("{name} kept changing state while kumo was preparing the deploy"),
        "check `kumo status` and run the deploy again",
    ))
}

/// Follows an operation left running (by an interrupted run, or by someone else). Returns when it
/// succeeded; a failure is reported as such.
pub(crate) async fn resume<U: Ui>(
    engine: &Engine,
    ui: &mut U,
    stack: &StackInfo,
    command: &'static str,
    timeout: Option<Duration>,
) -> Result<(), DeployError> {
    let operation = running_operation(&stack.status);
    ui.note(Note::ResumingWatch {
        stack: stack.name.clone(),
        status: stack.status.as_str().to_owned(),
        operation,
    });
    let (cursor, history) = EventCursor::from_operation_start(&engine.cfn, &stack.id).await?;
    let expected = count_resources(&history);
    let target = WatchTarget {
        stack_id: stack.id.clone(),
        stack_name: stack.name.clone(),
        operation: Operation::Resume,
        cursor,
        history,
        expected,
        // `--timeout` bounds the wait for someone else's operation too (it is not cancelled: not ours).
        deadline: timeout.and_then(|limit| Deadline::after(engine.clock.now(), limit)),
        command,
    };
    let watched = engine.watch(ui, target).await?;
    match watched.outcome {
        Outcome::Succeeded => {
            ui.note(Note::ResumedOperationFinished {
                stack: stack.name.clone(),
                status: watched.status.as_str().to_owned(),
            });
            Ok(())
        }
        Outcome::Failed => Err(DeployError::Failed(Box::new(
            engine
                .failure_report(&stack.name, &format!("{operation} (resumed)"), &watched)
                .await,
        ))),
    }
}

fn count_resources(events: &[events::StackEvent]) -> usize {
    let mut ids: Vec<&str> = events
        .iter()
        .filter(|e| !e.is_stack())
        .map(|e| e.logical_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
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
                status: watched.status.as_str().to_owned(),
            })
        }
        Outcome::Failed => {
            let mut report: FailureReport = engine.failure_report(name, operation.verb(), &watched).await;
            if let Some(limit) = request.timeout
                && watched.status.as_str() == "UPDATE_ROLLBACK_COMPLETE"
                && engine.clock.now().duration_since(started).unwrap_or_default() >= limit
                && report.root_cause.is_none()
            {
                report.status_reason = Some(format!("cancelled after the {}-minute timeout", limit.as_secs() / 60));
            }
            Err(DeployError::Failed(Box::new(report)))
        }
    }
}

/// Inline body, or an upload to the staging bucket when over the inline limit.
pub(crate) async fn stage_template<U: Ui>(
    engine: &Engine,
    stack: &str,
    template: &TemplateDoc,
    ui: &mut U,
) -> Result<TemplateSource, DeployError> {
    let body = template.body();
    if body.len() <= MAX_INLINE_TEMPLATE_BYTES {
        return Ok(TemplateSource::Body(body.to_owned()));
    }
    let Some(staging) = &engine.staging else {
        return Err(DeployError::input(
            format!(
                "{} is {} bytes, over the {MAX_INLINE_TEMPLATE_BYTES}-byte inline limit",
                template.origin(),
                body.len()
            ),
            "a staging bucket is needed: pass --staging-bucket NAME or let kumo create one",
        ));
    };
    let staged = staging.stage(stack, body).await?;
    ui.note(Note::TemplateStaged {
        bucket: staged.bucket,
        key: staged.key,
        created_bucket: staged.created_bucket,
    });
    Ok(TemplateSource::Url(staged.url))
}

/// `ValidateTemplate`: CloudFormation's own syntax check, before anything is created.
pub(crate) async fn validate(engine: &Engine, template: &TemplateSource, origin: &str) -> Result<(), DeployError> {
    let call = engine.cfn.validate_template();
    let call = match template {
        TemplateSource::Body(body) => call.template_body(body),
        TemplateSource::Url(url) => call.template_url(url),
    };
    match call.send().await.api("ValidateTemplate") {
        Ok(_) => Ok(()),
        Err(error) if error.code() == Some("ValidationError") => Err(DeployError::input(
            format!(
                "CloudFormation rejected {origin}: {}",
                error.message().unwrap_or_default()
            ),
            "fix the template; nothing was changed",
        )),
        Err(error) => Err(error.into()),
    }
}

fn same_tags(current: &[(String, String)], wanted: &[aws_sdk_cloudformation::types::Tag]) -> bool {
    let mut a: Vec<(&str, &str)> = current.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut b: Vec<(&str, &str)> = wanted
        .iter()
        .map(|t| (t.key().unwrap_or_default(), t.value().unwrap_or_default()))
        .collect();
    a.sort_unstable();
    b.sort_unstable();
    a == b
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

/// What a deploy or diff wants, independent of how it was asked for.
pub(crate) struct Intent<'a> {
    pub stack_name: &'a str,
    pub template: &'a TemplateDoc,
    pub parameters: &'a [(String, String)],
    pub tags: &'a [(String, String)],
    /// Tags already on a stack being adopted: kept (a change set's tags replace the stack's), so adopting
    /// does not strip the owner's tags.
    pub inherited_tags: Vec<(String, String)>,
}

/// A change set ready to be created, with what the diff needs alongside it.
pub(crate) struct Proposal {
    pub spec: ChangeSetSpec,
    /// The template the stack runs now (updates only).
    pub deployed: Option<TemplateDoc>,
    pub security: SecurityDiff,
}

/// Reads the deployed template, computes the security section, resolves parameters and tags, stages
/// and validates the template: everything up to (not including) `CreateChangeSet`.
pub(crate) async fn propose<U: Ui>(
    engine: &Engine,
    intent: &Intent<'_>,
    existing: Option<&StackInfo>,
    kind: ChangeSetType,
    ui: &mut U,
) -> Result<Proposal, DeployError> {
    let is_update = kind == ChangeSetType::Update;
    let deployed = match (existing, is_update) {
        (Some(stack), true) => engine.deployed_template(stack).await?,
        _ => None,
    };
    let security = security_diff(deployed.as_ref().map(TemplateDoc::value), intent.template.value());
    let parameters = params::resolve_parameters(intent.template, intent.parameters, existing.filter(|_| is_update))?;
    let mut all_tags: Vec<(String, String)> = intent
        .inherited_tags
        .iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .cloned()
        .collect();
    all_tags.extend(intent.tags.iter().cloned());
    let tags = params::stack_tags(&all_tags)?;
    let template = stage_template(engine, intent.stack_name, intent.template, ui).await?;
    validate(engine, &template, intent.template.origin()).await?;
    // Nothing kumo sends differs from what the stack has: an empty change set then means "no changes".
    let unchanged = is_update
        && deployed.as_ref().is_some_and(|d| d.body() == intent.template.body())
        && parameters.iter().all(|p| p.use_previous_value() == Some(true))
        && existing.is_some_and(|s| same_tags(&s.tags, &tags));
    let spec = ChangeSetSpec {
        stack: intent.stack_name.to_owned(),
        kind,
        template,
        parameters,
        tags,
        capabilities: capabilities(intent.template),
        empty_means_no_change: unchanged,
        new_stack: existing.is_none(),
    };
    Ok(Proposal {
        spec,
        deployed,
        security,
    })
}

/// The refusal for states that need a human decision first (a failed rollback or delete), with the
/// resources that are stuck and what to run.
pub(crate) async fn blocked_state_error(
    engine: &Engine,
    stack: &StackInfo,
    verb: &str,
) -> Result<DeployError, DeployError> {
    let name = stack.name.as_str();
    let (_, events) = EventCursor::from_operation_start(&engine.cfn, &stack.id).await?;
    let blockers = advice::blockers(&stack.status, &events);
    let stuck: Vec<String> = blockers
        .iter()
        .map(|e| {
            format!(
                "{} ({}): {}",
                e.logical_id,
                e.resource_type,
                e.reason.as_deref().unwrap_or("no reason given")
            )
        })
        .collect();
    let stuck = if stuck.is_empty() {
        String::new()
    } else {
        format!("; stuck: {}", stuck.join("; "))
    };
    let (what, hint) = match stack.state() {
        StackState::UpdateRollbackFailed => (
            "an earlier update failed and its rollback could not finish",
            advice::continue_update_rollback(name, &blockers),
        ),
        StackState::RollbackFailed => (
            "its first create failed and the rollback could not remove everything",
            advice::after_failure(&stack.status, name, &blockers),
        ),
        StackState::DeleteFailed => (
            "a delete failed part-way",
            advice::after_failure(&stack.status, name, &blockers),
        ),
        _ => (
            "an import failed and its rollback could not finish",
            advice::after_failure(&stack.status, name, &blockers),
        ),
    };
    Ok(DeployError::refused(
        format!(
            "{name} is {}: {what}{stuck}; it cannot be {verb} until that is resolved",
            stack.status.as_str()
        ),
        hint,
    ))
}
