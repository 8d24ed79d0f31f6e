//! What to do next, per stack status. One place, so `deploy`, `destroy` and `status` say the same thing.

use crate::events::{self, StackEvent};
use crate::stack_state::StackStatus;

/// Resources blocking the last phase of a failed operation: the rollback (for `*ROLLBACK_FAILED`) or
/// the delete (for `DELETE_FAILED`). Empty for other statuses.
pub fn blockers(status: &StackStatus, events: &[StackEvent]) -> Vec<StackEvent> {
    let phase = match status {
        StackStatus::UpdateRollbackFailed => StackStatus::UpdateRollbackInProgress,
        StackStatus::RollbackFailed => StackStatus::RollbackInProgress,
        StackStatus::DeleteFailed => StackStatus::DeleteInProgress,
        StackStatus::ImportRollbackFailed => StackStatus::ImportRollbackInProgress,
        StackStatus::CreateInProgress
        | StackStatus::CreateFailed
        | StackStatus::CreateComplete
        | StackStatus::RollbackInProgress
        | StackStatus::RollbackComplete
        | StackStatus::DeleteInProgress
        | StackStatus::DeleteComplete
        | StackStatus::UpdateInProgress
        | StackStatus::UpdateCompleteCleanupInProgress
        | StackStatus::UpdateComplete
        | StackStatus::UpdateFailed
        | StackStatus::UpdateRollbackInProgress
        | StackStatus::UpdateRollbackCompleteCleanupInProgress
        | StackStatus::UpdateRollbackComplete
        | StackStatus::ReviewInProgress
        | StackStatus::ImportInProgress
        | StackStatus::ImportComplete
        | StackStatus::ImportRollbackInProgress
        | StackStatus::ImportRollbackComplete
        | StackStatus::Unrecognized(_) => return Vec::new(),
    };
    events::blockers_since(events, &phase)
}

fn ids(blockers: &[StackEvent]) -> String {
    blockers
        .iter()
        .map(|e| e.logical_id.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The next step after an operation ended in `status`.
pub fn after_failure(status: &StackStatus, stack: &str, blockers: &[StackEvent]) -> String {
    match status {
        StackStatus::RollbackComplete => format!(
            "fix the cause, then run `kumo deploy` again: it deletes the empty {stack} and creates it anew (it asks \
             first; --yes skips the question)"
        ),
        StackStatus::UpdateRollbackComplete => {
            "the stack is back where it was before this deploy; fix the cause and deploy again".to_owned()
        }
        StackStatus::CreateFailed | StackStatus::UpdateFailed => format!(
            "rollback was disabled, so resources stay as they are for inspection: fix the cause and run `kumo \
             deploy` again to retry, or roll back with `aws cloudformation rollback-stack --stack-name {stack}`"
        ),
        StackStatus::UpdateRollbackFailed => continue_update_rollback(stack, blockers),
        StackStatus::RollbackFailed => format!(
            "the failed create could not be cleaned up; fix or remove the blocking resources, then `kumo destroy \
             --stack-name {stack}`{}",
            retain_suffix(stack, blockers)
        ),
        StackStatus::DeleteFailed => format!(
            "fix what blocks deletion and run `kumo destroy --stack-name {stack}` again{}",
            retain_suffix(stack, blockers)
        ),
        StackStatus::ImportRollbackFailed | StackStatus::ImportRollbackComplete => format!(
            "the import did not complete: fix the resources named above, then import again or `kumo destroy \
             --stack-name {stack}`"
        ),
        StackStatus::DeleteComplete => {
            "the stack was deleted after the failure; fix the cause and deploy again".to_owned()
        }
        StackStatus::CreateInProgress
        | StackStatus::CreateComplete
        | StackStatus::RollbackInProgress
        | StackStatus::DeleteInProgress
        | StackStatus::UpdateInProgress
        | StackStatus::UpdateCompleteCleanupInProgress
        | StackStatus::UpdateComplete
        | StackStatus::UpdateRollbackInProgress
        | StackStatus::UpdateRollbackCompleteCleanupInProgress
        | StackStatus::ReviewInProgress
        | StackStatus::ImportInProgress
        | StackStatus::ImportComplete
        | StackStatus::ImportRollbackInProgress
        | StackStatus::Unrecognized(_) => format!("`kumo status --stack-name {stack}` shows the stack's events"),
    }
}

fn retain_suffix(stack: &str, blockers: &[StackEvent]) -> String {
    if blockers.is_empty() {
        String::new()
    } else {
        let flags: Vec<String> = blockers.iter().map(|e| format!("--retain {}", e.logical_id)).collect();
        format!(
            "; to keep what cannot be deleted and remove the rest: `kumo destroy --stack-name {stack} {}`",
            flags.join(" ")
        )
    }
}

/// How to get out of `UPDATE_ROLLBACK_FAILED`, which kumo explains but does not do for you: skipping a
/// resource makes CloudFormation consider it rolled back while it may not be, which needs a human call.
pub fn continue_update_rollback(stack: &str, blockers: &[StackEvent]) -> String {
    let mut text = format!(
        "the update's rollback could not finish, and the stack accepts no update until it does: fix the cause \
         (often a resource changed or deleted outside CloudFormation), then `aws cloudformation \
         continue-update-rollback --stack-name {stack}`"
    );
    if !blockers.is_empty() {
        text.push_str(&format!(
            "; if a resource cannot be fixed, skip it (CloudFormation then marks it rolled back without touching \
             it): `aws cloudformation continue-update-rollback --stack-name {stack} --resources-to-skip {}`",
            ids(blockers)
        ));
    }
    text.push_str("; then run `kumo deploy` again");
    text
}
