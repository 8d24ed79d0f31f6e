//! What stops a flow before it changes anything: a stack kumo does not own, a question nobody can answer
//! (no terminal), and states that need a human decision first. Shared by `deploy`, `diff` and `destroy`.

use crate::advice;
use crate::engine::Engine;
use crate::error::DeployError;
use crate::events::EventCursor;
use crate::ownership::{Ownership, ownership};
use crate::stack::StackInfo;
use crate::stack_state::StackState;
use crate::ui::{Note, Question, Ui};

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
pub async fn ask<U: Ui>(ui: &mut U, assume_yes: bool, question: Question, why: &str) -> Result<bool, DeployError> {
    if assume_yes {
        return Ok(true);
    }
    if !ui.can_prompt() {
        let hint = match question {
            Question::ApproveSecurityChanges { .. } => "review it (e.g. `kumo diff`), then re-run with --yes",
            Question::DeleteForRecreate { .. } => "re-run with --yes to delete and re-create it",
            Question::Destroy { .. } => "run it at a terminal to type the stack name, or pass --yes",
            Question::CreateUndelegatedCertificate { .. } => {
                "delegate the domain first (the lines above say how), or re-run with --yes to create it and wait"
            }
        };
        return Err(DeployError::refused(
            format!("{why}, and there is no terminal to ask (stdin is not a TTY); nothing was changed"),
            hint,
        ));
    }
    Ok(ui.confirm(&question).await)
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
        StackState::ImportRollbackFailed => (
            "an import failed and its rollback could not finish",
            advice::after_failure(&stack.status, name, &blockers),
        ),
        // Not blocked states: callers send only the four above here.
        StackState::Absent
        | StackState::Review
        | StackState::Stable
        | StackState::FailedNoRollback
        | StackState::InProgress
        | StackState::RollbackComplete
        | StackState::Unrecognized => (
            "it is not in a state kumo can act on",
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

/// The refusal for a status this version of kumo does not know: acting on a guess could start a second
/// operation or delete something AWS is still working on.
pub(crate) fn unrecognized_status(stack: &StackInfo) -> DeployError {
    DeployError::refused(
        format!(
            "{} is in status {}, which this version of kumo does not know",
            stack.name, stack.status
        ),
        "check the stack in the CloudFormation console; update kumo",
    )
}
